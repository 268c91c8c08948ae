"""The demo data (etl/demo.py generates it): rows generated clean, loaded through the one sequence.

Generated rows need no parsing, so validation checks only what the database must have for them: the
unit and every metric (and a member of a closed breakdown). Their periods are the demo's own, kept
even after the demo merger is recorded, so loading the demo twice stays idempotent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine

from etl.problems import Problem
from etl.sources.base import Batch, ImportReport, Source, run_import
from etl.validate import CleanRow, Reference


class Demo(Source):
    kind = "demo"

    def extract(self, given: Sequence[CleanRow], batch: Batch) -> Iterable[CleanRow]:
        return given

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        clean: list[CleanRow] = []
        problems: list[Problem] = []
        for number, row in enumerate(rows, start=1):
            if row.unit_code not in reference.units:
                problems.append(Problem(batch.file, number, "unit", row.unit_code, "unknown_unit", {"allowed": "-"}))
            elif row.metric_code not in reference.metrics:
                problems.append(Problem(batch.file, number, "metric", row.metric_code, "unknown_metric"))
            else:
                clean.append(row)
        return clean, problems

    def digest(self, given: Sequence[CleanRow]) -> str:
        """The rows' own digest when no seed names them."""
        text = "\n".join(f"{r.unit_code},{r.metric_code},{r.period},{r.member_code},{r.value}" for r in given)
        return hashlib.sha256(text.encode()).hexdigest()


SOURCE = Demo()


def load(engine: Engine, rows: Sequence[CleanRow], *, source_name: str, sha256: str) -> ImportReport:
    """Load generated rows as one batch named `source_name` (the digest names the generator's seed)."""
    report = run_import(engine, SOURCE, rows, Batch(source_name, name=source_name, sha256=sha256))
    if not report.ok:  # the demo is generated against the catalogue: a problem is a bug, not bad input
        raise ValueError(report.summary("en"))
    return report
