"""Periods and values are plausible on every path: one date cell of 9999 (or 1800) can no longer take the
dashboard down, non-ASCII digits are refused, a merged-away unit takes no figures after its merger, and a
bad figure already stored can be found and deleted (CLI and data page, audited)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from typer.testing import CliRunner

from commstats import audit
from commstats.cli import app as cli
from commstats.models import ImportBatch, Member, Metric, Observation, Unit
from commstats.periods import add_months, current_month, figure_window, month_key
from etl.demo import DEMO_UNIT, MERGED_ON, MERGED_UNIT
from etl.pipeline import import_content
from etl.register import import_register
from etl.targets import import_targets_content
from tests.apptest import run_page
from tests.dbstate import snapshot
from tests.importfiles import csv_text, xlsx_bytes

PAGES = [
    "pages/overview.py",
    "pages/draft.py",
    "pages/trends.py",
    "pages/sites.py",
    "pages/licences.py",
    "pages/explore.py",
    "pages/quality.py",
    "pages/entry.py",
    "pages/import.py",
]


UNIT_HEADER = ("period", "metric", "member", "value", "note", "unit")


def keys(report) -> list[tuple[int | None, str, str]]:  # type: ignore[no-untyped-def]
    return [(p.row, p.column, p.key) for p in report.problems]


def test_date_cells_of_9999_and_1800_are_refused_and_change_nothing(empty_engine: Engine) -> None:
    before = snapshot(empty_engine)
    content = xlsx_bytes(
        [
            (dt.datetime(9999, 12, 31), "portal_audio", "", 5, ""),
            (dt.datetime(1800, 1, 1), "portal_audio", "", 6, ""),
            ("2019-07", "portal_audio", "", 7, ""),
        ]
    )

    report = import_content(empty_engine, content, "ngay-9999.xlsx")

    assert keys(report) == [(2, "period", "period_out_of_range"), (3, "period", "period_out_of_range")]
    window = figure_window()
    text = report.summary("vi")
    assert "ngay-9999.xlsx" in text and "dòng 2, cột period" in text
    assert f"từ {window.first:%m/%Y} đến {window.last:%m/%Y}" in text and "9999" in text
    assert snapshot(empty_engine) == before


def test_the_window_runs_to_the_current_month_plus_the_margin(empty_engine: Engine, monkeypatch) -> None:
    now = current_month()
    fine = [(month_key(now), "portal_audio", "", 1, ""), (month_key(add_months(now, 1)), "portal_audio", "", 2, "")]
    assert import_content(empty_engine, csv_text(fine).encode(), "ok.csv").ok
    too_far = [(month_key(add_months(now, 2)), "portal_audio", "", 3, "")]
    assert keys(import_content(empty_engine, csv_text(too_far).encode(), "xa.csv")) == [
        (2, "period", "period_out_of_range")
    ]
    monkeypatch.setenv("COMMSTATS_FUTURE_MONTHS", "3")  # the margin is a setting
    assert import_content(empty_engine, csv_text(too_far).encode(), "xa.csv").ok


def test_a_unit_first_year_and_the_default_first_year(empty_engine: Engine, monkeypatch) -> None:
    done = CliRunner().invoke(
        cli,
        [
            "units",
            "add",
            "moi",
            "Đơn vị mới",
            "--first-year",
            "2015",
            "--db",
            str(empty_engine.url.render_as_string(hide_password=False)),
        ],
    )
    assert done.exit_code == 0, done.output
    early = [("2014-12", "portal_audio", "", 1, "", "moi"), ("2015-01", "portal_audio", "", 2, "", "moi")]
    report = import_content(empty_engine, csv_text(early, UNIT_HEADER).encode(), "som.csv")
    assert keys(report) == [(2, "period", "period_out_of_range")]
    assert "từ 01/2015" in report.summary("vi")
    old = [("1999-12", "portal_audio", "", 1, "", "test-unit")]
    assert keys(import_content(empty_engine, csv_text(old, UNIT_HEADER).encode(), "cu.csv")) == [
        (2, "period", "period_out_of_range")
    ]
    monkeypatch.setenv("COMMSTATS_FIRST_YEAR", "1995")
    assert import_content(empty_engine, csv_text(old, UNIT_HEADER).encode(), "cu.csv").ok


@pytest.mark.parametrize(
    ("period", "value", "problem"),
    [
        ("2019-07", "１２３", ("value", "not_a_number")),  # fullwidth digits
        ("2019-07", "١٢٣", ("value", "not_a_number")),  # Arabic-Indic digits
        ("2019-07", "१२३", ("value", "not_a_number")),  # Devanagari digits
        ("２０１９-07", "5", ("period", "bad_period")),
        ("07/٢٠١٩", "5", ("period", "bad_period")),
        ("2019-07", "1.２34", ("value", "not_a_number")),
    ],
)
def test_non_ascii_digits_are_refused(empty_engine: Engine, period: str, value: str, problem: tuple[str, str]) -> None:
    before = snapshot(empty_engine)
    report = import_content(empty_engine, csv_text([(period, "portal_audio", "", value, "")]).encode(), "so.csv")
    assert keys(report) == [(2, *problem)]
    assert snapshot(empty_engine) == before


def test_a_merged_away_unit_takes_no_figures_after_its_merger(demo_engine: Engine) -> None:
    header = UNIT_HEADER
    after = month_key(MERGED_ON)
    before_merger = month_key(add_months(MERGED_ON, -1))
    rows = [(before_merger, "portal_audio", "", 11, "", DEMO_UNIT), (after, "portal_audio", "", 12, "", DEMO_UNIT)]
    state = snapshot(demo_engine)

    report = import_content(demo_engine, csv_text(rows, header).encode(), "sau-sap-nhap.csv")

    assert keys(report) == [(3, "period", "period_after_merger")]
    assert f"đã sáp nhập vào {MERGED_UNIT} từ ngày {MERGED_ON:%d/%m/%Y}" in report.summary("vi")
    assert f"merged into {MERGED_UNIT} on {MERGED_ON:%d/%m/%Y}" in report.summary("en")
    assert snapshot(demo_engine) == state
    assert import_content(demo_engine, csv_text(rows[:1], header).encode(), "truoc.csv").ok


def test_register_dates_and_target_years_keep_the_window(empty_engine: Engine) -> None:
    before = snapshot(empty_engine)
    future = add_months(current_month(), 3)
    register = (
        "Số,Loại,Ngày cấp,Tổ chức,Tên tài liệu\n01/GP,Giấy phép xuất bản,16/07/2019,Hội,Tài liệu\n"
        f"02/GP,Giấy phép xuất bản,{future:%d/%m/%Y},Hội,Tài liệu 2\n"
        "03/GP,Giấy phép xuất bản,01/01/1995,Hội,Tài liệu 3\n"
    ).encode()
    report = import_register(empty_engine, register, "so-dang-ky.csv")
    assert [p.key for p in report.problems] == ["period_out_of_range", "period_out_of_range"]
    assert [p.row for p in report.problems] == [3, 4]

    far = current_month().year + 2
    targets = import_targets_content(empty_engine, f"year,metric,value\n{far},portal_posts,10\n".encode(), "kh.csv")
    assert [(p.column, p.key) for p in targets.problems] == [("year", "target_bad_year")]
    assert snapshot(empty_engine) == before
    next_year = current_month().year + 1
    ok = import_targets_content(empty_engine, f"year,metric,value\n{next_year},portal_posts,10\n".encode(), "k.csv")
    assert ok.ok


def _store_bad_figure(engine: Engine, unit_code: str, period: dt.date, value: int) -> None:
    """A figure as an older version let it in (before imports checked the window)."""
    with engine.begin() as conn:
        unit_id = conn.scalar(select(Unit.id).where(Unit.code == unit_code))
        metric_id = conn.scalar(select(Metric.id).where(Metric.code == "portal_audio"))
        member_id = conn.scalar(select(Member.id).where(Member.dimension == "", Member.code == ""))
        batch_id = (
            conn.scalar(select(ImportBatch.id).order_by(ImportBatch.id))
            or conn.execute(
                insert(ImportBatch).returning(ImportBatch.id),
                {"source_kind": "csv", "source_name": "old.csv", "sha256": "0" * 64, "status": "loaded"},
            ).scalar_one()
        )
        conn.execute(
            insert(Observation).values(
                unit_id=unit_id,
                metric_id=metric_id,
                period=period,
                member_id=member_id,
                value=value,
                note="",
                batch_id=batch_id,
            )
        )


def test_a_stored_9999_figure_breaks_no_page_and_is_deleted_on_the_data_page(demo_url: str, monkeypatch) -> None:
    from commstats.db import make_engine

    engine = make_engine(demo_url)
    _store_bad_figure(engine, MERGED_UNIT, dt.date(9999, 12, 1), 777)
    for page in PAGES:
        app = run_page(demo_url, monkeypatch, page=page)
        assert not app.exception, (page, app.exception)
    app = run_page(demo_url, monkeypatch, page="pages/quality.py")
    assert any("1 số liệu được lưu cho tháng ngoài khoảng hợp lệ" in w.value for w in app.warning)
    pick = app.selectbox(key="figure_delete_pick")
    pick.select_index(0).run()
    app.text_input[3].input("nhập nhầm năm 9999")  # reason (unit, metric, month and member come from the pick)
    app.button[0].click().run()
    assert not app.exception
    assert any("Đã xoá số liệu portal_audio kỳ 9999-12" in s.value for s in app.success), [e.value for e in app.error]
    with engine.connect() as conn:
        assert conn.scalar(select(Observation.id).where(Observation.period == dt.date(9999, 12, 1))) is None
    event = audit.events(engine, actions=["figure_delete"])[0]
    assert (event.unit_code, event.target) == (MERGED_UNIT, "portal_audio 9999-12")
    assert json.loads(event.detail) == {"value": 777, "reason": "nhập nhầm năm 9999", "revisions": 0}
    engine.dispose()


def test_cli_lists_and_deletes_a_stored_bad_figure(demo_url: str, tmp_path: Path) -> None:
    from commstats.db import make_engine

    engine = make_engine(demo_url)
    _store_bad_figure(engine, MERGED_UNIT, dt.date(1800, 1, 1), 5)
    runner = CliRunner()
    listed = runner.invoke(cli, ["figure", "list-outside", "--db", demo_url])
    assert listed.exit_code == 0 and f"{MERGED_UNIT}" in listed.output and "1800-01" in listed.output

    def delete(period: str, reason: str, *more: str):  # type: ignore[no-untyped-def]
        common = ["figure", "delete", "--unit", MERGED_UNIT, "--metric", "portal_audio", "--db", demo_url]
        return runner.invoke(cli, [*common, "--period", period, "--reason", reason, *more])

    no_reason = delete("1800-01", " ")
    assert no_reason.exit_code == 1 and "Cần ghi lý do" in no_reason.output
    wrong = delete("1800-02", "x")
    assert wrong.exit_code == 1 and "Không có số liệu portal_audio kỳ 1800-02" in wrong.output

    done = delete("1800-01", "năm gõ nhầm", "--user", "it-admin")
    assert done.exit_code == 0, done.output
    assert "Đã xoá số liệu portal_audio kỳ 1800-01" in done.output and "giá trị 5" in done.output
    again = runner.invoke(cli, ["figure", "list-outside", "--db", demo_url, "--lang", "en"])
    assert "No figures outside" in again.output
    event = audit.events(engine, actions=["figure_delete"])[0]
    assert (event.actor, event.target) == ("it-admin", "portal_audio 1800-01")
    engine.dispose()


def test_a_unit_whose_only_figure_is_implausible_can_still_delete_it(empty_url: str, monkeypatch) -> None:
    from commstats.db import make_engine

    engine = make_engine(empty_url)
    _store_bad_figure(engine, "test-unit", dt.date(9999, 1, 1), 3)
    app = run_page(empty_url, monkeypatch, page="pages/quality.py")
    assert not app.exception
    assert [s.value for s in app.subheader] == ["Chưa có số liệu", "Xoá một số liệu"]
    assert any("1 số liệu được lưu cho tháng ngoài khoảng hợp lệ" in w.value for w in app.warning)
    engine.dispose()
