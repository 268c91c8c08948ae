"""Page queries against a hand-written indexed SQL query and the naive whole-table pandas read."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from bench.measure import best_of
from commstats import queries
from commstats.overview import overview_cards
from commstats.periods import Period

MONTH = dt.date(2025, 7, 1)
START, END = dt.date(2024, 8, 1), dt.date(2025, 7, 1)


def _hand(db: Path, sql: str, params: tuple[Any, ...]) -> Callable[[], list[tuple]]:
    def run() -> list[tuple]:
        conn = sqlite3.connect(db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    return run


def _naive(engine: Engine, pick: Callable[[pd.DataFrame], Any]) -> Callable[[], Any]:
    def run() -> Any:
        frame = pd.read_sql_table("observation", engine)
        return pick(frame)

    return run


def cases(engine: Engine, db: Path) -> dict[str, tuple[Callable[[], Any], Callable[[], Any], Callable[[], Any]]]:
    """name → (ours, hand-written SQL, naive pandas), each returning the same figures."""
    by_code = queries.metric_by_code(engine)
    unit_ids = queries.unit_ids_with_predecessors(engine, ["u00000"])
    all_units = [u.id for u in queries.units(engine)]
    posts = by_code["portal_posts"].id
    trend_codes = ["portal_posts", "sites_posts", "publishing_licences"]
    trend_ids = tuple(by_code[c].id for c in trend_codes)
    placeholders = ", ".join("?" * len(trend_ids))
    return {
        "overview_month_one_unit": (
            lambda: queries.period_values(engine, unit_ids, list(by_code), [MONTH]),
            _hand(db, "SELECT metric_id, SUM(value) FROM observation WHERE unit_id = ? AND period = ? "
                      "GROUP BY metric_id", (unit_ids[0], MONTH.isoformat())),
            _naive(engine, lambda f: f[(f.unit_id == unit_ids[0]) & (f.period == pd.Timestamp(MONTH))]
                   .groupby("metric_id")["value"].sum()),
        ),
        "trends_3_metrics_12_months": (
            lambda: queries.monthly_totals(engine, unit_ids, trend_codes, START, END),
            _hand(db, "SELECT period, metric_id, SUM(value) FROM observation WHERE unit_id = ? AND metric_id IN "
                      f"({placeholders}) AND period BETWEEN ? AND ? GROUP BY period, metric_id",
                  (unit_ids[0], *trend_ids, START.isoformat(), END.isoformat())),
            _naive(engine, lambda f: f[(f.unit_id == unit_ids[0]) & f.metric_id.isin(trend_ids)
                                       & f.period.between(pd.Timestamp(START), pd.Timestamp(END))]
                   .groupby(["period", "metric_id"])["value"].sum()),
        ),
        "national_posts_by_month": (
            lambda: queries.monthly_totals(engine, all_units, ["portal_posts"], dt.date(2016, 1, 1), END),
            _hand(db, "SELECT period, SUM(value) FROM observation WHERE metric_id = ? GROUP BY period", (posts,)),
            _naive(engine, lambda f: f[f.metric_id == posts].groupby("period")["value"].sum()),
        ),
        "overview_cards_one_unit": (
            lambda: overview_cards(engine, unit_ids, Period("month", MONTH.year, MONTH.month)),
            _hand(db, "SELECT metric_id, period, SUM(value) FROM observation WHERE unit_id = ? AND period BETWEEN ? "
                      "AND ? GROUP BY metric_id, period", (unit_ids[0], dt.date(2024, 7, 1).isoformat(),
                                                              MONTH.isoformat())),
            _naive(engine, lambda f: f[(f.unit_id == unit_ids[0]) & f.period.between(
                pd.Timestamp(dt.date(2024, 7, 1)), pd.Timestamp(MONTH))].groupby(["metric_id", "period"])["value"].sum()),
        ),
    }  # fmt: skip


def run(engine: Engine, db: Path, repeat: int = 5) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for name, (ours, hand, naive) in cases(engine, db).items():
        ours_s = best_of(ours, repeat)
        hand_s = best_of(hand, repeat)
        naive_s = best_of(naive, 1)
        results[name] = {
            "ours_ms": ours_s * 1000,
            "hand_sql_ms": hand_s * 1000,
            "naive_pandas_ms": naive_s * 1000,
            "ours_vs_hand": ours_s / hand_s,
            "naive_vs_ours": naive_s / ours_s,
        }
    return results
