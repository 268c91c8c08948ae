"""The whole report of a period as a document: letterhead, title, numbered parts with the drafted figures and
the editors' narrative blocks, tasks, recommendations, recipients, signature and an appendix of figures.

Wording comes from the `document` part of the template files (data/templates/<lang>.yaml); the editors' texts
from the narrative blocks (commstats.blocks); figures from the draft (commstats.narrative.compose).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError as JinjaError
from sqlalchemy import Engine

from commstats import queries
from commstats.narrative.compose import Draft, DraftSection, draft_report, heading_units
from commstats.narrative.facts import FigureSet, collect
from commstats.narrative.filters import count, percent
from commstats.narrative.templates import CompiledTemplates, DocumentSpec, TemplateError, load_templates
from commstats.numbers import format_decimal_number
from commstats.periods import ROMAN, Period
from commstats.units import with_predecessors

_JOINED = re.compile(r"[ \t]*\n[ \t]*")  # a line break of a folded template, not a space typed on purpose
POINTS = {"vi": " điểm %", "en": " pp"}  # a ratio's change in percentage points, in the appendix


@dataclass(frozen=True)
class AppendixRow:
    number: str
    name: str
    unit: str
    current: str
    previous: str
    change_previous: str
    last_year: str
    change_last_year: str
    ytd: str

    def cells(self) -> list[str]:
        return [
            self.number,
            self.name,
            self.unit,
            self.current,
            self.previous,
            self.change_previous,
            self.last_year,
            self.change_last_year,
            self.ytd,
        ]


@dataclass(frozen=True)
class ReportDocument:
    lang: str
    period_key: str
    governing_body: str
    unit_name: str
    number: str
    place_date: str
    motto: str
    motto_sub: str
    title: str
    subtitle: str
    notes: tuple[str, ...]
    results_heading: str
    intro: str
    highlights: tuple[str, ...]
    sections: tuple[DraftSection, ...]
    bullet: str
    assessment_heading: str
    assessment: tuple[str, ...]
    difficulties_heading: str
    difficulties: tuple[str, ...]
    tasks_heading: str
    tasks: tuple[str, ...]
    recommendations_heading: str
    recommendations: tuple[str, ...]
    closing: str
    recipients_heading: str
    recipients: tuple[str, ...]
    signer_title: tuple[str, ...]
    signer_name: str
    appendix_title: tuple[str, ...]
    appendix_columns: tuple[str, ...]
    appendix: tuple[AppendixRow, ...]

    def context(self) -> dict[str, Any]:
        """What an office's Word template sees (docxtpl placeholders): plain strings, lists and dicts only."""
        return {
            "governing_body": self.governing_body,
            "unit_name": self.unit_name,
            "number": self.number,
            "place_date": self.place_date,
            "motto": self.motto,
            "motto_sub": self.motto_sub,
            "title": self.title,
            "subtitle": self.subtitle,
            "notes": list(self.notes),
            "results_heading": self.results_heading,
            "intro": self.intro,
            "highlights": list(self.highlights),
            "sections": [
                {"number": i, "title": s.title, "paragraphs": [p.text for p in s.paragraphs]}
                for i, s in enumerate(self.sections, start=1)
            ],
            "assessment_heading": self.assessment_heading,
            "assessment": list(self.assessment),
            "difficulties_heading": self.difficulties_heading,
            "difficulties": list(self.difficulties),
            "tasks_heading": self.tasks_heading,
            "tasks": list(self.tasks),
            "recommendations_heading": self.recommendations_heading,
            "recommendations": list(self.recommendations),
            "closing": self.closing,
            "recipients_heading": self.recipients_heading,
            "recipients": list(self.recipients),
            "signer_title": list(self.signer_title),
            "signer_name": self.signer_name,
            "appendix_title": list(self.appendix_title),
            "appendix_columns": list(self.appendix_columns),
            "appendix": [
                dict(
                    zip(
                        (
                            "number",
                            "name",
                            "unit",
                            "current",
                            "previous",
                            "change_previous",
                            "last_year",
                            "change_last_year",
                            "ytd",
                        ),
                        r.cells(),
                        strict=True,
                    )
                )
                for r in self.appendix
            ],
        }

    def text(self) -> str:
        """The document as plain text, in reading order (tests and the text download read this)."""
        lines = [
            self.governing_body,
            self.unit_name,
            self.number,
            self.motto,
            self.motto_sub,
            self.place_date,
            self.title,
            self.subtitle,
            *self.notes,
            f"I. {self.results_heading}",
            self.intro,
            *(f"{self.bullet}{h}" for h in self.highlights),
        ]
        for i, section in enumerate(self.sections, start=1):
            lines.append(f"{i}. {section.title}")
            lines.extend(f"{self.bullet}{p.text}" for p in section.paragraphs)
        n = len(self.sections)
        lines += [f"{n + 1}. {self.assessment_heading}", *self.assessment]
        lines += [f"{n + 2}. {self.difficulties_heading}", *self.difficulties]
        lines += [
            f"II. {self.tasks_heading}",
            *self.tasks,
            f"III. {self.recommendations_heading}",
            *self.recommendations,
            self.closing,
            self.recipients_heading,
            *self.recipients,
            *self.signer_title,
            self.signer_name,
            *self.appendix_title,
            " | ".join(self.appendix_columns),
        ]
        lines += [" | ".join(row.cells()) for row in self.appendix]
        return "\n".join(line for line in lines if line) + "\n"


def next_period(period: Period) -> Period:
    """The period whose tasks the report sets: the next month, quarter or year; after the first half the second,
    after the second half (and after nine months) what is left of the year or the next half."""
    if period.kind == "month":
        return Period("month", period.year + (period.index == 12), 1 if period.index == 12 else period.index + 1)
    if period.kind == "quarter":
        return Period("quarter", period.year + (period.index == 4), 1 if period.index == 4 else period.index + 1)
    if period.kind == "half":
        return Period("half", period.year + (period.index == 2), 1 if period.index == 2 else 2)
    if period.kind == "nine_months":
        return Period("quarter", period.year, 4)
    return Period("year", period.year + 1)


def _period_dict(period: Period) -> dict[str, Any]:
    return {"kind": period.kind, "index": period.index, "roman": ROMAN.get(period.index, ""), "year": period.year}


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _change(value: float | None, base: float | None, kind: str, lang: str) -> str:
    if value is None or base is None:
        return "-"
    if kind == "ratio":
        diff = round(value - base, 1) + 0.0  # + 0.0: no "-0" for a fall smaller than the rounding
        return ("+" if diff > 0 else "") + format_decimal_number(diff, lang, 1) + POINTS.get(lang, " pp")
    if not base:
        return "-"
    change = 100 * (value - base) / base
    return ("+" if round(change, 1) > 0 else "") + percent(change, lang)


def _shown(value: float | None, kind: str, lang: str) -> str:
    if value is None:
        return "-"
    return percent(value, lang) if kind == "ratio" else count(value, lang)


def appendix_rows(figures: FigureSet, lang: str) -> list[AppendixRow]:
    """One row per metric with a figure in the period: value, previous period, same period last year, year to
    date; each change in percent (a ratio's in percentage points)."""
    rows: list[AppendixRow] = []
    for code, info in figures.metrics.items():
        key = (code, None)
        value = figures.current.get(key)
        if value is None:
            continue
        previous, last_year = figures.previous.get(key), figures.last_year.get(key)
        ytd = figures.ytd.get(key) if info.kind == "flow" else None
        rows.append(
            AppendixRow(
                str(len(rows) + 1),
                info.name(lang),
                info.unit_word(lang),
                _shown(value, info.kind, lang),
                _shown(previous, info.kind, lang),
                _change(value, previous, info.kind, lang),
                _shown(last_year, info.kind, lang),
                _change(value, last_year, info.kind, lang),
                _shown(ytd, info.kind, lang),
            )
        )
    return rows


def _render(templates: CompiledTemplates, source: str, where: str, context: Mapping[str, Any]) -> str:
    try:
        rendered = templates.get(source).render(context)
    except JinjaError as error:
        raise TemplateError(f"{templates.spec.source}: document.{where}: {type(error).__name__}: {error}") from error
    if "\n" in source.strip():  # several lines on purpose (recipients, the appendix title)
        return rendered.strip()
    return _JOINED.sub(" ", rendered).strip()  # runs of spaces stay: "Số:       /BC-" leaves room to write


@dataclass(frozen=True)
class ReportInputs:
    """What the whole report reads from the database besides the draft: the heading's unit names (as they
    were in the period), the narrative blocks and the appendix table. Read once per data version by the
    dashboard (ui.cache.report_inputs), so an edit of a paragraph does not read them again."""

    unit: str
    texts: Mapping[str, str]
    appendix: tuple[AppendixRow, ...]


def report_inputs(
    engine: Engine, unit_codes: Sequence[str], period: Period, lang: str = "vi", texts: Mapping[str, str] | None = None
) -> ReportInputs:
    """The reads of `build_report` (`texts`: the narrative blocks, read for the first unit when not given)."""
    if texts is None:
        texts = {k: b.text for k, b in queries.narrative_blocks(engine, unit_codes[0], period.key).items()}
    all_units = queries.units(engine)
    unit = ", ".join(u.name(lang) for u in heading_units(engine, all_units, unit_codes, period)[0])  # as it was then
    figures = collect(engine, with_predecessors(all_units, unit_codes), period, ("prev", "yoy", "ytd"))
    return ReportInputs(unit, dict(texts), tuple(appendix_rows(figures, lang)))


def build_report(
    engine: Engine,
    unit_codes: Sequence[str],
    period: Period,
    lang: str = "vi",
    compare: Sequence[str] = (),
    templates: CompiledTemplates | None = None,
    texts: Mapping[str, str] | None = None,
    draft: Draft | None = None,
    inputs: ReportInputs | None = None,
) -> ReportDocument:
    """The whole report of `period` for the units; `texts` are the narrative blocks (read from the database for
    the first unit when not given), `draft` a draft already made (e.g. edited on screen), `inputs` the reads
    already made (report_inputs)."""
    templates = templates or load_templates(lang)
    spec: DocumentSpec | None = templates.spec.document
    if spec is None:
        raise TemplateError(f"{templates.spec.source}: document: thiếu phần document / the document part is missing")
    draft = draft or draft_report(engine, unit_codes, period, lang, compare, templates)
    inputs = inputs or report_inputs(engine, unit_codes, period, lang, texts)
    texts, unit = inputs.texts, inputs.unit
    following = next_period(period)
    context: dict[str, Any] = {
        "unit": unit,
        "year": period.end.year,
        "period": _period_dict(period),
        "next": _period_dict(following),
        "governing_body": texts.get("governing_body", ""),
        "number": texts.get("number", ""),
        "place": texts.get("place", ""),
        "lang": lang,
    }
    context["period_phrase"] = _render(
        templates, spec.period_phrase, "period_phrase", {**context, "p": context["period"]}
    )
    context["next_phrase"] = _render(templates, spec.period_phrase, "period_phrase", {**context, "p": context["next"]})

    def render(name: str) -> str:
        return _render(templates, getattr(spec, name), name, context)

    def given(kind: str) -> tuple[str, ...]:
        return _lines(texts.get(kind, "")) or (spec.not_given,)

    return ReportDocument(
        lang=lang,
        period_key=period.key,
        governing_body=render("governing_body").upper(),
        unit_name=unit.upper(),
        number=render("number"),
        place_date=render("place_date"),
        motto=render("motto"),
        motto_sub=render("motto_sub"),
        title=render("title"),
        subtitle=render("subtitle"),
        notes=(draft.window, *draft.notes),
        results_heading=render("results_heading"),
        intro=render("intro") if texts.get("highlights") else "",
        highlights=_lines(texts.get("highlights", "")),
        sections=draft.sections,
        bullet=draft.bullet,
        assessment_heading=render("assessment_heading"),
        assessment=given("assessment"),
        difficulties_heading=render("difficulties_heading"),
        difficulties=given("difficulties"),
        tasks_heading=render("tasks_heading"),
        tasks=given("tasks"),
        recommendations_heading=render("recommendations_heading"),
        recommendations=given("recommendations"),
        closing=render("closing"),
        recipients_heading=render("recipients_heading"),
        recipients=_lines(texts.get("recipients", "")) or _lines(render("recipients")),
        signer_title=_lines(texts.get("signer_title", "")) or _lines(render("signer_title")),
        signer_name=texts.get("signer_name", "").strip(),
        appendix_title=_lines(render("appendix_title")),
        appendix_columns=tuple(spec.appendix_columns),
        appendix=inputs.appendix,
    )
