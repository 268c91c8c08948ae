"""A licence register: one licence or printing declaration a row; the records are stored and the monthly
counts of `publishing_licences` / `printing_declarations` derived from all stored records (etl/register.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine

from commstats.db import writer
from etl.extract.licence_register import (
    HEADER_SEARCH_ROWS,
    REGISTER_METRICS,
    looks_like_register,
    register_rows,
    validate_register,
)
from etl.load import LoadResult, load_rows
from etl.problems import Problem, RawRow
from etl.register import plan_register, write_records
from etl.sources.base import Batch, ImportReport, Source
from etl.sources.read import Document
from etl.validate import Reference


class Register(Source):
    kind = "register"
    suffixes = (".csv", ".txt", ".xlsx")

    def detect(self, document: Document) -> float:
        if document.suffix not in self.suffixes:
            return 0.0
        return 1.0 if any(looks_like_register(r) for r in document.head(HEADER_SEARCH_ROWS)) else 0.0

    def extract(self, given: Document, batch: Batch) -> Iterator[RawRow]:
        shown: dict[str, str] = batch.state.setdefault("shown", {})  # each column as the user sees it
        return register_rows(given.table(0).rows(), given.file, shown)

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        missing = [code for code in REGISTER_METRICS if code not in reference.metrics]
        if missing:
            return [], [Problem(batch.file, None, "", "", "unknown_metric", {"codes": ", ".join(missing)})]
        return validate_register(iter(rows), batch.file, reference, batch.unit, batch.state.setdefault("shown", {}))

    def load(
        self, engine: Engine, clean: list[Any], reference: Reference, batch: Batch, report: ImportReport
    ) -> LoadResult:
        """The counts through load_rows and the records, in one transaction (a dry run writes neither)."""
        options: dict[str, Any] = {
            "source_kind": self.kind,
            "source_name": batch.name,
            "sha256": batch.sha256,
            "reference": reference,
        }
        with writer(engine).connect() as conn, conn.begin() as transaction:
            plan = plan_register(conn, clean, reference)
            report.records_new, report.records_changed, report.records_unchanged = (
                len(plan.new),
                len(plan.changed),
                plan.unchanged,
            )
            if batch.dry_run:
                transaction.rollback()
                return load_rows(engine, plan.counts, dry_run=True, **options)
            result = load_rows(
                engine, plan.counts, created_by=batch.created_by, progress=batch.progress, connection=conn, **options
            )
            meta = {
                "source_kind": self.kind,
                "source_name": batch.name,
                "sha256": batch.sha256,
                "rows_read": len(clean),
                "rows_inserted": 0,
                "rows_updated": 0,
                "rows_unchanged": 0,
                "created_by": batch.created_by,
            }
            write_records(conn, plan, reference, result.batch_id, meta)
        return result


SOURCE = Register()
