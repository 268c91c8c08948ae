"""Figures at the grain the source has: the one rule for reading a period from months and coarser figures.

A figure is stored for the period its source gives — a month, a quarter, the first 6 or 9 months, a year
(Observation.grain; `period` is the period's first day) — and is never turned into months. To read a period
(a month, a quarter, …, a year to date) the figures that fit inside it are laid side by side:

- **flow** (posts, licences): the period's months are covered by stored figures that lie inside it, as many
  months as possible, by monthly figures wherever they exist, then by as few coarser figures as possible. The
  first half of a year is January–June when every month is there; Q1 + April–June when only Q1 came as a
  quarter; the half-year figure itself when the months are missing. Months no figure covers are left out,
  as before (the draft then says how far the data goes).
- **stock** (a level, the number of sites): the value at the period's end — the figure whose own period ends
  latest inside the period; on the same end month the finer one (a June figure before the Q2 one, both being
  the level at the end of June).
- **ratio**: never folded; commstats.ratios divides the folded parts, and its basis is that of its parts.
- **a flow derived by subtraction**: where neither the months nor a stored figure cover a stretch of the period,
  two cumulative figures of the same metric and member that start together may: Q3 = 9 months − first half,
  H2 = year − first half, Q4 = year − 9 months, Q2 = first half − Q1 (DERIVATIONS). The smaller figure may
  itself be read from months (9 months − the six months January–June). A derived figure is used only when no
  choice without one covers as many months; it is never negative (a negative difference is not a figure: the
  quality page lists it, negative_derivations), and it is an estimate when either part is. Months are never
  derived: the grains stored are month, quarter, 6 and 9 months and year, so no two cumulative figures differ by
  one month (a "lũy kế 7 tháng" figure is not stored; a report's month is read from the month itself). Levels
  and ratios are never derived.

Queries (queries.period_values, period_figures), the trends charts (series.aggregate), the narrative (facts) and
the quality page (grain_differences) all read periods through `fold`, so the rule lives here only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from commstats.periods import GRAINS, PeriodKind, add_months, period_from_start

# (metric, kind, grain, first day of the figure's period, member, value, estimated): one stored figure, summed
# over the chosen units (queries.period_sums).
Row = tuple[str, str, str, dt.date, str, int, bool]
Piece = tuple[str, dt.date]  # (grain, first month): one stored period of a metric


@dataclass(frozen=True)
class Basis:
    """What a folded value was read from: the grains of the stored figures used, whether any is an estimate,
    and how many of the period's months they cover."""

    grains: tuple[PeriodKind, ...] = ("month",)
    estimated: bool = False
    covered: int = 0
    pieces: tuple[Piece, ...] = ()  # the stored periods read: (grain, first day), for the draft's sources
    derived: tuple[Derivation, ...] = ()  # the subtractions used: ("nine_months", "half") is 9 months − first half
    areas: tuple[tuple[str, str], ...] = ()  # (what, area name): which provinces' figures were coarse (the grain),
    # estimated ("estimated") or derived ("minuend-subtrahend"), in a national or regional draft

    @property
    def coarse(self) -> tuple[PeriodKind, ...]:
        """The grains coarser than a month it used (empty: complete or partial monthly figures only)."""
        return tuple(g for g in self.grains if g != "month")

    def join(self, other: Basis) -> Basis:
        """The basis of a value made of two (a metric's total over its members, a ratio of its parts)."""
        grains = tuple(g for g in GRAINS if g in self.grains or g in other.grains)
        pieces = tuple(dict.fromkeys((*self.pieces, *other.pieces)))
        derived = tuple(d for d in DERIVATIONS if d in self.derived or d in other.derived)
        areas = tuple(dict.fromkeys((*self.areas, *other.areas)))
        covered = max(self.covered, other.covered)
        return Basis(grains, self.estimated or other.estimated, covered, pieces, derived, areas)

    def marks(self, joiner: str = "-") -> tuple[str, ...]:
        """What sets the value apart from complete monthly figures: each coarse grain, "estimated", and each
        subtraction as its two grains joined ("nine_months-half")."""
        return (*self.coarse, *(("estimated",) if self.estimated else ()), *(joiner.join(d) for d in self.derived))

    def of_area(self, name: str) -> Basis:
        """The same basis with the area (a province) named beside each coarse grain, estimate and subtraction."""
        return replace(self, areas=tuple((mark, name) for mark in self.marks()))


# The subtractions a flow's cumulative figures allow: (later cumulative grain, earlier one) → the grain of the rest.
# Both start in January (6 tháng đầu năm, 9 tháng, năm, Quý I).
Derivation = tuple[PeriodKind, PeriodKind]
DERIVATIONS: dict[Derivation, PeriodKind] = {
    ("nine_months", "half"): "quarter",  # Q3
    ("year", "half"): "half",  # H2
    ("year", "nine_months"): "quarter",  # Q4
    ("half", "quarter"): "quarter",  # Q2
}


@dataclass(frozen=True)
class Folded:
    value: int
    basis: Basis


def span(grain: str, start: dt.date) -> list[dt.date]:
    """The months a stored figure covers (a quarter from April: April, May, June)."""
    if grain == "month":  # the usual case, without building a Period (the overview folds thousands a page)
        return [start.replace(day=1)]
    return list(_span(grain, start))


@lru_cache(maxsize=16384)
def _span(grain: str, start: dt.date) -> tuple[dt.date, ...]:
    """Kept: every fold asks it of each stored period, and a dashboard folds the same few hundred periods."""
    return tuple(period_from_start(grain, start).months)


def _cover(pieces: Iterable[Piece], months: Sequence[dt.date], derived: Iterable[Piece] = ()) -> list[Piece]:
    """The flow rule: the pieces lying inside `months` that cover the most months, with as few months from
    `derived` pieces (subtractions) as possible, by monthly figures where possible, then with the fewest pieces
    (a small search over at most 12 positions per year)."""
    derived = set(derived)
    pieces = [*pieces, *derived]
    position = {month: i for i, month in enumerate(months)}
    starting: dict[int, list[tuple[Piece, int]]] = {}
    for grain, start in pieces:
        covered = span(grain, start)
        first = position.get(covered[0])
        if first is None or any(position.get(m) != first + i for i, m in enumerate(covered)):
            continue  # reaches outside the period (a quarter's figure cannot give one of its months)
        starting.setdefault(first, []).append(((grain, start), len(covered)))
    count = len(months)
    # best[i]: (months covered, -months derived, months covered by monthly figures, -pieces) of the best choice
    best: list[tuple[tuple[int, int, int, int], list[Piece]]] = [((0, 0, 0, 0), [])] * (count + 1)
    for i in range(count - 1, -1, -1):
        choice = best[i + 1]  # month i left uncovered
        for piece, length in starting.get(i, []):
            (done, underived, monthly, fewer), rest = best[i + length]
            score = (
                done + length,
                underived - (length if piece in derived else 0),
                monthly + (length if piece[0] == "month" else 0),
                fewer - 1,
            )
            if score > choice[0]:
                choice = (score, [piece, *rest])
        best[i] = choice
    return best[0][1]


def _period_end(pieces: Iterable[Piece], months: Sequence[dt.date]) -> list[Piece]:
    """The stock rule: the piece whose period ends latest inside `months`; the finest one on the same end."""
    wanted = set(months)
    ends = [(span(grain, start)[-1], -GRAINS.index(grain), (grain, start)) for grain, start in pieces]
    inside = [end for end in ends if end[0] in wanted]
    return [max(inside)[2]] if inside else []


def fold(rows: Iterable[Row], months: Sequence[dt.date]) -> dict[tuple[str, str], Folded]:
    """Each (metric, member)'s value over the period of `months` (consecutive months), with its basis.

    The pieces are chosen per metric (over all its members), so a metric's members are read from the same
    stored periods and add up to its total. A metric with no figure in the period is absent."""
    months = sorted(months)
    if not months:
        return {}
    rows = list(rows)
    if len(months) == 1 and all(row[2] == "month" for row in rows):
        return _one_month(rows, months[0])
    first, last = months[0], months[-1]
    by_metric: dict[str, tuple[str, dict[Piece, dict[str, tuple[int, bool]]]]] = {}
    for metric, kind, grain, start, member, value, estimated in rows:
        if start > last or grain not in GRAINS:
            continue
        _kind, pieces = by_metric.setdefault(metric, (kind, {}))
        members = pieces.setdefault((grain, start), {})
        old = members.get(member, (0, False))
        members[member] = (old[0] + int(value), old[1] or bool(estimated))
    result: dict[tuple[str, str], Folded] = {}
    wanted = set(months)
    for metric, (kind, pieces) in by_metric.items():
        derived: dict[Piece, Derived] = {}
        if all(grain == "month" for grain, _start in pieces):  # monthly figures only (most metrics, most periods):
            inside = sorted(p for p in pieces if p[1] in wanted)  # both rules at once: every month (flow), or the
            chosen = inside[-1:] if kind == "stock" else inside  # last one (stock), without the search
        else:
            near = [p for p in pieces if span(*p)[-1] >= first]
            if kind == "flow":
                derived = {p: d for p, d in derivations(pieces).items() if span(*p)[-1] >= first}
            chosen = _period_end(near, months) if kind == "stock" else _cover(near, months, derived)
        if not chosen:
            continue
        present = {p[0] for p in chosen if p not in derived}
        grains = tuple(g for g in GRAINS if g in present)
        covered = len(months) if kind == "stock" else sum(len(span(*p)) for p in chosen)
        read = tuple(dict.fromkeys(q for p in chosen for q in (derived[p].parts if p in derived else (p,))))
        how = tuple(d for d in DERIVATIONS if any(derived[p].how == d for p in chosen if p in derived))
        totals: dict[str, tuple[int, bool]] = {}
        for piece in chosen:
            figures = derived[piece].values if piece in derived else pieces[piece]
            for member, (value, estimated) in figures.items():
                old = totals.get(member, (0, False))
                totals[member] = (old[0] + value, old[1] or estimated)
        for member, (value, estimated) in totals.items():
            result[(metric, member)] = Folded(value, Basis(grains, estimated, covered, read, how))
    return result


def _one_month(rows: Sequence[Row], month: dt.date) -> dict[tuple[str, str], Folded]:
    """`fold` of one month over monthly figures only, without the search: each (metric, member)'s figure of
    that month (the overview folds a dozen single months a page)."""
    totals: dict[tuple[str, str], tuple[int, bool]] = {}
    for metric, _kind, _grain, start, member, value, estimated in rows:
        if start == month:
            old = totals.get((metric, member), (0, False))
            totals[(metric, member)] = (old[0] + int(value), old[1] or bool(estimated))
    piece = (("month", month),)
    actual, estimate = Basis(("month",), False, 1, piece), Basis(("month",), True, 1, piece)
    return {key: Folded(value, estimate if estimated else actual) for key, (value, estimated) in totals.items()}


Members = dict[str, tuple[int, bool]]  # member → (value, estimated) of one stored period of a metric


@dataclass(frozen=True)
class Derived:
    """A flow figure worked out by subtraction: its values per member, how (the two grains) and from which stored
    periods (the larger figure's and those the smaller one was read from)."""

    values: Members
    how: Derivation
    parts: tuple[Piece, ...]
    negative: tuple[tuple[str, int, int], ...] = ()  # (member, larger, smaller) where the larger is smaller


def _subtraction(pieces: Mapping[Piece, Members], how: Derivation, start: dt.date) -> Derived | None:
    """`how` over the year starting at `start`, when the larger figure is stored and the smaller one is stored or
    read from complete months (the flow rule); None otherwise. Negative differences are kept aside, not values."""
    larger, smaller = how
    big = pieces.get((larger, start))
    if big is None:
        return None
    months = span(smaller, start)
    inside = [p for p in pieces if p[0] != larger and span(*p)[-1] <= months[-1] and p[1] >= start]
    used = _cover(inside, months)
    if sum(len(span(*p)) for p in used) != len(months):
        return None
    small: Members = {}
    for piece in used:
        for member, (value, estimated) in pieces[piece].items():
            old = small.get(member, (0, False))
            small[member] = (old[0] + value, old[1] or estimated)
    values: Members = {}
    negative = []
    for member in dict.fromkeys((*big, *small)):
        (a, a_est), (b, b_est) = big.get(member, (0, False)), small.get(member, (0, False))
        if a < b:
            negative.append((member, a, b))
        values[member] = (a - b, a_est or b_est)
    return Derived(values, how, ((larger, start), *used), tuple(negative))


def derivations(pieces: Mapping[Piece, Members], *, negative: bool = False) -> dict[Piece, Derived]:
    """The flow figures one metric's stored periods give by subtraction (DERIVATIONS), for periods with no stored
    figure of their own; keyed by the derived period (grain, first day). Without `negative`, only those with no
    negative difference (a derivation is refused as a whole, so that members still add up to the total); with it,
    only those that have one (for the quality page)."""
    found: dict[Piece, Derived] = {}
    starts = {start for grain, start in pieces if grain in ("nine_months", "year", "half") and start.month == 1}
    for start in sorted(starts):
        for how, grain in DERIVATIONS.items():
            rest = (grain, add_months(span(how[1], start)[-1], 1))
            if rest in pieces or rest in found:
                continue
            derived = _subtraction(pieces, how, start)
            if derived is not None and bool(derived.negative) == negative:
                found[rest] = derived
    return found


def values_of(folded: Mapping[tuple[str, str], Folded]) -> dict[tuple[str, str], int]:
    """The values alone."""
    return {key: item.value for key, item in folded.items()}


@dataclass(frozen=True)
class Difference:
    """A coarser figure that differs from the sum (flow) or the end value (stock) of its complete months."""

    unit: str
    metric: str
    member: str
    grain: str
    start: dt.date
    stored: int
    from_months: int
    against: str = "month"  # what it was compared with: its months, or an earlier cumulative figure's grain
    # ("half": a 9 months' figure smaller than the first half's, whose difference cannot be the third quarter)

    @property
    def difference(self) -> int:
        return self.stored - self.from_months


def grain_differences(rows: Iterable[tuple[str, str, str, str, dt.date, str, int]]) -> list[Difference]:
    """Coarser figures whose months are all stored too and give another value. `rows` are stored figures of
    one or more units: (unit, metric, kind, grain, first day, member, value)."""
    monthly: dict[tuple[str, str, str], dict[dt.date, int]] = {}
    coarse: list[tuple[str, str, str, str, str, dt.date, int]] = []
    for unit, metric, kind, grain, start, member, value in rows:
        if grain == "month":
            monthly.setdefault((unit, metric, member), {})[start] = int(value)
        elif grain in GRAINS:
            coarse.append((unit, metric, kind, grain, member, start, int(value)))
    found = []
    for unit, metric, kind, grain, member, start, value in coarse:
        by_month = monthly.get((unit, metric, member), {})
        covered = span(grain, start)
        if not all(m in by_month for m in covered):
            continue  # no complete months to compare with
        expected = by_month[covered[-1]] if kind == "stock" else sum(by_month[m] for m in covered)
        if expected != value:
            found.append(Difference(unit, metric, member, grain, start, value, expected))
    found.extend(negative_derivations(rows))
    return sorted(found, key=lambda d: (d.unit, d.start, d.metric, d.member, d.grain, d.against))


def negative_derivations(rows: Iterable[tuple[str, str, str, str, dt.date, str, int]]) -> list[Difference]:
    """Cumulative flow figures smaller than an earlier one of the same year (a 9 months' total below the first
    half's): the subtraction would be negative, so no figure is derived; listed as a difference instead."""
    by_metric: dict[tuple[str, str], dict[Piece, Members]] = {}
    for unit, metric, kind, grain, start, member, value in rows:
        if kind == "flow" and grain in GRAINS:
            by_metric.setdefault((unit, metric), {}).setdefault((grain, start), {})[member] = (int(value), False)
    found = []
    for (unit, metric), pieces in by_metric.items():
        if not any(grain != "month" for grain, _start in pieces):
            continue
        for derived in derivations(pieces, negative=True).values():
            larger, smaller = derived.how
            for member, big, small in derived.negative:
                found.append(Difference(unit, metric, member, larger, derived.parts[0][1], big, small, smaller))
    return found


def coarse_months(rows: Iterable[tuple[str, str, str, str, dt.date, str, int]]) -> set[tuple[str, str, dt.date]]:
    """(unit, metric, month) of every month a coarser figure covers (rows as for grain_differences): such a month
    was reported, only not on its own."""
    return {
        (unit, metric, month)
        for unit, metric, _k, grain, start, _m, _v in rows
        if grain != "month"
        for month in span(grain, start)
    }
