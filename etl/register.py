"""Import a licence register: store the records, and derive the monthly counts from them.

The import runs through the one sequence (etl/sources/register.py): read → validate (every row) →
merge with the records already stored (`plan_register`) → count per reporting month (each unit's
cut-off day, via commstats.periods.month_of_event) → one transaction that loads the counts through
the shared load_rows (batch, revisions, idempotent) and upserts the records (`write_records`).
A re-import that moves a licence to another month changes both months' counts.
Within the span of a unit's register, a month without records counts as 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from commstats import audit
from commstats.models import ImportBatch, LicenceRecord, Unit, _now
from commstats.periods import add_months, month_of_event
from etl.extract.licence_register import REGISTER_METRICS, LicenceRow
from etl.validate import CleanRow, Reference

SOURCE_KIND = "register"
if TYPE_CHECKING:
    from etl.sources.base import ImportReport


@dataclass(frozen=True)
class StoredRecord:
    id: int
    issued_on: dt.date
    holder: str
    title: str


def derive_counts(
    records: Iterable[tuple[str, str, dt.date]], cutoffs: dict[str, int], extra_days: Iterable[tuple[str, str, dt.date]]
) -> list[CleanRow]:
    """Monthly counts per (unit, metric) from (unit, metric, issue day) records.

    Every month from the first to the last with a record (or with a day in `extra_days`, the old
    days of records that moved) gets a row, 0 when nothing was issued, so a moved record lowers
    the month it left.
    """
    counts: dict[tuple[str, str], Counter[dt.date]] = {}
    spans: dict[tuple[str, str], set[dt.date]] = {}
    for unit, metric, day in records:
        month = month_of_event(day, cutoffs.get(unit, 0))
        counts.setdefault((unit, metric), Counter())[month] += 1
        spans.setdefault((unit, metric), set()).add(month)
    for unit, metric, day in extra_days:
        spans.setdefault((unit, metric), set()).add(month_of_event(day, cutoffs.get(unit, 0)))
    rows: list[CleanRow] = []
    for (unit, metric), months in sorted(spans.items()):
        month, last = min(months), max(months)
        while month <= last:
            rows.append(CleanRow(0, unit, metric, month, "", counts.get((unit, metric), Counter())[month], ""))
            month = add_months(month, 1)
    return rows


def _stored(conn: Connection, pairs: set[tuple[int, int]]) -> dict[tuple[int, int, str], StoredRecord]:
    """Records already stored for the (unit id, metric id) pairs of this register."""
    found: dict[tuple[int, int, str], StoredRecord] = {}
    for unit_id, metric_id in pairs:
        query = select(
            LicenceRecord.id, LicenceRecord.number, LicenceRecord.issued_on, LicenceRecord.holder, LicenceRecord.title
        ).where(LicenceRecord.unit_id == unit_id, LicenceRecord.metric_id == metric_id)
        for r in conn.execute(query):
            found[(unit_id, metric_id, r.number)] = StoredRecord(r.id, r.issued_on, r.holder, r.title)
    return found


def _cutoffs(conn: Connection, codes: set[str]) -> dict[str, int]:
    query = select(Unit.code, Unit.cutoff_day).where(Unit.code.in_(codes))
    return {code: int(day or 0) for code, day in conn.execute(query)}


@dataclass
class _Plan:
    counts: list[CleanRow]
    new: list[LicenceRow]
    changed: list[tuple[int, LicenceRow]]
    unchanged: int


def plan_register(conn: Connection, records: Sequence[LicenceRow], reference: Reference) -> _Plan:
    """Compare the register with what is stored and derive the counts of the merged records."""
    ids = {code: reference.metrics[code][0] for code in REGISTER_METRICS}
    codes = {v: k for k, v in reference.units.items()}
    metric_codes = {v: k for k, v in ids.items()}
    pairs = {(reference.units[r.unit_code], ids[r.metric_code]) for r in records}
    stored = _stored(conn, pairs)
    merged = {key: (codes[key[0]], metric_codes[key[1]], s.issued_on) for key, s in stored.items()}
    new: list[LicenceRow] = []
    changed: list[tuple[int, LicenceRow]] = []
    moved: list[tuple[str, str, dt.date]] = []
    for record in records:
        key = (reference.units[record.unit_code], ids[record.metric_code], record.number)
        before = stored.get(key)
        if before is None:
            new.append(record)
        elif (before.issued_on, before.holder, before.title) != (record.issued_on, record.holder, record.title):
            changed.append((before.id, record))
            moved.append((record.unit_code, record.metric_code, before.issued_on))
        merged[key] = (record.unit_code, record.metric_code, record.issued_on)
    cutoffs = _cutoffs(conn, {r.unit_code for r in records})
    counts = derive_counts(merged.values(), cutoffs, moved)
    return _Plan(counts, new, changed, len(records) - len(new) - len(changed))


def write_records(
    conn: Connection, plan: _Plan, reference: Reference, batch_id: int | None, meta: dict[str, object]
) -> None:
    if not (plan.new or plan.changed):
        return
    if batch_id is None:  # the counts did not change, but holders or titles did: the records need a batch
        batch_id = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            meta | {"started_at": _now(), "finished_at": _now(), "status": "loaded", "message": "records only"},
        ).scalar_one()
        audit.record(
            conn,
            actor=str(meta["created_by"]),
            action="import",
            target=str(meta["source_name"]),
            batch_id=batch_id,
            unit_code=",".join(sorted({r.unit_code for r in plan.new} | {r.unit_code for _, r in plan.changed})),
            detail={"source_kind": SOURCE_KIND, "records_new": len(plan.new), "records_changed": len(plan.changed)},
        )
    ids = {code: reference.metrics[code][0] for code in REGISTER_METRICS}
    if plan.new:
        conn.execute(
            insert(LicenceRecord),
            [
                {
                    "unit_id": reference.units[r.unit_code],
                    "metric_id": ids[r.metric_code],
                    "number": r.number,
                    "issued_on": r.issued_on,
                    "holder": r.holder,
                    "title": r.title,
                    "batch_id": batch_id,
                }
                for r in plan.new
            ],
        )
    if plan.changed:
        conn.execute(
            update(LicenceRecord)
            .where(LicenceRecord.id == bindparam("record_id"))
            .values(issued_on=bindparam("day"), holder=bindparam("who"), title=bindparam("what"), batch_id=batch_id),
            [{"record_id": i, "day": r.issued_on, "who": r.holder, "what": r.title} for i, r in plan.changed],
        )


def import_register(engine: Engine, content: bytes, file: str, **options: Any) -> ImportReport:
    """Import the bytes of one register file; all or nothing (through the one sequence, etl.sources)."""
    from etl.sources import import_file
    from etl.sources.register import SOURCE

    return import_file(engine, content, file, source=SOURCE, **options)
