"""Licence registers: records stored once, monthly counts derived by each unit's cut-off day."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from commstats import queries
from commstats.bootstrap import add_unit
from commstats.cli import app
from commstats.models import ImportBatch, LicenceRecord, Observation, Revision, Unit
from etl.extract.licence_register import parse_day
from etl.register import derive_counts, import_register

CALENDAR, NGHI_DINH = "u-calendar", "u-15"
HEADER = "Số,Loại,Ngày cấp,Tổ chức, cá nhân đề nghị,Tên tài liệu\n"


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    add_unit(empty_engine, CALENDAR, "Đơn vị tháng dương lịch", cutoff_day=0)
    add_unit(empty_engine, NGHI_DINH, "Đơn vị chốt ngày 15", cutoff_day=15)
    return empty_engine


def snapshot(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))],
            [tuple(r) for r in conn.execute(select(LicenceRecord).order_by(LicenceRecord.id))],
        )


def counts(engine: Engine, unit: str, metric: str = "publishing_licences") -> dict[str, int]:
    frame = queries.observations_for_export(engine, metric_codes=[metric], unit_codes=[unit])
    return {str(r.period): int(r.value) for r in frame.itertuples()}


def register_csv(*days: str, kind: str = "Giấy phép xuất bản", unit: str | None = None) -> bytes:
    lines = ["Số,Loại,Ngày cấp,Tổ chức,Tên tài liệu,Mã đơn vị" if unit else "Số,Loại,Ngày cấp,Tổ chức,Tên tài liệu"]
    for i, day in enumerate(days, start=1):
        lines.append(f"{i:02d}/GP,{kind},{day},Hội Nông dân,Tài liệu {i}" + (f",{unit}" if unit else ""))
    return ("\n".join(lines) + "\n").encode()


EDGES = ["14/07/2019", "15/07/2019", "16/07/2019", "31/07/2019", "01/08/2019", "14/12/2019", "15/12/2019", "31/12/2019"]


def test_calendar_month_rule(engine):
    report = import_register(engine, register_csv(*EDGES, unit=CALENDAR), "so-dang-ky.csv")
    assert report.ok, report.summary()
    expected = {"2019-07": 4, "2019-08": 1, "2019-12": 3}
    expected |= {f"2019-{m:02d}": 0 for m in range(9, 12)}  # inside the register's span: none issued
    assert counts(engine, CALENDAR) == expected


def test_fifteenth_to_fourteenth_rule_of_nghi_dinh_09_2019(engine):
    report = import_register(engine, register_csv(*EDGES, unit=NGHI_DINH), "so-dang-ky.csv")
    assert report.ok, report.summary()
    # 14/07 → July; 15/07, 16/07, 31/07, 01/08 → August; 14/12 → December; 15/12, 31/12 → January 2020.
    assert counts(engine, NGHI_DINH) == {
        "2019-07": 1,
        "2019-08": 4,
        "2019-09": 0,
        "2019-10": 0,
        "2019-11": 0,
        "2019-12": 1,
        "2020-01": 2,
    }


def test_the_unit_setting_decides_not_the_file(engine, empty_url):
    result = CliRunner().invoke(app, ["units", "add", "u-20", "Chốt ngày 20", "--cutoff-day", "20", "--db", empty_url])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.execute(select(Unit.cutoff_day).where(Unit.code == "u-20")).scalar_one() == 20
    assert import_register(engine, register_csv("19/03/2020", "20/03/2020", unit="u-20"), "r.csv").ok
    assert counts(engine, "u-20") == {"2020-03": 1, "2020-04": 1}


def test_derive_counts_fills_the_span_and_counts_moved_months():
    rows = derive_counts([("u", "m", dt.date(2019, 7, 16))], {"u": 15}, [("u", "m", dt.date(2019, 6, 1))])
    assert [(r.period, r.value) for r in rows] == [
        (dt.date(2019, 6, 1), 0),
        (dt.date(2019, 7, 1), 0),
        (dt.date(2019, 8, 1), 1),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("16/07/2019", dt.date(2019, 7, 16)),
        ("6/7/2019", dt.date(2019, 7, 6)),
        ("16.07.2019", dt.date(2019, 7, 16)),
        ("16-07-2019", dt.date(2019, 7, 16)),
        ("2019-07-16", dt.date(2019, 7, 16)),
        ("2019-07-16 09:12:00", dt.date(2019, 7, 16)),
        ("ngày 16 tháng 7 năm 2019", dt.date(2019, 7, 16)),
        (dt.datetime(2019, 7, 16, 0, 0), dt.date(2019, 7, 16)),
        (dt.date(2019, 7, 16), dt.date(2019, 7, 16)),
        (43662, dt.date(2019, 7, 16)),  # an Excel serial number in a cell not formatted as a date
    ],
)
def test_date_formats(raw, expected):
    assert parse_day(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("31/02/2019", "register_impossible_date"),
        ("29/02/2019", "register_impossible_date"),
        ("2019-13-01", "register_impossible_date"),
        ("16/07/19", "register_bad_date"),
        ("July 16, 2019", "register_bad_date"),
        ("", "register_missing_date"),
        ("16/07/1890", "register_date_out_of_range"),
        (1.5, "register_bad_date"),
    ],
)
def test_bad_dates(raw, error):
    assert parse_day(raw) == (None, error)


def test_xlsx_register_with_title_rows_and_excel_date_cells(engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["SỔ ĐĂNG KÝ CẤP GIẤY PHÉP XUẤT BẢN TÀI LIỆU KHÔNG KINH DOANH VÀ TỜ KHAI HOẠT ĐỘNG IN"])
    sheet.append([])
    sheet.append(["Số giấy phép", "Loại", "Ngày cấp", "Tổ chức, cá nhân", "Tên tài liệu", "Ghi chú"])
    sheet.append(["14/GP-STTTT", "Giấy phép xuất bản", dt.datetime(2019, 7, 16), "Hội Nông dân", "Bản tin", ""])
    sheet.append(["15/GP-STTTT", "GPXB", "2019-07-03", "Tỉnh đoàn", "Kỷ yếu", None])
    sheet.append([1, "Tờ khai hoạt động in", "ngày 20 tháng 7 năm 2019", "Công ty In", "", None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_register(engine, buffer.getvalue(), "sổ 2019.xlsx", unit=NGHI_DINH)
    assert report.ok, report.summary()
    assert (report.records_new, report.result.inserted) == (3, 3)
    assert counts(engine, NGHI_DINH) == {"2019-07": 1, "2019-08": 1}
    assert counts(engine, NGHI_DINH, "printing_declarations") == {"2019-08": 1}
    with engine.connect() as conn:
        rows = conn.execute(select(LicenceRecord.number, LicenceRecord.issued_on, LicenceRecord.holder)).all()
    assert sorted(rows) == [
        ("1", dt.date(2019, 7, 20), "Công ty In"),
        ("14/GP-STTTT", dt.date(2019, 7, 16), "Hội Nông dân"),
        ("15/GP-STTTT", dt.date(2019, 7, 3), "Tỉnh đoàn"),
    ]


def test_reimport_is_idempotent_and_a_moved_licence_revises_both_months(engine):
    content = register_csv("10/07/2019", "12/07/2019", "02/08/2019", unit=CALENDAR)
    first = import_register(engine, content, "r.csv")
    assert first.ok and first.result.batch_id is not None
    assert counts(engine, CALENDAR) == {"2019-07": 2, "2019-08": 1}
    again = import_register(engine, content, "r.csv")
    assert again.ok and again.result.batch_id is None and again.records_unchanged == 3
    assert "không có gì thay đổi" in again.summary()
    with engine.connect() as conn:
        assert len(conn.execute(select(ImportBatch.id)).all()) == 1

    moved = register_csv("10/07/2019", "12/08/2019", "02/08/2019", unit=CALENDAR)  # 02/GP corrected to August
    dry = import_register(engine, moved, "r-sửa.csv", dry_run=True)
    assert dry.ok and (dry.records_changed, dry.result.updated) == (1, 2)
    assert "chạy thử" in dry.summary()
    assert counts(engine, CALENDAR) == {"2019-07": 2, "2019-08": 1}
    report = import_register(engine, moved, "r-sửa.csv")
    assert report.ok and report.records_changed == 1
    assert counts(engine, CALENDAR) == {"2019-07": 1, "2019-08": 2}
    with engine.connect() as conn:
        revisions = sorted(conn.execute(select(Revision.old_value, Revision.new_value)).all())
        assert revisions == [(1, 2), (2, 1)]
        day, batch = conn.execute(
            select(LicenceRecord.issued_on, LicenceRecord.batch_id).where(LicenceRecord.number == "02/GP")
        ).one()
        assert day == dt.date(2019, 8, 12) and batch == report.result.batch_id
        kind = conn.execute(select(ImportBatch.source_kind).where(ImportBatch.id == batch)).scalar_one()
        assert kind == "register"


def test_a_changed_holder_alone_is_stored_in_its_own_batch(engine):
    assert import_register(engine, register_csv("10/07/2019", unit=CALENDAR), "r.csv").ok
    renamed = register_csv("10/07/2019", unit=CALENDAR).replace("Hội Nông dân".encode(), "Hội Phụ nữ".encode())
    report = import_register(engine, renamed, "r.csv")
    assert report.ok and report.result.batch_id is None and report.records_changed == 1
    with engine.connect() as conn:
        assert conn.execute(select(LicenceRecord.holder)).scalar_one() == "Hội Phụ nữ"
        messages = conn.execute(select(ImportBatch.message).order_by(ImportBatch.id)).scalars().all()
    assert messages == ["", "records only"]


def test_bad_register_lists_every_problem_with_row_and_column_and_changes_nothing(engine):
    assert import_register(engine, register_csv("10/07/2019", unit=CALENDAR), "good.csv").ok
    before = snapshot(engine)
    content = (
        "Số,Loại,Ngày cấp,Tổ chức,Mã đơn vị\n"
        f"20/GP,Giấy phép xuất bản,31/02/2019,A,{CALENDAR}\n"
        f",Giấy phép xuất bản,01/03/2019,B,{CALENDAR}\n"
        f"21/GP,Giấy phép lái xe,01/03/2019,C,{CALENDAR}\n"
        f"22/GP,Giấy phép xuất bản,01/03/2019,D,{CALENDAR}\n"
        f"22/GP,Giấy phép xuất bản,02/03/2019,D,{CALENDAR}\n"
        f"23/GP,Giấy phép xuất bản,05/03/2019,E,{CALENDAR}\n"  # a good row: must not be loaded either
        f"24/GP,Tờ khai hoạt động in,05/03/2019,F,no-such-unit\n"
    ).encode()
    report = import_register(engine, content, "sổ lỗi.csv")
    assert not report.ok
    lines = report.summary().splitlines()
    assert lines[0] == "sổ lỗi.csv: bị từ chối, 5 lỗi. Không có dữ liệu nào được ghi. Sửa các lỗi sau rồi nhập lại:"
    assert lines[1].startswith("  dòng 2, cột C – Ngày cấp (“31/02/2019”): Ngày không có thật trong lịch")
    assert lines[2].startswith("  dòng 3, cột A – Số: Thiếu số giấy phép")
    assert lines[3].startswith("  dòng 4, cột B – Loại (“Giấy phép lái xe”): Loại không rõ")
    assert lines[4].startswith("  dòng 6, cột A – Số (“22/GP”): Số này đã có ở dòng 5 với nội dung khác")
    assert lines[5].startswith("  dòng 8, cột E – Mã đơn vị (“no-such-unit”): Mã đơn vị không có")
    assert "row 2, column C – Ngày cấp (“31/02/2019”): This day does not exist" in report.summary("en")
    assert snapshot(engine) == before


def test_an_exact_repeat_of_a_row_is_not_a_problem(engine):
    repeat = f"01/GP,Giấy phép xuất bản,10/07/2019,Hội Nông dân,Tài liệu 1,{CALENDAR}\n"
    content = register_csv("10/07/2019", unit=CALENDAR) + repeat.encode()
    report = import_register(engine, content, "r.csv")
    assert report.ok and report.records_new == 1
    assert counts(engine, CALENDAR) == {"2019-07": 1}


def test_missing_columns_and_empty_register(engine):
    before = snapshot(engine)
    report = import_register(engine, "Số,Tổ chức\n1,A\n".encode(), "r.csv", unit=CALENDAR)
    assert "thiếu cột: type, issued_on" in report.summary()
    report = import_register(engine, HEADER.encode(), "r.csv", unit=CALENDAR)
    assert "Tệp rỗng" in report.summary()
    assert snapshot(engine) == before


def test_cli_register_import_dry_run_then_real(engine, empty_url, tmp_path):
    path = tmp_path / "so-dang-ky.csv"
    path.write_bytes(register_csv("14/07/2019", "15/07/2019"))
    runner = CliRunner()
    dry = runner.invoke(app, ["register", "import", str(path), "--unit", NGHI_DINH, "--dry-run", "--db", empty_url])
    assert dry.exit_code == 0, dry.output
    assert "2 bản ghi mới" in dry.output and "Chưa ghi gì" in dry.output
    assert counts(engine, NGHI_DINH) == {}
    real = runner.invoke(app, ["register", "import", str(path), "--unit", NGHI_DINH, "--db", empty_url])
    assert real.exit_code == 0, real.output
    assert counts(engine, NGHI_DINH) == {"2019-07": 1, "2019-08": 1}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(register_csv("31/02/2019"))
    failed = runner.invoke(
        app, ["register", "import", str(bad), "--unit", NGHI_DINH, "--db", empty_url, "--lang", "en"]
    )
    assert failed.exit_code == 1
    assert "This day does not exist" in failed.output
