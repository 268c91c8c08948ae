"""A deterministic demo department (Trà Vinh-like), January 2017 to October 2026.

Every catalogue metric gets plausible growth and seasonality; July 2019 equals the seed
report exactly. The unit is flagged `is_demo` so every screen can say so.

A second, smaller demo unit shows a merger: in 2025 the Departments of Information and
Communications merged into the Departments of Science and Technology, and Trà Vinh province
merged into Vĩnh Long from 2025-07-01. `vinhlong-demo` (the surviving department) reports
from that month on, and `travinh-demo` is recorded as merged into it, so choosing the
surviving unit shows both histories combined. Its figures carry one implausible value (for
the data-quality page) and one value corrected by a second batch (a revision).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from sqlalchemy import Engine, delete, select

from commstats.catalog import load_sites
from commstats.db import session_scope
from commstats.models import Observation, Target, Unit
from commstats.periods import add_months, month_start
from etl.sources.demo import load as load_rows_checked
from etl.validate import CleanRow, Reference

DEMO_UNIT = "travinh-demo"
MERGED_UNIT = "vinhlong-demo"
MERGED_ON = dt.date(2025, 7, 1)
FIRST_MONTH = dt.date(2017, 1, 1)
LAST_MONTH = dt.date(2026, 10, 1)
SEED_MONTH = dt.date(2019, 7, 1)
SEED = 20190714
# Batches keep the source name `commstats.demo` (this module's old place): databases already hold it.

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
    ("propaganda_briefings", ""): (2, 0.02, 0.3),
    ("portal_visits", ""): (52000, 0.15, 0.2),
    ("printing_licences", ""): (1, 0.0, 0.6),
    ("distribution_registrations", ""): (1, 0.02, 0.6),
    ("publication_import_licences", ""): (1.2, 0.03, 0.5),
    ("game_points", ""): (120, -0.04, 0.0),
    ("igate_overdue", ""): (2, 0.1, 0.5),
    ("online_services_full", ""): (40, 0.3, 0.0),
    ("online_services_partial", ""): (300, 0.05, 0.0),
    ("digital_signatures", ""): (25, 0.1, 0.4),
    ("lgsp_transactions", ""): (8000, 0.45, 0.2),
    ("grassroots_radio_stations", ""): (106, 0.0, 0.0),
    ("grassroots_ict_radio_stations", ""): (8, 0.25, 0.0),
    ("grassroots_loudspeakers", ""): (900, 0.03, 0.0),
    ("grassroots_bulletins", ""): (12, 0.02, 0.3),
    ("grassroots_news_boards", ""): (85, 0.05, 0.0),
    ("press_conferences", ""): (2, 0.02, 0.4),
    ("press_bulletin_licences", ""): (1, 0.0, 0.6),
    ("press_coverage", ""): (160, 0.06, 0.2),
    ("foreign_information", ""): (35, 0.05, 0.2),
    ("news_site_licences", ""): (0.6, 0.0, 0.5),
    ("social_network_licences", ""): (0.3, 0.0, 0.5),
    ("postal_points", ""): (150, 0.02, 0.0),
    ("postal_enterprises", ""): (18, 0.04, 0.0),
    ("postal_items", ""): (210000, 0.12, 0.2),
    ("mobile_subscribers", ""): (1050000, 0.02, 0.0),
    ("mobile_broadband_subscribers", ""): (520000, 0.1, 0.0),
    ("fixed_broadband_subscribers", ""): (95000, 0.12, 0.0),
    ("bts_stations", ""): (1100, 0.05, 0.0),
    ("fibre_households", ""): (80000, 0.1, 0.0),
    ("households", ""): (275000, 0.01, 0.0),
    ("security_incidents", ""): (3, 0.05, 0.5),
    ("attacks_blocked", ""): (1200, 0.2, 0.3),
    ("security_warnings", ""): (6, 0.08, 0.3),
    ("inspections", ""): (3, 0.0, 0.5),
    ("violations", "press"): (1, 0.0, 0.5),
    ("violations", "publishing"): (1, 0.0, 0.5),
    ("violations", "postal"): (0.6, 0.0, 0.5),
    ("violations", "telecom"): (1.5, 0.0, 0.5),
    ("violations", "it"): (0.8, 0.0, 0.5),
    ("fines", ""): (25_000_000, 0.05, 0.6),
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


# The surviving unit's own figures: metric, member: (level in 2017 terms, yearly growth, seasonal amplitude).
MERGED_LEVELS: dict[tuple[str, str], tuple[float, float, float]] = {
    ("portal_posts", "vi"): (14, 0.06, 0.15),
    ("portal_posts", "km"): (3, 0.05, 0.15),
    ("portal_posts", "en"): (5, 0.05, 0.2),
    ("portal_audio", ""): (5, 0.04, 0.1),
    ("portal_drafts", ""): (2, 0.05, 0.4),
    ("portal_procedure_decisions", ""): (6, 0.04, 0.5),
    ("publishing_licences", ""): (5, 0.05, 0.3),
    ("printing_declarations", ""): (1.2, 0.03, 0.5),
    ("propaganda_directives", ""): (1.5, 0.02, 0.3),
    ("igate_received", ""): (90, 0.35, 0.2),
    ("ioffice_documents", "incoming"): (520, 0.08, 0.15),
    ("ioffice_documents", "outgoing"): (260, 0.08, 0.15),
    ("leadership_meetings", ""): (9, 0.03, 0.25),
}
# A value typed ten times too large and left in (the data-quality page flags it) ...
MERGED_OUTLIER = (("portal_audio", ""), dt.date(2026, 3, 1), 95)
# ... and one first loaded wrongly, then corrected by a second batch (a revision).
MERGED_CORRECTED = (("ioffice_documents", "incoming"), dt.date(2026, 9, 1))
# Months around Tết 2026 in which the unit never sent one figure (the data-quality page lists them).
MERGED_MISSING = (("propaganda_directives", ""), (dt.date(2026, 1, 1), dt.date(2026, 2, 1)))


def merged_unit_rows() -> list[CleanRow]:
    """The surviving unit's figures from the merger month on (its own random stream)."""
    rng = random.Random(SEED + 1)
    rows: list[CleanRow] = []
    month = MERGED_ON
    while month <= LAST_MONTH:
        values = {key: _level(*spec, month, rng) for key, spec in MERGED_LEVELS.items()}
        received = values[("igate_received", "")]
        values[("igate_on_time", "")] = round(received * rng.uniform(0.9, 0.96))
        values[("igate_late", "")] = round(received * rng.uniform(0.005, 0.03))
        if month == MERGED_OUTLIER[1]:
            values[MERGED_OUTLIER[0]] = MERGED_OUTLIER[2]
        if month in MERGED_MISSING[1]:
            del values[MERGED_MISSING[0]]
        rows.extend(
            CleanRow(0, MERGED_UNIT, metric, month, member, value, "") for (metric, member), value in values.items()
        )
        month = add_months(month, 1)
    return rows


def _first_entry(rows: list[CleanRow]) -> list[CleanRow]:
    """The rows as first entered: the value later corrected was typed with an extra zero."""
    key, month = MERGED_CORRECTED
    return [
        CleanRow(r.line, r.unit_code, r.metric_code, r.period, r.member_code, r.value * 10, r.note)
        if (r.metric_code, r.member_code) == key and r.period == month
        else r
        for r in rows
    ]


def load_merged_unit(engine: Engine) -> None:
    """The surviving unit, the merger record, its figures (first entry + correction) and a target."""
    with session_scope(engine) as session:
        survivor = session.scalar(select(Unit).where(Unit.code == MERGED_UNIT)) or Unit(code=MERGED_UNIT)
        survivor.name_vi = "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)"
        survivor.name_en = "Vinh Long Department of Science and Technology (demo data)"
        survivor.is_demo, survivor.public_view, survivor.cutoff_day = True, True, 0
        session.add(survivor)
        session.flush()
        merged = session.scalar(select(Unit).where(Unit.code == DEMO_UNIT))
        if merged is not None:
            merged.merged_into_id, merged.merged_on = survivor.id, MERGED_ON
        survivor_id = survivor.id
        already_loaded = session.scalar(select(Observation.id).where(Observation.unit_id == survivor_id).limit(1))
    rows = merged_unit_rows()
    if already_loaded is None:
        first = "commstats.demo (Vĩnh Long, nhập lần đầu)"
        load_rows_checked(engine, _first_entry(rows), source_name=first, sha256=f"demo-{SEED + 1}-first")
    second = "commstats.demo (Vĩnh Long, đính chính)"
    load_rows_checked(engine, rows, source_name=second, sha256=f"demo-{SEED + 1}")
    reference = Reference.read(engine)
    with session_scope(engine) as session:
        session.execute(delete(Target).where(Target.unit_id == survivor_id))
        for metric in ("portal_posts", "publishing_licences", "igate_received"):
            total = sum(r.value for r in rows if r.metric_code == metric and r.period.year == 2025) * 2
            session.add(Target(unit_id=survivor_id, metric_id=reference.metrics[metric][0], year=2026,
                               value=int(round(total * 1.1 / 10) * 10)))  # fmt: skip


def load_demo(engine: Engine) -> None:
    with session_scope(engine) as session:
        unit = session.scalar(select(Unit).where(Unit.code == DEMO_UNIT)) or Unit(code=DEMO_UNIT)
        unit.name_vi = "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
        unit.name_en = "Tra Vinh Department of Information and Communications (demo data)"
        unit.is_demo, unit.public_view, unit.cutoff_day = True, True, 0
        session.add(unit)
    rows = demo_rows()
    load_rows_checked(engine, rows, source_name="commstats.demo", sha256=f"demo-{SEED}")
    reference = Reference.read(engine)
    with session_scope(engine) as session:
        unit_id = reference.units[DEMO_UNIT]
        session.execute(delete(Target).where(Target.unit_id == unit_id))
        for (metric, year), value in demo_targets(rows).items():
            session.add(Target(unit_id=unit_id, metric_id=reference.metrics[metric][0], year=year, value=value))
    load_merged_unit(engine)


def month_list() -> list[dt.date]:
    return list(months())


__all__ = ["DEMO_UNIT", "MERGED_ON", "MERGED_UNIT", "SEED_FIGURES", "demo_rows", "load_demo", "month_start"]
