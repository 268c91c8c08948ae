"""The schema as Alembic builds it, the database settings, the natural key, and merged units."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from commstats import queries
from commstats.bootstrap import add_unit
from commstats.config import PROJECT_ROOT
from commstats.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, upgrade_schema
from commstats.models import Base, ImportBatch, Member, Metric, Observation, Unit
from etl.pipeline import import_content
from tests.importfiles import csv_text


def _head() -> str:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def test_alembic_upgrade_creates_every_table_and_matches_the_models(blank_url):
    engine = make_engine(blank_url)
    upgrade_schema(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head()
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == [], "the models changed without a migration"
    upgrade_schema(engine)  # a second upgrade is a no-op
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def _observation(engine, **override: object) -> dict[str, object]:
    with engine.begin() as conn:
        batch = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {"source_kind": "test", "source_name": "test", "sha256": "", "status": "loaded"},
        ).scalar_one()
        unit = conn.execute(select(Unit.id).where(Unit.code == "test-unit")).scalar_one()
        metric = conn.execute(select(Metric.id).where(Metric.code == "portal_audio")).scalar_one()
        member = conn.execute(select(Member.id).where(Member.dimension == "", Member.code == "")).scalar_one()
    values = {
        "unit_id": unit,
        "metric_id": metric,
        "period": dt.date(2019, 7, 1),
        "member_id": member,
        "value": 14,
        "note": "",
        "batch_id": batch,
    }
    return values | override


def test_the_natural_key_of_observations_is_unique(empty_engine):
    row = _observation(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(insert(Observation), row)
    with pytest.raises(IntegrityError), empty_engine.begin() as conn:
        conn.execute(insert(Observation), row | {"value": 15})
    with empty_engine.begin() as conn:  # another month is another key
        conn.execute(insert(Observation), row | {"period": dt.date(2019, 8, 1)})
    assert queries.observation_count(empty_engine) == 2


def test_foreign_keys_are_enforced(empty_engine):
    with pytest.raises(IntegrityError), empty_engine.begin() as conn:
        conn.execute(insert(Observation), _observation(empty_engine, unit_id=987_654))
    assert queries.observation_count(empty_engine) == 0


def test_merged_units_history_is_combined(empty_engine):
    """vinhlong absorbed travinh on 2025-07-01, and travinh had absorbed an older office earlier."""
    add_unit(empty_engine, "vinhlong", "Sở Khoa học và Công nghệ Vĩnh Long")
    add_unit(empty_engine, "travinh", "Sở Thông tin và Truyền thông Trà Vinh")
    add_unit(empty_engine, "travinh-old", "Phòng cũ")
    with empty_engine.begin() as conn:
        ids = dict(conn.execute(select(Unit.code, Unit.id)).all())
        for merged, survivor, day in (
            ("travinh", "vinhlong", dt.date(2025, 7, 1)),
            ("travinh-old", "travinh", dt.date(2018, 2, 1)),
        ):
            conn.execute(update(Unit).where(Unit.id == ids[merged]).values(merged_into_id=ids[survivor], merged_on=day))
    rows = [
        ("2018-01", "portal_audio", "", 1, "travinh-old", ""),
        ("2025-06", "portal_audio", "", 10, "travinh", ""),
        ("2025-06", "portal_audio", "", 4, "vinhlong", ""),
        ("2025-08", "portal_audio", "", 20, "vinhlong", ""),
        ("2025-06", "portal_audio", "", 99, "test-unit", ""),
    ]
    header = ("period", "metric", "member", "value", "unit", "note")
    assert import_content(empty_engine, csv_text(rows, header).encode(), "sap-nhap.csv").ok

    combined = queries.unit_ids_with_predecessors(empty_engine, ["vinhlong"])
    assert combined == sorted([ids["vinhlong"], ids["travinh"], ids["travinh-old"]])
    assert queries.unit_ids_with_predecessors(empty_engine, ["travinh"]) == sorted([ids["travinh"], ids["travinh-old"]])
    assert queries.unit_ids_with_predecessors(empty_engine, ["test-unit"]) == [ids["test-unit"]]
    frame = queries.monthly_totals(empty_engine, combined, ["portal_audio"], dt.date(2018, 1, 1), dt.date(2025, 12, 1))
    assert dict(zip(frame["period"], frame["value"], strict=True)) == {
        dt.date(2018, 1, 1): 1,
        dt.date(2025, 6, 1): 14,
        dt.date(2025, 8, 1): 20,
    }
    assert frame["value"].dtype == "int64"
    year = [dt.date(2025, m, 1) for m in range(1, 13)]
    assert queries.period_values(empty_engine, combined, ["portal_audio"], year) == {("portal_audio", ""): 34}
