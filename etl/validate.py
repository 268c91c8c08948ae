"""Check raw rows against the catalogue; every problem is collected, none is fixed silently."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from commstats import queries
from commstats.auth import UNIT_SCOPE
from commstats.catalog import NO_DIMENSION, UNALLOCATED, load_catalog
from commstats.codes import is_code, suggest_code
from commstats.export import FORMULA_LEADS
from commstats.models import Member, Metric
from commstats.periods import (
    GRAINS,
    MonthWindow,
    Period,
    PeriodKind,
    figure_window,
    parse_month,
    parse_period,
    period_from_start,
    period_starts,
)
from commstats.units import reporting_ends
from etl.problems import Problem, ProblemLog, RawRow


def close_code(typed: str, known: Iterable[str]) -> str | None:
    """The known code `typed` most likely meant (a slip of the keyboard: `portal_postz`, `kh`), or None."""
    matches = difflib.get_close_matches(typed.strip().casefold(), list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_metric(code: str, known: Iterable[str]) -> tuple[str, dict[str, object]]:
    """The problem key and parameters of a metric code not in the catalogue, with a did-you-mean."""
    suggestion = close_code(code, known)
    return ("unknown_metric_close", {"suggestion": suggestion}) if suggestion else ("unknown_metric", {})


def unknown_member(dimension: str, code: str, reference: Reference) -> tuple[str, dict[str, object]]:
    """`Mã ngôn ngữ không hợp lệ; dùng vi, km hoặc en`: the dimension in words, its codes in catalogue order,
    and the one meant when the code is a near miss."""
    spec = load_catalog().dimensions.get(dimension)
    listed = [m.code for m in spec.members] if spec else []
    stored = [c for d, c in reference.members if d == dimension and c != UNALLOCATED]
    allowed = [c for c in listed if c in stored] + sorted(c for c in stored if c not in listed)
    name = {"vi": spec.name_vi.lower(), "en": spec.name_en.lower()} if spec else dimension
    params: dict[str, object] = {"dimension": name, "allowed": allowed}
    if suggestion := close_code(code, allowed):
        return "unknown_member_close", {**params, "suggestion": suggestion}
    return "unknown_member", params


MAX_VALUE = 10**12
MAX_TEXT = 2000
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:[.\s\u00a0][0-9]{3})+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEUTRALISED = tuple("'" + lead for lead in FORMULA_LEADS)
# The grain column: the PeriodKind codes and the words a Vietnamese sheet uses for them.
GRAIN_WORDS: dict[str, PeriodKind] = {
    **{kind: kind for kind in GRAINS},
    "tháng": "month",
    "quý": "quarter",
    "6 tháng": "half",
    "6 tháng đầu năm": "half",
    "9 tháng": "nine_months",
    "9 tháng đầu năm": "nine_months",
    "năm": "year",
    "nine months": "nine_months",
}
# The estimated column: what marks a figure as an estimate ("ước thực hiện") and what says it is not.
ESTIMATED_YES = frozenset({"1", "x", "true", "yes", "có", "ước", "ước tính", "ước thực hiện"})
ESTIMATED_NO = frozenset({"", "0", "false", "no", "không"})


@dataclass(frozen=True)
class CleanRow:
    line: int
    unit_code: str
    metric_code: str
    period: dt.date
    member_code: str
    value: int
    note: str = ""
    grain: PeriodKind = "month"  # the period the figure is for; `period` is its first day
    estimated: bool = False  # "ước thực hiện": written before the period was over


@dataclass
class Reference:
    """What validation needs from the database, read once per import."""

    units: dict[str, int]
    metrics: dict[str, tuple[int, str]]  # code -> (id, dimension or "")
    members: dict[tuple[str, str], int]  # (dimension, code) -> id
    member_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (dim, name) -> code
    open_dimensions: set[str] = field(default_factory=set)
    windows: dict[str, MonthWindow] = field(default_factory=dict)  # unit code -> months it may have figures for
    mergers: dict[str, tuple[dt.date, str]] = field(default_factory=dict)  # unit code -> (merged on, successor)
    ratios: set[str] = field(default_factory=set)  # ratio metrics: computed, so never imported

    def period_problem(self, unit_code: str, month: dt.date) -> tuple[str, dict[str, object]] | None:
        """Why `unit_code` cannot have a figure for `month`, or None: outside its window, or after its merger."""
        window = self.windows.get(unit_code) or figure_window()
        if month not in window:
            return "period_out_of_range", {"first": f"{window.first:%m/%Y}", "last": f"{window.last:%m/%Y}"}
        merged = self.mergers.get(unit_code)
        if merged is not None and month >= merged[0]:  # a month that starts on or after the merger
            return "period_after_merger", {"successor": merged[1], "date": f"{merged[0]:%d/%m/%Y}"}
        return None

    @classmethod
    def read(cls, engine: Engine) -> Reference:
        everyone = queries.units(engine)
        # The settings are read once per first year, not once per unit.
        by_year = {year: figure_window(year) for year in {u.first_year for u in everyone}}
        windows = {u.code: by_year[u.first_year] for u in everyone}
        mergers = reporting_ends(everyone)
        with Session(engine) as session:
            units = {u.code: u.id for u in everyone}
            scope = UNIT_SCOPE.get()  # the units a signed-in editor may write to (commstats.auth.unit_scope)
            if scope is not None:
                units = {code: unit_id for code, unit_id in units.items() if code in scope}
            all_metrics = list(session.scalars(select(Metric)))
            metrics = {m.code: (m.id, m.dimension or NO_DIMENSION) for m in all_metrics if m.kind != "ratio"}
            ratios = {m.code for m in all_metrics if m.kind == "ratio"}  # computed from their parts, never loaded
            members: dict[tuple[str, str], int] = {}
            names: dict[tuple[str, str], str] = {}
            # Plain rows, not ORM objects: a national database has ~34,000 members (sites), and building an
            # object for each was most of a correction file's import (0.85 of 1.0 s; bench/sessions_bench.py).
            chosen = select(Member.dimension, Member.code, Member.id, Member.name_vi, Member.name_en)
            for dimension, code, member_id, name_vi, name_en in session.execute(chosen):
                members[(dimension, code)] = member_id
                for name in (name_vi, name_en):
                    if name:
                        names[(dimension, name.casefold())] = code
        catalog = load_catalog()
        open_dims = {code for code, dim in catalog.dimensions.items() if dim.open}
        return cls(units, metrics, members, names, open_dims, windows, mergers, ratios)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    # Undo the export's formula neutralisation ('=..., '-...), so an export imports back unchanged.
    return text[1:] if text.startswith(_NEUTRALISED) else text


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A whole non-negative number, or the key of what is wrong with it."""
    if isinstance(value, bool):
        return None, "not_a_number"
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, "not_a_number"
        if not value.is_integer():
            return None, "fractional_value"
        number = int(value)
    else:
        text = _text(value)
        if not text:
            return None, "missing_value"
        negative = text.startswith("-")
        digits = text.lstrip("-+").strip()
        if _THOUSANDS.match(digits):
            digits = re.sub(r"[.\s\u00a0]", "", digits)
        if re.fullmatch(r"[0-9]+", digits):
            number = -int(digits) if negative else int(digits)
        elif re.fullmatch(r"[0-9]+[.,][0-9]+", digits):
            return None, "fractional_value"
        else:
            return None, "not_a_number"
    if number < 0:
        return None, "negative_value"
    if number > MAX_VALUE:
        return None, "value_too_large"
    return number, None


def validate_rows(
    rows: Iterable[RawRow], file: str, reference: Reference, default_unit: str | None = None
) -> tuple[list[CleanRow], list[Problem]]:
    """Every row checked; duplicates of a key (unit, metric, period, member) are problems too."""
    clean: list[CleanRow] = []
    problems: list[Problem] = ProblemLog()  # a million bad rows keep a hundred messages, the rest counted
    seen: dict[tuple[str, str, dt.date, str, str], int] = {}
    if default_unit is None and len(reference.units) == 1:
        default_unit = next(iter(reference.units))
    for row in rows:
        checked, found = _validate_row(row, file, reference, default_unit)
        if checked is not None:
            key = (checked.unit_code, checked.metric_code, checked.period, checked.member_code, checked.grain)
            if key in seen:
                duplicate = {"other": seen[key]}
                found.append(Problem(file, row.line, "metric", checked.metric_code, "duplicate_row", duplicate))
            else:
                seen[key] = row.line
                clean.append(checked)
        problems.extend(found)
    return clean, problems


def _validate_row(
    row: RawRow, file: str, reference: Reference, default_unit: str | None
) -> tuple[CleanRow | None, list[Problem]]:
    v = row.values
    found: list[Problem] = []

    def problem(column: str, raw: object, key: str, **params: object) -> None:
        found.append(Problem(file, row.line, column, _text(raw)[:80], key, dict(params)))

    for column, raw in v.items():
        if isinstance(raw, str) and _CONTROL.search(raw):
            problem(column, raw.replace("\x00", "\\0"), "control_chars")
        elif isinstance(raw, str) and len(raw) > MAX_TEXT:
            problem(column, raw[:40], "text_too_long", limit=MAX_TEXT)
    if found:
        return None, found

    unit_code = _text(v.get("unit")) or default_unit
    if not unit_code:
        problem("unit", "", "no_unit", count=len(reference.units))
    elif unit_code not in reference.units:
        problem("unit", unit_code, "unknown_unit", allowed=", ".join(sorted(reference.units)) or "-")

    raw_period = v.get("period")
    grain, period = _grain_and_period(v, problem)
    estimated = _estimated(v, problem)
    if period is not None and unit_code in reference.units:
        refused = reference.period_problem(unit_code, period)
        if refused is not None:
            problem("period", raw_period, refused[0], **refused[1])
            period = None

    metric_code = _text(v.get("metric"))
    dimension: str | None = None
    if metric_code in reference.metrics:
        dimension = reference.metrics[metric_code][1]
    elif metric_code in reference.ratios:
        numerator, denominators = load_catalog().ratios().get(metric_code, ("", ()))
        problem("metric", metric_code, "ratio_metric", parts=", ".join([numerator, *denominators]))
    else:
        key, params = unknown_metric(metric_code, reference.metrics)
        problem("metric", metric_code, key, **params)

    member_code = _text(v.get("member"))
    if dimension is not None and member_code:
        if dimension == NO_DIMENSION:
            problem("member", member_code, "member_not_allowed", metric=metric_code)
        elif (dimension, member_code) not in reference.members:
            by_name = reference.member_names.get((dimension, member_code.casefold()))
            if by_name is not None:
                member_code = by_name
            elif dimension not in reference.open_dimensions:
                key, params = unknown_member(dimension, member_code, reference)
                problem("member", member_code, key, **params)
            elif not is_code(member_code):  # a new component site: its code must be a plain code (commstats.codes)
                suggestion = suggest_code(member_code) or "trang-moi"
                problem("member", member_code, "unsafe_member_code", suggestion=suggestion)

    value, error = parse_count(v.get("value"))
    if error:
        problem("value", v.get("value"), error, limit=MAX_VALUE)

    if found or period is None or value is None or unit_code is None or grain is None or estimated is None:
        return None, found
    note = _text(v.get("note"))
    return CleanRow(row.line, unit_code, metric_code, period, member_code, value, note, grain, estimated), found


def _grain_and_period(v: dict[str, object], problem: Callable[..., None]) -> tuple[PeriodKind | None, dt.date | None]:
    """The figure's grain and the first day of its period, from `period` (a date, a month, or 2020-Q2, 2020-H1,
    2020-9M, 2020) and the optional `grain` column; a period that does not start where its grain starts (a
    quarter from May) or a grain that contradicts the period's own form is a problem."""
    raw_period, raw_grain = v.get("period"), v.get("grain")
    named = _text(raw_grain).casefold()
    grain: PeriodKind | None = GRAIN_WORDS.get(named) if named else None
    if named and grain is None:
        problem("grain", raw_grain, "bad_grain", allowed=", ".join(GRAINS))
        return None, None
    written: Period | None = None
    try:
        if isinstance(raw_period, dt.date):
            start = parse_month(raw_period)
        else:
            written = parse_period(_text(raw_period))
            start = written.start
    except ValueError:
        problem("period", raw_period, "bad_period")
        return grain, None
    if written is not None and written.kind != "month":  # 2020-Q2 says its grain itself
        if grain is not None and grain != written.kind:
            problem("grain", raw_grain, "grain_mismatch", period=_text(raw_period))
            return None, None
        return written.kind, start
    grain = grain or "month"
    try:
        period_from_start(grain, start)
    except ValueError:
        starts = ", ".join(str(m) for m in period_starts(grain))
        problem("period", raw_period, "grain_bad_start_" + grain, month=start.month, starts=starts, year=start.year)
        return None, None
    return grain, start


def _estimated(v: dict[str, object], problem: Callable[..., None]) -> bool | None:
    """The optional `estimated` column: a bool, or a word (x, 1, có, ước … / empty, 0, không)."""
    raw = v.get("estimated")
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    word = _text(raw).casefold()
    if word in ESTIMATED_YES:
        return True
    if word in ESTIMATED_NO:
        return False
    problem("estimated", raw, "bad_estimated")
    return None
