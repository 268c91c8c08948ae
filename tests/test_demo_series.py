"""Demo figures are stable per series: adding a metric to the catalogue moves no other demo figure, and
the unit merged away on 2025-07-01 has no figures from that month on (commstats.units says so)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from commstats import queries
from commstats.catalog import CATALOG_PATH, load_catalog
from commstats.units import reporting_ends
from etl.demo import (
    DEMO_UNIT,
    FIRST_MONTH,
    LAST_MONTH,
    MERGED_ON,
    MERGED_UNIT,
    demo_rows,
    merged_unit_rows,
    month_list,
)
from tests.importfiles import observations

NEW_METRIC = {
    "code": "hotline_calls",
    "section": "portal",
    "name_vi": "Cuộc gọi đến đường dây nóng",
    "name_en": "Calls to the hotline",
    "unit_vi": "cuộc gọi",
    "unit_en": "calls",
    "kind": "flow",
}


def catalogue_with_metric(tmp_path: Path) -> Path:
    """A copy of data/catalog.yaml with one metric more, listed first (ahead of every existing one)."""
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["metrics"].insert(0, NEW_METRIC)
    copy = tmp_path / "catalog.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def figures(catalog: Path) -> dict[tuple[str, str, str, dt.date], int]:
    rows = demo_rows(catalog) + merged_unit_rows(catalog)
    return {(r.unit_code, r.metric_code, r.member_code, r.period): r.value for r in rows}


def test_adding_a_metric_to_the_catalogue_moves_no_other_demo_figure(tmp_path):
    before, after = figures(CATALOG_PATH), figures(catalogue_with_metric(tmp_path))
    added = {key: value for key, value in after.items() if key not in before}
    assert {key: after[key] for key in before} == before  # every shared series identical, month by month
    assert {(unit, metric, member) for unit, metric, member, _ in added} == {
        (DEMO_UNIT, "hotline_calls", ""), (MERGED_UNIT, "hotline_calls", "")
    }  # fmt: skip
    assert sorted(month for *_, month in added) == month_list()  # the new metric has every month, once
    assert all(0 < value < 60 for value in added.values())  # the default level: a modest monthly flow


def test_a_catalogue_object_and_its_path_give_the_same_demo(tmp_path):
    path = catalogue_with_metric(tmp_path)
    assert demo_rows(load_catalog(path)) == demo_rows(path)


def test_the_merged_unit_has_no_figures_from_its_merger_on():
    rows = demo_rows()
    assert max(r.period for r in rows) == dt.date(2025, 6, 1)
    assert min(r.period for r in merged_unit_rows()) == MERGED_ON
    assert {r.unit_code for r in merged_unit_rows()} == {MERGED_UNIT}


def test_the_demo_database_agrees_with_the_merger_rules(demo_engine):
    units = queries.units(demo_engine)
    ends = reporting_ends(units)
    assert ends == {DEMO_UNIT: (MERGED_ON, MERGED_UNIT)}
    by_unit: dict[str, set[dt.date]] = {}
    for unit, _metric, period, *_ in observations(demo_engine):
        by_unit.setdefault(unit, set()).add(dt.date.fromisoformat(period))
    assert max(by_unit[DEMO_UNIT]) < MERGED_ON and min(by_unit[DEMO_UNIT]) == FIRST_MONTH
    assert (min(by_unit[MERGED_UNIT]), max(by_unit[MERGED_UNIT])) == (MERGED_ON, LAST_MONTH)


def test_the_combined_history_keeps_its_shape_across_the_merger(demo_engine):
    """The surviving unit carries the Trà Vinh series on: no cliff at the merger in the combined view."""
    ids = queries.unit_ids_with_predecessors(demo_engine, [MERGED_UNIT])
    frame = queries.monthly_totals(demo_engine, ids, ["sites_posts", "portal_posts"], FIRST_MONTH, LAST_MONTH)
    for metric in ("sites_posts", "portal_posts"):
        values = dict(zip(*(frame[frame["metric"] == metric][c] for c in ("period", "value")), strict=True))
        assert set(values) == set(month_list()), metric
        before = sum(values[m] for m in month_list() if dt.date(2025, 1, 1) <= m < MERGED_ON) / 6
        after = sum(values[m] for m in month_list() if MERGED_ON <= m < dt.date(2026, 1, 1)) / 6
        assert 0.8 < after / before < 1.6, (metric, before, after)
