"""Accounts, roles and the permission rules. No Streamlit here: the dashboard, the CLI and the
tests all ask the same functions.

Roles are per unit and ordered: viewer < analyst (export) < editor (import, entry, targets) < leader
(approves a reporting round, which locks its figures) < admin (users, units, settings). A grant with no
unit covers every unit. Anonymous visitors may view the units whose `public_view` is on, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from commstats import audit
from commstats.db import session_scope
from commstats.i18n import BilingualError
from commstats.models import AppUser, Unit, UserRole, _now

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
MAX_FAILURES = 5  # failed sign-ins in FAILURE_WINDOW before an account is refused for a while
FAILURE_WINDOW = dt.timedelta(minutes=15)
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
        return [unit_id for unit_id in unit_ids if self.can(action, unit_id)]

    def can_somewhere(self, action: Action | str, unit_ids: Iterable[int]) -> bool:
        """True when the action is allowed on at least one of the units (to show a page or a menu)."""
        return bool(self.units_for(action, unit_ids))


def enforcement_off() -> bool:
    return os.environ.get(AUTH_ENV, "on").strip().lower() in ("off", "0", "false", "no")


def developer() -> Principal:
    """Who everyone is when enforcement is off: an admin of every unit, recorded under the OS login."""
    return Principal(audit.os_actor(), audit.os_actor(), {None: "admin"})


def _public_units(session: Session) -> frozenset[int]:
    return frozenset(session.scalars(select(Unit.id).where(Unit.public_view.is_(True))))


def anonymous(engine: Engine) -> Principal:
    with Session(engine) as session:
        return Principal(None, public_units=_public_units(session))


def _principal(session: Session, user: AppUser) -> Principal:
    roles = {r.unit_id: r.role for r in session.scalars(select(UserRole).where(UserRole.user_id == user.id))}
    return Principal(user.username, user.display_name or user.username, roles, _public_units(session))


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The current roles of an active account (read again on every page run, so revoking is immediate)."""
    with Session(engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.username == username, AppUser.is_active.is_(True)))
        return _principal(session, user) if user else None


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


def authenticate(engine: Engine, username: str, password: str) -> Principal:
    """Check a password; every attempt is audited and repeated failures lock the name for a while.

    Raises AuthError("sign_in_failed") without saying whether the name or the password was wrong.
    """
    name = username.strip().lower()[:64]
    if audit.recent_failures(engine, name, FAILURE_WINDOW) >= MAX_FAILURES:
        audit.record_now(engine, actor=name, action="sign_in_failed", detail={"reason": "locked"})
        raise AuthError("too_many_attempts", count=MAX_FAILURES, minutes=int(FAILURE_WINDOW.total_seconds() // 60))
    with Session(engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.username == name))
        verified = _verify(user.password_hash if user else "", password[:MAX_PASSWORD])
        principal = _principal(session, user) if verified and user is not None and user.is_active else None
        needs_rehash = principal is not None and user is not None and _hasher.check_needs_rehash(user.password_hash)
    if principal is None:
        audit.record_now(engine, actor=name, action="sign_in_failed", detail={"method": "password"})
        raise AuthError("sign_in_failed")
    with session_scope(engine) as session:
        if needs_rehash:
            stored = session.scalar(select(AppUser).where(AppUser.username == name))
            if stored is not None:
                stored.password_hash = hash_password(password)
        audit.record(session, actor=name, action="sign_in", detail={"method": "password"})
    return principal


def record_sso_sign_in(engine: Engine, email: str, principal: Principal | None) -> None:
    if principal is None:
        audit.record_now(engine, actor=email[:128], action="sign_in_failed", detail={"method": "sso"})
    else:
        audit.record_now(engine, actor=principal.actor, action="sign_in", detail={"method": "sso"})


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
    engine: Engine, username: str, password: str | None, *, actor: str, display_name: str = "", email: str | None = None
) -> None:
    """A new active account. `password` None makes an account that can only use single sign-on."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AuthError("bad_username", username=username)
    if password is not None:
        check_password(password, name)
    with session_scope(engine) as session:
        if session.scalar(select(AppUser.id).where(AppUser.username == name)) is not None:
            raise AuthError("user_exists", username=name)
        session.add(
            AppUser(
                username=name, display_name=display_name.strip()[:255], email=_check_email(session, email, None),
                password_hash=hash_password(password) if password is not None else "", is_active=True,
                password_changed_at=_now() if password is not None else None,
            )
        )  # fmt: skip
        audit.record(session, actor=actor, action="user_add", target=name, detail={"email": email or ""})


def set_password(engine: Engine, username: str, password: str, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        check_password(password, user.username)
        user.password_hash, user.password_changed_at = hash_password(password), _now()
        audit.record(session, actor=actor, action="user_passwd", target=user.username)


def set_active(engine: Engine, username: str, active: bool, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        user.is_active = active
        audit.record(session, actor=actor, action="user_enable" if active else "user_disable", target=user.username)


def set_email(engine: Engine, username: str, email: str | None, *, actor: str) -> None:
    with session_scope(engine) as session:
        user = _user(session, username)
        user.email = _check_email(session, email, user.id)
        audit.record(session, actor=actor, action="user_email", target=user.username, detail={"email": email or ""})


def _same_unit(unit_id: int | None):  # type: ignore[no-untyped-def]
    return UserRole.unit_id.is_(None) if unit_id is None else UserRole.unit_id == unit_id


def grant(engine: Engine, username: str, role: str, unit_code: str | None, *, actor: str) -> None:
    """Give `role` on one unit (or on every unit with None / "*"), replacing the role held there."""
    if role not in RANK:
        raise AuthError("bad_role", role=role, roles=", ".join(ROLES))
    with session_scope(engine) as session:
        user = _user(session, username)
        unit_id = _unit_id(session, unit_code)
        # NULL never equals NULL in a unique constraint, so the role held there is deleted first.
        session.execute(delete(UserRole).where(UserRole.user_id == user.id, _same_unit(unit_id)))
        session.add(UserRole(user_id=user.id, unit_id=unit_id, role=role))
        audit.record(session, actor=actor, action="grant", unit_code=unit_code or ALL_UNITS, target=user.username,
                     detail={"role": role})  # fmt: skip


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


def list_users(engine: Engine) -> list[UserInfo]:
    with Session(engine) as session:
        codes = {row.id: row.code for row in session.execute(select(Unit.id, Unit.code))}
        roles: dict[int, dict[str, str]] = {}
        for r in session.scalars(select(UserRole)):
            roles.setdefault(r.user_id, {})[ALL_UNITS if r.unit_id is None else codes[r.unit_id]] = r.role
        return [
            UserInfo(u.username, u.display_name, u.email, u.is_active, bool(u.password_hash), roles.get(u.id, {}))
            for u in session.scalars(select(AppUser).order_by(AppUser.username))
        ]


def require(principal: Principal, action: Action | str, unit_ids: Iterable[int], unit_label: str = "") -> None:
    """Refuse (AuthError "not_allowed") unless `principal` may do `action` on every unit given."""
    ids = list(unit_ids)
    denied = [unit_id for unit_id in ids if not principal.can(action, unit_id)]
    if denied or not ids:
        raise AuthError(
            "not_allowed", username=principal.username or "(khách / guest)", action=str(Action(action)),
            unit=unit_label or ", ".join(str(i) for i in denied) or "-",
        )  # fmt: skip


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
