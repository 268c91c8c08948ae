"""The report periods a unit can draft: every month, quarter, half-year, nine months and year with data."""

from __future__ import annotations

import datetime as dt

from commstats.periods import Period, PeriodKind

KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "half", "nine_months", "year")


def _candidates(kind: PeriodKind, year: int) -> list[Period]:
    if kind == "month":
        return [Period("month", year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [Period("quarter", year, q) for q in range(1, 5)]
    if kind == "half":
        return [Period("half", year, h) for h in (1, 2)]
    return [Period(kind, year)]


def available_periods(kind: PeriodKind, first: dt.date, last: dt.date) -> list[Period]:
    """Periods of `kind` that overlap the months from `first` to `last`, newest first."""
    found = [
        period
        for year in range(first.year, last.year + 1)
        for period in _candidates(kind, year)
        if period.start <= last and period.end >= first
    ]
    return sorted(found, key=lambda p: (p.end, p.start), reverse=True)


def period_containing(kind: PeriodKind, month: dt.date) -> Period:
    """The period of `kind` that holds `month` (nine months: the year's first nine, or the year's)."""
    for period in _candidates(kind, month.year):
        if period.start <= month <= period.end:
            return period
    return Period(kind, month.year)
