"""Key figures of a month per section: value, change on last month, same month last year,
a 12-month trend, and the year to date against the annual target."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from commstats import grains, queries
from commstats.catalog import load_catalog
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import GRAINS, Period, add_months, coarser_periods_ending, period_from_start
from commstats.ratios import definitions as ratio_definitions
from commstats.ratios import ratios_of

REGULAR_MONTHS = 10  # a metric reported in this many of the 12 months before is expected every month


@dataclass(frozen=True)
class Card:
    metric: str
    title: str
    value: float | None  # None: not reported this month (reported in the twelve months before)
    previous: float | None
    last_year: float | None
    ytd: int | None
    target: int | None
    trend: list[float]
    lang: str
    kind: str = "flow"
    better: str = "higher"  # "lower": a rise is bad news (late dossiers, incidents); coloured the other way
    # The quarter (half-year, nine months, year) ending with the month whose figure the card shows, when the month
    # has no figure of its own (commstats.grains); previous and last_year are then of that kind of period.
    period: Period | None = None
    estimated: bool = False  # an estimate ("ước thực hiện") is in the value
    inside: Period | None = None  # not reported on its own: the month is inside this coarser period's figure
    ytd_from: tuple[Period, ...] = ()  # the coarser figures the year to date was read from
    ytd_estimated: bool = False
    derived: tuple[str, ...] = ()  # the subtractions the card's period was worked out by ("nine_months_half")

    @property
    def reported(self) -> bool:
        return self.value is not None

    @property
    def delta_color(self) -> Literal["normal", "inverse"]:
        """st.metric's colouring of the change: green for good news, red for bad."""
        return "inverse" if self.better == "lower" else "normal"

    @property
    def target_share(self) -> float | None:
        """The year to date as a share (0-1, not capped) of the annual target; None without both."""
        if self.ytd is None or not self.target:
            return None
        return self.ytd / self.target

    def _text(self, value: float | None) -> str:
        if self.kind == "ratio" and value is not None:
            return format_percent(value, self.lang)
        return format_count(None if value is None else int(value), self.lang)

    @property
    def note(self) -> str:
        """What the value was read from, when not the month's own actual figure: `Số liệu quý II/2020 (không có số
        liệu tháng) · ước thực hiện`; empty for a month's own actual figure."""
        parts = []
        if self.period is not None and self.derived:  # Q3 = 9 months − first half
            how = " ".join(t("chart.derived_" + d, self.lang) for d in self.derived)
            parts.append(t("overview.derived", self.lang, period=self.period.phrase(self.lang), how=how))
        elif self.period is not None:
            parts.append(t("overview.coarse", self.lang, period=self.period.phrase(self.lang)))
        elif self.inside is not None:
            parts.append(t("overview.inside", self.lang, period=self.inside.phrase(self.lang)))
        if self.estimated:
            parts.append(t("overview.estimated", self.lang))
        note = " · ".join(parts)
        return note[:1].upper() + note[1:]

    @property
    def delta_description(self) -> str:
        """What the change is against: last month, or the period before the card's quarter (half-year, …); empty
        for a quarter's card with nothing to compare."""
        if self.period is None:
            return t("vs_prev_month", self.lang)
        if self.delta_text is None:  # no figure for the period before: nothing compared
            return ""
        return t("overview.vs_period", self.lang, period=self.period.previous().phrase(self.lang))

    @property
    def ytd_text(self) -> str:
        """`Lũy kế từ đầu năm: 3.122`, with the coarser figures it includes and whether an estimate is in it."""
        if self.ytd is None:
            return ""
        notes = []
        if self.ytd_from:
            notes.append(
                t("overview.ytd_from", self.lang, periods=", ".join(p.phrase(self.lang) for p in self.ytd_from))
            )
        if self.ytd_estimated:
            notes.append(t("overview.estimated", self.lang))
        text = format_count(self.ytd, self.lang) + (" (" + "; ".join(notes) + ")" if notes else "")
        return t("overview.ytd", self.lang, ytd=text)

    @property
    def value_text(self) -> str:
        return self._text(self.value) if self.value is not None else t("overview.not_reported", self.lang)

    @property
    def delta_text(self) -> str | None:
        if self.previous is None or self.value is None:
            return None
        change = self.value - self.previous
        if self.kind == "ratio":  # percentage points
            points = format_decimal_number(change, self.lang, 1)
            return ("+" if round(change, 1) > 0 else "") + points + t("overview.points", self.lang)
        return ("+" if change > 0 else "") + format_count(int(change), self.lang)

    @property
    def yoy_change_text(self) -> str:
        """` (+5,2%)` against the same month last year; empty when there is nothing to compare (or a ratio)."""
        if not self.last_year or self.kind == "ratio" or self.value is None:
            return ""
        change = 100 * (self.value - self.last_year) / self.last_year
        return f" ({'+' if change > 0 else ''}{format_percent(change, self.lang)})"

    @property
    def footnote(self) -> str:
        """Same month last year, and the year to date when there is no target to show it against."""
        if self.period is not None:  # the same quarter (half-year, …) last year, named
            named = self.period.same_period_last_year().phrase(self.lang)
            parts = [
                t("overview.yoy_period", self.lang, period=named, v=self._text(self.last_year) + self.yoy_change_text)
                if self.last_year is not None
                else t("overview.no_yoy_period", self.lang, period=named)
            ]
        else:
            parts = [
                t("overview.yoy", self.lang, v=self._text(self.last_year) + self.yoy_change_text)
                if self.last_year is not None
                else t("overview.no_yoy", self.lang)
            ]
        if self.ytd is not None and self.target_share is None:
            parts.append(self.ytd_text)
        return " · ".join(parts)

    @property
    def progress_text(self) -> str:
        """`Lũy kế từ đầu năm: 3.122 — đạt 53,4% kế hoạch năm (5.850)`, shown over the progress bar."""
        if self.ytd is None or self.target_share is None:
            return ""
        share = format_percent(100 * self.target_share, self.lang)
        target = t("overview.target", self.lang, share=share, target=format_count(self.target, self.lang))
        return self.ytd_text + target

    @property
    def help_text(self) -> str:
        if self.kind == "ratio":
            return t("overview.ratio", self.lang)
        if self.kind == "flow" and self.period is not None:
            return t("overview.flow_period", self.lang)
        return t("overview.flow", self.lang) if self.ytd is not None else t("overview.stock", self.lang)


def _totals(folded: Mapping[tuple[str, str], grains.Folded]) -> dict[str, float]:
    return {code: item.value for (code, _member), item in folded.items()}


def _whole(folded: Mapping[tuple[str, str], grains.Folded], period: Period) -> dict[str, grains.Folded]:
    """The totals read from figures that cover all of `period` (a comparison with a part of it would mislead)."""
    count = len(period.months)
    return {code: f for (code, member), f in folded.items() if not member and f.basis.covered >= count}


@dataclass(frozen=True)
class _Coarse:
    """What the cards of metrics without a figure of their own for the month show instead (commstats.grains)."""

    current: dict[str, tuple[Period, float, grains.Basis]]  # metric -> (the coarser period, value, basis)
    previous: dict[str, float]
    last_year: dict[str, float]
    inside: dict[str, Period]  # metric -> a coarser period holding the month, when nothing ends with it


def _coarse(
    engine: Engine,
    unit_ids: Sequence[int],
    month: dt.date,
    now: Mapping[tuple[str, str], grains.Folded],
    rows: Sequence[grains.Row],
    catalogue: Sequence[queries.MetricInfo],
    wanted: Mapping[str, tuple[str, Sequence[str]]],
) -> _Coarse:
    """A flow without a figure for the month shows the figure of the quarter (half, nine months, year) ending
    with it, read by the rule of commstats.grains (complete months where they exist, else the coarser figure),
    against the period before and the same period last year; a level read from a coarser figure ending with
    the month is compared likewise. A ratio follows its numerator's period."""
    kinds = {m.code: m.kind for m in catalogue}
    current: dict[str, tuple[Period, float, grains.Basis]] = {}
    for (code, member), folded in now.items():  # a level at the month's end, given by a coarser figure
        if not member and folded.basis.coarse:
            grain, start = max(folded.basis.pieces, key=lambda p: grains.span(*p)[-1])
            current[code] = (period_from_start(grain, start), folded.value, folded.basis)
    for period in coarser_periods_ending(month):
        # every row, not only those ending in the period: Q3 may be 9 months − first half (commstats.grains)
        whole = _whole(grains.fold(rows, period.months), period)
        for code, folded in whole.items():
            coarse = folded.basis.coarse or folded.basis.derived
            if kinds.get(code) == "flow" and (code, "") not in now and code not in current and coarse:
                current[code] = (period, folded.value, folded.basis)
        parts: dict[str, float] = {code: f.value for code, f in whole.items()}
        for code, value in ratios_of(parts, wanted).items():
            numerator = current.get(wanted[code][0])
            if code not in current and numerator is not None and numerator[0] == period:
                used = [whole[p].basis for p in (wanted[code][0], *wanted[code][1]) if p in whole]
                current[code] = (period, value, functools.reduce(grains.Basis.join, used))
    previous: dict[str, float] = {}
    last_year: dict[str, float] = {}
    for period in {p for p, _v, _b in current.values()}:
        codes = [c for c, (p, _v, _b) in current.items() if p == period and kinds.get(c) != "ratio"]
        codes += [part for c in codes if c in wanted for part in (wanted[c][0], *wanted[c][1])]
        for other, found in ((period.previous(), previous), (period.same_period_last_year(), last_year)):
            whole = _whole(queries.period_figures(engine, unit_ids, codes, other.months), other)
            totals: dict[str, float] = {code: f.value for code, f in whole.items()}
            totals.update(ratios_of(totals, wanted))
            found.update({c: v for c, v in totals.items() if c in current and current[c][0] == period})
    inside: dict[str, Period] = {}
    for code, _kind, grain, start, _member, _value, _estimated in sorted(rows, key=lambda r: -GRAINS.index(r[2])):
        if grain != "month" and code not in current and (code, "") not in now and month in grains.span(grain, start):
            inside[code] = period_from_start(grain, start)  # the finest one last: it wins
    return _Coarse(current, previous, last_year, inside)


def overview_cards(engine: Engine, unit_ids: Sequence[int], period: Period, lang: str = "vi") -> dict[str, list[Card]]:
    """Cards grouped by section name (in catalogue order), for metrics with a value this month.

    One grouped query covers everything a card needs (the figures of every grain from the same month last
    year to this month), so the page costs three small queries whatever the table's size. A metric with no
    figure of its own for the month shows its quarter's (half-year's, …) figure when one ends with the month
    (commstats.grains); that costs two more small queries per such period, only when there are coarser figures.
    """
    catalogue = queries.metrics(engine)
    month = period.end
    rows = queries.period_sums(engine, unit_ids, [m.code for m in catalogue], add_months(month, -12), month)
    by_end: dict[dt.date, list[grains.Row]] = {}  # by the figure's last month: a quarter's level is its June's
    coarse_rows = False
    for row in rows:
        if row[2] == "month":
            by_end.setdefault(row[3], []).append(row)
        else:
            coarse_rows = True
            by_end.setdefault(grains.span(row[2], row[3])[-1], []).append(row)

    def fold(months: Sequence[dt.date]) -> dict[tuple[str, str], grains.Folded]:
        """grains.fold over the figures ending in those months only: the same values, without scanning all
        13 months' rows for each of the two dozen folds a page of cards needs."""
        return grains.fold([row for m in set(months) for row in by_end.get(m, ())], months)

    now_folded = fold([month])
    now: dict[tuple[str, str], float] = {key: f.value for key, f in now_folded.items()}
    before: dict[tuple[str, str], float] = {**grains.values_of(fold([add_months(month, -1)]))}
    last_year: dict[tuple[str, str], float] = {**grains.values_of(fold([add_months(month, -12)]))}
    ytd = fold(period.year_to_date())
    goals = queries.targets(engine, unit_ids, month.year)
    trend_months = {add_months(month, -i) for i in range(12)}
    trends: dict[str, list[float]] = {}
    for code, _kind, grain, when, _member, amount, _estimated in sorted(rows, key=lambda s: s[3]):
        if grain == "month" and when in trend_months:
            trends.setdefault(code, []).append(amount)
    wanted = ratio_definitions()
    for folded in (now, before, last_year):  # ratios from their parts' folded values, never from summed shares
        totals = {code: value for (code, _member), value in folded.items()}
        folded.update({(code, ""): value for code, value in ratios_of(totals, wanted).items()})
    month_totals = {m: _totals(fold([m])) for m in sorted(trend_months)} if wanted else {}
    for code, parts in wanted.items():
        trends[code] = [
            share
            for totals in month_totals.values()
            if (share := ratios_of(totals, {code: parts}).get(code)) is not None
        ]
    coarse = (
        _coarse(engine, unit_ids, month, now_folded, rows, catalogue, wanted)
        if coarse_rows
        else _Coarse({}, {}, {}, {})
    )
    better = {m.code: m.better for m in load_catalog().metrics}
    cards: dict[str, list[Card]] = {}
    for metric in catalogue:
        key, code = (metric.code, ""), metric.code
        if key not in now and not trends.get(code) and code not in coarse.current and code not in coarse.inside:
            continue  # not reported in the last twelve months either: not a figure of these units
        is_flow = metric.kind == "flow"
        shown: Period | None = None
        value, previous, year_before = now.get(key), before.get(key), last_year.get(key)
        basis = now_folded[key].basis if key in now_folded else None
        if code in coarse.current:
            shown, value, basis = coarse.current[code]
            previous, year_before = coarse.previous.get(code), coarse.last_year.get(code)
        so_far = ytd.get(key) if is_flow else None
        cards.setdefault(metric.section(lang), []).append(
            Card(
                code,
                f"{metric.name(lang)} ({metric.unit_word(lang)})",
                value,
                previous,
                year_before,
                so_far.value if so_far is not None else None,
                goals.get(code) if is_flow else None,
                trends.get(code, []),
                lang,
                metric.kind,
                better.get(code, "higher"),
                shown,
                bool(basis and basis.estimated),
                coarse.inside.get(code) if value is None else None,
                _coarse_names(so_far.basis) if so_far is not None else (),
                bool(so_far and so_far.basis.estimated),
                tuple(a + "_" + b for a, b in basis.derived) if shown is not None and basis is not None else (),
            )
        )
    return cards


def _coarse_names(basis: grains.Basis) -> tuple[Period, ...]:
    """The quarters, halves… a value was read from (none: monthly figures only)."""
    return tuple(period_from_start(grain, start) for grain, start in basis.pieces if grain != "month")


def latest_complete_month(engine: Engine, unit_ids: Sequence[int], months: Sequence[dt.date]) -> dt.date | None:
    """The latest of `months` in which every metric the units report regularly (in REGULAR_MONTHS of the twelve
    months before it) has a figure: the overview opens there, not on a month that is still being reported.
    The latest of `months` when none is complete; None without months."""
    if not months:
        return None
    latest, earliest = max(months), min(months)
    first_checked = max(earliest, add_months(latest, -12))
    reported = queries.months_reported(engine, unit_ids, add_months(first_checked, -12), latest)
    for month in sorted(months, reverse=True)[:13]:
        counts: dict[str, int] = {}
        for back in range(1, 13):
            for code in reported.get(add_months(month, -back), ()):
                counts[code] = counts.get(code, 0) + 1
        regular = {code for code, count in counts.items() if count >= REGULAR_MONTHS}
        if regular and regular <= reported.get(month, set()):
            return month
    return latest
