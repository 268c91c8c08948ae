"""The merger in the demo: vinhlong-demo absorbed travinh-demo on 2025-07-01; the seed figures survive."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.bootstrap import init_database
from etl.demo import MERGED_ON, MERGED_UNIT, SEED_FIGURES, SEED_MONTH, load_demo, merged_unit_rows


def test_travinh_is_recorded_as_merged_into_vinhlong(demo_engine):
    units = {u.code: u for u in queries.units(demo_engine)}
    assert units["travinh-demo"].merged_into_id == units[MERGED_UNIT].id
    assert units["travinh-demo"].merged_on == MERGED_ON == dt.date(2025, 7, 1)
    assert units[MERGED_UNIT].name_vi == "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)"
    assert units[MERGED_UNIT].is_demo
    combined = queries.unit_ids_with_predecessors(demo_engine, [MERGED_UNIT])
    assert sorted(combined) == sorted([units["travinh-demo"].id, units[MERGED_UNIT].id])


def test_the_seed_month_is_unchanged_alone_and_combined(demo_engine):
    codes = sorted({metric for metric, _ in SEED_FIGURES})
    for unit in ("travinh-demo", MERGED_UNIT):
        ids = queries.unit_ids_with_predecessors(demo_engine, [unit])
        values = queries.period_values(demo_engine, ids, codes, [SEED_MONTH], by_member=True)
        assert {key: values[key] for key in SEED_FIGURES} == SEED_FIGURES


def test_combined_history_is_the_sum_of_both_units(demo_engine):
    units = {u.code: u.id for u in queries.units(demo_engine)}
    for month in (dt.date(2025, 1, 1), dt.date(2026, 1, 1)):  # before the merger and after it
        alone = [queries.period_values(demo_engine, [units[c]], ["portal_posts"], [month]) for c in units]
        both = queries.period_values(demo_engine, queries.unit_ids_with_predecessors(demo_engine, [MERGED_UNIT]),
                                     ["portal_posts"], [month])  # fmt: skip
        assert both[("portal_posts", "")] == sum(v.get(("portal_posts", ""), 0) for v in alone) > 0
    span = queries.month_range(demo_engine, [units[MERGED_UNIT]])
    assert span == (MERGED_ON, dt.date(2026, 10, 1))


def test_the_corrected_value_left_a_revision_and_reloading_adds_nothing(demo_engine):
    revisions = queries.revisions(demo_engine)
    assert len(revisions) == 1
    row = revisions.iloc[0]
    assert (row["unit"], row["metric"], row["member"], row["period"]) == (
        MERGED_UNIT, "ioffice_documents", "incoming", dt.date(2026, 9, 1))  # fmt: skip
    assert row["old_value"] == 10 * row["new_value"]
    batches, count = len(queries.import_batches(demo_engine)), queries.observation_count(demo_engine)
    init_database(demo_engine)
    load_demo(demo_engine)
    assert len(queries.import_batches(demo_engine)) == batches
    assert queries.observation_count(demo_engine) == count
    assert len(queries.revisions(demo_engine)) == 1


def test_merged_rows_are_deterministic():
    assert merged_unit_rows() == merged_unit_rows()
    assert {r.period for r in merged_unit_rows()} >= {MERGED_ON, dt.date(2026, 10, 1)}
