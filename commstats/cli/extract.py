"""`commstats extract`: read figures from past reports (.txt, .docx, .pdf) and optionally load them.

The main CLI calls `register(app)`. Sure figures are loaded as one batch per document through the
one checked import sequence (etl/sources/report_text.py), so loading the same report twice changes
nothing; figures that need review are printed and never loaded. The report's period (month, quarter,
half-year, nine months or year) comes from its title; `--period` may name another period of the same
kind, never another kind (a quarter's totals are not a month's).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from commstats.audit import os_actor
from commstats.i18n import t, t_both
from commstats.numbers import format_count
from commstats.periods import Period, parse_period
from etl.extract.report_period import detect_title_period
from etl.extract.report_text import (
    Figure,
    PatternError,
    extract_figures,
    load_patterns,
    read_document,
)
from etl.problems import CycleProblem, Problem, RejectedFile, rendered, total
from etl.sources.base import size_problem
from etl.sources.report_text import ReportFigures
from etl.sources.report_text import load as load_report

EXCERPT_WIDTH = 100
EXCERPT_LEAD = 30  # characters of the sentence shown before the figure


def excerpt(figure: Figure, width: int = EXCERPT_WIDTH) -> str:
    """The part of the sentence around the figure, so every row fits on a line."""
    sentence = figure.sentence
    if len(sentence) <= width:
        return sentence
    start = max(0, min(figure.start - EXCERPT_LEAD, len(sentence) - width))
    end = start + width
    if start:  # cut at a space, not inside a word
        space = sentence.find(" ", start, figure.start)
        start = space + 1 if space >= 0 else start
    if end < len(sentence):
        space = sentence.rfind(" ", figure.start, end)
        end = space if space >= 0 else end
    return ("…" if start else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")


def _cells(figure: Figure, lang: str) -> list[str]:
    return [
        figure.metric,
        figure.member or "-",
        format_count(figure.value, lang),
        figure.period_key + (" " + t("report_estimated_mark", lang) if figure.estimated else ""),
        figure.qualifier,
        excerpt(figure),
    ]


def format_table(figures: Sequence[Figure], lang: str, with_reason: bool = False) -> list[str]:
    """Aligned rows: metric, member, value, period, qualifier, sentence (and the reason below)."""
    header = t("report_columns", lang).split("\t")
    rows = [_cells(f, lang) for f in figures]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if i == 2 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False))]
        return "  " + "  ".join([*parts, cells[-1]]).rstrip()

    lines = [line(header)]
    for figure, cells in zip(figures, rows, strict=True):
        lines.append(line(cells))
        if with_reason:
            lines.append("      → " + t("report_reason_line", lang, reason=figure.reason_text(lang)))
    return lines


def _period_source(override: Period | None, text: str, lang: str) -> tuple[str, str]:
    if override is not None:
        return override.key, t("report_source_option", lang)
    detected = detect_title_period(text)
    if detected is not None:
        return detected.period.key, t("report_source_text", lang)
    return "-", t("report_source_none", lang)


def print_figures(file: str, text: str, figures: Sequence[Figure], override: Period | None, lang: str) -> None:
    period, source = _period_source(override, text, lang)
    typer.echo(t("report_header", lang, file=file, period=period, source=source))
    if not figures:
        typer.echo("  " + t("report_no_figures", lang))
        return
    sure = [f for f in figures if f.sure]
    review = [f for f in figures if not f.sure]
    typer.echo(t("report_sure_header", lang, count=len(sure)))
    if sure:
        typer.echo("\n".join(format_table(sure, lang)))
    typer.echo(t("report_review_header", lang, count=len(review)))
    if review:
        typer.echo("\n".join(format_table(review, lang, with_reason=True)))


def _problems_text(problems: Sequence[Problem], lang: str) -> str:
    return " ".join(p.message(lang) for p in problems)


def _read(path: Path, lang: str) -> tuple[bytes, str] | None:
    """The bytes and text of one report, or None after printing why it cannot be read."""
    if not path.is_file():
        typer.echo(t("report_unreadable", lang, file=path, message=t("file_missing", lang)), err=True)
        return None
    if too_large := size_problem(str(path), path.stat().st_size):
        typer.echo(t("report_unreadable", lang, file=path, message=too_large.message(lang)), err=True)
        return None
    content = path.read_bytes()
    try:
        return content, read_document(content, path.name)
    except RejectedFile as rejected:
        message = _problems_text(rejected.problems, lang)
        typer.echo(t("report_unreadable", lang, file=path, message=message), err=True)
        return None


def load_figures(
    engine: Engine, figures: Sequence[Figure], path: Path, content: bytes, unit: str | None, lang: str
) -> bool:
    """Load the sure figures of one document as one batch; True when nothing went wrong."""
    sure = [f for f in figures if f.sure]
    if not sure:
        typer.echo(t("report_nothing_to_load", lang, file=path.name))
        return True
    if any(f.period is None for f in sure):
        typer.echo(t("report_load_no_period", lang, file=path.name), err=True)
        return False
    report = load_report(engine, ReportFigures(path.name, content, sure), unit=unit, created_by=os_actor())
    if not report.ok:
        first = report.problems[0]
        if isinstance(first, CycleProblem) or first.key == "report_not_storable":  # said in one sentence
            typer.echo(first.message(lang), err=True)
        else:
            typer.echo(t("import_rejected", lang, file=path.name, count=total(report.problems)), err=True)
            typer.echo("\n".join(rendered(report.problems, lang)), err=True)
        return False
    typer.echo(report.summary(lang))
    return True


def _kind_refused(path: Path, text: str, override: Period | None, lang: str) -> bool:
    """True (after saying why) when --period names another kind of period than the title does."""
    title = detect_title_period(text)
    if override is None or title is None or title.period.kind == override.kind:
        return False
    named = {"title": title.period.name(lang), "title_key": title.period.key, "period": override.key}
    typer.echo(t("report_period_kind_mismatch", lang, file=path.name, **named), err=True)
    return True


def _engine(db: str | None, lang: str) -> Engine:
    from commstats.bootstrap import init_database
    from commstats.db import make_engine

    try:
        engine = make_engine(db)
        init_database(engine)  # the schema and catalogue must be current before rows are checked
    except (SQLAlchemyError, OSError) as error:
        typer.echo(t("report_db_error", lang, detail=str(error).splitlines()[0][:160]), err=True)
        raise typer.Exit(1) from error
    return engine


def _options(period: str | None, lang: str) -> Period | None:
    if lang not in ("vi", "en"):
        typer.echo(t_both("report_bad_lang"), err=True)
        raise typer.Exit(2)
    try:
        load_patterns()
    except (PatternError, OSError) as error:
        typer.echo(t("report_pattern_error", lang, detail=error), err=True)
        raise typer.Exit(2) from error
    if period is None:
        return None
    try:
        return parse_period(period)
    except ValueError:
        typer.echo(t("report_bad_period", lang, value=period), err=True)
        raise typer.Exit(2) from None


def extract(
    paths: Annotated[list[Path], typer.Argument(help="Báo cáo .txt, .docx, .pdf / past reports.")],
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="Kỳ báo cáo: 2019-07, 2020-Q2, 2020-H1, 2020-9M, 2020 (mặc định: đọc từ tiêu đề)."
        ),
    ] = None,
    load: Annotated[bool, typer.Option("--load", help="Nạp số liệu chắc chắn / load the sure figures.")] = False,
    unit: Annotated[str | None, typer.Option("--unit", help="Mã đơn vị / unit code.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database URL (overrides COMMSTATS_DATABASE_URL).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="vi | en")] = "vi",
) -> None:
    """Đọc số liệu từ báo cáo cũ; số cần xem lại không bao giờ được nạp / read figures from past reports."""
    override = _options(period, lang)
    engine: Engine | None = None
    failed = False
    for index, path in enumerate(paths):
        if index:
            typer.echo("")
        read = _read(path, lang)
        if read is None:
            failed = True
            continue
        content, text = read
        if _kind_refused(path, text, override, lang):
            failed = True
            continue
        figures = extract_figures(text, override)
        print_figures(path.name, text, figures, override, lang)
        if load:
            engine = engine or _engine(db, lang)
            failed = not load_figures(engine, figures, path, content, unit, lang) or failed
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Add `extract` to the main command line."""
    app.command("extract")(extract)
