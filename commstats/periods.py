"""Period rules: months, quarters, half-years, nine months, years, and the reporting cut-off."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from commstats.config import get_settings

PeriodKind = Literal["month", "quarter", "half", "nine_months", "year"]
GRAINS: tuple[PeriodKind, ...] = ("month", "quarter", "half", "nine_months", "year")  # finest first

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS_IN_PERIOD: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "half": 6, "nine_months": 9, "year": 12}
# [0-9], not \d: \d also matches fullwidth and Arabic-Indic digits, which int() would accept.
_MONTH_PATTERNS = (
    re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})(?:-01)?$"),
    re.compile(r"^(?:th[aá]ng\s*)?(?P<m>[0-9]{1,2})\s*[/.-]\s*(?P<y>[0-9]{4})$", re.IGNORECASE),
)
# The widest range a month is ever parsed in; what is plausible for a unit is narrower (plausible_months).
PARSE_YEARS = (1900, 2200)


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from `start` to `end`, both included."""
    first, last = month_start(start.year, start.month), month_start(end.year, end.month)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(0, count))]


def current_month(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return month_start(today.year, today.month)


@dataclass(frozen=True)
class MonthWindow:
    """The months a figure may be stored for: from a unit's first year to the current month plus a margin.

    A figure outside it is a typing or file mistake (a date cell of 9999, a serial number read as a year);
    refusing it on every import path keeps one bad cell from breaking every page that shows the unit.
    """

    first: dt.date
    last: dt.date

    @classmethod
    def until_now(cls, first_year: int, future_months: int, today: dt.date | None = None) -> MonthWindow:
        return cls(month_start(first_year, 1), add_months(current_month(today), future_months))

    def __contains__(self, month: object) -> bool:
        return isinstance(month, dt.date) and self.first <= month_start(month.year, month.month) <= self.last

    def clamp(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """The part of first..last inside the window, or None when they do not overlap."""
        low, high = max(first, self.first), min(last, self.last)
        return (low, high) if low <= high else None


def parse_month(text: str | dt.date, years: tuple[int, int] = PARSE_YEARS) -> dt.date:
    """`2019-07`, `07/2019`, `7/2019`, `tháng 7/2019` (or a date) -> the first day of that month.

    `years` widens the accepted years only to name a stored mistake (deleting a figure of 9999)."""
    if isinstance(text, dt.datetime):
        return dt.date(text.year, text.month, 1)
    if isinstance(text, dt.date):
        return dt.date(text.year, text.month, 1)
    cleaned = unicodedata.normalize("NFC", str(text)).strip()
    for pattern in _MONTH_PATTERNS:
        found = pattern.match(cleaned)
        if found:
            year, month = int(found["y"]), int(found["m"])
            if 1 <= month <= 12 and years[0] <= year <= years[1]:
                return month_start(year, month)
    raise ValueError(cleaned)


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_of_event(day: dt.date, cutoff_day: int = 0) -> dt.date:
    """The reporting month an event on `day` counts in.

    cutoff_day 0 (or 1) is the calendar month. With 15, a month runs from the 15th of the
    previous month to the 14th (Nghị định 09/2019/NĐ-CP), so 2019-07-15 counts in August.
    """
    if cutoff_day <= 1 or day.day < cutoff_day:
        return month_start(day.year, day.month)
    return add_months(month_start(day.year, day.month), 1)


def reporting_window(month: dt.date, cutoff_day: int = 0) -> tuple[dt.date, dt.date]:
    """First and last day that count in `month` under the cut-off rule."""
    if cutoff_day <= 1:
        return month, add_months(month, 1) - dt.timedelta(days=1)
    previous = add_months(month, -1)
    return previous.replace(day=cutoff_day), month.replace(day=cutoff_day - 1)


def day_in_month(month: dt.date, day: int) -> dt.date:
    """Day `day` of `month`, or the month's last day when it is shorter (a deadline on the 31st in June)."""
    last = (add_months(month_start(month.year, month.month), 1) - dt.timedelta(days=1)).day
    return dt.date(month.year, month.month, min(max(day, 1), last))


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    year: int
    index: int = 1  # month 1-12, quarter 1-4, half 1; unused for nine months and year

    @property
    def months(self) -> list[dt.date]:
        count = MONTHS_IN_PERIOD[self.kind]
        first = (self.index - 1) * count + 1 if self.kind in ("month", "quarter", "half") else 1
        return [month_start(self.year, first + i) for i in range(count)]

    @property
    def start(self) -> dt.date:
        return self.months[0]

    @property
    def end(self) -> dt.date:
        return self.months[-1]

    @property
    def key(self) -> str:
        return {
            "month": f"{self.year}-{self.index:02d}",
            "quarter": f"{self.year}-Q{self.index}",
            "half": f"{self.year}-H{self.index}",
            "nine_months": f"{self.year}-9M",
            "year": f"{self.year}",
        }[self.kind]

    def name(self, lang: str = "vi") -> str:
        if lang == "en":
            return {
                "month": dt.date(self.year, self.index if self.kind == "month" else 1, 1).strftime("%B %Y"),
                "quarter": f"Q{self.index} {self.year}",
                "half": f"first half of {self.year}" if self.index == 1 else f"second half of {self.year}",
                "nine_months": f"first nine months of {self.year}",
                "year": f"{self.year}",
            }[self.kind]
        return {
            "month": f"tháng {self.index}/{self.year}",
            "quarter": f"Quý {ROMAN.get(self.index, '')}/{self.year}",
            "half": f"6 tháng đầu năm {self.year}" if self.index == 1 else f"6 tháng cuối năm {self.year}",
            "nine_months": f"9 tháng đầu năm {self.year}",
            "year": f"năm {self.year}",
        }[self.kind]

    def phrase(self, lang: str = "vi") -> str:
        """The name as it stands inside a sentence or a heading, in sentence case ("Số liệu báo cáo quý III/2019")."""
        name = self.name(lang)
        return name[0].lower() + name[1:] if lang != "en" and self.kind == "quarter" else name

    def previous(self) -> Period:
        """The period just before, of the same kind (a half-year before H1 is last year's H2)."""
        if self.kind == "month":
            prior = add_months(self.start, -1)
            return Period("month", prior.year, prior.month)
        if self.kind == "quarter":
            return Period("quarter", self.year - (self.index == 1), 4 if self.index == 1 else self.index - 1)
        if self.kind == "half":
            return Period("half", self.year - (self.index == 1), 2 if self.index == 1 else 1)
        return Period(self.kind, self.year - 1, self.index)

    def same_period_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.index)

    def year_to_date(self) -> list[dt.date]:
        """Months from January to the end of this period (lũy kế)."""
        return [month_start(self.year, m) for m in range(1, self.end.month + 1)]


def period_from_start(kind: str, start: dt.date) -> Period:
    """The period of `kind` that starts in the month of `start` (a quarter from 2020-04 is Q2/2020);
    ValueError when no such period starts then (a quarter from May, nine months from April)."""
    if kind not in MONTHS_IN_PERIOD:
        raise ValueError(kind)
    grain: PeriodKind = kind  # type: ignore[assignment]
    count = MONTHS_IN_PERIOD[grain]
    if grain in ("month", "quarter", "half") and (start.month - 1) % count == 0:
        return Period(grain, start.year, (start.month - 1) // count + 1)
    if start.month == 1:
        return Period(grain, start.year)
    raise ValueError(f"{kind} {start:%Y-%m}")


def coarser_periods_ending(month: dt.date) -> list[Period]:
    """The quarter, half-year, nine months and year that end with `month`, finest first (none for May)."""
    found = []
    for grain in GRAINS[1:]:
        try:
            period = period_from_start(grain, add_months(month, 1 - MONTHS_IN_PERIOD[grain]))
        except ValueError:
            continue
        if period.end == month:
            found.append(period)
    return found


def period_starts(kind: PeriodKind) -> tuple[int, ...]:
    """The months a period of `kind` may start in (a quarter: 1, 4, 7, 10)."""
    if kind in ("nine_months", "year"):
        return (1,)
    return tuple(range(1, 13, MONTHS_IN_PERIOD[kind]))


_PERIOD_PATTERNS: tuple[tuple[re.Pattern[str], PeriodKind], ...] = (
    (re.compile(r"^(?P<y>[0-9]{4})-Q(?P<i>[1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(?P<y>[0-9]{4})-H(?P<i>[12])$", re.IGNORECASE), "half"),
    (re.compile(r"^(?P<y>[0-9]{4})-9M$", re.IGNORECASE), "nine_months"),
    (re.compile(r"^(?P<y>[0-9]{4})$"), "year"),
)


def parse_period(text: str) -> Period:
    """`2019-07`, `2019-Q3`, `2019-H1`, `2019-9M`, `2019` (and the month forms of parse_month)."""
    cleaned = text.strip()
    for pattern, kind in _PERIOD_PATTERNS:
        found = pattern.match(cleaned)
        if found:
            return Period(kind, int(found["y"]), int(found.groupdict().get("i") or 1))
    month = parse_month(cleaned)
    return Period("month", month.year, month.month)


def period_window(period: Period, cutoff_day: int = 0) -> tuple[dt.date, dt.date]:
    """First and last day a report of `period` covers: the window of its first month to that of its last
    (Nghị định 09/2019/NĐ-CP: quarters, half-years and years follow the same 15→14 rule as months)."""
    return reporting_window(period.start, cutoff_day)[0], reporting_window(period.end, cutoff_day)[1]


def figure_window(first_year: int | None = None, today: dt.date | None = None) -> MonthWindow:
    """The months a unit (with its own first year, or the settings' one) may have figures for."""
    settings = get_settings()
    return MonthWindow.until_now(first_year or settings.first_year, settings.future_months, today)


RangePreset = Literal["this_year", "last_12", "last_year", "all"]
RANGE_PRESETS: tuple[RangePreset, ...] = ("this_year", "last_12", "last_year", "all")
DEFAULT_RANGE_MONTHS = 24  # the sidebar's range before the user chooses one: the last two years of figures


def default_range(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The range shown before any choice: the last 24 months with figures (fewer when there are fewer)."""
    return max(first, add_months(last, 1 - DEFAULT_RANGE_MONTHS)), last


def preset_range(preset: RangePreset | int, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The months of a quick choice next to the sidebar's range, within first..last (the months with
    figures), or None when none of its months has figures. "This year" and "last year" are counted from
    the last month with figures, so a database whose newest figures are from 2024 shows 2024 as this year;
    a whole number is that calendar year."""
    if preset == "all":
        return first, last
    if preset == "last_12":
        return max(first, add_months(last, -11)), last
    year = {"this_year": last.year, "last_year": last.year - 1}.get(str(preset), preset)
    assert isinstance(year, int)
    low, high = max(first, month_start(year, 1)), min(last, month_start(year, 12))
    return (low, high) if low <= high else None
