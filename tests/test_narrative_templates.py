"""Templates are data: wording, order and padding change in YAML; zero and missing figures are dropped or
said; edge cases (zero base, equal, missing month, zero target) read sensibly; mistakes are reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from commstats.db import session_scope
from commstats.models import Metric, Target, Unit
from commstats.narrative import TemplateError, draft_report, load_templates, parse_compare
from commstats.narrative.templates import template_path
from commstats.periods import parse_period
from etl.load import load_rows
from etl.validate import CleanRow

JULY, JUNE = dt.date(2019, 7, 1), dt.date(2019, 6, 1)
UNIT = ["test-unit"]


def load(engine, figures: dict[tuple[str, str, dt.date], int]) -> None:
    rows = [CleanRow(i, "test-unit", m, p, member, v) for i, ((m, member, p), v) in enumerate(figures.items(), 2)]
    load_rows(engine, rows, source_kind="test", source_name="test", sha256=str(hash(tuple(figures.items()))))


def texts(draft) -> dict[str, str]:
    return {p.id: p.text for p in draft.paragraphs}


def edited_templates(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    spec = yaml.safe_load(template_path("vi").read_text(encoding="utf-8"))
    change(spec)
    path = tmp_path / "mau-cau.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def paragraph(spec: dict, pid: str) -> dict:
    return next(p for s in spec["sections"] for p in s["paragraphs"] if p["id"] == pid)


def test_both_template_files_load_and_compile():
    assert load_templates("vi").spec.language == "vi"
    assert load_templates("en").spec.language == "en"


def test_wording_order_and_padding_change_without_code(demo_engine, tmp_path):
    def change(spec: dict) -> None:
        portal = paragraph(spec, "portal_content")
        portal["items"] = [portal["items"][2], portal["items"][0], portal["items"][1]]  # English first
        portal["text"] = "{% if items %}Cổng đã đăng {{ items | join_list(', ', ' và ') }}.{% endif %}"
        publishing = paragraph(spec, "publishing_licences")
        publishing["items"][1]["text"] = "{{ value | count }} tờ khai đăng ký hoạt động in"  # no padding
        publishing["items"][0]["text"] = "{{ value | count(3) }} giấy phép xuất bản"
        spec["sections"].reverse()

    templates = load_templates(path=edited_templates(tmp_path, change))
    draft = draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), "vi", (), templates)
    paragraphs = texts(draft)
    assert (
        paragraphs["portal_content"]
        == "Cổng đã đăng 14 tin, bài tiếng Anh, 33 tin, bài tiếng Việt và 23 tin, bài tiếng Khmer."
    )
    assert paragraphs["publishing_licences"] == "Cấp 014 giấy phép xuất bản và 2 tờ khai đăng ký hoạt động in."
    assert draft.sections[0].code == "management"  # the order of the sections follows the file


def test_zero_and_missing_figures_dropped_kept_or_said(empty_engine, tmp_path):
    load(empty_engine, {("publishing_licences", "", JULY): 5, ("printing_declarations", "", JULY): 0,
                        ("game_certificates", "", JULY): 0, ("portal_audio", "", JULY): 4})  # fmt: skip
    period = parse_period("2019-07")
    paragraphs = texts(draft_report(empty_engine, UNIT, period, "vi"))
    # A zero is said, the same way in every section, after the figures of the paragraph; never dropped.
    assert paragraphs["publishing_licences"] == (
        "Cấp 5 Giấy phép xuất bản tài liệu không kinh doanh; không phát sinh tờ khai đăng ký hoạt động in."
    )
    assert paragraphs["game_certificates"] == (  # zero said, as the template chooses
        "Trong tháng 7/2019, không cấp mới Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi "
        "điện tử công cộng."
    )
    assert paragraphs["portal_content"] == "Thu và phát 4 bản tin audio."  # missing languages dropped, no stray "Đăng"
    assert "igate" not in paragraphs and "sites_activity" not in paragraphs  # no figures: no paragraph

    def change(spec: dict) -> None:
        publishing = paragraph(spec, "publishing_licences")
        publishing["zero"] = "keep"
        sites = paragraph(spec, "leadership_meetings")
        sites["missing"] = "say"
        sites["missing_text"] = "chưa có số liệu {{ name | lower }}"
        sites["text"] = "{% if items %}Lãnh đạo Sở: {{ items | join_list }}.{% endif %}"

    templates = load_templates(path=edited_templates(tmp_path, change))
    paragraphs = texts(draft_report(empty_engine, UNIT, period, "vi", (), templates))
    assert paragraphs["publishing_licences"] == (
        "Cấp 5 Giấy phép xuất bản tài liệu không kinh doanh và 00 tờ khai đăng ký hoạt động in."
    )
    assert paragraphs["leadership_meetings"] == ("Lãnh đạo Sở: chưa có số liệu hội nghị, cuộc họp lãnh đạo sở tham dự.")


def test_comparison_edge_cases_read_sensibly(empty_engine):
    load(empty_engine, {
        ("game_certificates", "", JUNE): 0, ("game_certificates", "", JULY): 2,  # from zero: no percent
        ("publishing_licences", "", JUNE): 7, ("publishing_licences", "", JULY): 7,  # equal
        ("leadership_meetings", "", JUNE): 20, ("leadership_meetings", "", JULY): 15,  # down
        ("propaganda_directives", "", JULY): 3,  # no June figure while June has others
    })  # fmt: skip
    draft = draft_report(empty_engine, UNIT, parse_period("2019-07"), "vi", parse_compare("prev"))
    paragraphs = texts(draft)
    # Comparisons follow each paragraph as their own sentence.
    assert paragraphs["game_certificates"] == (
        "Cấp 02 Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công cộng. "
        "So với tháng trước tăng 2 giấy chứng nhận."
    )
    assert paragraphs["publishing_licences"] == (
        "Cấp 7 Giấy phép xuất bản tài liệu không kinh doanh. So với tháng trước, giấy phép xuất bản không đổi."
    )
    assert paragraphs["leadership_meetings"] == (
        "Lãnh đạo Sở tham dự 15 hội nghị, cuộc họp định kỳ và đột xuất. So với tháng trước giảm 5 cuộc (25%)."
    )
    assert paragraphs["propaganda_directives"] == (
        "Ban hành 03 Công văn chỉ đạo, định hướng công tác tuyên truyền. So với tháng trước chưa có số liệu để so sánh."
    )
    assert not draft.notes
    english = texts(draft_report(empty_engine, UNIT, parse_period("2019-07"), "en", parse_compare("prev")))
    assert english["leadership_meetings"].endswith("conferences. Down 5 meetings (25%) on the previous month.")
    assert english["game_certificates"].endswith("points. Up 2 certificates on the previous month.")
    assert english["publishing_licences"].endswith(". Publishing licences unchanged from the previous month.")


def test_zero_target_and_missing_target_give_no_share(empty_engine):
    load(empty_engine, {("publishing_licences", "", JULY): 7, ("igate_received", "", JULY): 120})
    with session_scope(empty_engine) as session:
        unit_id = session.query(Unit.id).filter(Unit.code == "test-unit").scalar()
        metric_id = session.query(Metric.id).filter(Metric.code == "publishing_licences").scalar()
        session.add(Target(unit_id=unit_id, metric_id=metric_id, year=2019, value=0))
    draft = draft_report(empty_engine, UNIT, parse_period("2019-07"), "vi", parse_compare("target"))
    full = " ".join(p.text for p in draft.paragraphs)
    assert "kế hoạch" not in full and "inf" not in full and "nan" not in full
    assert texts(draft)["publishing_licences"] == "Cấp 7 Giấy phép xuất bản tài liệu không kinh doanh."


def test_metrics_no_paragraph_mentions_are_listed_under_other_figures(demo_engine, tmp_path):
    def change(spec: dict) -> None:
        spec["sections"] = [s for s in spec["sections"] if s["code"] != "publishing"]

    templates = load_templates(path=edited_templates(tmp_path, change))
    draft = draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), "vi", (), templates)
    assert draft.sections[-1].title == "Số liệu khác"
    assert texts(draft)["others"] == (
        "Giấy phép xuất bản tài liệu không kinh doanh: 14 giấy phép; Tờ khai đăng ký hoạt động in: 2 tờ khai; "
        "Giấy phép hoạt động in: 2 giấy phép; Xác nhận đăng ký hoạt động phát hành xuất bản phẩm: 1 giấy xác nhận; "
        "Giấy phép nhập khẩu xuất bản phẩm không kinh doanh: 2 giấy phép."
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: paragraph(s, "igate").update(text="{% if x %}thiếu endif"),
         "sections[egov].paragraphs[igate].text, dòng 1: lỗi cú pháp Jinja"),
        (lambda s: paragraph(s, "portal_content")["items"][0].update(metric="portal_postz"),
         "sections[portal].paragraphs[portal_content].items[1]: mã chỉ tiêu “portal_postz” không có trong danh mục"),
        (lambda s: paragraph(s, "portal_content")["items"][0].update(member="fr"),
         "thành phần “fr” không thuộc language"),
        (lambda s: (paragraph(s, "portal_content")["items"][0].update(zero="say"), s["defaults"].pop("zero_text")),
         "items[1]: zero: say cần zero_text"),
        (lambda s: paragraph(s, "portal_content").update(colour="red"), "colour: Extra inputs are not permitted"),
        (lambda s: paragraph(s, "portal_content")["compare"][0].update(metric="portal_postz"),
         "paragraphs[portal_content].compare[1]: mã chỉ tiêu “portal_postz” không có trong danh mục"),
        (lambda s: s["sections"][0].update(code="radio"), "sections[radio]: mục không có trong danh mục"),
    ],
)  # fmt: skip
def test_template_mistakes_are_reported_with_place_and_fix(tmp_path, change, message):
    path = edited_templates(tmp_path, change)
    with pytest.raises(TemplateError) as error:
        load_templates(path=path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("language: vi\nsections:\n  - code: portal\n   paragraphs: [\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad\.yaml, dòng \d+, cột \d+: tệp YAML sai cấu trúc"):
        load_templates(path=path)


def test_templates_run_in_a_sandbox(demo_engine, tmp_path):
    def change(spec: dict) -> None:
        paragraph(spec, "igate")["text"] = "{{ fact.__globals__ }}{{ ''.__class__.__mro__[1].__subclasses__() }}"

    templates = load_templates(path=edited_templates(tmp_path, change))
    with pytest.raises(TemplateError, match=r"sections\[egov\]\.paragraphs\[igate\]\.text: SecurityError"):
        draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), "vi", (), templates)


def test_unknown_variable_in_a_template_is_an_error_not_silence(demo_engine, tmp_path):
    def change(spec: dict) -> None:
        paragraph(spec, "ioffice")["text"] = "{{ itemz | join_list }}"

    templates = load_templates(path=edited_templates(tmp_path, change))
    with pytest.raises(TemplateError, match=r"paragraphs\[ioffice\]\.text: UndefinedError: 'itemz' is undefined"):
        draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), "vi", (), templates)
