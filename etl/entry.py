"""Manual entry of one section's figures for one unit and month (the "Nhập số liệu" page).

The form has the rows of the data-entry workbook (commstats.template.form_rows) without its
total rows, prefilled with the stored figures. Saving builds RawRows from the edited table and
goes through the same validate and load steps as a file: all or nothing, a batch of kind
"entry", revisions for changed figures. An empty cell means "not reported": it never deletes or
zeroes a stored figure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from commstats import queries
from commstats.i18n import t
from commstats.periods import month_key
from commstats.template import FormSection, form_rows
from etl.load import LoadResult, load_rows
from etl.problems import Problem, RawRow
from etl.validate import Reference, validate_rows

SOURCE_KIND = "entry"
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


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


@dataclass
class EntryResult:
    problems: list[Problem] = field(default_factory=list)
    result: LoadResult | None = None
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    labels: dict[int, str] = field(default_factory=dict)  # editor row number -> row label

    @property
    def ok(self) -> bool:
        return not self.problems

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
    """Validate the edited table like an import and load it; returns problems or what changed."""
    outcome = EntryResult()
    raw: list[RawRow] = []
    for number, row in enumerate(edited.to_dict("records"), start=1):
        outcome.labels[number] = str(row.get("label", ""))
        if _blank(row.get("value")):
            continue
        values = {"unit": unit_code, "period": month, "metric": row["metric"], "member": row["member"] or ""}
        raw.append(RawRow(number, values | {"value": row["value"], "note": ""}))
    name = f"{unit_code} {month_key(month)} {section_code}"
    clean, problems = validate_rows(raw, name, Reference.read(engine), unit_code)
    if problems:
        outcome.problems = problems
        return outcome
    if not clean:
        return outcome
    before = stored_values(engine, unit_code, month, section_code)
    labels = {(str(r["metric"]), str(r["member"] or "")): str(r["label"]) for r in edited.to_dict("records")}
    changed = [
        (labels.get((c.metric_code, c.member_code), c.metric_code), before.get((c.metric_code, c.member_code)), c.value)
        for c in clean
        if before.get((c.metric_code, c.member_code)) != c.value
    ]
    headers = [t(k, lang) for k in ("change_col_metric", "change_col_old", "change_col_new")]
    outcome.changes = pd.DataFrame(changed, columns=headers)
    digest = json.dumps([[c.metric_code, c.member_code, c.value] for c in clean], ensure_ascii=False)
    outcome.result = load_rows(
        engine, clean, source_kind=SOURCE_KIND, source_name=name, sha256=hashlib.sha256(digest.encode()).hexdigest(),
        created_by=created_by, reason=reason,
    )  # fmt: skip
    return outcome
