"""Deleting one stored figure: the way out when a bad row got in (a mistyped month, a wrong unit).

The figure, its revisions and the reason go together in one transaction with an audit event that
keeps what was deleted, so nothing disappears without a trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from commstats import audit
from commstats.catalog import UNALLOCATED
from commstats.db import writer
from commstats.i18n import BilingualError
from commstats.models import Member, Metric, Observation, Revision, Unit
from commstats.periods import month_key


class FigureError(BilingualError):
    """Its keys are the catalogue's top-level figure_* texts (no namespace)."""


@dataclass(frozen=True)
class DeletedFigure:
    unit_code: str
    metric_code: str
    period: dt.date
    member_code: str
    value: int
    revisions: int


def delete_figure(
    engine: Engine,
    unit_code: str,
    metric_code: str,
    period: dt.date,
    member_code: str = "",
    *,
    actor: str,
    reason: str,
) -> DeletedFigure:
    """Delete the figure of (unit, metric, month, member); refused without a reason or when there is none."""
    reason = reason.strip()
    if not reason:
        raise FigureError("figure_delete_needs_reason")
    month = period.replace(day=1)
    query = (
        select(Observation.id, Observation.value, Member.code)
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
        .where(Unit.code == unit_code, Metric.code == metric_code, Observation.period == month)
        .where(Observation.grain == "month")  # the month's own figure, not a quarter starting then
    )
    with writer(engine).begin() as conn:
        rows = conn.execute(query).all()
        found = [r for r in rows if r.code == (member_code or UNALLOCATED)]
        if len(found) != 1:
            members = ", ".join(sorted(r.code for r in rows)) or "-"
            raise FigureError(
                "figure_not_found",
                unit=unit_code,
                metric=metric_code,
                month=month_key(month),
                member=member_code or "-",
                members=members,
            )
        observation_id, value, stored_member = found[0]
        revisions = conn.execute(delete(Revision).where(Revision.observation_id == observation_id)).rowcount
        conn.execute(delete(Observation).where(Observation.id == observation_id))
        audit.record(
            conn,
            actor=actor,
            action="figure_delete",
            unit_code=unit_code,
            target=f"{metric_code} {month_key(month)} {'' if stored_member == UNALLOCATED else stored_member}".strip(),
            detail={"value": int(value), "reason": reason[:500], "revisions": revisions},
        )
    member = "" if stored_member == UNALLOCATED else stored_member
    return DeletedFigure(unit_code, metric_code, month, member, int(value), revisions)
