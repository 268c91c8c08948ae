"""One entry point for an uploaded file of any supported kind (the "Nhập tệp" page).

`preview` reads the file, shows its first rows and runs a dry run (every validation message,
counts of new / changed / unchanged figures); `load` imports it for real, reporting progress.
The kind is found from the content: the data-entry workbook by its structure, a licence register
by its header, anything else is the long format.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import gc
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import Engine

from commstats.i18n import t
from etl.extract.licence_register import HEADER_SEARCH_ROWS, extract_register, looks_like_register
from etl.extract.tabular import decode, field_limit
from etl.extract.template_workbook import is_template, open_checked
from etl.pipeline import EXTRACTORS, ImportReport, import_content, new_members_note, size_problem
from etl.problems import Problem, RawRow, RejectedFile, more_text, total
from etl.register import RegisterReport, import_register

Kind = Literal["long", "template", "register"]
PREVIEW_ROWS = 10
PREVIEW_CHARS = 200  # a cell of the preview table; the whole text is in the file
SUFFIXES = ("csv", "txt", "xlsx")


def _first_rows_xlsx(content: bytes, file: str) -> Iterator[list[object]]:
    workbook = open_checked(content, file)
    try:
        for row in workbook.worksheets[0].iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _first_rows_csv(content: bytes, file: str) -> Iterator[list[object]]:
    # The first 64 KB, cut after a line end: a cut inside a multi-byte character would make the
    # head undecodable as UTF-8, and a register's Vietnamese header unrecognisable.
    head = content if len(content) <= 65536 else content[: content.rfind(b"\n", 0, 65536) + 1 or 65536]
    text = decode(head, file)
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines)[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    first_rows = "\n".join(lines)
    with field_limit(len(first_rows) + 1):  # the first rows only: a long cell is the import's to refuse
        for row in csv.reader(io.StringIO(first_rows), delimiter=delimiter):
            cells: list[object] = list(row)
            yield cells


def detect_kind(content: bytes, file: str) -> Kind:
    """What the file is; a file that cannot be read at all counts as long format (its import says why)."""
    suffix = Path(file).suffix.lower()
    if size_problem(file, len(content)):  # the import refuses it before reading anything
        return "long"
    try:
        if suffix == ".xlsx":
            if is_template(content, file):
                return "template"
            rows = list(_first_rows_xlsx(content, file))
        elif suffix in (".csv", ".txt"):
            rows = list(_first_rows_csv(content, file))
        else:
            return "long"
    except (RejectedFile, UnicodeDecodeError, csv.Error, ValueError):
        return "long"
    return "register" if any(looks_like_register(r) for r in rows) else "long"


Report = ImportReport | RegisterReport


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
        if isinstance(self.report, RegisterReport):
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
        headers = [
            t(k, lang) for k in ("problem_col_row", "problem_col_column", "problem_col_value", "problem_col_message")
        ]
        rows = [
            (str(p.row) if p.row is not None else "-", p.column or "-", p.value, p.message(lang)) for p in self.problems
        ]
        if more := more_text(self.problems, lang):
            rows.append(("…", "…", "", more))
        return pd.DataFrame(rows, columns=headers)


def _cell(value: object) -> str:
    return "" if value is None else str(value)[:PREVIEW_CHARS]


def _head(content: bytes, file: str, kind: Kind, encoding: str | None) -> pd.DataFrame:
    """The first rows as read (before validation), with their row numbers."""
    suffix = Path(file).suffix.lower()
    if size_problem(file, len(content)):  # refused unread: so is its preview
        return pd.DataFrame()
    try:
        if kind == "register":
            rows: Iterator[RawRow] = extract_register(content, file)
        elif suffix in EXTRACTORS:
            rows = EXTRACTORS[suffix](content, file, encoding)
        else:
            return pd.DataFrame()
        first = list(itertools.islice(rows, PREVIEW_ROWS))
    except RejectedFile:
        return pd.DataFrame()
    records = [
        {"#": r.line} | {k: "" if v is None else str(v)[:PREVIEW_CHARS] for k, v in r.values.items()} for r in first
    ]
    return pd.DataFrame(records)


def release_memory() -> None:
    """Give the memory a large file took back to the system once it is read: collect cycles, then
    ask glibc to return its free heap (without it the server keeps its peak size for good)."""
    gc.collect()
    # Not glibc (macOS, musl): the memory is reused, just not returned.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _run(
    engine: Engine, content: bytes, file: str, kind: Kind, unit: str | None, dry_run: bool, **options: object
) -> Report:
    if kind == "register":
        return import_register(engine, content, file, unit=unit, dry_run=dry_run, **options)  # type: ignore[arg-type]
    return import_content(engine, content, file, unit=unit, dry_run=dry_run, **options)  # type: ignore[arg-type]


def preview(
    engine: Engine, content: bytes, file: str, *, unit: str | None = None, encoding: str | None = None
) -> Upload:
    """A dry run: every problem, or what a load would insert, change and leave alone. Writes nothing."""
    kind = detect_kind(content, file)
    options: dict[str, object] = {"encoding": encoding} if kind != "register" else {}
    report = _run(engine, content, file, kind, unit, True, **options)
    found = Upload(file, kind, report, _head(content, file, kind, encoding))
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
    kind = detect_kind(content, file)
    options: dict[str, object] = {"created_by": created_by, "progress": progress}
    if kind != "register":
        options["encoding"] = encoding
    loaded = Upload(file, kind, _run(engine, content, file, kind, unit, False, **options))
    release_memory()
    return loaded
