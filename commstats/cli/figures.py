"""`figure list-outside` and `figure delete`: find and remove a figure that should never have been stored."""

from __future__ import annotations

from typing import Annotated

import typer

from commstats import audit, queries
from commstats.db import make_engine
from commstats.figures import FigureError, delete_figure
from commstats.i18n import t
from commstats.periods import figure_window, month_key, parse_month

figure_app = typer.Typer(help="Số liệu đã lưu / stored figures.", no_args_is_help=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]
ANY_YEAR = (1, 9999)  # a stored mistake can be of any year; naming it must not be refused


@figure_app.command("list-outside")
def list_outside(db: DbOption = None, lang: LangOption = "vi") -> None:
    """Số liệu ngoài khoảng tháng hợp lệ / figures stored for an implausible month."""
    engine = make_engine(db)
    window = figure_window()
    ids = [u.id for u in queries.units(engine)]
    found = queries.figures_outside(engine, ids, window.first, window.last)
    for f in found:
        typer.echo(f"{f.unit:<20} {f.metric:<28} {month_key(f.period)} {f.member or '-':<16} {f.value}")
    if not found:
        typer.echo(t("figures_outside_none", lang, first=f"{window.first:%m/%Y}", last=f"{window.last:%m/%Y}"))


@figure_app.command("delete")
def delete(
    unit: Annotated[str, typer.Option("--unit", help="Mã đơn vị / unit code.")],
    metric: Annotated[str, typer.Option("--metric", help="Mã chỉ tiêu / metric code.")],
    period: Annotated[str, typer.Option("--period", help="Tháng / month (2019-07, 9999-12).")],
    reason: Annotated[str, typer.Option("--reason", help="Lý do (ghi vào nhật ký) / reason (audited).")],
    member: Annotated[str, typer.Option("--member", help="Mã thành phần / member code.")] = "",
    user: Annotated[str | None, typer.Option("--user", help="Người thực hiện / actor (default: OS login).")] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Xoá một số liệu (có ghi nhật ký) / delete one stored figure (audited)."""
    try:
        month = parse_month(period, years=ANY_YEAR)
    except ValueError:
        typer.echo(t("bad_period", lang), err=True)
        raise typer.Exit(2) from None
    try:
        gone = delete_figure(
            make_engine(db), unit, metric, month, member, actor=user or audit.os_actor(), reason=reason
        )
    except FigureError as error:
        typer.echo(error.message(lang), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        t(
            "figure_deleted",
            lang,
            unit=unit,
            metric=metric,
            month=month_key(gone.period),
            member=gone.member_code,
            value=gone.value,
            revisions=gone.revisions,
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(figure_app, name="figure")
