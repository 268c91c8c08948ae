"""Compose a draft: figures → template items → paragraphs → sections, with the comparisons asked for."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from jinja2 import TemplateError as JinjaError
from sqlalchemy import Engine

from commstats import queries
from commstats.catalog import load_catalog
from commstats.grains import DERIVATIONS, Basis
from commstats.i18n import t
from commstats.narrative.facts import TRACE_COLUMNS, FigureSet, Key, collect, trace
from commstats.narrative.filters import capfirst, join_list, ratio
from commstats.narrative.templates import (
    CompiledTemplates,
    ItemSpec,
    ParagraphSpec,
    TemplateError,
    load_templates,
    render_budgeted,
    template_line,
)
from commstats.national import Scope
from commstats.periods import GRAINS, Period, period_window
from commstats.ratios import definitions as ratio_definitions
from commstats.units import as_they_were, with_predecessors

_SPACES = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class DraftParagraph:
    id: str
    text: str


@dataclass(frozen=True)
class DraftSection:
    code: str
    title: str
    paragraphs: tuple[DraftParagraph, ...]


@dataclass(frozen=True, eq=False)
class Draft:
    lang: str
    period_key: str
    period_name: str
    unit_line: str
    title: str
    window: str
    notes: tuple[str, ...]
    sections: tuple[DraftSection, ...]
    bullet: str = "- "
    figures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TRACE_COLUMNS))

    @property
    def is_empty(self) -> bool:
        return not self.sections

    @property
    def paragraphs(self) -> list[DraftParagraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def with_texts(self, texts: Mapping[str, str]) -> Draft:
        """The same draft with some paragraphs rewritten (by paragraph id), e.g. after editing on screen."""
        sections = tuple(
            replace(s, paragraphs=tuple(replace(p, text=texts.get(p.id, p.text)) for p in s.paragraphs))
            for s in self.sections
        )
        return replace(self, sections=sections)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _unchanged(fact: Fact, base: float) -> bool:
    """No change: equal counts, or a ratio equal to the decimal it is written with."""
    assert fact.value is not None
    return round(fact.value - base, 1) == 0 if fact.kind == "ratio" else fact.value == base


class Fact:
    """One figure as templates see it: value, the comparison values, and the rendered comparison."""

    def __init__(self, composer: Composer, key: Key):
        self._composer = composer
        self.metric, self.member = key
        info = composer.figures.metrics[self.metric]
        self.name = info.name(composer.lang)
        self.unit = info.unit_word(composer.lang)
        self.kind = info.kind
        figures = composer.figures
        self.value = figures.current.get(key)
        self.previous = figures.previous.get(key)
        self.last_year = figures.last_year.get(key)
        is_flow = self.kind == "flow"
        self.ytd = figures.ytd.get(key) if is_flow else None
        self.target = figures.targets.get(self.metric) if is_flow and self.member is None else None

    @property
    def present(self) -> bool:
        return self.value is not None

    @property
    def target_share(self) -> float | None:
        return ratio(self.ytd, self.target)

    @property
    def comparison(self) -> str:
        """The comparisons asked for, with their leading separator (`, tăng 5 tin, bài (17,9%) so với …`)."""
        return self._composer.comparison(self)

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


class Composer:
    """Renders one template set over one FigureSet and remembers which figures the text used."""

    def __init__(self, templates: CompiledTemplates, figures: FigureSet, lang: str, context: dict[str, Any]):
        self.templates = templates
        self.spec = templates.spec
        self.figures = figures
        self.lang = lang
        self.context = context
        self.mentioned: set[str] = set()
        self.said: set[Key] = set()  # the (metric, member) figures a template asked for
        self.notes: list[str] = []
        self.used: dict[Key, set[str]] = {}
        self._pending: dict[Key, set[str]] = {}
        self._zeros: list[str] = []  # the paragraph's figures that are zero, as said by their zero_text

    # --- rendering helpers -------------------------------------------------------------------------------------
    def render(self, source: str | None, where: str, **values: Any) -> str:
        if not source:
            return ""
        try:
            return render_budgeted(self.templates.get(source), {**self.context, "fact": self.fact, **values})
        except JinjaError as error:
            line = getattr(error, "template_lineno", None) or template_line(error)
            at = f" (dòng / line {line})" if line else ""
            raise TemplateError(
                f"{self.spec.source}: {where}: {type(error).__name__}: {error}{at}. "
                "Sửa mẫu câu này. / Fix this template."
            ) from error

    def _use(self, key: Key, role: str) -> None:
        self._pending.setdefault(key, set()).add(role)

    def fact(self, metric: str, member: str | None = None) -> Fact:
        if metric not in self.figures.metrics:
            raise TemplateError(f"{self.spec.source}: fact('{metric}'): mã chỉ tiêu không có / unknown metric")
        key: Key = (metric, member)
        self.mentioned.add(metric)
        self.said.add(key)
        numerator, denominators = ratio_definitions().get(metric, ("", ()))
        self.mentioned.update(p for p in (numerator, *denominators) if p)  # a ratio's parts are said through it
        fact = Fact(self, key)
        if fact.present:
            self._use(key, "current")
        return fact

    # --- comparisons -------------------------------------------------------------------------------------------
    def _note_once(self, source: str, where: str, **values: Any) -> None:
        """A note under the heading, said once for the whole draft (e.g. no figures at all for last year)."""
        note = _clean(self.render(source, where, **values))
        if note and note not in self.notes:
            self.notes.append(note)

    def _label(self, source: str, period: Period, **extra: Any) -> str:
        return _clean(
            self.render(source, "comparisons label", name=period.phrase(self.lang), year=period.year, **extra)
        )

    def _change(self, fact: Fact, base: float | None, label: str, *, bare: bool = False) -> str:
        """`tăng 5 tin (17,9%) so với tháng trước`; `bare` leaves out `so với …` (the sentence's clause says it)."""
        spec = self.spec.comparisons
        if base is None:
            return _clean(self.render(spec.no_data, "comparisons.no_data", label=label, unit=fact.unit))
        assert fact.value is not None
        diff = fact.value - base
        pct = ratio(abs(diff), base)
        source = spec.up if diff > 0 else spec.down if diff < 0 else spec.same
        if fact.kind == "ratio":  # a share moves by percentage points, never by a percent of itself
            diff, pct = round(diff, 1), None
            source = spec.up_points if diff > 0 else spec.down_points if diff < 0 else spec.same
        change = _clean(
            self.render(
                source, "comparisons.up/down/same", diff=abs(diff), pct=pct, unit=fact.unit, base=base, label=label
            )
        )
        if bare:
            return change
        return _clean(self.render(spec.versus, "comparisons.versus", change=change, label=label, same=diff == 0))

    def _parts(self, fact: Fact) -> list[tuple[str, str, dict[str, Any]]]:
        """The comparisons asked for, as (clause: prev | yoy | ytd, label, values of the phrase)."""
        figures, spec, period = self.figures, self.spec.comparisons, self.figures.period
        key: Key = (fact.metric, fact.member)
        if fact.value is None or not figures.compare:
            return []
        parts: list[tuple[str, str, dict[str, Any]]] = []
        if "prev" in figures.compare and not ("yoy" in figures.compare and figures.previous_is_last_year):
            previous = period.previous()
            if figures.previous:
                label = self._label(spec.previous_labels[period.kind], previous)
                parts.append(("prev", label, {"base": fact.previous}))
                self._use(key, "previous")
            else:
                self._note_once(spec.no_period, "comparisons.no_period", name=previous.phrase(self.lang))
        if "yoy" in figures.compare:
            last_year = period.same_period_last_year()
            if figures.last_year:
                label = self._label(spec.same_period_label, last_year)
                parts.append(("yoy", label, {"base": fact.last_year}))
                self._use(key, "same_period")
            else:
                self._note_once(spec.no_period, "comparisons.no_period", name=last_year.phrase(self.lang))
        ytd_months = figures.ytd_months
        label = self._label(spec.ytd_label, period, months=len(ytd_months))
        ytd: dict[str, Any] = {}
        if "ytd" in figures.compare and fact.ytd is not None and len(ytd_months) > len(period.months):
            ytd["value"] = fact.ytd
            self._use(key, "ytd")
        if "target" in figures.compare and not figures.targets:
            self._note_once(spec.no_targets, "comparisons.no_targets", year=period.year)
        elif "target" in figures.compare and fact.kind == "flow" and fact.member is None:
            share = fact.target_share
            if share is None:
                if no_target := _clean(self.render(spec.no_target, "comparisons.no_target", year=period.year)):
                    ytd["target"] = no_target
                    ytd.setdefault("value", fact.ytd)
            else:
                ytd["target"] = _clean(
                    self.render(
                        spec.target,
                        "comparisons.target",
                        share=share,
                        target=fact.target,
                        value=fact.ytd,
                        unit=fact.unit,
                        year=period.year,
                    )
                )
                ytd.setdefault("value", fact.ytd)
                self._use(key, "ytd")
                self._use(key, "target")
        if ytd.get("value") is not None:
            parts.append(("ytd", label, ytd))
        return parts

    def comparison(self, fact: Fact) -> str:
        """The comparisons of one figure run on after it (`, tăng 5 tin (17,9%) so với tháng trước, …`): for
        templates that ask for `fact(...).comparison`; the shipped ones say comparisons as their own sentence."""
        spec = self.spec.comparisons
        phrases: list[str] = []
        for clause, label, values in self._parts(fact):
            if clause != "ytd":
                phrases.append(self._change(fact, values["base"], label))
                continue
            if "ytd" in self.figures.compare and "value" in values:
                phrases.append(
                    self.render(spec.ytd, "comparisons.ytd", label=label, value=values["value"], unit=fact.unit)
                )
            if values.get("target"):
                phrases.append(values["target"])
        phrases = [_clean(p) for p in phrases if _clean(p)]
        return spec.prefix + spec.join.join(phrases) if phrases else ""

    def comparison_sentence(self, compared: Sequence[tuple[Fact, str]]) -> str:
        """The comparisons of a paragraph's figures as their own sentence, one clause per comparison:
        `So với tháng trước tăng …; so với cùng kỳ năm 2018 …; lũy kế 7 tháng đầu năm 2019 là …`."""
        spec = self.spec.comparisons
        clauses: dict[str, tuple[str, list[str]]] = {}
        for fact, name in compared:
            for clause, label, values in self._parts(fact):
                if clause == "ytd":
                    phrase = self.render(
                        spec.ytd_item,
                        "comparisons.ytd_item",
                        name=name,
                        label=label,
                        unit=fact.unit,
                        value=values.get("value"),
                        target=values.get("target", ""),
                    )
                else:
                    base = values["base"]
                    same = base is not None and _unchanged(fact, base)
                    change = self._change(fact, base, label, bare=True)
                    phrase = self.render(
                        spec.change_item,
                        "comparisons.change_item",
                        name=name,
                        change=change,
                        label=label,
                        same=same,
                        no_data=base is None,
                    )
                clauses.setdefault(clause, (label, []))[1].append(_clean(phrase))
        if not clauses:
            return ""
        single = len(compared) == 1 and not compared[0][1]
        texts = [
            _clean(self.render(spec.clause, "comparisons.clause", kind=kind, label=label, items=items, single=single))
            for kind, (label, items) in clauses.items()
        ]
        return _clean(self.render(spec.sentence, "comparisons.sentence", clauses=[t for t in texts if t]))

    # --- items, paragraphs, sections ---------------------------------------------------------------------------
    def _policy(self, item: ItemSpec, paragraph: ParagraphSpec, name: str) -> Any:
        for owner in (item, paragraph, self.spec.defaults):
            value = getattr(owner, name)
            if value is not None:
                return value
        return None

    def item(self, item: ItemSpec, paragraph: ParagraphSpec, where: str) -> str:
        self.mentioned.add(item.metric)
        key: Key = (item.metric, item.member)
        self.said.add(key)
        fact = Fact(self, key)
        values = {"item": fact, "value": fact.value, "name": fact.name, "unit": fact.unit}
        if fact.value is None:
            if self._policy(item, paragraph, "missing") != "say":
                return ""
            return _clean(self.render(self._policy(item, paragraph, "missing_text"), f"{where}.missing_text", **values))
        self._use(key, "current")
        suffix = fact.comparison if item.compare and item.inline else ""
        if self.figures.basis(key).estimated:  # "33 tin, bài (ước thực hiện)": the estimate is said where it is used
            suffix = " " + t("draft.estimated_mark", self.lang) + suffix
        if fact.value == 0:
            policy = self._policy(item, paragraph, "zero")
            if policy == "drop":
                self._pending.pop(key, None)
                return ""
            if policy == "say":  # said after the paragraph's figures, in one way for every section
                zero = self.render(self._policy(item, paragraph, "zero_text"), f"{where}.zero_text", **values)
                self._zeros.append(_clean(zero))
                return ""
        return _clean(self.render(item.text, where, **values)) + suffix

    def _compared(self, paragraph: ParagraphSpec, items: Sequence[str]) -> list[tuple[Fact, str]]:
        """The figures whose comparisons follow the paragraph: those it names under `compare`, or else its items
        that were said and compare (each figure once)."""
        if paragraph.compare is not None:
            wanted = [(c.metric, c.member, c.name) for c in paragraph.compare]
        else:
            wanted = [
                (it.metric, it.member, "")
                for it, text in zip(paragraph.items, items, strict=True)
                if text and it.compare
            ]
            if len({(m, mem) for m, mem, _ in wanted}) > 1:  # several figures: each is named in the clause
                names = {m: info.name(self.lang) for m, info in self.figures.metrics.items()}
                wanted = [(m, mem, names[m]) for m, mem, _ in wanted]
        compared: list[tuple[Fact, str]] = []
        seen: set[Key] = set()
        for metric, member, name in wanted:
            if (metric, member) in seen or metric not in self.figures.metrics:
                continue
            seen.add((metric, member))
            self.mentioned.add(metric)
            fact = Fact(self, (metric, member))
            if fact.present:
                compared.append((fact, name))
        return compared

    def paragraph(self, section_code: str, paragraph: ParagraphSpec) -> str:
        self._pending, self._zeros = {}, []
        place = f"sections[{section_code}].paragraphs[{paragraph.id}]"
        items = [self.item(it, paragraph, f"{place}.items[{i}]") for i, it in enumerate(paragraph.items, start=1)]
        text = _clean(self.render(paragraph.text, f"{place}.text", items=[i for i in items if i]))
        zeros = [z for z in self._zeros if z]
        if zeros:  # `Cấp 5 giấy phép …; không phát sinh tờ khai …`: a zero is said, never dropped
            joined = join_list(zeros, self.spec.zero_join)
            text = f"{text.rstrip('.')}{self.spec.zero_join}{joined}." if text else f"{capfirst(joined)}."
        if text and self.figures.compare:
            sentence = self.comparison_sentence(self._compared(paragraph, items))
            text = f"{text} {sentence}" if sentence else text
        if text:
            for key, roles in self._pending.items():
                self.used.setdefault(key, set()).update(roles)
        return text

    def sections(self) -> list[DraftSection]:
        names = {m.section_code: m.section(self.lang) for m in self.figures.metrics.values()}
        result: list[DraftSection] = []
        for section in self.spec.sections:
            paragraphs = tuple(
                DraftParagraph(p.id, text) for p in section.paragraphs if (text := self.paragraph(section.code, p))
            )
            if paragraphs:
                result.append(DraftSection(section.code, section.title or names.get(section.code, ""), paragraphs))
        others = self.others()
        if others:
            result.append(others)
        return result

    def _unsaid_members(self) -> list[Key]:
        """Figures of a member no item names, of metrics whose paragraphs name members one by one (not the
        total): a new member, or a value imported without one, is listed rather than lost."""
        by_member = {metric for metric, member in self.said if member is not None}
        return [
            (metric, member)
            for metric, member in self.figures.current
            if member is not None
            and metric in by_member
            and (metric, None) not in self.said
            and (metric, member) not in self.said
        ]

    def basis_notes(self) -> list[str]:
        """Notes on what the used figures were read from: the metrics read from a quarter's (6 or 9 months', a
        year's) figure for want of complete months, and those with an estimate in them (commstats.grains)."""
        notes: dict[str, dict[str, list[str]]] = {}  # what → metric name → provinces (national drafts)

        def note(what: str, name: str, basis: Basis) -> None:
            areas = notes.setdefault(what, {}).setdefault(name, [])
            areas.extend(a for mark, a in basis.areas if mark == what and a not in areas)

        for (metric, member), roles in self.used.items():
            if "current" not in roles:
                continue
            basis = self.figures.basis((metric, member))
            name = self.figures.metrics[metric].name(self.lang)
            for grain in basis.coarse:
                note(grain, name, basis)
            if basis.estimated:
                note("estimated", name, basis)
            for larger, smaller in basis.derived:
                note(larger + "-" + smaller, name, basis)

        def listed(what: str) -> str:
            return "; ".join(
                t("draft.metric_in_areas", self.lang, metric=name, areas=", ".join(areas)) if areas else name
                for name, areas in notes[what].items()
            )

        said = [
            t("draft.grain_note_" + grain, self.lang, metrics=listed(grain)) for grain in GRAINS[1:] if grain in notes
        ]
        said += [
            t("draft.derived_note_" + larger + "_" + smaller, self.lang, metrics=listed(larger + "-" + smaller))
            for larger, smaller in DERIVATIONS
            if larger + "-" + smaller in notes
        ]
        if "estimated" in notes:
            said.append(t("draft.estimated_note", self.lang, metrics=listed("estimated")))
        return said

    def others(self) -> DraftSection | None:
        """Metrics with a figure that no template mentions: listed plainly so nothing is lost."""
        spec = self.spec.others
        if spec is None:
            return None
        self._pending = {}
        items = []
        for code in self.figures.metrics:
            skip = code in self.mentioned or self.figures.metrics[code].kind == "ratio"  # ratios: said by templates
            if skip or self.figures.current.get((code, None)) is None:
                continue
            fact = Fact(self, (code, None))
            self._use((code, None), "current")
            values = {"item": fact, "value": fact.value, "name": fact.name, "unit": fact.unit}
            items.append(_clean(self.render(spec.item, "others.item", **values)) + fact.comparison)
        for key in self._unsaid_members():
            fact = Fact(self, key)
            self._use(key, "current")
            name = f"{fact.name} ({_member_name(self.figures.metrics[key[0]].dimension, key[1], self.lang)})"
            values = {"item": fact, "value": fact.value, "name": name, "unit": fact.unit}
            items.append(_clean(self.render(spec.item, "others.item", **values)))
        if not items:
            return None
        text = _clean(self.render(spec.text, "others.text", items=items))
        for key, roles in self._pending.items():
            self.used.setdefault(key, set()).update(roles)
        title = _clean(self.render(spec.title, "others.title"))
        return DraftSection("others", title, (DraftParagraph("others", text),))


def _member_name(dimension: str | None, member: str | None, lang: str) -> str:
    """A member's name from the catalogue (the unallocated one included); its code when the file has none."""
    if not member:
        return "unallocated" if lang == "en" else "không phân loại"
    members = load_catalog().dimensions.get(dimension or "")
    found = next((m for m in members.members if m.code == member), None) if members else None
    return (found.name_en if lang == "en" else found.name_vi) if found else member


def heading_units(
    engine: Engine, all_units: Sequence[queries.UnitInfo], unit_codes: Sequence[str], period: Period
) -> tuple[list[queries.UnitInfo], list[queries.UnitInfo]]:
    """The units a heading names for `period`, as they were then, and the merged ones whose figures it includes
    (commstats.units.as_they_were)."""
    with_figures = []
    for unit_id in with_predecessors(all_units, unit_codes):
        span = queries.month_range(engine, [unit_id])
        if span and span[0] <= period.end and span[1] >= period.start:
            with_figures.append(unit_id)
    return as_they_were(all_units, unit_codes, with_figures, period.end)


def _heading_context(
    engine: Engine, all_units: Sequence[queries.UnitInfo], unit_codes: Sequence[str], figures: FigureSet, lang: str
) -> tuple[dict[str, Any], int | None]:
    chosen = [u for u in all_units if u.code in unit_codes]
    cutoffs = {u.cutoff_day for u in chosen}
    period = figures.period
    named, predecessors = heading_units(engine, all_units, unit_codes, period)
    context: dict[str, Any] = {
        "units": [u.name(lang) for u in named],
        "predecessors": [u.name(lang) for u in predecessors],
        "period": period.phrase(lang),
        "period_kind": period.kind,
        "year": period.year,
        "lang": lang,
    }
    return context, (cutoffs.pop() if len(cutoffs) == 1 else None)


def draft_report(
    engine: Engine,
    unit_codes: Sequence[str],
    period: Period,
    lang: str = "vi",
    compare: Sequence[str] = (),
    templates: CompiledTemplates | None = None,
    scope: Scope | None = None,
) -> Draft:
    """Draft the numeric paragraphs of the report of `period` for the units (and their predecessors); with
    `scope`, for a province, region or the nation: provinces folded one by one, then summed (commstats.national)."""
    templates = templates or load_templates(lang)
    spec = templates.spec
    all_units = queries.units(engine)  # for the heading too
    groups = None
    names: tuple[str, ...] = ()
    if scope is not None:
        unit_codes = scope.unit_codes
        groups = tuple(tuple(with_predecessors(all_units, group)) for group in scope.groups)
        names = scope.province_names(lang)
    unit_ids = with_predecessors(all_units, unit_codes)
    figures = collect(engine, unit_ids, period, compare, groups, names)
    context, cutoff = _heading_context(engine, all_units, unit_codes, figures, lang)
    if scope is not None:  # the heading names the scope, not its dozens of units
        context.update(units=[scope.name(lang)], predecessors=[])
    composer = Composer(templates, figures, lang, context)
    sections = composer.sections() if figures.has_data else []

    heading = spec.heading
    window = ""
    if cutoff is not None and heading.window:
        start, end = period_window(period, cutoff)
        window = _clean(composer.render(heading.window, "heading.window", start=start, end=end))
    notes: list[str] = []
    span = figures.data_range
    if not sections:
        notes.append(_clean(composer.render(heading.empty, "heading.empty")))
    elif span and (span[1] < period.end or span[0] > period.start) and heading.partial:
        start_month, end_month = max(span[0], period.start), min(span[1], period.end)
        first = Period("month", start_month.year, start_month.month).name(lang)
        last = Period("month", end_month.year, end_month.month).name(lang)
        period_first = Period("month", period.start.year, period.start.month).name(lang)
        notes.append(
            _clean(
                composer.render(
                    heading.partial,
                    "heading.partial",
                    first_month=first,
                    last_month=last,
                    period_first_month=period_first,
                )
            )
        )
    notes.extend(composer.notes)
    notes.extend(composer.basis_notes())
    draft = Draft(
        lang=lang,
        period_key=period.key,
        period_name=period.name(lang),
        unit_line=_clean(composer.render(heading.unit, "heading.unit")),
        title=_clean(composer.render(heading.title, "heading.title")),
        window=window,
        notes=tuple(n for n in notes if n),
        sections=tuple(sections),
        bullet=spec.bullet,
        figures=trace(engine, figures, composer.used),
    )
    from commstats.cycle.report import mark_draft  # the cycle's marks build on this module's Draft

    return mark_draft(engine, draft, unit_ids, period)
