"""`commstats draft` (report paragraphs from the data) and `commstats targets` (annual targets).

The main CLI calls `register(app)`.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from commstats import national, queries
from commstats.bootstrap import init_database
from commstats.db import make_engine
from commstats.i18n import t
from commstats.narrative import Draft, TemplateError, draft_report, load_templates, parse_compare
from commstats.narrative.document import report_docx_bytes
from commstats.narrative.office import OfficeTemplateError, render_office_template
from commstats.narrative.output import to_markdown, to_text
from commstats.narrative.pdf import PdfError, docx_to_pdf
from commstats.narrative.report import build_report
from commstats.narrative.templates import CompiledTemplates
from commstats.numbers import format_count
from commstats.periods import parse_period
from commstats.units import survivors

FORMATS = ("text", "md", "docx", "pdf")

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")]
LangOption = Annotated[str, typer.Option("--lang", help="vi | en")]
UnitOption = Annotated[list[str] | None, typer.Option("--unit", help="Mã đơn vị (lặp lại được) / unit code.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def choose_units(engine: Engine, codes: list[str] | None, lang: str) -> list[str]:
    """The units asked for, or the only top-level unit when none is named."""
    units = queries.units(engine)
    known = [u.code for u in units]
    if codes:
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise _fail(t("draft_unknown_unit", lang, value=", ".join(unknown), allowed=", ".join(known) or "-"))
        return codes
    top = [u.code for u in survivors(units)]
    if len(top) == 1:
        return top
    raise _fail(t("draft_choose_unit", lang, count=len(top), allowed=", ".join(top) or "-"))


def choose_scope(engine: Engine, code: str, lang: str) -> national.Scope:
    """The national, regional or provincial scope named, with at least one unit placed in it."""
    try:
        found = national.scope(engine, code)
    except ValueError:
        regions = [a.code for a in national.areas(engine) if a.level in ("nation", "region")]
        raise _fail(t("national.unknown_scope", lang, value=code, allowed=", ".join(regions))) from None
    if not found.groups:
        raise _fail(t("national.scope_no_units", lang, name=found.name(lang)))
    return found


def draft(
    period: Annotated[str, typer.Option("--period", help="2019-07 | 2019-Q3 | 2019-H1 | 2019-9M | 2019")],
    unit: UnitOption = None,
    compare: Annotated[str, typer.Option("--compare", help="prev,yoy,ytd,target (mặc định: không / none)")] = "",
    fmt: Annotated[str, typer.Option("--format", help="text | md | docx | pdf (docx, pdf: the whole report)")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Tệp kết quả / output file.")] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Tệp mẫu câu YAML / template file (default data/templates/).")
    ] = None,
    office_template: Annotated[
        Path | None, typer.Option("--office-template", help="Mẫu Word của đơn vị / the office's .docx template.")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            help="Báo cáo tổng hợp: vn (toàn quốc), mã vùng (dbscl), tỉnh (34-86) / a national, regional or "
            "provincial draft summed over provinces.",
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Soạn báo cáo: các đoạn số liệu (text, md) hoặc toàn văn (docx, pdf) / draft the report."""
    try:
        chosen_period = parse_period(period)
    except ValueError:
        raise _fail(t("draft_bad_period", lang, value=period)) from None
    try:
        comparisons = parse_compare(compare)
    except ValueError as error:
        raise _fail(t("draft_bad_compare", lang, value=str(error))) from None
    if fmt not in FORMATS:
        raise _fail(t("draft_bad_format", lang))
    if fmt in ("docx", "pdf") and out is None:
        raise _fail(t("draft_docx_needs_out", lang))
    try:
        compiled = load_templates(lang, templates)
    except TemplateError as error:
        raise _fail(str(error)) from None
    engine = make_engine(db)
    init_database(engine)
    chosen_scope = choose_scope(engine, scope, lang) if scope else None
    codes = chosen_scope.unit_codes if chosen_scope else choose_units(engine, unit, lang)
    try:
        result = draft_report(
            engine, codes, chosen_period, compiled.spec.language, comparisons, compiled, scope=chosen_scope
        )
    except TemplateError as error:
        raise _fail(str(error)) from None
    if result.is_empty:  # the how-to goes to the terminal, never into the report's text
        typer.echo(t("draft_empty_hint", lang), err=True)
    if fmt in ("docx", "pdf"):
        assert out is not None
        try:
            out.write_bytes(whole_report(engine, codes, result, compiled, fmt, office_template))
        except (TemplateError, OfficeTemplateError, PdfError) as error:
            raise _fail(str(error)) from None
    else:
        text = to_markdown(result) if fmt == "md" else to_text(result)
        if out is None:
            typer.echo(text, nl=False)
            return
        out.write_text(text, encoding="utf-8")
    typer.echo(t("draft_saved", lang, path=out))


def whole_report(
    engine: Engine, codes: list[str], draft: Draft, templates: CompiledTemplates, fmt: str, office: Path | None
) -> bytes:
    """The whole report (letterhead, figures, narrative blocks, signature, appendix) as .docx or .pdf."""
    period = parse_period(draft.period_key)
    report = build_report(engine, codes, period, draft.lang, templates=templates, draft=draft)
    data = render_office_template(office.read_bytes(), report) if office else report_docx_bytes(report)
    return docx_to_pdf(data) if fmt == "pdf" else data


targets_app = typer.Typer(help="Kế hoạch năm / annual targets.", no_args_is_help=True)


@targets_app.command("import")
def targets_import(
    paths: Annotated[list[Path], typer.Argument(help="CSV/XLSX: year, metric, value (+ unit).")],
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị mặc định / default unit code.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra / validate only.")] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help="utf-8, utf-16, cp1258...")] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Nhập kế hoạch năm; mỗi tệp nạp trọn vẹn hoặc không nạp gì / import annual targets, all or nothing."""
    from etl.targets import import_targets_path

    engine = make_engine(db)
    init_database(engine)
    try:
        created_by = "os:" + getpass.getuser()
    except (KeyError, OSError):
        created_by = "os:unknown"
    failed = 0
    for path in paths:
        report = import_targets_path(engine, path, unit=unit, dry_run=dry_run, encoding=encoding, created_by=created_by)
        typer.echo(report.summary(lang), err=not report.ok)
        failed += not report.ok
    raise typer.Exit(1 if failed else 0)


@targets_app.command("list")
def targets_list(
    unit: UnitOption = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    db: DbOption = None,
    lang: LangOption = "vi",
) -> None:
    """Liệt kê kế hoạch năm / list annual targets."""
    engine = make_engine(db)
    init_database(engine)
    ids = queries.unit_ids_with_predecessors(engine, unit) if unit else []
    frame = queries.target_list(engine, ids, year)
    if frame.empty:
        typer.echo(t("targets_none", lang))
        return
    names = {m.code: m for m in queries.metrics(engine)}
    columns = [frame[column].tolist() for column in ("unit", "year", "metric", "value", "batch_id")]
    for unit_code, target_year, code, value, batch_id in zip(*columns, strict=True):
        batch = f"#{batch_id}" if batch_id is not None and batch_id == batch_id else "-"  # NaN: no batch
        typer.echo(f"{unit_code:<20} {target_year}  {code:<24} {format_count(int(value), lang):>12} "
                   f"{names[code].unit_word(lang):<12} {batch}")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)
    app.add_typer(targets_app, name="targets")
