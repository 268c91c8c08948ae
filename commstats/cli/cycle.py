"""The report cycle on the command line: `remind` and `send` for cron, and `cycle ...` to open rounds,
assign, submit and approve sections, and keep departments, deadline rules and subscribers.

Self-contained (its own options and helpers); the main CLI calls `register(app)`. Without `--user` a
command runs as the operating-system login, trusted as IT; with `--user NAME` that account's roles and
units apply, as on the dashboard. Exit status: 0 done, 1 the mail server failed (nothing marked sent),
2 bad input or a refusal (nothing changed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import Engine

from commstats import queries
from commstats.auth import Action, Principal
from commstats.bootstrap import init_database
from commstats.cycle import mail, reads, rounds
from commstats.cycle.deadlines import Rule
from commstats.cycle.messages import CycleError, cycle_text
from commstats.db import make_engine

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]
UserOption = Annotated[
    str | None, typer.Option("--user", help="Tài khoản thực hiện (quyền của tài khoản áp dụng) / acting account.")
]
UnitsOption = Annotated[list[str] | None, typer.Option("--unit", help="Mã đơn vị (lặp lại được) / unit code.")]
UnitOption = Annotated[str, typer.Option("--unit", help="Mã đơn vị / unit code.")]
PeriodOption = Annotated[str, typer.Option("--period", help="2026-11 | 2026-Q4 | 2026-H2 | 2026-9M | 2026")]

cycle_app = typer.Typer(help="Kỳ báo cáo: mở kỳ, giao việc, nộp, duyệt / the report cycle.", no_args_is_help=True)
department_app = typer.Typer(help="Phòng, ban / departments.", no_args_is_help=True)
cycle_app.add_typer(department_app, name="department")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _engine(db: str | None) -> Engine:
    engine = make_engine(db)
    init_database(engine)
    return engine


def _principal(engine: Engine, user: str | None, lang: str) -> Principal:
    found = rounds.principal_or_developer(engine, user)
    if found is None:
        raise _fail(cycle_text("unknown_user", lang, username=user))
    return found


def _signed_in(db: str | None, user: str | None, lang: str) -> tuple[Engine, Principal]:
    """The database and who acts on it (the account named by --user, else the operating-system login)."""
    engine = _engine(db)
    return engine, _principal(engine, user, lang)


def _round(engine: Engine, unit: str, period: str, lang: str) -> reads.RoundRow | None:
    """The round of `unit` for the period as typed (2019-07, 2019-Q3, ...), read back after a change."""
    return reads.round_for(engine, unit, rounds.parse_period(period).key, lang=lang)


def _units(engine: Engine, principal: Principal, codes: list[str] | None, action: Action, lang: str) -> list[int]:
    """The ids of the units named (all units when none is) on which `principal` may do `action`."""
    units = queries.units(engine)
    by_code = {u.code: u for u in units}
    for code in codes or []:
        if code not in by_code:
            raise _fail(cycle_text("unknown_unit", lang, unit=code, allowed=", ".join(by_code) or "-"))
        if not principal.can(action, by_code[code].id):
            raise _fail(cycle_text("not_allowed", lang, username=principal.username, action=str(action), unit=code))
    chosen = [by_code[c] for c in codes] if codes else units
    return [u.id for u in chosen if principal.can(action, u.id)]


def _day(text: str | None) -> dt.date | None:
    return rounds.parse_day(text) if text else None


def _run(lang: str, work: Callable[[], object]) -> None:
    """Run one change; a refusal is printed in the chosen language with exit status 2."""
    try:
        message = work()
    except CycleError as error:
        raise _fail(error.message(lang)) from None
    if message:
        typer.echo(message)


# --- cron commands -----------------------------------------------------------------------------


def remind_command(
    unit: UnitsOption = None,
    days: Annotated[int, typer.Option("--days", help="Nhắc các phần đến hạn trong số ngày này / due within days.")] = 3,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Gửi thư nhắc các phần báo cáo đến hạn hoặc trễ hạn / e-mail the people whose sections are due or late."""
    engine, principal = _signed_in(db, user, lang)
    ids = _units(engine, principal, unit, Action.CYCLE, lang)
    try:
        outcome = mail.remind(engine, ids, actor=principal.actor, within_days=days, lang=lang)
    except CycleError as error:
        raise _fail(error.message(lang), 1) from None
    for warning in outcome.unaddressed:
        typer.echo(warning, err=True)
    if outcome.sent:
        typer.echo(cycle_text("reminders_sent", lang, count=outcome.sent, sections=outcome.sections))
    elif not outcome.unaddressed:
        typer.echo(cycle_text("reminders_none", lang))


def send_command(
    unit: UnitsOption = None,
    resend: Annotated[bool, typer.Option("--resend", help="Gửi lại cả báo cáo đã gửi / send again.")] = False,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Gửi báo cáo đã duyệt (.docx và .pdf) cho người nhận / e-mail approved reports to their subscribers."""
    engine, principal = _signed_in(db, user, lang)
    ids = _units(engine, principal, unit, Action.CYCLE, lang)
    try:
        outcome = mail.send_reports(engine, ids, actor=principal.actor, resend=resend)
    except CycleError as error:
        raise _fail(error.message(lang), 1) from None
    for code, period in outcome.without_subscribers:
        typer.echo(cycle_text("no_subscribers", lang, unit=code, period=period), err=True)
    for code, period, count in outcome.sent:
        typer.echo(cycle_text("reports_sent", lang, unit=code, period=period, count=count))
    if not outcome.sent and not outcome.without_subscribers:
        typer.echo(cycle_text("reports_none", lang))


# --- cycle ... ----------------------------------------------------------------------------------


@cycle_app.command("open")
def open_command(
    unit: UnitOption,
    period: PeriodOption,
    deadline: Annotated[str | None, typer.Option("--deadline", help="Hạn riêng / own deadline (2026-12-15).")] = None,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Mở kỳ báo cáo; hạn nộp theo quy tắc của đơn vị / open a round, due by the unit's rules."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        rounds.open_round(engine, principal, unit, period, deadline=_day(deadline))
        found = _round(engine, unit, period, lang)
        assert found is not None
        return cycle_text(
            "opened",
            lang,
            unit=unit,
            period=found.period_key,
            sections=len(found.sections),
            deadline=found.deadline.strftime("%d/%m/%Y"),
            start=found.window_start.strftime("%d/%m/%Y"),
            end=found.window_end.strftime("%d/%m/%Y"),
        )

    _run(lang, work)


@cycle_app.command("assign")
def assign_command(
    unit: UnitOption,
    period: PeriodOption,
    section: Annotated[str, typer.Option("--section", help="Mã phần / section code (portal, sites, assessment...).")],
    department: Annotated[str | None, typer.Option("--department", help="Mã phòng / department code.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Tài khoản được giao / assignee account.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Hạn riêng của phần / section due date.")] = None,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Giao một phần cho phòng hoặc người / assign a section to a department or a person."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        who = rounds.assign_section(
            engine, principal, unit, period, section, department=department, username=to, due=_day(due)
        )
        found = _round(engine, unit, period, lang)
        row = next(s for s in found.sections if s.code == section) if found else None
        return cycle_text(
            "assigned",
            lang,
            section=row.title if row else section,
            assignee=who,
            due=row.due.strftime("%d/%m/%Y") if row else "-",
        )

    _run(lang, work)


@cycle_app.command("submit")
def submit_command(
    unit: UnitOption,
    period: PeriodOption,
    section: Annotated[str, typer.Option("--section", help="Mã phần / section code.")],
    text: Annotated[str | None, typer.Option("--text", help="Nội dung (phần lời văn) / narrative text.")] = None,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Nộp một phần / submit a section."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        if text is not None:
            rounds.save_text(engine, principal, unit, period, section, text)
        rounds.submit_section(engine, principal, unit, period, section, lang=lang)
        return cycle_text("submitted", lang, section=section)

    _run(lang, work)


@cycle_app.command("approve")
def approve_command(
    unit: UnitOption, period: PeriodOption, user: UserOption = None, db: DbOption = None, lang: LangOption = "vi"
) -> None:
    """Duyệt kỳ báo cáo và chốt số liệu / approve a round and lock its figures."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        rounds.approve_round(engine, principal, unit, period, lang=lang)
        found = _round(engine, unit, period, lang)
        assert found is not None
        return cycle_text(
            "approved",
            lang,
            unit=unit,
            period=found.period_key,
            start=found.window_start.strftime("%d/%m/%Y"),
            end=found.window_end.strftime("%d/%m/%Y"),
        )

    _run(lang, work)


@cycle_app.command("status")
def status_command(
    unit: UnitsOption = None,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Tình trạng các kỳ báo cáo / who has submitted, what is missing."""
    engine, principal = _signed_in(db, user, lang)
    ids = _units(engine, principal, unit, Action.CYCLE, lang)
    for found in reads.rounds(engine, ids, lang=lang, limit=20):
        state = cycle_text("round_state_" + found.status, lang)
        typer.echo(f"{found.unit_code} {found.period_key} — {state} — {found.deadline:%d/%m/%Y}")
        for s in found.sections:
            status = cycle_text("status_" + s.status, lang)
            typer.echo(f"  {s.code:<16} {status:<16} {s.due:%d/%m/%Y} {s.days_left:>4}  {s.assignee or '-'}")


@cycle_app.command("rule")
def rule_command(
    unit: UnitOption,
    kind: Annotated[str, typer.Option("--kind", help="month | quarter | half | nine_months | year")],
    day: Annotated[int, typer.Option("--day", help="Ngày trong tháng / day of the month.")],
    offset: Annotated[int, typer.Option("--offset", help="Số tháng sau tháng cuối kỳ / months after.")] = 0,
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Hạn nộp riêng của đơn vị / a unit's own deadline rule (default: Thông tư 02/2023/TT-BTTTT)."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        rounds.set_rule(engine, principal, unit, kind, Rule(day, offset))
        return cycle_text("rule_saved", lang, unit=unit, kind=kind, day=day, offset=offset)

    _run(lang, work)


@department_app.command("add")
def department_add(
    code: str,
    name: str,
    unit: UnitOption,
    email: Annotated[str, typer.Option("--email", help="E-mail nhận thư nhắc / reminder address.")] = "",
    name_en: Annotated[str, typer.Option("--name-en")] = "",
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Thêm hoặc sửa một phòng / add or update a department."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        rounds.save_department(engine, principal, unit, code, name, name_en, email)
        return cycle_text("department_saved", lang, unit=unit, code=code.strip().lower())

    _run(lang, work)


@cycle_app.command("subscribe")
def subscribe_command(
    email: str,
    unit: UnitOption,
    name: Annotated[str, typer.Option("--name")] = "",
    mail_lang: Annotated[str, typer.Option("--mail-lang", help="vi | en: ngôn ngữ của báo cáo gửi đi")] = "vi",
    user: UserOption = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Thêm người nhận báo cáo đã duyệt / add a subscriber of approved reports."""
    engine, principal = _signed_in(db, user, lang)

    def work() -> str:
        rounds.subscribe(engine, principal, unit, email, name, mail_lang)
        return cycle_text("subscriber_saved", lang, unit=unit, email=email.strip().lower())

    _run(lang, work)


@cycle_app.command("unsubscribe")
def unsubscribe_command(
    email: str, unit: UnitOption, user: UserOption = None, db: DbOption = None, lang: LangOption = "vi"
) -> None:
    """Bỏ một người nhận / remove a subscriber."""
    engine, principal = _signed_in(db, user, lang)
    _run(
        lang,
        lambda: (
            rounds.unsubscribe(engine, principal, unit, email)
            and cycle_text("subscriber_removed", lang, unit=unit, email=email.strip().lower())
        ),
    )


def register(app: typer.Typer) -> None:
    app.command("remind")(remind_command)
    app.command("send")(send_command)
    app.add_typer(cycle_app, name="cycle")
