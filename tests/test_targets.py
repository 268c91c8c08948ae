"""`commstats targets import|list`: annual targets loaded all or nothing, as a batch, and used by the draft."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from typer.testing import CliRunner

from commstats import queries
from commstats.cli import app
from commstats.db import make_engine
from commstats.narrative import draft_report, parse_compare
from commstats.numbers import format_count
from commstats.periods import parse_period
from etl.load import load_rows
from etl.validate import CleanRow
from tests.dbstate import snapshot


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def write(tmp_path, name: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def targets_of(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        return [tuple(r) for r in queries.target_list(engine).itertuples(index=False)]
    finally:
        engine.dispose()


def test_import_list_reimport_and_update(empty_url, tmp_path):
    path = write(
        tmp_path, "ke-hoach-2019.csv", "year,metric,value\n2019,publishing_licences,120\n2019,portal_posts,900\n"
    )
    result = invoke("targets", "import", str(path), "--db", empty_url)
    assert result.exit_code == 0, result.output
    assert "ke-hoach-2019.csv: đã nạp lô #" in result.output and "2 giá trị mới" in result.output
    rows = targets_of(empty_url)
    assert {(r[0], r[1], r[2], r[3]) for r in rows} == {
        ("test-unit", 2019, "publishing_licences", 120),
        ("test-unit", 2019, "portal_posts", 900),
    }
    batch_id = rows[0][4]
    engine = make_engine(empty_url)
    batches = queries.import_batches(engine)
    engine.dispose()
    batch = batches[batches["id"] == batch_id].iloc[0]
    assert batch["source_kind"] == "targets" and batch["source_name"] == "ke-hoach-2019.csv"
    assert batch["rows_inserted"] == 2

    listed = invoke("targets", "list", "--db", empty_url)
    assert listed.exit_code == 0
    assert "test-unit" in listed.output and "portal_posts" in listed.output and f"#{batch_id}" in listed.output

    before = snapshot(empty_url)
    again = invoke("targets", "import", str(path), "--db", empty_url)
    assert again.exit_code == 0 and "không có gì thay đổi" in again.output
    assert snapshot(empty_url) == before  # not even a batch

    changed = write(tmp_path, "ke-hoach-2019b.csv", "year,metric,value\n2019,publishing_licences,1.250\n")
    updated = invoke("targets", "import", str(changed), "--db", empty_url, "--lang", "en")
    assert updated.exit_code == 0 and "1 changed" in updated.output
    row = next(r for r in targets_of(empty_url) if r[2] == "publishing_licences")
    assert row[3] == 1250 and row[4] != batch_id


def test_xlsx_with_vietnamese_headers_and_unit_column(empty_url, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Năm", "Mã chỉ tiêu", "Kế hoạch"])
    sheet.append(["test-unit", 2020, "igate_received", 7000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(buffer.getvalue())
    result = invoke("targets", "import", str(path), "--db", empty_url)
    assert result.exit_code == 0, result.output
    assert [(r[0], r[1], r[2], r[3]) for r in targets_of(empty_url)] == [("test-unit", 2020, "igate_received", 7000)]


def test_bad_file_is_rejected_whole_with_row_column_and_fix(empty_url, tmp_path):
    path = write(
        tmp_path,
        "sai.csv",
        "year,metric,value,unit\n"
        "2019,publishing_licences,120,test-unit\n"  # fine, but not loaded because others are wrong
        "19,portal_posts,900,test-unit\n"
        "2019,portal_postz,900,test-unit\n"
        "2019,sites_count,43,test-unit\n"
        "2019,igate_received,-5,test-unit\n"
        "2019,publishing_licences,130,test-unit\n"
        "2019,igate_received,10,hanoi\n",
    )
    before = snapshot(empty_url)
    result = invoke("targets", "import", str(path), "--db", empty_url)
    assert result.exit_code == 1
    out = result.output
    assert "sai.csv: bị từ chối, 6 lỗi. Không có dữ liệu nào được ghi." in out
    assert "dòng 3, cột year (“19”): Năm không hợp lệ. Ghi năm bằng 4 chữ số" in out
    assert "dòng 4, cột metric (“portal_postz”): Mã chỉ tiêu không có trong danh mục" in out
    assert "dòng 5, cột metric (“sites_count”): Chỉ tiêu sites_count là số cuối kỳ" in out
    assert "dòng 6, cột value (“-5”): Giá trị âm." in out
    assert "dòng 7, cột metric (“publishing_licences”): Trùng với dòng 2 (cùng đơn vị, chỉ tiêu, năm)" in out
    assert "dòng 8, cột unit (“hanoi”): Mã đơn vị không có trong cơ sở dữ liệu" in out
    assert snapshot(empty_url) == before


def test_missing_columns_and_dry_run(empty_url, tmp_path):
    before = snapshot(empty_url)
    wrong = write(tmp_path, "thieu.csv", "nam,metric\n2019,portal_posts\n")
    result = invoke("targets", "import", str(wrong), "--db", empty_url)
    assert result.exit_code == 1
    assert "dòng 1, cột -: Thiếu cột bắt buộc: value. Dòng tiêu đề phải có các cột year, metric, value" in result.output
    good = write(tmp_path, "dung.csv", "year;metric;value\n2019;portal_posts;900\n")
    dry = invoke("targets", "import", str(good), "--dry-run", "--db", empty_url)
    assert dry.exit_code == 0 and "hợp lệ (chạy thử)" in dry.output
    assert snapshot(empty_url) == before


def test_imported_target_gives_the_share_in_the_draft(empty_url, tmp_path):
    engine = make_engine(empty_url)
    months = [dt.date(2019, m, 1) for m in range(1, 8)]
    rows = [CleanRow(i, "test-unit", "publishing_licences", m, "", 10) for i, m in enumerate(months, 2)]
    load_rows(engine, rows, source_kind="test", source_name="t", sha256="t")
    path = write(tmp_path, "kh.csv", "year,metric,value\n2019,publishing_licences,120\n")
    assert invoke("targets", "import", str(path), "--db", empty_url).exit_code == 0
    draft = draft_report(engine, ["test-unit"], parse_period("2019-07"), "vi", parse_compare("ytd,target"))
    text = {p.id: p.text for p in draft.paragraphs}["publishing_licences"]
    # 70 of 120 = 58,3%
    assert text == (
        "Cấp 10 Giấy phép xuất bản tài liệu không kinh doanh. Lũy kế 7 tháng đầu năm 2019, giấy phép xuất bản là "
        "70 giấy phép, đạt 58,3% kế hoạch năm."
    )
    targets = draft.figures[draft.figures["role"] == "target"]
    batch = queries.target_list(engine)["batch_id"].iloc[0]
    assert list(targets["value"]) == [120] and list(targets["batch_id"]) == [batch]
    engine.dispose()


def test_targets_list_on_the_demo(demo_url):
    engine = make_engine(demo_url)
    stored = queries.targets(engine, queries.unit_ids_with_predecessors(engine, ["travinh-demo"]), 2019)
    engine.dispose()
    result = invoke("targets", "list", "--unit", "travinh-demo", "--year", "2019", "--db", demo_url)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(stored) >= 1 and all(" 2019 " in line for line in lines)
    for metric, value in stored.items():
        assert any(metric in line and f" {format_count(value)} " in line for line in lines)
