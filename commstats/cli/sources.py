"""`python -m commstats template` (the data-entry workbook) and `register import` (licence registers)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commstats.i18n import t_both

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]

register_app = typer.Typer(help="Sổ đăng ký giấy phép, tờ khai / licence registers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("template")(template_command)
    app.add_typer(register_app, name="register")


def template_command(
    year: Annotated[int, typer.Option("--year", help="Năm của biểu mẫu / the year, e.g. 2027.")],
    out: Annotated[Path, typer.Option("--out", help="Tệp .xlsx kết quả / output .xlsx file.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị ghi vào biểu mẫu / unit code.")] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Tạo biểu mẫu Excel nhập số liệu theo tháng / write the data-entry workbook."""
    from commstats import queries
    from commstats.bootstrap import init_database
    from commstats.db import make_engine
    from commstats.template import build_template

    if not 1900 <= year <= 2200:
        typer.echo(t_both("cli.bad_year", year=year), err=True)
        raise typer.Exit(2)
    if out.suffix.lower() != ".xlsx":
        typer.echo(t_both("cli.out_not_xlsx"), err=True)
        raise typer.Exit(2)
    engine = make_engine(db)
    init_database(engine)
    codes = [u.code for u in queries.units(engine)]
    if unit and unit not in codes:
        allowed = ", ".join(codes) or "-"
        typer.echo(t_both("cli.unknown_unit", unit=unit, known=allowed), err=True)
        raise typer.Exit(2)
    content = build_template(engine, year, unit, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    typer.echo(t_both("cli.workbook_written", year=year, out=out))


@register_app.command("import")
def register_import(
    paths: Annotated[list[Path], typer.Argument(help="Sổ đăng ký .csv hoặc .xlsx / register files.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị mặc định / default unit code.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra / validate only.")] = False,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Nhập sổ đăng ký giấy phép xuất bản và tờ khai hoạt động in; số liệu tháng được tính từ sổ."""
    from commstats.audit import os_actor
    from commstats.bootstrap import init_database
    from commstats.db import make_engine
    from etl.sources import import_path
    from etl.sources.register import SOURCE

    engine = make_engine(db)
    init_database(engine)
    failed = 0
    for path in paths:
        report = import_path(engine, path, source=SOURCE, unit=unit, dry_run=dry_run, created_by=os_actor())
        typer.echo(report.summary(lang), err=not report.ok)
        failed += not report.ok
    raise typer.Exit(1 if failed else 0)
