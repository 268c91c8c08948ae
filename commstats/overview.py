"""Key figures of a month per section: value, change on last month, same month last year,
a 12-month trend, and the year to date against the annual target."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from commstats import grains, queries
from commstats.catalog import load_catalog
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import Period, add_months
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
        parts = [
            t("overview.yoy", self.lang, v=self._text(self.last_year) + self.yoy_change_text)
            if self.last_year is not None
            else t("overview.no_yoy", self.lang)
        ]
        if self.ytd is not None and self.target_share is None:
            parts.append(t("overview.ytd", self.lang, ytd=format_count(self.ytd, self.lang)))
        return " · ".join(parts)

    @property
    def progress_text(self) -> str:
        """`Lũy kế từ đầu năm: 3.122 — đạt 53,4% kế hoạch năm (5.850)`, shown over the progress bar."""
        if self.ytd is None or self.target_share is None:
            return ""
        share = format_percent(100 * self.target_share, self.lang)
        target = t("overview.target", self.lang, share=share, target=format_count(self.target, self.lang))
        return t("overview.ytd", self.lang, ytd=format_count(self.ytd, self.lang)) + target

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
    single = grains.each_month(sums)  # the dozen one-month reads of a page of cards, in one pass

    def fold(months: Sequence[dt.date]) -> dict[tuple[str, str], int]:
        """queries.fold_period over the rows of those months only: the same values, without scanning all
        13 months' rows for each of the two dozen folds a page of cards needs."""
        if len(set(months)) == 1:
            return dict(single.get(months[0], {}))
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
    better = {m.code: m.better for m in load_catalog().metrics}
    cards: dict[str, list[Card]] = {}
    for metric in catalogue:
        key = (metric.code, "")
        if key not in now and not trends.get(metric.code):
            continue  # not reported in the last twelve months either: not a figure of these units
        is_flow = metric.kind == "flow"
        cards.setdefault(metric.section(lang), []).append(
            Card(
                metric.code,
                f"{metric.name(lang)} ({metric.unit_word(lang)})",
                now.get(key),
                before.get(key),
                last_year.get(key),
                ytd.get(key) if is_flow else None,
                goals.get(metric.code) if is_flow else None,
                trends.get(metric.code, []),
                lang,
                metric.kind,
                better.get(metric.code, "higher"),
            )
        )
    return cards


def latest_complete_month(engine: Engine, unit_ids: Sequence[int], months: Sequence[dt.date]) -> dt.date | None:
    """The latest of `months` in which every metric the units report regularly (in REGULAR_MONTHS of the twelve
    months before it) has a figure: the overview opens there, not on a month that is still being reported.
    The latest of `months` when none is complete; None without months."""
    if not months:
        return None
    latest, earliest = max(months), min(months)
    codes = [m.code for m in queries.metrics(engine) if m.kind != "ratio"]
    first_checked = max(earliest, add_months(latest, -12))
    sums = queries.monthly_sums(engine, unit_ids, codes, add_months(first_checked, -12), latest)
    reported: dict[dt.date, set[str]] = {}
    for code, _kind, month, _member, _value in sums:
        reported.setdefault(month, set()).add(code)
    for month in sorted(months, reverse=True)[:13]:
        counts: dict[str, int] = {}
        for back in range(1, 13):
            for code in reported.get(add_months(month, -back), ()):
                counts[code] = counts.get(code, 0) + 1
        regular = {code for code, count in counts.items() if count >= REGULAR_MONTHS}
        if regular and regular <= reported.get(month, set()):
            return month
    return latest
