"""Key figures of a month per section: value, change on last month, same month last year,
a 12-month trend, and the year to date against the annual target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from commstats import queries
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import Period, add_months
from commstats.ratios import definitions as ratio_definitions
from commstats.ratios import ratios_of


@dataclass(frozen=True)
class Card:
    metric: str
    title: str
    value: float
    previous: float | None
    last_year: float | None
    ytd: int | None
    target: int | None
    trend: list[float]
    lang: str
    kind: str = "flow"

    def _text(self, value: float | None) -> str:
        if self.kind == "ratio" and value is not None:
            return format_percent(value, self.lang)
        return format_count(None if value is None else int(value), self.lang)

    @property
    def value_text(self) -> str:
        return self._text(self.value)

    @property
    def delta_text(self) -> str | None:
        if self.previous is None:
            return None
        change = self.value - self.previous
        if self.kind == "ratio":  # percentage points
            points = format_decimal_number(change, self.lang, 1)
            return ("+" if round(change, 1) > 0 else "") + points + t("overview.points", self.lang)
        return ("+" if change > 0 else "") + format_count(int(change), self.lang)

    @property
    def yoy_change_text(self) -> str:
        """` (+5,2%)` against the same month last year; empty when there is nothing to compare (or a ratio)."""
        if not self.last_year or self.kind == "ratio":
            return ""
        change = 100 * (self.value - self.last_year) / self.last_year
        return f" ({'+' if change > 0 else ''}{format_percent(change, self.lang)})"

    @property
    def footnote(self) -> str:
        parts = [t("overview.yoy", self.lang, v=self._text(self.last_year) + self.yoy_change_text)
                 if self.last_year is not None else t("overview.no_yoy", self.lang)]  # fmt: skip
        if self.ytd is not None:
            line = t("overview.ytd", self.lang, ytd=format_count(self.ytd, self.lang))
            if self.target:
                share = format_percent(100 * self.ytd / self.target, self.lang)
                line += t("overview.target", self.lang, share=share, target=format_count(self.target, self.lang))
            parts.append(line)
        return " · ".join(parts)

    @property
    def help_text(self) -> str:
        if self.kind == "ratio":
            return t("overview.ratio", self.lang)
        return t("overview.flow", self.lang) if self.ytd is not None else t("overview.stock", self.lang)


def _totals(folded: dict[tuple[str, str], int]) -> dict[str, float]:
    return {code: value for (code, _member), value in folded.items()}


def overview_cards(engine: Engine, unit_ids: Sequence[int], period: Period, lang: str = "vi") -> dict[str, list[Card]]:
    """Cards grouped by section name (in catalogue order), for metrics with a value this month.

    One grouped query covers everything a card needs (the 13 months from the same month last
    year to this month), so the page costs three small queries whatever the table's size.
    """
    catalogue = queries.metrics(engine)
    month = period.end
    sums = queries.monthly_sums(engine, unit_ids, [m.code for m in catalogue], add_months(month, -12), month)
    # Folded values, to which the ratios (shares, not counts) are added below.
    by_month: dict[dt.date, list[tuple[str, str, dt.date, str, int]]] = {}
    for row in sums:
        by_month.setdefault(row[2], []).append(row)

    def fold(months: Sequence[dt.date]) -> dict[tuple[str, str], int]:
        """queries.fold_period over the rows of those months only: the same values, without scanning all
        13 months' rows for each of the two dozen folds a page of cards needs."""
        return queries.fold_period([row for m in set(months) for row in by_month.get(m, ())], months)

    now: dict[tuple[str, str], float] = {**fold([month])}
    before: dict[tuple[str, str], float] = {**fold([add_months(month, -1)])}
    last_year: dict[tuple[str, str], float] = {**fold([add_months(month, -12)])}
    ytd = fold(period.year_to_date())
    goals = queries.targets(engine, unit_ids, month.year)
    trend_months = {add_months(month, -i) for i in range(12)}
    trends: dict[str, list[float]] = {}
    for code, _kind, when, _member, value in sorted(sums, key=lambda s: s[2]):
        if when in trend_months:
            trends.setdefault(code, []).append(value)
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
    cards: dict[str, list[Card]] = {}
    for metric in catalogue:
        key = (metric.code, "")
        if key not in now:
            continue
        is_flow = metric.kind == "flow"
        cards.setdefault(metric.section(lang), []).append(
            Card(
                metric.code, f"{metric.name(lang)} ({metric.unit_word(lang)})", now[key], before.get(key),
                last_year.get(key), ytd.get(key) if is_flow else None, goals.get(metric.code) if is_flow else None,
                trends.get(metric.code, []), lang, metric.kind,
            )
        )  # fmt: skip
    return cards
