"""The one rule of commstats.grains everywhere: national and regional drafts read each province at the grain it
reported (a quarter's figure where its months are missing, said per province), and flows derived by subtracting
cumulative figures (Q3 = 9 months − first half …) in drafts, charts and the quality page (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import Engine

from commstats import charts, grains, national, queries, series
from commstats.bootstrap import add_unit
from commstats.catalog import load_catalog
from commstats.narrative import draft_report
from commstats.narrative.facts import collect
from commstats.periods import Period, parse_period
from etl.load import load_rows
from etl.validate import CleanRow
from tests.apptest import run_page

D = dt.date
KINDS = {m.code: m.kind for m in load_catalog().metrics}
Q3 = Period("quarter", 2020, 3).months


def _row(metric: str, grain: str, start: dt.date, value: int, estimated: bool = False, member: str = "") -> grains.Row:
    return (metric, KINDS[metric], grain, start, member, value, estimated)


def _load(engine: Engine, rows: list[tuple]) -> None:
    """(unit, metric, first day, member, value, grain, estimated) rows, loaded as one batch."""
    clean = [CleanRow(i + 2, u, m, p, b, v, "", g, e) for i, (u, m, p, b, v, g, e) in enumerate(rows)]
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()
    load_rows(engine, clean, source_kind="csv", source_name="test", sha256=digest)


# --- subtraction, on hand-made rows ------------------------------------------------------------------------------


def test_cumulative_figures_give_the_rest_of_the_period_by_subtraction():
    nine, half = _row("portal_audio", "nine_months", D(2020, 1, 1), 90), _row("portal_audio", "half", D(2020, 1, 1), 60)
    year, q1 = _row("portal_audio", "year", D(2020, 1, 1), 130), _row("portal_audio", "quarter", D(2020, 1, 1), 25)
    cases = [
        ([nine, half], Q3, 30, ("nine_months", "half")),
        ([year, half], Period("half", 2020, 2).months, 70, ("year", "half")),
        ([year, nine], Period("quarter", 2020, 4).months, 40, ("year", "nine_months")),
        ([half, q1], Period("quarter", 2020, 2).months, 35, ("half", "quarter")),
    ]
    for rows, months, value, how in cases:
        folded = grains.fold(rows, months)[("portal_audio", "")]
        assert (folded.value, folded.basis.derived, folded.basis.coarse) == (value, (how,), ())
        assert set(folded.basis.pieces) == {(r[2], r[3]) for r in rows}  # the stored figures it was read from
        assert folded.basis.covered == len(months)
    # The smaller figure may come from complete months: 9 months − (January … June).
    months = [_row("portal_audio", "month", D(2020, m, 1), 10) for m in range(1, 7)]
    assert grains.fold([nine, *months], Q3)[("portal_audio", "")].value == 90 - 60
    # An estimate in either part makes the difference an estimate.
    estimated_half = _row("portal_audio", "half", D(2020, 1, 1), 60, estimated=True)
    assert grains.fold([nine, estimated_half], Q3)[("portal_audio", "")].basis.estimated
    assert not grains.fold([nine, half], Q3)[("portal_audio", "")].basis.estimated


def test_a_subtraction_is_the_last_resort_and_never_for_levels_or_negative():
    nine, half = _row("portal_audio", "nine_months", D(2020, 1, 1), 90), _row("portal_audio", "half", D(2020, 1, 1), 60)
    direct = _row("portal_audio", "quarter", D(2020, 7, 1), 33)
    read = grains.fold([nine, half, direct], Q3)[("portal_audio", "")]
    assert (read.value, read.basis.derived) == (33, ())  # the quarter's own figure
    july_to_september = [_row("portal_audio", "month", m, 10 + m.month) for m in Q3]
    read = grains.fold([nine, half, *july_to_september], Q3)[("portal_audio", "")]
    assert (read.value, read.basis.derived) == (17 + 18 + 19, ())  # complete months
    july_august = july_to_september[:2]
    read = grains.fold([nine, half, *july_august], Q3)[("portal_audio", "")]
    assert (read.value, read.basis.derived) == (30, (("nine_months", "half"),))  # more months than July-August
    # The whole 9 months are read from the 9 months' figure, not from the first half plus a difference.
    read = grains.fold([nine, half], Period("nine_months", 2020, 1).months)[("portal_audio", "")]
    assert (read.value, read.basis.derived, read.basis.coarse) == (90, (), ("nine_months",))
    # A level is its value at the period's end (the 9 months' figure is September's level): never a difference.
    levels = [_row("sites_count", "nine_months", D(2020, 1, 1), 43), _row("sites_count", "half", D(2020, 1, 1), 41)]
    read = grains.fold(levels, Q3)[("sites_count", "")]
    assert (read.value, read.basis.derived, read.basis.coarse) == (43, (), ("nine_months",))
    # A 9 months' total below the first half's gives no figure (for any member: members must add up).
    members = [
        _row("portal_posts", "nine_months", D(2020, 1, 1), 90, member="vi"),
        _row("portal_posts", "half", D(2020, 1, 1), 60, member="vi"),
        _row("portal_posts", "nine_months", D(2020, 1, 1), 20, member="km"),
        _row("portal_posts", "half", D(2020, 1, 1), 25, member="km"),
    ]
    assert grains.fold(members, Q3) == {}
    stored = [("u", m, k, g, s, b, v) for m, k, g, s, b, v, _e in members]
    assert grains.negative_derivations(stored) == [
        grains.Difference("u", "portal_posts", "km", "nine_months", D(2020, 1, 1), 20, 25, "half")
    ]


# --- in the database: drafts, charts, the quality page ----------------------------------------------------------


def test_a_derived_quarter_in_the_draft_the_chart_and_its_sources(empty_engine):
    _load(
        empty_engine,
        [
            ("test-unit", "portal_audio", D(2020, 1, 1), "", 60, "half", False),
            ("test-unit", "portal_audio", D(2020, 1, 1), "", 95, "nine_months", True),
        ],
    )
    ids = [u.id for u in queries.units(empty_engine)]
    figures = collect(empty_engine, ids, parse_period("2020-Q3"))
    assert figures.current[("portal_audio", None)] == 35
    draft = draft_report(empty_engine, ["test-unit"], parse_period("2020-Q3"))
    text = " ".join(p.text for p in draft.paragraphs)
    assert "Thu và phát 35 bản tin audio (ước thực hiện)." in text
    assert (
        "Số liệu quý III tính từ số 9 tháng trừ số 6 tháng (không có số liệu quý, số liệu tháng): "
        "Bản tin audio (thu và phát)." in draft.notes
    )
    assert not any(n.startswith("Số liệu quý, không có") for n in draft.notes)  # no stored quarter was read
    sources = draft.figures[draft.figures["role"] == "current"]
    assert sorted(zip(sources["period"], sources["value"], strict=True)) == [("2020-9M", 95), ("2020-H1", 60)]
    english = draft_report(empty_engine, ["test-unit"], parse_period("2020-Q3"), "en")
    assert any(n.startswith("Third quarter derived: 9 months minus first half") for n in english.notes)

    stored = queries.figure_totals(empty_engine, ids, ["portal_audio"], D(2020, 1, 1), D(2020, 12, 1))
    quarters = series.aggregate(stored, KINDS, "quarter")
    assert quarters[["period_key", "value", "derived"]].values.tolist() == [["2020-Q3", 35, "nine_months_half"]]
    figure = charts.trend_figure(quarters, queries.metric_by_code(empty_engine), "quarter", lang="vi")
    line = figure.data[0]
    assert "(tính từ số 9 tháng trừ số 6 tháng)" in line.customdata[0][0]
    assert list(line.marker.symbol) == ["diamond-open"]  # an estimate is in it (the 9 months' figure)
    english_chart = charts.trend_figure(quarters, queries.metric_by_code(empty_engine), "quarter", lang="en")
    assert "(derived: 9 months minus first half)" in english_chart.data[0].customdata[0][0]


def test_a_negative_difference_is_listed_on_the_quality_page_not_drafted(empty_engine, empty_url, monkeypatch):
    _load(
        empty_engine,
        [
            ("test-unit", "portal_audio", D(2020, 1, 1), "", 60, "half", False),
            ("test-unit", "portal_audio", D(2020, 1, 1), "", 50, "nine_months", False),
        ],
    )
    ids = [u.id for u in queries.units(empty_engine)]
    assert ("portal_audio", None) not in collect(empty_engine, ids, parse_period("2020-Q3")).current
    found = grains.grain_differences(queries.grain_rows(empty_engine, ids, D(2020, 1, 1), D(2020, 12, 1)))
    assert [(d.metric, d.grain, d.stored, d.from_months, d.against, d.difference) for d in found] == [
        ("portal_audio", "nine_months", 50, 60, "half", -10)
    ]
    app = run_page(empty_url, monkeypatch, "pages/quality.py")
    assert not app.exception
    table = next(f.value for f in app.dataframe if "Chênh lệch" in f.value.columns)
    assert table.to_dict("records") == [
        {
            "Đơn vị": "Sở Thông tin và Truyền thông thử nghiệm",
            "Chỉ tiêu": "Bản tin audio (thu và phát)",
            "Thành phần": "",
            "Kỳ": "9 tháng đầu năm 2020",
            "So với": "Số 6 tháng đầu năm 2020 (số lũy kế trước lớn hơn: không tính được số liệu của phần còn lại)",
            "Số liệu của kỳ": "50",
            "Số so sánh": "60",
            "Chênh lệch": "-10",
        }
    ]


# --- national and regional drafts ----------------------------------------------------------------------------------


@pytest.fixture
def provinces(empty_engine: Engine) -> Engine:
    """Cần Thơ reports every month of Q3 2026; Lai Châu sent only its quarterly report, with an estimate."""
    add_unit(empty_engine, "ct", "Sở Cần Thơ", area_code="34-92")
    add_unit(empty_engine, "lc", "Sở Lai Châu", area_code="34-12")
    rows: list[tuple] = []
    for month in Period("quarter", 2026, 3).months:
        rows += [
            ("ct", "portal_posts", month, "vi", 10, "month", False),
            ("ct", "sites_count", month, "", 100 + month.month, "month", False),
            ("ct", "igate_on_time", month, "", 90, "month", False),
            ("ct", "igate_late", month, "", 10, "month", False),
        ]
    quarter = D(2026, 7, 1)
    rows += [
        ("lc", "portal_posts", quarter, "vi", 12, "quarter", True),
        ("lc", "sites_count", quarter, "", 52, "quarter", False),
        ("lc", "igate_on_time", quarter, "", 3, "quarter", False),
        ("lc", "igate_late", quarter, "", 27, "quarter", False),
    ]
    _load(empty_engine, rows)
    return empty_engine


def test_a_national_draft_reads_each_province_at_the_grain_it_reported(provinces):
    scope = national.scope(provinces, "vn")
    draft = draft_report(provinces, [], parse_period("2026-Q3"), scope=scope)
    text = " ".join(p.text for p in draft.paragraphs)
    assert "Đăng 42 tin, bài tiếng Việt (ước thực hiện)." in text  # 3 × 10 + Lai Châu's quarter, 12
    assert "Về hoạt động của 161 Trang tin thành phần" in text  # 109 at the end of September + Lai Châu's 52
    assert (
        "Số liệu quý, không có số liệu tháng: Tin, bài đăng trên Cổng thông tin điện tử (Lai Châu); "
        "Số trang tin thành phần (Lai Châu)." in draft.notes
    )
    assert (
        "Số liệu ước thực hiện (sẽ thay bằng số thực khi có): Tin, bài đăng trên Cổng thông tin điện tử (Lai Châu)."
        in draft.notes
    )
    english = draft_report(provinces, [], parse_period("2026-Q3"), "en", scope=scope)
    assert any(
        n.startswith("Quarterly figures, no monthly figures: Posts on the web portal (Lai Chau)") for n in english.notes
    )
    sources = draft.figures[draft.figures["role"] == "current"]
    assert ("lc", "portal_posts", "2026-Q3", 12) in set(
        zip(sources["unit"], sources["metric"], sources["period"], sources["value"], strict=True)
    )
    # The ratio is recomputed from the combined parts: (270 + 3) on time of (300 + 30) settled.
    ids = {u.code: u.id for u in queries.units(provinces)}
    groups = tuple(tuple(ids[c] for c in group) for group in scope.groups)
    figures = collect(provinces, list(ids.values()), parse_period("2026-Q3"), groups=groups)
    assert figures.current[("igate_on_time_rate", None)] == pytest.approx(100 * 273 / 330)
    # A month of the quarter is never read from Lai Châu's quarterly flow (September's posts are Cần Thơ's alone);
    # its level at the quarter's end is its level at the end of September.
    september = collect(provinces, list(ids.values()), parse_period("2026-09"), groups=groups)
    assert september.current[("portal_posts", "vi")] == 10 and september.current[("sites_count", None)] == 109 + 52


def test_a_regional_draft_derives_a_provinces_quarter_and_names_it(provinces):
    _load(
        provinces,
        [
            ("lc", "portal_audio", D(2026, 1, 1), "", 40, "half", False),
            ("lc", "portal_audio", D(2026, 1, 1), "", 65, "nine_months", False),
            ("ct", "portal_audio", D(2026, 7, 1), "", 7, "month", False),
            ("ct", "portal_audio", D(2026, 8, 1), "", 8, "month", False),
            ("ct", "portal_audio", D(2026, 9, 1), "", 9, "month", False),
        ],
    )
    scope = national.scope(provinces, "vn")
    draft = draft_report(provinces, [], parse_period("2026-Q3"), scope=scope)
    assert "thu và phát 49 bản tin audio." in " ".join(p.text for p in draft.paragraphs)  # 24 + (65 − 40)
    assert any(
        n.startswith("Số liệu quý III tính từ số 9 tháng trừ số 6 tháng")
        and "Bản tin audio (thu và phát) (Lai Châu)" in n
        for n in draft.notes
    )


def test_the_draft_pages_scope_says_which_provinces_figures_are_quarterly(provinces, empty_url, monkeypatch):
    state = {"draft_kind": "quarter", "draft_period_quarter": "2026-Q3", "draft_scope": "vn"}
    app = run_page(empty_url, monkeypatch, "pages/draft.py", **state)
    assert not app.exception, [e.value for e in app.exception]
    assert any("Đăng 42 tin, bài tiếng Việt (ước thực hiện)" in c.value for c in app.code)
    shown = [*(c.value for c in app.code), *(c.value for c in app.caption), *(m.value for m in app.markdown)]
    shown += [w.value for w in app.warning] + [i.value for i in app.info]
    assert any(
        "Số liệu quý, không có số liệu tháng: Tin, bài đăng trên Cổng thông tin điện tử (Lai Châu)" in s for s in shown
    ), shown
