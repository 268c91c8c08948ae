"""Các tỉnh: provinces side by side on one metric — ranked per 100,000 inhabitants (or on the value), against
the same period last year, with how many of the period's months each has figures for — on the map of 34
provinces (history of the old provinces carried across) or of 63 (until the 2025 merger)."""

import pandas as pd
import streamlit as st

from commstats import charts
from commstats.i18n import t
from commstats.narrative.choices import available_periods, period_containing
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import PeriodKind, parse_period
from commstats.provinces import MAPS, load_provinces
from ui import cache
from ui.auth import viewable
from ui.frame import open_page
from ui.markup import md

KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")

selection = open_page("provinces").selection
lang, url = selection.lang, selection.url
st.caption(t("provinces.caption"))
if not selection.schema_ready:
    st.info(t("provinces.no_units"))
    st.stop()
visible = {u.id for u in viewable(cache.units(url))}
ids = tuple(sorted(unit_id for unit_id, _code, _area in cache.placed_units(url) if unit_id in visible))
span = cache.month_range(url, ids) if ids else None
if span is None:
    st.info(t("provinces.no_units"))
    st.stop()

catalogue = {m.code: m for m in cache.metrics(url)}
map_col, kind_col, period_col = st.columns([3, 2, 2])
map_ = (
    map_col.segmented_control(
        t("provinces.map"), MAPS, default="34", key="provinces_map", format_func=lambda m: t("provinces.map_" + m)
    )
    or "34"
)
kind: PeriodKind = (
    kind_col.segmented_control(
        t("draft_kind"), KINDS, default="month", key="provinces_kind", format_func=lambda k: t("draft_kind_" + k)
    )
    or "month"
)
periods = available_periods(kind, *span)
keys = [p.key for p in periods]
default_key = period_containing(kind, span[1]).key
period_key = period_col.selectbox(
    t("draft_period"),
    keys,
    index=keys.index(default_key) if default_key in keys else 0,
    key="provinces_period_" + kind,
    format_func=lambda key: parse_period(key).name(lang),
)
metric_col, measure_col = st.columns([3, 2])
codes = list(catalogue)
metric = metric_col.selectbox(
    t("col_metric"),
    codes,
    index=codes.index("portal_posts") if "portal_posts" in codes else 0,
    key="provinces_metric",
    format_func=lambda c: f"{catalogue[c].section(lang)} — {catalogue[c].name(lang)}",
)
info = catalogue[metric]
is_ratio = info.kind == "ratio"
rate = not is_ratio and measure_col.toggle(t("provinces.per_100k"), value=True, key="provinces_rate")

result = cache.benchmark(url, map_, metric, period_key, lang, rate, ids)
period = parse_period(period_key)
if result.unavailable:
    effective = load_provinces().effective.strftime("%d/%m/%Y")
    st.warning(t("provinces.unavailable", period=period.name(lang), date=effective), icon=":material/map:")
table = result.table
ranked = table[table["rank"].notna()]
reporting = int((table["months_reported"] == table["months"]).sum())
first, second, third = st.columns(3)
first.metric(t("provinces.ranked"), f"{len(ranked)}/{len(table)}")
second.metric(t("provinces.complete"), f"{reporting}/{len(table)}")
national_total = ranked["value"].sum() if not is_ratio and len(ranked) else None
third.metric(
    t("provinces.total"),
    format_count(int(national_total), lang) if national_total is not None else "—",
    help=t("provinces.total_help"),
)

column = "per_100k" if rate else "value"
unit_word = info.unit_word(lang)
axis = t("provinces.axis_rate", unit=unit_word) if rate else (info.name(lang) if is_ratio else unit_word)
if len(ranked):
    st.plotly_chart(charts.province_ranking_figure(table, column, axis, lang), key="provinces_chart")
elif not result.unavailable:
    st.info(t("provinces.no_figures", period=period.name(lang)))


def _value(v: float | None) -> str:
    if v is None or pd.isna(v):
        return "—"
    if is_ratio:
        return format_percent(float(v), lang, 2)
    return format_count(int(v), lang)


def _change(diff: float | None, pct: float | None) -> str:
    if diff is None or pd.isna(diff):
        return "—"
    if is_ratio:
        return t("provinces.points", value=format_decimal_number(float(diff), lang, 2))
    sign = "+" if diff > 0 else ""
    text = sign + format_count(int(diff), lang) if diff >= 0 else "−" + format_count(int(-diff), lang)
    return text + ("" if pct is None or pd.isna(pct) else f" ({sign}{format_percent(float(pct), lang)})")


def _noted(text: str, marks: tuple[str, ...]) -> str:
    """A value with what it was read from when not complete monthly figures (coarse, estimated, derived)."""
    note = charts.basis_note(marks, lang)
    return text + " " + note if note and text != "—" else text


def _reported(status: str, done: int, of: int, marks: tuple[str, ...], coarser: str) -> str:
    if status == "coarser":  # a month (quarter) view never splits the quarter (year) the province reported
        held = parse_period(coarser).phrase(lang)
        return t("provinces.reported_coarser", kind=t("export_grain_" + kind), period=held)
    return _noted(t("provinces.reported_" + status, done=done, of=of), marks)


shown = pd.DataFrame(
    {
        t("provinces.col_rank"): [("" if pd.isna(r) else str(int(r))) for r in table["rank"]],
        t("provinces.col_province"): table["name"],
        t("provinces.col_region"): table["region"],
        t("provinces.col_value"): [_value(v) for v in table["value"]],
        t("provinces.col_rate"): [
            "—" if v is None or pd.isna(v) else format_decimal_number(float(v), lang, 1) for v in table["per_100k"]
        ],
        t("provinces.col_last_year"): [
            _noted(_value(v), marks) for v, marks in zip(table["last_year"], table["last_year_basis"], strict=True)
        ],
        t("provinces.col_change"): [_change(d, p) for d, p in zip(table["change"], table["change_pct"], strict=True)],
        t("provinces.col_reported"): [
            _reported(s, int(r), int(m), b, c)
            for s, r, m, b, c in zip(
                table["status"],
                table["months_reported"],
                table["months"],
                table["basis"],
                table["coarser"],
                strict=True,
            )
        ],
        t("provinces.col_population"): [
            "—" if p is None or pd.isna(p) else format_count(int(p), lang) for p in table["population"]
        ],
    }
)
st.dataframe(shown, hide_index=True, width="stretch", key="provinces_table")
if result.population_year is not None:
    note = "provinces.population_verified" if result.population_verified else "provinces.population_unverified"
    st.caption(md(t(note, year=result.population_year, source=result.population_source)))
st.caption(t("provinces.note_" + map_, date=load_provinces().effective.strftime("%d/%m/%Y")))
