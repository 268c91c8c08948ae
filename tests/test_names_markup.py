"""Names are data, never markup: codes are plain (a new site code with markup is refused with a suggested code),
names and notes may hold anything and are shown literally — Markdown escaping checked with a CommonMark parser,
plotly labels escaped, CSV/XLSX cells neutralised (fullwidth formula leads too), the .docx holds the literal
text, and an export of neutralised cells imports back unchanged."""

from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl
import pandas as pd
import pytest
from docx import Document
from markdown_it import MarkdownIt
from sqlalchemy import update
from typer.testing import CliRunner

from commstats import charts, export, queries
from commstats.cli import app
from commstats.codes import is_code, suggest_code
from commstats.db import make_engine, writer
from commstats.models import Member, Observation, Unit
from commstats.narrative import draft_report
from commstats.narrative.document import to_docx_bytes
from commstats.narrative.output import to_text
from commstats.periods import parse_period
from etl.pipeline import import_content
from tests.dbstate import snapshot
from ui.markup import md

TRAP = "127.0.0.1:1"
HOSTILE = [
    f"![x](http://{TRAP}/x.png)",
    "[a](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    f'=HYPERLINK("http://{TRAP}","x")',
    ":material/warning: :red[đỏ] $x^2$ **đậm** `mã` &lt;b&gt;",
    "1. không phải danh sách\n# không phải tiêu đề",
    "Sở Thông tin & Truyền thông (Trà Vinh) — 100%",
]
FULLWIDTH = ["＝1+1", "＋1", "－1", "＠SUM(1)", "﹦1", "⁼1", "−1", "﹫x"]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_escape_renders_the_literal_text(text):
    rendered = MarkdownIt("commonmark").render(md(text))
    assert "<img" not in rendered and "<a " not in rendered and "<h1" not in rendered and "<ol" not in rendered
    assert "<strong" not in rendered and "<code" not in rendered
    shown = MarkdownIt("commonmark").render(md(text)).removeprefix("<p>").removesuffix("</p>\n")
    literal = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert shown.replace("<br />\n", "\n") == literal  # character for character, line breaks kept


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_labels_are_plain_text(text):
    ranking = pd.DataFrame({"member": ["s"], "name": [text], "posts": [5], "share": [100.0]})
    figure = charts.ranking_figure(ranking, "vi")
    label = figure.data[0].y[0]
    assert "<" not in label and ">" not in label and "%{" not in label
    # plotly turns the character references back into the characters: the label reads as the name.
    decoded = label.replace("&lt;", "<").replace("&gt;", ">").replace("&#37;", "%").replace("&amp;", "&")
    assert decoded == text


def test_new_site_codes_are_plain_codes_with_a_suggestion(empty_engine):
    before = snapshot(empty_engine)
    rows = [
        "period,metric,member,value",
        *(
            f'2019-07,sites_posts,"{c}",1'
            for c in ("![px](http://host/px.png)", "[Bấm vào đây](http://host/phish)", "Cầu Kè", "cau_ke")
        ),
    ]
    report = import_content(empty_engine, "\n".join(rows).encode(), "moi.csv", unit="test-unit")
    assert [p.key for p in report.problems] == ["unsafe_member_code"] * 4
    messages = [p.message("vi") for p in report.problems]
    assert "Sửa mã thành px-http-host-px-png" in messages[0]
    assert "Sửa mã thành bam-vao-day-http-host-phish" in messages[1]
    assert "Sửa mã thành cau-ke" in messages[2] and "Change the code to cau-ke" in report.problems[2].message("en")
    assert "chữ thường không dấu a-z, chữ số 0-9 và dấu gạch ngang" in messages[0]
    assert snapshot(empty_engine) == before
    assert import_content(
        empty_engine, b"period,metric,member,value\n2019-07,sites_posts,cau-ke,1\n", "ok.csv", unit="test-unit"
    ).ok


@pytest.mark.parametrize(
    ("text", "code"), [("Cầu Kè", "cau-ke"), ("TP. Trà Vinh", "tp-tra-vinh"), ("Đức Hòa", "duc-hoa"), ("<>", "")]
)
def test_suggested_codes_are_codes(text, code):
    assert suggest_code(text) == code
    assert code == "" or is_code(code)


def test_units_add_refuses_a_code_with_markup(empty_url):
    before = snapshot(empty_url)
    done = CliRunner().invoke(app, ["units", "add", "[a](javascript:alert(1))", "Sở A", "--db", empty_url])
    assert done.exit_code == 2
    assert "Mã đơn vị" in done.output and "a-javascript-alert-1" in done.output
    assert snapshot(empty_url) == before


def test_fullwidth_and_look_alike_formula_leads_are_neutralised():
    frame = pd.DataFrame({"member_name": FULLWIDTH, "value": range(len(FULLWIDTH))})
    rows = list(csv.reader(io.StringIO(export.to_csv_bytes(frame).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in FULLWIDTH]
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(frame))).active
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == ["'" + t for t in FULLWIDTH]
    # Every character that Unicode folds (NFKC) into = + - @ is a lead: none is forgotten.
    folded = {chr(c) for c in range(0x110000) if unicodedata.normalize("NFKC", chr(c)) in ("=", "+", "-", "@")}
    assert folded <= set(export.FORMULA_LEADS)


def test_neutralised_fullwidth_note_imports_back_unchanged(empty_engine):
    csv_text = "period,metric,member,value,note\n2019-07,portal_audio,,14,'＝1+1\n"
    assert import_content(empty_engine, csv_text.encode(), "lai.csv", unit="test-unit").ok
    with empty_engine.connect() as conn:
        assert conn.execute(Observation.__table__.select()).one().note == "＝1+1"


def test_hostile_names_reach_exports_neutralised_and_the_docx_literally(demo_url, tmp_path):
    engine = make_engine(demo_url)
    name = f"Sở {HOSTILE[0]} {HOSTILE[2]}"
    with writer(engine).begin() as conn:
        conn.execute(update(Unit).where(Unit.code == "vinhlong-demo").values(name_vi=name))
        conn.execute(update(Member).where(Member.dimension == "site", Member.code != "").values(name_vi=HOSTILE[3]))
        conn.execute(update(Observation).values(note=HOSTILE[3]))
    july = parse_period("2019-07").start
    frame = queries.observations_for_export(engine, start=july, end=july)
    rows = list(csv.reader(io.StringIO(export.to_csv_bytes(frame).decode("utf-8-sig"))))
    header = rows[0]
    sites = [
        r for r in rows[1:] if r[header.index("Mã chỉ tiêu")] == "sites_posts" and r[header.index("Mã thành phần")]
    ]
    assert sites and all(r[header.index("Thành phần")] == "'" + HOSTILE[3] for r in sites)
    assert all(r[header.index("Ghi chú")] == "'" + HOSTILE[3] for r in rows[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx_bytes(frame))).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    draft = draft_report(engine, ["vinhlong-demo"], parse_period("2026-01"), "vi")  # after the merger: its name
    engine.dispose()
    text = "\n".join(p.text for p in Document(io.BytesIO(to_docx_bytes(draft))).paragraphs)
    assert name.upper() in text  # the heading names the unit in capitals, every character kept
    assert name in to_text(draft)  # the .txt download keeps the case
