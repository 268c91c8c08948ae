"""Manual entry (the "Nhập số liệu" page): one section's figures for one unit and month, typed into a form.

The edited table is the source's input; an empty cell means "not reported" and is not a row. The rows
are checked by validate_rows and loaded by load_rows like a file's (a batch of kind "entry").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from commstats.periods import month_key
from etl.load import LoadResult
from etl.problems import RawRow
from etl.sources.base import Batch, ImportReport, Source, run_import
from etl.validate import Reference


@dataclass(frozen=True)
class EntryForm:
    unit_code: str
    month: dt.date
    section_code: str
    edited: pd.DataFrame

    @property
    def name(self) -> str:
        """The batch's source name: `unit 2019-07 section`."""
        return f"{self.unit_code} {month_key(self.month)} {self.section_code}"


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


class ManualEntry(Source):
    kind = "entry"
    empty_ok = True  # a form left blank saves nothing and says so

    def extract(self, given: EntryForm, batch: Batch) -> Iterator[RawRow]:
        for number, row in enumerate(given.edited.to_dict("records"), start=1):
            if blank(row.get("value")):
                continue
            values = {"unit": given.unit_code, "period": given.month, "metric": row["metric"]}
            yield RawRow(number, values | {"member": row["member"] or "", "value": row["value"], "note": ""})

    def load(
        self, engine: Engine, clean: list[Any], reference: Reference, batch: Batch, report: ImportReport
    ) -> LoadResult:
        digest = json.dumps([[c.metric_code, c.member_code, c.value] for c in clean], ensure_ascii=False)
        batch.sha256 = hashlib.sha256(digest.encode()).hexdigest()  # the figures saved, not the form's layout
        return super().load(engine, clean, reference, batch, report)


SOURCE = ManualEntry()


def save(engine: Engine, form: EntryForm, *, created_by: str = "", reason: str = "") -> ImportReport:
    """The form through the one checked sequence."""
    batch = Batch(form.name, name=form.name, unit=form.unit_code, created_by=created_by, reason=reason)
    return run_import(engine, SOURCE, form, batch)
