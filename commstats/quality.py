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
    rows = []
    for (unit, metric), first_month in first.items():
        stop = (ends or {}).get(unit)
        expected = [m for m in months_between(max(start, first_month), end) if stop is None or m < stop]
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
    for (unit, metric), group in frame.sort_values("period").groupby(["unit", "metric"], sort=True):
        by_month = dict(zip(group["period"], group["value"].astype(int), strict=True))
        for month, value in by_month.items():
            if not start <= month <= end:
                continue
            history = [by_month[m] for m in months_between(add_months(month, -window), add_months(month, -1))
                       if m in by_month]  # fmt: skip
            if len(history) < min_history:
                continue
            median, scale, low, high = robust_band(history, k)
            if not low <= value <= high:
                rows.append([unit, metric, month, value, median, scale, low, high, (value - median) / scale])
    result = pd.DataFrame(rows, columns=OUTLIER_COLUMNS)
    if result.empty:
        return result
    order = result["score"].abs().sort_values(ascending=False).index
    return result.loc[order].reset_index(drop=True)


def revision_kind(old_estimated: bool, new_estimated: bool) -> str:
    """What a revision did to an estimate ("ước thực hiện"): `estimate_replaced` (the actual figure came in),
    `estimate_updated` (a new estimate), or `value` (an actual figure corrected)."""
    if old_estimated:
        return "estimate_updated" if new_estimated else "estimate_replaced"
    return "value"
