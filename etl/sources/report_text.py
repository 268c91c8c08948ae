"""Past reports (.txt, .docx, .pdf): the sure figures the wording rules find (etl.extract.report_text).

The input is the document's bytes and the figures already read from its text (the CLI lists every
figure before loading; reading is not repeated). Figures that need review are never loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from etl.extract.report_text import Figure, figures_to_rows
from etl.problems import Problem
from etl.sources.base import Batch, ImportReport, Source, run_import
from etl.validate import CleanRow, Reference


@dataclass(frozen=True)
class ReportFigures:
    file: str
    content: bytes
    figures: Sequence[Figure]


class ReportText(Source):
    kind = "report"
    suffixes = (".txt", ".docx", ".pdf")

    def extract(self, given: ReportFigures, batch: Batch) -> Iterable[Figure]:
        return [f for f in given.figures if f.sure]

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        figures = list(rows)
        clean, problems = figures_to_rows(figures, batch.file, reference, batch.unit)
        if problems:
            return clean, problems
        return clean, storable(figures, clean, batch.file)

    def content_size(self, given: ReportFigures) -> int:
        return len(given.content)

    def digest(self, given: ReportFigures) -> str:
        return hashlib.sha256(given.content).hexdigest()


def storable(figures: Sequence[Figure], rows: Sequence[CleanRow], file: str) -> list[Problem]:
    """Whether the checked rows keep each figure's grain and estimate: a quarter's total must never be
    stored as the figure of its first month. A storage that keeps only months refuses the document."""
    for figure, row in zip(figures, rows, strict=True):
        kept = (getattr(row, "grain", "month"), bool(getattr(row, "estimated", False)))
        if kept != (figure.grain, figure.estimated):
            return [
                Problem(file, figure.line, "", "", "report_not_storable", {"file": file, "period": figure.period_key})
            ]
    return []


SOURCE = ReportText()


def load(engine: Engine, given: ReportFigures, *, unit: str | None, created_by: str = "") -> ImportReport:
    """The sure figures of one report as one batch (all or nothing; a second load changes nothing)."""
    return run_import(engine, SOURCE, given, Batch(given.file, unit=unit, created_by=created_by))
