"""The metric catalogue holds every metric of the seed report, and a new metric is a data change."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from commstats import queries
from commstats.catalog import CATALOG_PATH, Catalog, load_catalog, load_sites, sync_catalog
from commstats.db import session_scope
from etl.pipeline import import_content
from tests.importfiles import csv_text, observations

# code: (section, kind, dimension, a phrase of the Vietnamese name as DESIGN.md words it, Vietnamese unit word)
DESIGN_METRICS: dict[str, tuple[str, str, str | None, str, str]] = {
    "portal_posts": ("portal", "flow", "language", "tin, bài đăng", "tin, bài"),
    "portal_audio": ("portal", "flow", None, "bản tin audio (thu và phát)", "bản tin"),
    "portal_drafts": ("portal", "flow", None, "dự thảo lấy ý kiến nhân dân", "dự thảo"),
    "portal_procedure_decisions": ("portal", "flow", None, "quyết định công bố thủ tục hành chính", "quyết định"),
    "sites_count": ("sites", "stock", None, "trang tin thành phần", "trang"),
    "sites_independent": ("sites", "stock", None, "hoạt động riêng", "trang"),
    "sites_posts": ("sites", "flow", "site", "tin đăng", "tin"),
    "publishing_licences": ("publishing", "flow", None, "giấy phép xuất bản tài liệu không kinh doanh", "giấy phép"),
    "printing_declarations": ("publishing", "flow", None, "tờ khai đăng ký hoạt động in", "tờ khai"),
    # listed in DESIGN.md without numbers
    "propaganda_directives": ("propaganda", "flow", None, "công văn chỉ đạo, định hướng tuyên truyền", "công văn"),
    "leadership_meetings": ("management", "flow", None, "", ""),
    "game_certificates": ("games", "flow", None, "trò chơi điện tử công cộng", "giấy chứng nhận"),
    "igate_received": ("egov", "flow", None, "tiếp nhận", "hồ sơ"),
    "igate_on_time": ("egov", "flow", None, "đúng hạn", "hồ sơ"),
    "igate_late": ("egov", "flow", None, "trễ hạn", "hồ sơ"),
    "ioffice_documents": ("egov", "flow", "direction", "ioffice", "văn bản"),
}


def test_every_metric_of_the_design_is_in_the_catalogue():
    catalog = load_catalog()
    assert {m.code for m in catalog.metrics} >= set(DESIGN_METRICS)
    for code, (section, kind, dimension, phrase, unit_word) in DESIGN_METRICS.items():
        metric = catalog.metric(code)
        assert (metric.section, metric.kind, metric.dimension) == (section, kind, dimension), code
        assert phrase in metric.name_vi.casefold(), (code, metric.name_vi)
        assert metric.unit_vi.startswith(unit_word), (code, metric.unit_vi)
        assert metric.name_en and metric.unit_en and metric.name_en != metric.name_vi
    assert "họp" in catalog.metric("leadership_meetings").name_vi.casefold()
    assert [m.code for m in catalog.dimensions["language"].members] == ["vi", "km", "en"]
    assert [m.name_vi for m in catalog.dimensions["language"].members] == ["tiếng Việt", "tiếng Khmer", "tiếng Anh"]
    assert len(load_sites().sites) == 43


def test_the_database_catalogue_matches_the_file(empty_engine):
    catalog = load_catalog()
    stored = queries.metric_by_code(empty_engine)
    assert list(stored) == [m.code for m in catalog.metrics]  # in the file's order within sections
    sections = {s.code: s for s in catalog.sections}
    for spec in catalog.metrics:
        info = stored[spec.code]
        assert (info.name_vi, info.name_en, info.unit_vi, info.unit_en, info.kind, info.dimension) == (
            spec.name_vi,
            spec.name_en,
            spec.unit_vi,
            spec.unit_en,
            spec.kind,
            spec.dimension,
        )
        assert (info.section_vi, info.section_en) == (sections[spec.section].name_vi, sections[spec.section].name_en)
    assert set(queries.members(empty_engine, "site")["code"]) >= {s.code for s in load_sites().sites}


NEW_METRIC = {
    "code": "social_posts",
    "section": "propaganda",
    "name_vi": "Tin, bài đăng trên mạng xã hội",
    "name_en": "Posts on social networks",
    "unit_vi": "tin, bài",
    "unit_en": "posts",
    "kind": "flow",
    "dimension": "channel",
}
NEW_DIMENSION = {
    "name_vi": "Kênh",
    "name_en": "Channel",
    "members": [
        {"code": "zalo", "name_vi": "Zalo", "name_en": "Zalo"},
        {"code": "facebook", "name_vi": "Facebook", "name_en": "Facebook"},
    ],
}


def test_a_metric_added_to_the_yaml_appears_after_sync_with_no_code_change(empty_engine, tmp_path):
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    data["metrics"].append(NEW_METRIC)
    data["dimensions"]["channel"] = NEW_DIMENSION
    copy = tmp_path / "catalog.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with session_scope(empty_engine) as session:
        sync_catalog(session, load_catalog(copy))

    info = queries.metric_by_code(empty_engine)["social_posts"]
    assert (info.name_vi, info.unit_vi, info.kind, info.dimension) == (
        "Tin, bài đăng trên mạng xã hội",
        "tin, bài",
        "flow",
        "channel",
    )
    assert info.section("vi") == "Thông tin, tuyên truyền"
    rows = [("2019-07", "social_posts", "zalo", 12, ""), ("2019-07", "social_posts", "Facebook", 30, "")]
    assert import_content(empty_engine, csv_text(rows).encode(), "mxh.csv").ok
    assert {(o[1], o[3], o[4]) for o in observations(empty_engine)} == {
        ("social_posts", "zalo", 12),
        ("social_posts", "facebook", 30),
    }
    rejected = import_content(empty_engine, csv_text([("2019-08", "social_posts", "tiktok", 1, "")]).encode(), "x.csv")
    assert "Mã channel không hợp lệ; dùng facebook hoặc zalo." in rejected.summary()


def _broken(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["metrics"].append(dict(d["metrics"][0])), "listed twice"),
        (lambda d: d["metrics"].append(NEW_METRIC | {"section": "nowhere"}), "unknown section"),
        (lambda d: d["metrics"].append(NEW_METRIC), "unknown dimension"),
        (lambda d: d["metrics"].append(NEW_METRIC | {"dimension": None, "kind": "average"}), "kind"),
        (lambda d: d["metrics"].append(NEW_METRIC | {"dimension": None, "code": "Social Posts"}), "code"),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_reason(tmp_path, change, message):
    with pytest.raises(pydantic.ValidationError, match=message):
        Catalog.model_validate(yaml.safe_load(_broken(tmp_path, change).read_text(encoding="utf-8")))


def test_members_of_units_are_the_ones_they_reported(empty_engine):
    """The explore filter lists a unit's own component sites, not every site of a national database."""
    from commstats.bootstrap import add_unit

    other = add_unit(empty_engine, "other-unit", "Sở khác")
    catalogue = queries.metric_by_code(empty_engine)
    site_metric = next(code for code, info in catalogue.items() if info.dimension == "site")
    language_metric = next(code for code, info in catalogue.items() if info.dimension == "language")
    sites = [s.code for s in load_sites().sites]
    languages = list(queries.members(empty_engine, "language")["code"])
    rows = [
        ("test-unit", site_metric, "2024-01", sites[0], 3, ""),
        ("test-unit", site_metric, "2024-02", sites[1], 4, ""),
        ("other-unit", site_metric, "2024-01", sites[2], 5, ""),
        ("test-unit", language_metric, "2024-01", languages[-1], 6, ""),
    ]
    header = ("unit", "metric", "period", "member", "value", "note")
    import_content(empty_engine, csv_text(rows, header).encode(), "members.csv")
    units = queries.unit_ids_with_predecessors(empty_engine, ["test-unit"])
    assert set(queries.members(empty_engine, "site", units)["code"]) == {sites[0], sites[1]}
    assert set(queries.members(empty_engine, "site", [other.id])["code"]) == {sites[2]}
    assert list(queries.members(empty_engine, "language", units)["code"]) == [languages[-1]]
    assert len(queries.members(empty_engine, "site")) >= len(sites)  # without units: the whole dimension
