"""Xu hướng: any metrics over the chosen range by month, quarter or year; one metric by its breakdown
(stacked); one metric year over year."""

import streamlit as st

from commstats import charts, ratios, series
from commstats.i18n import t
from commstats.numbers import format_count, format_percent
from ui import cache
from ui.chart_notes import chart_notes
from ui.frame import open_page

selection = open_page("trends").selection

lang, url, ids = selection.lang, selection.url, selection.unit_ids
catalogue = {m.code: m for m in cache.metrics(url)}
kinds = {code: m.kind for code, m in catalogue.items()}
st.caption(t("trends_caption"))

left, right = st.columns([3, 1])
chosen = left.multiselect(
    t("trends_metrics"),
    list(catalogue),
    default=["portal_posts"] if "portal_posts" in catalogue else None,
    key="trends_metrics",
    format_func=lambda code: f"{catalogue[code].section(lang)} — {catalogue[code].name(lang)}",
)
granularity = (
    right.segmented_control(
        t("granularity"),
        series.GRANULARITIES,
        default="month",
        key="trends_granularity",
        format_func=lambda g: t(f"granularity_{g}"),
    )
    or "month"
)
time_tab, breakdown_tab, yoy_tab = st.tabs([t("trends_tab_time"), t("trends_tab_breakdown"), t("trends_tab_yoy")])

with time_tab:
    if not chosen:
        st.info(t("trends_pick_metric"))
    else:
        wanted = {c: part for c, part in ratios.definitions().items() if c in chosen}  # computed from their parts
        # Every grain: a quarter's or a year's figure stands where its months are missing (commstats.grains).
        stored = cache.figure_totals(url, ids, tuple(ratios.parts_of(chosen, wanted)), *selection.months.chosen)
        rolled = series.aggregate(stored, kinds, granularity, ratios=wanted)
        rolled = rolled[rolled["metric"].isin(chosen)]
        chosen_info = {code: catalogue[code] for code in chosen}
        cache.chart(
            charts.trend_figure, rolled, chosen_info, granularity, lang, selection.mergers, key="trends_time_chart"
        )
        hidden = charts.hidden_note(stored[stored["metric"].isin(chosen)], rolled, granularity, lang)
        chart_notes(rolled, granularity, hidden, bars=False)
        with st.expander(t("trends_table")):
            table = rolled.assign(
                period=[charts.period_label(k, lang) for k in rolled["period_key"]],
                metric=[catalogue[c].name(lang) for c in rolled["metric"]],
                value=[
                    format_percent(v, lang) if c in wanted else format_count(int(v), lang)
                    for c, v in zip(rolled["metric"], rolled["value"], strict=True)
                ],
            )[["period", "metric", "value"]]
            table.columns = [t("period"), t("col_metric"), t("col_value")]
            st.dataframe(table, hide_index=True, width="stretch")

with breakdown_tab:
    breakdowns = {code: m.dimension for code, m in catalogue.items() if m.dimension and m.dimension != "site"}
    broken_down = list(breakdowns)
    default_metric = next((c for c in chosen if c in broken_down), broken_down[0] if broken_down else None)
    if default_metric is not None:
        metric_code = st.selectbox(
            t("trends_breakdown_metric"),
            broken_down,
            index=broken_down.index(default_metric),
            key="trends_breakdown_metric",
            format_func=lambda code: catalogue[code].name(lang),
        )
        metric = catalogue[metric_code]
        by_member = cache.figure_totals(url, ids, (metric_code,), *selection.months.chosen, True)
        rolled = series.aggregate(by_member, kinds, granularity, keys=("metric", "member"))
        members = cache.members(url, breakdowns[metric_code])
        name_column = "name_en" if lang == "en" else "name_vi"
        names = {code: name for code, name in zip(members["code"], members[name_column], strict=True)}
        cache.chart(
            charts.breakdown_figure,
            rolled,
            metric,
            names,
            granularity,
            lang,
            selection.mergers,
            key="trends_breakdown_chart",
        )
        st.caption(t("trends_breakdown_caption"))
        chart_notes(rolled, granularity, charts.hidden_note(by_member, rolled, granularity, lang), bars=True)

with yoy_tab:
    yoy_options = list(catalogue)
    yoy_default = chosen[0] if chosen else yoy_options[0]
    yoy_code = st.selectbox(
        t("trends_yoy_metric"),
        yoy_options,
        index=yoy_options.index(yoy_default),
        key="trends_yoy_metric",
        format_func=lambda code: catalogue[code].name(lang),
    )
    first_january = max(selection.months.first, selection.months.start.replace(month=1))
    shares = {c: part for c, part in ratios.definitions().items() if c == yoy_code}  # a share: from its parts
    history = cache.figure_totals(
        url, ids, tuple(ratios.parts_of([yoy_code], shares)), first_january, selection.months.end
    )
    yearly = series.aggregate(history, kinds, granularity, ratios=shares or None)
    yearly = yearly[yearly["metric"] == yoy_code]
    cache.chart(
        charts.yoy_figure,
        series.year_over_year(yearly, granularity),
        catalogue[yoy_code],
        lang,
        granularity,
        key="trends_yoy_chart",
    )
    st.caption(t("trends_yoy_caption_" + granularity))
    if hidden := charts.hidden_note(
        history[history["metric"] == yoy_code], yearly, granularity, lang
    ):  # never split: named
        st.caption(hidden)
