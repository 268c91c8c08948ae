"""Every source of figures, one small module each, behind one contract (etl.sources.base.Source).

`SOURCES` is the registry of file sources: `detect` asks each of them about a file read once (a
Document) and takes the surest. `import_file` / `import_path` run the one checked sequence
(`run_import`) for a file; the other sources (the entry form, the demo, feeds, report text) call
`run_import` from their own modules with what they are given.

Adding a source: a module here with a `Source` subclass (kind, suffixes, detect, extract, and validate /
load where the defaults — validate_rows and load_rows — do not fit), its `SOURCE` added to `SOURCES`
if it reads uploaded files, and its kind's text `import_kind_<kind>` in both catalogues.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from etl.problems import Problem, ProblemLog
from etl.sources import long_file, register, targets, workbook
from etl.sources.base import Batch, ImportReport, Source, run_import, size_problem
from etl.sources.read import Document

# The file sources, surest first when two are equally sure. The long format is every table's fallback.
SOURCES: tuple[Source, ...] = (workbook.SOURCE, register.SOURCE, targets.SOURCE, long_file.SOURCE)
UPLOAD_SUFFIXES = ("csv", "txt", "xlsx")


def detect(document: Document, among: Sequence[Source] = SOURCES) -> Source:
    """The registered source surest that the file is its kind; the long format when none is (or the file
    cannot be read at all: its import says why)."""
    if size_problem(document.file, len(document.content)):  # refused unread
        return long_file.SOURCE
    best: Source = long_file.SOURCE
    sureness = 0.0
    for source in among:
        found = source.detect(document)
        if found > sureness:
            best, sureness = source, found
    return best


def import_document(
    engine: Engine,
    document: Document,
    *,
    source: Source | None = None,
    unit: str | None = None,
    dry_run: bool = False,
    created_by: str = "",
    progress: Callable[[int, int], None] | None = None,
    reason: str = "",
) -> ImportReport:
    """One file through the sequence: the given source, or the one `detect` finds (same Document, no re-read)."""
    chosen = source or detect(document)
    batch = Batch(document.file, unit=unit, dry_run=dry_run, created_by=created_by, progress=progress, reason=reason)
    try:
        return run_import(engine, chosen, document, batch)
    finally:
        document.close()


def import_file(
    engine: Engine, content: bytes, file: str, *, encoding: str | None = None, **options: object
) -> ImportReport:
    """The bytes of one file named `file`: the content decides its source (unless `source` is given), and the
    sequence refuses a suffix that source does not read."""
    return import_document(engine, Document(content, file, encoding), **options)  # type: ignore[arg-type]


def import_path(engine: Engine, path: Path, **options: object) -> ImportReport:
    """Read a file from disk (refusing a missing or oversized one first) and import it."""
    if not path.is_file():
        return ImportReport(str(path), ProblemLog([Problem(str(path), None, "", "", "file_missing")]))
    if too_large := size_problem(str(path), path.stat().st_size):
        return ImportReport(str(path), ProblemLog([too_large]))
    return import_file(engine, path.read_bytes(), str(path), **options)  # type: ignore[arg-type]


__all__ = [
    "SOURCES",
    "Batch",
    "Document",
    "ImportReport",
    "Source",
    "detect",
    "import_file",
    "import_path",
    "run_import",
]
