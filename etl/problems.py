"""Problems found in input: where (file, row, column), what value, and how to fix it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from commstats.cycle.messages import cycle_text
from commstats.i18n import t
from commstats.numbers import format_count


@dataclass(frozen=True)
class RawRow:
    """One row as read from a source; `line` is the row number the user sees (header = 1)."""

    line: int
    values: dict[str, Any]


def _in_words(value: Any, lang: str) -> Any:
    """A parameter as the message says it: a list as `vi, km hoặc en`, a name given per language (`{"vi": …,
    "en": …}`, from the catalogue) in `lang` (Vietnamese for a language without its own)."""
    if isinstance(value, dict):
        return value.get(lang, value.get("vi", ""))
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        if len(items) < 2:
            return "".join(items)
        return t("list_or", lang, head=", ".join(items[:-1]), last=items[-1])
    return value


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str
    value: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "vi") -> str:
        return t(self.key, lang, **{name: _in_words(value, lang) for name, value in self.params.items()})

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


def _kind(problem: Problem, lang: str) -> str:
    """A problem's kind in a few words: the first sentence of its message ("giá trị âm")."""
    first = problem.message(lang).split(". ", 1)[0].rstrip(".")
    return first[:1].lower() + first[1:]


class ProblemLog(list[Problem]):
    """Problems as they are found: the first `keep` in full, the rest only counted per kind.

    A file of a million bad rows costs a hundred messages and a few counters, not a million objects
    (the rows are still all read, so the counts are exact). It is a list of the kept problems;
    `total` counts them all and `more_text` says what was left out.
    """

    def __init__(self, problems: Iterable[Problem] = (), keep: int | None = None):
        super().__init__()
        if keep is None:
            from etl.limits import current

            keep = current().problems_kept
        self.keep = keep
        self.more: Counter[str] = Counter()
        self.examples: dict[str, Problem] = {}  # one problem of each kind counted, for its wording
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        if len(self) < self.keep:
            super().append(problem)
            return
        self.more[problem.key] += 1
        self.examples.setdefault(problem.key, problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)
        if isinstance(problems, ProblemLog):
            self.more.update(problems.more)
            for key, example in problems.examples.items():
                self.examples.setdefault(key, example)

    def __iadd__(self, problems: Iterable[Problem]) -> ProblemLog:  # type: ignore[override,misc]
        self.extend(problems)
        return self

    @property
    def total(self) -> int:
        return len(self) + sum(self.more.values())

    def more_text(self, lang: str = "vi") -> str:
        """ "và 5.669.900 lỗi khác: 5.669.900 × giá trị âm" — or "" when every problem was kept."""
        if not self.more:
            return ""
        kinds = "; ".join(
            f"{format_count(n, lang)} × {_kind(self.examples[key], lang)}" for key, n in self.more.most_common()
        )
        return t("problems_more", lang, count=format_count(sum(self.more.values()), lang), kinds=kinds)


def total(problems: list[Problem]) -> int:
    """How many problems there were, counting those a ProblemLog only counted."""
    return problems.total if isinstance(problems, ProblemLog) else len(problems)


def more_text(problems: list[Problem], lang: str = "vi") -> str:
    return problems.more_text(lang) if isinstance(problems, ProblemLog) else ""


def rendered(problems: list[Problem], lang: str = "vi") -> list[str]:
    """One line per kept problem, then the line counting the rest (if any)."""
    more = more_text(problems, lang)
    return [p.render(lang) for p in problems] + (["  " + more] if more else [])
