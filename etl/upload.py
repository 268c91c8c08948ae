"""One entry point for an uploaded file of any supported kind (the "Nhập tệp" page).

`preview` shows the file's first rows and runs a dry run (every validation message, counts of new /
changed / unchanged figures); `load` imports it for real, reporting progress. The kind is asked of the
registered sources (etl.sources.SOURCES): the data-entry workbook by its structure, a licence register
or a targets file by its header, anything else is the long format. Each of them reads the file once:
detection peeks at the records the import then reads on (etl.sources.read), and the preview's first
rows are kept as the import reads them.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from commstats.i18n import t
from etl.problems import Problem, more_text, total
from etl.sources import UPLOAD_SUFFIXES, detect, import_document
from etl.sources.base import ImportReport, new_members_note
from etl.sources.read import Document

Kind = Literal["long", "template", "register", "targets"]
PREVIEW_CHARS = 200  # a cell of the preview table; the whole text is in the file
SUFFIXES = UPLOAD_SUFFIXES


def detect_kind(content: bytes, file: str) -> Kind:
    """What the file is; a file that cannot be read at all counts as long format (its import says why)."""
    document = Document(content, file)
    try:
        return detect(document).kind  # type: ignore[return-value]
    finally:
        document.close()


Report = ImportReport


@dataclass
class Upload:
    file: str
    kind: Kind
    report: Report
    head: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def problems(self) -> list[Problem]:
        return self.report.problems

    def counts(self) -> dict[str, int]:
        result = self.report.result
        if result is None:
            return {}
        counts = {"inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged}
        if self.kind == "register":
            counts |= {"records_new": self.report.records_new, "records_changed": self.report.records_changed}
        return counts

    def new_members_note(self, lang: str = "vi") -> str:
        """Component-site codes the file would add (or added): "" when there are none."""
        return new_members_note(self.report.result, lang)

    @property
    def problem_count(self) -> int:
        """Every problem found, also those only counted (problem_table lists the first ones)."""
        return total(self.problems)

    def problem_table(self, lang: str = "vi") -> pd.DataFrame:
        """The kept problems, one a row, then one row that counts the others per kind (if any)."""
        return problem_frame(self.problems, lang)


def problem_frame(problems: list[Problem], lang: str = "vi") -> pd.DataFrame:
    """Problems of any import (figures, register, targets) as the pages show them: row, column, value, message;
    then one row that counts the others per kind (if any)."""
    headers = [
        t(k, lang) for k in ("problem_col_row", "problem_col_column", "problem_col_value", "problem_col_message")
    ]
    rows = [(str(p.row) if p.row is not None else "-", p.column or "-", p.value, p.message(lang)) for p in problems]
    if more := more_text(problems, lang):
        rows.append(("…", "…", "", more))
    return pd.DataFrame(rows, columns=headers)


def _head(report: ImportReport) -> pd.DataFrame:
    """The first rows as read (before validation), with their row numbers."""
    records = [
        {"#": r.line} | {k: "" if v is None else str(v)[:PREVIEW_CHARS] for k, v in r.values.items()}
        for r in report.head
    ]
    return pd.DataFrame(records)


def release_memory() -> None:
    """Give the memory a large file took back to the system once it is read: collect cycles, then
    ask glibc to return its free heap (without it the server keeps its peak size for good)."""
    gc.collect()
    # Not glibc (macOS, musl): the memory is reused, just not returned.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _import(
    engine: Engine, content: bytes, file: str, encoding: str | None, **options: object
) -> tuple[Kind, ImportReport]:
    """Detect and import through the one sequence, on one Document (the file read once)."""
    document = Document(content, file, encoding)
    source = detect(document)
    return source.kind, import_document(engine, document, source=source, **options)  # type: ignore[return-value,arg-type]


def preview(
    engine: Engine, content: bytes, file: str, *, unit: str | None = None, encoding: str | None = None
) -> Upload:
    """A dry run: every problem, or what a load would insert, change and leave alone. Writes nothing."""
    kind, report = _import(engine, content, file, encoding, unit=unit, dry_run=True)
    found = Upload(file, kind, report, _head(report) if report.head else pd.DataFrame())
    release_memory()
    return found


def load(
    engine: Engine,
    content: bytes,
    file: str,
    *,
    unit: str | None = None,
    encoding: str | None = None,
    created_by: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Upload:
    """Import for real (all or nothing); `progress(done, total)` is called per chunk of the load."""
    kind, report = _import(engine, content, file, encoding, unit=unit, created_by=created_by, progress=progress)
    loaded = Upload(file, kind, report)
    release_memory()
    return loaded
