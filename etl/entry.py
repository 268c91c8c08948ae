"""Manual entry of one section's figures for one unit and month (the "Nhập số liệu" page).

The form has the rows of the data-entry workbook (commstats.template.form_rows) without its
total rows, prefilled with the stored figures. Saving hands the edited table to the entry source
(etl/sources/entry.py) and the one checked import sequence, as a file would: all or nothing, a batch of kind
"entry", revisions for changed figures. An empty cell means "not reported": it never deletes or
zeroes a stored figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from commstats import queries
from commstats.i18n import t
from commstats.template import FormSection, form_rows
from etl.load import LoadResult
from etl.problems import Problem
from etl.sources import entry as entry_source
from etl.sources.base import ImportReport
from etl.validate import parse_count

COLUMNS = ["code", "metric", "member", "label", "unit_word", "value"]


def sections(engine: Engine, unit_code: str, lang: str = "vi") -> list[FormSection]:
    return form_rows(engine, unit_code, lang)


def stored_values(engine: Engine, unit_code: str, month: dt.date, section_code: str) -> dict[tuple[str, str], int]:
    frame = queries.observations_for_export(
        engine, start=month, end=month, unit_codes=[unit_code], section_codes=[section_code], grain="month"
    )  # a quarter's figure starts on the same day as its first month: never shown as that month's
    columns = zip(frame["metric"].tolist(), frame["member"].tolist(), frame["value"].tolist(), strict=True)
    return {(str(metric), str(member)): int(value) for metric, member, value in columns}


def entry_frame(engine: Engine, unit_code: str, month: dt.date, section_code: str, lang: str = "vi") -> pd.DataFrame:
    """The section's rows with the stored figure of `month` as text (None when not reported)."""
    stored = stored_values(engine, unit_code, month, section_code)
    section = next((s for s in sections(engine, unit_code, lang) if s.code == section_code), None)
    rows = []
    for row in section.rows if section else []:
        if row.is_total:
            continue
        value = stored.get((row.metric, row.member))
        text = None if value is None else str(value)
        rows.append([row.code, row.metric, row.member, row.full_label, row.unit_word, text])
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass
class EntryResult:
    """The page's view of the import report of one form: problems by the form's row labels, the changes."""

    report: ImportReport
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: dict[int, str] = field(default_factory=dict)  # editor row number -> row label

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def problems(self) -> list[Problem]:
        return self.report.problems

    @property
    def result(self) -> LoadResult | None:
        return self.report.result

    def message(self, lang: str = "vi") -> str:
        if self.result is None:
            return t("entry_nothing", lang)
        counts = {"inserted": self.result.inserted, "updated": self.result.updated, "unchanged": self.result.unchanged}
        if self.result.batch_id is None:
            return t("entry_unchanged", lang, **counts)
        return t("entry_saved", lang, batch=self.result.batch_id, **counts)

    def problem_table(self, lang: str = "vi") -> pd.DataFrame:
        """One line per problem: editor row, the row's label, the value typed, what to fix."""
        headers = [
            t(k, lang) for k in ("problem_col_row", "problem_col_metric", "problem_col_value", "problem_col_message")
        ]
        rows = [(p.row, self.labels.get(p.row or 0, p.column), p.value, p.message(lang)) for p in self.problems]
        return pd.DataFrame(rows, columns=headers)


def save_entry(
    engine: Engine,
    unit_code: str,
    month: dt.date,
    section_code: str,
    edited: pd.DataFrame,
    *,
    lang: str = "vi",
    created_by: str = "",
    reason: str = "",
) -> EntryResult:
    """Save the edited table through the one import sequence (etl.sources.entry); problems or what changed."""
    before = stored_values(engine, unit_code, month, section_code)
    records = edited.to_dict("records")
    report = entry_source.save(
        engine, entry_source.EntryForm(unit_code, month, section_code, edited), created_by=created_by, reason=reason
    )
    outcome = EntryResult(report, labels={n: str(r.get("label", "")) for n, r in enumerate(records, start=1)})
    if report.ok and report.result is not None:
        typed = [(r, parse_count(r["value"])[0]) for r in records if not entry_source.blank(r.get("value"))]
        changed = [
            (str(r["label"]), before.get((str(r["metric"]), str(r["member"] or ""))), value)
            for r, value in typed
            if before.get((str(r["metric"]), str(r["member"] or ""))) != value
        ]
        headers = [t(k, lang) for k in ("change_col_metric", "change_col_old", "change_col_new")]
        outcome.changes = pd.DataFrame(changed, columns=headers)
    return outcome
