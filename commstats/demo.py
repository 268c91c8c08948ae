"""A deterministic demo department (Trà Vinh-like), January 2017 to October 2026.

Every catalogue metric gets plausible growth and seasonality; July 2019 equals the seed
report exactly. The unit is flagged `is_demo` so every screen can say so.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from sqlalchemy import Engine, delete, select

from commstats.catalog import load_sites
from commstats.db import session_scope
from commstats.models import Target, Unit
from commstats.periods import add_months, month_start
from etl.load import load_rows
from etl.validate import CleanRow, Reference

DEMO_UNIT = "travinh-demo"
FIRST_MONTH = dt.date(2017, 1, 1)
LAST_MONTH = dt.date(2026, 10, 1)
SEED_MONTH = dt.date(2019, 7, 1)
SEED = 20190714

# The July 2019 figures of the seed report.
SEED_FIGURES: dict[tuple[str, str], int] = {
    ("portal_posts", "vi"): 33,
    ("portal_posts", "km"): 23,
    ("portal_posts", "en"): 14,
    ("portal_audio", ""): 14,
    ("portal_drafts", ""): 5,
    ("portal_procedure_decisions", ""): 14,
    ("sites_count", ""): 43,
    ("sites_independent", ""): 3,
    ("publishing_licences", ""): 14,
    ("printing_declarations", ""): 2,
}
SEED_SITE_POSTS = 488
# Sites that go quiet late in the demo, so the dashboard has something to flag.
QUIET_SITES = {"ngoai-vu": dt.date(2026, 8, 1), "quy-dau-tu": dt.date(2026, 7, 1)}

# metric, member: (level in 2017, yearly growth, seasonal amplitude)
LEVELS: dict[tuple[str, str], tuple[float, float, float]] = {
    ("portal_posts", "vi"): (28, 0.06, 0.15),
    ("portal_posts", "km"): (19, 0.05, 0.15),
    ("portal_posts", "en"): (11, 0.05, 0.2),
    ("portal_audio", ""): (12, 0.04, 0.1),
    ("portal_drafts", ""): (4, 0.05, 0.4),
    ("portal_procedure_decisions", ""): (10, 0.04, 0.5),
    ("publishing_licences", ""): (11, 0.05, 0.3),
    ("printing_declarations", ""): (2, 0.03, 0.5),
    ("propaganda_directives", ""): (2, 0.02, 0.3),
    ("game_certificates", ""): (1.5, -0.05, 0.5),
    ("igate_received", ""): (260, 0.35, 0.2),
    ("ioffice_documents", "incoming"): (900, 0.08, 0.15),
    ("ioffice_documents", "outgoing"): (420, 0.08, 0.15),
    ("leadership_meetings", ""): (18, 0.03, 0.25),
}


def months() -> Iterator[dt.date]:
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        yield month
        month = add_months(month, 1)


def _seasonal(month: dt.date, amplitude: float) -> float:
    # Quieter around Tết (January/February), busier at the end of the year.
    tet = -0.35 if month.month in (1, 2) else 0.0
    return 1 + amplitude * math.sin((month.month - 3) / 12 * 2 * math.pi) + tet * amplitude * 2


def _level(base: float, growth: float, amplitude: float, month: dt.date, rng: random.Random) -> int:
    years = (month.year - FIRST_MONTH.year) + (month.month - 1) / 12
    expected = base * (1 + growth) ** years * _seasonal(month, amplitude)
    return max(0, round(rng.gauss(expected, max(0.8, expected * 0.08))))


def _sites_in_service(month: dt.date) -> int:
    if month < dt.date(2018, 1, 1):
        return 40
    if month < dt.date(2019, 3, 1):
        return 41
    return 43


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split `total` into parts proportional to noisy weights, summing exactly to total."""
    noisy = [w * rng.uniform(0.7, 1.3) for w in weights]
    scale = total / sum(noisy) if sum(noisy) else 0
    parts = [math.floor(w * scale) for w in noisy]
    remainders = sorted(range(len(parts)), key=lambda i: noisy[i] * scale - parts[i], reverse=True)
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


def demo_rows() -> list[CleanRow]:
    rng = random.Random(SEED)
    sites = load_sites().sites
    weights = [3.0 if i < 9 else 1.0 + (i % 5) * 0.3 for i in range(len(sites))]
    rows: list[CleanRow] = []

    def add(metric: str, month: dt.date, member: str, value: int) -> None:
        rows.append(CleanRow(0, DEMO_UNIT, metric, month, member, value, ""))

    for month in months():
        values = {key: _level(*spec, month, rng) for key, spec in LEVELS.items()}
        in_service = _sites_in_service(month)
        values[("sites_count", "")] = in_service
        values[("sites_independent", "")] = 2 if month < dt.date(2018, 6, 1) else 3
        received = values[("igate_received", "")]
        values[("igate_late", "")] = round(received * rng.uniform(0.005, 0.03))
        values[("igate_on_time", "")] = round(received * rng.uniform(0.9, 0.96))
        if month == SEED_MONTH:
            values.update(SEED_FIGURES)
        for (metric, member), value in values.items():
            add(metric, month, member, value)

        years = (month.year - FIRST_MONTH.year) + (month.month - 1) / 12
        site_total = SEED_SITE_POSTS if month == SEED_MONTH else _level(420, 0.05, 0.12, month, rng)
        active = [
            i for i, s in enumerate(sites[:in_service]) if not (s.code in QUIET_SITES and month >= QUIET_SITES[s.code])
        ]
        parts = _split(site_total, [weights[i] for i in active], rng)
        by_site = dict(zip(active, parts, strict=True))
        for i, site in enumerate(sites[:in_service]):
            add("sites_posts", month, site.code, by_site.get(i, 0))
        del years
    return rows


def demo_targets(rows: list[CleanRow]) -> dict[tuple[str, int], int]:
    """Annual targets a little above each year's outcome, for the main flow metrics."""
    totals: dict[tuple[str, int], int] = {}
    for row in rows:
        if row.metric_code in ("portal_posts", "publishing_licences", "igate_received", "sites_posts"):
            key = (row.metric_code, row.period.year)
            totals[key] = totals.get(key, 0) + row.value
    return {key: int(round(total * 1.1 / 10) * 10) for key, total in totals.items() if key[1] >= 2018}


def load_demo(engine: Engine) -> None:
    with session_scope(engine) as session:
        unit = session.scalar(select(Unit).where(Unit.code == DEMO_UNIT)) or Unit(code=DEMO_UNIT)
        unit.name_vi = "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
        unit.name_en = "Tra Vinh Department of Information and Communications (demo data)"
        unit.is_demo, unit.public_view, unit.cutoff_day = True, True, 0
        session.add(unit)
    rows = demo_rows()
    load_rows(engine, rows, source_kind="demo", source_name="commstats.demo", sha256=f"demo-{SEED}")
    reference = Reference.read(engine)
    with session_scope(engine) as session:
        unit_id = reference.units[DEMO_UNIT]
        session.execute(delete(Target).where(Target.unit_id == unit_id))
        for (metric, year), value in demo_targets(rows).items():
            session.add(Target(unit_id=unit_id, metric_id=reference.metrics[metric][0], year=year, value=value))


def month_list() -> list[dt.date]:
    return list(months())


__all__ = ["DEMO_UNIT", "SEED_FIGURES", "demo_rows", "load_demo", "month_start"]
