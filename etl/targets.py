"""Import annual targets (kế hoạch năm): extract → validate → load, all or nothing, recorded as a batch.

`python -m commstats targets import FILE`. A file that changes nothing writes nothing; a changed
target is updated and the batch that changed it is stored on the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from commstats import audit
from commstats.catalog import load_catalog
from commstats.db import writer
from commstats.models import ImportBatch, Target, _now
from commstats.periods import current_month, figure_window
from etl.extract.targets import extract_targets
from etl.load import LoadResult
from etl.pipeline import ImportReport, checked_import, import_path
from etl.problems import Problem, ProblemLog, RawRow
from etl.validate import Reference, _text, parse_count

SUFFIXES = (".csv", ".txt", ".xlsx")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class TargetRow:
    line: int
    unit_code: str
    metric_code: str
    year: int
    value: int


def _validate_row(
    row: RawRow, file: str, reference: Reference, kinds: Mapping[str, str], default_unit: str | None
) -> tuple[TargetRow | None, list[Problem]]:
    found: list[Problem] = []

    def problem(column: str, raw: object, key: str, **params: object) -> None:
        found.append(Problem(file, row.line, column, _text(raw)[:80], key, dict(params)))

    for column, raw in row.values.items():
        if isinstance(raw, str) and _CONTROL.search(raw):
            problem(column, raw.replace("\x00", "\\0"), "control_chars")
    if found:
        return None, found

    unit_code = _text(row.values.get("unit")) or default_unit
    if not unit_code:
        problem("unit", "", "no_unit", count=len(reference.units))
    elif unit_code not in reference.units:
        problem("unit", unit_code, "unknown_unit", allowed=", ".join(sorted(reference.units)) or "-")

    year, error = parse_count(row.values.get("year"))
    window = reference.windows.get(unit_code or "") or figure_window()
    low, high = window.first.year, max(window.last.year, current_month().year + 1)  # next year's plan is set early
    if error or year is None or not low <= year <= high:
        problem("year", row.values.get("year"), "target_bad_year", low=low, high=high)
        year = None

    metric_code = _text(row.values.get("metric"))
    if metric_code not in reference.metrics:
        problem("metric", metric_code, "unknown_metric")
    elif kinds.get(metric_code) != "flow":
        problem("metric", metric_code, "target_stock_metric", metric=metric_code)

    value, error = parse_count(row.values.get("value"))
    if error:
        problem("value", row.values.get("value"), error, limit=10**12)

    if found or unit_code is None or year is None or value is None:
        return None, found
    return TargetRow(row.line, unit_code, metric_code, year, value), found


def validate_targets(
    rows: Iterable[RawRow], file: str, reference: Reference, default_unit: str | None = None
) -> tuple[list[TargetRow], list[Problem]]:
    """Every row checked; two rows for the same unit, metric and year are a problem too."""
    kinds = {m.code: m.kind for m in load_catalog().metrics}
    if default_unit is None and len(reference.units) == 1:
        default_unit = next(iter(reference.units))
    clean: list[TargetRow] = []
    problems: list[Problem] = ProblemLog()
    seen: dict[tuple[str, str, int], int] = {}
    for row in rows:
        checked, found = _validate_row(row, file, reference, kinds, default_unit)
        if checked is not None:
            key = (checked.unit_code, checked.metric_code, checked.year)
            if key in seen:
                found.append(
                    Problem(file, row.line, "metric", checked.metric_code, "target_duplicate", {"other": seen[key]})
                )
            else:
                seen[key] = row.line
                clean.append(checked)
        problems.extend(found)
    return clean, problems


def load_targets(
    engine: Engine,
    rows: list[TargetRow],
    reference: Reference,
    *,
    source_name: str,
    sha256: str,
    dry_run: bool = False,
    created_by: str = "",
) -> LoadResult:
    """Insert new targets, update changed ones, leave equal ones; one transaction, one batch if anything changed."""
    keyed = {(reference.units[r.unit_code], reference.metrics[r.metric_code][0], r.year): r for r in rows}
    with writer(engine).connect() as conn, conn.begin() as transaction:
        query = select(Target.id, Target.unit_id, Target.metric_id, Target.year, Target.value).where(
            Target.unit_id.in_({k[0] for k in keyed}), Target.year.in_({k[2] for k in keyed})
        )
        existing = {(t.unit_id, t.metric_id, t.year): (t.id, t.value) for t in conn.execute(query)}
        inserts = [k for k in keyed if k not in existing]
        updates = [k for k in keyed if k in existing and existing[k][1] != keyed[k].value]
        unchanged = len(keyed) - len(inserts) - len(updates)
        if dry_run or not (inserts or updates):
            transaction.rollback()
            return LoadResult(None, len(inserts), len(updates), unchanged, dry_run)
        now = _now()
        batch_id = conn.execute(
            insert(ImportBatch).returning(ImportBatch.id),
            {
                "source_kind": "targets",
                "source_name": source_name,
                "sha256": sha256,
                "started_at": now,
                "rows_read": len(rows),
                "rows_inserted": len(inserts),
                "rows_updated": len(updates),
                "rows_unchanged": unchanged,
                "status": "loaded",
                "created_by": created_by,
                "message": "",
            },
        ).scalar_one()
        if inserts:
            conn.execute(
                insert(Target),
                [
                    {
                        "unit_id": k[0],
                        "metric_id": k[1],
                        "year": k[2],
                        "value": keyed[k].value,
                        "batch_id": batch_id,
                        "updated_at": now,
                    }
                    for k in inserts
                ],
            )
        for k in updates:
            conn.execute(
                update(Target)
                .where(Target.id == existing[k][0])
                .values(value=keyed[k].value, batch_id=batch_id, updated_at=now)
            )
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(finished_at=_now()))
        changes = [[keyed[k].unit_code, keyed[k].metric_code, k[2], existing[k][1], keyed[k].value] for k in updates]
        audit.record(
            conn, actor=created_by, action="target", unit_code=",".join(sorted({r.unit_code for r in rows})),
            target=source_name, batch_id=batch_id,
            detail={"inserted": len(inserts), "updated": len(updates), "changes": changes[:100]},
        )  # fmt: skip
    return LoadResult(batch_id, len(inserts), len(updates), unchanged)


def import_targets_content(
    engine: Engine,
    content: bytes,
    file: str,
    *,
    unit: str | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    created_by: str = "",
) -> ImportReport:
    def check(reference: Reference) -> tuple[list, list[Problem]]:
        return validate_targets(extract_targets(content, file, encoding), file, reference, unit)

    def load(clean: list, reference: Reference, sha256: str) -> LoadResult:
        return load_targets(
            engine, clean, reference, source_name=Path(file).name, sha256=sha256, dry_run=dry_run,
            created_by=created_by,
        )  # fmt: skip

    known = Path(file).suffix.lower() in SUFFIXES
    return checked_import(engine, content, file, known_format=known, check=check, load=load)


def import_targets_path(engine: Engine, path: Path, **options: object) -> ImportReport:
    return import_path(engine, path, importer=import_targets_content, **options)
