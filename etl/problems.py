"""Problems found in input: where (file, row, column), what value, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commstats.cycle.messages import cycle_text
from commstats.i18n import t


@dataclass(frozen=True)
class RawRow:
    """One row as read from a source; `line` is the row number the user sees (header = 1)."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str
    value: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return t(self.key, lang, **self.params)

    def render(self, lang: str = "vi") -> str:
        shown = f" (“{self.value[:60]}”)" if self.value else ""
        row = self.row if self.row is not None else "-"
        return t("problem_line", lang, row=row, column=self.column or "-", value=shown, message=self.message(lang))


@dataclass(frozen=True)
class CycleProblem(Problem):
    """A refusal of the report cycle (a locked period without a reason), reported like any other problem."""

    def message(self, lang: str = "vi") -> str:
        return cycle_text(self.key, lang, **self.params)


class RejectedFile(Exception):
    """Raised by an extract when the whole file cannot be read; carries the problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.render("en") for p in problems))
        self.problems = problems
