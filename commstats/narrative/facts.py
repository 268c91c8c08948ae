"""The figures a draft is written from: the period, the comparison periods, targets, and their sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from commstats import national, queries
from commstats.grains import Basis
from commstats.periods import Period, add_months, month_key, period_from_start
from commstats.ratios import definitions as ratio_definitions
from commstats.ratios import ratios_of

COMPARISONS = ("prev", "yoy", "ytd", "target")
# What a figure was used for, in the order the traceability table lists them.
ROLES = ("current", "previous", "same_period", "ytd", "target")

Key = tuple[str, str | None]  # (metric, member); member None = the metric's total over its members
TRACE_COLUMNS = ["unit", "metric", "member", "period", "value", "batch_id", "role"]


def parse_compare(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """`prev,yoy` (or a list) -> the known comparisons in canonical order; unknown names raise ValueError."""
    if text is None:
        return ()
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in COMPARISONS and n != "none"]
    if unknown:
        raise ValueError(", ".join(unknown))
    return tuple(c for c in COMPARISONS if c in names)


Groups = tuple[tuple[int, ...], ...]


def _values(
    engine: Engine,
    unit_ids: Sequence[int],
    codes: Sequence[str],
    months: Sequence[dt.date],
    groups: Groups | None = None,
    names: Sequence[str] = (),
) -> tuple[dict[Key, float], dict[Key, Basis]]:
    """Per (metric, member) and per metric total, read by the rule of commstats.grains (complete months, or the
    coarser figure; flows summed, stocks at the period's end); ratios (totals only) computed from those totals
    of their parts. Also what each value was read from (its grains, whether an estimate is in it). With
    `groups` (a national or regional draft: one group of units per province, named by `names`), each province
    is read on its own by the same rule and the provinces are summed; the bases name the provinces whose
    figures were coarse, estimated or derived."""
    if groups is None:
        by_member = queries.period_figures(engine, unit_ids, codes, months, by_member=True)
    else:
        by_member = national.grouped_period_figures(engine, groups, codes, months, names)
    values: dict[Key, float] = {}
    bases: dict[Key, Basis] = {}
    for (metric, member), folded in by_member.items():
        values[(metric, member)] = folded.value
        values[(metric, None)] = values.get((metric, None), 0) + folded.value
        bases[(metric, member)] = folded.basis
        total = bases.get((metric, None))
        bases[(metric, None)] = folded.basis if total is None else total.join(folded.basis)
    totals = {metric: value for (metric, member), value in values.items() if member is None}
    definitions = ratio_definitions()
    for code, value in ratios_of(totals, definitions).items():
        values[(code, None)] = value
        numerator, denominators = definitions[code]
        parts = [bases[(p, None)] for p in (numerator, *denominators) if (p, None) in bases]
        basis = parts[0]
        for part in parts[1:]:
            basis = basis.join(part)
        bases[(code, None)] = basis
    return values, bases


@dataclass
class FigureSet:
    """Everything a draft may say about one period for a set of units."""

    period: Period
    unit_ids: tuple[int, ...]
    compare: tuple[str, ...]
    metrics: dict[str, queries.MetricInfo]
    current: dict[Key, float]
    previous: dict[Key, float] = field(default_factory=dict)
    last_year: dict[Key, float] = field(default_factory=dict)
    ytd: dict[Key, float] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    data_range: tuple[dt.date, dt.date] | None = None
    bases: dict[Key, Basis] = field(default_factory=dict)  # what each current value was read from
    groups: Groups | None = None  # a national or regional draft: the units of each province

    def basis(self, key: Key) -> Basis:
        return self.bases.get(key, Basis())

    @property
    def has_data(self) -> bool:
        return bool(self.current)

    @property
    def ytd_months(self) -> list[dt.date]:
        return self.period.year_to_date()

    @property
    def previous_is_last_year(self) -> bool:
        """For nine months and a year, the previous period is the same period last year."""
        return self.period.previous() == self.period.same_period_last_year()

    @property
    def covered(self) -> int:
        """How many of the period's months the data reaches (all of them unless the data ends inside it)."""
        months = self.period.months
        if self.data_range is None or self.data_range[1] >= months[-1]:
            return len(months)
        return max(1, sum(1 for m in months if m <= self.data_range[1]))

    def months_for(self, role: str) -> list[dt.date]:
        """The months of each role; a period the data only partly covers compares with the same months only."""
        return {
            "current": self.period.months,
            "previous": self.period.previous().months[: self.covered],
            "same_period": self.period.same_period_last_year().months[: self.covered],
            "ytd": self.ytd_months,
            "target": [],
        }[role]


def collect(
    engine: Engine,
    unit_ids: Sequence[int],
    period: Period,
    compare: Sequence[str] = (),
    groups: Groups | None = None,
    names: Sequence[str] = (),
) -> FigureSet:
    """Read the figures of `period` and of the comparison periods asked for (per province first, with `groups`,
    whose provinces `names` names)."""
    info = queries.metric_by_code(engine)
    codes = list(info)
    ids = tuple(unit_ids)
    current, bases = _values(engine, ids, codes, period.months, groups, names)
    figures = FigureSet(period, ids, tuple(compare), info, current, groups=groups, bases=bases)
    figures.data_range = queries.month_range(engine, ids) if ids else None
    if "prev" in compare:
        figures.previous = _values(engine, ids, codes, figures.months_for("previous"), groups)[0]
    if "yoy" in compare:
        figures.last_year = _values(engine, ids, codes, figures.months_for("same_period"), groups)[0]
    if "ytd" in compare or "target" in compare:
        figures.ytd = _values(engine, ids, codes, period.year_to_date(), groups)[0]
    if "target" in compare:
        figures.targets = queries.targets(engine, ids, period.year)
    return figures


def _with_ratio_parts(used: dict[Key, set[str]]) -> dict[Key, set[str]]:
    """A ratio has no stored figures of its own: the figures behind it are its numerator's and denominators'."""
    definitions = ratio_definitions()
    result: dict[Key, set[str]] = {}
    for (metric, member), roles in used.items():
        numerator, denominators = definitions.get(metric, ("", ()))
        for part in [numerator, *denominators] if numerator else [metric]:
            result.setdefault((part, member), set()).update(roles)
    return result


def trace(engine: Engine, figures: FigureSet, used: dict[Key, set[str]]) -> pd.DataFrame:
    """Every stored figure behind the facts in `used`: unit, metric, member, period, value, batch, role.

    A stock contributes only its last month with data in each range, exactly as period_values counts it.
    """
    if not used or not figures.unit_ids:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    used = _with_ratio_parts(used)
    codes = sorted({metric for metric, _ in used})
    months = [m for role in ROLES for m in figures.months_for(role) if any(role in roles for roles in used.values())]
    rows: list[pd.DataFrame] = []
    if months:
        first = add_months(min(months), -11)  # a year's level figure starts before its period's months
        sources = queries.figure_sources(engine, figures.unit_ids, codes, first, max(months))
        # Split once: a mask over every source row per fact was a tenth of the draft page's CPU at 10M rows.
        by_metric = {str(code): group for code, group in sources.groupby("metric", sort=False, observed=True)}
        parts: dict[tuple[str, str], dict[str | None, pd.DataFrame]] = {}  # (metric, role) -> member -> rows

        def part_of(metric: str, role: str, member: str | None) -> pd.DataFrame:
            """The rows a fact of `role` was read from: computed once per metric and role, then by member."""
            if (metric, role) not in parts:
                of_metric = by_metric.get(metric, sources.iloc[0:0])
                pieces = figures.basis((metric, None)).pieces
                if role == "current" and pieces:  # exactly the stored periods the value was read from
                    read = [(g, p) in pieces for g, p in zip(of_metric["grain"], of_metric["period"], strict=True)]
                    part = of_metric[pd.Series(read, index=of_metric.index, dtype=bool)]
                else:
                    monthly = of_metric[of_metric["grain"] == "month"]
                    part = monthly[monthly["period"].isin(figures.months_for(role))]
                    if figures.metrics[metric].kind == "stock" and not part.empty:
                        part = part[part["period"] == part["period"].max()]  # the metric's last month, all members
                parts[(metric, role)] = {None: part}
            by_member = parts[(metric, role)]
            if member not in by_member:
                whole = by_member[None]
                members = whole.groupby("member", sort=False, observed=True)
                by_member.update({str(code): group for code, group in members})
                by_member.setdefault(member, whole.iloc[0:0])
            return by_member[member]

        for (metric, member), roles in used.items():
            for role in ROLES:
                if role in roles and role != "target":
                    rows.append(part_of(metric, role, member).assign(role=role))
    target_codes = sorted({metric for (metric, _), roles in used.items() if "target" in roles})
    if target_codes:
        goals = queries.target_sources(engine, figures.unit_ids, target_codes, figures.period.year)
        rows.append(goals.rename(columns={"year": "period"}).assign(member="", role="target"))
    frame = pd.concat([r for r in rows if not r.empty], ignore_index=True) if any(not r.empty for r in rows) else None
    if frame is None:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    grains = frame["grain"].fillna("month") if "grain" in frame.columns else ["month"] * len(frame)
    frame["period"] = [
        (month_key(p) if g == "month" else period_from_start(g, p).key) if isinstance(p, dt.date) else str(p)
        for p, g in zip(frame["period"], grains, strict=True)
    ]  # a quarter's figure: 2019-Q3
    frame = frame.drop_duplicates(subset=["unit", "metric", "member", "period", "role"])
    order = {code: i for i, code in enumerate(figures.metrics)}
    frame["_role"] = frame["role"].map({r: i for i, r in enumerate(ROLES)})
    frame["_metric"] = frame["metric"].map(order)
    # Stable: within a metric the rows keep the SQL order (member order, then period, then unit).
    frame = frame.sort_values(["_role", "_metric"], kind="stable").drop(columns=["_role", "_metric"])
    frame["batch_id"] = frame["batch_id"].astype("Int64")
    frame["value"] = frame["value"].astype("int64")
    return frame[TRACE_COLUMNS].reset_index(drop=True)
