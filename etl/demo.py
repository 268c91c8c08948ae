"""A deterministic demo department (Trà Vinh-like), January 2017 to October 2026.

Every catalogue metric gets plausible growth and seasonality; July 2019 equals the seed
report exactly. The unit is flagged `is_demo` so every screen can say so.

Each series (unit, metric, member) draws from its own random stream, seeded from a stable hash of
its codes: adding a metric to the catalogue (or a member to a breakdown) gives that series figures
and moves no other demo figure. A metric without a level below gets a modest default one.

A second, smaller demo unit shows a merger: in 2025 the Departments of Information and
Communications merged into the Departments of Science and Technology, and Trà Vinh province
merged into Vĩnh Long from 2025-07-01. `travinh-demo` reports until the month before (the merger
rules of commstats.units say when a merged unit stops); from that month on `vinhlong-demo` (the
surviving department) reports for the merged province: the Trà Vinh series carried on plus its own.
Choosing the surviving unit shows both histories combined. Its figures carry one implausible value
(for the data-quality page) and one value corrected by a second batch (a revision).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, delete, select

from commstats.catalog import Catalog, catalog_from, load_sites
from commstats.db import session_scope
from commstats.models import Observation, Target, Unit
from commstats.periods import add_months, month_start
from commstats.queries import UnitInfo
from commstats.units import reporting_ends
from etl.load import load_rows
from etl.validate import CleanRow, Reference

DEMO_UNIT = "travinh-demo"
MERGED_UNIT = "vinhlong-demo"
MERGED_ON = dt.date(2025, 7, 1)
# The two demo units as the merger rules (commstats.units) read them; the ids only link the two.
DEMO_UNITS = (
    UnitInfo(1, DEMO_UNIT, "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)",
             "Tra Vinh Department of Information and Communications (demo data)", True, 2, MERGED_ON, 0),
    UnitInfo(2, MERGED_UNIT, "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)",
             "Vinh Long Department of Science and Technology (demo data)", True, None, None, 0),
)  # fmt: skip
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


# A metric added to the catalogue without a level above: a modest flow with some seasonality.
DEFAULT_LEVEL = (10.0, 0.05, 0.2)
# Series worked out from others rather than drawn from a level of their own.
DERIVED = {"sites_count", "sites_independent", "sites_posts", "igate_on_time", "igate_late"}

Series = dict[tuple[str, str], dict[dt.date, int]]  # (metric, member) -> {month: value}


def months() -> Iterator[dt.date]:
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        yield month
        month = add_months(month, 1)


def _stream(unit: str, metric: str, member: str, part: str = "") -> random.Random:
    """The random stream of one series, seeded from a stable hash of its codes (Python's hash() of a str
    changes from run to run), so that no series' figures depend on which other series exist."""
    digest = hashlib.blake2b(f"{SEED}|{unit}|{metric}|{member}|{part}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _seasonal(month: dt.date, amplitude: float) -> float:
    # Quieter around Tết (January/February), busier at the end of the year.
    tet = -0.35 if month.month in (1, 2) else 0.0
    return 1 + amplitude * math.sin((month.month - 3) / 12 * 2 * math.pi) + tet * amplitude * 2


def _level(base: float, growth: float, amplitude: float, month: dt.date, rng: random.Random) -> int:
    years = (month.year - FIRST_MONTH.year) + (month.month - 1) / 12
    expected = base * (1 + growth) ** years * _seasonal(month, amplitude)
    return max(0, round(rng.gauss(expected, max(0.8, expected * 0.08))))


def _drawn(
    unit: str, key: tuple[str, str], spec: tuple[float, float, float], span: list[dt.date]
) -> dict[dt.date, int]:
    rng = _stream(unit, *key)
    return {month: _level(*spec, month, rng) for month in span}


def _igate_parts(unit: str, received: dict[dt.date, int]) -> Series:
    """Dossiers settled on time and late: shares of the dossiers received, each share its own stream."""
    on_time, late = _stream(unit, "igate_on_time", ""), _stream(unit, "igate_late", "")
    return {
        ("igate_on_time", ""): {m: round(v * on_time.uniform(0.9, 0.96)) for m, v in received.items()},
        ("igate_late", ""): {m: round(v * late.uniform(0.005, 0.03)) for m, v in received.items()},
    }


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


def _site_series(span: list[dt.date]) -> Series:
    """Posts per component site: a monthly total (its own stream) split over the sites in service (another)."""
    sites = load_sites().sites
    weights = [3.0 if i < 9 else 1.0 + (i % 5) * 0.3 for i in range(len(sites))]
    totals = _drawn(DEMO_UNIT, ("sites_posts", ""), (420, 0.05, 0.12), span)
    split = _stream(DEMO_UNIT, "sites_posts", "", "split")
    series: Series = {}
    for month in span:
        in_service = sites[: _sites_in_service(month)]
        total = SEED_SITE_POSTS if month == SEED_MONTH else totals[month]
        active = [i for i, s in enumerate(in_service) if not (s.code in QUIET_SITES and month >= QUIET_SITES[s.code])]
        by_site = dict(zip(active, _split(total, [weights[i] for i in active], split), strict=True))
        for i, site in enumerate(in_service):
            series.setdefault(("sites_posts", site.code), {})[month] = by_site.get(i, 0)
    return series


def _members(catalog: Catalog, metric: str) -> list[str]:
    """The members a demo series is drawn for: the breakdown's listed members, else the whole ("")."""
    dimension = catalog.metric(metric).dimension
    members = [m.code for m in catalog.dimensions[dimension].members] if dimension else []
    return members or [""]


def area_series(catalog: Catalog | Path | None = None) -> Series:
    """The Trà Vinh series of every stored catalogue metric, every month of the demo (before and after
    the merger: who reports them is decided by `demo_rows` and `merged_unit_rows`)."""
    catalog = catalog_from(catalog)
    span = list(months())
    codes = {m.code for m in catalog.metrics if m.kind != "ratio"}
    series: Series = {}
    for metric in (m.code for m in catalog.metrics if m.code in codes - DERIVED):
        for member in _members(catalog, metric):
            spec = LEVELS.get((metric, member), DEFAULT_LEVEL)
            series[(metric, member)] = _drawn(DEMO_UNIT, (metric, member), spec, span)
    series[("sites_count", "")] = {m: _sites_in_service(m) for m in span}
    series[("sites_independent", "")] = {m: 2 if m < dt.date(2018, 6, 1) else 3 for m in span}
    received = _drawn(DEMO_UNIT, ("igate_received", ""), LEVELS[("igate_received", "")], span)
    series.update(_igate_parts(DEMO_UNIT, received))
    series.update(_site_series(span))
    for key, value in SEED_FIGURES.items():
        if key in series:
            series[key][SEED_MONTH] = value
    return {key: values for key, values in series.items() if key[0] in codes}


def _reporting_end() -> tuple[dt.date, str]:
    """The month from which the Trà Vinh unit takes no figures, and who reports instead (commstats.units)."""
    return reporting_ends(DEMO_UNITS)[DEMO_UNIT]


def _rows(unit: str, series: Series, span: list[dt.date]) -> list[CleanRow]:
    return [
        CleanRow(0, unit, metric, month, member, by_month[month], "")
        for month in span
        for (metric, member), by_month in series.items()
        if month in by_month
    ]


def demo_rows(catalog: Catalog | Path | None = None) -> list[CleanRow]:
    """The Trà Vinh unit's figures: every stored catalogue metric, every month until its merger."""
    ends, _ = _reporting_end()
    return _rows(DEMO_UNIT, area_series(catalog), [m for m in months() if m < ends])


def demo_targets(series: Series) -> dict[tuple[str, int], int]:
    """Annual targets a little above each year's outcome, for the main flow metrics; the Trà Vinh unit's
    for the years it reported in (the merger year's planned on the whole year's outcome)."""
    ends, _ = _reporting_end()
    totals: dict[tuple[str, int], int] = {}
    for (metric, _member), by_month in series.items():
        if metric in ("portal_posts", "publishing_licences", "igate_received", "sites_posts"):
            for month, value in by_month.items():
                totals[(metric, month.year)] = totals.get((metric, month.year), 0) + value
    return {key: int(round(total * 1.1 / 10) * 10) for key, total in totals.items() if 2018 <= key[1] <= ends.year}


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
MERGED_OUTLIER = (("portal_audio", ""), dt.date(2026, 3, 1))
# ... and one first loaded wrongly, then corrected by a second batch (a revision).
MERGED_CORRECTED = (("ioffice_documents", "incoming"), dt.date(2026, 9, 1))
# Months around Tết 2026 in which the unit never sent one figure (the data-quality page lists them).
MERGED_MISSING = (("propaganda_directives", ""), (dt.date(2026, 1, 1), dt.date(2026, 2, 1)))


def merged_unit_rows(catalog: Catalog | Path | None = None) -> list[CleanRow]:
    """The surviving unit's figures from the merger month on: the Trà Vinh series carried on, plus its
    own figures (each series its own stream) where it had an office of its own."""
    ends, successor = _reporting_end()
    span = [m for m in months() if m >= ends]
    series = {key: {m: v for m, v in by_month.items() if m >= ends} for key, by_month in area_series(catalog).items()}
    own = {key: _drawn(successor, key, spec, span) for key, spec in MERGED_LEVELS.items() if key in series}
    if ("igate_received", "") in own:
        own.update({k: v for k, v in _igate_parts(successor, own[("igate_received", "")]).items() if k in series})
    for key, by_month in own.items():
        for month, value in by_month.items():
            series[key][month] += value
    key, month = MERGED_OUTLIER
    if key in series:
        series[key][month] *= 10
    key, missing = MERGED_MISSING
    for month in missing if key in series else ():
        del series[key][month]
    return _rows(successor, series, span)


def _first_entry(rows: list[CleanRow]) -> list[CleanRow]:
    """The rows as first entered: the value later corrected was typed with an extra zero."""
    key, month = MERGED_CORRECTED
    return [
        CleanRow(r.line, r.unit_code, r.metric_code, r.period, r.member_code, r.value * 10, r.note)
        if (r.metric_code, r.member_code) == key and r.period == month
        else r
        for r in rows
    ]


def _demo_unit(engine: Engine, info: UnitInfo) -> int:
    """Create or update a demo unit (flagged demo, public); its id."""
    with session_scope(engine) as session:
        unit = session.scalar(select(Unit).where(Unit.code == info.code)) or Unit(code=info.code)
        unit.name_vi, unit.name_en = info.name_vi, info.name_en
        unit.is_demo, unit.public_view, unit.cutoff_day = True, True, info.cutoff_day
        session.add(unit)
        session.flush()
        return unit.id


def load_merged_unit(engine: Engine, catalog: Catalog | Path | None = None) -> None:
    """The surviving unit, the merger record, its figures (first entry + correction) and a target."""
    ends, successor = _reporting_end()
    survivor_id = _demo_unit(engine, next(u for u in DEMO_UNITS if u.code == successor))
    with session_scope(engine) as session:
        merged = session.scalar(select(Unit).where(Unit.code == DEMO_UNIT))
        if merged is not None:
            merged.merged_into_id, merged.merged_on = survivor_id, ends
        already_loaded = session.scalar(select(Observation.id).where(Observation.unit_id == survivor_id).limit(1))
    rows = merged_unit_rows(catalog)
    if already_loaded is None:
        first = "commstats.demo (Vĩnh Long, nhập lần đầu)"
        load_rows(engine, _first_entry(rows), source_kind="demo", source_name=first, sha256=f"demo-{SEED + 1}-first")
    second = "commstats.demo (Vĩnh Long, đính chính)"
    load_rows(engine, rows, source_kind="demo", source_name=second, sha256=f"demo-{SEED + 1}")
    reference = Reference.read(engine)
    with session_scope(engine) as session:
        session.execute(delete(Target).where(Target.unit_id == survivor_id))
        for metric in ("portal_posts", "publishing_licences", "igate_received"):
            total = sum(r.value for r in rows if r.metric_code == metric and r.period.year == 2025) * 2
            session.add(Target(unit_id=survivor_id, metric_id=reference.metrics[metric][0], year=2026,
                               value=int(round(total * 1.1 / 10) * 10)))  # fmt: skip


def load_demo(engine: Engine, catalog: Catalog | Path | None = None) -> None:
    """Both demo units, their figures and targets, and the merger; `catalog` (default data/catalog.yaml)
    must be the one the database was set up with."""
    unit_id = _demo_unit(engine, next(u for u in DEMO_UNITS if u.code == DEMO_UNIT))
    load_rows(engine, demo_rows(catalog), source_kind="demo", source_name="commstats.demo", sha256=f"demo-{SEED}")
    reference = Reference.read(engine)
    with session_scope(engine) as session:
        session.execute(delete(Target).where(Target.unit_id == unit_id))
        for (metric, year), value in demo_targets(area_series(catalog)).items():
            session.add(Target(unit_id=unit_id, metric_id=reference.metrics[metric][0], year=year, value=value))
    load_merged_unit(engine, catalog)


def month_list() -> list[dt.date]:
    return list(months())


__all__ = ["DEMO_UNIT", "MERGED_ON", "MERGED_UNIT", "SEED_FIGURES", "demo_rows", "load_demo", "month_start"]
