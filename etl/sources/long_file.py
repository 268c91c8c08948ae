"""The long format: a CSV or XLSX table, one figure a row (period, metric, member, value, unit, note)."""

from __future__ import annotations

from collections.abc import Iterator

from etl.extract.tabular import HEADER_ALIASES, REQUIRED, long_rows, nfc
from etl.problems import RawRow
from etl.sources.base import Batch, Source
from etl.sources.read import Document


def _name(cell: object) -> str:
    return HEADER_ALIASES.get(nfc(str(cell if cell is not None else "")).strip().lower(), "")


def _names(cells: list[object]) -> set[str]:
    # Each distinct text cell normalised once: a hostile row of a million equal cells costs one.
    texts = {c for c in cells if type(c) is str}
    return {_name(c) for c in texts} | {_name(c) for c in cells if type(c) is not str}


class LongFile(Source):
    kind = "long"
    suffixes = (".csv", ".txt", ".xlsx")

    def detect(self, document: Document) -> float:
        """Sure when the first filled row has the columns; otherwise the fallback for any table (its
        import then names the missing columns)."""
        if document.suffix not in self.suffixes:
            return 0.0
        first = next((r for r in document.head() if any(str(c if c is not None else "").strip() for c in r)), [])
        names = _names(first)  # once: a hostile header has a million cells
        return 0.9 if all(name in names for name in REQUIRED) else 0.1

    def extract(self, given: Document, batch: Batch) -> Iterator[RawRow]:
        return long_rows(given.table(0).rows(), given.file)

    def batch_kind(self, given: Document) -> str:
        return given.suffix.lstrip(".")


SOURCE = LongFile()
