"""Output safety: every CSV and XLSX export neutralises cells a spreadsheet would run (=, +, -, @, tab, CR,
LF at the start) and keeps numbers numeric, on every export path; no page renders raw HTML."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from commstats import export
from commstats.cli import app
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine, writer
from commstats.models import Member
from etl.pipeline import import_content

LEADS = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "\n=1", "=cmd|' /C calc'!A0"]
SAFE = ["Trà Vinh", "1+1", " =1", "tiếng Việt", ""]


def _frame() -> pd.DataFrame:
    texts = LEADS + SAFE
    return pd.DataFrame({"member_name": texts, "note": list(reversed(texts)), "value": range(-3, len(texts) - 3)})


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _check_text(cell: str, original: str) -> None:
    if original.startswith(export.FORMULA_LEADS):
        assert cell == "'" + original
    else:
        assert cell == original


def test_export_functions_neutralise_formula_leads_and_keep_numbers():
    frame = _frame()
    rows = _csv_rows(export.to_csv_bytes(frame, "en"))
    assert rows[0] == ["Member name", "Note", "Value"]
    for row, (name, note, value) in zip(rows[1:], frame.itertuples(index=False), strict=True):
        _check_text(row[0], name)
        _check_text(row[1], note)
        assert row[2] == str(value)  # -3 stays the number -3, not the text '-3
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(frame, "vi"))).active
    for excel_row, (name, note, value) in zip(sheet.iter_rows(min_row=2), frame.itertuples(index=False), strict=True):
        assert all(cell.data_type != "f" for cell in excel_row)  # no formula cell at all
        _check_text(excel_row[0].value or "", name)
        _check_text(excel_row[1].value or "", note)
        assert excel_row[2].data_type == "n" and excel_row[2].value == value


def test_headers_from_data_are_neutralised_too():
    frame = pd.DataFrame({'=HYPERLINK("http://x")': ["a"], "value": [1]})
    assert _csv_rows(export.to_csv_bytes(frame))[0][0] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_neutralises_names_and_notes_from_the_database(empty_url, tmp_path, fmt):
    engine = make_engine(empty_url)
    rows = "period,metric,member,value,note\n2019-07,sites_posts,site-a,7,@SUM(1+1)\n2019-07,portal_audio,,14,-2+3\n"
    assert import_content(engine, rows.encode(), "t.csv", unit="test-unit").ok
    with writer(engine).begin() as conn:
        conn.execute(update(Member).where(Member.code == "site-a").values(name_vi="=1+1", name_en="=1+1"))
    engine.dispose()
    out = tmp_path / f"out.{fmt}"
    done = CliRunner().invoke(app, ["export", "--out", str(out), "--format", fmt, "--db", empty_url])
    assert done.exit_code == 0, done.output
    if fmt == "csv":
        table = _csv_rows(out.read_bytes())
        header, body = table[0], table[1:]
        values = [int(r[header.index("Giá trị")]) for r in body]
    else:
        sheet = openpyxl.load_workbook(out).active
        table = [[c.value for c in row] for row in sheet.iter_rows()]
        header, body = table[0], table[1:]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        assert all(isinstance(r[header.index("Giá trị")], int) for r in body)
        values = [r[header.index("Giá trị")] for r in body]
    by_member = {r[header.index("Mã thành phần")] or "": r for r in body}
    assert by_member["site-a"][header.index("Thành phần")] == "'=1+1"
    assert by_member["site-a"][header.index("Ghi chú")] == "'@SUM(1+1)"
    assert by_member[""][header.index("Ghi chú")] == "'-2+3"
    assert sorted(values) == [7, 14]


def test_no_page_renders_raw_html():
    """Streamlit escapes text unless told otherwise: nothing in the UI may tell it otherwise."""
    files = [PROJECT_ROOT / "dashboard.py", *(PROJECT_ROOT / "pages").glob("*.py"), *(PROJECT_ROOT / "ui").glob("*.py")]
    assert len(files) > 10
    for path in files:
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in source, path
        raw = re.findall(r"\bst\.html\(|components\.html\(|\.v1\.html\(", source)
        if path.name == "auth.py" and path.parent.name == "ui":
            # The one exception: the zero-height script that sets the sign-in cookie (Streamlit cannot set
            # cookies); its only dynamic text goes in as a JSON string literal with "<" escaped.
            assert raw == ["components.html("] and 'json.dumps(f"{COOKIE}={token}' in source, path
        else:
            assert not raw, path
