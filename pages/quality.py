"""Chất lượng dữ liệu: months a unit did not report, values far from their own history (median ± k·MAD,
explained on the page), and the import log with provenance and revisions."""

import streamlit as st

from commstats import quality
from commstats.numbers import format_count, format_decimal_number
from commstats.periods import add_months
from ui import cache
from ui.auth import audit_section, can_audit
from ui.frame import month_label, open_page
from ui.labels import label, label_of

selection = open_page("quality").selection

lang, url, ids, start, end = selection.lang, selection.url, selection.unit_ids, selection.start, selection.end
st.caption(label("quality_caption", start=month_label(start, lang), end=month_label(end, lang)))
catalogue = {m.code: m for m in cache.metrics(url)}
units = {u.code: u.name(lang) for u in cache.units(url)}
codes = tuple(catalogue)

history = cache.unit_monthly_totals(url, ids, codes, add_months(start, -quality.WINDOW), end)
in_range = history[history["period"] >= start]
missing = quality.missing_months(in_range, cache.first_months(url, ids), start, end)
gaps = missing[missing["missing"] > 0]
k = st.session_state.get("quality_k", quality.K_DEFAULT)
unusual = quality.outliers(history, start, end, k=k)
batches, revisions = cache.import_batches(url, ids), cache.revisions(url, ids)  # the chosen units' own

for column, key, value in zip(
    st.columns(4),
    ("quality_missing_count", "quality_outliers_count", "quality_batches_count", "quality_revisions_count"),
    (len(gaps), len(unusual), len(batches), len(revisions)),
    strict=True,
):
    column.metric(label(key), format_count(value, lang), border=True)

st.subheader(label("quality_missing"))
st.caption(label("quality_missing_caption"))
if gaps.empty:
    st.success(label("quality_missing_none"))
else:
    st.dataframe(
        {label("col_unit"): [units.get(u, u) for u in gaps["unit"]],
         label("col_metric"): [catalogue[m].name(lang) for m in gaps["metric"]],
         label("col_expected"): gaps["expected"], label("col_reported"): gaps["reported"],
         label("col_missing"): gaps["missing"],
         label("col_missing_months"): [quality.compress_months(months) for months in gaps["missing_months"]]},
        hide_index=True, width="stretch", key="quality_missing_table",
    )  # fmt: skip

st.subheader(label("quality_outliers"))
st.markdown(label("quality_rule", window=quality.WINDOW, min_history=quality.MIN_HISTORY))
st.columns([1, 2])[0].slider(
    label("quality_k"), 2.0, 8.0, quality.K_DEFAULT, 0.5, key="quality_k", help=label("quality_k_help"), format="%.1f"
)
if unusual.empty:
    st.success(label("quality_outliers_none"))
else:
    st.dataframe(
        {label("col_unit"): [units.get(u, u) for u in unusual["unit"]],
         label("col_metric"): [catalogue[m].name(lang) for m in unusual["metric"]],
         label("col_month"): [month_label(m, lang) for m in unusual["period"]],
         label("col_value"): [format_count(int(v), lang) for v in unusual["value"]],
         label("col_median"): [format_decimal_number(v, lang) for v in unusual["median"]],
         label("col_band"): [f"{format_decimal_number(max(0, lo), lang)} – {format_decimal_number(hi, lang)}"
                             for lo, hi in zip(unusual["low"], unusual["high"], strict=True)],
         label("col_score"): [format_decimal_number(s, lang) for s in unusual["score"]]},
        hide_index=True, width="stretch", key="quality_outliers_table",
    )  # fmt: skip

st.subheader(label("quality_batches"))
st.caption(label("quality_batches_caption"))
if not batches.empty:
    st.dataframe(
        {label("col_batch"): batches["id"],
         label("col_source_kind"): [label_of("source_kind", k) for k in batches["source_kind"]],
         label("col_source"): batches["source_name"], label("col_sha"): [s[:12] for s in batches["sha256"]],
         label("col_started"): [t.strftime("%d/%m/%Y %H:%M") for t in batches["started_at"]],
         label("col_read"): batches["rows_read"], label("col_inserted"): batches["rows_inserted"],
         label("col_updated"): batches["rows_updated"], label("col_unchanged"): batches["rows_unchanged"],
         label("col_status"): [label_of("status", s) for s in batches["status"]],
         label("col_by"): batches["created_by"]},
        hide_index=True, width="stretch", key="quality_batches_table",
    )  # fmt: skip

st.subheader(label("quality_revisions"))
name_column = "member_en" if lang == "en" else "member_vi"  # names read with the revisions
if revisions.empty:
    st.info(label("quality_revisions_none"))
else:
    st.dataframe(
        {label("col_changed_at"): [t.strftime("%d/%m/%Y %H:%M") for t in revisions["changed_at"]],
         label("col_batch"): revisions["batch_id"], label("col_unit"): [units.get(u, u) for u in revisions["unit"]],
         label("col_metric"): [catalogue[m].name(lang) if m in catalogue else m for m in revisions["metric"]],
         label("col_month"): [month_label(m, lang) for m in revisions["period"]],
         label("col_member"): [name if m in catalogue and catalogue[m].dimension else c
                               for m, c, name in zip(revisions["metric"], revisions["member"], revisions[name_column],
                                                     strict=True)],
         label("col_old"): [format_count(int(v), lang) for v in revisions["old_value"]],
         label("col_new"): [format_count(int(v), lang) for v in revisions["new_value"]]},
        hide_index=True, width="stretch", key="quality_revisions_table",
    )  # fmt: skip

if can_audit(selection.unit_ids):  # editors and above: who changed the figures of these units, and when
    audit_section(selection.unit_ids)
