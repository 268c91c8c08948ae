"""The README's contributor path "add a metric with a breakdown", done with data files only: a copy of
data/catalog.yaml gains a dimension and a metric, the database is set up from it, a file of figures is
imported, and the figures show in the queries and in the draft (its "other figures" section)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from commstats import queries
from commstats.bootstrap import add_unit, init_database
from commstats.catalog import CATALOG_PATH
from commstats.db import make_engine
from commstats.narrative import draft_report
from commstats.periods import parse_period
from etl.pipeline import import_content
from tests.importfiles import csv_text

DIMENSION = {
    "name_vi": "Kênh",
    "name_en": "Channel",
    "members": [
        {"code": "zalo", "name_vi": "Zalo", "name_en": "Zalo"},
        {"code": "facebook", "name_vi": "Facebook", "name_en": "Facebook"},
    ],
}
METRIC = {
    "code": "social_posts",
    "section": "portal",
    "name_vi": "Tin, bài đăng trên mạng xã hội",
    "name_en": "Posts on social networks",
    "unit_vi": "tin, bài",
    "unit_en": "posts",
    "kind": "flow",
    "dimension": "channel",
}


def edited_catalogue(tmp_path: Path) -> Path:
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["dimensions"]["channel"] = DIMENSION
    data["metrics"].append(METRIC)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_metric_with_a_breakdown_added_to_the_catalogue_imports_and_drafts(blank_url, tmp_path):
    engine = make_engine(blank_url)
    init_database(engine, edited_catalogue(tmp_path))
    add_unit(engine, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm")
    rows = [("2019-07", "social_posts", "zalo", 12, ""), ("2019-07", "social_posts", "Facebook", 30, ""),
            ("2019-07", "portal_audio", "", 14, "")]  # fmt: skip
    report = import_content(engine, csv_text(rows).encode("utf-8"), "mang-xa-hoi.csv")
    assert report.ok, report.summary("en")

    metric = next(m for m in queries.metrics(engine) if m.code == "social_posts")
    assert (metric.kind, metric.dimension, metric.section_code) == ("flow", "channel", "portal")
    ids = [u.id for u in queries.units(engine)]
    july = dt.date(2019, 7, 1)
    by_member = queries.period_values(engine, ids, ["social_posts"], [july], by_member=True)
    assert {k: v for k, v in by_member.items() if k[1]} == {("social_posts", "zalo"): 12,
                                                            ("social_posts", "facebook"): 30}  # fmt: skip
    assert queries.period_values(engine, ids, ["social_posts"], [july])[("social_posts", "")] == 42

    draft = draft_report(engine, ["test-unit"], parse_period("2019-07"), "vi")
    others = {p.id: p.text for p in draft.paragraphs}["others"]
    assert "Tin, bài đăng trên mạng xã hội: 42 tin, bài" in others
    english = draft_report(engine, ["test-unit"], parse_period("2019-07"), "en")
    assert "Posts on social networks: 42 posts" in {p.id: p.text for p in english.paragraphs}["others"]
    engine.dispose()
