"""Synthetic national-scale data with the real catalogue: many units, ten years, every component site.

Each unit (a department of a province) reports every metric of data/catalog.yaml, every member of its
breakdown and 40 component sites, for the 120 months 2016-01..2025-12: 6,960 rows a unit. As in the
2025 mergers, the odd units of the first half were merged into the unit before them on 2025-07-01 (their
figures stop in June), so a default selection covers a unit and its predecessor. Targets are set for
every flow metric, unit and year, and the publishing units keep a licence register.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from commstats import auth
from commstats.catalog import load_catalog
from commstats.models import ImportBatch, LicenceRecord, Metric, Target, Unit
from commstats.periods import add_months
from etl.validate import CleanRow

FIRST_MONTH = dt.date(2016, 1, 1)
MONTHS = 120
LAST_MONTH = add_months(FIRST_MONTH, MONTHS - 1)
SITES_PER_UNIT = 40
MERGED_ON = dt.date(2025, 7, 1)
LICENCE_METRICS = ("publishing_licences", "printing_declarations")
LICENCES_PER_MONTH = 3  # register entries per unit, metric and month of the last two years
ANALYST = "bench-analyst"  # the signed-in account the pages are rendered for: analyst of every unit


@dataclass(frozen=True)
class UnitSpec:
    index: int
    code: str
    name_vi: str
    merged_into: int | None  # index of the successor

    @property
    def last_month(self) -> dt.date:
        return add_months(MERGED_ON, -1) if self.merged_into is not None else LAST_MONTH


def unit_code(index: int) -> str:
    return f"u{index:05d}"


def unit_specs(unit_count: int) -> list[UnitSpec]:
    """Units u00000.. ; the odd units of the first half merged into the even unit before them."""
    specs = []
    for i in range(unit_count):
        merged = i - 1 if i % 2 == 1 and i < unit_count // 2 else None
        specs.append(UnitSpec(i, unit_code(i), f"Sở TT&TT {i:05d}", merged))
    return specs


def series_keys() -> list[tuple[str, str, str]]:
    """(metric code, kind, member code) of one unit; site members get the unit's prefix later."""
    catalog = load_catalog()
    keys: list[tuple[str, str, str]] = []
    for metric in catalog.metrics:
        if metric.kind == "ratio":  # computed from its parts, never stored
            continue
        if metric.dimension == "site":
            keys += [(metric.code, metric.kind, f"site{s:02d}") for s in range(SITES_PER_UNIT)]
        elif metric.dimension:
            keys += [(metric.code, metric.kind, m.code) for m in catalog.dimensions[metric.dimension].members]
        else:
            keys.append((metric.code, metric.kind, ""))
    return keys


def rows_per_unit() -> int:
    return len(series_keys()) * MONTHS


def units_for(rows: int) -> int:
    return max(1, round(rows / rows_per_unit()))


def synthetic_rows(unit_count: int, seed: int = 7) -> list[CleanRow]:
    """Deterministic rows for `unit_count` units × months × every metric and member."""
    return list(iter_rows(unit_count, seed))


def iter_rows(unit_count: int, seed: int = 7) -> Iterator[CleanRow]:
    rng = random.Random(seed)
    keys = series_keys()
    all_months = [add_months(FIRST_MONTH, i) for i in range(MONTHS)]
    for spec in unit_specs(unit_count):
        months = [m for m in all_months if m <= spec.last_month]
        for metric, kind, member in keys:
            code = f"{spec.code}-{member}" if member.startswith("site") else member
            base = rng.randint(2, 400)
            spread = base // 3
            for month in months:
                value = 40 if kind == "stock" else base + rng.randint(-spread, spread)
                yield CleanRow(0, spec.code, metric, month, code, value, "")


def add_units(engine: Engine, unit_count: int) -> None:
    """The units, with their mergers (successors are inserted first so the reference resolves)."""
    specs = unit_specs(unit_count)
    with engine.begin() as conn:
        conn.execute(
            insert(Unit),
            [{"code": s.code, "name_vi": s.name_vi, "name_en": f"DIC {s.index:05d}", "cutoff_day": 0,
              "is_demo": False, "public_view": False} for s in specs],
        )  # fmt: skip
        ids = dict(conn.execute(select(Unit.code, Unit.id)).all())
        for spec in specs:
            if spec.merged_into is not None:
                conn.execute(
                    update(Unit)
                    .where(Unit.id == ids[spec.code])
                    .values(merged_into_id=ids[unit_code(spec.merged_into)], merged_on=MERGED_ON)
                )


def add_targets_and_register(engine: Engine, unit_count: int, seed: int = 11) -> dict[str, int]:
    """Annual targets for every flow metric and surviving unit, and a licence register of the last two
    years for the publishing metrics. Returns how many of each were written."""
    rng = random.Random(seed)
    specs = unit_specs(unit_count)
    with engine.begin() as conn:
        unit_ids = dict(conn.execute(select(Unit.code, Unit.id)).all())
        metrics = {code: (mid, kind) for code, mid, kind in conn.execute(select(Metric.code, Metric.id, Metric.kind))}
        batch = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {"source_kind": "bench", "source_name": "targets and register", "sha256": "", "status": "loaded"},
        ).scalar_one()
        targets = [
            {"unit_id": unit_ids[s.code], "metric_id": mid, "year": year, "value": rng.randint(500, 5000),
             "batch_id": batch}
            for s in specs if s.merged_into is None
            for mid, kind in metrics.values() if kind == "flow"
            for year in range(FIRST_MONTH.year, LAST_MONTH.year + 1)
        ]  # fmt: skip
        conn.execute(insert(Target), targets)
        register = []
        for s in specs:
            for code in LICENCE_METRICS:
                for i in range(24 * LICENCES_PER_MONTH):
                    month = add_months(LAST_MONTH, -(i // LICENCES_PER_MONTH))
                    if month > s.last_month:
                        continue
                    register.append(
                        {"unit_id": unit_ids[s.code], "metric_id": metrics[code][0], "number": f"{i + 1:04d}/GP",
                         "issued_on": month.replace(day=1 + rng.randrange(28)), "holder": f"Đơn vị in {i % 97}",
                         "title": f"Tài liệu số {i}", "batch_id": batch}
                    )  # fmt: skip
        conn.execute(insert(LicenceRecord), register)
    return {"targets": len(targets), "licence_records": len(register)}


def add_analyst(engine: Engine) -> None:
    """The account the benchmark's page renders sign in as (analyst on every unit: may view and export)."""
    auth.create_user(engine, ANALYST, secrets.token_urlsafe(24), actor="bench")
    auth.grant(engine, ANALYST, "analyst", None, actor="bench")


def revised_rows(rows: list[CleanRow], share: float = 0.001, seed: int = 13) -> list[CleanRow]:
    """A correction file: `share` of the rows with a new value (loaded after the first import, it
    writes revisions, as real late corrections do)."""
    rng = random.Random(seed)
    picked = rng.sample(range(len(rows)), max(1, int(len(rows) * share)))
    return [
        CleanRow(0, r.unit_code, r.metric_code, r.period, r.member_code, r.value + 1 + rng.randrange(50), "")
        for r in (rows[i] for i in sorted(picked))
    ]
