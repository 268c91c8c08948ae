"""Trang tin thành phần: sites ranked by posts in the period, a site × month heatmap, the sites that need
attention (quiet for two months or more, or a sharp drop), and one chosen site's own history."""

import streamlit as st

from commstats import charts, sites
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import Period
from ui import cache
from ui.device import phone_view
from ui.downloads import can_export, exported_table
from ui.frame import month_label, open_page
from ui.markup import md

METRIC = "sites_posts"

frame = open_page("sites")
selection = frame.selection

lang, url, ids, start, end = selection.lang, selection.url, selection.unit_ids, *selection.months.chosen
posts = cache.monthly_totals(url, ids, (METRIC,), start, end, True)
if posts.empty:
    st.info(t("sites_no_data"))
    st.stop()

st.caption(t("sites_caption", start=month_label(start, lang), end=month_label(end, lang)))
ranked = sites.ranking(posts, lang)
flags = sites.flag_sites(posts, start, end, lang)
flagged = {f.site for f in flags if f.kind in ("silent", "drop")}
last = posts[posts["period"] == posts["period"].max()]

total, active, attention = st.columns(3)
total.metric(t("sites_total"), format_count(int(ranked["posts"].sum()), lang), border=True)
active.metric(
    t("sites_active", month=Period("month", end.year, end.month).name(lang)),
    f"{format_count(int((last['value'] > 0).sum()), lang)} / {format_count(last['member'].nunique(), lang)}",
    border=True,
)
attention.metric(t("sites_flagged"), format_count(len(flagged), lang), border=True)

st.subheader(t("sites_flags_title"))
st.caption(
    t(
        "sites_flags_rule",
        silent=sites.SILENT_MONTHS,
        share=format_percent(100 * (1 - sites.DROP_SHARE), lang),
        months=sites.BASELINE_MONTHS,
        min=sites.MIN_BASELINE,
    )
)
if flags:
    exported_table(
        {
            t("col_site"): [f.name for f in flags],
            t("col_flag"): [t(f"flag_{f.kind}") for f in flags],
            t("col_detail"): [f.describe(lang) for f in flags],
        },
        hide_index=True,
        width="stretch",
        key="sites_flags",
        downloads=can_export(frame.principal, ids),  # analysts and above (ui/downloads.py)
        file_name=f"commstats-sites-flags-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )
else:
    st.success(t("sites_no_flags"))

ranking_col, heatmap_col = st.columns([2, 3])
with ranking_col:
    st.subheader(t("sites_ranking"))
    cache.chart(charts.ranking_figure, ranked, lang, sorted(flagged), key="sites_ranking_chart")
with heatmap_col:
    st.subheader(t("sites_heatmap"))
    matrix = sites.heatmap_matrix(posts, list(ranked["member"]), lang)
    phone = phone_view("sites_phone")
    if phone and len(matrix.columns) > charts.PHONE_MONTHS:
        st.caption(t("sites_heatmap_phone", months=charts.PHONE_MONTHS))
    cache.chart(charts.heatmap_figure, matrix, lang, phone, key="sites_heatmap_chart")

st.subheader(t("sites_history"))
names = dict(zip(ranked["member"], ranked["name"], strict=True))
options = list(ranked["member"])
first_flagged = next((f.site for f in flags if f.kind in ("silent", "drop")), options[0])
site = st.selectbox(
    t("sites_pick"), options, index=options.index(first_flagged), key="sites_site", format_func=lambda code: names[code]
)
history = sites.site_series(posts, site, start, end)
site_total = int(history["value"].sum())
st.caption(
    t(
        "sites_history_caption",
        name=md(names[site]),
        total=format_count(site_total, lang),
        mean=format_decimal_number(site_total / max(1, len(history)), lang),
    )
)
cache.chart(charts.site_history_figure, history, names[site], lang, key="sites_history_chart")
