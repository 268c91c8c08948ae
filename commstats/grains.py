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

Queries (queries.period_values, fold_period), the trends charts (series.aggregate), the narrative (facts) and
the quality page (grain_differences) all read periods through `fold`, so the rule lives here only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from commstats.periods import GRAINS, PeriodKind, period_from_start

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

    @property
    def coarse(self) -> tuple[PeriodKind, ...]:
        """The grains coarser than a month it used (empty: complete or partial monthly figures only)."""
        return tuple(g for g in self.grains if g != "month")

    def join(self, other: Basis) -> Basis:
        """The basis of a value made of two (a metric's total over its members, a ratio of its parts)."""
        grains = tuple(g for g in GRAINS if g in self.grains or g in other.grains)
        pieces = tuple(dict.fromkeys((*self.pieces, *other.pieces)))
        return Basis(grains, self.estimated or other.estimated, max(self.covered, other.covered), pieces)


@dataclass(frozen=True)
class Folded:
    value: int
    basis: Basis


@lru_cache(maxsize=16384)
def span(grain: str, start: dt.date) -> tuple[dt.date, ...]:
    """The months a stored figure covers (a quarter from April: April, May, June). Kept: every fold asks it
    of each stored period, and a dashboard folds the same few hundred periods over and over."""
    return tuple(period_from_start(grain, start).months)


def _cover(pieces: Iterable[Piece], months: Sequence[dt.date]) -> list[Piece]:
    """The flow rule: the pieces lying inside `months` that cover the most months, by monthly figures where
    possible, then with the fewest pieces (a small search over at most 12 positions per year)."""
    position = {month: i for i, month in enumerate(months)}
    starting: dict[int, list[tuple[Piece, int]]] = {}
    for grain, start in pieces:
        covered = span(grain, start)
        first = position.get(covered[0])
        if first is None or any(position.get(m) != first + i for i, m in enumerate(covered)):
            continue  # reaches outside the period (a quarter's figure cannot give one of its months)
        starting.setdefault(first, []).append(((grain, start), len(covered)))
    count = len(months)
    # best[i]: (months covered, months covered by monthly figures, -pieces) of the best choice from i on
    best: list[tuple[tuple[int, int, int], list[Piece]]] = [((0, 0, 0), [])] * (count + 1)
    for i in range(count - 1, -1, -1):
        choice = best[i + 1]  # month i left uncovered
        for piece, length in starting.get(i, []):
            (done, monthly, fewer), rest = best[i + length]
            score = (done + length, monthly + (length if piece[0] == "month" else 0), fewer - 1)
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


_Pieces = dict[Piece, dict[str, tuple[int, bool]]]  # a metric's stored periods: member -> (value, estimated)


def _choices(rows: Iterable[Row], months: list[dt.date]) -> Iterator[tuple[str, str, list[Piece], _Pieces]]:
    """Per metric with a figure in the period: (metric, kind, the pieces the rule chooses, all its pieces)."""
    first, last = months[0], months[-1]
    by_metric: dict[str, tuple[str, _Pieces]] = {}
    for metric, kind, grain, start, member, value, estimated in rows:
        if start > last or grain not in GRAINS:
            continue
        _kind, pieces = by_metric.setdefault(metric, (kind, {}))
        members = pieces.setdefault((grain, start), {})
        old = members.get(member, (0, False))
        members[member] = (old[0] + int(value), old[1] or bool(estimated))
    wanted = set(months)
    for metric, (kind, pieces) in by_metric.items():
        if all(grain == "month" for grain, _start in pieces):  # monthly figures only (most metrics, most periods):
            inside = sorted(p for p in pieces if p[1] in wanted)  # both rules at once: every month (flow), or the
            chosen = inside[-1:] if kind == "stock" else inside  # last one (stock), without the search
        else:
            near = [p for p in pieces if span(*p)[-1] >= first]
            chosen = _period_end(near, months) if kind == "stock" else _cover(near, months)
        if chosen:
            yield metric, kind, chosen, pieces


def fold(rows: Iterable[Row], months: Sequence[dt.date]) -> dict[tuple[str, str], Folded]:
    """Each (metric, member)'s value over the period of `months` (consecutive months), with its basis.

    The pieces are chosen per metric (over all its members), so a metric's members are read from the same
    stored periods and add up to its total. A metric with no figure in the period is absent."""
    months = sorted(months)
    if not months:
        return {}
    result: dict[tuple[str, str], Folded] = {}
    for metric, kind, chosen, pieces in _choices(rows, months):
        present = {grain for grain, _start in chosen}
        grains = tuple(g for g in GRAINS if g in present)
        covered = len(months) if kind == "stock" else sum(len(span(*p)) for p in chosen)
        totals: dict[str, tuple[int, bool]] = {}
        for piece in chosen:
            for member, (value, estimated) in pieces[piece].items():
                old = totals.get(member, (0, False))
                totals[member] = (old[0] + value, old[1] or estimated)
        for member, (value, estimated) in totals.items():
            result[(metric, member)] = Folded(value, Basis(grains, estimated, covered, tuple(chosen)))
    return result


def fold_values(rows: Iterable[Row], months: Sequence[dt.date]) -> dict[tuple[str, str], int]:
    """The values of `fold` alone (values_of(fold(...))), without building a basis for each."""
    months = sorted(months)
    result: dict[tuple[str, str], int] = {}
    if not months:
        return result
    for metric, _kind, chosen, pieces in _choices(rows, months):
        for piece in chosen:
            for member, (value, _estimated) in pieces[piece].items():
                result[(metric, member)] = result.get((metric, member), 0) + value
    return result


def values_of(folded: Mapping[tuple[str, str], Folded]) -> dict[tuple[str, str], int]:
    """The values alone."""
    return {key: item.value for key, item in folded.items()}


def each_month(rows: Iterable[tuple[str, str, dt.date, str, int]]) -> dict[dt.date, dict[tuple[str, str], int]]:
    """Monthly sums (metric, kind, month, member, value) read one month at a time: each month's value of each
    (metric, member) — what `fold` gives for a single month of monthly figures (a flow's one month, a stock's
    level that month), for all the months at once."""
    result: dict[dt.date, dict[tuple[str, str], int]] = {}
    for metric, _kind, month, member, value in rows:
        values = result.setdefault(month, {})
        values[(metric, member)] = values.get((metric, member), 0) + int(value)
    return result


def months_only(rows: Iterable[tuple[str, str, dt.date, str, int]]) -> list[Row]:
    """Monthly sums (metric, kind, month, member, value) as rows of `fold` (actual monthly figures)."""
    return [(metric, kind, "month", month, member, value, False) for metric, kind, month, member, value in rows]


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
    return sorted(found, key=lambda d: (d.unit, d.start, d.metric, d.member, d.grain))


def coarse_months(rows: Iterable[tuple[str, str, str, str, dt.date, str, int]]) -> set[tuple[str, str, dt.date]]:
    """(unit, metric, month) of every month a coarser figure covers (rows as for grain_differences): such a month
    was reported, only not on its own."""
    return {
        (unit, metric, month)
        for unit, metric, _k, grain, start, _m, _v in rows
        if grain != "month"
        for month in span(grain, start)
    }
