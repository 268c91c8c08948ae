"""XLSX import in the long format: what Excel stores (numbers as floats, dates as dates) loads cleanly."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from etl.pipeline import import_content
from tests.dbstate import snapshot
from tests.importfiles import GOOD_OBSERVATIONS, GOOD_ROWS, observations, xlsx_bytes


def test_long_format_workbook_loads_and_reimport_changes_nothing(empty_engine):
    content = xlsx_bytes(GOOD_ROWS)
    report = import_content(empty_engine, content, "thang-7.xlsx")
    assert report.ok, report.summary("en")
    assert report.result.inserted == len(GOOD_ROWS)
    assert observations(empty_engine) == GOOD_OBSERVATIONS
    assert queries.import_batches(empty_engine)["source_kind"].tolist() == ["xlsx"]  # not the entry workbook
    before = snapshot(empty_engine)
    again = import_content(empty_engine, content, "thang-7.xlsx")
    assert again.ok and again.result.batch_id is None and again.result.unchanged == len(GOOD_ROWS)
    assert snapshot(empty_engine) == before


def test_excel_cell_types_dates_floats_and_month_text(empty_engine):
    rows = [
        (dt.datetime(2019, 7, 1), "portal_audio", None, 14.0, None),  # a date cell and a float, as Excel stores them
        (dt.date(2019, 8, 1), "portal_audio", None, 12, "tháng 8"),
        ("tháng 9/2019", "portal_audio", "", "1.204", ""),
    ]
    report = import_content(empty_engine, xlsx_bytes(rows), "kieu-o.xlsx")
    assert report.ok, report.summary("en")
    assert {(o[2], o[4], o[5]) for o in observations(empty_engine)} == {
        ("2019-07-01", 14, ""),
        ("2019-08-01", 12, "tháng 8"),
        ("2019-09-01", 1204, ""),
    }


def test_workbook_with_a_bad_row_names_the_cell_and_changes_nothing(empty_engine):
    before = snapshot(empty_engine)
    rows = [*GOOD_ROWS, ("2019-07", "portal_drafts", "", 2.5, "")]
    report = import_content(empty_engine, xlsx_bytes(rows), "le.xlsx")
    assert not report.ok
    assert "dòng 8, cột value (“2.5”): Giá trị có phần thập phân." in report.summary()
    assert snapshot(empty_engine) == before
