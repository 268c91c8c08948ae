"""Submission deadlines: Thông tư 02/2023/TT-BTTTT by default, each unit's own rules where it has them.

A rule is (day, month offset): the report is due on day `day` of the month `offset` months after the
period's last month. The Circular's deadlines to the receiving unit are the defaults: a monthly report
by the 15th of the month, a quarterly one by the 6th of the quarter's last month, the half-year one by
6 June, the yearly one by 25 November (the Ministry's own dates are 16th, 8th, 8 June and 27 November:
MINISTRY_RULES). Nine-month reports follow the quarterly rule (the 6th of September). The figures such a
report covers are the cut-off window of Nghị định 09/2019/NĐ-CP (the 15th to the 14th where the unit uses
it, see commstats.periods.period_window); months not over at the deadline are estimates, as in the
reports themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from commstats.cycle.messages import CycleError
from commstats.periods import Period, PeriodKind, add_months, day_in_month, period_window

KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "half", "nine_months", "year")


@dataclass(frozen=True)
class Rule:
    day: int
    month_offset: int = 0

    def check(self) -> Rule:
        if not (1 <= self.day <= 31 and -11 <= self.month_offset <= 12):
            raise CycleError("bad_rule", day=self.day, offset=self.month_offset)
        return self


DEFAULT_RULES: dict[str, Rule] = {
    "month": Rule(15),
    "quarter": Rule(6),
    "half": Rule(6),
    "nine_months": Rule(6),
    "year": Rule(25, -1),
}
MINISTRY_RULES: dict[str, Rule] = {
    "month": Rule(16),
    "quarter": Rule(8),
    "half": Rule(8),
    "nine_months": Rule(8),
    "year": Rule(27, -1),
}


def check_kind(kind: str) -> PeriodKind:
    for known in KINDS:
        if kind == known:
            return known
    raise CycleError("bad_kind", value=kind)


def rule_for(kind: str, unit_rules: Mapping[str, Rule] | None = None) -> Rule:
    """The unit's own rule for this kind of period, else the Circular's."""
    return (unit_rules or {}).get(kind) or DEFAULT_RULES[check_kind(kind)]


def deadline(period: Period, rule: Rule) -> dt.date:
    """The day a report of `period` is due under `rule` (clamped to the month's length)."""
    return day_in_month(add_months(period.end, rule.month_offset), rule.day)


@dataclass(frozen=True)
class Schedule:
    """What a round of `period` is bound by: the figures' window and the submission deadline."""

    period: Period
    window_start: dt.date
    window_end: dt.date
    deadline: dt.date


def schedule(period: Period, cutoff_day: int, unit_rules: Mapping[str, Rule] | None = None) -> Schedule:
    start, end = period_window(period, cutoff_day)
    return Schedule(period, start, end, deadline(period, rule_for(period.kind, unit_rules)))


def days_left(due: dt.date, today: dt.date) -> int:
    """Days until `due` (0 on the day itself, negative when overdue)."""
    return (due - today).days
