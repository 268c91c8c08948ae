"""The demo department: deterministic, January 2017 to October 2026, every metric every month, the
seed report's July 2019 exactly, 43 component sites whose posts add up, and flagged as demo."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from commstats import queries
from commstats.bootstrap import init_database
from commstats.catalog import load_catalog, load_sites
from commstats.db import make_engine
from etl.demo import (
    DEMO_UNIT,
    FIRST_MONTH,
    LAST_MONTH,
    MERGED_MISSING,
    MERGED_ON,
    MERGED_UNIT,
    SEED_FIGURES,
    demo_rows,
    load_demo,
    month_list,
)
from tests.importfiles import observations

JULY_2019 = dt.date(2019, 7, 1)


def test_demo_rows_are_deterministic():
    assert demo_rows() == demo_rows()


def test_two_builds_give_identical_observations(demo_engine, blank_url):
    engine = make_engine(blank_url)
    init_database(engine)
    load_demo(engine)
    assert observations(engine) == observations(demo_engine)
    engine.dispose()


def test_the_demo_covers_2017_to_october_2026_with_every_metric_every_month(demo_engine):
    """Trà Vinh until its merger (2025-07-01), Vĩnh Long from then on: together every metric every month."""
    ids = queries.unit_ids_with_predecessors(demo_engine, [DEMO_UNIT])
    own = [u.id for u in queries.units(demo_engine) if u.code == DEMO_UNIT]
    combined = queries.unit_ids_with_predecessors(demo_engine, [MERGED_UNIT])
    assert queries.month_range(demo_engine, own) == (FIRST_MONTH, dt.date(2025, 6, 1))
    assert queries.month_range(demo_engine, combined) == (FIRST_MONTH, LAST_MONTH)
    assert (dt.date(2017, 1, 1), dt.date(2026, 10, 1)) == (FIRST_MONTH, LAST_MONTH)
    months = month_list()
    assert len(months) == 118
    present: dict[str, set[dt.date]] = defaultdict(set)
    for unit, metric, period, *_ in observations(demo_engine):
        month = dt.date.fromisoformat(period)
        assert (unit == DEMO_UNIT) == (month < MERGED_ON), (unit, metric, month)
        present[metric].add(month)
    (missing, _member), missing_months = MERGED_MISSING  # two months the surviving unit never sent
    for metric in load_catalog().metrics:
        if metric.kind == "ratio":  # computed from its parts, never stored
            assert not present[metric.code], metric.code
            continue
        expected = set(months) - (set(missing_months) if metric.code == missing else set())
        assert present[metric.code] == expected, metric.code
    assert ids == own  # nothing was merged into the demo unit itself


def test_july_2019_equals_the_seed_report(demo_engine):
    ids = [u.id for u in queries.units(demo_engine) if u.code == DEMO_UNIT]
    codes = sorted({metric for metric, _ in SEED_FIGURES} | {"sites_posts"})
    values = queries.period_values(demo_engine, ids, codes, [JULY_2019], by_member=True)
    totals = queries.period_values(demo_engine, ids, codes, [JULY_2019])
    assert {key: values[key] for key in SEED_FIGURES if key[1]} == {
        ("portal_posts", "vi"): 33, ("portal_posts", "km"): 23, ("portal_posts", "en"): 14,
    }  # fmt: skip
    assert {metric: totals[(metric, "")] for metric, member in SEED_FIGURES if not member} == {
        "portal_audio": 14, "portal_drafts": 5, "portal_procedure_decisions": 14, "sites_count": 43,
        "sites_independent": 3, "publishing_licences": 14, "printing_declarations": 2,
    }  # fmt: skip
    assert totals[("sites_posts", "")] == 488
    assert totals[("portal_posts", "")] == 70


def test_43_sites_whose_posts_sum_to_the_monthly_total_every_month(demo_engine):
    sites = {s.code for s in load_sites().sites}
    assert len(sites) == 43
    ids = queries.unit_ids_with_predecessors(demo_engine, [MERGED_UNIT])  # Vĩnh Long carries the sites on
    by_site = queries.monthly_totals(demo_engine, ids, ["sites_posts"], FIRST_MONTH, LAST_MONTH, by_member=True)
    total = queries.monthly_totals(demo_engine, ids, ["sites_posts"], FIRST_MONTH, LAST_MONTH)
    counts = queries.monthly_totals(demo_engine, ids, ["sites_count"], FIRST_MONTH, LAST_MONTH)
    summed = by_site.groupby("period")["value"].sum().to_dict()
    assert summed == dict(zip(total["period"], total["value"], strict=True))
    assert set(by_site["member"]) == sites  # every post is attributed to one of the 43 sites
    in_service = dict(zip(counts["period"], counts["value"], strict=True))
    reporting = by_site.groupby("period")["member"].nunique().to_dict()
    assert reporting == in_service  # each site in service reports every month (zero when quiet)
    assert all(in_service[month] == 43 for month in month_list() if month >= dt.date(2019, 3, 1))
    assert summed[JULY_2019] == 488


def test_demo_units_are_flagged(demo_engine):
    flagged = {u.code: u.is_demo for u in queries.units(demo_engine)}
    assert flagged[DEMO_UNIT] is True
    assert all(flagged.values())
