"""Every read of the report cycle (bound parameters only). Kept beside the cycle rather than in
commstats/queries.py: that module is already 600 lines of figure reads that other branches change in
parallel, and these reads concern only the cycle's own tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from commstats.cycle.deadlines import days_left
from commstats.cycle.messages import cycle_text
from commstats.models import (
    Adjustment,
    AppUser,
    Department,
    Member,
    Metric,
    Observation,
    ReportRound,
    RoundSection,
    Section,
    Subscriber,
    Unit,
)
from commstats.periods import Period, parse_period

STATUSES = ("not_started", "in_progress", "submitted", "approved", "late")


def section_title(session: Session, code: str, kind: str, lang: str = "vi") -> str:
    if kind == "narrative":
        return cycle_text("block_" + code, lang)
    row = session.execute(select(Section.name_vi, Section.name_en).where(Section.code == code)).first()
    return (row.name_en if lang == "en" else row.name_vi) if row else code


def effective_status(stored: str, due: dt.date, today: dt.date, started: bool) -> str:
    """The status shown: submitted and approved as stored; otherwise late once the due day has passed, in
    progress when figures (or the text) have been entered, else not started."""
    if stored in ("submitted", "approved"):
        return stored
    if today > due:
        return "late"
    return "in_progress" if started else "not_started"


@dataclass(frozen=True)
class SectionRow:
    id: int
    code: str
    kind: str  # metrics | narrative
    title: str
    assignee: str  # a department's or a person's name, "" when unassigned
    assignee_code: str  # department code or username
    email: str  # where reminders go ("" when none)
    due: dt.date
    days_left: int  # negative when overdue
    status: str  # one of STATUSES
    submitted_by: str
    submitted_at: dt.datetime | None
    body: str


@dataclass(frozen=True)
class RoundRow:
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    period_key: str
    kind: str
    window_start: dt.date
    window_end: dt.date
    deadline: dt.date
    status: str  # open | approved
    approved_at: dt.datetime | None
    approved_by: str
    sent_at: dt.datetime | None
    sections: tuple[SectionRow, ...] = ()

    @property
    def period(self) -> Period:
        return parse_period(self.period_key)

    @property
    def missing(self) -> list[SectionRow]:
        return [s for s in self.sections if s.status not in ("submitted", "approved")]

    @property
    def complete(self) -> bool:
        return not self.missing


def _started_sections(session: Session, found: ReportRound) -> set[str]:
    """Catalogue sections with at least one figure of the unit in the round's months."""
    query = (
        select(Section.code)
        .join(Metric, Metric.section_id == Section.id)
        .join(Observation, Observation.metric_id == Metric.id)
        .where(Observation.unit_id == found.unit_id, Observation.period.between(found.period_start, found.period_end))
        .distinct()
    )
    return set(session.scalars(query))


def _sections(session: Session, found: ReportRound, today: dt.date, lang: str) -> tuple[SectionRow, ...]:
    started = _started_sections(session, found)
    query = (
        select(RoundSection, Department, AppUser)
        .outerjoin(Department, Department.id == RoundSection.department_id)
        .outerjoin(AppUser, AppUser.id == RoundSection.assignee_id)
        .where(RoundSection.round_id == found.id)
        .order_by(RoundSection.sort_order)
    )
    rows = []
    for section, department, user in session.execute(query):
        if department is not None:
            name = department.name_en if lang == "en" and department.name_en else department.name_vi
            assignee, code, email = name, department.code, department.email
        elif user is not None:
            assignee, code, email = user.display_name or user.username, user.username, user.email or ""
        else:
            assignee, code, email = "", "", ""
        begun = section.code in started if section.kind == "metrics" else bool(section.body)
        rows.append(
            SectionRow(
                section.id,
                section.code,
                section.kind,
                section_title(session, section.code, section.kind, lang),
                assignee,
                code,
                email,
                section.due,
                days_left(section.due, today),
                effective_status(section.status, section.due, today, begun),
                section.submitted_by,
                section.submitted_at,
                section.body,
            )
        )
    return tuple(rows)


def _round_row(
    session: Session, found: ReportRound, unit: Unit, today: dt.date, lang: str, with_sections: bool
) -> RoundRow:
    name = unit.name_en if lang == "en" and unit.name_en else unit.name_vi
    return RoundRow(
        found.id,
        unit.id,
        unit.code,
        name,
        found.period_key,
        found.kind,
        found.window_start,
        found.window_end,
        found.deadline,
        found.status,
        found.approved_at,
        found.approved_by,
        found.sent_at,
        _sections(session, found, today, lang) if with_sections else (),
    )


def rounds(
    engine: Engine,
    unit_ids: Sequence[int],
    *,
    today: dt.date | None = None,
    lang: str = "vi",
    status: str | None = None,
    with_sections: bool = True,
    limit: int = 50,
) -> list[RoundRow]:
    """The rounds of these units, newest period first."""
    if not unit_ids:
        return []
    query = (
        select(ReportRound, Unit)
        .join(Unit, Unit.id == ReportRound.unit_id)
        .where(ReportRound.unit_id.in_(list(unit_ids)))
        .order_by(ReportRound.period_end.desc(), ReportRound.period_start, Unit.code)
        .limit(limit)
    )
    if status is not None:
        query = query.where(ReportRound.status == status)
    day = today or dt.date.today()
    with Session(engine) as session:
        return [_round_row(session, r, u, day, lang, with_sections) for r, u in session.execute(query)]


def round_for(
    engine: Engine, unit_code: str, period_key: str, *, today: dt.date | None = None, lang: str = "vi"
) -> RoundRow | None:
    query = (
        select(ReportRound, Unit)
        .join(Unit, Unit.id == ReportRound.unit_id)
        .where(Unit.code == unit_code, ReportRound.period_key == period_key)
    )
    with Session(engine) as session:
        found = session.execute(query).first()
        return _round_row(session, found[0], found[1], today or dt.date.today(), lang, True) if found else None


def rounds_of_period(engine: Engine, unit_ids: Sequence[int], period_key: str) -> list[RoundRow]:
    """The rounds of `period_key` of these units (for marking a draft), without sections."""
    if not unit_ids:
        return []
    query = (
        select(ReportRound, Unit)
        .join(Unit, Unit.id == ReportRound.unit_id)
        .where(ReportRound.unit_id.in_(list(unit_ids)), ReportRound.period_key == period_key)
    )
    with Session(engine) as session:
        return [_round_row(session, r, u, dt.date.today(), "vi", False) for r, u in session.execute(query)]


@dataclass(frozen=True)
class AdjustmentRow:
    unit_code: str
    metric_code: str
    metric_name: str
    member_name: str
    unit_word: str
    period: dt.date
    old_value: int | None
    new_value: int
    reason: str
    changed_at: dt.datetime
    changed_by: str


def adjustments_for(engine: Engine, unit_ids: Sequence[int], period: Period, lang: str = "vi") -> list[AdjustmentRow]:
    """The adjustments the report of `period` lists: those its approval took in, or, before it is approved,
    those not yet reported that concern months before the period."""
    if not unit_ids:
        return []
    ids = list(unit_ids)
    this_round = select(ReportRound.id).where(ReportRound.unit_id.in_(ids), ReportRound.period_key == period.key)
    query = (
        select(Adjustment, Unit.code, Metric, Member)
        .join(Unit, Unit.id == Adjustment.unit_id)
        .join(Metric, Metric.id == Adjustment.metric_id)
        .join(Member, Member.id == Adjustment.member_id)
        .where(
            Adjustment.unit_id.in_(ids),
            or_(
                Adjustment.reported_in_id.in_(this_round),
                Adjustment.reported_in_id.is_(None) & (Adjustment.period < period.start),
            ),
        )
        .order_by(Adjustment.period, Metric.sort_order, Member.sort_order, Adjustment.id)
    )
    with Session(engine) as session:
        return [
            AdjustmentRow(
                code,
                metric.code,
                metric.name_en if lang == "en" else metric.name_vi,
                (member.name_en if lang == "en" else member.name_vi) if member.code else "",
                metric.unit_en if lang == "en" else metric.unit_vi,
                adj.period,
                adj.old_value,
                adj.new_value,
                adj.reason,
                adj.changed_at,
                adj.changed_by,
            )
            for adj, code, metric, member in session.execute(query)
        ]


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    email: str
    lang: str = "vi"


def departments(engine: Engine, unit_id: int) -> list[Named]:
    query = select(Department).where(Department.unit_id == unit_id).order_by(Department.code)
    with Session(engine) as session:
        return [Named(d.code, d.name_vi, d.email) for d in session.scalars(query)]


def subscribers(engine: Engine, unit_id: int) -> list[Named]:
    query = select(Subscriber).where(Subscriber.unit_id == unit_id).order_by(Subscriber.email)
    with Session(engine) as session:
        return [Named(s.email, s.name, s.email, s.lang) for s in session.scalars(query)]


def assignable_users(engine: Engine) -> list[Named]:
    query = select(AppUser).where(AppUser.is_active.is_(True)).order_by(AppUser.username)
    with Session(engine) as session:
        return [Named(u.username, u.display_name or u.username, u.email or "") for u in session.scalars(query)]


def open_round_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).where(ReportRound.status == "open")) or 0)
