"""Shared steps of the report-cycle tests: principals, a round with every section submitted, table snapshots."""

from __future__ import annotations

from sqlalchemy import Engine, select

from commstats import queries
from commstats.auth import Principal
from commstats.catalog import load_catalog
from commstats.cycle import reads, rounds
from commstats.cycle.messages import CycleError
from commstats.models import Adjustment, AuditEvent, DeadlineRule, Department, ReportRound, RoundSection, Subscriber
from etl.pipeline import import_content

UNIT = "travinh-demo"
# Every round has one section per catalogue section plus the narrative blocks.
SECTIONS = len(load_catalog().sections) + len(rounds.NARRATIVE_BLOCKS)


def principal(engine: Engine, role: str, name: str | None = None, unit: str = UNIT) -> Principal:
    unit_id = {u.code: u.id for u in queries.units(engine)}[unit]
    return Principal(name or role, name or role, {unit_id: role})


def fill_and_submit(engine: Engine, who: Principal, period: str, month: str) -> None:
    """Submit every section of the round: narrative blocks get a text, an empty metrics section one figure."""
    found = reads.round_for(engine, UNIT, period)
    assert found is not None
    first_metric = {}
    for m in queries.metrics(engine):
        if m.dimension is None:
            first_metric.setdefault(m.section_code, m.code)
    for section in found.sections:
        if section.kind == "narrative":
            rounds.save_text(engine, who, UNIT, period, section.code, f"Nội dung phần {section.title}.")
        try:
            rounds.submit_section(engine, who, UNIT, period, section.code)
        except CycleError as error:
            assert error.key == "section_empty"
            csv = f"period,metric,member,value,unit\n{month},{first_metric[section.code]},,1,{UNIT}\n"
            assert import_content(engine, csv.encode(), f"{section.code}.csv", created_by="test").ok
            rounds.submit_section(engine, who, UNIT, period, section.code)


def cycle_state(engine: Engine) -> list[list[tuple]]:
    """Every row of the cycle's tables and the audit trail, to show that a refusal changed nothing."""
    tables = (ReportRound, RoundSection, Department, DeadlineRule, Subscriber, Adjustment, AuditEvent)
    with engine.connect() as conn:
        return [[tuple(r) for r in conn.execute(select(t.__table__))] for t in tables]
