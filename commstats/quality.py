"""Data-quality checks: months a unit did not report, and values far from their own history.

The outlier rule is robust (it is not pulled by the outliers themselves): for each unit and metric,
a month's value is compared with the median of the previous `window` months, and the spread is the
median absolute deviation (MAD) scaled by 1.4826 so that it matches a standard deviation on normal
data. A value is flagged when |value − median| > k × scaled MAD (k = 3.5 by default, the usual cut-off
of the "modified z-score"). Counts are whole numbers, so the scale is never taken below 1: a series
that is always 43 does not flag 44.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from commstats.periods import add_months, months_between

K_DEFAULT = 3.5
WINDOW = 12  # months of history a value is compared with
MIN_HISTORY = 6  # fewer months than this: no judgement
MAD_TO_SD = 1.4826
MIN_SCALE = 1.0

OUTLIER_COLUMNS = ["unit", "metric", "period", "value", "median", "scale", "low", "high", "score"]
MISSING_COLUMNS = ["unit", "metric", "expected", "reported", "missing", "missing_months"]


def compress_months(months: Iterable[dt.date]) -> str:
    """`01/2020–03/2020, 05/2020`: consecutive months joined into ranges."""
    ordered = sorted(set(months))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == add_months(ordered[j], 1):
            j += 1
        first, last = ordered[i], ordered[j]
        text = f"{first.month:02d}/{first.year}"
        if j > i:
            text += f"–{last.month:02d}/{last.year}"
        parts.append(text)
        i = j + 1
    return ", ".join(parts)


def missing_months(
    observed: pd.DataFrame,
    first: Mapping[tuple[str, str], dt.date],
    start: dt.date,
    end: dt.date,
    ends: Mapping[str, dt.date] | None = None,
    covered: Collection[tuple[str, str, dt.date]] = (),
) -> pd.DataFrame:
    """Per unit and metric the unit has ever reported: months in [start, end] (from its first report on)
    without a figure. `observed` has unit, metric, period rows (one per reported month). `ends`: unit code ->
    its merger date (commstats.units.reporting_ends), from which the unit reports no more, so owes nothing.
    `covered` holds the (unit, metric, month) a quarter's, 6 or 9 months' or year's figure covers
    (commstats.grains.coarse_months): reported, so not missing.

    Columns: unit, metric, expected, reported, missing (count), missing_months (list of dates).
    Sorted with the most missing first.
    """
    have: dict[tuple[str, str], set[dt.date]] = {}
    for unit, metric, period in zip(observed["unit"], observed["metric"], observed["period"], strict=True):
        have.setdefault((unit, metric), set()).add(period)
    window = months_between(start, end)
    expected_from: dict[tuple[dt.date, dt.date | None], list[dt.date]] = {}  # a few distinct (first, stop)
    rows = []
    for (unit, metric), first_month in first.items():
        stop = (ends or {}).get(unit)
        bounds = (max(start, first_month), stop)
        if bounds not in expected_from:
            expected_from[bounds] = [m for m in window if m >= bounds[0] and (stop is None or m < stop)]
        expected = expected_from[bounds]
        if not expected:
            continue
        reported = have.get((unit, metric), set())
        gaps = [m for m in expected if m not in reported and (unit, metric, m) not in covered]
        rows.append([unit, metric, len(expected), len(expected) - len(gaps), len(gaps), gaps])
    frame = pd.DataFrame(rows, columns=MISSING_COLUMNS)
    return frame.sort_values(["missing", "unit", "metric"], ascending=[False, True, True], ignore_index=True)


def robust_band(history: list[int], k: float = K_DEFAULT) -> tuple[float, float, float, float]:
    """(median, scale, low, high) of a history: scale = max(1.4826 × MAD, 1)."""
    median = statistics.median(history)
    mad = statistics.median(abs(v - median) for v in history)
    scale = max(MAD_TO_SD * mad, MIN_SCALE)
    return median, scale, median - k * scale, median + k * scale


def outliers(
    frame: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    k: float = K_DEFAULT,
    window: int = WINDOW,
    min_history: int = MIN_HISTORY,
) -> pd.DataFrame:
    """Values in [start, end] outside median ± k × scaled MAD of the same unit and metric's previous
    `window` months. `frame` (unit, period, metric, value) should start `window` months before `start`.

    Columns: unit, metric, period, value, median, scale, low, high, score ((value − median) / scale);
    the farthest first.
    """
    rows = []
    first, last = _index(start), _index(end)
    series: dict[tuple[str, str], dict[int, int]] = {}  # month index -> value, per unit and metric
    months: dict[int, dt.date] = {}
    columns = (frame["unit"], frame["metric"], frame["period"], frame["value"])
    for unit, metric, period, value in zip(*columns, strict=True):
        index = _index(period)
        months.setdefault(index, period)
        series.setdefault((unit, metric), {})[index] = int(value)
    for (unit, metric), by_month in sorted(series.items()):
        for index in sorted(by_month):
            if not first <= index <= last:
                continue
            history = [by_month[i] for i in range(index - window, index) if i in by_month]
            if len(history) < min_history:
                continue
            value = by_month[index]
            median, scale, low, high = robust_band(history, k)
            if not low <= value <= high:
                rows.append([unit, metric, months[index], value, median, scale, low, high, (value - median) / scale])
    result = pd.DataFrame(rows, columns=OUTLIER_COLUMNS)
    if result.empty:
        return result
    order = result["score"].abs().sort_values(ascending=False).index
    return result.loc[order].reset_index(drop=True)


def _index(month: dt.date) -> int:
    """Months since January of year 1 (consecutive months, consecutive numbers)."""
    return (month.year - 1) * 12 + month.month - 1


@dataclass(frozen=True)
class Checks:
    """What the quality page shows of a choice of units and months, computed once per data version."""

    missing: pd.DataFrame  # missing_months, only the rows with a missing month
    outliers: pd.DataFrame


def checks(
    history: pd.DataFrame,
    first: Mapping[tuple[str, str], dt.date],
    start: dt.date,
    end: dt.date,
    ends: Mapping[str, dt.date],
    covered: Collection[tuple[str, str, dt.date]],
    k: float = K_DEFAULT,
) -> Checks:
    """The missing months and the outliers of `history` (unit, metric, period, value rows from `WINDOW`
    months before `start` to `end`)."""
    missing = missing_months(history[history["period"] >= start], first, start, end, ends, covered)
    return Checks(missing[missing["missing"] > 0].reset_index(drop=True), outliers(history, start, end, k=k))


def revision_kind(old_estimated: bool, new_estimated: bool) -> str:
    """What a revision did to an estimate ("ước thực hiện"): `estimate_replaced` (the actual figure came in),
    `estimate_updated` (a new estimate), or `value` (an actual figure corrected)."""
    if old_estimated:
        return "estimate_updated" if new_estimated else "estimate_replaced"
    return "value"
