"""The command line: `python -m commstats ...` (typer). Everything IT needs for cron."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from typer._click import Context as ClickContext  # the click typer vendors (and calls invoke with)
from typer.core import TyperGroup

from commstats import national, queries
from commstats.bootstrap import add_unit, init_database
from commstats.codes import CODE_RULE, is_code, suggest_code
from commstats.db import make_engine, read_only, storage_fault
from commstats.export import SEPARATORS, write_export
from commstats.i18n import t, t_both
from commstats.periods import parse_month


class _Commands(TyperGroup):
    """Every command: a full disk or a read-only database is said in both languages with exit status 1,
    never as a traceback (the command's own transaction has rolled back, so nothing changed)."""

    def invoke(self, ctx: ClickContext) -> object:
        try:
            return super().invoke(ctx)
        except Exception as error:
            fault = storage_fault(error)
            if fault is None:
                raise
            typer.echo(f"{fault.message('vi')}\n{fault.message('en')}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Commands,
    help="commstats: số liệu thống kê của Sở Thông tin và Truyền thông / statistics of a Department of "
    "Information and Communications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
units_app = typer.Typer(help="Đơn vị (sở, tỉnh) / Units.", no_args_is_help=True)
app.add_typer(units_app, name="units")

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]


def engine_for(db: str | None) -> Engine:
    return make_engine(db)


def _month_option(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_month(value)
    except ValueError:
        typer.echo(t_both("cli.bad_period", name=name, value=value), err=True)
        raise typer.Exit(2) from None


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="Nạp dữ liệu mẫu / load the demo data.")] = False,
    demo_if_empty: Annotated[
        bool, typer.Option("--demo-if-empty", help="Nạp dữ liệu mẫu nếu chưa có số liệu / demo data into an empty DB.")
    ] = False,
    provinces: Annotated[
        bool,
        typer.Option("--provinces", help="Thêm dữ liệu mẫu của nhiều tỉnh / demo figures of several provinces."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp danh mục chỉ tiêu / create or upgrade the schema."""
    from etl.demo import load_demo  # the demo is a source: the core only sets up schema and catalogue
    from etl.demo_provinces import load_demo_provinces, place_demo_units

    engine = engine_for(db)
    init_database(engine)
    if demo or (demo_if_empty and queries.observation_count(engine) == 0):
        typer.echo(t_both("cli.making_demo"))
        load_demo(engine)
        place_demo_units(engine)  # the provinces page shows Trà Vinh (63) and Vĩnh Long (34)
    if provinces:
        typer.echo(t_both("cli.making_province_demo"))
        load_demo_provinces(engine)
    typer.echo(t_both("cli.database_ready", count=queries.observation_count(engine)))


@app.command("metrics")
def list_metrics(db: DbOption = None, lang: LangOption = "vi") -> None:
    """Danh mục chỉ tiêu / the metric catalogue."""
    engine = engine_for(db)
    if not read_only(engine):  # a read-only database is listed as it is
        init_database(engine)
    for m in queries.metrics(engine):
        breakdown = f" [{m.dimension}]" if m.dimension else ""
        typer.echo(f"{m.code:<28} {m.kind:<5} {m.section(lang)} — {m.name(lang)} ({m.unit_word(lang)}){breakdown}")


@units_app.command("list")
def units_list(db: DbOption = None, lang: LangOption = "vi") -> None:
    """Liệt kê đơn vị / list units."""
    for u in queries.units(engine_for(db)):
        merged = f" → #{u.merged_into_id} từ {u.merged_on}" if u.merged_into_id else ""
        typer.echo(f"{u.code:<24} {u.name(lang)}{merged}")


@units_app.command("add")
def units_add(
    code: str,
    name_vi: str,
    name_en: Annotated[str, typer.Option("--name-en")] = "",
    cutoff_day: Annotated[int, typer.Option("--cutoff-day", help="0 = tháng dương lịch; 15 = từ 15 đến 14")] = 0,
    first_year: Annotated[
        int | None, typer.Option("--first-year", help="Năm sớm nhất có số liệu / the earliest year with figures.")
    ] = None,
    public: Annotated[
        bool | None,
        typer.Option("--public/--no-public", help="Cho khách xem không cần đăng nhập / anonymous visitors may view."),
    ] = None,
    province: Annotated[
        str | None,
        typer.Option("--province", help="Tỉnh của đơn vị: 63-84 (trước 7/2025), 34-86 (từ 7/2025) / its province."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Thêm hoặc sửa một đơn vị / add or update a unit."""
    from commstats.audit import os_actor
    from commstats.auth import set_public_view

    engine = engine_for(db)
    init_database(engine)
    if not is_code(code) and code not in {u.code for u in queries.units(engine)}:
        rule_vi, rule_en = CODE_RULE
        typer.echo(
            f"Mã đơn vị “{code}” không hợp lệ: chỉ dùng {rule_vi}; ví dụ {suggest_code(code) or 'so-moi'}. / "
            f"Invalid unit code: use {rule_en}, e.g. {suggest_code(code) or 'so-moi'}.",
            err=True,
        )
        raise typer.Exit(2)
    if province is not None and province not in national.province_codes(engine):
        typer.echo(
            t_both("national.bad_province", value=province),
            err=True,
        )
        raise typer.Exit(2)
    add_unit(engine, code, name_vi, name_en, cutoff_day, first_year, area_code=province)
    if public is not None:
        set_public_view(engine, code, public, actor=os_actor())
    typer.echo(t_both("cli.saved_unit", code=code))


@app.command("import")
def import_files(
    paths: Annotated[list[Path], typer.Argument(help="CSV hoặc XLSX dạng dài / long-format CSV or XLSX.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị mặc định / default unit code.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra / validate only.")] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help="utf-8, utf-16, cp1258...")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Tài khoản ghi vào nhật ký / account recorded (default: OS login).")
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", help="Lý do sửa số liệu đã chốt / reason for changing locked figures.")
    ] = "",
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Nhập số liệu; mỗi tệp nạp trọn vẹn hoặc không nạp gì / import files, each all or nothing."""
    from commstats.cli.admin import actor_for
    from etl.sources import import_path  # the one checked sequence; the kind is found from each file

    engine = engine_for(db)
    init_database(engine)
    created_by = actor_for(engine, user)
    failed = 0
    for path in paths:
        report = import_path(
            engine, path, unit=unit, dry_run=dry_run, encoding=encoding, created_by=created_by, reason=reason
        )
        typer.echo(report.summary(lang), err=not report.ok)
        failed += not report.ok
    raise typer.Exit(1 if failed else 0)


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Tệp kết quả / output file.")],
    fmt: Annotated[str, typer.Option("--format", help="csv | xlsx")] = "csv",
    start: Annotated[str | None, typer.Option("--from", help="2019-01")] = None,
    end: Annotated[str | None, typer.Option("--to", help="2019-12")] = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="Mã chỉ tiêu (lặp lại được)")] = None,
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    sep: Annotated[str, typer.Option("--sep", help="csv: , | ; (semicolon) — ';' cho Excel cài vùng Việt Nam")] = ",",
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Xuất số liệu ra CSV (UTF-8 BOM) hoặc XLSX / export observations. Excel on Windows with Vietnamese regional
    settings reads `--sep ';'` (or `--sep semicolon`); with `,` every row lands in one column there."""
    if fmt not in ("csv", "xlsx"):
        typer.echo(t_both("cli.bad_format"), err=True)
        raise typer.Exit(2)
    if sep not in SEPARATORS:
        typer.echo(t("csv_sep_bad", lang, sep=sep), err=True)
        raise typer.Exit(2)
    engine = engine_for(db)
    known = queries.metric_by_code(engine)
    unknown = [m for m in metric or [] if m not in known]
    if unknown:
        typer.echo(t_both("cli.unknown_metric", codes=", ".join(unknown)), err=True)
        raise typer.Exit(2)
    frame = queries.observations_for_export(
        engine,
        start=_month_option(start, "--from"),
        end=_month_option(end, "--to"),
        metric_codes=metric or [],
        unit_codes=[unit] if unit else [],
        lang=lang,
    )
    count = write_export(frame, str(out), fmt, lang, sep)
    typer.echo(t_both("cli.exported", count=count, out=out))


# Commands of the package's other modules register themselves here.
from commstats.cli import admin, cycle, draft, extract, feeds, figures, sources  # noqa: E402

for _module in (feeds, admin, sources, draft, extract, figures, cycle):
    _module.register(app)
