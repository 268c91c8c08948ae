"""Monthly series rolled up to quarters or years, and laid out year over year.

Flows (posts, licences) are summed over the period; stocks (number of sites) take the value of the
period's last month with data. The input is what `queries.monthly_totals` returns (already aggregated
in SQL to one row per month), so these frames are small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from commstats import grains
from commstats.periods import GRAINS, Period, add_months, month_key
from commstats.ratios import ratio_value, ratios_of

Granularity = Literal["month", "quarter", "year"]
GRANULARITIES: tuple[Granularity, ...] = ("month", "quarter", "year")
MONTHS_IN: dict[Granularity, int] = {"month": 1, "quarter": 3, "year": 12}


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`."""
    return add_months(month, 1) - dt.timedelta(days=1)


def period_of(month: dt.date, granularity: Granularity) -> Period:
    """The month, quarter or year that `month` falls in."""
    if granularity == "quarter":
        return Period("quarter", month.year, (month.month - 1) // 3 + 1)
    if granularity == "year":
        return Period("year", month.year)
    return Period("month", month.year, month.month)


def aggregate(
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
    granularity: Granularity,
    keys: Sequence[str] = ("metric",),
    ratios: Mapping[str, tuple[str, Sequence[str]]] | None = None,
) -> pd.DataFrame:
    """Roll monthly rows (period, value and the `keys` columns) up to `granularity`.

    `kinds` maps metric code -> "flow" | "stock". Returns one row per key and period with columns
    *keys, period_key, start (first month of the period), end (last month of the period), first and
    last (months with data), months (how many have data), complete (all the period's months have data)
    and value.

    `ratios` (ratio code -> (numerator, denominators), see commstats.ratios) adds a row per period for each
    ratio whose parts are in `frame`, computed from the parts' rolled-up values (never summed by month); the
    value column is then a float (percent). A share never mixes months: its parts are folded over the months
    that every part present in the period reported, and the period is partial unless that is all its months.
    """
    columns = [*keys, "period_key", "start", "end", "first", "last", "months", "complete", "value"]
    if "grain" in frame.columns:  # figures of every grain (queries.figure_totals): the rule of commstats.grains
        return _aggregate_grains(frame, kinds, granularity, keys, ratios)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    # One pass in plain Python over the (small, already aggregated) rows: a pandas filter per group cost
    # a few milliseconds each, a fifth of a second for a chart of three series over two years (bench/).
    periods = {month: period_of(month, granularity) for month in set(frame["period"])}
    groups: dict[tuple, dict[dt.date, int]] = {}
    for *key_values, month, value in zip(*(frame[k] for k in keys), frame["period"], frame["value"], strict=True):
        by_month = groups.setdefault((*key_values, periods[month].key), {})
        by_month[month] = by_month.get(month, 0) + int(value)
    rows: list[dict] = []
    for (*key_values, period_key), by_month in groups.items():
        values = dict(zip(keys, key_values, strict=True))
        period = periods[next(iter(by_month))]
        first, last = min(by_month), max(by_month)
        is_stock = kinds.get(str(values.get("metric", "")), "flow") == "stock"
        rows.append(
            {
                **values,
                "period_key": period_key,
                "start": period.start,
                "end": period.end,
                "first": first,
                "last": last,
                "months": len(by_month),
                "complete": len(by_month) == MONTHS_IN[granularity],
                "value": by_month[last] if is_stock else sum(by_month.values()),
            }
        )
    if ratios and "metric" in keys:
        rows.extend(_common_month_ratio_rows(groups, periods, kinds, granularity, keys, ratios))
    result = pd.DataFrame(rows, columns=columns)
    result["value"] = result["value"].astype("float64" if ratios else "int64")
    return result.sort_values([*keys, "start"]).reset_index(drop=True)


def _common_month_ratio_rows(
    groups: Mapping[tuple, Mapping[dt.date, int]],
    periods: Mapping[dt.date, Period],
    kinds: Mapping[str, str],
    granularity: Granularity,
    keys: Sequence[str],
    ratios: Mapping[str, tuple[str, Sequence[str]]],
) -> list[dict]:
    """One row per ratio and period (and other keys): the ratio of the parts folded over the months every part
    present reported, so one month of one part is never divided by three months of another."""
    metric_at = list(keys).index("metric")
    by_group: dict[tuple, dict[str, Mapping[dt.date, int]]] = {}
    for (*key_values, period_key), by_month in groups.items():
        others = tuple(v for i, v in enumerate(key_values) if i != metric_at)
        by_group.setdefault((*others, period_key), {})[key_values[metric_at]] = by_month
    found = []
    for (*other_values, period_key), parts in by_group.items():
        for code, (numerator, denominators) in ratios.items():
            present = [p for p in dict.fromkeys((numerator, *denominators)) if p in parts]
            if numerator not in parts:
                continue
            common = sorted(set.intersection(*(set(parts[p]) for p in present)))
            if not common:
                continue
            values = {p: _fold(parts[p], common, kinds.get(p, "flow")) for p in present}
            value = ratio_value(values.get(numerator), [values.get(d) for d in denominators])
            if value is None:
                continue
            period = periods[common[0]]
            other_keys = [k for k in keys if k != "metric"]
            found.append(
                {
                    **dict(zip(other_keys, other_values, strict=True)),
                    "metric": code,
                    "period_key": period_key,
                    "start": period.start,
                    "end": period.end,
                    "first": common[0],
                    "last": common[-1],
                    "months": len(common),
                    "complete": len(common) == MONTHS_IN[granularity],
                    "value": value,
                }
            )
    return found


def _aggregate_grains(
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
    granularity: Granularity,
    keys: Sequence[str],
    ratios: Mapping[str, tuple[str, Sequence[str]]] | None,
) -> pd.DataFrame:
    """aggregate() over figures of every grain (columns *keys, period, grain, value, estimated): each period
    read by commstats.grains.fold — complete months where they exist, the coarser figure otherwise, never a
    coarser figure split into months — with two more columns: `grain` (the coarser grains used, "+"-joined, or
    "month") and `estimated` (an estimate is in the value)."""
    columns = [
        *keys,
        "period_key",
        "start",
        "end",
        "first",
        "last",
        "months",
        "complete",
        "value",
        "grain",
        "estimated",
        "derived",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    by_key: dict[tuple, list[grains.Row]] = {}
    wanted: dict[tuple, set[Period]] = {}
    columns_in = [frame[k] for k in keys]
    for *key_values, start, grain, value, estimated in zip(
        *columns_in, frame["period"], frame["grain"], frame["value"], frame["estimated"], strict=True
    ):
        metric = str(dict(zip(keys, key_values, strict=True)).get("metric", ""))
        row: grains.Row = (metric, kinds.get(metric, "flow"), grain, start, "", int(value), bool(estimated))
        by_key.setdefault(tuple(key_values), []).append(row)
        period = period_of(start, granularity)
        if grain == "month" or grains.span(grain, start)[-1] <= period.end:  # a figure that fits in the period
            wanted.setdefault(tuple(key_values), set()).add(period)
        elif grain != "month":  # the periods inside it, which a subtraction may give (Q3 = 9 months − first half)
            inside = {period_of(month, granularity) for month in grains.span(grain, start)}
            wanted.setdefault(tuple(key_values), set()).update(
                p for p in inside if p.end <= grains.span(grain, start)[-1]
            )
    rows = []
    for key, periods in wanted.items():
        values = dict(zip(keys, key, strict=True))
        for period in periods:
            near = [r for r in by_key[key] if add_months(period.start, -11) <= r[3] <= period.end]
            folded = grains.fold(near, period.months).get((str(values.get("metric", "")), ""))
            if folded is None:
                continue
            basis, count = folded.basis, MONTHS_IN[granularity]
            rows.append(
                {
                    **values,
                    "period_key": period.key,
                    "start": period.start,
                    "end": period.end,
                    "first": period.start,
                    "last": period.end,
                    "months": min(basis.covered, count),
                    "complete": basis.covered >= count,
                    "value": folded.value,
                    "grain": "+".join(basis.coarse) or "month",
                    "estimated": basis.estimated,
                    "derived": "+".join(a + "_" + b for a, b in basis.derived),  # "nine_months_half": 9M − H1
                }
            )
    if ratios and "metric" in keys:
        rows.extend(_ratio_rows(rows, keys, ratios))
    result = pd.DataFrame(rows, columns=columns)
    result["value"] = result["value"].astype("float64" if ratios else "int64")
    return result.sort_values([*keys, "start"]).reset_index(drop=True)


def _ratio_rows(rows: list[dict], keys: Sequence[str], ratios: Mapping[str, tuple[str, Sequence[str]]]) -> list[dict]:
    """One row per ratio and period (and other keys): the ratio of the rolled-up parts."""
    others = [k for k in keys if k != "metric"]
    by_group: dict[tuple, dict[str, dict]] = {}
    for row in rows:
        by_group.setdefault((*(row[k] for k in others), row["period_key"]), {})[row["metric"]] = row
    found = []
    for parts in by_group.values():
        values = {code: row["value"] for code, row in parts.items()}
        for code, value in ratios_of(values, ratios).items():
            numerator = parts[ratios[code][0]]
            row = {**numerator, "metric": code, "value": value}
            if "estimated" in numerator:  # read through commstats.grains: the basis of all its parts
                used = [parts[p] for p in (ratios[code][0], *ratios[code][1]) if p in parts]
                row["estimated"] = any(r["estimated"] for r in used)
                coarse = {g for r in used for g in str(r["grain"]).split("+") if g != "month"}
                row["grain"] = "+".join(g for g in GRAINS if g in coarse) or "month"
                how = {d for r in used for d in str(r.get("derived", "")).split("+") if d}
                row["derived"] = "+".join(sorted(how))
            found.append(row)
    return found


def _fold(by_month: Mapping[dt.date, int], months: Sequence[dt.date], kind: str) -> int:
    """A part's value over `months` (sorted): summed for a flow, the last month's for a stock."""
    return by_month[months[-1]] if kind == "stock" else sum(by_month[m] for m in months)


def year_over_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Monthly values (period, value; one metric, already totalled) as year, month (1-12), value."""
    if frame.empty:
        return pd.DataFrame(columns=["year", "month", "period_key", "value"])
    data = frame.groupby("period", as_index=False)["value"].sum()
    return pd.DataFrame(
        {
            "year": [p.year for p in data["period"]],
            "month": [p.month for p in data["period"]],
            "period_key": [month_key(p) for p in data["period"]],
            "value": data["value"].astype("int64"),
        }
    ).sort_values(["year", "month"], ignore_index=True)
