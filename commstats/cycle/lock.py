"""Locked periods ("chốt số liệu"): the months of an approved round may change only with a reason, and each
change is kept as an adjustment to be listed in the next report. etl.load.load_rows (the one load every
source shares) asks `locked_months` inside its transaction and calls `record_adjustments` there too, so a
change and its adjustment stand or fall together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from commstats.cycle.messages import CycleError
from commstats.models import Adjustment, ReportRound, Unit
from commstats.periods import month_key, months_between, period_from_start

MAX_REASON = 1000
Key = tuple[int, int, dt.date, int, str]  # (unit, metric, period, member) ids and the grain, as in etl.load


def any_locked(conn: Connection) -> bool:
    """Whether any round is approved at all: a load checks its keys only then (the common case costs one
    indexed look-up, never a pass over a million keys)."""
    return conn.execute(select(ReportRound.id).where(ReportRound.status == "approved").limit(1)).first() is not None


def locked_months(conn: Connection, first: dt.date, last: dt.date) -> dict[tuple[int, dt.date], int]:
    """(unit id, month) -> id of the approved round that locked it, for the months first..last. The rounds
    table is small (a few rows per unit and year), so this is one short query even on a national load."""
    query = select(ReportRound.id, ReportRound.unit_id, ReportRound.period_start, ReportRound.period_end).where(
        ReportRound.status == "approved", ReportRound.period_start <= last, ReportRound.period_end >= first
    )
    locked: dict[tuple[int, dt.date], int] = {}
    for row in conn.execute(query):
        for month in months_between(row.period_start, row.period_end):
            locked[(row.unit_id, month)] = row.id
    return locked


@dataclass(frozen=True)
class LockedChange:
    key: Key
    round_id: int
    old_value: int | None
    new_value: int
    months: tuple[dt.date, ...] = ()  # the locked months the figure covers (a quarter's may cover three)
    line: int | None = None  # the row of the input file that carries the figure


def months_of(key: Key) -> list[dt.date]:
    """Every month a stored figure covers: its own month, or each month of its quarter, half-year, 9 months or
    year (a 2020-Q2 figure covers April, May and June)."""
    return period_from_start(key[4], key[2]).months if key[4] != "month" else [key[2]]


def span_of(keys: Iterable[Key]) -> tuple[dt.date, dt.date]:
    """The first and last month the figures of `keys` cover (for locked_months)."""
    months = [month for key in keys for month in (key[2], months_of(key)[-1])]
    return min(months), max(months)


def locked_changes(
    changes: Iterable[tuple[Key, int | None, int, int | None]], locked: dict[tuple[int, dt.date], int]
) -> list[LockedChange]:
    """The changes (key, old value or None for a new figure, new value, input row) that cover a locked month:
    every month of a coarser figure is checked, not only its first."""
    found = []
    for key, old, new, line in changes:
        months = tuple(m for m in months_of(key) if (key[0], m) in locked)
        if months:
            found.append(LockedChange(key, locked[(key[0], months[0])], old, new, months, line))
    return found


def _period_key(key: Key) -> str:
    return month_key(key[2]) if key[4] == "month" else period_from_start(key[4], key[2]).key


def refuse_without_reason(conn: Connection, changes: list[LockedChange], reason: str) -> str:
    """The cleaned reason, or CycleError naming the unit and months when there is none: "period_locked", or
    "period_locked_coarse" (the figure's own period, 2020-Q2, and the locked months it covers, 2020-05) when
    a coarser figure is refused. Its `line` is the input row of the first refused figure."""
    cleaned = " ".join(reason.split())[:MAX_REASON]
    if changes and not cleaned:
        unit_ids = sorted({c.key[0] for c in changes})
        codes = dict(conn.execute(select(Unit.id, Unit.code).where(Unit.id.in_(unit_ids))).all())
        months = sorted({m for c in changes for m in (c.months or (c.key[2],))})
        shown = ", ".join(month_key(m) for m in months[:6]) + (" …" if len(months) > 6 else "")
        unit = ", ".join(codes[i] for i in unit_ids)
        first = min(changes, key=lambda c: (c.line is None, c.line or 0))
        coarse = sorted({_period_key(c.key) for c in changes if c.key[4] != "month"})
        if coarse:
            figures = ", ".join(coarse[:6]) + (" …" if len(coarse) > 6 else "")
            raise CycleError("period_locked_coarse", figures=figures, periods=shown, unit=unit, line=first.line)
        raise CycleError("period_locked", periods=shown, unit=unit, line=first.line)
    return cleaned


def record_adjustments(
    conn: Connection, changes: list[LockedChange], *, reason: str, batch_id: int, actor: str, at: dt.datetime
) -> None:
    conn.execute(
        insert(Adjustment),
        [
            {
                "round_id": c.round_id,
                "unit_id": c.key[0],
                "metric_id": c.key[1],
                "member_id": c.key[3],
                "period": c.key[2],
                "old_value": c.old_value,
                "new_value": c.new_value,
                "reason": reason,
                "batch_id": batch_id,
                "changed_at": at,
                "changed_by": actor[:128],
                "reported_in_id": None,
            }
            for c in changes
        ],
    )
