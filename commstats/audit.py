"""The audit trail: who changed what and when. Events are only ever added, in the same
transaction as the change they describe, so a change and its record stand or fall together."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from commstats.models import AuditEvent, _now

# Actions that change figures (shown to editors); the others concern accounts and sign-ins (admins only).
# The report cycle's steps (commstats/cycle): opening, assigning, submitting, approving, adjusting, mailing.
CYCLE_ACTIONS = frozenset(
    {"round_open", "section_assign", "section_text", "section_submit", "round_approve", "adjustment", "cycle_rule",
     "cycle_department", "cycle_subscribe", "cycle_unsubscribe", "remind", "report_send"}
)  # fmt: skip
DATA_ACTIONS = frozenset({"import", "entry", "revision", "target", "restore", "unit", "figure_delete"}) | CYCLE_ACTIONS
ACCOUNT_ACTIONS = frozenset(
    {"user_add", "user_email", "user_passwd", "user_disable", "user_enable", "grant", "revoke",
     "sign_in", "sign_in_failed", "sign_out", "backup"}
)  # fmt: skip


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor: str
    action: str
    unit_code: str
    target: str
    batch_id: int | None
    detail: str


def os_actor() -> str:
    """The account name for work done from a shell without `--user`: the operating-system login."""
    try:
        return "os:" + getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "os:unknown"


def _values(actor: str, action: str, unit_code: str, target: str, batch_id: int | None, detail: Any) -> dict:
    text = detail if isinstance(detail, str) else json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    return {"at": _now(), "actor": actor[:128], "action": action[:32], "unit_code": unit_code[:64],
            "target": target[:512], "batch_id": batch_id, "detail": text}  # fmt: skip


def record(
    conn: Connection | Session,
    *,
    actor: str,
    action: str,
    unit_code: str = "",
    target: str = "",
    batch_id: int | None = None,
    detail: Any = None,
) -> None:
    """Add one event inside the caller's transaction."""
    conn.execute(insert(AuditEvent).values(**_values(actor, action, unit_code, target, batch_id, detail)))


def record_now(engine: Engine, **event: Any) -> None:
    """Add one event in a transaction of its own (sign-ins, backups: nothing else to commit with)."""
    from commstats.db import writer

    with writer(engine).begin() as conn:
        record(conn, **event)


def events(
    engine: Engine,
    *,
    since: dt.date | dt.datetime | None = None,
    actor: str | None = None,
    actions: Collection[str] | None = None,
    limit: int = 1000,
) -> list[Event]:
    """The newest events first, optionally from a date, by one actor, of some actions."""
    query = select(
        AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.unit_code, AuditEvent.target,
        AuditEvent.batch_id, AuditEvent.detail,
    ).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)  # fmt: skip
    if since is not None:
        start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
        query = query.where(AuditEvent.at >= start)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if actions is not None:
        query = query.where(AuditEvent.action.in_(sorted(actions)))
    with engine.connect() as conn:
        return [Event(*row) for row in conn.execute(query)]


def recent_failures(engine: Engine, actor: str, window: dt.timedelta) -> int:
    """Failed sign-ins of `actor` within `window` since its last successful sign-in."""
    start = _now() - window
    query = (
        select(AuditEvent.action)
        .where(AuditEvent.actor == actor, AuditEvent.at >= start, AuditEvent.action.in_(["sign_in", "sign_in_failed"]))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    failures = 0
    with engine.connect() as conn:
        for (action,) in conn.execute(query):
            if action == "sign_in":
                break
            failures += 1
    return failures
