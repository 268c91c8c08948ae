"""`python -m commstats draft`: the golden sentences on the demo data, every format, and clear errors."""

from __future__ import annotations

import io
import subprocess
import sys

import docx
from typer.testing import CliRunner

from commstats.cli import app
from commstats.config import PROJECT_ROOT
from tests.test_narrative_golden import SEED_PORTAL, SEED_PUBLISHING, SEED_SITES

GOLDEN = (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING)


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_python_m_commstats_draft_prints_the_seed_sentences(demo_url):
    """The README's command, run as a real process on the demo database."""
    result = subprocess.run(
        [sys.executable, "-m", "commstats", "draft", "--period", "2019-07", "--db", demo_url],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for sentence in GOLDEN:
        assert f"- {sentence}" in lines
    assert "Số liệu báo cáo tháng 7/2019" in lines
    assert any("(chiếm " in line and "iGate" in line for line in lines)
    assert any(line.startswith("- Lãnh đạo Sở tham dự ") for line in lines)


def test_draft_every_period_kind(demo_url):
    for period, title in (
        ("2019-Q3", "quý III/2019"),
        ("2019-H1", "6 tháng đầu năm 2019"),
        ("2019-9M", "9 tháng đầu năm 2019"),
        ("2019", "năm 2019"),
    ):
        result = invoke("draft", "--period", period, "--unit", "travinh-demo", "--db", demo_url)
        assert result.exit_code == 0, result.output
        assert f"Số liệu báo cáo {title}\n" in result.output
        assert "- Về hoạt động của 43 Trang tin thành phần (trong đó có 03 trang hoạt động riêng)" in result.output


def test_draft_with_comparisons_and_english(demo_url):
    result = invoke("draft", "--period", "2019-07", "--compare", "prev,yoy,ytd,target", "--db", demo_url)
    assert result.exit_code == 0, result.output
    assert "So với tháng trước" in result.output and "so với cùng kỳ năm 2018" in result.output
    assert "lũy kế 7 tháng đầu năm 2019 là" in result.output and "kế hoạch năm" in result.output
    english = invoke("draft", "--period", "2019-07", "--lang", "en", "--compare", "prev", "--db", demo_url)
    assert english.exit_code == 0, english.output
    assert "Report figures for July 2019" in english.output
    assert "- Posted 33 posts in Vietnamese; 23 posts in Khmer; 14 posts in English" in english.output
    assert "on the previous month" in english.output


def test_draft_markdown_text_and_docx_files(demo_url, tmp_path):
    md = invoke("draft", "--period", "2019-07", "--format", "md", "--db", demo_url)
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Số liệu báo cáo tháng 7/2019\n")
    assert "## Trang tin thành phần\n\n- " + SEED_SITES in md.output

    out = tmp_path / "bao-cao.txt"
    saved = invoke("draft", "--period", "2019-07", "--out", str(out), "--db", demo_url)
    assert saved.exit_code == 0 and f"Đã lưu bản dự thảo vào {out}" in saved.output
    assert all(f"- {s}" in out.read_text(encoding="utf-8").splitlines() for s in GOLDEN)

    word = tmp_path / "bao-cao.docx"
    result = invoke("draft", "--period", "2019-07", "--format", "docx", "--out", str(word), "--db", demo_url)
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.read_bytes())).paragraphs]
    assert all(f"- {s}" in paragraphs for s in GOLDEN)


def test_draft_with_an_office_template_file(demo_url, tmp_path):
    source = (PROJECT_ROOT / "data" / "templates" / "vi.yaml").read_text(encoding="utf-8")
    old = "text: \"{% if items %}Cấp {{ items | join_list(', ', ' và ') }}.{% endif %}\""
    new = "text: \"{% if items %}Đã cấp {{ items | join_list('; ', '; ') }}.{% endif %}\""
    changed = source.replace(old, new)
    assert changed != source
    path = tmp_path / "mau.yaml"
    path.write_text(changed, encoding="utf-8")
    result = invoke("draft", "--period", "2019-07", "--templates", str(path), "--db", demo_url)
    assert result.exit_code == 0, result.output
    assert "- Đã cấp 14 Giấy phép xuất bản tài liệu không kinh doanh; 02 tờ khai đăng ký hoạt động in." in result.output


def test_draft_errors_are_clear(demo_url, tmp_path):
    cases = [
        (["--period", "2019-13"], "Kỳ báo cáo không hợp lệ “2019-13”. Dùng 2019-07 (tháng), 2019-Q3 (quý)"),
        (["--period", "2019-07", "--compare", "prev,lastweek"], "Phép so sánh không có: lastweek."),
        (["--period", "2019-07", "--format", "rtf"], "--format phải là text, md, docx hoặc pdf."),
        (["--period", "2019-07", "--format", "docx"], "Định dạng docx và pdf cần --out TỆP"),
        (["--period", "2019-07", "--format", "pdf"], "Định dạng docx và pdf cần --out TỆP"),
        (["--period", "2019-07", "--unit", "hanoi"], "Mã đơn vị không có: hanoi. Các đơn vị hiện có:"),
        (["--period", "2019-07", "--templates", str(tmp_path / "none.yaml")], "không tìm thấy tệp mẫu câu"),
    ]
    for args, message in cases:
        result = invoke("draft", *args, "--db", demo_url)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_draft_on_an_empty_database_says_what_to_do(empty_url):
    result = invoke("draft", "--period", "2019-07", "--db", empty_url)
    assert result.exit_code == 0, result.output
    # The report text says there are no figures; how to import them is a hint on the terminal, not report text.
    assert "Chưa có số liệu tháng 7/2019 cho đơn vị đã chọn." in result.stdout
    assert "python -m commstats" not in result.stdout
    assert "Nhập số liệu (python -m commstats import TỆP) rồi soạn lại." in result.stderr
    assert "- " not in result.output
