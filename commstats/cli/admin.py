"""Commands for IT: accounts and roles (`user ...`), the audit trail, backup and restore."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from commstats import audit, auth
from commstats.backup import BackupError, backup, restore
from commstats.bootstrap import init_database
from commstats.config import get_settings
from commstats.db import make_engine
from commstats.i18n import t_both

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]

user_app = typer.Typer(help="Tài khoản và quyền / accounts and roles.", no_args_is_help=True)


def _engine(db: str | None) -> Engine:
    engine = make_engine(db)
    init_database(engine)
    return engine


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def actor_for(engine: Engine, user: str | None) -> str:
    """Who a command runs as: the active account named by --user, else the operating-system login."""
    if user is None:
        return audit.os_actor()
    principal = auth.principal_for(engine, user.strip().lower())
    if principal is None:
        raise _fail(t_both("cli.no_active_account", user=user), 2)
    return principal.actor


def _new_password(generate: bool) -> tuple[str, bool]:
    if generate:
        return auth.generate_password(), True
    password = typer.prompt(t_both("cli.new_password_prompt"), hide_input=True, confirmation_prompt=True)
    return password, False


def _ask_unit(lang: str) -> str:
    """The unit for `user add --role` given without --unit: asked at a terminal, refused in a script."""
    if not sys.stdin.isatty():
        raise _fail(auth.AuthError("unit_needed", roles=", ".join(auth.ROLES)).message(lang), 2)
    return str(typer.prompt(t_both("cli.unit_prompt"))).strip()


@user_app.command("add")
def user_add(
    username: str,
    name: Annotated[str, typer.Option("--name", help="Họ tên / display name.")] = "",
    email: Annotated[str | None, typer.Option("--email", help="E-mail dùng cho đăng nhập một lần (SSO).")] = None,
    generate: Annotated[bool, typer.Option("--generate", help="Tạo mật khẩu ngẫu nhiên, hiện một lần.")] = False,
    sso_only: Annotated[bool, typer.Option("--sso-only", help="Không mật khẩu; chỉ đăng nhập qua SSO.")] = False,
    role: Annotated[str | None, typer.Option("--role", help=" | ".join(auth.ROLES))] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Mã đơn vị, hoặc * cho mọi đơn vị (hỏi nếu thiếu khi có --role).")
    ] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Thêm tài khoản / add an account (the password is asked twice, or generated with --generate).

    With --role and no --unit, the unit is asked for at a terminal and refused otherwise (a script that
    forgot --unit must not grant every unit)."""
    engine = _engine(db)
    if role and not unit:
        unit = _ask_unit(lang)
    password, shown = (None, False) if sso_only else _new_password(generate)
    try:
        auth.create_user(
            engine,
            username,
            password,
            actor=audit.os_actor(),
            display_name=name,
            email=email,
            role=role or None,
            unit_code=unit if role else None,
        )
    except auth.AuthError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(t_both("cli.account_created", user=username.strip().lower()))
    if shown:
        typer.echo(t_both("cli.password_once", password=password))


@user_app.command("passwd")
def user_passwd(
    username: str,
    generate: Annotated[bool, typer.Option("--generate", help="Tạo mật khẩu ngẫu nhiên, hiện một lần.")] = False,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Đặt mật khẩu mới / set a new password."""
    engine = _engine(db)
    password, shown = _new_password(generate)
    try:
        auth.set_password(engine, username, password, actor=audit.os_actor())
    except auth.AuthError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(t_both("cli.password_changed", user=username))
    if shown:
        typer.echo(t_both("cli.password_once", password=password))


@user_app.command("disable")
def user_disable(username: str, db: DbOption = None, lang: LangOption = "vi") -> None:
    """Khóa tài khoản (phiên đang mở mất quyền ngay) / disable an account (open sessions lose access)."""
    _set_active(username, False, db, lang)


@user_app.command("enable")
def user_enable(username: str, db: DbOption = None, lang: LangOption = "vi") -> None:
    """Mở lại tài khoản / enable an account again."""
    _set_active(username, True, db, lang)


def _set_active(username: str, active: bool, db: str | None, lang: str) -> None:
    try:
        auth.set_active(_engine(db), username, active, actor=audit.os_actor())
    except auth.AuthError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(t_both("cli.account_enabled" if active else "cli.account_disabled", user=username))


@user_app.command("unlock")
def user_unlock(username: str, db: DbOption = None) -> None:
    """Cho đăng nhập lại ngay sau nhiều lần sai / clear the sign-in throttle of a name on every computer."""
    cleared = auth.unlock(_engine(db), username, actor=audit.os_actor())
    typer.echo(t_both("cli.sign_in_unlocked", user=username.strip().lower(), count=cleared))


@user_app.command("grant")
def user_grant(
    username: str,
    role: Annotated[str, typer.Argument(help=" | ".join(auth.ROLES))],
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị, hoặc * cho mọi đơn vị.")] = auth.ALL_UNITS,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Cấp vai trò trên một đơn vị (thay vai trò cũ ở đó) / grant a role on a unit (replaces the old one)."""
    try:
        auth.grant(_engine(db), username, role, unit, actor=audit.os_actor())
    except auth.AuthError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(f"{username}: {role} @ {unit}")


@user_app.command("revoke")
def user_revoke(
    username: str,
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị, hoặc * cho mọi đơn vị.")] = auth.ALL_UNITS,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Thu hồi vai trò trên một đơn vị / revoke the role held on a unit."""
    try:
        auth.revoke(_engine(db), username, unit, actor=audit.os_actor())
    except auth.AuthError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(f"{username}: - @ {unit}")


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """Liệt kê tài khoản và vai trò / list accounts and roles."""
    for u in auth.list_users(_engine(db)):
        state = "" if u.is_active else " [" + t_both("cli.account_locked_mark") + "]"
        login = "" if u.has_password else " [SSO]"
        roles = ", ".join(f"{role}@{unit}" for unit, role in sorted(u.roles.items())) or "-"
        typer.echo(f"{u.username:<24} {roles:<40} {u.email or '':<32} {u.display_name}{state}{login}")


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(t_both("cli.bad_since_date", value=value), 2) from None


def audit_command(
    since: Annotated[str | None, typer.Option("--since", help="Từ ngày / from date (2019-07-01).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Chỉ của tài khoản này / only this actor.")] = None,
    action: Annotated[list[str] | None, typer.Option("--action", help="import, entry, sign_in, grant...")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 1000,
    db: DbOption = None,
) -> None:
    """Nhật ký: ai làm gì, lúc nào (giờ UTC) / the audit trail: who did what, when (UTC)."""
    events = audit.events(_engine(db), since=_parse_date(since), actor=user, actions=action or None, limit=limit)
    for e in events:
        batch = f" #{e.batch_id}" if e.batch_id else ""
        what = f"{e.target}{batch} {e.detail}"
        typer.echo(f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor or '-':<20} {e.action:<15} {e.unit_code:<16} {what}")
    if not events:
        typer.echo(t_both("cli.no_events"))


def backup_command(
    out: Annotated[Path, typer.Option("--out", help="Tệp sao lưu / backup file.")],
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Sao lưu khi ứng dụng vẫn chạy / a consistent backup while the app runs."""
    url = get_settings(db).database_url
    try:
        info = backup(url, out, actor=audit.os_actor())
    except BackupError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(t_both("cli.backed_up", backend=info.backend, size=f"{info.size_bytes:,}", path=info.path))


def restore_command(
    source: Annotated[Path, typer.Argument(help="Tệp sao lưu / backup file.")],
    yes: Annotated[bool, typer.Option("--yes", help="Không hỏi xác nhận / do not ask.")] = False,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Khôi phục từ bản sao lưu (dữ liệu hiện tại được giữ lại một bản) / restore (the current data is kept)."""
    url = get_settings(db).database_url
    if not yes:
        typer.confirm(t_both("cli.restore_confirm", source=source), abort=True)
    try:
        kept = restore(url, source, actor=audit.os_actor())
    except BackupError as error:
        raise _fail(error.message(lang)) from None
    typer.echo(t_both("cli.restored", source=source))
    if kept:
        typer.echo(t_both("cli.restore_kept", kept=kept))


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("audit")(audit_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
