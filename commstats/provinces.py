"""The provinces of Vietnam on two maps (63 until 2025-07-01, 34 from then), the six socio-economic regions and
the population reference, read from data/provinces.yaml and data/population.yaml, checked, and synced into the
tables `area` and `population`. Whose figures go to which province on which map is a merger rule:
commstats.units.area_on_map.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, model_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commstats.config import DATA_DIR
from commstats.models import Area, Population

PROVINCES_PATH = DATA_DIR / "provinces.yaml"
POPULATION_PATH = DATA_DIR / "population.yaml"
MAPS = ("34", "63")  # the map of today first


def area_code(map_: str, code: str) -> str:
    """The area code of a province on a map: `63-84` (Trà Vinh until 2025), `34-86` (Vĩnh Long from 2025).
    Codes repeat across the maps (24 is Bắc Giang among the 63 and Bắc Ninh among the 34), hence the prefix."""
    return f"{map_}-{code}"


class Named(BaseModel):
    code: str
    name_vi: str
    name_en: str


class NewProvince(Named):
    region: str


class OldProvince(NewProvince):
    into: str  # the code of the new province it became part of


class ProvinceMaps(BaseModel):
    effective: dt.date
    nation: Named
    regions: list[Named]
    new: list[NewProvince]
    old: list[OldProvince]

    @model_validator(mode="after")
    def _consistent(self) -> ProvinceMaps:
        regions = {r.code for r in self.regions}
        for label, provinces in (("new", self.new), ("old", self.old)):
            codes = [p.code for p in provinces]
            if len(set(codes)) != len(codes):
                raise ValueError(f"{label}: a province code is listed twice")
            for province in provinces:
                if province.region not in regions:
                    raise ValueError(f"{label} {province.code}: unknown region {province.region!r}")
        new_codes = {p.code for p in self.new}
        for province in self.old:
            if province.into not in new_codes:
                raise ValueError(f"old {province.code}: `into` {province.into!r} is not a new province")
        formed = {p.into for p in self.old}
        if formed != new_codes:
            raise ValueError(f"new provinces formed from no old one: {sorted(new_codes - formed)}")
        return self

    def successors(self) -> dict[str, str]:
        """Old province code → new province code."""
        return {p.code: p.into for p in self.old}

    def formed_from(self, new_code: str) -> list[OldProvince]:
        return [p for p in self.old if p.into == new_code]

    def unchanged(self) -> list[str]:
        """New provinces formed from one old province of the same name (not rearranged)."""
        return [p.code for p in self.new if [o.name_vi for o in self.formed_from(p.code)] == [p.name_vi]]


class PopulationTable(BaseModel):
    year: int
    unit: str
    verified: bool
    source_vi: str
    source_en: str
    thousands: dict[str, float]  # old province code → thousand persons

    def persons(self, maps: ProvinceMaps) -> dict[str, int]:
        """Area code → persons, for the 63 (as given) and the 34 (the sums of the old provinces that formed them)."""
        result = {area_code("63", code): round(value * 1000) for code, value in self.thousands.items()}
        for new in maps.new:
            result[area_code("34", new.code)] = sum(result[area_code("63", o.code)] for o in maps.formed_from(new.code))
        return result


@lru_cache(maxsize=2)
def load_provinces(path: Path = PROVINCES_PATH) -> ProvinceMaps:
    return ProvinceMaps.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=2)
def load_population(path: Path = POPULATION_PATH) -> PopulationTable:
    table = PopulationTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    missing = {p.code for p in load_provinces().old} - set(table.thousands)
    if missing:
        raise ValueError(f"{path.name}: no population for the old provinces {sorted(missing)}")
    return table


def areas(maps: ProvinceMaps) -> list[Area]:
    """The rows of the `area` table: the nation, the regions, the 34 and the 63 provinces."""
    rows = [
        Area(
            code=maps.nation.code,
            level="nation",
            map="",
            name_vi=maps.nation.name_vi,
            name_en=maps.nation.name_en,
            parent_code=None,
            successor_code=None,
            sort_order=0,
        )
    ]
    rows += [
        Area(
            code=r.code,
            level="region",
            map="",
            name_vi=r.name_vi,
            name_en=r.name_en,
            parent_code=maps.nation.code,
            successor_code=None,
            sort_order=i,
        )
        for i, r in enumerate(maps.regions, start=1)
    ]
    maps_of = (("34", maps.new), ("63", maps.old))  # an old province has the new one it became part of
    rows += [
        Area(
            code=area_code(map_, p.code),
            level="province",
            map=map_,
            name_vi=p.name_vi,
            name_en=p.name_en,
            parent_code=p.region,
            successor_code=area_code("34", p.into) if isinstance(p, OldProvince) else None,
            sort_order=i,
        )
        for map_, provinces in maps_of
        for i, p in enumerate(provinces, start=1)
    ]
    return rows


def sync_areas(session: Session) -> None:
    """Make the tables `area` and `population` match the data files (run by `init`; rows are updated in place,
    as the catalogue's are, and areas no longer in the file are removed)."""
    maps, population = load_provinces(), load_population()
    stored = {a.code: a for a in session.scalars(select(Area))}
    wanted = areas(maps)
    for row in wanted:
        current = stored.get(row.code)
        if current is None:
            session.add(row)
            continue
        for column in ("level", "map", "name_vi", "name_en", "parent_code", "successor_code", "sort_order"):
            setattr(current, column, getattr(row, column))
    gone = set(stored) - {row.code for row in wanted}
    if gone:
        session.execute(delete(Area).where(Area.code.in_(sorted(gone))))
    figures = {p.area_code: p for p in session.scalars(select(Population).where(Population.year == population.year))}
    source = f"{population.source_vi} / {population.source_en}"
    for code, value in population.persons(maps).items():
        figure = figures.get(code) or Population(area_code=code, year=population.year)
        figure.value, figure.source, figure.verified = value, source, population.verified
        session.add(figure)
    session.flush()
