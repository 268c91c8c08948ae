"""The one reader of CSV and XLSX files: a file is read and parsed once, whatever asks for its records.

A `Document` holds the bytes of one file. Its tables are parsed lazily and only once: CSV text is
decoded once and its records come from one `csv_records` parser; an XLSX workbook is opened once
(after `check_xlsx_archive` and the DTD check, in `open_checked`) and each sheet's rows are read by
one iterator. Detection peeks at a table's first records (`head`), and the extract that follows
continues the same iterator from the start of its buffer, so peeking costs no second parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from etl.extract import tabular
from etl.extract.template_workbook import guarded, open_checked
from etl.problems import RejectedFile

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
HEAD_ROWS = 40  # the header of every table source is searched for in its first rows


class Table:
    """The records of one CSV file or one sheet, parsed once: `head(n)` peeks, iterating reads them all.

    A table is iterated once (a second full pass would be a second parse): a second `rows()` raises."""

    def __init__(self, records: Iterator[list[Any]]):
        self._records = records
        self._buffer: list[list[Any]] = []
        self._error: RejectedFile | None = None
        self._done = False
        self._consumed = False

    def head(self, count: int = HEAD_ROWS) -> list[list[Any]]:
        """The first `count` records (fewer if the table is shorter or unreadable after them)."""
        while len(self._buffer) < count and not self._done and self._error is None:
            try:
                self._buffer.append(next(self._records))
            except StopIteration:
                self._done = True
            except RejectedFile as error:  # raised again where the extract reaches it
                self._error = error
        return self._buffer[:count]

    def rows(self) -> Iterator[list[Any]]:
        """Every record from the first, continuing the parse `head` started."""
        if self._consumed:
            raise RuntimeError("a table is read once")
        self._consumed = True
        yield from self._buffer
        if self._error is not None:
            raise self._error
        if not self._done:
            yield from self._records


class Document:
    """One file: its name, its bytes and (read on demand, once) its tables."""

    def __init__(self, content: bytes, file: str, encoding: str | None = None):
        self.content, self.file, self.encoding = content, file, encoding
        self.suffix = Path(file).suffix.lower()
        self._tables: dict[int, Table] = {}
        self._workbook: Any = None
        self._error: RejectedFile | None = None
        self.name = Path(file).name
        self.memo: dict[str, Any] = {}  # what a source found out about the file (the template marker)

    @property
    def is_csv(self) -> bool:
        return self.suffix in CSV_SUFFIXES

    @property
    def is_xlsx(self) -> bool:
        return self.suffix in XLSX_SUFFIXES

    @property
    def workbook(self) -> Any:
        """The openpyxl workbook (read-only), opened once; RejectedFile when it cannot be."""
        if self._error is not None:
            raise self._error
        if self._workbook is None:
            try:
                self._workbook = open_checked(self.content, self.file)
            except RejectedFile as error:
                self._error = error
                raise
        return self._workbook

    def sheet_count(self) -> int:
        return len(self.workbook.worksheets)

    def table(self, index: int = 0) -> Table:
        """The records of the CSV text, or of the workbook's sheet `index`; the same Table every time."""
        if index not in self._tables:
            self._tables[index] = Table(self._records(index))
        return self._tables[index]

    def _records(self, index: int) -> Iterator[list[Any]]:
        if self.is_xlsx:
            sheet = self.workbook.worksheets[index]
            sheet.reset_dimensions()  # every row there is, whatever size the sheet declares
            rows = (
                [tabular.nfc(c) if isinstance(c, str) else c for c in row] for row in sheet.iter_rows(values_only=True)
            )
            yield from guarded(rows, self.file)  # type: ignore[arg-type,misc]
            return
        text = tabular.decode(self.content, self.file, self.encoding)
        tabular.count_records(text, self.file, tabular.limits().rows)
        yield from tabular.csv_records(text, self.file)

    def head(self, count: int = HEAD_ROWS, index: int = 0) -> list[list[Any]]:
        """The first records of a table; [] when the file cannot be read (its import says why)."""
        try:
            return self.table(index).head(count)
        except RejectedFile:
            return []

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
