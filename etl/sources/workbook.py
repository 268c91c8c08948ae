"""The data-entry workbook (commstats/template.py), recognised by its structure, not its name."""

from __future__ import annotations

from collections.abc import Iterator

from etl.extract.tabular import long_rows
from etl.extract.template_workbook import looks_like_template, template_rows
from etl.problems import RawRow
from etl.sources.base import Batch, Source
from etl.sources.read import Document


class EntryWorkbook(Source):
    kind = "template"
    suffixes = (".xlsx",)

    def detect(self, document: Document) -> float:
        return 1.0 if document.suffix in self.suffixes and looks_like_template(document) else 0.0

    def extract(self, given: Document, batch: Batch) -> Iterator[RawRow]:
        rows = template_rows(given)
        if rows is None:  # not the workbook after all: its first sheet in the long format
            return long_rows(given.table(0).rows(), given.file)
        return iter(rows)


SOURCE = EntryWorkbook()
