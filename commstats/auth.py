"""Accounts, roles and the permission rules. No Streamlit here: the dashboard, the CLI and the
tests all ask the same functions.

Roles are per unit and ordered: viewer < analyst (export) < editor (import, entry, targets) < leader
(approves a reporting round, which locks its figures) < admin (users, units, settings). A grant with no
unit covers every unit. Anonymous visitors may view the units whose `public_view` is on, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import os
import re
import secrets
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ColumnElement, Connection, CursorResult, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commstats import audit, queries
from commstats.db import session_scope, write_or_defer
from commstats.i18n import BilingualError
from commstats.models import AppSecret, AppUser, SignInThrottle, Unit, UserRole, UserSession, _now

ROLES = ("viewer", "analyst", "editor", "leader", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
ALL_UNITS = "*"  # how a global grant is written in the CLI and the lists


class Action(StrEnum):
    VIEW = "view"
    EXPORT = "export"
    IMPORT = "import"
    ENTRY = "entry"
    TARGETS = "targets"
    AUDIT = "audit"
    MANAGE_USERS = "manage_users"
    MANAGE_UNITS = "manage_units"
    SETTINGS = "settings"
    CYCLE = "cycle"  # open rounds, assign and submit sections (the report cycle)
    APPROVE = "approve"  # approve a round: its figures are locked ("chốt số liệu")


MIN_ROLE: dict[Action, str] = {
    Action.VIEW: "viewer",
    Action.EXPORT: "analyst",
    Action.IMPORT: "editor",
    Action.ENTRY: "editor",
    Action.TARGETS: "editor",
    Action.AUDIT: "editor",
    Action.MANAGE_USERS: "admin",
    Action.MANAGE_UNITS: "admin",
    Action.SETTINGS: "admin",
    Action.CYCLE: "editor",
    Action.APPROVE: "leader",
}

# COMMSTATS_AUTH=off makes every dashboard visitor an admin of every unit: for development and the test
# suite only, never on a server (the sidebar says so on every page).
AUTH_ENV = "COMMSTATS_AUTH"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
# The sign-in throttle counts failures per (typed name, client): after MAX_FAILURES the pair is refused for
# FIRST_LOCK, doubling with each further failure up to MAX_LOCK. Attempts while refused are not counted and
# never extend the lock; a success (or `user unlock NAME`) clears the count, and it starts again from zero
# once FORGET_AFTER has passed without a failure. So a stranger's failures never lock the real user's
# client, and nobody can keep a name locked for longer than MAX_LOCK after their last counted attempt.
MAX_FAILURES = 5
FIRST_LOCK = dt.timedelta(minutes=1)
MAX_LOCK = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)
# What the audit trail says instead of a typed name that is no account (it may be a password typed into
# the wrong field): never the text itself, only a short keyed hash in the detail to tell attempts apart.
UNKNOWN_NAME = "(tên không tồn tại)"
_SECRET_NAME = "name_hash"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
# Compared against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AuthError(BilingualError):
    """A refusal with a message in both languages."""

    namespace = "auth."  # its texts are the catalogue's auth.* keys


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in account, or an anonymous visitor (username None)."""

    username: str | None
    display_name: str = ""
    roles: Mapping[int | None, str] = field(default_factory=dict)  # unit id (None = every unit) -> role
    public_units: frozenset[int] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.username is None

    @property
    def is_global_admin(self) -> bool:
        return self.roles.get(None) == "admin"

    @property
    def actor(self) -> str:
        """The name written into the audit trail and ImportBatch.created_by."""
        return self.username or ""

    def role_on(self, unit_id: int) -> str | None:
        candidates = [self.roles.get(unit_id), self.roles.get(None)]
        if unit_id in self.public_units:
            candidates.append("viewer")
        held = [role for role in candidates if role]
        return max(held, key=RANK.__getitem__) if held else None

    def can(self, action: Action | str, unit_id: int) -> bool:
        role = self.role_on(unit_id)
        return role is not None and RANK[role] >= RANK[MIN_ROLE[Action(action)]]

    def can_all(self, action: Action | str, unit_ids: Iterable[int]) -> bool:
        ids = list(unit_ids)
        return bool(ids) and all(self.can(action, unit_id) for unit_id in ids)

    def units_for(self, action: Action | str, unit_ids: Iterable[int]) -> list[int]:
        """The units of `unit_ids` the action is allowed on, in their order. From the roles held, not unit
        by unit: the sidebar asks it of every unit (~900 nationally) on every run."""
        needed = RANK[MIN_ROLE[Action(action)]]
        everywhere = self.roles.get(None)
        if everywhere and RANK[everywhere] >= needed:
            return list(unit_ids)
        allowed = {unit_id for unit_id, role in self.roles.items() if role and RANK[role] >= needed}
        if RANK["viewer"] >= needed:
            allowed |= self.public_units
        return [unit_id for unit_id in unit_ids if unit_id in allowed]

    def can_somewhere(self, action: Action | str, unit_ids: Iterable[int]) -> bool:
        """True when the action is allowed on at least one of the units (to show a page or a menu). Answered
        from the roles held, not unit by unit: it is asked of every unit several times on every run."""
        ids = unit_ids if isinstance(unit_ids, (set, frozenset)) else set(unit_ids)
        if not ids:
            return False
        needed = RANK[MIN_ROLE[Action(action)]]
        for unit_id, role in self.roles.items():
            if role and RANK[role] >= needed and (unit_id is None or unit_id in ids):
                return True
        return RANK["viewer"] >= needed and not self.public_units.isdisjoint(ids)


def enforcement_off() -> bool:
    return os.environ.get(AUTH_ENV, "on").strip().lower() in ("off", "0", "false", "no")


def developer() -> Principal:
    """Who everyone is when enforcement is off: an admin of every unit, recorded under the OS login."""
    return Principal(audit.os_actor(), audit.os_actor(), {None: "admin"})


def _public_units(session: Session) -> frozenset[int]:
    return frozenset(session.scalars(select(Unit.id).where(Unit.public_view.is_(True))))


def anonymous(engine: Engine) -> Principal:
    return Principal(None, public_units=queries.public_unit_ids(engine))


def _principal(session: Session, user: AppUser) -> Principal:
    roles = {r.unit_id: r.role for r in session.scalars(select(UserRole).where(UserRole.user_id == user.id))}
    return Principal(user.username, user.display_name or user.username, roles, _public_units(session))


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The current roles of an active account (read again on every page run, so revoking is immediate)."""
    account = queries.account_roles(engine, username)
    if account is None:
        return None
    display_name, roles = account
    return Principal(username, display_name or username, roles, queries.public_unit_ids(engine))


def principal_for_email(engine: Engine, email: str) -> Principal | None:
    """The account that single sign-on's verified e-mail maps to (case-insensitive), if active."""
    with Session(engine) as session:
        user = session.scalar(
            select(AppUser).where(func.lower(AppUser.email) == email.strip().lower(), AppUser.is_active.is_(True))
        )
        return _principal(session, user) if user else None


# --- passwords -------------------------------------------------------------------------------


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError("password_short", min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AuthError("password_long", max=MAX_PASSWORD)
    if username and password.strip().lower() == username.lower():
        raise AuthError("password_is_username")


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- the sign-in throttle -----------------------------------------------------------------------

_secrets: dict[str, bytes] = {}
_secrets_guard = threading.Lock()


def _name_secret(engine: Engine) -> bytes:
    """The database's key for name hashes (made by migration 0004; made here if a database lacks it)."""
    url = engine.url.render_as_string(hide_password=False)
    with _secrets_guard:
        if url not in _secrets:
            with Session(engine) as session:
                value = session.scalar(select(AppSecret.value).where(AppSecret.name == _SECRET_NAME))
            if value is None:
                try:
                    with session_scope(engine) as session:
                        session.add(AppSecret(name=_SECRET_NAME, value=secrets.token_hex(32)))
                except IntegrityError:  # another process made it first
                    pass
                with Session(engine) as session:
                    value = session.scalar(select(AppSecret.value).where(AppSecret.name == _SECRET_NAME))
            _secrets[url] = bytes.fromhex(str(value))
        return _secrets[url]


def name_key(engine: Engine, name: str) -> str:
    """A keyed hash of a typed name (32 hex digits): what the throttle and the audit trail keep of it."""
    return hmac.new(_name_secret(engine), name.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def lock_for(failures: int) -> dt.timedelta:
    """How long a (name, client) pair is refused after its `failures`-th failure."""
    if failures < MAX_FAILURES:
        return dt.timedelta(0)
    doublings: int = 2 ** min(failures - MAX_FAILURES, 20)  # failures >= MAX_FAILURES: a whole power of 2
    return min(FIRST_LOCK * doublings, MAX_LOCK)


# Failures handed to the background writer and not written yet (the write lock was held): counted too, so
# a long import does not open a window for unthrottled guessing.
_pending: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
_pending_guard = threading.Lock()


def _throttle_state(engine: Engine, key: str, client: str) -> tuple[int, dt.datetime | None]:
    with Session(engine) as session:
        row = session.execute(
            select(SignInThrottle.failures, SignInThrottle.last_failure_at).where(
                SignInThrottle.name_key == key, SignInThrottle.client == client
            )
        ).first()
    failures, last = (row[0], row[1]) if row else (0, None)
    with _pending_guard:
        extra, at = _pending.get((key, client), (0, None))
    if extra and at is not None:
        failures, last = failures + extra, max(last or at, at)
    if last is not None and _now() - last > FORGET_AFTER:
        return 0, None
    return failures, last


def locked_for(engine: Engine, name: str, client: str) -> dt.timedelta:
    """How much longer `name` is refused from `client` (zero when it is not)."""
    failures, last = _throttle_state(engine, name_key(engine, name.strip().lower()[:64]), _client(client))
    if last is None:
        return dt.timedelta(0)
    return max(last + lock_for(failures) - _now(), dt.timedelta(0))


def _count_failure(conn: Connection, key: str, client: str, at: dt.datetime) -> None:
    where = (SignInThrottle.name_key == key) & (SignInThrottle.client == client)
    row = conn.execute(select(SignInThrottle.failures, SignInThrottle.last_failure_at).where(where)).first()
    if row is None:
        try:
            with conn.begin_nested():  # two instances may count this pair's first failure at once
                conn.execute(insert(SignInThrottle).values(name_key=key, client=client, failures=1, last_failure_at=at))
            return
        except IntegrityError:
            row = conn.execute(select(SignInThrottle.failures, SignInThrottle.last_failure_at).where(where)).one()
    failures = 1 if at - row[1] > FORGET_AFTER else row[0] + 1
    conn.execute(update(SignInThrottle).where(where).values(failures=failures, last_failure_at=max(at, row[1])))


def _client(client: str) -> str:
    return (client or "-").strip()[:64] or "-"


def _audited_name(session: Session, engine: Engine, name: str) -> tuple[str, dict[str, str]]:
    """The actor to record for a typed name: the name when it is an account, else UNKNOWN_NAME with a
    short keyed hash (so repeated attempts with one unknown name can be told apart, never read back)."""
    if _USERNAME.match(name) and session.scalar(select(AppUser.id).where(AppUser.username == name)) is not None:
        return name, {}
    return UNKNOWN_NAME, {"name_hash": name_key(engine, name)[:8]}


def authenticate(engine: Engine, username: str, password: str, client: str = "") -> Principal:
    """Check a password; every attempt is audited and repeated failures of one name from one `client`
    (the browser's address, see ui.auth.client_address) refuse that pair for a while (see MAX_FAILURES).

    Raises AuthError("sign_in_failed") without saying whether the name or the password was wrong, or
    AuthError("too_many_attempts"). Nothing here waits on SQLite's write lock: the sign-in's own writes
    (the audit event, the throttle's count) are made at once when the lock is free and otherwise handed
    to the background writer (commstats.db.write_or_defer), so a long import never blocks a sign-in.
    """
    name, who = username.strip().lower()[:64], _client(client)
    key = name_key(engine, name)
    with Session(engine) as session:
        actor, detail = _audited_name(session, engine, name)
    detail = {**detail, "method": "password", "client": who}
    failures, last = _throttle_state(engine, key, who)
    if last is not None and (wait := last + lock_for(failures) - _now()) > dt.timedelta(0):
        audit.record_soon(engine, actor=actor, action="sign_in_failed", detail={**detail, "reason": "locked"})
        raise AuthError("too_many_attempts", count=failures, minutes=max(1, math.ceil(wait.total_seconds() / 60)))
    with Session(engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.username == name))
        verified = _verify(user.password_hash if user else "", password[:MAX_PASSWORD])
        principal = _principal(session, user) if verified and user is not None and user.is_active else None
        needs_rehash = principal is not None and user is not None and _hasher.check_needs_rehash(user.password_hash)
    if principal is None:
        _record_failure(engine, key, who, actor, detail)
        raise AuthError("sign_in_failed")
    new_hash = hash_password(password) if needs_rehash else None

    def succeeded(conn: Connection) -> None:
        conn.execute(delete(SignInThrottle).where(SignInThrottle.name_key == key, SignInThrottle.client == who))
        if new_hash is not None:
            conn.execute(update(AppUser).where(AppUser.username == name).values(password_hash=new_hash))
        audit.record(conn, actor=name, action="sign_in", detail=detail)

    write_or_defer(engine, succeeded)
    with _pending_guard:
        _pending.pop((key, who), None)
    return principal


def _record_failure(engine: Engine, key: str, client: str, actor: str, detail: dict[str, str]) -> None:
    at = _now()

    def failed(conn: Connection) -> None:
        _count_failure(conn, key, client, at)
        audit.record(conn, actor=actor, action="sign_in_failed", detail=detail)

    with _pending_guard:  # counted before the write, so a deferred write is never a free guess
        count, _ = _pending.get((key, client), (0, at))
        _pending[(key, client)] = (count + 1, at)

    def written() -> None:
        with _pending_guard:
            count, last = _pending.get((key, client), (0, at))
            if count <= 1:
                _pending.pop((key, client), None)
            else:
                _pending[(key, client)] = (count - 1, last)

    write_or_defer(engine, failed, done=written)


def unlock(engine: Engine, username: str, *, actor: str) -> int:
    """Clear the sign-in throttle of a typed name on every client (audited); the number of clients cleared.
    Works for any name, an account or not, since the throttle keeps only the name's keyed hash."""
    name = username.strip().lower()[:64]
    key = name_key(engine, name)
    with session_scope(engine) as session:
        # A DML statement runs as a CursorResult (with rowcount), which Session.execute is not annotated to say.
        deleted = cast(CursorResult[Any], session.execute(delete(SignInThrottle).where(SignInThrottle.name_key == key)))
        cleared = deleted.rowcount or 0
        target, detail = _audited_name(session, engine, name)
        audit.record(session, actor=actor, action="user_unlock", target=target, detail={**detail, "clients": cleared})
    with _pending_guard:
        for pair in [pair for pair in _pending if pair[0] == key]:
            _pending.pop(pair)
    return cleared


def record_sso_sign_in(engine: Engine, email: str, principal: Principal | None) -> None:
    if principal is None:
        audit.record_soon(engine, actor=email[:128], action="sign_in_failed", detail={"method": "sso"})
    else:
        audit.record_soon(engine, actor=principal.actor, action="sign_in", detail={"method": "sso"})


# --- account management ----------------------------------------------------------------------


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    email: str | None
    is_active: bool
    has_password: bool
    roles: dict[str, str]  # unit code ("*" = every unit) -> role


def _user(session: Session, username: str) -> AppUser:
    user = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
    if user is None:
        raise AuthError("no_such_user", username=username)
    return user


def _unit_id(session: Session, unit_code: str | None) -> int | None:
    if unit_code in (None, "", ALL_UNITS):
        return None
    unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
    if unit_id is None:
        raise AuthError("no_such_unit", unit=unit_code)
    return unit_id


def _check_email(session: Session, email: str | None, user_id: int | None) -> str | None:
    if not email:
        return None
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AuthError("bad_email", email=email)
    other = session.scalar(select(AppUser.id).where(func.lower(AppUser.email) == email))
    if other is not None and other != user_id:
        raise AuthError("email_taken", email=email)
    return email


def create_user(
    engine: Engine,
    username: str,
    password: str | None,
    *,
    actor: str,
    display_name: str = "",
    email: str | None = None,
    role: str | None = None,
    unit_code: str | None = None,
) -> None:
    """A new active account. `password` None makes an account that can only use single sign-on. With `role`,
    the account gets it on `unit_code` ("*" for every unit, which must be said) in the same transaction: a
    refused role or unit creates nothing."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AuthError("bad_username", username=username)
    if password is not None:
        check_password(password, name)
    if role is not None and role not in RANK:
        raise AuthError("bad_role", role=role, roles=", ".join(ROLES))
    if role is not None and not unit_code:
        raise AuthError("unit_needed", roles=", ".join(ROLES))
    with session_scope(engine) as session:
        if session.scalar(select(AppUser.id).where(AppUser.username == name)) is not None:
            raise AuthError("user_exists", username=name)
        session.add(
            AppUser(
                username=name,
                display_name=display_name.strip()[:255],
                email=_check_email(session, email, None),
                password_hash=hash_password(password) if password is not None else "",
                is_active=True,
                password_changed_at=_now() if password is not None else None,
            )
        )
        audit.record(session, actor=actor, action="user_add", target=name, detail={"email": email or ""})
        if role is not None:
            session.flush()
            _grant(session, _user(session, name), role, unit_code, actor=actor)


def set_password(engine: Engine, username: str, password: str, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        check_password(password, user.username)
        user.password_hash, user.password_changed_at = hash_password(password), _now()
        _revoke_all(session, user.id)  # every browser signed in with the old password is signed out
        audit.record(session, actor=actor, action="user_passwd", target=user.username)


def change_own_password(engine: Engine, username: str, current: str, new: str, client: str = "") -> None:
    """A signed-in person's own change: the current password is checked as at sign-in (throttled, audited),
    then the new one must pass `check_password`; AuthError says which failed."""
    authenticate(engine, username, current, client)
    set_password(engine, username, new, actor=username)


def set_active(engine: Engine, username: str, active: bool, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        user.is_active = active
        if not active:
            _revoke_all(session, user.id)
        audit.record(session, actor=actor, action="user_enable" if active else "user_disable", target=user.username)


def set_email(engine: Engine, username: str, email: str | None, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        user.email = _check_email(session, email, user.id)
        audit.record(session, actor=actor, action="user_email", target=user.username, detail={"email": email or ""})


def _same_unit(unit_id: int | None) -> ColumnElement[bool]:
    return UserRole.unit_id.is_(None) if unit_id is None else UserRole.unit_id == unit_id


def grant(engine: Engine, username: str, role: str, unit_code: str | None, *, actor: str) -> None:
    """Give `role` on one unit (or on every unit with None / "*"), replacing the role held there."""
    if role not in RANK:
        raise AuthError("bad_role", role=role, roles=", ".join(ROLES))
    with session_scope(engine) as session:
        _grant(session, _user(session, username), role, unit_code, actor=actor)


def _grant(session: Session, user: AppUser, role: str, unit_code: str | None, *, actor: str) -> None:
    unit_id = _unit_id(session, unit_code)
    # NULL never equals NULL in a unique constraint, so the role held there is deleted first.
    session.execute(delete(UserRole).where(UserRole.user_id == user.id, _same_unit(unit_id)))
    session.add(UserRole(user_id=user.id, unit_id=unit_id, role=role))
    audit.record(
        session,
        actor=actor,
        action="grant",
        unit_code=unit_code or ALL_UNITS,
        target=user.username,
        detail={"role": role},
    )


def revoke(engine: Engine, username: str, unit_code: str | None, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        unit_id = _unit_id(session, unit_code)
        session.execute(delete(UserRole).where(UserRole.user_id == user.id, _same_unit(unit_id)))
        audit.record(session, actor=actor, action="revoke", unit_code=unit_code or ALL_UNITS, target=user.username)


def set_public_view(engine: Engine, unit_code: str, public: bool, *, actor: str) -> None:
    """Whether anonymous visitors may view this unit's dashboards."""
    with session_scope(engine) as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise AuthError("no_such_unit", unit=unit_code)
        unit.public_view = public
        audit.record(session, actor=actor, action="unit", unit_code=unit_code, detail={"public_view": public})


def administered_units(engine: Engine, principal: Principal) -> list[str] | None:
    """Codes of the units whose accounts `principal` manages; None for an admin of every unit."""
    if principal.is_global_admin:
        return None
    with Session(engine) as session:
        rows = session.execute(select(Unit.id, Unit.code).order_by(Unit.code)).all()
    return [code for unit_id, code in rows if principal.can(Action.MANAGE_USERS, unit_id)]


def list_users(engine: Engine, principal: Principal | None = None) -> list[UserInfo]:
    """Every account with its roles; for a `principal` who administers only some units, just the accounts
    holding a role on one of those units, with only those roles (a grant on every unit is not theirs to
    see or change)."""
    scope = None if principal is None else administered_units(engine, principal)
    with Session(engine) as session:
        codes = {row.id: row.code for row in session.execute(select(Unit.id, Unit.code))}
        roles: dict[int, dict[str, str]] = {}
        for r in session.scalars(select(UserRole)):
            code = ALL_UNITS if r.unit_id is None else codes[r.unit_id]
            if scope is None or code in scope:
                roles.setdefault(r.user_id, {})[code] = r.role
        return [
            UserInfo(u.username, u.display_name, u.email, u.is_active, bool(u.password_hash), roles.get(u.id, {}))
            for u in session.scalars(select(AppUser).order_by(AppUser.username))
            if scope is None or u.id in roles
        ]


def account_events(engine: Engine, principal: Principal, limit: int = 200) -> list[audit.Event]:
    """The account and sign-in log `principal` may read: all of it for an admin of every unit, else only
    what concerns the units it administers and their accounts (see audit.account_events)."""
    scope = administered_units(engine, principal)
    if scope is None:
        return audit.account_events(engine, limit=limit)
    return audit.account_events(
        engine, unit_codes=scope, usernames=[u.username for u in list_users(engine, principal)], limit=limit
    )


def require(principal: Principal, action: Action | str, unit_ids: Iterable[int], unit_label: str = "") -> None:
    """Refuse (AuthError "not_allowed") unless `principal` may do `action` on every unit given."""
    ids = list(unit_ids)
    denied = [unit_id for unit_id in ids if not principal.can(action, unit_id)]
    if denied or not ids:
        raise AuthError(
            "not_allowed",
            username=principal.username or "(khách / guest)",
            action=str(Action(action)),
            unit=unit_label or ", ".join(str(i) for i in denied) or "-",
        )


# The units the current caller may write to. The dashboard sets it around an import or an entry; every
# source reads its units through etl.validate.Reference.read, which then sees only these units, so a
# file naming another unit in its unit column is refused row by row. None: no restriction (the CLI).
UNIT_SCOPE: ContextVar[frozenset[str] | None] = ContextVar("commstats_unit_scope", default=None)


@contextmanager
def unit_scope(unit_codes: Collection[str]) -> Iterator[None]:
    token = UNIT_SCOPE.set(frozenset(unit_codes))
    try:
        yield
    finally:
        UNIT_SCOPE.reset(token)


# --- a password sign-in that survives a reload ------------------------------------------------------

SESSION_HOURS = 12  # how long a browser stays signed in with a password without signing in again
_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
# Sessions whose row is not written yet (the write lock was held: write_or_defer), so a sign-in during a
# long import is not undone by the next click: True until the row is written; False once signed out and
# until the row's deletion is written, so the cookie stops at once even then.
_pending_sessions: dict[str, bool] = {}
_sessions_guard = threading.Lock()


def _session_signature(engine: Engine, payload: str, password_hash: str) -> str:
    # Keyed with the database's secret (migration 0005) and the account's password hash: a new password
    # (or a reset) ends every session signed before it, even where its row could not be deleted.
    message = f"session|{payload}|{password_hash}".encode()
    return hmac.new(_name_secret(engine), message, hashlib.sha256).hexdigest()


def _session_key(session_id: str) -> str:
    """What the table keeps of a session id: its SHA-256, so a copy of the database signs nobody in."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def _revoke_all(conn: Connection | Session, user_id: int) -> None:
    conn.execute(delete(UserSession).where(UserSession.user_id == user_id))


def session_token(engine: Engine, username: str, now: dt.datetime | None = None) -> str:
    """A new session of a password sign-in: its row in `user_session` (expired rows of everyone are deleted
    on the way) and the signed, expiring token naming it, kept by the browser as a cookie (ui/auth.py)."""
    at = now or _now()
    with Session(engine) as session:
        user = _user(session, username)
        user_id, name, password_hash = user.id, user.username, user.password_hash
    expires = int(at.timestamp()) + SESSION_HOURS * 3600
    session_id = secrets.token_hex(16)
    key = _session_key(session_id)
    ends = dt.datetime.fromtimestamp(expires, dt.UTC).replace(tzinfo=None)

    def opened(conn: Connection) -> None:
        conn.execute(delete(UserSession).where(UserSession.expires_at < at))
        conn.execute(insert(UserSession).values(id_hash=key, user_id=user_id, created_at=at, expires_at=ends))

    with _sessions_guard:
        _pending_sessions[key] = True
    write_or_defer(engine, opened, done=lambda: _settled(key, True))
    payload = f"{name}.{expires}.{session_id}"
    return f"{payload}.{_session_signature(engine, payload, password_hash)}"


def _settled(key: str, state: bool) -> None:
    with _sessions_guard:
        if _pending_sessions.get(key) is state:
            _pending_sessions.pop(key)


def _token_parts(token: str) -> tuple[str, int, str, str] | None:
    parts = token.rsplit(".", 3)
    if len(parts) != 4 or not parts[1].isdigit() or not _USERNAME.match(parts[0]) or not _SESSION_ID.match(parts[2]):
        return None
    return parts[0], int(parts[1]), parts[2], parts[3]


def principal_for_token(engine: Engine, token: str, now: dt.datetime | None = None) -> Principal | None:
    """The account of a session token still valid: signature, expiry, account active, password unchanged,
    and its session not signed out or revoked (its row in `user_session`)."""
    parts = _token_parts(token)
    at = now or _now()
    if parts is None or parts[1] < at.timestamp():
        return None
    name, expires, session_id, signature = parts
    key = _session_key(session_id)
    with Session(engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.username == name, AppUser.is_active.is_(True)))
        if user is None or not user.password_hash:
            return None
        expected = _session_signature(engine, f"{name}.{expires}.{session_id}", user.password_hash)
        if not hmac.compare_digest(expected, signature):
            return None
        with _sessions_guard:
            pending = _pending_sessions.get(key)
        if pending is None:
            row = session.scalar(
                select(UserSession.id_hash).where(
                    UserSession.id_hash == key, UserSession.user_id == user.id, UserSession.expires_at >= at
                )
            )
            if row is None:
                return None
        elif not pending:
            return None
        return _principal(session, user)


def signed_out_here(token: str) -> bool:
    """Whether this process signed the token's session out and has not written it yet (a long import holds
    the write lock): the dashboard's cached lookups ask this first."""
    parts = _token_parts(token)
    if parts is None:
        return False
    with _sessions_guard:
        return _pending_sessions.get(_session_key(parts[2])) is False


def sign_out(engine: Engine, token: str | None, *, actor: str) -> None:
    """End the session of `token` (its row deleted, so a copy of the cookie stops working too) and record
    the sign-out; like a sign-in it never waits on a long import's write lock."""
    parts = _token_parts(token) if token else None
    key = _session_key(parts[2]) if parts is not None else None

    def signed_out(conn: Connection) -> None:
        if key is not None:
            conn.execute(delete(UserSession).where(UserSession.id_hash == key))
        audit.record(conn, actor=actor, action="sign_out")

    if key is not None:
        with _sessions_guard:
            _pending_sessions[key] = False
    write_or_defer(engine, signed_out, done=(lambda: _settled(key, False)) if key is not None else None)


def open_sessions(engine: Engine, username: str, now: dt.datetime | None = None) -> int:
    """How many unexpired sessions the account has (what the tests check after a sign-out or a reset)."""
    with Session(engine) as session:
        user = _user(session, username)
        count = session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.expires_at >= (now or _now()))
        )
    return int(count or 0)
