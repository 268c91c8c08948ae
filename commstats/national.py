"""Provinces side by side: reads and sums for the benchmarking page and the national / regional drafts.

A unit reports for a province (`unit.area_code`, an area of the 63 or of the 34 map); provinces belong to a
region and regions to the nation (table `area`, from data/provinces.yaml). Any metric can be put on either map:
on the 34 map an old province's figures are summed into its successor, before and after the merger (history
carried across); on the 63 map a period that reaches 2025-07-01 is not available (there is no split of the new
provinces' figures). The rule is commstats.units.area_on_map.

Within a province, units' figures are added up and read over the period by the one rule of commstats.grains
(complete months, else quarter, half-year, 9-month or year figures, else a subtraction of cumulative figures;
flows summed, levels at the period's end) — for the drafts (grouped_period_figures) and the benchmark table
(benchmark: per province). Across provinces the values are summed, so a level is each province's level at the period's
end; ratios are recomputed from their summed parts, never averaged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Select, bindparam, func, select

from commstats import grains, queries
from commstats.models import Area, Member, Metric, Observation, Population, Unit
from commstats.periods import Period, add_months, period_from_start
from commstats.provinces import load_provinces
from commstats.ratios import definitions as ratio_definitions
from commstats.ratios import parts_of, ratios_of
from commstats.units import area_on_map

PER = 100_000  # rates per 100,000 inhabitants
STATUSES = ("ok", "missing", "unavailable", "coarser")  # a province's figures for the period: there, none yet,
# merged away, only in a coarser figure (a quarter's, at month level: never split)


@dataclass(frozen=True)
class AreaInfo:
    code: str
    level: str  # province | region | nation
    map: str  # 63 | 34 | ""
    name_vi: str
    name_en: str
    parent_code: str | None
    successor_code: str | None
    sort_order: int

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@cache
def _areas_query() -> Select:
    return select(
        Area.code,
        Area.level,
        Area.map,
        Area.name_vi,
        Area.name_en,
        Area.parent_code,
        Area.successor_code,
        Area.sort_order,
    ).order_by(Area.level, Area.map, Area.sort_order)


def areas(engine: Engine) -> list[AreaInfo]:
    with engine.connect() as conn:
        return [AreaInfo(*row) for row in cast(list[tuple[Any, ...]], conn.execute(_areas_query()).all())]


def province_codes(engine: Engine) -> set[str]:
    return {a.code for a in areas(engine) if a.level == "province"}


@cache
def _population_query() -> Select:
    latest = select(func.max(Population.year)).where(Population.year <= bindparam("year")).scalar_subquery()
    return select(
        Population.area_code, Population.value, Population.year, Population.source, Population.verified
    ).where(Population.year == latest)


@dataclass(frozen=True)
class PopulationInfo:
    values: dict[str, int]  # area code → persons
    year: int | None
    source: str
    verified: bool


def population(engine: Engine, year: int) -> PopulationInfo:
    """The population reference of the latest year up to `year` (the first stored year when none is older)."""
    with engine.connect() as conn:
        rows = conn.execute(_population_query(), {"year": year}).all()
        if not rows:
            first = conn.execute(select(func.min(Population.year))).scalar()
            rows = conn.execute(_population_query(), {"year": first}).all() if first is not None else []
    if not rows:
        return PopulationInfo({}, None, "", False)
    return PopulationInfo({r[0]: int(r[1]) for r in rows}, int(rows[0][2]), str(rows[0][3]), bool(rows[0][4]))


@cache
def _placed_units_query() -> Select:
    return select(Unit.id, Unit.code, Unit.area_code).where(Unit.area_code.is_not(None)).order_by(Unit.code)


def placed_units(engine: Engine) -> list[tuple[int, str, str]]:
    """(unit id, unit code, area code) of every unit placed in a province."""
    with engine.connect() as conn:
        found = cast(list[tuple[Any, Any, Any]], conn.execute(_placed_units_query()).all())
    return [(int(i), str(c), str(a)) for i, c, a in found]


@cache
def _unit_figures_query() -> Select:
    """Every stored figure of the units and metrics whose period starts from start to end, of every grain."""
    return (
        select(
            Observation.unit_id,
            Metric.code,
            Metric.kind,
            Observation.grain,
            Observation.period,
            Member.code,
            Observation.value,
            Observation.estimated,
        )
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
        .where(
            Observation.unit_id.in_(bindparam("unit_ids", expanding=True)),
            Metric.code.in_(bindparam("codes", expanding=True)),
            Observation.period.between(bindparam("start"), bindparam("end")),
        )
    )


def unit_figures(
    engine: Engine, unit_ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date
) -> dict[int, list[grains.Row]]:
    """Per unit, its stored figures of every grain (grains.Row) of the metrics whose period starts from start to
    end (a level's year figure is its level at December: read from 11 months before a period to have it)."""
    if not unit_ids or not codes:
        return {}
    params = {"unit_ids": sorted(set(unit_ids)), "codes": list(codes), "start": start, "end": end}
    with engine.connect() as conn:
        rows = cast(list[tuple[Any, ...]], conn.execute(_unit_figures_query(), params).all())
    per_unit: dict[int, list[grains.Row]] = defaultdict(list)
    for unit_id, metric, kind, grain, first, member, value, estimated in rows:
        per_unit[int(unit_id)].append(
            (str(metric), str(kind), str(grain), first, str(member), int(value), bool(estimated))
        )
    return dict(per_unit)


def summed(figures: Iterable[grains.Row]) -> list[grains.Row]:
    """Several units' figures added up figure by figure (same metric, grain, period and member; an estimate when
    any is one), before they are read over a period as one province's."""
    totals: dict[tuple[str, str, str, dt.date, str], tuple[int, bool]] = {}
    for metric, kind, grain, first, member, value, estimated in figures:
        old = totals.get((metric, kind, grain, first, member), (0, False))
        totals[(metric, kind, grain, first, member)] = (old[0] + value, old[1] or estimated)
    return [(*key, value, estimated) for key, (value, estimated) in totals.items()]


def grouped_period_figures(
    engine: Engine,
    groups: Sequence[Sequence[int]],
    codes: Sequence[str],
    months: Sequence[dt.date],
    names: Sequence[str] = (),
) -> dict[tuple[str, str], grains.Folded]:
    """(metric, member) → value over the months, with what it was read from, for groups of units (one group per
    province, named by `names`): each group's units are added up figure by figure and read by the one rule of
    commstats.grains (complete months, else the fewest coarser figures — a province that reported only the
    quarter gives its quarter's figure —, else a subtraction of cumulative figures; flows summed, levels at the
    group's period end), then the groups' values are summed — a national level is the sum of each province's
    level at the period's end, not only of the provinces that reported its very last month. The basis names the
    provinces whose figures were coarse, estimated or derived (grains.Basis.areas)."""
    unit_ids = sorted({u for group in groups for u in group})
    if not months:
        return {}
    per_unit = unit_figures(engine, unit_ids, codes, add_months(min(months), -11), max(months))
    total: dict[tuple[str, str], grains.Folded] = {}
    for index, group in enumerate(groups):
        figures = summed(row for unit_id in set(group) for row in per_unit.get(unit_id, []))
        name = names[index] if index < len(names) else ""
        for key, item in grains.fold(figures, months).items():
            basis = item.basis.of_area(name) if name else item.basis
            before = total.get(key)
            total[key] = (
                grains.Folded(item.value, basis)
                if before is None
                else grains.Folded(before.value + item.value, before.basis.join(basis))
            )
    return total


def grouped_period_values(
    engine: Engine, groups: Sequence[Sequence[int]], codes: Sequence[str], months: Sequence[dt.date]
) -> dict[tuple[str, str], int]:
    """(metric, member) → value over the months for groups of units (grouped_period_figures without the basis)."""
    return grains.values_of(grouped_period_figures(engine, groups, codes, months))


# --- the sums (plain Python over what the reads return) -----------------------------------------------------


def by_province(
    per_unit: Mapping[int, Sequence[grains.Row]],
    unit_areas: Mapping[int, str],
    map_: str,
    successors: Mapping[str, str],
    effective: dt.date,
) -> dict[str, list[grains.Row]]:
    """Units' stored figures added up per province of `map_` (commstats.units.area_on_map, on the last month of
    each figure's period: on the 63 map a figure reaching the merger counts nowhere — not available rather than
    a split)."""
    figures: dict[str, list[grains.Row]] = defaultdict(list)
    for unit_id, rows in per_unit.items():
        area = unit_areas.get(unit_id)
        if area is None:
            continue
        for row in rows:
            province = area_on_map(area, map_, grains.span(row[2], row[3])[-1], dict(successors), effective)
            if province is not None:
                figures[province].append(row)
    return {province: summed(rows) for province, rows in figures.items()}


def fold(
    figures: Sequence[grains.Row], months: Sequence[dt.date], ratios: Mapping[str, tuple[str, Sequence[str]]]
) -> tuple[dict[str, float], dict[str, grains.Basis]]:
    """One area's value per metric over the months (summed over its members) by the one rule of commstats.grains
    (complete months, else the fewest coarser figures, else a subtraction; levels at the period's end), ratios
    from their parts; with what each was read from (a ratio's basis is that of its parts)."""
    values: dict[str, float] = {}
    bases: dict[str, grains.Basis] = {}
    for (code, _member), item in grains.fold(figures, months).items():
        values[code] = values.get(code, 0.0) + item.value
        bases[code] = bases[code].join(item.basis) if code in bases else item.basis
    for code, value in ratios_of(values, ratios).items():
        values[code] = value
        numerator, denominators = ratios[code]
        parts = [bases[p] for p in (numerator, *denominators) if p in bases]
        bases[code] = reduce(grains.Basis.join, parts)
    return values, bases


def coarser_figure(figures: Sequence[grains.Row], codes: Collection[str], months: Sequence[dt.date]) -> Period | None:
    """The finest stored figure of `codes` whose period holds all of `months` and more (a quarter for one of its
    months), when the province has one: a period read never splits it, the table names it."""
    wanted = set(months)
    holding = [
        (len(covered), grain, first)
        for metric, _kind, grain, first, *_rest in figures
        if metric in codes and len(covered := grains.span(grain, first)) > len(wanted) and wanted <= set(covered)
    ]
    if not holding:
        return None
    _length, grain, first = min(holding)
    return period_from_start(grain, first)


def months_reported(
    figures: Sequence[grains.Row], codes: Collection[str], months: Sequence[dt.date], bases: Mapping[str, grains.Basis]
) -> int:
    """How many of the period's months the province's figures of `codes` cover: months inside a stored figure of
    the period (a quarter's figure covers its three), or read by subtraction (a flow's grains.Basis.covered)."""
    wanted = set(months)
    inside = {
        month
        for metric, _kind, grain, first, *_rest in figures
        if metric in codes and wanted >= set(covered := grains.span(grain, first))
        for month in covered
    }
    flows = {metric for metric, kind, *_rest in figures if kind == "flow" and metric in codes}
    return max([len(inside), *(bases[c].covered for c in flows if c in bases)])


def per_100k(value: float | None, people: int | None) -> float | None:
    return None if value is None or not people else value * PER / people


def change(value: float | None, base: float | None, kind: str) -> tuple[float | None, float | None]:
    """(difference, percent) against the base; a ratio changes by points (no percent); no base, no change."""
    if value is None or base is None:
        return None, None
    diff = value - base
    if kind == "ratio":
        return diff, None
    return diff, (100 * diff / base if base else None)


# --- the benchmark table ------------------------------------------------------------------------------------


RANK_COLUMNS = [
    "code",
    "name",
    "region",
    "value",
    "per_100k",
    "last_year",
    "change",
    "change_pct",
    "population",
    "months_reported",
    "months",
    "rank",
    "status",
    "basis",  # grains.Basis.marks of the value: coarse grains, "estimated", subtractions ("nine_months_half")
    "last_year_basis",
    "coarser",  # status "coarser": the key of the coarser period the province has a figure for ("2025-Q2")
]


@dataclass(frozen=True)
class Benchmark:
    map: str
    metric: str
    kind: str
    period: Period
    table: pd.DataFrame  # RANK_COLUMNS, ranked first, then provinces without figures
    unavailable: bool  # the 63 map asked about a period from the merger on
    population_year: int | None
    population_verified: bool
    population_source: str


def benchmark(
    engine: Engine,
    map_: str,
    metric: str,
    period: Period,
    lang: str = "vi",
    *,
    rate: bool = True,
    unit_ids: Sequence[int] | None = None,
) -> Benchmark:
    """Every province of `map_` on `metric` over `period`: value, per 100,000 inhabitants, the same period last
    year and the change, how many of the period's months it has figures for, and its rank (1 = highest, on the
    rate when `rate` and the metric is a count, else on the value; provinces without figures are not ranked).

    Each province's units are added up figure by figure and read by the one rule of commstats.grains, as the
    drafts are: a province that reported only the quarter is ranked on its quarter's figure at quarter level
    (its marks say so: "basis", "last_year_basis"), and at month level is not ranked — a quarter is never
    split — but named with the coarser figure it has (status "coarser", "coarser" its period key)."""
    maps = load_provinces()
    info = queries.metric_by_code(engine)[metric]
    ratios = {c: d for c, d in ratio_definitions().items() if c == metric}
    codes = parts_of([metric], ratios)
    all_areas = areas(engine)
    regions = {a.code: a for a in all_areas if a.level == "region"}
    provinces = [a for a in all_areas if a.level == "province" and a.map == map_]
    successors = {a.code: a.successor_code for a in all_areas if a.successor_code}
    placed = placed_units(engine)
    unit_areas = {unit_id: area for unit_id, _code, area in placed if unit_ids is None or unit_id in unit_ids}
    last_year = period.same_period_last_year()
    per_unit = unit_figures(engine, list(unit_areas), codes, add_months(last_year.start, -11), period.end)
    unavailable = map_ == "63" and period.end >= maps.effective
    figures = by_province(per_unit, unit_areas, map_, successors, maps.effective)
    people = population(engine, period.year)
    table = []
    for province in provinces:
        own = figures.get(province.code, [])
        values, bases = fold(own, period.months, ratios) if not unavailable else ({}, {})
        base_values, base_bases = fold(own, last_year.months, ratios)
        value, base = values.get(metric), base_values.get(metric)
        diff, pct = change(value, base, info.kind)
        persons = people.values.get(province.code)
        coarser = None if unavailable or value is not None else coarser_figure(own, codes, period.months)
        reported = 0 if unavailable or coarser else months_reported(own, codes, period.months, bases)
        status = "unavailable" if unavailable else "ok" if value is not None else "coarser" if coarser else "missing"
        table.append(
            {
                "code": province.code,
                "name": province.name(lang),
                "region": regions[province.parent_code].name(lang) if province.parent_code in regions else "",
                "value": value,
                "per_100k": per_100k(value, persons) if info.kind != "ratio" else None,
                "last_year": base,
                "change": diff,
                "change_pct": pct,
                "population": persons,
                "months_reported": reported,
                "months": len(period.months),
                "status": status,
                "basis": bases[metric].marks("_") if metric in bases else (),
                "last_year_basis": base_bases[metric].marks("_") if metric in base_bases else (),
                "coarser": coarser.key if coarser else "",
            }
        )
    frame = pd.DataFrame(table, columns=[c for c in RANK_COLUMNS if c != "rank"])
    key = "per_100k" if rate and info.kind != "ratio" else "value"
    frame["rank"] = frame[key].rank(ascending=False, method="min").astype("Int64")
    frame = frame.sort_values(["rank", "name"], na_position="last", kind="stable").reset_index(drop=True)
    return Benchmark(
        map_, metric, info.kind, period, frame[RANK_COLUMNS], unavailable, people.year, people.verified, people.source
    )


# --- scopes for the drafts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a national or regional draft covers: the provinces of the 34 map under `code` (a region, the
    nation, or one province), each a group of units whose figures are folded together before provinces add up."""

    code: str
    name_vi: str
    name_en: str
    groups: tuple[tuple[str, ...], ...]  # per province, the unit codes (old provinces' units included)
    provinces: tuple[tuple[str, str], ...] = ()  # per group, the province's name (Vietnamese, English)

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def province_names(self, lang: str = "vi") -> tuple[str, ...]:
        """The name of each group's province, in the order of `groups`."""
        return tuple(en if lang == "en" else vi for vi, en in self.provinces)

    @property
    def unit_codes(self) -> list[str]:
        return [code for group in self.groups for code in group]


def scope(engine: Engine, code: str, unit_ids: Sequence[int] | None = None) -> Scope:
    """The scope named `code`: `vn` (the nation), a region code (`dbscl`) or a province (`34-86`, or an old one,
    `63-84`, which is read as the new province it became part of), over the units `unit_ids` only when given
    (those a person may view). ValueError for an unknown code."""
    return scope_of(areas(engine), placed_units(engine), code, unit_ids)


def scope_of(
    area_list: Sequence[AreaInfo],
    units_placed: Sequence[tuple[int, str, str]],
    code: str,
    unit_ids: Sequence[int] | None,
) -> Scope:
    """`scope` on the areas and placed units already read."""
    all_areas = {a.code: a for a in area_list}
    area = all_areas.get(code)
    if area is None:
        raise ValueError(code)
    if area.map == "63" and area.successor_code:
        area = all_areas[area.successor_code]
    provinces = [
        a
        for a in all_areas.values()
        if a.level == "province"
        and a.map == "34"
        and (area.level == "nation" or a.code == area.code or a.parent_code == area.code)
    ]
    members: dict[str, list[str]] = defaultdict(list)
    for unit_id, unit_code, area_code in units_placed:
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        placed = all_areas.get(area_code)
        new = placed.successor_code if placed is not None and placed.map == "63" else area_code
        members[str(new)].append(unit_code)
    reporting = [p for p in sorted(provinces, key=lambda a: a.sort_order) if members[p.code]]
    groups = tuple(tuple(members[p.code]) for p in reporting)
    return Scope(area.code, area.name_vi, area.name_en, groups, tuple((p.name_vi, p.name_en) for p in reporting))
