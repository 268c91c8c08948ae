"""Annual targets (kế hoạch năm): a CSV or XLSX table of year, metric, value (+ unit), loaded into `target`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine

from etl.extract.tabular import nfc
from etl.extract.targets import HEADER_ALIASES, REQUIRED, target_rows
from etl.load import LoadResult
from etl.problems import Problem, RawRow
from etl.sources.base import Batch, ImportReport, Source
from etl.sources.read import Document
from etl.targets import load_targets, validate_targets
from etl.validate import Reference


class Targets(Source):
    kind = "targets"
    suffixes = (".csv", ".txt", ".xlsx")

    def detect(self, document: Document) -> float:
        if document.suffix not in self.suffixes:
            return 0.0
        first = next((r for r in document.head() if any(str(c if c is not None else "").strip() for c in r)), [])
        names = {HEADER_ALIASES.get(nfc(str(c if c is not None else "")).strip().lower(), "") for c in first}
        return 0.95 if all(name in names for name in REQUIRED) else 0.0

    def extract(self, given: Document, batch: Batch) -> Iterator[RawRow]:
        return target_rows(given.table(0).rows(), given.file)

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        return validate_targets(rows, batch.file, reference, batch.unit)

    def load(
        self, engine: Engine, clean: list[Any], reference: Reference, batch: Batch, report: ImportReport
    ) -> LoadResult:
        return load_targets(
            engine,
            clean,
            reference,
            source_name=batch.name,
            sha256=batch.sha256,
            dry_run=batch.dry_run,
            created_by=batch.created_by,
        )


SOURCE = Targets()
