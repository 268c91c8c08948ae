"""Provinces side by side: the 63 → 34 mapping and the population as data, history carried across on the 34
map and not invented on the 63 map, rates per 100,000 and the change on last year, the national sums of flows,
levels and ratios, the national draft (core and CLI) and the benchmarking page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from commstats import charts, national
from commstats.bootstrap import add_unit
from commstats.cli import app
from commstats.db import session_scope
from commstats.models import Area, Population, Unit
from commstats.narrative import draft_report
from commstats.narrative.facts import collect
from commstats.narrative.output import to_text
from commstats.periods import parse_period
from commstats.provinces import PROVINCES_PATH, ProvinceMaps, area_code, load_population, load_provinces
from etl.load import load_rows
from etl.validate import CleanRow
from tests.apptest import run_page

UNCHANGED = {
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
}


def _formed(new_name: str) -> set[str]:
    maps = load_provinces()
    new = next(p for p in maps.new if p.name_vi == new_name)
    return {p.name_vi for p in maps.formed_from(new.code)}


# --- the mapping and the population, as data ---------------------------------------------------------------


def test_63_old_provinces_become_34_each_old_in_exactly_one_new() -> None:
    maps = load_provinces()
    assert len(maps.old) == 63 and len({p.code for p in maps.old}) == 63
    assert len(maps.new) == 34 and len({p.code for p in maps.new}) == 34
    assert maps.effective == dt.date(2025, 7, 1)
    assert sorted(len(maps.formed_from(p.code)) for p in maps.new) == [1] * 11 + [2] * 17 + [3] * 6
    assert sum(len(maps.formed_from(p.code)) for p in maps.new) == 63  # each old one in exactly one new one
    assert {next(p.name_vi for p in maps.new if p.code == c) for c in maps.unchanged()} == UNCHANGED


@pytest.mark.parametrize(
    ("new", "old"),
    [
        ("Vĩnh Long", {"Trà Vinh", "Vĩnh Long", "Bến Tre"}),
        ("Cần Thơ", {"Sóc Trăng", "Cần Thơ", "Hậu Giang"}),
        ("Thành phố Hồ Chí Minh", {"Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}),
        ("Ninh Bình", {"Ninh Bình", "Hà Nam", "Nam Định"}),
        ("Phú Thọ", {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"}),
        ("Lâm Đồng", {"Lâm Đồng", "Đắk Nông", "Bình Thuận"}),
        ("Bắc Ninh", {"Bắc Ninh", "Bắc Giang"}),
        ("Gia Lai", {"Gia Lai", "Bình Định"}),
        ("Quảng Ngãi", {"Quảng Ngãi", "Kon Tum"}),
        ("Tây Ninh", {"Tây Ninh", "Long An"}),
        ("An Giang", {"An Giang", "Kiên Giang"}),
        ("Đồng Tháp", {"Đồng Tháp", "Tiền Giang"}),
    ],
)
def test_the_published_mergers(new: str, old: set[str]) -> None:
    assert _formed(new) == old


def test_codes_regions_and_the_source_are_in_the_file() -> None:
    maps = load_provinces()
    codes = {p.name_vi: p.code for p in maps.new}
    # Quyết định 19/2025/QĐ-TTg: the code of the province holding the seat.
    assert (codes["Bắc Ninh"], codes["Gia Lai"], codes["Vĩnh Long"], codes["An Giang"]) == ("24", "52", "86", "91")
    sizes = {r.code: sum(1 for p in maps.old if p.region == r.code) for r in maps.regions}
    assert sizes == {"tdmnpb": 14, "dbsh": 11, "btb-dhmt": 14, "tn": 5, "dnb": 6, "dbscl": 13}
    assert sum(1 for p in maps.new if p.region == "dbscl") == 5
    text = PROVINCES_PATH.read_text(encoding="utf-8")
    assert "Nghị quyết số 202/2025/QH15" in text and "19/2025/QĐ-TTg" in text


def test_populations_sum_into_the_new_provinces() -> None:
    maps, table = load_provinces(), load_population()
    persons = table.persons(maps)
    assert len(table.thousands) == 63 and table.year == 2024 and table.source_vi
    for new in maps.new:
        olds = maps.formed_from(new.code)
        assert persons[area_code("34", new.code)] == sum(persons[area_code("63", o.code)] for o in olds)
    total_63 = sum(v for k, v in persons.items() if k.startswith("63-"))
    assert total_63 == sum(v for k, v in persons.items() if k.startswith("34-"))
    assert 100_000_000 < total_63 < 102_000_000  # about 101 million in 2024
    assert persons["34-86"] == persons["63-84"] + persons["63-86"] + persons["63-83"]


def test_a_wrong_mapping_file_is_refused_with_the_province_named(tmp_path: Path) -> None:
    data = yaml.safe_load(PROVINCES_PATH.read_text(encoding="utf-8"))
    data["old"][0]["into"] = "99"
    with pytest.raises(ValidationError, match="old 01: `into` '99' is not a new province"):
        ProvinceMaps.model_validate(data)
    data = yaml.safe_load(PROVINCES_PATH.read_text(encoding="utf-8"))
    data["old"] = [p for p in data["old"] if p["into"] != "96"]  # Bạc Liêu and Cà Mau left out
    with pytest.raises(ValidationError, match="formed from no old one"):
        ProvinceMaps.model_validate(data)


def test_init_loads_the_areas_and_the_population(empty_engine: Engine) -> None:
    with session_scope(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(Area)) == 1 + 6 + 34 + 63
        assert session.scalar(select(func.count()).select_from(Population)) == 34 + 63
        tra_vinh = session.get(Area, "63-84")
        assert tra_vinh is not None and tra_vinh.successor_code == "34-86" and tra_vinh.parent_code == "dbscl"
    info = national.population(empty_engine, 2026)  # the latest year up to 2026
    assert info.year == 2024 and info.values["34-86"] == load_population().persons(load_provinces())["34-86"]
    assert "Tổng cục Thống kê" in info.source and info.verified is False


# --- figures on the two maps ---------------------------------------------------------------------------------


def _figures(engine: Engine, rows: list[tuple[str, str, str, str, int]]) -> None:
    """(unit, metric, month, member, value) rows, loaded as one batch."""
    clean = [
        CleanRow(i, u, m, dt.date.fromisoformat(p + "-01"), member, v) for i, (u, m, p, member, v) in enumerate(rows)
    ]
    load_rows(engine, clean, source_kind="csv", source_name="test", sha256=f"test-{len(rows)}-{rows[0]}")


@pytest.fixture
def provinces_engine(empty_engine: Engine) -> Engine:
    """Trà Vinh's and Vĩnh Long's old departments (63-84, 63-86) until June 2025, the new Vĩnh Long department
    (34-86) from July 2025, Cần Thơ's old department (63-92) and new one (34-92)."""
    for code, area in (("tv", "63-84"), ("vl-cu", "63-86"), ("vl", "34-86"), ("ct-cu", "63-92"), ("ct", "34-92")):
        add_unit(empty_engine, code, code.upper(), area_code=area)
    _figures(
        empty_engine,
        [
            ("tv", "portal_posts", "2024-07", "vi", 10),
            ("vl-cu", "portal_posts", "2024-07", "vi", 5),
            ("vl", "portal_posts", "2025-07", "vi", 20),
            ("ct-cu", "portal_posts", "2024-07", "vi", 40),
            ("ct", "portal_posts", "2025-07", "vi", 30),
        ],
    )
    return empty_engine


def _row(result: national.Benchmark, code: str) -> dict[str, object]:
    return result.table.set_index("code").loc[code].to_dict()


def test_the_34_map_carries_the_old_provinces_history_across(provinces_engine: Engine) -> None:
    before = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2024-07"))
    assert _row(before, "34-86")["value"] == 15  # Trà Vinh 10 + Vĩnh Long 5, summed into the new Vĩnh Long
    after = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2025-07"))
    vinh_long = _row(after, "34-86")
    assert (vinh_long["value"], vinh_long["last_year"], vinh_long["change"]) == (20, 15, 5)
    assert vinh_long["change_pct"] == pytest.approx(100 * 5 / 15)
    assert not after.unavailable


def test_the_63_map_stops_at_the_merger_and_never_splits(provinces_engine: Engine) -> None:
    before = national.benchmark(provinces_engine, "63", "portal_posts", parse_period("2024-07"))
    assert (_row(before, "63-84")["value"], _row(before, "63-86")["value"]) == (10, 5)
    after = national.benchmark(provinces_engine, "63", "portal_posts", parse_period("2025-07"))
    assert after.unavailable
    assert after.table["value"].isna().all() and set(after.table["status"]) == {"unavailable"}
    year = national.benchmark(provinces_engine, "63", "portal_posts", parse_period("2025"))  # reaches July
    assert year.unavailable


def test_per_100k_rank_and_completeness(provinces_engine: Engine) -> None:
    people = load_population().persons(load_provinces())
    result = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2025-07"))
    vinh_long, can_tho = _row(result, "34-86"), _row(result, "34-92")
    assert vinh_long["per_100k"] == pytest.approx(20 * 100_000 / people["34-86"])
    assert can_tho["per_100k"] == pytest.approx(30 * 100_000 / people["34-92"])
    # Vĩnh Long has fewer posts but more per inhabitant? Ranks follow the rate, not the value.
    by_rate = sorted(["34-86", "34-92"], key=lambda c: -_row(result, c)["per_100k"])  # type: ignore[operator]
    assert [_row(result, c)["rank"] for c in by_rate] == [1, 2]
    assert list(result.table["code"][:2]) == by_rate
    by_value = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2025-07"), rate=False)
    assert list(by_value.table["code"][:2]) == ["34-92", "34-86"]
    assert (vinh_long["months_reported"], vinh_long["months"], vinh_long["status"]) == (1, 1, "ok")
    hanoi = _row(result, "34-01")
    assert hanoi["status"] == "missing" and hanoi["months_reported"] == 0 and pd.isna(hanoi["rank"])
    quarter = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2025-Q3"))
    assert _row(quarter, "34-86")["months_reported"] == 1 and _row(quarter, "34-86")["months"] == 3


@pytest.fixture
def coarse_engine(provinces_engine: Engine) -> Engine:
    """Besides provinces_engine: Hà Nội (34-01) reported only quarters — Q3 2024 and an estimated Q3 2025 —, Lai
    Châu (34-12) only cumulative figures for 2025 (6 and 9 months: its third quarter is their difference)."""
    add_unit(provinces_engine, "hn", "Sở KH&CN Hà Nội", area_code="34-01")
    add_unit(provinces_engine, "lc", "Sở KH&CN Lai Châu", area_code="34-12")
    rows = [
        ("hn", "2024-07", "quarter", 30, False),
        ("hn", "2025-07", "quarter", 60, True),
        ("lc", "2025-01", "half", 100, False),
        ("lc", "2025-01", "nine_months", 160, False),
    ]
    clean = [
        CleanRow(i, u, "portal_posts", dt.date.fromisoformat(p + "-01"), "vi", v, grain=g, estimated=e)
        for i, (u, p, g, v, e) in enumerate(rows)
    ]
    load_rows(provinces_engine, clean, source_kind="csv", source_name="coarse", sha256="test-coarse")
    return provinces_engine


def test_a_quarter_only_province_is_ranked_on_its_quarter_flagged(coarse_engine: Engine) -> None:
    people = load_population().persons(load_provinces())
    quarter = national.benchmark(coarse_engine, "34", "portal_posts", parse_period("2025-Q3"))
    hanoi = _row(quarter, "34-01")
    assert (hanoi["value"], hanoi["last_year"], hanoi["change"], hanoi["change_pct"]) == (60, 30, 30, 100.0)
    assert hanoi["per_100k"] == pytest.approx(60 * 100_000 / people["34-01"])
    assert (hanoi["status"], hanoi["months_reported"], hanoi["months"]) == ("ok", 3, 3)  # counts as reported
    assert hanoi["basis"] == ("quarter", "estimated") and hanoi["last_year_basis"] == ("quarter",)
    lai_chau = _row(quarter, "34-12")  # 9 months − first half
    assert (lai_chau["value"], lai_chau["basis"], lai_chau["months_reported"]) == (60, ("nine_months_half",), 3)
    vinh_long = _row(quarter, "34-86")  # July only, from its monthly figure: partial, unmarked
    assert (vinh_long["value"], vinh_long["basis"], vinh_long["months_reported"]) == (20, (), 1)
    ranked = quarter.table.dropna(subset=["rank"])
    assert set(ranked["code"]) == {"34-01", "34-12", "34-86", "34-92"}
    assert list(ranked["per_100k"]) == sorted(ranked["per_100k"], reverse=True)
    figure = charts.province_ranking_figure(quarter.table, "per_100k", "tin, bài / 100.000 dân", "vi")
    hover = dict(zip(figure.data[0].y, figure.data[0].customdata, strict=True))
    hanoi_hover = next(v for k, v in hover.items() if "Hà Nội" in k)
    assert hanoi_hover[1] == "(số liệu quý, không có số liệu tháng) (ước thực hiện)"
    assert next(v for k, v in hover.items() if "Lai Châu" in k)[1] == "(tính từ số 9 tháng trừ số 6 tháng)"
    assert next(v for k, v in hover.items() if "Vĩnh Long" in k)[1] == ""


def test_a_month_view_never_splits_the_quarter(coarse_engine: Engine) -> None:
    month = national.benchmark(coarse_engine, "34", "portal_posts", parse_period("2025-07"))
    hanoi = _row(month, "34-01")
    assert hanoi["status"] == "coarser" and hanoi["coarser"] == "2025-Q3"
    assert pd.isna(hanoi["value"]) and pd.isna(hanoi["rank"]) and hanoi["months_reported"] == 0
    assert pd.isna(hanoi["last_year"])  # nor last year's quarter: July 2024 alone is not known
    assert (_row(month, "34-12")["status"], _row(month, "34-12")["coarser"]) == ("coarser", "2025-9M")
    assert set(month.table.dropna(subset=["rank"])["code"]) == {"34-86", "34-92"}
    year = national.benchmark(coarse_engine, "34", "portal_posts", parse_period("2025"))
    assert _row(year, "34-01")["status"] == "ok" and _row(year, "34-01")["value"] == 60  # Q3 only: 3 of 12


def test_change_on_last_year_helpers() -> None:
    assert national.change(120, 100, "flow") == (20, 20.0)
    assert national.change(95.5, 90.0, "ratio") == (5.5, None)  # a share moves by points
    assert national.change(5, 0, "flow") == (5, None)  # no percent of nothing
    assert national.change(None, 3, "flow") == (None, None)
    assert national.per_100k(50, 1_000_000) == 5.0 and national.per_100k(50, None) is None


# --- national sums: flows, levels, ratios --------------------------------------------------------------------


@pytest.fixture
def nation_engine(empty_engine: Engine) -> Engine:
    """Two provinces in Q3 2026: Cần Thơ reports every month, Lai Châu has not sent September yet."""
    add_unit(empty_engine, "ct", "Sở KH&CN Cần Thơ", area_code="34-92")
    add_unit(empty_engine, "lc", "Sở KH&CN Lai Châu", area_code="34-12")
    rows = []
    for month, (ct_sites, lc_sites) in {"2026-07": (100, 50), "2026-08": (101, 52), "2026-09": (103, None)}.items():
        rows += [
            ("ct", "portal_posts", month, "vi", 10),
            ("ct", "sites_count", month, "", ct_sites),
            ("ct", "igate_on_time", month, "", 90),
            ("ct", "igate_late", month, "", 10),
        ]
        if lc_sites is not None:
            rows += [
                ("lc", "portal_posts", month, "vi", 4),
                ("lc", "sites_count", month, "", lc_sites),
                ("lc", "igate_on_time", month, "", 1),
                ("lc", "igate_late", month, "", 9),
            ]
    _figures(empty_engine, rows)
    return empty_engine


def test_national_sums_flows_takes_levels_at_each_provinces_end_and_recomputes_ratios(nation_engine: Engine) -> None:
    scope = national.scope(nation_engine, "vn")
    ids = {u.code: u.id for u in _units(nation_engine)}
    groups = [[ids[c] for c in group] for group in scope.groups]
    months = parse_period("2026-Q3").months
    values = national.grouped_period_values(nation_engine, groups, ["portal_posts", "sites_count"], months)
    assert values[("portal_posts", "vi")] == 3 * 10 + 2 * 4  # flows summed over months and provinces
    assert values[("sites_count", "")] == 103 + 52  # each province's level at its last month, then summed
    ct, basis = national.fold([("igate_on_time", "flow", "month", m, "", 90, False) for m in months], months, {})
    assert ct == {"igate_on_time": 270.0} and basis["igate_on_time"].marks() == ()
    figures = collect(nation_engine, list(ids.values()), parse_period("2026-Q3"), groups=tuple(map(tuple, groups)))
    # (270 + 2) on time over (270 + 30 + 2 + 18) settled: 85%, not the mean of Cần Thơ's 90% and Lai Châu's 10%
    assert figures.current[("igate_on_time_rate", None)] == pytest.approx(100 * 272 / 320)
    assert figures.current[("sites_count", None)] == 155


def _units(engine: Engine) -> list[Unit]:
    with session_scope(engine) as session:
        units = list(session.scalars(select(Unit)))
        session.expunge_all()
        return units


def test_the_national_draft_says_the_sums(nation_engine: Engine) -> None:
    scope = national.scope(nation_engine, "vn")
    assert scope.name("vi") == "Toàn quốc" and {frozenset(g) for g in scope.groups} == {
        frozenset({"ct"}),
        frozenset({"lc"}),
    }
    draft = draft_report(nation_engine, scope.unit_codes, parse_period("2026-Q3"), "vi", scope=scope)
    text = to_text(draft)
    assert draft.unit_line == "Toàn quốc"
    assert "Đăng 38 tin, bài tiếng Việt" in text
    assert "155 Trang tin thành phần" in text  # 103 + 52, not the 103 reported for September alone
    region = national.scope(nation_engine, "dbscl")  # Cần Thơ only
    regional = to_text(draft_report(nation_engine, region.unit_codes, parse_period("2026-Q3"), "vi", scope=region))
    assert "Đồng bằng sông Cửu Long" in regional and "Đăng 30 tin, bài tiếng Việt" in regional
    with pytest.raises(ValueError):
        national.scope(nation_engine, "khong-co")


def test_draft_cli_scope(nation_engine: Engine, empty_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["draft", "--period", "2026-Q3", "--scope", "vn", "--db", empty_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Toàn quốc") and "155 Trang tin thành phần" in result.output
    result = runner.invoke(app, ["draft", "--period", "2026-Q3", "--scope", "34-01", "--db", empty_url])
    assert result.exit_code == 2 and "Chưa có đơn vị nào thuộc Hà Nội" in result.output
    result = runner.invoke(app, ["draft", "--period", "2026-Q3", "--scope", "zz", "--db", empty_url])
    assert result.exit_code == 2 and "Không có phạm vi “zz”" in result.output


def test_units_add_places_a_unit_and_refuses_an_unknown_province(empty_url: str, empty_engine: Engine) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["units", "add", "so-tv", "Sở TT&TT Trà Vinh", "--province", "63-84", "--db", empty_url])
    assert ok.exit_code == 0, ok.output
    assert national.placed_units(empty_engine) == [(national.placed_units(empty_engine)[0][0], "so-tv", "63-84")]
    bad = runner.invoke(app, ["units", "add", "so-x", "Sở X", "--province", "84", "--db", empty_url])
    assert bad.exit_code == 2 and "Không có tỉnh “84”" in bad.output
    assert [c for _i, c, _a in national.placed_units(empty_engine)] == ["so-tv"]


# --- the page ------------------------------------------------------------------------------------------------


def test_page_ranks_the_provinces(provinces_engine: Engine, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app_test = run_page(empty_url, monkeypatch, "pages/provinces.py", provinces_period_month="2025-07")
    assert not app_test.exception, [e.value for e in app_test.exception]
    table = app_test.dataframe[0].value
    expected = national.benchmark(provinces_engine, "34", "portal_posts", parse_period("2025-07")).table
    assert list(table["Tỉnh, thành phố"][:2]) == list(expected["name"][:2])
    assert list(table["Hạng"][:3]) == ["1", "2", ""]
    assert table["Số liệu của kỳ"][0] == "1/1 tháng"
    assert "Hà Nội" in list(table["Tỉnh, thành phố"]) and len(table) == 34
    assert any("chưa được đối chiếu" in c.value for c in app_test.caption)

    app_test.segmented_control(key="provinces_map").set_value("63").run()  # July 2025 on the map of 63
    assert not app_test.exception
    assert any("Bản đồ 63 tỉnh không có số liệu tháng 7/2025" in w.value for w in app_test.warning)
    assert len(app_test.dataframe[0].value) == 63


def test_page_shows_quarter_figures_and_never_splits_them(
    coarse_engine: Engine, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = {"provinces_kind": "quarter", "provinces_period_quarter": "2025-Q3"}
    app_test = run_page(empty_url, monkeypatch, "pages/provinces.py", **state)
    assert not app_test.exception, [e.value for e in app_test.exception]
    table = app_test.dataframe[0].value.set_index("Tỉnh, thành phố")
    assert table.loc["Hà Nội", "Số liệu của kỳ"] == "3/3 tháng (số liệu quý, không có số liệu tháng) (ước thực hiện)"
    assert table.loc["Hà Nội", "Cùng kỳ năm trước"] == "30 (số liệu quý, không có số liệu tháng)"
    assert table.loc["Hà Nội", "Hạng"] != "" and table.loc["Lai Châu", "Hạng"] != ""
    assert table.loc["Lai Châu", "Số liệu của kỳ"] == "3/3 tháng (tính từ số 9 tháng trừ số 6 tháng)"
    month = run_page(empty_url, monkeypatch, "pages/provinces.py", provinces_period_month="2025-07")
    assert not month.exception, [e.value for e in month.exception]
    table = month.dataframe[0].value.set_index("Tỉnh, thành phố")
    assert table.loc["Hà Nội", "Số liệu của kỳ"] == "chưa có số liệu tháng (có số liệu quý III/2025)"
    assert table.loc["Hà Nội", "Hạng"] == "" and table.loc["Hà Nội", "Giá trị"] == "—"
    english = run_page(empty_url, monkeypatch, "pages/provinces.py", lang="en", provinces_period_month="2025-07")
    table = english.dataframe[0].value.set_index("Province or city")
    assert table.loc["Ha Noi", "Figures for the period"] == "no month figure (has a figure for Q3 2025)"


def test_page_without_placed_units_says_how(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app_test = run_page(empty_url, monkeypatch, "pages/provinces.py", lang="en")
    assert not app_test.exception
    assert any("--province 34-86" in i.value for i in app_test.info)


def test_draft_page_offers_the_national_scope(
    nation_engine: Engine, empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = {"draft_kind": "quarter", "draft_period_quarter": "2026-Q3", "draft_scope": "vn"}
    app_test = run_page(empty_url, monkeypatch, "pages/draft.py", **state)
    assert not app_test.exception, [e.value for e in app_test.exception]
    scope_box = next(s for s in app_test.selectbox if s.label == "Phạm vi")
    assert scope_box.options[:2] == ["Các đơn vị đã chọn (thanh bên)", "Toàn quốc"]
    texts = [c.value for c in app_test.code]
    assert any("155 Trang tin thành phần" in text for text in texts), texts
    assert any(c.value == "Toàn quốc" for c in app_test.caption)


def test_a_scope_keeps_to_the_units_a_person_may_view(nation_engine: Engine) -> None:
    ids = {u.code: u.id for u in _units(nation_engine)}
    assert national.scope(nation_engine, "vn", [ids["ct"]]).groups == (("ct",),)
    assert national.scope(nation_engine, "tdmnpb", [ids["ct"]]).groups == ()  # Lai Châu's unit is not viewable
    narrowed = national.benchmark(nation_engine, "34", "portal_posts", parse_period("2026-07"), unit_ids=[ids["ct"]])
    assert _row(narrowed, "34-12")["status"] == "missing" and _row(narrowed, "34-92")["value"] == 10
