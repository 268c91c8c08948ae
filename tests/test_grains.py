"""Figures at the grain the source has (a month, a quarter, 6 or 9 months, a year), never turned into months;
periods read from complete months or else the coarser figure, by one rule (commstats.grains) for flows, levels
and ratios; coarser figures that disagree with their months on the quality page; estimates ("ước thực hiện")
in drafts and charts, replaced by the actual figure as a revision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from commstats import charts, grains, queries, series
from commstats.catalog import load_catalog
from commstats.models import Observation, Revision
from commstats.narrative import draft_report
from commstats.narrative.facts import collect
from commstats.periods import Period, parse_period
from commstats.ratios import definitions
from etl import entry
from etl.load import load_rows
from etl.pipeline import import_content
from etl.problems import RawRow
from etl.validate import Reference, validate_rows
from tests.apptest import run_page
from tests.importfiles import csv_text

D = dt.date
KINDS = {m.code: m.kind for m in load_catalog().metrics}
LONG = ("period", "metric", "member", "value", "grain", "estimated")


def _import(engine, rows, name="so-lieu.csv", header=LONG):  # type: ignore[no-untyped-def]
    return import_content(engine, csv_text(rows, header).encode(), name)


def _stored(engine) -> list[tuple[str, dt.date, str, int, bool]]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Observation.grain, Observation.period, Observation.member_id, Observation.value, Observation.estimated
            ).order_by(Observation.period, Observation.grain)
        ).all()
    return [(g, p, str(m), int(v), bool(e)) for g, p, m, v, e in rows]


def _ids(engine) -> list[int]:  # type: ignore[no-untyped-def]
    return [u.id for u in queries.units(engine)]


# --- the rule, on hand-made rows -------------------------------------------------------------------------------


def _row(metric: str, grain: str, start: dt.date, value: int, estimated: bool = False) -> grains.Row:
    return (metric, KINDS[metric], grain, start, "", value, estimated)


def test_a_flow_sums_complete_months_or_else_takes_the_coarser_total():
    h1 = Period("half", 2020, 1).months
    months = [_row("portal_audio", "month", D(2020, m, 1), m) for m in range(1, 7)]  # 1 + 2 + … + 6 = 21
    coarse = [_row("portal_audio", "half", D(2020, 1, 1), 30), _row("portal_audio", "quarter", D(2020, 1, 1), 7)]
    folded = grains.fold(months + coarse, h1)[("portal_audio", "")]
    assert folded.value == 21 and folded.basis.grains == ("month",) and folded.basis.covered == 6
    # February missing: the months cannot cover the half, Q1's figure (7) + April–June (4 + 5 + 6) can.
    partial = [r for r in months if r[3] != D(2020, 2, 1)]
    folded = grains.fold(partial + coarse, h1)[("portal_audio", "")]
    assert folded.value == 7 + 4 + 5 + 6 and folded.basis.grains == ("month", "quarter")
    # No months at all: the half-year's own figure.
    folded = grains.fold(coarse, h1)[("portal_audio", "")]
    assert folded.value == 30 and folded.basis.coarse == ("half",)
    # A month is never read from a coarser figure.
    assert grains.fold(coarse, [D(2020, 2, 1)]) == {}
    # The year from Q1–Q3 as quarters and Q4 as months: 7 + 8 + 9 + (10 + 11 + 12).
    year = [_row("portal_audio", "quarter", D(2020, m, 1), v) for m, v in ((1, 7), (4, 8), (7, 9))]
    year += [_row("portal_audio", "month", D(2020, m, 1), m) for m in (10, 11, 12)]
    assert grains.fold(year, Period("year", 2020).months)[("portal_audio", "")].value == 7 + 8 + 9 + 33


def test_a_level_is_the_value_at_the_periods_end():
    q2 = Period("quarter", 2020, 2).months
    rows = [_row("sites_count", "month", D(2020, 4, 1), 40), _row("sites_count", "month", D(2020, 5, 1), 41)]
    rows.append(_row("sites_count", "quarter", D(2020, 4, 1), 44))  # the level at the end of June
    folded = grains.fold(rows, q2)[("sites_count", "")]
    assert folded.value == 44 and folded.basis.coarse == ("quarter",)  # June beats May, never 40 + 41 + 44
    rows.append(_row("sites_count", "month", D(2020, 6, 1), 43))  # June's own figure: the finer one wins
    assert grains.fold(rows, q2)[("sites_count", "")].value == 43
    # A year's level is December's: it gives the fourth quarter's end though it starts in January.
    yearly = [_row("sites_count", "year", D(2020, 1, 1), 50), _row("sites_count", "quarter", D(2020, 7, 1), 45)]
    assert grains.fold(yearly, Period("quarter", 2020, 4).months)[("sites_count", "")].value == 50
    assert grains.fold(yearly, Period("half", 2020, 2).months)[("sites_count", "")].value == 50
    assert grains.fold(yearly, Period("quarter", 2020, 3).months)[("sites_count", "")].value == 45


def test_a_ratio_is_recomputed_from_its_parts_across_grains():
    """Q3: July and August as months, September missing; the quarter's parts as a quarterly report gave them.
    The months are incomplete, so the quarter's parts are used: 60 on time of 200, 30% (not a mean of shares)."""
    rows = [_row("igate_on_time", "month", D(2019, 7, 1), 9), _row("igate_late", "month", D(2019, 7, 1), 1)]
    rows += [_row("igate_on_time", "quarter", D(2019, 7, 1), 60), _row("igate_late", "quarter", D(2019, 7, 1), 130)]
    rows += [_row("igate_overdue", "quarter", D(2019, 7, 1), 10)]
    frame = series.pd.DataFrame(
        [(r[0], r[3], r[2], r[5], r[6]) for r in rows], columns=["metric", "period", "grain", "value", "estimated"]
    )
    rate = definitions()["igate_on_time_rate"]
    rolled = series.aggregate(frame, KINDS, "quarter", ratios={"igate_on_time_rate": rate})
    share = rolled[rolled["metric"] == "igate_on_time_rate"].iloc[0]
    assert share["value"] == pytest.approx(100 * 60 / 200) and share["grain"] == "quarter"
    # By month only July has its parts (9 of 10); the quarter's figure is never a month's.
    monthly = series.aggregate(frame, KINDS, "month", ratios={"igate_on_time_rate": rate})
    assert monthly[monthly["metric"] == "igate_on_time_rate"]["value"].tolist() == [pytest.approx(90.0)]
    assert set(monthly["period_key"]) == {"2019-07"}


# --- storing, reading, refusing -------------------------------------------------------------------------------


def test_each_grain_is_stored_as_it_is_and_never_turned_into_months(empty_engine):
    rows = [
        ("2020-Q2", "portal_audio", "", 30, "", ""),
        ("2020-04", "portal_audio", "", 9, "quarter", ""),  # the same quarter, written as its first month: a duplicate
    ]
    report = _import(empty_engine, rows)
    assert not report.ok and report.problems[0].key == "duplicate_row" and not _stored(empty_engine)
    rows = [
        ("2020-07", "portal_audio", "", 11, "", ""),
        ("2020-Q2", "portal_audio", "", 30, "", ""),
        ("2020-H1", "portal_audio", "", 50, "", ""),
        ("2020-01", "portal_audio", "", 70, "nine_months", ""),
        ("2020", "portal_audio", "", 100, "năm", "x"),
    ]
    assert _import(empty_engine, rows).ok
    assert [(g, p, v, e) for g, p, _m, v, e in _stored(empty_engine)] == [
        ("half", D(2020, 1, 1), 50, False),
        ("nine_months", D(2020, 1, 1), 70, False),
        ("year", D(2020, 1, 1), 100, True),
        ("quarter", D(2020, 4, 1), 30, False),
        ("month", D(2020, 7, 1), 11, False),
    ]
    ids = _ids(empty_engine)
    monthly = queries.monthly_totals(empty_engine, ids, ["portal_audio"], D(2020, 1, 1), D(2020, 12, 1))
    assert monthly["period"].tolist() == [D(2020, 7, 1)]  # nothing spread over months
    values = queries.period_values(empty_engine, ids, ["portal_audio"], Period("quarter", 2020, 2).months)
    assert values == {("portal_audio", ""): 30}
    assert queries.period_values(empty_engine, ids, ["portal_audio"], [D(2020, 5, 1)]) == {}
    assert entry.stored_values(empty_engine, "test-unit", D(2020, 4, 1), "portal") == {}  # not April's figure
    assert queries.month_range(empty_engine, ids) == (D(2020, 1, 1), D(2020, 12, 1))
    # Importing the same file again changes nothing; an export keeps each figure's own period.
    assert _import(empty_engine, rows).result.batch_id is None
    exported = queries.observations_for_export(empty_engine, metric_codes=["portal_audio"])
    assert sorted(exported["period"]) == ["2020", "2020-07", "2020-9M", "2020-H1", "2020-Q2"]


def test_the_report_readers_rows_load_with_their_grain(empty_engine):
    """The row shape the report-text extractor produces: period = the period's first day, grain, estimated."""
    reference = Reference.read(empty_engine)
    raw = [
        RawRow(
            3,
            {
                "unit": None,
                "metric": "portal_audio",
                "member": None,
                "period": D(2020, 1, 1),
                "value": 80,
                "note": "6 tháng đầu năm",
                "grain": "half",
                "estimated": True,
            },
        ),
        RawRow(
            4,
            {
                "unit": None,
                "metric": "sites_count",
                "member": None,
                "period": D(2020, 7, 1),
                "value": 44,
                "note": "",
                "grain": "quarter",
                "estimated": False,
            },
        ),
    ]
    rows, problems = validate_rows(raw, "bao-cao-6-thang.docx", reference)
    assert not problems and [(r.grain, r.period, r.estimated) for r in rows] == [
        ("half", D(2020, 1, 1), True),
        ("quarter", D(2020, 7, 1), False),
    ]
    result = load_rows(empty_engine, rows, source_kind="report", source_name="bao-cao-6-thang.docx", sha256="a")
    assert result.inserted == 2
    again = load_rows(empty_engine, rows, source_kind="report", source_name="bao-cao-6-thang.docx", sha256="a")
    assert again.batch_id is None and again.unchanged == 2


@pytest.mark.parametrize(
    ("row", "column", "key", "vi", "en"),
    [
        (
            ("2020-05", "portal_audio", "", 5, "quarter", ""),
            "period",
            "grain_bad_start_quarter",
            "Quý bắt đầu ở tháng 1, 4, 7, 10, không ở tháng 5/2020",
            "A quarter starts in month 1, 4, 7, 10, not in 5/2020",
        ),
        (
            ("2020-04", "portal_audio", "", 5, "nine_months", ""),
            "period",
            "grain_bad_start_nine_months",
            "Kỳ 9 tháng bắt đầu ở tháng 1, không ở tháng 4/2020",
            "Nine months start in January, not in 4/2020",
        ),
        (
            ("2020-Q2", "portal_audio", "", 5, "year", ""),
            "grain",
            "grain_mismatch",
            "Loại kỳ khác với kỳ ghi ở cột period (“2020-Q2”)",
            "differs from the period written in the period column",
        ),
        (
            ("2020-04", "portal_audio", "", 5, "fortnight", ""),
            "grain",
            "bad_grain",
            "Loại kỳ không hợp lệ. Ghi một trong: month, quarter, half, nine_months, year",
            "Invalid period kind",
        ),
        (
            ("2020-04", "portal_audio", "", 5, "", "maybe"),
            "estimated",
            "bad_estimated",
            "Ghi x, 1, có hoặc ước cho số ước thực hiện",
            "Write x, 1, yes or ước for an estimate",
        ),
    ],
)
def test_bad_grain_input_is_refused_with_a_clear_message_and_nothing_changes(empty_engine, row, column, key, vi, en):
    good = ("2020-07", "portal_audio", "", 3, "", "")
    assert _import(empty_engine, [good], "truoc.csv").ok
    before = _stored(empty_engine)
    report = _import(empty_engine, [(*good[:3], 4, *good[4:]), row], "sai-ky.csv")
    assert not report.ok and _stored(empty_engine) == before  # the good row of the same file is not loaded either
    (problem,) = report.problems
    assert (problem.file, problem.row, problem.column, problem.key) == ("sai-ky.csv", 3, column, key)
    assert vi in problem.render("vi") and en in problem.render("en")
    assert "dòng 3, cột " + column in problem.render("vi")


# --- reading periods across grains in the database ------------------------------------------------------------


def test_drafts_use_complete_months_or_the_coarser_figure_and_say_which(empty_engine):
    rows = [(f"2019-{m:02d}", "portal_audio", "", m, "", "") for m in (7, 8, 9)]  # Q3 complete by month: 24
    rows += [("2019-Q3", "portal_audio", "", 30, "", "")]  # a quarterly report said 30: the months are used
    rows += [("2019-Q3", "publishing_licences", "", 14, "", "")]  # only the quarter: used, and said
    rows += [(f"2019-{m:02d}", "sites_count", "", 40 + m, "", "") for m in (7, 8)]
    rows += [("2019-Q3", "sites_count", "", 43, "", "")]  # the level at the end of September
    assert _import(empty_engine, rows).ok
    figures = collect(empty_engine, _ids(empty_engine), parse_period("2019-Q3"))
    assert figures.current[("portal_audio", None)] == 7 + 8 + 9
    assert figures.current[("publishing_licences", None)] == 14
    assert figures.current[("sites_count", None)] == 43
    assert figures.basis(("portal_audio", None)).coarse == ()
    assert figures.basis(("publishing_licences", None)).coarse == ("quarter",)
    draft = draft_report(empty_engine, ["test-unit"], parse_period("2019-Q3"))
    text = " ".join(p.text for p in draft.paragraphs)
    assert "Thu và phát 24 bản tin audio." in text and "Cấp 14 Giấy phép xuất bản" in text
    assert "Về hoạt động của 43 Trang tin thành phần" in text
    sources = draft.figures[draft.figures["role"] == "current"]
    assert sorted(zip(sources["metric"], sources["period"], sources["value"], strict=True)) == [
        ("portal_audio", "2019-07", 7), ("portal_audio", "2019-08", 8), ("portal_audio", "2019-09", 9),
        ("publishing_licences", "2019-Q3", 14), ("sites_count", "2019-Q3", 43),
    ]  # fmt: skip  # exactly the stored figures each value was read from
    note = next(n for n in draft.notes if n.startswith("Số liệu quý"))
    assert note.startswith("Số liệu quý, không có số liệu tháng: ") and "Giấy phép xuất bản" in note
    assert "audio" not in note  # complete months were used for the audio bulletins
    english = draft_report(empty_engine, ["test-unit"], parse_period("2019-Q3"), "en")
    assert any(n.startswith("Quarterly figures, no monthly figures: ") for n in english.notes)
    # A month of the quarter is never read from the quarter's figure.
    july = collect(empty_engine, _ids(empty_engine), parse_period("2019-07"))
    assert ("publishing_licences", None) not in july.current and july.current[("sites_count", None)] == 47


def test_a_coarser_figure_that_disagrees_with_its_months_is_listed(empty_engine, monkeypatch, empty_url):
    rows = [(f"2019-{m:02d}", "portal_audio", "", m, "", "") for m in (7, 8, 9)]  # 24
    rows += [("2019-Q3", "portal_audio", "", 30, "", ""), ("2019-Q2", "portal_audio", "", 99, "", "")]  # Q2: no months
    rows += [(f"2019-{m:02d}", "sites_count", "", 40 + m, "", "") for m in (7, 8, 9)]
    rows += [("2019-Q3", "sites_count", "", 49, "", "")]  # the level is September's 49: agrees
    rows += [("2019-Q4", "portal_audio", "", 5, "", ""), ("2019-Q4", "sites_count", "", 50, "", "")]  # no months
    assert _import(empty_engine, rows).ok
    found = grains.grain_differences(
        queries.grain_rows(empty_engine, _ids(empty_engine), D(2019, 1, 1), D(2019, 12, 1))
    )
    assert [(d.metric, d.grain, d.start, d.stored, d.from_months, d.difference) for d in found] == [
        ("portal_audio", "quarter", D(2019, 7, 1), 30, 24, 6)
    ]
    app = run_page(empty_url, monkeypatch, "pages/quality.py")
    assert not app.exception
    table = next(f for f in app.dataframe if "Chênh lệch" in f.value.columns)
    assert table.value.to_dict("records") == [
        {
            "Đơn vị": "Sở Thông tin và Truyền thông thử nghiệm",
            "Chỉ tiêu": "Bản tin audio (thu và phát)",
            "Thành phần": "",
            "Kỳ": "Quý III/2019",
            "Số liệu của kỳ": "30",
            "So với": "Các tháng của kỳ",
            "Số so sánh": "24",
            "Chênh lệch": "+6",
        }
    ]
    # October to December were reported, as a quarter: not listed as missing months.
    assert "Không thiếu tháng nào trong khoảng đã chọn." in [s.value for s in app.success]


# --- estimates ------------------------------------------------------------------------------------------------


def test_an_estimate_is_said_marked_and_replaced_by_the_actual_figure_as_a_revision(
    empty_engine, monkeypatch, empty_url
):
    """A half-year report written on 10 June: June's audio bulletins are an estimate; the actual figure later."""
    rows = [(f"2019-{m:02d}", "portal_audio", "", 10, "", "") for m in range(1, 6)]
    rows += [("2019-06", "portal_audio", "", 12, "", "ước")]
    assert _import(empty_engine, rows, "bao-cao-6-thang.csv").ok
    draft = draft_report(empty_engine, ["test-unit"], parse_period("2019-H1"))
    text = " ".join(p.text for p in draft.paragraphs)
    assert "Thu và phát 62 bản tin audio (ước thực hiện)." in text
    assert "Số liệu ước thực hiện (sẽ thay bằng số thực khi có): Bản tin audio (thu và phát)." in draft.notes
    # May alone is not an estimate: nothing said.
    may = draft_report(empty_engine, ["test-unit"], parse_period("2019-05"))
    assert "ước thực hiện" not in " ".join(p.text for p in may.paragraphs) + " ".join(may.notes)

    stored = queries.figure_totals(empty_engine, _ids(empty_engine), ["portal_audio"], D(2019, 1, 1), D(2019, 6, 1))
    rolled = series.aggregate(stored, KINDS, "month")
    figure = charts.trend_figure(rolled, queries.metric_by_code(empty_engine), "month")
    line, legend = figure.data[0], figure.data[1]
    assert list(line.marker.symbol) == ["circle"] * 5 + ["diamond-open"]
    assert "(ước thực hiện)" in line.customdata[5][0] and "(ước thực hiện)" not in line.customdata[4][0]
    assert legend.name == "Ước thực hiện" and legend.marker.symbol == "diamond-open"
    half = series.aggregate(stored, KINDS, "quarter")
    assert half[["period_key", "value", "estimated"]].values.tolist() == [["2019-Q1", 30, False], ["2019-Q2", 32, True]]

    # The actual figure (the same value would do too) replaces the estimate as a revision.
    assert _import(empty_engine, [("2019-06", "portal_audio", "", 13, "", "")], "thang-6.csv").ok
    with empty_engine.connect() as conn:
        revision = conn.execute(
            select(Revision.old_value, Revision.new_value, Revision.old_estimated, Revision.new_estimated)
        ).one()
    assert tuple(revision) == (12, 13, True, False)
    assert "ước thực hiện" not in " ".join(
        p.text for p in draft_report(empty_engine, ["test-unit"], parse_period("2019-H1")).paragraphs
    )
    # Loading the half-year report again does not put the estimate back over the actual figure.
    assert _import(empty_engine, rows, "bao-cao-6-thang.csv").result.batch_id is None
    assert ("month", D(2019, 6, 1), 13, False) in [(g, p, v, e) for g, p, _m, v, e in _stored(empty_engine)]
    app = run_page(empty_url, monkeypatch, "pages/quality.py")
    assert not app.exception
    revisions = next(f for f in app.dataframe if "Loại thay đổi" in f.value.columns).value
    assert revisions["Loại thay đổi"].tolist() == ["ước tính được thay bằng số thực"]
    assert revisions["Tháng"].tolist() == ["tháng 6/2019"]


def test_one_month_of_monthly_figures_folds_as_the_general_rule_does():
    """grains.fold takes a shortcut for one month of monthly figures (the overview's dozen folds); a coarse
    figure of another metric sends the same rows down the general search: the answers must be identical."""
    month = D(2020, 5, 1)
    rows = [
        ("portal_posts", "flow", "month", D(2020, 4, 1), "vi", 7, False),
        ("portal_posts", "flow", "month", month, "vi", 30, False),
        ("portal_posts", "flow", "month", month, "km", 12, True),
        ("portal_posts", "flow", "month", month, "km", 3, False),
        ("sites_count", "stock", "month", month, "", 43, False),
        ("sites_count", "stock", "month", D(2020, 6, 1), "", 44, False),
    ]
    other = ("publishing_licences", "flow", "quarter", D(2020, 4, 1), "", 9, False)
    quick = grains.fold(rows, [month])
    general = grains.fold([*rows, other], [month])
    assert quick == general
    assert quick[("portal_posts", "km")] == grains.Folded(15, grains.Basis(("month",), True, 1, (("month", month),)))
    assert set(quick) == {("portal_posts", "vi"), ("portal_posts", "km"), ("sites_count", "")}
