"""Dữ liệu & xuất: filter by unit, section, metric, member and period (the sidebar's range); view the
figures long or pivoted (metrics × months); download exactly that view as CSV or XLSX through
commstats.export, the code the CLI uses."""

import streamlit as st

from commstats import explore
from commstats.i18n import t
from commstats.numbers import format_count, grid_count_format
from ui import cache, downloads
from ui.downloads import table_downloads
from ui.frame import month_label, open_page

frame = open_page("explore")
selection = frame.selection
can_export = downloads.can_export(frame.principal, selection.unit_ids)

lang, url, (start, end) = selection.lang, selection.url, selection.months.chosen
st.caption(t("explore_caption"))
units = {u.code: u for u in cache.units(url) if u.id in selection.unit_ids}
catalogue = {m.code: m for m in cache.metrics(url)}
sections = {m.section_code: m.section(lang) for m in catalogue.values()}

unit_col, section_col, metric_col, member_col = st.columns(4)
unit_codes = unit_col.multiselect(
    t("explore_units"),
    list(units),
    key="explore_units",
    placeholder=t("explore_all"),
    format_func=lambda code: units[code].name(lang),
)
section_codes = section_col.multiselect(
    t("explore_sections"),
    list(sections),
    key="explore_sections",
    placeholder=t("explore_all"),
    format_func=lambda code: sections[code],
)
metric_options = [c for c, m in catalogue.items() if not section_codes or m.section_code in section_codes]
metric_codes = metric_col.multiselect(
    t("explore_metrics"),
    metric_options,
    key="explore_metrics",
    placeholder=t("explore_all"),
    format_func=lambda code: catalogue[code].name(lang),
)
dimensions = {d for d in (catalogue[c].dimension for c in (metric_codes or metric_options)) if d}
member_options: dict[str, str] = {}
for dimension in sorted(dimensions):
    members = cache.members(url, dimension, selection.unit_ids)  # the chosen units' sites, not the nation's
    names = members["name_en" if lang == "en" else "name_vi"]
    member_options |= {code: name for code, name in zip(members["code"], names, strict=True) if code}
member_codes = member_col.multiselect(
    t("explore_members"),
    list(member_options),
    key="explore_members",
    placeholder=t("explore_all"),
    format_func=lambda code: member_options.get(code, code),
)

VIEWS: list[explore.View] = ["long", "pivot"]
kind = (
    st.segmented_control(
        t("explore_view"),
        VIEWS,
        default="long",
        key="explore_view",
        format_func=lambda k: t(f"explore_view_{k}"),
    )
    or "long"
)

long_frame = cache.observations_for_export(
    url, start, end, tuple(unit_codes or units), tuple(section_codes), tuple(metric_codes), tuple(member_codes), lang
)
shown = explore.view(long_frame, kind)
if shown.empty:
    st.info(t("explore_empty"))
    st.stop()

name = f"commstats-{kind}-{start:%Y-%m}-{end:%Y-%m}"
with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(
        t(
            "explore_rows",
            rows=format_count(len(shown), lang),
            start=month_label(start, lang),
            end=month_label(end, lang),
        )
    )
    if can_export:  # analysts and above (ui.auth); viewers see the table only
        table_downloads(shown, name, "explore", lang, primary=True)
labelled = explore.labelled(shown, lang)
counts = st.column_config.NumberColumn(format=grid_count_format(lang))  # 2.682.057, formatted by the browser
st.dataframe(
    labelled,
    hide_index=True,
    width="stretch",
    height=560,
    key="explore_table",
    column_config=dict.fromkeys(explore.count_columns(labelled, lang), counts),
)
