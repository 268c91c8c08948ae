"""What changes a round: open it, set a unit's deadline rules, departments and subscribers, assign, write
and submit sections, approve (which locks the figures). Each step checks the caller's role on the unit,
refuses bad input with a CycleError before writing anything, and is recorded in the audit trail in the
same transaction."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from commstats import audit, auth
from commstats.auth import Action, Principal
from commstats.cycle.deadlines import Rule, check_kind, schedule
from commstats.cycle.messages import CycleError
from commstats.db import session_scope
from commstats.models import (
    Adjustment,
    AppUser,
    DeadlineRule,
    Department,
    Metric,
    Observation,
    ReportRound,
    RoundSection,
    Section,
    Subscriber,
    Unit,
    _now,
)
from commstats.periods import Period, parse_period

NARRATIVE_BLOCKS = ("assessment", "plan", "recommendations")  # texts: the catalogue's cycle.block_<code>
_DEPARTMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        known = ", ".join(session.scalars(select(Unit.code).order_by(Unit.code))) or "-"
        raise CycleError("unknown_unit", unit=code, allowed=known)
    return unit


def _allow(principal: Principal, action: Action, unit: Unit) -> None:
    if not principal.can(action, unit.id):
        raise CycleError(
            "not_allowed", username=principal.username or "(khách / guest)", action=str(action), unit=unit.code
        )


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError:
        raise CycleError("bad_period", value=text) from None


def _round(session: Session, unit: Unit, period_key: str) -> ReportRound:
    key = _period(period_key).key
    found = session.scalar(select(ReportRound).where(ReportRound.unit_id == unit.id, ReportRound.period_key == key))
    if found is None:
        raise CycleError("no_round", unit=unit.code, period=key)
    return found


def _open_round_of(session: Session, unit: Unit, period_key: str) -> ReportRound:
    found = _round(session, unit, period_key)
    if found.status == "approved":
        raise CycleError("round_locked", unit=unit.code, period=found.period_key)
    return found


def _not_past(day: dt.date, today: dt.date) -> dt.date:
    if day < today:
        raise CycleError("deadline_past", deadline=day.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))
    return day


def parse_day(text: str) -> dt.date:
    """`2026-12-15` or `15/12/2026`."""
    cleaned = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise CycleError("bad_date", value=text)


def unit_rules(session: Session, unit_id: int) -> dict[str, Rule]:
    rows = session.execute(select(DeadlineRule).where(DeadlineRule.unit_id == unit_id)).scalars()
    return {r.kind: Rule(r.day, r.month_offset) for r in rows}


def set_rule(engine: Engine, principal: Principal, unit_code: str, kind: str, rule: Rule) -> None:
    """A unit's own deadline for one kind of period (replacing the Circular's default for it)."""
    check_kind(kind)
    rule.check()
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.SETTINGS, unit)
        stored = session.scalar(select(DeadlineRule).where(DeadlineRule.unit_id == unit.id, DeadlineRule.kind == kind))
        stored = stored or DeadlineRule(unit_id=unit.id, kind=kind)
        stored.day, stored.month_offset = rule.day, rule.month_offset
        session.add(stored)
        audit.record(
            session,
            actor=principal.actor,
            action="cycle_rule",
            unit_code=unit.code,
            target=kind,
            detail={"day": rule.day, "month_offset": rule.month_offset},
        )


def save_department(
    engine: Engine, principal: Principal, unit_code: str, code: str, name_vi: str, name_en: str = "", email: str = ""
) -> None:
    code = code.strip().lower()
    if not _DEPARTMENT_CODE.match(code):
        raise CycleError("bad_department_code", code=code)
    email = _check_email(email) if email.strip() else ""
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.SETTINGS, unit)
        stored = session.scalar(select(Department).where(Department.unit_id == unit.id, Department.code == code))
        stored = stored or Department(unit_id=unit.id, code=code)
        stored.name_vi, stored.name_en, stored.email = name_vi.strip()[:255] or code, name_en.strip()[:255], email
        session.add(stored)
        audit.record(
            session,
            actor=principal.actor,
            action="cycle_department",
            unit_code=unit.code,
            target=code,
            detail={"email": email},
        )


def _check_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 255:
        raise CycleError("bad_email", email=email)
    return cleaned


def subscribe(
    engine: Engine, principal: Principal, unit_code: str, email: str, name: str = "", lang: str = "vi"
) -> None:
    address = _check_email(email)
    if lang not in ("vi", "en"):
        raise CycleError("bad_lang")
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.CYCLE, unit)
        stored = session.scalar(select(Subscriber).where(Subscriber.unit_id == unit.id, Subscriber.email == address))
        stored = stored or Subscriber(unit_id=unit.id, email=address)
        stored.name, stored.lang = name.strip()[:255], lang
        session.add(stored)
        audit.record(session, actor=principal.actor, action="cycle_subscribe", unit_code=unit.code, target=address)


def unsubscribe(engine: Engine, principal: Principal, unit_code: str, email: str) -> bool:
    address = email.strip().lower()
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.CYCLE, unit)
        stored = session.scalar(select(Subscriber).where(Subscriber.unit_id == unit.id, Subscriber.email == address))
        if stored is None:
            return False
        session.delete(stored)
        audit.record(session, actor=principal.actor, action="cycle_unsubscribe", unit_code=unit.code, target=address)
        return True


def _section_codes(session: Session) -> list[str]:
    """The catalogue's sections that have metrics, in the report's order."""
    query = (
        select(Section.code)
        .where(select(Metric.id).where(Metric.section_id == Section.id).exists())
        .order_by(Section.sort_order, Section.code)
    )
    return list(session.scalars(query))


def open_round(
    engine: Engine,
    principal: Principal,
    unit_code: str,
    period_key: str,
    *,
    deadline: dt.date | None = None,
    today: dt.date | None = None,
) -> int:
    """Open the round of `period_key` for a unit: the deadline from the unit's rules (or `deadline`, which may
    not be in the past), the cut-off window from its cut-off day, and one section per catalogue section and
    narrative block, all due on the deadline. Returns the round's id."""
    period = _period(period_key)
    if deadline is not None:
        _not_past(deadline, _today(today))
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.CYCLE, unit)
        exists = select(ReportRound.id).where(ReportRound.unit_id == unit.id, ReportRound.period_key == period.key)
        if session.scalar(exists) is not None:
            raise CycleError("round_exists", unit=unit.code, period=period.key)
        plan = schedule(period, unit.cutoff_day, unit_rules(session, unit.id))
        due = deadline or plan.deadline
        new = ReportRound(
            unit_id=unit.id,
            period_key=period.key,
            kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            window_start=plan.window_start,
            window_end=plan.window_end,
            deadline=due,
            status="open",
            opened_by=principal.actor,
        )
        session.add(new)
        session.flush()
        codes = [(c, "metrics") for c in _section_codes(session)] + [(c, "narrative") for c in NARRATIVE_BLOCKS]
        for order, (code, kind) in enumerate(codes):
            session.add(RoundSection(round_id=new.id, code=code, kind=kind, sort_order=order, due=due))
        audit.record(
            session,
            actor=principal.actor,
            action="round_open",
            unit_code=unit.code,
            target=period.key,
            detail={
                "deadline": due.isoformat(),
                "window": [plan.window_start.isoformat(), plan.window_end.isoformat()],
            },
        )
        return new.id


def _section(session: Session, found: ReportRound, code: str) -> RoundSection:
    sections = list(session.scalars(select(RoundSection).where(RoundSection.round_id == found.id)))
    for section in sections:
        if section.code == code:
            return section
    raise CycleError("unknown_section", section=code, allowed=", ".join(s.code for s in sections))


def assign_section(
    engine: Engine,
    principal: Principal,
    unit_code: str,
    period_key: str,
    section_code: str,
    *,
    department: str | None = None,
    username: str | None = None,
    due: dt.date | None = None,
    today: dt.date | None = None,
) -> str:
    """Give a section to one department or one person, optionally with its own due date (not in the past).
    Returns who it went to."""
    if bool(department) == bool(username):
        raise CycleError("assign_one")
    if due is not None:
        _not_past(due, _today(today))
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.CYCLE, unit)
        found = _open_round_of(session, unit, period_key)
        section = _section(session, found, section_code)
        if department:
            code = department.strip().lower()
            dept = session.scalar(select(Department).where(Department.unit_id == unit.id, Department.code == code))
            if dept is None:
                known = session.scalars(select(Department.code).where(Department.unit_id == unit.id))
                raise CycleError(
                    "unknown_department", department=department, unit=unit.code, allowed=", ".join(sorted(known)) or "-"
                )
            section.department_id, section.assignee_id, assignee = dept.id, None, dept.code
        else:
            name = (username or "").strip().lower()
            user = session.scalar(select(AppUser).where(AppUser.username == name, AppUser.is_active.is_(True)))
            if user is None:
                raise CycleError("unknown_user", username=username)
            section.department_id, section.assignee_id, assignee = None, user.id, user.username
        if due is not None:
            section.due = due
        audit.record(
            session,
            actor=principal.actor,
            action="section_assign",
            unit_code=unit.code,
            target=f"{found.period_key}/{section.code}",
            detail={"assignee": assignee, "due": section.due.isoformat()},
        )
        return assignee


def _has_figures(session: Session, unit: Unit, found: ReportRound, section_code: str) -> bool:
    query = (
        select(func.count())
        .select_from(Observation)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Section, Section.id == Metric.section_id)
        .where(
            Observation.unit_id == unit.id,
            Section.code == section_code,
            Observation.period.between(found.period_start, found.period_end),
        )
    )
    return bool(session.scalar(query))


def save_text(
    engine: Engine, principal: Principal, unit_code: str, period_key: str, section_code: str, body: str
) -> None:
    """The text of a narrative block (saving it puts the block in progress)."""
    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        found = _open_round_of(session, unit, period_key)
        section = _section(session, found, section_code)
        _allow(principal, Action.CYCLE, unit)  # editors of the unit write and submit (the assignee is one)
        section.body = body.strip()[:20_000]
        audit.record(
            session,
            actor=principal.actor,
            action="section_text",
            unit_code=unit.code,
            target=f"{found.period_key}/{section.code}",
            detail={"chars": len(section.body)},
        )


def submit_section(
    engine: Engine, principal: Principal, unit_code: str, period_key: str, section_code: str, *, lang: str = "vi"
) -> None:
    """Mark a section submitted; a metrics section needs at least one figure in the period, a narrative
    block its text."""
    from commstats.cycle.reads import section_title

    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        found = _open_round_of(session, unit, period_key)
        section = _section(session, found, section_code)
        _allow(principal, Action.CYCLE, unit)  # editors of the unit write and submit (the assignee is one)
        filled = _has_figures(session, unit, found, section.code) if section.kind == "metrics" else bool(section.body)
        if not filled:
            title = section_title(session, section.code, section.kind, lang)
            raise CycleError("section_empty", section=title, period=found.period_key)
        section.status, section.submitted_at, section.submitted_by = "submitted", _now(), principal.actor
        audit.record(
            session,
            actor=principal.actor,
            action="section_submit",
            unit_code=unit.code,
            target=f"{found.period_key}/{section.code}",
        )


def approve_round(engine: Engine, principal: Principal, unit_code: str, period_key: str, *, lang: str = "vi") -> None:
    """Approve a round whose every section is submitted: its months are locked, its sections approved, and
    the adjustments made since the last report (to months before this period) are listed in this one."""
    from commstats.cycle.reads import section_title

    with session_scope(engine) as session:
        unit = _unit(session, unit_code)
        _allow(principal, Action.APPROVE, unit)
        found = _round(session, unit, period_key)
        if found.status == "approved":
            at = found.approved_at.strftime("%d/%m/%Y %H:%M") if found.approved_at else "-"
            raise CycleError("round_already_approved", unit=unit.code, period=found.period_key, at=at)
        sections = list(session.scalars(select(RoundSection).where(RoundSection.round_id == found.id)))
        missing = [s for s in sections if s.status != "submitted"]
        if missing:
            names = "; ".join(section_title(session, s.code, s.kind, lang) for s in missing)
            raise CycleError("round_incomplete", count=len(missing), sections=names)
        now = _now()
        found.status, found.approved_at, found.approved_by = "approved", now, principal.actor
        for section in sections:
            section.status = "approved"
        session.execute(
            update(Adjustment)
            .where(
                Adjustment.unit_id == unit.id,
                Adjustment.reported_in_id.is_(None),
                Adjustment.period < found.period_start,
                Adjustment.round_id != found.id,
            )
            .values(reported_in_id=found.id)
        )
        audit.record(
            session,
            actor=principal.actor,
            action="round_approve",
            unit_code=unit.code,
            target=found.period_key,
            detail={"locked": [found.period_start.isoformat(), found.period_end.isoformat()]},
        )


def mark_sent(engine: Engine, round_id: int, *, actor: str, recipients: list[str]) -> None:
    with session_scope(engine) as session:
        found = session.get(ReportRound, round_id)
        assert found is not None
        found.sent_at = _now()
        code = session.scalar(select(Unit.code).where(Unit.id == found.unit_id)) or ""
        audit.record(
            session,
            actor=actor,
            action="report_send",
            unit_code=code,
            target=found.period_key,
            detail={"recipients": recipients},
        )


def mark_reminded(engine: Engine, section_ids: list[int], *, actor: str, recipient: str, unit_code: str) -> None:
    with session_scope(engine) as session:
        session.execute(update(RoundSection).where(RoundSection.id.in_(section_ids)).values(reminded_at=_now()))
        audit.record(
            session,
            actor=actor,
            action="remind",
            unit_code=unit_code,
            target=recipient,
            detail={"sections": section_ids},
        )


def principal_or_developer(engine: Engine, username: str | None) -> Principal | None:
    """The CLI's caller: the account named by --user (its roles apply), else the trusted operator."""
    if username is None:
        return auth.developer()
    return auth.principal_for(engine, username.strip().lower())
