"""Synthetic national-scale data with the real catalogue: many units, ten years, every site."""

from __future__ import annotations

import datetime as dt
import random

from commstats.catalog import load_catalog
from commstats.periods import add_months
from etl.validate import CleanRow

FIRST_MONTH = dt.date(2016, 1, 1)
MONTHS = 120
SITES_PER_UNIT = 40


def unit_code(index: int) -> str:
    return f"u{index:05d}"


def rows_per_unit() -> int:
    catalog = load_catalog()
    per_month = 0
    for metric in catalog.metrics:
        if metric.dimension == "site":
            per_month += SITES_PER_UNIT
        elif metric.dimension:
            per_month += len(catalog.dimensions[metric.dimension].members)
        else:
            per_month += 1
    return per_month * MONTHS


def units_for(rows: int) -> int:
    return max(1, round(rows / rows_per_unit()))


def synthetic_rows(unit_count: int, seed: int = 7) -> list[CleanRow]:
    """Deterministic rows for `unit_count` units × 120 months × every metric and member."""
    rng = random.Random(seed)
    catalog = load_catalog()
    months = [add_months(FIRST_MONTH, i) for i in range(MONTHS)]
    rows: list[CleanRow] = []
    for u in range(unit_count):
        code = unit_code(u)
        for metric in catalog.metrics:
            if metric.dimension == "site":
                members = [f"{code}-site{s:02d}" for s in range(SITES_PER_UNIT)]
            elif metric.dimension:
                members = [m.code for m in catalog.dimensions[metric.dimension].members]
            else:
                members = [""]
            base = rng.randint(2, 400)
            for member in members:
                for month in months:
                    value = 40 if metric.kind == "stock" else max(0, base + rng.randint(-base // 3, base // 3))
                    rows.append(CleanRow(0, code, metric.code, month, member, value, ""))
    return rows
