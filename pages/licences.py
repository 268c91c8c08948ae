"""Xuất bản, in: publishing licences and printing declarations over time, by type, with the period's
totals against the same months a year earlier, and the register entries when a register was imported."""

import streamlit as st

from commstats import charts, series
from commstats.i18n import t
from commstats.numbers import format_count, format_percent
from commstats.periods import add_months, months_between
from ui import cache
from ui.chart_notes import chart_notes
from ui.downloads import can_export, exported_table
from ui.frame import month_label, open_page
from ui.markup import md

SECTION = "publishing"

frame = open_page("licences")
selection = frame.selection

lang, url, ids, start, end = selection.lang, selection.url, selection.unit_ids, *selection.months.chosen
types = {m.code: m for m in cache.metrics(url) if m.section_code == SECTION}
codes = tuple(types)
st.caption(t("licences_caption", start=month_label(start, lang), end=month_label(end, lang)))

months = tuple(months_between(start, end))
now = cache.period_values(url, ids, codes, months)
before = cache.period_values(url, ids, codes, tuple(add_months(m, -12) for m in months))
for column, (code, metric) in zip(st.columns(len(types)), types.items(), strict=True):
    value, previous = now.get((code, "")), before.get((code, ""))
    delta = None
    if value is not None and previous:
        delta = ("+" if value >= previous else "") + format_percent(100 * (value - previous) / previous, lang)
    column.metric(
        md(f"{metric.name(lang)} ({metric.unit_word(lang)})"),
        format_count(value, lang),
        delta,
        border=True,
        help=t("licences_total_help", start=month_label(start, lang), end=month_label(end, lang)),
        delta_description=t("licences_vs_last_year"),
    )

granularity = (
    st.segmented_control(
        t("granularity"),
        series.GRANULARITIES,
        default="month",
        key="licences_granularity",
        format_func=lambda g: t(f"granularity_{g}"),
    )
    or "month"
)
# Every grain: a quarter's or a year's figure stands where its months are missing (commstats.grains).
stored = cache.figure_totals(url, ids, codes, start, end)
if stored.empty:
    st.info(t("no_data_range"))
    st.stop()
kinds = {c: m.kind for c, m in types.items()}
rolled = series.aggregate(stored, kinds, granularity)
hidden = charts.hidden_note(stored, rolled, granularity, lang)  # coarser figures, never split: named
if rolled.empty:  # nothing but such figures: no empty chart
    st.info(hidden or t("no_data_range"))
else:
    cache.chart(
        charts.stacked_metrics_figure, rolled, types, granularity, lang, selection.mergers, key="licences_chart"
    )
    chart_notes(rolled, granularity, hidden, bars=True)

st.subheader(t("licences_year_table"))
yearly = series.aggregate(stored, kinds, "year")
table = yearly.pivot(index="period_key", columns="metric", values="value").reindex(columns=list(types))
years = yearly.drop_duplicates("period_key")
exports = can_export(frame.principal, ids)  # analysts and above download both tables (ui/downloads.py)
exported_table(
    {
        t("col_year"): [
            key if complete else f"{key} ({month_label(first, lang)} – {month_label(last, lang)})"
            for key, complete, first, last in years[["period_key", "complete", "first", "last"]].itertuples(index=False)
        ],
        **{types[c].name(lang): [format_count(int(v), lang) if v == v else "-" for v in table[c]] for c in types},
    },
    hide_index=True,
    width="stretch",
    key="licences_years",
    numbers={types[c].name(lang): [int(v) if v == v else None for v in table[c]] for c in types},
    downloads=exports,
    file_name=f"commstats-licences-years-{start:%Y-%m}-{end:%Y-%m}",
    lang=lang,
)

register = cache.licence_records(url, ids, start, series.month_end(end))
if not register.empty:
    with st.expander(t("licences_register", count=format_count(len(register), lang))):
        exported_table(
            {
                t("col_issued_on"): [d.strftime("%d/%m/%Y") for d in register["issued_on"]],
                t("col_type"): [types[c].name(lang) if c in types else c for c in register["metric"]],
                t("col_number"): register["number"],
                t("col_holder"): register["holder"],
                t("col_title"): register["title"],
            },
            hide_index=True,
            width="stretch",
            key="licences_register",
            downloads=exports,
            file_name=f"commstats-licences-register-{start:%Y-%m}-{end:%Y-%m}",
            lang=lang,
        )
