"""The whole report as a document (Nghị định 30/2020 form): golden text for a month, a quarter, a half-year and a
year; the .docx read back with python-docx; the PDF made by LibreOffice read back with pypdf; an office's own
Word template (docxtpl) rendered in the sandbox; ratios in the appendix computed from their parts."""

from __future__ import annotations

import io
import re

import docx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from commstats import blocks, queries
from commstats.cli import app
from commstats.narrative.document import report_docx_bytes
from commstats.narrative.filters import count, percent
from commstats.narrative.office import OfficeTemplateError, render_office_template
from commstats.narrative.pdf import docx_to_pdf
from commstats.narrative.report import build_report, next_period
from commstats.periods import Period, parse_period
from tests.test_narrative_golden import SEED_PORTAL, SEED_PUBLISHING, SEED_SITES, flow, monthly, stock

UNIT = ["travinh-demo"]
TEXTS = {
    "governing_body": "UBND tỉnh Trà Vinh",
    "number": "Số: 152/BC-STTTT",
    "place": "Trà Vinh",
    "highlights": "Tổ chức ký kết hợp tác với Công ty cổ phần VNG kết nối Zalo.\n"
    "Tiếp tục theo dõi việc sử dụng phần mềm iGate và iOffice.",
    "assessment": "Các nhiệm vụ trọng tâm trong kỳ cơ bản hoàn thành đúng tiến độ.",
    "difficulties": "Một số trang tin thành phần cập nhật tin, bài chưa thường xuyên.",
    "tasks": "- Tiếp tục triển khai các dự án do Sở làm chủ đầu tư.\n"
    "- Tổ chức Hội nghị tập huấn công tác thông tin đối ngoại.",
    "recommendations": "Đề nghị UBND tỉnh bố trí kinh phí nâng cấp hạ tầng kỹ thuật.",
    "recipients": "- Bộ TT&TT (b/c);\n- VP Tỉnh ủy, VP UBND tỉnh;\n- Lưu: VT.",
    "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Văn Chuẩn",
}
HEADINGS = [
    "Thông tin, tuyên truyền",
    "Thông tin cơ sở",
    "Báo chí",
    "Xuất bản, in",
    "Cổng thông tin điện tử",
    "Trang tin thành phần",
    "Thông tin điện tử, mạng xã hội",
    "Trò chơi điện tử công cộng",
    "Bưu chính",
    "Viễn thông, Internet",
    "Chính quyền điện tử",
    "An toàn thông tin",
    "Thanh tra, kiểm tra",
    "Công tác chỉ đạo, điều hành",
]


def numbered(lines: list[str]) -> list[str]:
    """The numbered headings of the document, in order (I., 1., 2., ..., II., III.)."""
    return [line for line in lines if re.match(r"^(I|II|III|\d+)\. ", line)]


@pytest.mark.parametrize(
    ("key", "subtitle", "results", "tasks"),
    [
        (
            "2019-07",
            "Kết quả công tác tháng 7 năm 2019 và phương hướng, nhiệm vụ tháng 8 năm 2019",
            "I. Kết quả thực hiện nhiệm vụ tháng 7 năm 2019",
            "II. Phương hướng, nhiệm vụ tháng 8 năm 2019",
        ),
        (
            "2019-Q3",
            "Kết quả công tác quý III năm 2019 và phương hướng, nhiệm vụ quý IV năm 2019",
            "I. Kết quả thực hiện nhiệm vụ quý III năm 2019",
            "II. Phương hướng, nhiệm vụ quý IV năm 2019",
        ),
        (
            "2019-H1",
            "Kết quả công tác 6 tháng đầu năm 2019 và phương hướng, nhiệm vụ 6 tháng cuối năm 2019",
            "I. Kết quả thực hiện nhiệm vụ 6 tháng đầu năm 2019",
            "II. Phương hướng, nhiệm vụ 6 tháng cuối năm 2019",
        ),
        (
            "2019",
            "Kết quả công tác năm 2019 và phương hướng, nhiệm vụ năm 2020",
            "I. Kết quả thực hiện nhiệm vụ năm 2019",
            "II. Phương hướng, nhiệm vụ năm 2020",
        ),
    ],
)
def test_whole_report_golden(demo_engine, key, subtitle, results, tasks):
    period = parse_period(key)
    blocks.save_blocks(demo_engine, UNIT[0], period, TEXTS, actor="test")
    lines = build_report(demo_engine, UNIT, period, "vi").text().splitlines()
    assert lines[:8] == [
        "UBND TỈNH TRÀ VINH",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TRÀ VINH (DỮ LIỆU MẪU)",
        "Số: 152/BC-STTTT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Trà Vinh, ngày      tháng      năm 2019",
        "BÁO CÁO",
        subtitle,
    ]
    n = len(HEADINGS)
    assert numbered(lines) == [
        results,
        *(f"{i}. {title}" for i, title in enumerate(HEADINGS, start=1)),
        f"{n + 1}. Đánh giá chung",
        f"{n + 2}. Khó khăn, hạn chế",
        tasks,
        "III. Kiến nghị, đề xuất",
    ]
    start = lines.index(results)
    assert lines[start + 1 : start + 4] == [
        "Ngoài việc thực hiện các nhiệm vụ thường xuyên, Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu) tham "
        "mưu, tổ chức, triển khai thực hiện một số nhiệm vụ trọng tâm và đạt kết quả như sau:",
        "- Tổ chức ký kết hợp tác với Công ty cổ phần VNG kết nối Zalo.",
        "- Tiếp tục theo dõi việc sử dụng phần mềm iGate và iOffice.",
    ]
    after_tasks = lines[lines.index(tasks) + 1 :]
    assert after_tasks[:4] == [
        "- Tiếp tục triển khai các dự án do Sở làm chủ đầu tư.",
        "- Tổ chức Hội nghị tập huấn công tác thông tin đối ngoại.",
        "III. Kiến nghị, đề xuất",
        "Đề nghị UBND tỉnh bố trí kinh phí nâng cấp hạ tầng kỹ thuật.",
    ]
    phrase = subtitle.removeprefix("Kết quả công tác ")
    assert after_tasks[4:12] == [
        f"Trên đây là báo cáo kết quả công tác {phrase} của Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)./.",
        "Nơi nhận:",
        "- Bộ TT&TT (b/c);",
        "- VP Tỉnh ủy, VP UBND tỉnh;",
        "- Lưu: VT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Chuẩn",
    ]
    assert after_tasks[12] == "PHỤ LỤC"
    text = "\n".join(lines)
    assert "python -m commstats" not in text and "None" not in text and "nan" not in text


def test_month_report_keeps_the_seed_sentences_and_its_appendix_matches_the_figures(demo_engine):
    period = parse_period("2019-07")
    report = build_report(demo_engine, UNIT, period, "vi", compare=("prev", "yoy", "ytd"))
    lines = report.text().splitlines()
    for seed in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING):  # word for word, the comparisons after them
        assert any(line.startswith(f"- {seed} So với tháng trước") for line in lines), seed
    rows = {row.name: row for row in report.appendix}
    now, june = monthly(demo_engine, period.months), monthly(demo_engine, period.previous().months)
    posts = rows["Tin đăng trên trang tin thành phần"]
    assert (posts.current, posts.unit) == ("488", "tin")
    change = 100 * (488 - flow(june, "sites_posts")) / flow(june, "sites_posts")  # June 2019: 562 posts
    assert posts.change_previous == ("+" if change > 0 else "") + percent(change) == "-13,2%"
    ytd = monthly(demo_engine, period.year_to_date())
    assert posts.ytd == count(flow(ytd, "sites_posts"))
    assert rows["Số trang tin thành phần"].ytd == "-"  # a level has no year to date
    rate = rows["Tỷ lệ hồ sơ giải quyết đúng hạn (trên số hồ sơ đã giải quyết và đến hạn)"]
    on_time, late, overdue = (flow(now, m) for m in ("igate_on_time", "igate_late", "igate_overdue"))
    assert rate.current == percent(100 * on_time / (on_time + late + overdue))
    assert rate.change_previous.endswith(" điểm %")


def test_a_ratio_over_a_year_is_computed_from_the_years_parts_not_summed(demo_engine):
    period = parse_period("2019")
    report = build_report(demo_engine, UNIT, period, "vi")
    data = monthly(demo_engine, period.months)
    rows = {row.name: row for row in report.appendix}
    fibre = rows["Tỷ lệ hộ gia đình có kết nối cáp quang"]
    assert fibre.current == percent(100 * stock(data, "fibre_households") / stock(data, "households"))
    on_time, late, overdue = (flow(data, m) for m in ("igate_on_time", "igate_late", "igate_overdue"))
    rate = rows["Tỷ lệ hồ sơ giải quyết đúng hạn (trên số hồ sơ đã giải quyết và đến hạn)"]
    assert rate.current == percent(100 * on_time / (on_time + late + overdue))
    monthly_shares = [
        100
        * data[("igate_on_time", "")][m]
        / sum(data[(c, "")][m] for c in ("igate_on_time", "igate_late", "igate_overdue"))
        for m in period.months
    ]
    assert rate.current != percent(sum(monthly_shares))  # never the sum of twelve shares


def test_carried_over_blocks_and_defaults(demo_engine):
    june, july = parse_period("2019-06"), parse_period("2019-07")
    blocks.save_blocks(demo_engine, UNIT[0], june, TEXTS, actor="test")
    report = build_report(demo_engine, UNIT, july, "vi")
    assert report.number == "Số:       /BC-STTTT" and report.assessment == (
        "(Chưa có nội dung; soạn ở trang Nội dung báo cáo.)",
    )
    assert blocks.carry_over(demo_engine, UNIT[0], july, actor="test") == list(TEXTS)
    carried = build_report(demo_engine, UNIT, july, "vi")
    assert carried.number == "Số: 152/BC-STTTT" and carried.signer_name == "Nguyễn Văn Chuẩn"


def test_next_period_of_every_kind():
    keys = ("2019-12", "2019-Q4", "2019-H1", "2019-H2", "2019-9M", "2019")
    assert [next_period(parse_period(k)).key for k in keys] == [
        "2020-01",
        "2020-Q1",
        "2019-H2",
        "2020-H1",
        "2019-Q4",
        "2020",
    ]


def test_docx_reads_back_in_administrative_form(demo_engine):
    blocks.save_blocks(demo_engine, UNIT[0], parse_period("2019-07"), TEXTS, actor="test")
    data = report_docx_bytes(build_report(demo_engine, UNIT, parse_period("2019-07"), "vi"))
    document = docx.Document(io.BytesIO(data))
    letterhead = document.tables[0].rows[0].cells
    assert [p.text for p in letterhead[0].paragraphs][:2] == [
        "UBND TỈNH TRÀ VINH",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TRÀ VINH (DỮ LIỆU MẪU)",
    ]
    assert [p.text for p in letterhead[1].paragraphs][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(run.bold for p in letterhead[1].paragraphs[:2] for run in p.runs)
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs and f"- {SEED_PORTAL}" in paragraphs and "1. Thông tin, tuyên truyền" in paragraphs
    signature = document.tables[1].rows[0].cells
    assert signature[0].paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in signature[1].paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Chuẩn"]
    appendix = document.tables[2]
    assert [c.text for c in appendix.rows[0].cells][:4] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kỳ báo cáo"]
    assert document.sections[-1].page_width > document.sections[-1].page_height  # the appendix is landscape


def test_cli_writes_the_whole_report_as_pdf_that_reads_back(demo_url, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    result = CliRunner().invoke(
        app,
        [
            "draft",
            "--period",
            "2019-07",
            "--unit",
            "travinh-demo",
            "--format",
            "pdf",
            "--out",
            str(out),
            "--db",
            demo_url,
        ],
    )
    assert result.exit_code == 0, result.output
    pdf = PdfReader(out)
    first = re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Số:"):
        assert words in first
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for sentence in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING):
        assert sentence in text
    assert "Nơi nhận:" in text and "PHỤ LỤC" in text


def office_template(body: list[str]) -> bytes:
    document = docx.Document()
    for line in body:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_an_office_word_template_receives_the_report(demo_engine):
    blocks.save_blocks(
        demo_engine, UNIT[0], parse_period("2019-07"), {**TEXTS, "assessment": "Tốt & đúng <hạn>"}, actor="test"
    )
    report = build_report(demo_engine, UNIT, parse_period("2019-07"), "vi")
    template = office_template(
        [
            "{{ unit_name }} — {{ number }}",
            "{{ title }}: {{ subtitle }}",
            "{% for s in sections %}{{ s.number }}. {{ s.title }}: {{ s.paragraphs | length }}{% endfor %}",
            "{{ assessment | join(' ') }}",
            "{{ signer_name }}",
        ]
    )
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_office_template(template, report))).paragraphs]
    assert paragraphs[0] == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TRÀ VINH (DỮ LIỆU MẪU) — Số: 152/BC-STTTT"
    assert paragraphs[1] == "BÁO CÁO: Kết quả công tác tháng 7 năm 2019 và phương hướng, nhiệm vụ tháng 8 năm 2019"
    assert paragraphs[2].startswith("1. Thông tin, tuyên truyền: 2")
    assert paragraphs[3] == "Tốt & đúng <hạn>"  # escaped into the XML, read back as typed
    assert paragraphs[4] == "Nguyễn Văn Chuẩn"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["{{ unit_nam }}"], "UndefinedError"),
        (["{{ ''.__class__.__mro__ }}"], "SecurityError"),
        (["{% for s in sections %}{{ s.paragraphs.append('x') }}{% endfor %}"], "SecurityError"),
        (["{% if %}"], "TemplateSyntaxError"),
    ],
)
def test_office_template_mistakes_and_escapes_are_refused(demo_engine, body, message):
    report = build_report(demo_engine, UNIT, parse_period("2019-07"), "vi")
    with pytest.raises(OfficeTemplateError, match=message):
        render_office_template(office_template(body), report)


def test_not_a_docx_is_refused(demo_engine):
    report = build_report(demo_engine, UNIT, parse_period("2019-07"), "vi")
    with pytest.raises(OfficeTemplateError, match=r"không phải tệp \.docx"):
        render_office_template(b"PK not really a zip", report)


def test_english_report_reads_naturally(demo_engine):
    report = build_report(demo_engine, UNIT, parse_period("2019-H1"), "en", compare=("prev", "yoy"))
    assert report.subtitle == "Results of the first half of 2019 and tasks for the second half of 2019"
    text = report.text()
    assert "the first half of 2019" in text and " articles" not in text and "posted 488 items" not in text
    assert "unchanged on" not in text


def test_pdf_of_a_quarter_report(demo_engine):
    period = Period("quarter", 2019, 3)
    pdf = PdfReader(io.BytesIO(docx_to_pdf(report_docx_bytes(build_report(demo_engine, UNIT, period, "vi")))))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "Kết quả công tác quý III năm 2019 và phương hướng, nhiệm vụ quý IV năm 2019" in text
    assert "tổng số tin đã đăng 1.414 tin" in text
    assert queries.narrative_blocks(demo_engine, UNIT[0], period.key) == {}


def test_report_of_a_merged_unit_before_the_merger_bears_the_name_of_then(demo_engine):
    # vinhlong-demo absorbed travinh-demo on 2025-07-01: its 2019 report is Trà Vinh's, letterhead and text.
    lines = build_report(demo_engine, ["vinhlong-demo"], parse_period("2019-07"), "vi").text().splitlines()
    assert lines[1] == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TRÀ VINH (DỮ LIỆU MẪU)"
    assert not any("Vĩnh Long" in line for line in lines)
    later = build_report(demo_engine, ["vinhlong-demo"], parse_period("2026-01"), "vi").text().splitlines()
    assert later[1] == "SỞ KHOA HỌC VÀ CÔNG NGHỆ VĨNH LONG (DỮ LIỆU MẪU)"
