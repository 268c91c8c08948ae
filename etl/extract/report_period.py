"""The period a past report is about, read from its title, and the periods its sentences name.

A report says what it covers in its title: "Công tác tháng 7 và kế hoạch tháng 8/2019", "Kết quả công
tác quý II năm 2020 và phương hướng, nhiệm vụ quý III", "6 tháng đầu năm 2020", "9 tháng đầu năm 2020",
"năm 2020". That period (a commstats.periods.Period) is the grain of every figure read from the body; a
date or period named inside a body sentence never changes it, it only sends that sentence's figures to
review when it names another period ("Trong tháng 4, …" in a quarterly report).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from commstats.periods import Period, PeriodKind, add_months

HEADER_LINES = 30  # the title is among the first lines of a report
MAX_TITLE_LINE = 240

_YEAR = r"(?:19|20)[0-9]{2}(?![0-9])"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# One period phrase. Alternatives are tried at each position in order, so "6 tháng đầu năm 2020" is a
# half-year (not the year 2020) and "tháng 7 năm 2019" a month.
PHRASE = re.compile(
    rf"""
    (?P<range>(?:từ\s+)?tháng\s+(?P<ra>[0-9]{{1,2}})(?:\s*[/.-]\s*(?P<ray>{_YEAR}))?\s*(?:đến|tới|-|–)\s*
        (?:hết\s+|cuối\s+)?tháng\s+(?P<rb>[0-9]{{1,2}})(?:\s*(?:/|-|\.|năm)\s*(?P<rby>{_YEAR}))?)
    |(?P<half>(?:0?6|sáu)\s+tháng\s+(?P<hpos>đầu|cuối)\s+năm(?:\s+(?P<hy>{_YEAR}))?)
    |(?P<nine>(?:0?9|chín)\s+tháng\s+(?:đầu\s+)?năm(?:\s+(?P<ny>{_YEAR}))?)
    |(?P<quarter>quý\s+(?P<q>iv|iii|ii|i|[1-4])(?![0-9a-zđ])(?:\s*(?:/|-|năm)\s*(?P<qy>{_YEAR}))?)
    |(?P<month>tháng\s+(?P<m>[0-9]{{1,2}})(?![0-9])(?:\s*(?:/|-|\.|năm)\s*(?P<my>{_YEAR}))?)
    |(?P<year>năm\s+(?P<y>{_YEAR}))
    """,
    re.IGNORECASE | re.VERBOSE,
)
_TITLE_WORDS = re.compile(r"báo cáo|công tác|tình hình|kết quả|hoạt động|nhiệm vụ|tổng kết|sơ kết", re.I)
# Words right before a period phrase that make it the plan period, not the report's ("kế hoạch tháng 8").
_PLAN_BEFORE = re.compile(
    r"(?:(?<!thực hiện )kế hoạch|phương hướng|dự kiến|(?<!thực hiện )nhiệm vụ)"
    r"(?:\s*,?\s*(?:nhiệm vụ|công tác|hoạt động|trọng tâm|giải pháp|kế hoạch))*\s*$",
    re.I,
)
_REPORT_WORD = re.compile(r"^\W*báo cáo\W*$", re.I)  # the line "BÁO CÁO" above a title that has no title words
_BODY_LINE = re.compile(r"^(?:[-–—•+*]|trong\b|tính đến\b|lũy kế\b|riêng\b)", re.I)  # a list item or a body sentence
_SIGNING = re.compile(r"ngày\s+(?P<d>[0-9]{1,2})\s+tháng\s+(?P<m>[0-9]{1,2})\s+năm\s+(?P<y>(?:19|20)[0-9]{2})", re.I)
_ESTIMATE_TITLE = re.compile(r"\bước\b", re.I)
# A year on its own names a period only after one of these words (or at the start of a clause):
# "Trong năm 2020, …" yes; "Tháng hành động … năm 2019" no.
_YEAR_LEAD = re.compile(r"(?:^|\b(?:trong|cả|riêng|của|hết|tính chung|lũy kế|luỹ kế))[\s,]*$", re.I)
_AS_OF = re.compile(r"\bđến\s+(?:hết\s+|cuối\s+)?$", re.I)
_AS_OF_DATE = re.compile(
    r"\b(?:đến|tới)\s+(?:hết\s+)?ngày\s+[0-9]{1,2}\s*[/.-]\s*(?P<m>[0-9]{1,2})(?:\s*[/.-]\s*(?P<y>(?:19|20)[0-9]{2}))?",
    re.I,
)
# Periods named without a number, relative to the report's own.
_RELATIVE = re.compile(
    r"\b(?P<ytd>(?:lũy kế |luỹ kế )?từ đầu năm)"
    r"|\b(?P<this_quarter>trong quý(?! ?[0-9IVivx])|quý này)\b"
    r"|\b(?P<this_month>trong tháng(?! ?[0-9])|tháng này)\b"
    r"|\b(?P<this_year>trong năm(?! ?[0-9])|cả năm(?! ?[0-9])|năm nay)\b"
    r"|\b(?P<this_period>trong kỳ(?: báo cáo)?|kỳ báo cáo|kỳ này)\b",
    re.I,
)
# Words after a figure that name its period ("đăng 1.130 tin trong quý II/2020").
_AFTER_LEAD = re.compile(r"\b(?:trong|của|vào|tính đến hết|đến hết)\s+$", re.I)


@dataclass(frozen=True)
class TitlePeriod:
    """The report's period as its title gives it, and whether the title says its figures are estimates."""

    period: Period
    title: str
    estimated: bool
    signed: dt.date | None  # "Trà Vinh, ngày 06 tháng 6 năm 2020"


def _resolve(found: re.Match[str], default_year: int | None) -> Period | None:
    """The Period a phrase names; `default_year` fills a phrase without its year."""

    def year(group: str) -> int | None:
        return int(found[group]) if found[group] else default_year

    if found["range"]:
        first, last = int(found["ra"]), int(found["rb"])
        y = year("rby") or year("ray")
        if y is None or not (1 <= first <= last <= 12):
            return None
        return _span(y, first, last)
    if found["half"]:
        y = year("hy")
        return Period("half", y, 1 if found["hpos"].lower() == "đầu" else 2) if y else None
    if found["nine"]:
        y = year("ny")
        return Period("nine_months", y) if y else None
    if found["quarter"]:
        q = found["q"].lower()
        y = year("qy")
        return Period("quarter", y, _ROMAN.get(q) or int(q)) if y else None
    if found["month"]:
        m, y = int(found["m"]), year("my")
        return Period("month", y, m) if y and 1 <= m <= 12 else None
    return Period("year", int(found["y"]))


def _span(year: int, first: int, last: int) -> Period | None:
    """The Period made of months first..last of `year` (April to June is Q2), None when none is."""
    for kind, count in (("month", 1), ("quarter", 3), ("half", 6)):
        if last - first + 1 == count and (first - 1) % count == 0:
            return Period(kind, year, (first - 1) // count + 1)  # type: ignore[arg-type]
    if first == 1 and last == 9:
        return Period("nine_months", year)
    if first == 1 and last == 12:
        return Period("year", year)
    return None


def _with_year(found: re.Match[str]) -> bool:
    return any(found[g] for g in ("ray", "rby", "hy", "ny", "qy", "my")) or bool(found["year"])


def _header(text: str) -> list[str]:
    lines = [" ".join(unicodedata.normalize("NFC", raw).split()) for raw in text.split("\n")]
    return [line for line in lines if line][:HEADER_LINES]


def _signing_date(header: list[str]) -> dt.date | None:
    for line in header:
        found = _SIGNING.search(line)
        if found:
            try:
                return dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                return None
    return None


def _later_year(line: str, after: int, start_month: int) -> int | None:
    """The year written after a phrase in the same title line ("quý II và phương hướng quý III năm 2020");
    a later period that starts earlier in the year belongs to the next year ("tháng 12 và … tháng 01/2020")."""
    for later in PHRASE.finditer(line, after):
        if later["year"]:  # "quý IV năm 2020": the year of the phrase itself
            return int(later["y"])
        if _with_year(later):
            period = _resolve(later, None)
            if period is not None:
                return period.year - 1 if period.start.month < start_month else period.year
    found = re.search(_YEAR, line[after:])
    return int(found.group()) if found else None


def detect_title_period(text: str) -> TitlePeriod | None:
    """The period named in the report's title, skipping the plan period and the signing date."""
    header = _header(text)
    signed = _signing_date(header)
    for index, line in enumerate(header):
        if len(line) > MAX_TITLE_LINE or _SIGNING.search(line) or _BODY_LINE.match(line):
            continue
        titled = index > 0 and _REPORT_WORD.match(header[index - 1])
        for found in PHRASE.finditer(line):
            before = line[: found.start()]
            if _PLAN_BEFORE.search(before) or not (_TITLE_WORDS.search(before) or titled):
                continue
            if found["year"] and not (_TITLE_WORDS.search(before) and _YEAR_LEAD_TITLE.search(before)):
                continue
            period = _resolve(found, None)
            if period is None:
                guess = _resolve(found, 2000)
                # a title wrapped by the PDF may carry its year on the next line ("… quý II" / "năm 2020 …")
                following = line + " " + header[index + 1] if index + 1 < len(header) else line
                year = _later_year(following, found.end(), guess.start.month if guess else 1)
                if year is None:
                    year = next((int(m.group()) for h in header if (m := re.search(_YEAR, h))), None)
                period = _resolve(found, year) if year else None
            if period is not None:
                estimated = bool(_ESTIMATE_TITLE.search(line) or (index and _ESTIMATE_TITLE.search(header[index - 1])))
                return TitlePeriod(period, line, estimated, signed)
    return None


# "Báo cáo tổng kết công tác năm 2020": a year in a title follows the title's own words.
_YEAR_LEAD_TITLE = re.compile(
    r"(?:báo cáo|công tác|tình hình|kết quả|hoạt động|nhiệm vụ|tổng kết|sơ kết|thực hiện|kế hoạch|"
    r"truyền thông|ngành|sở)\s*$",
    re.I,
)


def signing_date(text: str) -> dt.date | None:
    return _signing_date(_header(text))


# ---------------------------------------------------------------------------------------------
# Periods named inside sentences
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    word: str  # as written
    same: bool  # names the report's own period


def mentions(text: str, report: Period) -> list[Mention]:
    """The periods `text` names, each compared with the report's period."""
    found_list: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for found in PHRASE.finditer(text):
        before = text[: found.start()]
        if found["year"] and not _YEAR_LEAD.search(before):
            continue
        period = _resolve(found, report.year)
        if period is None:
            continue
        if period.kind == "month" and _AS_OF.search(before):
            # "tính đến hết tháng 6/2020": from January to that month (a flow) or at its end (a stock); both
            # agree with the report's figure only when the report itself runs from January to that month.
            same = report.start.month == 1 and period.start == report.end
        else:
            same = period == report
        taken.append(found.span())
        found_list.append(Mention(found.group(), same))
    for found in _AS_OF_DATE.finditer(text):
        month, year = int(found["m"]), int(found["y"]) if found["y"] else report.year
        as_of = 1 <= month <= 12 and dt.date(year, month, 1) == report.end
        found_list.append(Mention(found.group(), as_of and report.start.month == 1))
    for found in _RELATIVE.finditer(text):
        if any(s <= found.start() < e for s, e in taken):
            continue
        kind = found.lastgroup or ""
        if kind == "ytd":
            same = report.start.month == 1  # January to the end of this period is this period
        elif kind == "this_period":
            same = True
        else:
            wanted: PeriodKind = {"this_quarter": "quarter", "this_month": "month", "this_year": "year"}[kind]  # type: ignore[assignment]
            same = report.kind == wanted
        found_list.append(Mention(found.group(), same))
    return found_list


def mentions_after(text: str, report: Period) -> list[Mention]:
    """Periods named right after a figure by "trong/của/vào …" ("1.130 tin, bài trong quý II/2020")."""
    result: list[Mention] = []
    for found in PHRASE.finditer(text):
        if not _AFTER_LEAD.search(text[: found.start()]):
            continue
        period = _resolve(found, report.year)
        if period is not None:
            result.append(Mention(found.group(), period == report))
    return result


def written_before_end(period: Period, day: dt.date) -> bool:
    """Whether `day` is before the last day of `period` (the report was written before it was over)."""
    return day < add_months(period.end, 1)
