"""Chất lượng dữ liệu: months a unit did not report, values far from their own history (median ± k·MAD,
explained on the page), and the import log with provenance and revisions."""

import streamlit as st

from commstats import quality
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_time
from commstats.periods import period_from_start
from ui import cache
from ui.auth import audit_section, can_audit
from ui.downloads import can_export, exported_table
from ui.figures import can_delete, delete_section
from ui.frame import Selection, month_label, open_page
from ui.labels import label_of


def _delete_when_empty(selection: Selection) -> None:
    if selection.unit_ids and can_delete(selection.unit_ids):  # every figure may be outside the plausible range
        delete_section(selection.unit_ids, only_when_outside=True)


frame = open_page("quality", on_empty=_delete_when_empty)
selection = frame.selection

lang, url, ids, start, end = selection.lang, selection.url, selection.unit_ids, *selection.months.chosen
st.caption(t("quality_caption", start=month_label(start, lang), end=month_label(end, lang)))
catalogue = {m.code: m for m in cache.metrics(url)}
units = {u.code: u.name(lang) for u in cache.units(url)}

differences, _covered = cache.grain_checks(url, ids, start, end)  # a quarter's figure against its months
k = st.session_state.get("quality_k", quality.K_DEFAULT)
checks = cache.quality_checks(url, ids, start, end, k)  # missing months (merged units owe none), outliers
gaps, unusual = checks.missing, checks.outliers
batches, revisions = cache.import_batches(url, ids), cache.revisions(url, ids)  # the chosen units' own
exports = can_export(frame.principal, ids)  # analysts and above download each table (ui/downloads.py)

for column, key, value in zip(
    st.columns(4),
    ("quality_missing_count", "quality_outliers_count", "quality_batches_count", "quality_revisions_count"),
    (len(gaps), len(unusual), len(batches), len(revisions)),
    strict=True,
):
    column.metric(t(key), format_count(value, lang), border=True)

st.subheader(t("quality_missing"))
st.caption(t("quality_missing_caption"))
if gaps.empty:
    st.success(t("quality_missing_none"))
else:
    exported_table(
        {
            t("col_unit"): [units.get(u, u) for u in gaps["unit"]],
            t("col_metric"): [catalogue[m].name(lang) for m in gaps["metric"]],
            t("col_expected"): gaps["expected"],
            t("col_reported"): gaps["reported"],
            t("col_missing"): gaps["missing"],
            t("col_missing_months"): [quality.compress_months(months) for months in gaps["missing_months"]],
        },
        hide_index=True,
        width="stretch",
        key="quality_missing_table",
        downloads=exports,
        file_name=f"commstats-quality-missing-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )

st.subheader(t("quality_outliers"))
st.markdown(t("quality_rule", window=quality.WINDOW, min_history=quality.MIN_HISTORY))
st.columns([1, 2])[0].select_slider(  # a slider's own format would print 3.5; babel writes 3,5
    t("quality_k"),
    [2 + i / 2 for i in range(13)],
    quality.K_DEFAULT,
    key="quality_k",
    help=t("quality_k_help"),
    format_func=lambda k: format_decimal_number(k, lang),
)
if unusual.empty:
    st.success(t("quality_outliers_none"))
else:
    exported_table(
        {
            t("col_unit"): [units.get(u, u) for u in unusual["unit"]],
            t("col_metric"): [catalogue[m].name(lang) for m in unusual["metric"]],
            t("col_month"): [month_label(m, lang) for m in unusual["period"]],
            t("col_value"): [format_count(int(v), lang) for v in unusual["value"]],
            t("col_median"): [format_decimal_number(v, lang) for v in unusual["median"]],
            t("col_band"): [
                f"{format_decimal_number(max(0, lo), lang)} – {format_decimal_number(hi, lang)}"
                for lo, hi in zip(unusual["low"], unusual["high"], strict=True)
            ],
            t("col_score"): [format_decimal_number(s, lang) for s in unusual["score"]],
        },
        hide_index=True,
        width="stretch",
        key="quality_outliers_table",
        numbers={
            t("col_value"): [int(v) for v in unusual["value"]],
            t("col_median"): list(unusual["median"]),
            t("col_score"): list(unusual["score"]),
        },
        downloads=exports,
        file_name=f"commstats-quality-outliers-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )

st.subheader(t("quality_grains"))
st.caption(t("quality_grains_caption"))
if not differences:
    st.success(t("quality_grains_none"))
else:
    exported_table(
        {
            t("col_unit"): [units.get(d.unit, d.unit) for d in differences],
            t("col_metric"): [
                catalogue[d.metric].name(lang) if d.metric in catalogue else d.metric for d in differences
            ],
            t("col_member"): [d.member for d in differences],
            t("period"): [period_from_start(d.grain, d.start).name(lang) for d in differences],
            t("col_stored"): [format_count(d.stored, lang) for d in differences],
            t("col_against"): [
                t("quality_against_months")
                if d.against == "month"
                else t("quality_against_cumulative", period=period_from_start(d.against, d.start).name(lang))
                for d in differences
            ],
            t("col_from_months"): [format_count(d.from_months, lang) for d in differences],
            t("col_difference"): [
                ("+" if d.difference > 0 else "") + format_count(d.difference, lang) for d in differences
            ],
        },
        hide_index=True,
        width="stretch",
        key="quality_grains_table",
        numbers={
            t("col_stored"): [d.stored for d in differences],
            t("col_from_months"): [d.from_months for d in differences],
            t("col_difference"): [d.difference for d in differences],
        },
        downloads=exports,
        file_name=f"commstats-quality-grains-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )

st.subheader(t("quality_batches"))
st.caption(t("quality_batches_caption"))
if not batches.empty:
    exported_table(
        {
            t("col_batch"): batches["id"],
            t("col_source_kind"): [label_of("source_kind", k) for k in batches["source_kind"]],
            t("col_source"): batches["source_name"],
            t("col_sha"): [s[:12] for s in batches["sha256"]],
            t("col_started"): [format_time(at) for at in batches["started_at"]],
            t("col_read"): batches["rows_read"],
            t("col_inserted"): batches["rows_inserted"],
            t("col_updated"): batches["rows_updated"],
            t("col_unchanged"): batches["rows_unchanged"],
            t("col_status"): [label_of("status", s) for s in batches["status"]],
            t("col_by"): batches["created_by"],
        },
        hide_index=True,
        width="stretch",
        key="quality_batches_table",
        downloads=exports,
        file_name=f"commstats-quality-batches-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )

st.subheader(t("quality_revisions"))
name_column = "member_en" if lang == "en" else "member_vi"  # names read with the revisions
if revisions.empty:
    st.info(t("quality_revisions_none"))
else:
    exported_table(
        {
            t("col_changed_at"): [format_time(at) for at in revisions["changed_at"]],
            t("col_batch"): revisions["batch_id"],
            t("col_unit"): [units.get(u, u) for u in revisions["unit"]],
            t("col_metric"): [catalogue[m].name(lang) if m in catalogue else m for m in revisions["metric"]],
            t("col_month"): [
                period_from_start(g, m).name(lang) for m, g in zip(revisions["period"], revisions["grain"], strict=True)
            ],
            t("col_member"): [
                name if m in catalogue and catalogue[m].dimension else c
                for m, c, name in zip(revisions["metric"], revisions["member"], revisions[name_column], strict=True)
            ],
            t("col_old"): [format_count(int(v), lang) for v in revisions["old_value"]],
            t("col_new"): [format_count(int(v), lang) for v in revisions["new_value"]],
            t("col_revision_kind"): [
                t("revision_" + quality.revision_kind(old, new))
                for old, new in zip(revisions["old_estimated"], revisions["new_estimated"], strict=True)
            ],
        },
        hide_index=True,
        width="stretch",
        key="quality_revisions_table",
        numbers={
            t("col_old"): [int(v) for v in revisions["old_value"]],
            t("col_new"): [int(v) for v in revisions["new_value"]],
        },
        downloads=exports,
        file_name=f"commstats-quality-revisions-{start:%Y-%m}-{end:%Y-%m}",
        lang=lang,
    )

if can_delete(selection.unit_ids):  # editors: a bad row (a 9999 date cell) is never permanent
    delete_section(selection.unit_ids)

if can_audit(selection.unit_ids):  # editors and above: who changed the figures of these units, and when
    audit_section(selection.unit_ids)
