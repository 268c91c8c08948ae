"""The audit trail: who changed what and when. Events are only ever added, in the same
transaction as the change they describe, so a change and its record stand or fall together."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, false, insert, or_, select
from sqlalchemy.orm import Session

from commstats.i18n import has, t
from commstats.models import AuditEvent, _now

# Actions that change figures (shown to editors); the others concern accounts and sign-ins (admins only).
# The report cycle's steps (commstats/cycle): opening, assigning, submitting, approving, adjusting, mailing.
CYCLE_ACTIONS = frozenset(
    {
        "round_open",
        "section_assign",
        "section_text",
        "section_submit",
        "round_approve",
        "adjustment",
        "cycle_rule",
        "cycle_department",
        "cycle_subscribe",
        "cycle_unsubscribe",
        "remind",
        "report_send",
    }
)
DATA_ACTIONS = (
    frozenset({"import", "entry", "revision", "target", "restore", "unit", "figure_delete", "narrative"})
    | CYCLE_ACTIONS
)
ACCOUNT_ACTIONS = frozenset(
    {
        "user_add",
        "user_email",
        "user_passwd",
        "user_disable",
        "user_enable",
        "grant",
        "revoke",
        "user_unlock",
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "backup",
    }
)
SIGN_IN_ACTIONS = frozenset({"sign_in", "sign_in_failed", "sign_out"})
UNIT_ACTIONS = frozenset({"grant", "revoke", "unit"})  # about one unit (or "*"), named in unit_code


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor: str
    action: str
    unit_code: str
    target: str
    batch_id: int | None
    detail: str


DETAIL_KEYS = (  # the keys of stored details that have words (commstats.i18n `audit.detail_<key>`)
    "assignee",
    "carried_from",
    "changes",
    "chars",
    "client",
    "clients",
    "day",
    "deadline",
    "due",
    "email",
    "inserted",
    "kept",
    "locked",
    "method",
    "month_offset",
    "name_hash",
    "public_view",
    "reason",
    "recipients",
    "records_changed",
    "records_new",
    "revisions",
    "role",
    "sections",
    "sha256",
    "source_kind",
    "unchanged",
    "updated",
    "value",
    "version",
    "window",
)
# Stored values that are codes, shown by their text `<prefix><code>` (the code itself when it has none):
# the source kind and role as the pages name them, how someone signed in, why a sign-in was refused.
VALUE_PREFIXES = {
    "source_kind": "source_kind_",
    "role": "auth.role_",
    "method": "audit.method_",
    "reason": "audit.reason_",
}
METHODS = ("password", "sso")  # commstats/auth.py: the `method` of a sign-in
REASONS = ("locked",)  # commstats/auth.py: the coded `reason` of a refused sign-in (a deletion's reason is typed)


def action_text(action: str, lang: str = "vi") -> str:
    """An audited action in words (`Nhập tệp số liệu`), the code itself when it has no text yet."""
    key = "audit.action_" + action
    return t(key, lang) if has(key) else action


def detail_text(detail: str, lang: str = "vi") -> str:
    """The stored JSON detail as `Thêm mới: 3 · Cập nhật: 1 · Thay đổi: 5 mục`; other text as it is."""
    try:
        data = json.loads(detail) if detail else {}
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    parts = []
    for key, value in data.items():
        label = t("audit.detail_" + key, lang) if has("audit.detail_" + key) else key
        if isinstance(value, list | dict):
            shown = t("audit.items", lang, count=len(value))
        elif isinstance(value, bool):
            shown = t("audit.yes" if value else "audit.no", lang)
        elif key == "sha256":
            shown = str(value)[:12]  # as the import log shows a file's fingerprint
        elif (prefix := VALUE_PREFIXES.get(key)) and has(prefix + str(value)):
            shown = t(prefix + str(value), lang)
        else:
            shown = str(value)
        parts.append(f"{label}: {shown}")
    return " · ".join(parts)


def os_actor() -> str:
    """The account name for work done from a shell without `--user`: the operating-system login."""
    try:
        return "os:" + getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "os:unknown"


def _values(actor: str, action: str, unit_code: str, target: str, batch_id: int | None, detail: Any) -> dict:
    text = detail if isinstance(detail, str) else json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)
    return {
        "at": _now(),
        "actor": actor[:128],
        "action": action[:32],
        "unit_code": unit_code[:64],
        "target": target[:512],
        "batch_id": batch_id,
        "detail": text,
    }


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


def record_soon(engine: Engine, **event: Any) -> None:
    """Add one event without waiting for a long writer (sign-ins and sign-outs): at once when SQLite's
    write lock is free, else as soon as it is (commstats.db.write_or_defer)."""
    from commstats.db import write_or_defer

    write_or_defer(engine, lambda conn: record(conn, **event))


def events(
    engine: Engine,
    *,
    since: dt.date | dt.datetime | None = None,
    actor: str | None = None,
    actions: Collection[str] | None = None,
    limit: int = 1000,
) -> list[Event]:
    """The newest events first, optionally from a date, by one actor, of some actions."""
    query = (
        select(
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.unit_code,
            AuditEvent.target,
            AuditEvent.batch_id,
            AuditEvent.detail,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if since is not None:
        start = since if isinstance(since, dt.datetime) else dt.datetime.combine(since, dt.time())
        query = query.where(AuditEvent.at >= start)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if actions is not None:
        query = query.where(AuditEvent.action.in_(sorted(actions)))
    with engine.connect() as conn:
        return [Event(*row) for row in conn.execute(query).all()]


def account_events(
    engine: Engine,
    *,
    unit_codes: Collection[str] | None = None,
    usernames: Collection[str] | None = None,
    limit: int = 200,
) -> list[Event]:
    """The account and sign-in log, newest first. With `unit_codes` and `usernames` (what a unit admin may
    see) only: grants, revokes and settings of those units, sign-ins and sign-outs of those accounts, and
    changes made to those accounts."""
    if unit_codes is None and usernames is None:
        return events(engine, actions=ACCOUNT_ACTIONS | {"unit"}, limit=limit)
    units, users = sorted(unit_codes or ()), sorted(usernames or ())
    visible = or_(
        and_(AuditEvent.action.in_(sorted(UNIT_ACTIONS)), AuditEvent.unit_code.in_(units)) if units else false(),
        and_(AuditEvent.action.in_(sorted(SIGN_IN_ACTIONS)), AuditEvent.actor.in_(users)) if users else false(),
        and_(
            AuditEvent.action.in_(sorted(ACCOUNT_ACTIONS - SIGN_IN_ACTIONS - UNIT_ACTIONS - {"backup"})),
            AuditEvent.target.in_(users),
        )
        if users
        else false(),
    )
    query = (
        select(
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.unit_code,
            AuditEvent.target,
            AuditEvent.batch_id,
            AuditEvent.detail,
        )
        .where(visible)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [Event(*row) for row in conn.execute(query).all()]
