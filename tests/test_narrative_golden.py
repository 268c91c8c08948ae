"""Golden drafts on the demo data: the seed month word for word, and a quarter, a half-year, nine months
and a year whose figures the test recomputes from the monthly rows (flows summed, stocks at the end)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from commstats import queries
from commstats.narrative import draft_report, parse_compare
from commstats.narrative.filters import count, percent
from commstats.periods import Period, parse_period

SEED_PORTAL = (
    "Đăng 33 tin, bài tiếng Việt; 23 tin, bài tiếng Khmer; 14 tin, bài tiếng Anh; thu và phát 14 bản tin audio; "
    "5 dự thảo lấy ý kiến nhân dân, cập nhật mới 14 Quyết định công bố thủ tục hành chính."
)
SEED_SITES = (
    "Về hoạt động của 43 Trang tin thành phần (trong đó có 03 trang hoạt động riêng): tổng số tin đã đăng 488 tin."
)
SEED_PUBLISHING = "Cấp 14 Giấy phép xuất bản tài liệu không kinh doanh và 02 tờ khai đăng ký hoạt động in."
UNIT = ["travinh-demo"]


def texts(draft) -> dict[str, str]:
    return {p.id: p.text for p in draft.paragraphs}


def monthly(engine, months: list[dt.date]) -> dict[tuple[str, str], dict[dt.date, int]]:
    """(metric, member) -> {month: value}, read with monthly_totals (not period_values)."""
    ids = queries.unit_ids_with_predecessors(engine, UNIT)
    codes = [m.code for m in queries.metrics(engine)]
    frame = queries.monthly_totals(engine, ids, codes, min(months), max(months), by_member=True)
    result: dict[tuple[str, str], dict[dt.date, int]] = {}
    for row in frame.itertuples(index=False):
        if row.period in months:
            result.setdefault((row.metric, row.member), {})[row.period] = int(row.value)
    return result


def flow(data, metric: str, member: str | None = None) -> int:
    return sum(
        v for (m, mem), by_month in data.items() if m == metric and member in (None, mem) for v in by_month.values()
    )


def stock(data, metric: str) -> int:
    by_month = data[(metric, "")]
    return by_month[max(by_month)]


def expected_sentences(data, period: Period) -> dict[str, str]:
    """The Vietnamese paragraphs, written out by hand from the recomputed figures."""
    received, on_time, late = flow(data, "igate_received"), flow(data, "igate_on_time"), flow(data, "igate_late")
    overdue = flow(data, "igate_overdue")
    due = on_time + late + overdue  # the on-time share's base: dossiers settled or due

    def pct(part: int) -> str:
        return percent(100 * part / due, "vi", 2, fixed=True)

    games = flow(data, "game_certificates")
    return {
        "propaganda_directives": f"Ban hành {count(flow(data, 'propaganda_directives'), pad=2)} Công văn chỉ đạo, "
        "định hướng công tác tuyên truyền.",
        "portal_content": f"Đăng {count(flow(data, 'portal_posts', 'vi'))} tin, bài tiếng Việt; "
        f"{count(flow(data, 'portal_posts', 'km'))} tin, bài tiếng Khmer; {count(flow(data, 'portal_posts', 'en'))} "
        f"tin, bài tiếng Anh; thu và phát {count(flow(data, 'portal_audio'))} bản tin audio; "
        f"{count(flow(data, 'portal_drafts'))} dự thảo lấy ý kiến nhân dân, cập nhật mới "
        f"{count(flow(data, 'portal_procedure_decisions'))} Quyết định công bố thủ tục hành chính.",
        "sites_activity": f"Về hoạt động của {count(stock(data, 'sites_count'))} Trang tin thành phần (trong đó có "
        f"{count(stock(data, 'sites_independent'), pad=2)} trang hoạt động riêng): tổng số tin đã đăng "
        f"{count(flow(data, 'sites_posts'))} tin.",
        "publishing_licences": f"Cấp {count(flow(data, 'publishing_licences'))} Giấy phép xuất bản tài liệu không "
        f"kinh doanh và {count(flow(data, 'printing_declarations'), pad=2)} tờ khai đăng ký hoạt động in.",
        "game_certificates": f"Cấp {count(games, pad=2)} Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch "
        "vụ trò chơi điện tử công cộng."
        if games
        else f"Trong {period.name()}, không cấp mới Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ "
        "trò chơi điện tử công cộng.",
        "igate": f"Hệ thống dịch vụ công trực tuyến (iGate) tiếp nhận {count(received)} hồ sơ; giải quyết đúng hạn "
        f"{count(on_time)} hồ sơ (đạt {pct(on_time)} số hồ sơ đã giải quyết và đến hạn); trễ hạn {count(late)} hồ sơ "
        f"(chiếm {pct(late)})" + (f"; {count(overdue, pad=2)} hồ sơ đến hạn chưa giải quyết." if overdue else "."),
        "ioffice": f"Hệ thống quản lý văn bản và điều hành (iOffice) tiếp nhận "
        f"{count(flow(data, 'ioffice_documents', 'incoming'))} văn bản đến; phát hành "
        f"{count(flow(data, 'ioffice_documents', 'outgoing'))} văn bản đi.",
        "leadership_meetings": f"Lãnh đạo Sở tham dự {count(flow(data, 'leadership_meetings'), pad=2)} hội nghị, "
        "cuộc họp định kỳ và đột xuất.",
    }


def test_seed_month_reproduces_the_report_word_for_word(demo_engine):
    draft = draft_report(demo_engine, UNIT, parse_period("2019-07"), "vi")
    paragraphs = texts(draft)
    assert paragraphs["portal_content"] == SEED_PORTAL
    assert paragraphs["sites_activity"] == SEED_SITES
    assert paragraphs["publishing_licences"] == SEED_PUBLISHING
    # The other catalogue sections, in the same administrative style.
    assert paragraphs["propaganda_directives"].startswith("Ban hành ")
    assert "Công văn chỉ đạo, định hướng công tác tuyên truyền" in paragraphs["propaganda_directives"]
    assert re.fullmatch(
        r"Hệ thống dịch vụ công trực tuyến \(iGate\) tiếp nhận [\d.]+ hồ sơ; giải quyết đúng hạn "
        r"[\d.]+ hồ sơ \(đạt \d+,\d\d% số hồ sơ đã giải quyết và đến hạn\); trễ hạn \d+ hồ sơ "
        r"\(chiếm \d+,\d\d%\)(; \d+ hồ sơ đến hạn chưa giải quyết)?\.",
        paragraphs["igate"],
    )
    assert draft.title == "Số liệu báo cáo tháng 7/2019"
    assert draft.unit_line == "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
    assert draft.window == "Thời gian chốt số liệu: từ ngày 01/07/2019 đến ngày 31/07/2019."
    # The sections in the order of a Sở TT&TT report (propaganda, grassroots information, press, publishing, ...).
    assert [s.title for s in draft.sections][:6] == [
        "Thông tin, tuyên truyền",
        "Thông tin cơ sở",
        "Báo chí",
        "Xuất bản, in",
        "Cổng thông tin điện tử",
        "Trang tin thành phần",
    ]


def test_seed_month_every_paragraph_matches_recomputed_figures(demo_engine):
    period = parse_period("2019-07")
    expected = expected_sentences(monthly(demo_engine, period.months), period)
    got = texts(draft_report(demo_engine, UNIT, period, "vi"))
    assert {pid: got.get(pid) for pid in expected} == expected


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("2019-Q3", "quý III/2019"),
        ("2019-H1", "6 tháng đầu năm 2019"),
        ("2019-9M", "9 tháng đầu năm 2019"),
        ("2019", "năm 2019"),
        ("2019-Q1", "quý I/2019"),
        ("2018-H1", "6 tháng đầu năm 2018"),
    ],
)
def test_longer_periods_sum_flows_and_take_stocks_at_the_end(demo_engine, key, name):
    period = parse_period(key)
    data = monthly(demo_engine, period.months)
    draft = draft_report(demo_engine, UNIT, period, "vi")
    assert draft.title == f"Số liệu báo cáo {name}"
    expected = expected_sentences(data, period)
    got = texts(draft)
    assert {pid: got.get(pid) for pid in expected} == expected


def test_quarter_golden_strings_pinned(demo_engine):
    """Q3/2019 as checked by hand against the monthly figures: 43 sites at the end of September, not 3 × 43."""
    paragraphs = texts(draft_report(demo_engine, UNIT, parse_period("2019-Q3"), "vi"))
    assert paragraphs["sites_activity"] == (
        "Về hoạt động của 43 Trang tin thành phần (trong đó có 03 trang hoạt động riêng): tổng số tin đã đăng "
        "1.414 tin."
    )
    assert paragraphs["portal_content"] == (
        "Đăng 106 tin, bài tiếng Việt; 70 tin, bài tiếng Khmer; 41 tin, bài tiếng Anh; thu và phát 43 bản tin audio; "
        "15 dự thảo lấy ý kiến nhân dân, cập nhật mới 39 Quyết định công bố thủ tục hành chính."
    )


def test_stock_before_a_change_in_the_quarter_takes_the_last_month(demo_engine):
    """Sites went from 41 to 43 in March 2019: Q1/2019 says 43, and 2018 says 41."""
    assert "của 43 Trang tin" in texts(draft_report(demo_engine, UNIT, parse_period("2019-Q1"), "vi"))["sites_activity"]
    assert "của 41 Trang tin" in texts(draft_report(demo_engine, UNIT, parse_period("2018"), "vi"))["sites_activity"]


def test_comparisons_previous_same_period_ytd_and_target(demo_engine):
    period = parse_period("2019-07")
    draft = draft_report(demo_engine, UNIT, period, "vi", parse_compare("prev,yoy,ytd,target"))
    now, june, last_july = (
        monthly(demo_engine, p.months) for p in (period, period.previous(), period.same_period_last_year())
    )
    ytd = monthly(demo_engine, period.year_to_date())
    ids = queries.unit_ids_with_predecessors(demo_engine, UNIT)
    target = queries.targets(demo_engine, ids, 2019)["sites_posts"]

    def change(current: int, base: int) -> str:
        diff = current - base
        if diff == 0:
            return "không đổi"
        word = "tăng" if diff > 0 else "giảm"
        return f"{word} {count(abs(diff))} tin ({percent(100 * abs(diff) / base)})"

    posts = flow(now, "sites_posts")
    # The seed sentence stays word for word; the comparisons follow as their own sentence, one clause each.
    expected = (
        f"{SEED_SITES} So với tháng trước {change(posts, flow(june, 'sites_posts'))}; so với cùng kỳ năm 2018 "
        f"{change(posts, flow(last_july, 'sites_posts'))}; lũy kế 7 tháng đầu năm 2019 là "
        f"{count(flow(ytd, 'sites_posts'))} tin, đạt {percent(100 * flow(ytd, 'sites_posts') / target)} kế hoạch năm."
    )
    paragraphs = texts(draft)
    assert paragraphs["sites_activity"] == expected
    for seed, pid in ((SEED_PORTAL, "portal_content"), (SEED_PUBLISHING, "publishing_licences")):
        assert paragraphs[pid].startswith(f"{seed} So với tháng trước, "), paragraphs[pid]
        assert "; so với cùng kỳ năm 2018, " in paragraphs[pid] and "; lũy kế 7 tháng đầu năm 2019, " in paragraphs[pid]
    assert ", tổng số tin, bài là 456 tin, bài, đạt " in paragraphs["portal_content"]
    assert not draft.notes
    full = " ".join(p.text for p in draft.paragraphs)
    assert "inf" not in full and "nan" not in full


def test_year_compares_with_last_year_once(demo_engine):
    """For a year (and nine months) the previous period is last year: said once, not twice."""
    draft = draft_report(demo_engine, UNIT, parse_period("2019"), "vi", parse_compare("prev,yoy"))
    sentence = texts(draft)["sites_activity"]
    assert sentence.lower().count("so với cùng kỳ năm 2018") == 1
    assert "so với năm 2018" not in sentence


def test_first_month_has_nothing_to_compare_with(demo_engine):
    draft = draft_report(demo_engine, UNIT, parse_period("2017-01"), "vi", parse_compare("prev,yoy,ytd,target"))
    assert draft.notes == (
        "Chưa có số liệu tháng 12/2016 để so sánh.",
        "Chưa có số liệu tháng 1/2016 để so sánh.",
        "Chưa có kế hoạch năm 2017 để tính tỷ lệ hoàn thành.",
    )
    full = " ".join(p.text for p in draft.paragraphs)
    for bad in ("inf", "nan", "None", "so với tháng trước", "lũy kế"):  # January: the year to date is the month
        assert bad not in full
    posts = flow(monthly(demo_engine, [dt.date(2017, 1, 1)]), "sites_posts")
    assert texts(draft)["sites_activity"].endswith(f"tổng số tin đã đăng {count(posts)} tin.")


def test_partial_period_says_how_far_the_data_goes(demo_engine):
    # Trà Vinh merged into Vĩnh Long on 2025-07-01: the surviving unit (with its predecessor) reports 2026.
    draft = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2026"), "vi")
    assert draft.notes == (
        "Lưu ý: số liệu đến hết tháng 10/2026, chưa đủ cả kỳ năm 2026; các phép so sánh dùng cùng các tháng của kỳ "
        "trước.",
    )


def test_period_without_data_gives_a_friendly_empty_draft(demo_engine):
    draft = draft_report(demo_engine, UNIT, parse_period("2031-03"), "vi")
    assert draft.is_empty and draft.figures.empty
    assert draft.notes == ("Chưa có số liệu tháng 3/2031 cho đơn vị đã chọn.",)


def test_merged_unit_draft_names_the_unit_as_it_was_then(demo_engine):
    # vinhlong-demo absorbed travinh-demo on 2025-07-01: a 2019 draft on it is Trà Vinh's, by the name of then.
    draft = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2019-07"), "vi")
    assert draft.unit_line == "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
    assert draft.title == "Số liệu báo cáo tháng 7/2019"
    assert texts(draft)["portal_content"] == SEED_PORTAL
    english = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2019-Q3"), "en")
    assert english.unit_line == "Tra Vinh Department of Information and Communications (demo data)"


def test_merged_unit_draft_across_the_merger_names_its_predecessor(demo_engine):
    draft = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2025"), "vi")
    assert draft.unit_line == (
        "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu) — gồm số liệu của Sở Thông tin và Truyền thông Trà Vinh "
        "(dữ liệu mẫu) trước khi hợp nhất"
    )
    after = draft_report(demo_engine, ["vinhlong-demo"], parse_period("2026-01"), "vi")
    assert after.unit_line == "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)"


def test_draft_headings_are_in_sentence_case(demo_engine):
    draft = draft_report(demo_engine, UNIT, parse_period("2019-Q3"), "vi")
    assert draft.title == "Số liệu báo cáo quý III/2019"
    for title in (draft.title, *(s.title for s in draft.sections)):  # not ALL CAPS ("Viễn thông, Internet" is)
        assert title[0].isupper() and title != title.upper(), title


def test_english_draft_states_the_same_facts_in_english_number_style(demo_engine):
    period = parse_period("2019-07")
    draft = draft_report(demo_engine, UNIT, period, "en")
    paragraphs = texts(draft)
    assert draft.title == "Report figures for July 2019"
    assert draft.window == "Reporting window: 1 July 2019 to 31 July 2019."
    assert paragraphs["portal_content"] == (
        "Posted 33 posts in Vietnamese; 23 posts in Khmer; 14 posts in English; recorded and broadcast "
        "14 audio bulletins; 5 draft documents for public comment; and 14 newly updated decisions announcing "
        "administrative procedures."
    )
    assert paragraphs["sites_activity"] == (
        "The 43 component sites (3 of them run independently) published 488 posts in total."
    )
    assert paragraphs["publishing_licences"] == (
        "Issued 14 licences to publish non-commercial documents and 2 printing activity registration declarations."
    )
    data = monthly(demo_engine, period.months)
    incoming = flow(data, "ioffice_documents", "incoming")
    assert incoming >= 1000  # so the English thousands separator shows
    assert f"received {incoming:,} incoming documents" in paragraphs["ioffice"]
    # With a comparison, English number style in the change too (one decimal, point).
    compared = texts(draft_report(demo_engine, UNIT, period, "en", parse_compare("ytd")))
    ytd = flow(monthly(demo_engine, period.year_to_date()), "sites_posts")
    assert compared["sites_activity"] == (
        f"The 43 component sites (3 of them run independently) published 488 posts in total. The total for the "
        f"first 7 months of 2019: {ytd:,} posts."
    )


def test_traceability_lists_every_figure_with_its_batch(demo_engine):
    draft = draft_report(demo_engine, UNIT, parse_period("2019-Q3"), "vi", parse_compare("prev,target"))
    figures = draft.figures
    assert list(figures.columns) == ["unit", "metric", "member", "period", "value", "batch_id", "role"]
    current = figures[figures["role"] == "current"]
    vi = current[(current["metric"] == "portal_posts") & (current["member"] == "vi")]
    assert sorted(vi["period"]) == ["2019-07", "2019-08", "2019-09"]
    assert vi["value"].sum() == 106  # 33 + 37 + 36
    # A stock is traced to the one month it is taken from.
    sites = current[current["metric"] == "sites_count"]
    assert list(sites["period"]) == ["2019-09"] and list(sites["value"]) == [43]
    assert current["batch_id"].notna().all()
    ids = queries.unit_ids_with_predecessors(demo_engine, UNIT)
    batches = set(queries.import_batches(demo_engine)["id"])
    assert set(current["batch_id"].astype(int)) <= batches
    previous = figures[(figures["role"] == "previous") & (figures["metric"] == "sites_posts")]
    assert sorted(set(previous["period"])) == ["2019-04", "2019-05", "2019-06"]
    targets = figures[figures["role"] == "target"]
    assert set(targets["metric"]) == set(queries.targets(demo_engine, ids, 2019))
    assert set(targets["period"]) == {"2019"}
