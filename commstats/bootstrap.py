"""Create or upgrade a database and load the catalogue (the demo data is an ETL source: etl.demo)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from commstats.catalog import Catalog, sync_catalog
from commstats.db import session_scope, upgrade_schema
from commstats.models import Unit
from commstats.provinces import sync_areas


def init_database(engine: Engine, catalog: Catalog | Path | None = None) -> None:
    """The schema up to date and the catalogue (default data/catalog.yaml) synced into it."""
    upgrade_schema(engine)
    with session_scope(engine) as session:
        sync_catalog(session, catalog)
        sync_areas(session)


def add_unit(
    engine: Engine,
    code: str,
    name_vi: str,
    name_en: str = "",
    cutoff_day: int = 0,
    first_year: int | None = None,
    area_code: str | None = None,
) -> Unit:
    with session_scope(engine) as session:
        unit = session.scalar(select(Unit).where(Unit.code == code)) or Unit(code=code)
        unit.name_vi, unit.name_en, unit.cutoff_day = name_vi, name_en or name_vi, cutoff_day
        if first_year is not None:
            unit.first_year = first_year
        if area_code is not None:
            unit.area_code = area_code
        session.add(unit)
        return unit
