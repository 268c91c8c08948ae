"""The report cycle's core: deadlines (Thông tư 02/2023/TT-BTTTT, per-unit rules, the 15→14 window), rounds and
sections, statuses, refusals that change nothing, approval that locks the figures in load_rows, adjustments listed
in the next report, drafts marked preliminary, and every step in the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from commstats import audit
from commstats.cycle import reads, rounds
from commstats.cycle.deadlines import DEFAULT_RULES, MINISTRY_RULES, Rule, deadline, schedule
from commstats.cycle.messages import CycleError
from commstats.cycle.reads import effective_status
from commstats.db import make_engine
from commstats.models import Adjustment, Observation, Revision
from commstats.narrative import draft_report
from commstats.periods import parse_period
from etl.pipeline import import_content
from tests.cyclehelp import SECTIONS, UNIT, cycle_state, fill_and_submit, principal

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("period", "due", "ministry"),
    [
        ("2026-11", "2026-11-15", "2026-11-16"),
        ("2026-Q4", "2026-12-06", "2026-12-08"),
        ("2026-H1", "2026-06-06", "2026-06-08"),
        ("2026", "2026-11-25", "2026-11-27"),
        ("2026-9M", "2026-09-06", "2026-09-08"),
    ],
)
def test_deadlines_follow_thong_tu_02_2023(period, due, ministry):
    chosen = parse_period(period)
    assert deadline(chosen, DEFAULT_RULES[chosen.kind]) == dt.date.fromisoformat(due)
    assert deadline(chosen, MINISTRY_RULES[chosen.kind]) == dt.date.fromisoformat(ministry)


def test_window_follows_the_units_cutoff():
    july = schedule(parse_period("2019-07"), 15)
    assert (july.window_start, july.window_end, july.deadline) == (
        dt.date(2019, 6, 15),
        dt.date(2019, 7, 14),
        dt.date(2019, 7, 15),
    )
    q3 = schedule(parse_period("2019-Q3"), 0)
    assert (q3.window_start, q3.window_end) == (dt.date(2019, 7, 1), dt.date(2019, 9, 30))
    assert deadline(parse_period("2026-06"), Rule(31, 1)) == dt.date(2026, 7, 31)
    assert deadline(parse_period("2026-05"), Rule(31, 1)) == dt.date(2026, 6, 30)  # clamped to June's length


def test_effective_status():
    due = dt.date(2026, 12, 15)
    assert effective_status("not_started", due, TODAY, False) == "not_started"
    assert effective_status("not_started", due, TODAY, True) == "in_progress"
    assert effective_status("not_started", due, dt.date(2026, 12, 16), True) == "late"
    assert effective_status("submitted", due, dt.date(2027, 1, 1), True) == "submitted"
    assert effective_status("approved", due, dt.date(2027, 1, 1), True) == "approved"


def test_open_round_uses_the_unit_rule_and_lists_sections(demo_url):
    engine = make_engine(demo_url)
    admin = principal(engine, "admin")
    rounds.set_rule(engine, admin, UNIT, "month", Rule(20, 1))
    rounds.open_round(engine, admin, UNIT, "2026-11", today=TODAY)
    found = reads.round_for(engine, UNIT, "2026-11", today=TODAY, lang="vi")
    assert found is not None and found.deadline == dt.date(2026, 12, 20)
    codes = [s.code for s in found.sections]
    assert codes[:3] == ["portal", "sites", "publishing"] and codes[-3:] == ["assessment", "plan", "recommendations"]
    assert {s.status for s in found.sections} == {"not_started"}
    assert found.sections[-1].title == "Kiến nghị, đề xuất"
    engine.dispose()


def test_bad_input_is_refused_bilingually_and_changes_nothing(demo_url):
    engine = make_engine(demo_url)
    editor = principal(engine, "editor")
    rounds.open_round(engine, editor, UNIT, "2026-11", today=TODAY)
    before = cycle_state(engine)
    cases = [
        (
            lambda: rounds.open_round(engine, editor, UNIT, "2026-12", deadline=dt.date(2026, 12, 1), today=TODAY),
            "deadline_past",
            "Hạn 01/12/2026 đã qua",
            "is in the past",
        ),
        (
            lambda: rounds.assign_section(engine, editor, UNIT, "2026-11", "portal", department="khong-co"),
            "unknown_department",
            "Không có phòng “khong-co”",
            "No department “khong-co”",
        ),
        (
            lambda: rounds.assign_section(
                engine, editor, UNIT, "2026-11", "portal", username="editor", due=dt.date(2026, 11, 30), today=TODAY
            ),
            "deadline_past",
            "đã qua",
            "in the past",
        ),
        (
            lambda: rounds.approve_round(engine, principal(engine, "leader"), UNIT, "2026-11"),
            "round_incomplete",
            f"Chưa duyệt được: còn {SECTIONS} phần chưa nộp",
            f"Cannot approve: {SECTIONS} sections",
        ),
        (lambda: rounds.approve_round(engine, editor, UNIT, "2026-11"), "not_allowed", "không có quyền", "may not"),
        (lambda: rounds.open_round(engine, editor, UNIT, "2026-13"), "bad_period", "không hợp lệ", "Invalid"),
        (lambda: rounds.open_round(engine, editor, UNIT, "2026-11"), "round_exists", "đã được mở", "already open"),
        (
            lambda: rounds.open_round(engine, editor, "vinhlong-demo", "2026-11"),
            "not_allowed",
            "vinhlong-demo",
            "vinhlong-demo",
        ),
        (
            lambda: rounds.submit_section(engine, editor, UNIT, "2026-11", "assessment"),
            "section_empty",
            "chưa có số liệu",
            "has no figure",
        ),
    ]
    for work, key, vi, en in cases:
        with pytest.raises(CycleError) as refused:
            work()
        assert refused.value.key == key
        assert vi in refused.value.message("vi") and en in refused.value.message("en")
    assert cycle_state(engine) == before
    engine.dispose()


def test_approval_locks_the_period_and_adjustments_reach_the_next_report(demo_url):
    engine = make_engine(demo_url)
    editor, leader = principal(engine, "editor", "lan"), principal(engine, "leader", "giamdoc")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    july = draft_report(engine, [UNIT], parse_period("2019-07"))
    assert july.notes[0].startswith("Số liệu sơ bộ: kỳ báo cáo tháng 7/2019 chưa được duyệt")
    fill_and_submit(engine, editor, "2019-07", "2019-07")
    rounds.approve_round(engine, leader, UNIT, "2019-07")
    found = reads.round_for(engine, UNIT, "2019-07")
    assert found is not None and found.status == "approved" and found.approved_by == "giamdoc"
    assert {s.status for s in found.sections} == {"approved"}
    assert draft_report(engine, [UNIT], parse_period("2019-07")).notes[0].startswith("Số liệu đã chốt ngày")

    change = f"period,metric,member,value,unit\n2019-07,portal_posts,vi,40,{UNIT}\n".encode()
    with engine.connect() as conn:
        observations = [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))]
    refused = import_content(engine, change, "sua.csv", created_by="lan")
    assert not refused.ok and "đã được chốt" in refused.summary("vi") and "locked" in refused.summary("en")
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))] == observations
    blank = import_content(engine, change, "sua.csv", created_by="lan", reason="   ")
    assert not blank.ok
    done = import_content(engine, change, "sua.csv", created_by="lan", reason="Cổng đếm sót 7 tin")
    assert done.ok and done.result is not None and done.result.adjusted == 1
    with engine.connect() as conn:
        revision = conn.execute(select(Revision).where(Revision.batch_id == done.result.batch_id)).one()
        adjustment = conn.execute(select(Adjustment)).one()
    assert (revision.old_value, revision.new_value) == (33, 40)
    assert (adjustment.old_value, adjustment.new_value, adjustment.reason) == (33, 40, "Cổng đếm sót 7 tin")
    # A month that is not locked loads as before, with no reason.
    other = f"period,metric,member,value,unit\n2019-08,portal_posts,vi,41,{UNIT}\n".encode()
    assert import_content(engine, other, "thang8.csv", created_by="lan").ok

    rounds.open_round(engine, editor, UNIT, "2019-08")
    august = draft_report(engine, [UNIT], parse_period("2019-08"))
    assert august.notes[0].startswith("Số liệu sơ bộ")
    adjustments = august.sections[-1]
    assert adjustments.title == "Số liệu điều chỉnh"
    assert [p.text for p in adjustments.paragraphs] == [
        "Tin, bài đăng trên Cổng thông tin điện tử (tiếng Việt) tháng 7/2019: điều chỉnh từ 33 thành 40 tin, bài"
        " (lý do: Cổng đếm sót 7 tin)."
    ]
    fill_and_submit(engine, editor, "2019-08", "2019-08")
    rounds.approve_round(engine, leader, UNIT, "2019-08")
    with engine.connect() as conn:
        reported = conn.execute(select(Adjustment.reported_in_id)).scalar_one()
    assert reported == reads.round_for(engine, UNIT, "2019-08").id  # type: ignore[union-attr]
    september = draft_report(engine, [UNIT], parse_period("2019-09"))
    assert all(s.code != "adjustments" for s in september.sections)  # listed once, in the next report only

    actions = [e.action for e in audit.events(engine, actions=audit.CYCLE_ACTIONS)]
    for action in ("round_open", "section_text", "section_submit", "round_approve", "adjustment"):
        assert action in actions
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Adjustment)).scalar() == 1
    engine.dispose()


def test_statuses_on_the_board(demo_url):
    engine = make_engine(demo_url)
    editor = principal(engine, "editor")
    rounds.save_department(engine, principal(engine, "admin"), UNIT, "vanphong", "Văn phòng Sở", email="vp@example.vn")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    rounds.assign_section(engine, editor, UNIT, "2019-07", "portal", department="vanphong", due=dt.date(2099, 1, 1))
    rounds.submit_section(engine, editor, UNIT, "2019-07", "sites")
    found = reads.round_for(engine, UNIT, "2019-07", today=TODAY)
    assert found is not None
    by_code = {s.code: s for s in found.sections}
    assert by_code["portal"].status == "in_progress"  # figures entered, due later
    assert (by_code["portal"].assignee, by_code["portal"].email) == ("Văn phòng Sở", "vp@example.vn")
    assert by_code["sites"].status == "submitted"
    assert by_code["games"].status == "late" and by_code["games"].days_left < 0
    assert len(found.missing) == SECTIONS - 1
    engine.dispose()


def test_a_coarse_figure_is_checked_against_every_month_it_covers(demo_url):
    """A 2019-Q3 figure whose second month (August) is locked is refused, though July (its first) is not:
    the message names the file, row, column, the figure's period and the locked month; nothing changes."""
    engine = make_engine(demo_url)
    editor, leader = principal(engine, "editor", "lan"), principal(engine, "leader", "giamdoc")
    rounds.open_round(engine, editor, UNIT, "2019-08")
    fill_and_submit(engine, editor, "2019-08", "2019-08")
    rounds.approve_round(engine, leader, UNIT, "2019-08")
    with engine.connect() as conn:
        before = [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))]
    quarter = (
        "period,metric,member,value,unit\n"
        f"2019-10,portal_posts,vi,99,{UNIT}\n"  # not locked: the whole file is refused all the same
        f"2019-Q3,portal_posts,vi,120,{UNIT}\n"
    ).encode()
    refused = import_content(engine, quarter, "quy3.csv", created_by="lan")
    assert not refused.ok
    [problem] = refused.problems
    assert (problem.file, problem.row, problem.column) == ("quy3.csv", 3, "period")
    vi, en = refused.summary("vi"), refused.summary("en")
    assert "quy3.csv" in vi and "2019-Q3" in vi and "2019-08" in vi and "đã được chốt" in vi
    assert "2019-Q3" in en and "2019-08" in en and "locked" in en
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))] == before
    # The first half of the year covers no locked month… but the year 2019 covers August too.
    year = f"period,metric,member,value,unit\n2019,portal_posts,vi,500,{UNIT}\n".encode()
    assert not import_content(engine, year, "nam.csv", created_by="lan").ok
    half = f"period,metric,member,value,unit\n2019-H1,portal_posts,vi,250,{UNIT}\n".encode()
    assert import_content(engine, half, "6thang.csv", created_by="lan").ok
    done = import_content(engine, quarter, "quy3.csv", created_by="lan", reason="Báo cáo quý gửi muộn")
    assert done.ok and done.result is not None and done.result.adjusted == 1
    engine.dispose()
