"""The data-entry workbook: written by `python -m commstats template`, filled in as people do, imported."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from commstats import queries
from commstats.cli import app
from commstats.models import ImportBatch, Observation, Revision
from commstats.template import CODE_HEADER, MARKER_SHEET, build_template
from etl.extract.template_workbook import is_template
from etl.pipeline import import_content

UNIT = "test-unit"
PORTAL = "Cổng thông tin điện tử"
SITES = "Trang tin thành phần"


def snapshot(engine: Engine) -> list[tuple]:
    """Every observation row: the database is unchanged when this is."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))]


def workbook(engine: Engine, year: int = 2025, lang: str = "vi") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_template(engine, year, UNIT, lang)))


def to_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(sheet: Worksheet, code: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            return row
    raise AssertionError(code)


def values(engine: Engine, metric: str) -> dict[tuple[str, str], int]:
    frame = queries.observations_for_export(engine, metric_codes=[metric], unit_codes=[UNIT])
    return {(str(r.period), str(r.member)): int(r.value) for r in frame.itertuples()}


def test_cli_writes_the_workbook_with_protection_validation_and_hidden_codes(empty_url, empty_engine, tmp_path):
    out = tmp_path / "bieu-mau-2025.xlsx"
    result = CliRunner().invoke(
        app, ["template", "--year", "2025", "--out", str(out), "--unit", UNIT, "--db", empty_url]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    sections = [s.name_vi for s in _sections(empty_engine)]
    assert book.sheetnames == ["Hướng dẫn", *sections, MARKER_SHEET]
    assert book[MARKER_SHEET].sheet_state == "veryHidden"
    assert "Không sửa, xóa hay chèn cột mã ẩn" in " ".join(str(c.value) for c in book["Hướng dẫn"]["A"])

    sheet = book[PORTAL]
    assert sheet["B1"].value == "BIỂU NHẬP SỐ LIỆU NĂM 2025 — CỔNG THÔNG TIN ĐIỆN TỬ"
    assert "B1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert "Sở Thông tin và Truyền thông thử nghiệm (mã test-unit)" in sheet["B2"].value
    assert "ô trống khác số 0" in sheet["B3"].value
    header = [c.value for c in sheet[5]]
    assert header[:4] == [CODE_HEADER, "Chỉ tiêu", "Đơn vị tính", "Tháng 1/2025"]
    assert header[14] == "Tháng 12/2025"
    assert sheet.column_dimensions["A"].hidden
    vi_row = row_of(sheet, "portal_posts|vi")
    assert sheet.cell(vi_row, 2).value == "tiếng Việt"
    assert sheet.cell(vi_row, 3).value == "tin, bài"
    assert sheet.cell(row_of(sheet, "portal_audio"), 2).value == "Bản tin audio (thu và phát)"
    total_row = row_of(sheet, "portal_posts|*")
    assert sheet.cell(total_row, 4).value == f"=SUM(D{vi_row}:D{row_of(sheet, 'portal_posts|en')})"

    assert sheet.protection.sheet
    assert sheet.cell(5, 4).protection.locked  # header
    assert sheet.cell(vi_row, 2).protection.locked  # names
    assert sheet.cell(total_row, 4).protection.locked  # totals
    assert not sheet.cell(vi_row, 4).protection.locked  # input cells
    assert not sheet.cell(vi_row, 15).protection.locked
    [validation] = sheet.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert validation.showErrorMessage and "số nguyên" in validation.error
    assert f"D{vi_row}:O{vi_row}" in str(validation.sqref)
    assert f"D{total_row}" not in str(validation.sqref)

    sites = book[SITES]
    assert sites.cell(row_of(sites, "sites_posts|cau-ke"), 2).value == "UBND huyện Cầu Kè"
    assert sites.cell(row_of(sites, "sites_count"), 2).value == "Số trang tin thành phần"


def _sections(engine: Engine):  # type: ignore[no-untyped-def]
    from commstats.models import Section

    with engine.connect() as conn:
        return list(conn.execute(select(Section).order_by(Section.sort_order)))


def test_english_workbook_and_bad_arguments(empty_url, empty_engine, tmp_path):
    book = workbook(empty_engine, 2025, "en")
    assert book.sheetnames[0] == "Instructions"
    sheet = book["Web portal"]
    assert [c.value for c in sheet[5]][1:4] == ["Metric", "Unit of measure", "01/2025"]
    assert sheet.cell(row_of(sheet, "portal_posts|km"), 2).value == "Khmer"
    runner = CliRunner()
    unknown = runner.invoke(
        app, ["template", "--year", "2025", "--out", str(tmp_path / "a.xlsx"), "--unit", "nope", "--db", empty_url]
    )
    assert unknown.exit_code == 2 and "unknown unit: nope" in unknown.output
    assert not (tmp_path / "a.xlsx").exists()
    wrong = runner.invoke(app, ["template", "--year", "2025", "--out", str(tmp_path / "a.csv"), "--db", empty_url])
    assert wrong.exit_code == 2 and ".xlsx" in wrong.output


def test_filled_workbook_imports_only_the_filled_cells(empty_engine):
    book = workbook(empty_engine)
    portal, sites = book[PORTAL], book[SITES]
    portal.cell(row_of(portal, "portal_posts|vi"), 10).value = 33  # July (column J)
    portal.cell(row_of(portal, "portal_posts|km"), 10).value = 23
    portal.cell(row_of(portal, "portal_posts|en"), 10).value = 14
    portal.cell(row_of(portal, "portal_audio"), 10).value = 0  # a real zero
    portal.cell(row_of(portal, "portal_audio"), 11).value = "2.682.057"  # text with thousands dots
    sites.cell(row_of(sites, "sites_count"), 10).value = 43
    sites.cell(row_of(sites, "sites_posts|cau-ke"), 10).value = "12"
    report = import_content(empty_engine, to_bytes(book), "số liệu tháng 7.xlsx")
    assert report.ok, report.summary()
    assert report.result is not None and report.result.inserted == 7
    assert values(empty_engine, "portal_posts") == {("2025-07", "vi"): 33, ("2025-07", "km"): 23, ("2025-07", "en"): 14}
    assert values(empty_engine, "portal_audio") == {("2025-07", ""): 0, ("2025-08", ""): 2682057}
    assert values(empty_engine, "sites_posts") == {("2025-07", "cau-ke"): 12}
    assert values(empty_engine, "sites_count") == {("2025-07", ""): 43}
    assert values(empty_engine, "portal_drafts") == {}  # empty = not reported, not zero

    again = import_content(empty_engine, to_bytes(book), "copy.xlsx")
    assert again.result is not None and again.result.batch_id is None and again.result.unchanged == 7

    portal.cell(row_of(portal, "portal_posts|vi"), 10).value = 34
    portal.cell(row_of(portal, "portal_posts|km"), 10).value = None  # cleared: left as it was
    changed = import_content(empty_engine, to_bytes(book), "sửa.xlsx")
    assert changed.result is not None and (changed.result.updated, changed.result.unchanged) == (1, 5)
    assert values(empty_engine, "portal_posts")[("2025-07", "vi")] == 34
    assert values(empty_engine, "portal_posts")[("2025-07", "km")] == 23
    with empty_engine.connect() as conn:
        assert conn.execute(select(Revision.old_value, Revision.new_value)).all() == [(33, 34)]


def test_what_people_do_to_the_workbook_is_tolerated(empty_engine):
    book = workbook(empty_engine)
    sheet = book[PORTAL]
    sheet.protection.sheet = False
    vi, km, audio = (row_of(sheet, c) for c in ("portal_posts|vi", "portal_posts|km", "portal_audio"))
    sheet.cell(vi, 4).value, sheet.cell(km, 4).value, sheet.cell(audio, 4).value = 5, 6, " 7 "
    sheet.insert_rows(1, 2)  # an extra title row and a blank one above everything
    sheet["B1"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG — BÁO CÁO THÁNG 1"
    sheet.merge_cells("B1:H1")
    last = sheet.max_row
    sheet.insert_rows(last + 1, 2)  # blank rows, then their own total row without a code
    sheet.cell(last + 3, 2, "Tổng cộng")
    sheet.cell(last + 3, 4, 999)
    sheet.cell(last + 4, 2, "Ghi chú: số liệu tạm tính")  # a note, no figures
    sheet.merge_cells(start_row=last + 4, start_column=2, end_row=last + 4, end_column=8)
    report = import_content(empty_engine, to_bytes(book), "đã sửa.xlsx")
    assert report.ok, report.summary()
    assert values(empty_engine, "portal_posts") == {("2025-01", "vi"): 5, ("2025-01", "km"): 6}
    assert values(empty_engine, "portal_audio") == {("2025-01", ""): 7}


def test_total_rows_are_checked_against_their_members(empty_engine):
    book = workbook(empty_engine)
    sheet = book[PORTAL]
    vi, km, total = (row_of(sheet, c) for c in ("portal_posts|vi", "portal_posts|km", "portal_posts|*"))
    sheet.cell(vi, 4).value, sheet.cell(km, 4).value = 33, 23
    sheet.cell(total, 4).value = 56  # as Excel would have computed it: fine
    sheet.cell(total, 5).value = 0  # an untouched SUM over empty cells: fine
    assert import_content(empty_engine, to_bytes(book), "ok.xlsx", dry_run=True).ok
    sheet.cell(total, 4).value = 60
    sheet.cell(total, 6).value = 9  # a total without members
    before = snapshot(empty_engine)
    report = import_content(empty_engine, to_bytes(book), "tổng sai.xlsx")
    assert not report.ok
    text = report.summary()
    assert f"dòng {total}, cột D – Tháng 1/2025 [{PORTAL}] (“60”)" in text
    assert "các dòng thành phần cộng lại được 56" in text
    assert f"dòng {total}, cột F – Tháng 3/2025 [{PORTAL}] (“9”)" in text
    assert "các dòng thành phần bên dưới đều trống" in text
    assert snapshot(empty_engine) == before


def test_text_and_negative_numbers_name_sheet_row_and_column_and_change_nothing(empty_engine):
    import_content(empty_engine, _filled(empty_engine, 1), "first.xlsx")
    before = snapshot(empty_engine)
    book = workbook(empty_engine)
    sheet = book[PORTAL]
    audio = row_of(sheet, "portal_audio")
    sheet.cell(audio, 4).value = 8  # a valid change that must not be applied either
    sheet.cell(audio, 5).value = "mười"
    sheet.cell(audio, 6).value = -3
    sheet.cell(audio, 7).value = 2.5
    report = import_content(empty_engine, to_bytes(book), "lỗi.xlsx")
    assert not report.ok and len(report.problems) == 3
    lines = report.summary().splitlines()
    assert lines[0].startswith("lỗi.xlsx: bị từ chối, 3 lỗi. Không có dữ liệu nào được ghi.")
    assert f"dòng {audio}, cột E – Tháng 2/2025 [{PORTAL}] (“mười”): Không phải là số" in lines[1]
    assert f"dòng {audio}, cột F – Tháng 3/2025 [{PORTAL}] (“-3”): Giá trị âm" in lines[2]
    assert "phần thập phân" in lines[3]
    assert f"row {audio}, column E – Tháng 2/2025 [{PORTAL}] (“mười”): Not a number" in report.summary("en")
    assert snapshot(empty_engine) == before


def test_row_without_code_but_with_figures_is_a_problem(empty_engine):
    book = workbook(empty_engine)
    sheet = book[SITES]
    sheet.protection.sheet = False
    row = sheet.max_row + 1
    sheet.cell(row, 2, "UBND xã Mới")  # a new site typed in a new row: no code
    sheet.cell(row, 4, 5)
    report = import_content(empty_engine, to_bytes(book), "trang mới.xlsx")
    assert not report.ok
    assert "Dòng “UBND xã Mới” có số liệu nhưng không có mã chỉ tiêu ở cột A" in report.summary()


def _filled(engine: Engine, value: int) -> bytes:
    book = workbook(engine)
    sheet = book[PORTAL]
    sheet.cell(row_of(sheet, "portal_audio"), 4).value = value
    return to_bytes(book)


def test_recognised_by_structure_not_by_name(empty_engine):
    content = _filled(empty_engine, 4)
    assert is_template(content, "anything.xlsx")
    # The sheets copied into a new workbook (no marker sheet): the code column still tells.
    source = openpyxl.load_workbook(io.BytesIO(content))[PORTAL]
    copy = openpyxl.Workbook()
    target = copy.active
    for row in source.iter_rows(values_only=True):
        target.append(list(row))
    copied = to_bytes(copy)
    assert is_template(copied, "Book1.xlsx")
    report = import_content(empty_engine, copied, "Book1.xlsx", unit=UNIT)
    assert report.ok, report.summary()
    assert values(empty_engine, "portal_audio") == {("2025-01", ""): 4}
    # The hidden code column deleted: the marker sheet says it was the workbook, and what to do.
    book = openpyxl.load_workbook(io.BytesIO(content))
    for name in book.sheetnames[1:-1]:
        book[name].delete_cols(1)
    report = import_content(empty_engine, to_bytes(book), "no codes.xlsx")
    assert "mất cột mã ẩn" in report.summary()


def test_long_format_xlsx_still_imports(empty_engine):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["period", "metric", "member", "value", "unit"])
    sheet.append(["2019-07", "portal_posts", "vi", 33, UNIT])
    sheet.append([dt.datetime(2019, 7, 1), "publishing_licences", None, "14", UNIT])
    content = to_bytes(book)
    assert not is_template(content, "long.xlsx")
    report = import_content(empty_engine, content, "long.xlsx")
    assert report.ok, report.summary()
    assert values(empty_engine, "portal_posts") == {("2019-07", "vi"): 33}
    assert values(empty_engine, "publishing_licences") == {("2019-07", ""): 14}


def test_template_import_through_the_cli_and_batch_provenance(empty_url, empty_engine, tmp_path):
    path = tmp_path / "bieu-mau.xlsx"
    path.write_bytes(_filled(empty_engine, 11))
    result = CliRunner().invoke(app, ["import", str(path), "--db", empty_url])
    assert result.exit_code == 0, result.output
    assert "1 giá trị mới" in result.output
    with empty_engine.connect() as conn:
        batch = conn.execute(select(ImportBatch.source_kind, ImportBatch.source_name, ImportBatch.sha256)).one()
        assert batch.source_name == "bieu-mau.xlsx" and len(batch.sha256) == 64
        assert batch.source_kind == "template"  # the log tells the workbook from a long-format .xlsx
        assert conn.execute(select(func.count()).select_from(Observation)).scalar_one() == 1


@pytest.mark.parametrize("year", [1899, 2201])
def test_impossible_years_are_refused(empty_engine, year):
    with pytest.raises(ValueError):
        build_template(empty_engine, year, UNIT)
