"""Ratio metrics are computed from their numerator and denominator wherever values are combined (quarters,
years, units, overview cards, drafts) and never imported; every catalogue metric has demo data and a sentence;
narrative blocks are versioned, audited and carried over, on their own page."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from commstats import audit, blocks, overview, queries, series
from commstats.bootstrap import add_unit
from commstats.catalog import load_catalog
from commstats.narrative import draft_report
from commstats.narrative.facts import collect
from commstats.narrative.filters import percent
from commstats.numbers import format_count
from commstats.periods import Period, parse_period
from commstats.ratios import definitions, parts_of, ratio_value
from etl.pipeline import import_content
from tests.apptest import run_page
from tests.importfiles import csv_text, observations

JULY, AUGUST, SEPTEMBER = dt.date(2019, 7, 1), dt.date(2019, 8, 1), dt.date(2019, 9, 1)
KINDS = {m.code: m.kind for m in load_catalog().metrics}
ON_TIME_RATE = definitions()["igate_on_time_rate"]


def igate_frame() -> pd.DataFrame:
    """Three months of dossiers: 9 of 10 on time in July, 1 of 90 in August, 50 of 100 in September."""
    rows = []
    for month, on_time, late, overdue in ((JULY, 9, 1, 0), (AUGUST, 1, 80, 9), (SEPTEMBER, 50, 50, 0)):
        rows += [("igate_on_time", month, on_time), ("igate_late", month, late), ("igate_overdue", month, overdue)]
    return pd.DataFrame(rows, columns=["metric", "period", "value"])


def test_a_quarters_ratio_is_the_ratio_of_the_quarters_parts():
    rolled = series.aggregate(igate_frame(), KINDS, "quarter", ratios={"igate_on_time_rate": ON_TIME_RATE})
    rate = rolled[rolled["metric"] == "igate_on_time_rate"]
    assert list(rate["period_key"]) == ["2019-Q3"]
    assert rate["value"].iloc[0] == pytest.approx(100 * 60 / 200)  # 30%, not (90 + 1.1 + 50) / 3 nor their sum
    monthly = series.aggregate(igate_frame(), KINDS, "month", ratios={"igate_on_time_rate": ON_TIME_RATE})
    shares = monthly[monthly["metric"] == "igate_on_time_rate"]["value"].round(2).tolist()
    assert shares == [90.0, 1.11, 50.0]
    # Without ratios asked for, the counts stay whole numbers.
    assert series.aggregate(igate_frame(), KINDS, "quarter")["value"].dtype == "int64"


def test_ratio_helpers():
    assert ratio_value(1, [16]) == 6.25 and percent(ratio_value(1, [16])) == "6,3%"  # rounded half up
    assert ratio_value(5, [0, None]) is None and ratio_value(None, [3]) is None and ratio_value(1, [None]) is None
    assert parts_of(["fibre_coverage", "households"], definitions()) == [
        "fibre_coverage",
        "fibre_households",
        "households",
    ]


def test_two_units_combined_divide_their_summed_parts(empty_engine):
    add_unit(empty_engine, "other-unit", "Đơn vị khác")
    rows = [
        ("2019-07", m, "", v, u)
        for u, on_time, late in (("test-unit", 9, 1), ("other-unit", 10, 90))
        for m, v in (("igate_on_time", on_time), ("igate_late", late), ("igate_overdue", 0))
    ]
    assert import_content(
        empty_engine, csv_text(rows, ("period", "metric", "member", "value", "unit")).encode(), "hai-don-vi.csv"
    ).ok
    ids = [u.id for u in queries.units(empty_engine)]
    cards = overview.overview_cards(empty_engine, ids, Period("month", 2019, 7))
    card = next(c for cs in cards.values() for c in cs if c.metric == "igate_on_time_rate")
    assert card.value == pytest.approx(100 * 19 / 110)  # not 90% + 10%
    assert card.value_text == "17,3%" and card.ytd is None
    figures = collect(empty_engine, ids, parse_period("2019-Q3"))  # one month of the quarter has data
    assert figures.current[("igate_on_time_rate", None)] == pytest.approx(100 * 19 / 110)


def test_a_ratio_cannot_be_imported(empty_engine):
    rows = [("2019-07", "igate_on_time_rate", "", 95)]
    report = import_content(empty_engine, csv_text(rows, ("period", "metric", "member", "value")).encode(), "r.csv")
    assert not report.ok
    assert "Chỉ tiêu tỷ lệ được tính từ các chỉ tiêu igate_on_time, igate_on_time, igate_late, igate_overdue" in (
        report.problems[0].message("vi")
    )
    assert not observations(empty_engine)


def test_overview_card_of_a_ratio_changes_in_points(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["travinh-demo"])
    cards = overview.overview_cards(demo_engine, ids, Period("month", 2019, 7))
    card = next(c for cs in cards.values() for c in cs if c.metric == "fibre_coverage")
    assert card.value_text.endswith("%") and card.delta_text is not None and card.delta_text.endswith(" điểm %")
    assert len(card.trend) == 12 and all(0 < v < 100 for v in card.trend)


def test_every_metric_has_demo_data_and_a_sentence(demo_engine):
    """In July 2019 every stored metric of the catalogue is said by a paragraph (none left to "Số liệu khác")
    and every ratio is written in a paragraph, in Vietnamese and in English."""
    for lang in ("vi", "en"):
        draft = draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07"), lang)
        assert "others" not in [s.code for s in draft.sections], lang
        used = set(draft.figures["metric"])
        for metric in load_catalog().metrics:
            if metric.kind != "ratio":
                assert metric.code in used, (lang, metric.code)
    texts = " ".join(p.text for p in draft_report(demo_engine, ["travinh-demo"], parse_period("2019-07")).paragraphs)
    assert "tỷ lệ hộ gia đình có kết nối cáp quang đạt " in texts


def test_a_zero_is_said_and_a_value_without_member_is_kept(empty_engine):
    rows = [
        ("2019-07", "news_site_licences", "", 0),
        ("2019-07", "social_network_licences", "", 0),
        ("2019-07", "violations", "", 3),
        ("2019-07", "inspections", "", 0),
    ]
    assert import_content(empty_engine, csv_text(rows, ("period", "metric", "member", "value")).encode(), "z.csv").ok
    paragraphs = {p.id: p.text for p in draft_report(empty_engine, ["test-unit"], parse_period("2019-07")).paragraphs}
    assert paragraphs["news_site_licences"] == (
        "Không cấp mới Giấy phép thiết lập trang thông tin điện tử tổng hợp; không cấp mới Giấy phép thiết lập mạng "
        "xã hội."
    )
    assert paragraphs["inspection"] == "Phát hiện 03 trường hợp vi phạm; không phát sinh cuộc thanh tra, kiểm tra."


def test_blocks_are_versioned_audited_and_carried_over(empty_engine):
    june, july = parse_period("2019-06"), parse_period("2019-07")
    assert blocks.save_blocks(empty_engine, "test-unit", june, {"tasks": "Việc A", "assessment": "Tốt"}, actor="a")
    assert blocks.save_blocks(empty_engine, "test-unit", june, {"tasks": "Việc B", "assessment": "Tốt"}, actor="b") == [
        "tasks"  # an unchanged block is not saved again
    ]
    current = queries.narrative_blocks(empty_engine, "test-unit", "2019-06")
    assert {k: (b.text, b.version, b.created_by) for k, b in current.items()} == {
        "tasks": ("Việc B", 2, "b"),
        "assessment": ("Tốt", 1, "a"),
    }
    history = queries.narrative_history(empty_engine, "test-unit", "2019-06")
    assert list(zip(history["kind"], history["version"], history["text"], strict=True)) == [
        ("assessment", 1, "Tốt"),
        ("tasks", 2, "Việc B"),
        ("tasks", 1, "Việc A"),
    ]
    events = audit.events(empty_engine, actions={"narrative"})
    assert [(e.actor, e.target) for e in events] == [
        ("b", "2019-06/tasks"),
        ("a", "2019-06/assessment"),
        ("a", "2019-06/tasks"),
    ]
    blocks.save_blocks(empty_engine, "test-unit", july, {"tasks": "Việc riêng tháng 7"}, actor="c")
    assert blocks.carry_over(empty_engine, "test-unit", july, actor="c") == ["assessment"]  # tasks already written
    july_blocks = queries.narrative_blocks(empty_engine, "test-unit", "2019-07")
    assert (july_blocks["assessment"].text, july_blocks["assessment"].source) == ("Tốt", "carried")
    assert july_blocks["tasks"].text == "Việc riêng tháng 7"
    with pytest.raises(blocks.BlockError, match="unknown block kinds: colour"):
        blocks.save_blocks(empty_engine, "test-unit", july, {"colour": "đỏ"}, actor="c")
    with pytest.raises(blocks.BlockError, match="unknown unit"):
        blocks.save_blocks(empty_engine, "no-unit", july, {"tasks": "x"}, actor="c")


def test_narrative_page_saves_versions_and_carries_over(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page="pages/narrative.py")
    assert not app.exception
    assert [t.value for t in app.title] == ["Nội dung báo cáo"]
    app.selectbox(key="narrative_unit").set_value("travinh-demo")
    app.selectbox(key="narrative_kind").set_value("month")
    app.selectbox(key="narrative_period_month").set_value("2019-06").run()
    area = next(a for a in app.text_area if a.label == "Nhiệm vụ kỳ tới")
    area.set_value("Tổ chức Hội nghị tập huấn công tác thông tin đối ngoại.")
    app.button(key=next(b.key for b in app.button if b.label == "Lưu")).click()
    app.run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã lưu 1 phần (phiên bản mới)."]
    app.selectbox(key="narrative_period_month").set_value("2019-07").run()
    app.button(key="narrative_carry").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Đã lấy 1 phần từ tháng 6/2019."]
    tasks = next(a for a in app.text_area if a.label == "Nhiệm vụ kỳ tới")
    assert tasks.value == "Tổ chức Hội nghị tập huấn công tác thông tin đối ngoại."
    history = app.dataframe[0].value
    assert list(history["Nguồn"]) == ["lấy từ kỳ trước"] and list(history["Phiên bản"]) == [1]


def test_rows_for_the_entry_form_leave_out_ratios(empty_engine):
    from commstats.template import form_rows

    codes = {row.metric for section in form_rows(empty_engine) for row in section.rows}
    assert "igate_on_time_rate" not in codes and "fibre_coverage" not in codes and "igate_overdue" in codes


def test_level_is_another_name_for_stock():
    from commstats.catalog import MetricSpec

    spec = MetricSpec(code="x", section="s", name_vi="a", name_en="b", unit_vi="c", unit_en="d", kind="level")
    assert spec.kind == "stock"


def test_a_period_the_data_does_not_cover_compares_with_the_same_months(demo_engine):
    """The demo ends in October 2026: the year 2026 is compared with January to October 2025, not all of 2025."""
    draft = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2026"), "vi", ("yoy",))  # with Trà Vinh
    assert draft.notes[0].startswith("Lưu ý: số liệu đến hết tháng 10/2026, chưa đủ cả kỳ năm 2026")
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])
    same_months = [dt.date(2025, m, 1) for m in range(1, 11)]
    now = queries.period_values(demo_engine, ids, ["sites_posts"], [dt.date(2026, m, 1) for m in range(1, 11)])
    before = queries.period_values(demo_engine, ids, ["sites_posts"], same_months)
    diff = now[("sites_posts", "")] - before[("sites_posts", "")]
    word = "tăng" if diff > 0 else "giảm"
    sentence = {p.id: p.text for p in draft.paragraphs}["sites_activity"]
    assert sentence.endswith(
        f"So với cùng kỳ năm 2025 {word} {format_count(abs(diff))} tin "
        f"({percent(100 * abs(diff) / before[('sites_posts', '')])})."
    )
    used = draft.figures[(draft.figures["role"] == "same_period") & (draft.figures["metric"] == "sites_posts")]
    assert sorted(set(used["period"])) == [f"2025-{m:02d}" for m in range(1, 11)]


def test_trends_page_shows_a_ratio_computed_per_quarter(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page="pages/trends.py")
    app.multiselect(key="trends_metrics").set_value(["fibre_coverage"]).run()
    app.segmented_control(key="trends_granularity").set_value("quarter").run()
    assert not app.exception
    table = app.dataframe[0].value
    values = table.iloc[:, 2].tolist()
    assert values and all(v.endswith("%") for v in values)
    assert set(table.iloc[:, 1]) == {"Tỷ lệ hộ gia đình có kết nối cáp quang"}


def test_a_member_no_item_names_is_listed_not_lost(empty_engine, tmp_path):
    """An office's template that lists the languages one by one but not "no language": a value imported without
    a member still appears in the draft, under "Số liệu khác"."""
    import yaml

    from commstats.narrative import load_templates
    from commstats.narrative.templates import template_path

    spec = yaml.safe_load(template_path("vi").read_text(encoding="utf-8"))
    portal = next(p for s in spec["sections"] for p in s["paragraphs"] if p["id"] == "portal_content")
    portal["items"] = [i for i in portal["items"] if i.get("member") != ""]
    path = tmp_path / "mau.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = [("2019-07", "portal_posts", "vi", 30), ("2019-07", "portal_posts", "", 5)]
    assert import_content(empty_engine, csv_text(rows, ("period", "metric", "member", "value")).encode(), "p.csv").ok
    draft = draft_report(empty_engine, ["test-unit"], parse_period("2019-07"), "vi", (), load_templates(path=path))
    paragraphs = {p.id: p.text for p in draft.paragraphs}
    assert paragraphs["portal_content"] == "Đăng 30 tin, bài tiếng Việt."
    assert paragraphs["others"] == "Tin, bài đăng trên Cổng thông tin điện tử (không phân loại): 5 tin, bài."
    # With the shipped template the value without a language is in the sentence itself.
    shipped = {p.id: p.text for p in draft_report(empty_engine, ["test-unit"], parse_period("2019-07")).paragraphs}
    assert shipped["portal_content"] == "Đăng 30 tin, bài tiếng Việt, 5 tin, bài chưa phân theo ngôn ngữ."
