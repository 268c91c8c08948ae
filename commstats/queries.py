"""Every read the app, the CLI, the narrative and the exports make. Bound parameters only;
aggregation happens in SQL, never by pulling the whole table into pandas."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import pandas as pd
from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Connection,
    Engine,
    Label,
    Result,
    Select,
    bindparam,
    case,
    func,
    select,
    union,
    union_all,
)
from sqlalchemy.exc import OperationalError, ProgrammingError

from commstats import grains
from commstats.audit import DATA_ACTIONS
from commstats.i18n import t
from commstats.models import (
    AppUser,
    AuditEvent,
    ImportBatch,
    LicenceRecord,
    Member,
    Metric,
    NarrativeBlock,
    Observation,
    Revision,
    Section,
    SitePost,
    Target,
    Unit,
    UserRole,
)
from commstats.periods import GRAINS, add_months, period_from_start
from commstats.units import with_predecessors

_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _reading(engine: Engine) -> Connection:
    """A connection for this module's reads. On PostgreSQL it runs in autocommit: at READ COMMITTED each
    statement sees its own snapshot whether or not a transaction wraps it, so the wrapper only cost a
    BEGIN and a ROLLBACK round trip per read (a third of a small query's time under load)."""
    if engine.dialect.name != "postgresql":
        return engine.connect()
    reader = _READERS.get(engine)
    if reader is None:
        reader = _READERS[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reader.connect()


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name_vi: str
    name_en: str
    is_demo: bool
    merged_into_id: int | None
    merged_on: dt.date | None
    cutoff_day: int
    first_year: int | None = None  # None: the settings' first year (commstats.periods.figure_window)

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi


@dataclass(frozen=True)
class MetricInfo:
    id: int
    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    kind: str
    dimension: str | None
    section_code: str
    section_vi: str
    section_en: str

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def unit_word(self, lang: str = "vi") -> str:
        return self.unit_en if lang == "en" else self.unit_vi

    def section(self, lang: str = "vi") -> str:
        return self.section_en if lang == "en" else self.section_vi


def _in(name: str) -> BindParameter:
    """A list bound at execution. The dashboard's statements are built once (the @cache builders below) and
    run with new values: building a statement costs more than running it on a page's rows (bench/)."""
    return bindparam(name, expanding=True)


def _of_units(unit_ids: Sequence[int] | None, **params: object) -> dict[str, object]:
    """Bound values of a statement whose unit filter is optional (None: every unit)."""
    return params if unit_ids is None else {**params, "unit_ids": list(unit_ids)}


def _frame(result: Result, columns: Sequence[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame. The rows are fetched at once (iterating a result fetches them one by
    one) and handed over as plain tuples: pandas probes each SQLAlchemy Row for named-tuple attributes,
    which costs an exception per row (3x slower; bench/)."""
    return pd.DataFrame([tuple(row) for row in result.all()], columns=list(columns))


@cache
def _units_query() -> Select[int, str, str, str, bool, int | None, dt.date | None, int, int | None]:
    return select(
        Unit.id,
        Unit.code,
        Unit.name_vi,
        Unit.name_en,
        Unit.is_demo,
        Unit.merged_into_id,
        Unit.merged_on,
        Unit.cutoff_day,
        Unit.first_year,
    ).order_by(Unit.name_vi)


def units(engine: Engine) -> list[UnitInfo]:
    with _reading(engine) as conn:
        return [UnitInfo(*row) for row in conn.execute(_units_query()).all()]


@cache
def _account_query() -> Select:
    """An active account's display name and roles: a row per role (unit None: every unit), or one row
    without a role. The sidebar reads it on every page run: columns only, no ORM objects to build."""
    return (
        select(AppUser.display_name, UserRole.unit_id, UserRole.role)
        .outerjoin(UserRole, UserRole.user_id == AppUser.id)
        .where(AppUser.username == bindparam("username"), AppUser.is_active.is_(True))
    )


def account_roles(engine: Engine, username: str) -> tuple[str | None, dict[int | None, str]] | None:
    """(display name, role by unit id) of an active account; None if there is none by that name."""
    with _reading(engine) as conn:
        rows = cast(
            list[tuple[str | None, int | None, str | None]],
            conn.execute(_account_query(), {"username": username}).all(),
        )
    if not rows:
        return None
    return rows[0][0], {unit_id: role for _name, unit_id, role in rows if role is not None}


@cache
def _public_units_query() -> Select:
    return select(Unit.id).where(Unit.public_view.is_(True))


def public_unit_ids(engine: Engine) -> frozenset[int]:
    """The units whose dashboards anonymous visitors may view."""
    with _reading(engine) as conn:
        return frozenset(conn.execute(_public_units_query()).scalars().all())


def unit_ids_with_predecessors(engine: Engine, codes: Sequence[str]) -> list[int]:
    """The units named and every unit merged into them (recursively), so history is combined."""
    return with_predecessors(units(engine), codes)


@cache
def _metrics_query() -> Select:  # eleven columns: more than select()'s typed overloads
    return (
        select(
            Metric.id,
            Metric.code,
            Metric.name_vi,
            Metric.name_en,
            Metric.unit_vi,
            Metric.unit_en,
            Metric.kind,
            Metric.dimension,
            Section.code,
            Section.name_vi,
            Section.name_en,
        )
        .join(Section, Section.id == Metric.section_id)
        .order_by(Section.sort_order, Metric.sort_order)
    )


def metrics(engine: Engine) -> list[MetricInfo]:
    with _reading(engine) as conn:
        rows: Sequence[tuple[Any, ...]] = conn.execute(_metrics_query()).all()  # eleven columns: untyped rows
        return [MetricInfo(*row) for row in rows]


def metric_by_code(engine: Engine) -> dict[str, MetricInfo]:
    return {m.code: m for m in metrics(engine)}


@cache
def _members_query(of_units: bool) -> Select:
    query = select(Member.id, Member.code, Member.name_vi, Member.name_en).where(
        Member.dimension == bindparam("dimension")
    )
    if of_units:
        metrics = select(Metric.id).where(Metric.dimension == bindparam("dimension"))
        reported = select(Observation.member_id).where(
            Observation.unit_id.in_(_in("unit_ids")), Observation.metric_id.in_(metrics)
        )
        query = query.where(Member.id.in_(reported))
    return query.order_by(Member.sort_order, Member.name_vi)


def members(engine: Engine, dimension: str, unit_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The members of a dimension; with `unit_ids`, only those the units reported figures for (a national
    database has forty component sites per unit: tens of thousands of sites)."""
    params = _of_units(unit_ids, dimension=dimension)
    with _reading(engine) as conn:
        rows = conn.execute(_members_query(unit_ids is not None), params)
        return _frame(rows, ["id", "code", "name_vi", "name_en"])


def observation_count(engine: Engine) -> int:
    with _reading(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(Observation)).scalar_one())


def latest_month(engine: Engine, unit_ids: Sequence[int]) -> dt.date | None:
    """The newest month with a monthly figure."""
    query = select(func.max(Observation.period)).where(Observation.unit_id.in_(unit_ids), Observation.grain == "month")
    with _reading(engine) as conn:
        return conn.execute(query).scalar_one_or_none()


@cache
def _month_range_query() -> Select:
    return (
        select(Observation.grain, func.min(Observation.period), func.max(Observation.period))
        .where(Observation.unit_id.in_(_in("unit_ids")))
        .group_by(Observation.grain)
    )


def month_range(engine: Engine, unit_ids: Sequence[int]) -> tuple[dt.date, dt.date] | None:
    """The first and last month the units' figures cover (a quarter's figure covers to its last month)."""
    with _reading(engine) as conn:
        # (grain, first period, last period) per grain
        rows = cast(
            list[tuple[str, dt.date, dt.date]], conn.execute(_month_range_query(), {"unit_ids": list(unit_ids)}).all()
        )
    if not rows:
        return None
    return min(first for _g, first, _l in rows), max(grains.span(grain, last)[-1] for grain, _f, last in rows)


def monthly_totals(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    by_member: bool = False,
) -> pd.DataFrame:
    """Monthly values summed over units (and over members unless by_member).

    Columns: period, metric, [member, member_vi, member_en,] value.
    """
    rows = _sums(engine, unit_ids, metric_codes, start, end, by_member=by_member, every_grain=False, ordered=True)
    return _sums_frame(rows, by_member=by_member, every_grain=False)


def figure_totals(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    by_member: bool = False,
) -> pd.DataFrame:
    """Stored figures of every grain whose period starts from start to end, summed over units (and members
    unless by_member), for series.aggregate to read periods through commstats.grains.

    Columns: period (the figure's first day), metric, [member, member_vi, member_en,] grain, value, estimated.
    """
    rows = _sums(engine, unit_ids, metric_codes, start, end, by_member=by_member, every_grain=True, ordered=True)
    frame = _sums_frame(rows, by_member=by_member, every_grain=True)
    frame["estimated"] = frame["estimated"].astype(bool)
    return frame


def _sums_frame(rows: Sequence[tuple[Any, ...]], *, by_member: bool, every_grain: bool) -> pd.DataFrame:
    """_sums' rows as a frame, without the metric's kind (the pages know it from the catalogue). Plain tuples:
    pandas probes each SQLAlchemy Row for named-tuple attributes (see _frame)."""
    frame = pd.DataFrame([tuple(row) for row in rows], columns=_names(_sums_query(by_member, every_grain)))
    return _int64_values(frame.drop(columns="kind"))


@cache
def _sums_query(by_member: bool, every_grain: bool) -> Select:
    """The one grouped read of stored figures summed over the chosen units (monthly_totals, figure_totals,
    monthly_sums, period_sums): columns period, metric, kind, [member, member_vi, member_en,] [grain,] value,
    [estimated]. Monthly figures only unless `every_grain` (then the grain, and whether an estimate is in the
    sum: PostgreSQL has no max() of booleans)."""
    keys: list[Label[Any]] = [
        Observation.period.label("period"),
        Metric.code.label("metric"),
        Metric.kind.label("kind"),
    ]
    if by_member:
        keys += [Member.code.label("member"), Member.name_vi.label("member_vi"), Member.name_en.label("member_en")]
    sums = [func.sum(Observation.value).cast(Observation.value.type).label("value")]
    if every_grain:
        keys.append(Observation.grain.label("grain"))
        sums.append(func.max(case((Observation.estimated, 1), else_=0)).label("estimated"))
    query = (
        select(*keys, *sums)
        .join(Metric, Metric.id == Observation.metric_id)
        .where(*_chosen_rows(months_only=not every_grain))
        .group_by(*keys)
    )
    return query.join(Member, Member.id == Observation.member_id) if by_member else query


@cache
def _sums_by_period(by_member: bool, every_grain: bool) -> Select:
    """_sums_query in time order (the frames' rows)."""
    return _sums_query(by_member, every_grain).order_by(Observation.period)


@cache
def _names(query: Select) -> list[str]:
    return list(query.selected_columns.keys())


def _int64_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The value column as int64 (already so unless the frame is empty: no copy then)."""
    if frame["value"].dtype != "int64":
        frame["value"] = frame["value"].astype("int64")
    return frame


def _chosen(unit_ids: Sequence[int], metric_codes: Sequence[str], start: dt.date, end: dt.date) -> dict[str, object]:
    return {"unit_ids": list(unit_ids), "codes": list(metric_codes), "start": start, "end": end}


def _chosen_rows(*, months_only: bool = True) -> tuple:
    """The WHERE of the dashboard's reads: the chosen units, metric codes and months (bound at execution);
    monthly figures only unless `months_only` is False (coarser figures are read through commstats.grains)."""
    chosen = (
        Observation.unit_id.in_(_in("unit_ids")),
        Metric.code.in_(_in("codes")),
        Observation.period.between(bindparam("start"), bindparam("end")),
    )
    return (*chosen, Observation.grain == "month") if months_only else chosen


@cache
def _months_reported_query() -> Select:
    return (
        select(Metric.code, Observation.period)
        .distinct()
        .join(Metric, Metric.id == Observation.metric_id)
        .where(
            Observation.unit_id.in_(_in("unit_ids")),
            Metric.kind != "ratio",
            Observation.grain == "month",
            Observation.period.between(bindparam("start"), bindparam("end")),
        )
    )


def months_reported(engine: Engine, unit_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[dt.date, set[str]]:
    """Which metrics (ratios left out: they are computed) have a monthly figure of the units in each month from
    start to end: the overview's test of a complete month, which needs no values."""
    reported: dict[dt.date, set[str]] = {}
    with _reading(engine) as conn:
        params = {"unit_ids": list(unit_ids), "start": start, "end": end}
        rows = cast(list[tuple[str, dt.date]], conn.execute(_months_reported_query(), params).all())
        for code, month in rows:
            reported.setdefault(month, set()).add(code)
    return reported


def monthly_sums(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    by_member: bool = False,
) -> list[tuple[str, str, dt.date, str, int]]:
    """(metric, kind, period, member, value) summed over units in SQL; member is "" unless by_member.

    Plain tuples, no DataFrame: the overview and the narrative call this many times per screen.
    """
    rows = _sums(engine, unit_ids, metric_codes, start, end, by_member=by_member, every_grain=False)
    if by_member:
        return [(code, kind, period, member, int(value)) for period, code, kind, member, _vi, _en, value in rows]
    return [(code, kind, period, "", int(value)) for period, code, kind, value in rows]


def period_sums(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    by_member: bool = False,
) -> list[grains.Row]:
    """Stored figures of every grain whose period starts from start to end, summed over units in SQL:
    (metric, kind, grain, first day, member, value, estimated); member is "" unless by_member."""
    rows = _sums(engine, unit_ids, metric_codes, start, end, by_member=by_member, every_grain=True)
    if by_member:
        return [(c, k, g, p, member, int(v), bool(e)) for p, c, k, member, _vi, _en, g, v, e in rows]
    return [(c, k, g, p, "", int(v), bool(e)) for p, c, k, g, v, e in rows]


def _sums(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    by_member: bool,
    every_grain: bool,
    ordered: bool = False,
) -> list[tuple[Any, ...]]:
    """_sums_query's rows (in time order if `ordered`: the frames'; the tuple reads skip the sort)."""
    query = _sums_by_period(by_member, every_grain) if ordered else _sums_query(by_member, every_grain)
    with _reading(engine) as conn:
        return cast(list[tuple[Any, ...]], conn.execute(query, _chosen(unit_ids, metric_codes, start, end)).all())


@cache
def _period_sums_query(by_member: bool, coarse_earlier: bool = False) -> Select | CompoundSelect:
    """With `coarse_earlier`: monthly figures from `start`, coarser ones from `coarse_start` (a year's level
    figure starts 11 months before its December), so that the months before the period are not read. Two
    grouped reads joined (their grains differ, so no group is split), each on the index's range."""
    if not coarse_earlier:
        return _grouped_period_sums(by_member, _chosen_rows(months_only=False))
    units_metrics = _chosen_rows(months_only=False)[:2]
    monthly = (
        *units_metrics,
        Observation.grain == "month",
        Observation.period.between(bindparam("start"), bindparam("end")),
    )
    coarse = (
        *units_metrics,
        Observation.grain != "month",
        Observation.period.between(bindparam("coarse_start"), bindparam("end")),
    )
    return union_all(_grouped_period_sums(by_member, monthly), _grouped_period_sums(by_member, coarse))


def _grouped_period_sums(by_member: bool, where: tuple) -> Select:
    columns = [Metric.code, Metric.kind, Observation.grain, Observation.period]
    if by_member:
        columns.append(Member.code)
    estimated = func.max(case((Observation.estimated, 1), else_=0))  # PostgreSQL has no max() of booleans
    query = (
        select(*columns, func.sum(Observation.value).cast(Observation.value.type), estimated)
        .join(Metric, Metric.id == Observation.metric_id)
        .where(*where)
        .group_by(*columns)
    )
    return query.join(Member, Member.id == Observation.member_id) if by_member else query


def period_figures(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    months: Sequence[dt.date],
    *,
    by_member: bool = False,
) -> dict[tuple[str, str], grains.Folded]:
    """Each metric's value over a period with what it was read from (commstats.grains): complete monthly
    figures where they exist, the coarser figure otherwise; flows summed, stocks at the period's end.

    Keys are (metric, member); member is "" unless by_member. A metric with no data is absent."""
    if not months:
        return {}
    # A stock's year figure is its level at December: it may start up to 11 months before the period does.
    params = {**_chosen(unit_ids, metric_codes, min(months), max(months)), "coarse_start": add_months(min(months), -11)}
    with _reading(engine) as conn:
        found = cast(list[tuple[Any, ...]], conn.execute(_period_sums_query(by_member, True), params).all())
    if by_member:
        rows = [(c, k, g, p, member, int(v), bool(e)) for c, k, g, p, member, v, e in found]
    else:
        rows = [(c, k, g, p, "", int(v), bool(e)) for c, k, g, p, v, e in found]
    return grains.fold(rows, months)


def period_values(
    engine: Engine,
    unit_ids: Sequence[int],
    metric_codes: Sequence[str],
    months: Sequence[dt.date],
    *,
    by_member: bool = False,
) -> dict[tuple[str, str], int]:
    """Each metric's value over a period (period_figures without the basis)."""
    return grains.values_of(period_figures(engine, unit_ids, metric_codes, months, by_member=by_member))


@cache
def _targets_query() -> Select:
    return (
        select(Metric.code, func.sum(Target.value).cast(Target.value.type))
        .join(Metric, Metric.id == Target.metric_id)
        .where(Target.unit_id.in_(_in("unit_ids")), Target.year == bindparam("year"))
        .group_by(Metric.code)
    )


def targets(engine: Engine, unit_ids: Sequence[int], year: int) -> dict[str, int]:
    with _reading(engine) as conn:
        rows: Sequence[tuple[str, int]] = conn.execute(
            _targets_query(), {"unit_ids": list(unit_ids), "year": year}
        ).all()
        return {code: int(value) for code, value in rows}


def figure_sources(
    engine: Engine, unit_ids: Sequence[int], metric_codes: Sequence[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Stored figures of every grain with the batch that wrote them (the draft's traceability).

    Columns: unit, metric, member, period (first day), value, batch_id, grain.
    """
    with _reading(engine) as conn:
        rows = conn.execute(_figure_sources_query(), _chosen(unit_ids, metric_codes, start, end))
        return _frame(rows, ["unit", "metric", "member", "period", "value", "batch_id", "grain"])


@cache
def _figure_sources_query() -> Select:
    return (
        select(
            Unit.code,
            Metric.code,
            Member.code,
            Observation.period,
            Observation.value,
            Observation.batch_id,
            Observation.grain,
        )
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
        .where(*_chosen_rows(months_only=False))
        .order_by(Metric.sort_order, Member.sort_order, Member.code, Observation.period, Unit.code)
    )


def target_sources(engine: Engine, unit_ids: Sequence[int], metric_codes: Sequence[str], year: int) -> pd.DataFrame:
    """Annual targets with the batch that wrote them. Columns: unit, metric, year, value, batch_id."""
    with _reading(engine) as conn:
        rows = conn.execute(
            _target_sources_query(), {"unit_ids": list(unit_ids), "codes": list(metric_codes), "year": year}
        )
        return _frame(rows, ["unit", "metric", "year", "value", "batch_id"])


@cache
def _target_sources_query() -> Select:
    return (
        select(Unit.code, Metric.code, Target.year, Target.value, Target.batch_id)
        .join(Unit, Unit.id == Target.unit_id)
        .join(Metric, Metric.id == Target.metric_id)
        .where(Target.unit_id.in_(_in("unit_ids")), Metric.code.in_(_in("codes")), Target.year == bindparam("year"))
        .order_by(Metric.sort_order, Unit.code)
    )


def target_list(engine: Engine, unit_ids: Sequence[int] = (), year: int | None = None) -> pd.DataFrame:
    """Stored annual targets, for `targets list`. Columns: unit, year, metric, value, batch_id."""
    query = (
        select(Unit.code, Target.year, Metric.code, Target.value, Target.batch_id)
        .join(Unit, Unit.id == Target.unit_id)
        .join(Metric, Metric.id == Target.metric_id)
        .order_by(Unit.code, Target.year, Metric.sort_order)
    )
    if unit_ids:
        query = query.where(Target.unit_id.in_(unit_ids))
    if year is not None:
        query = query.where(Target.year == year)
    with _reading(engine) as conn:
        return _frame(conn.execute(query), ["unit", "year", "metric", "value", "batch_id"])


EXPORT_COLUMNS = [
    "unit",
    "unit_name",
    "period",
    "section",
    "metric",
    "metric_name",
    "member",
    "member_name",
    "value",
    "unit_word",
    "note",
    "grain",
    "estimated",
]


def observations_for_export(
    engine: Engine,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    metric_codes: Sequence[str] = (),
    unit_codes: Sequence[str] = (),
    section_codes: Sequence[str] = (),
    member_codes: Sequence[str] = (),
    lang: str = "vi",
    grain: str | None = None,
) -> pd.DataFrame:
    """Observations in long format with names in `lang`, in the columns of EXPORT_COLUMNS; every grain, or only
    `grain` ("month": the monthly figures, as the entry form shows them)."""
    en = lang == "en"
    query = (
        select(
            Unit.code,
            Unit.name_en if en else Unit.name_vi,
            Observation.period,
            Section.name_en if en else Section.name_vi,
            Metric.code,
            Metric.name_en if en else Metric.name_vi,
            Member.code,
            Member.name_en if en else Member.name_vi,
            Observation.value,
            Metric.unit_en if en else Metric.unit_vi,
            Observation.note,
            Observation.grain,
            Observation.estimated,
        )
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Section, Section.id == Metric.section_id)
        .join(Member, Member.id == Observation.member_id)
        .order_by(Unit.code, Observation.period, Section.sort_order, Metric.sort_order, Member.sort_order, Member.code)
    )
    if start:
        query = query.where(Observation.period >= start)
    if end:
        query = query.where(Observation.period <= end)
    if metric_codes:
        query = query.where(Metric.code.in_(metric_codes))
    if unit_codes:
        query = query.where(Unit.code.in_(unit_codes))
    if section_codes:
        query = query.where(Section.code.in_(section_codes))
    if member_codes:
        query = query.where(Member.code.in_(member_codes))
    if grain is not None:
        query = query.where(Observation.grain == grain)
    with _reading(engine) as conn:
        frame = _frame(conn.execute(query), EXPORT_COLUMNS)
    # A coarser figure keeps its own period (2019-Q3, 2019-H1, 2019-9M, 2019), so the file imports back as it was;
    # its grain and whether it is an estimate are words of `lang` that the long-file importer reads back.
    frame["period"] = [
        f"{p.year:04d}-{p.month:02d}" if g == "month" else period_from_start(g, p).key
        for p, g in zip(frame["period"], frame["grain"], strict=True)
    ]
    words = {grain: t("export_grain_" + grain, lang) for grain in GRAINS}
    frame["grain"] = [words.get(g, g) for g in frame["grain"]]
    yes, no = t("export_estimated_yes", lang), t("export_estimated_no", lang)
    frame["estimated"] = [yes if e else no for e in frame["estimated"]]
    return _int64_values(frame)


@cache
def _batch_ids_of_units() -> CompoundSelect:
    """Every batch that wrote something of the units: figures, revisions, targets, site posts, licences."""
    units = _in("unit_ids")
    return union(
        select(Observation.batch_id).where(Observation.unit_id.in_(units)),
        select(Revision.batch_id)
        .join(Observation, Observation.id == Revision.observation_id)
        .where(Observation.unit_id.in_(units)),
        select(Target.batch_id).where(Target.unit_id.in_(units)),
        select(SitePost.batch_id).where(SitePost.unit_id.in_(units), SitePost.batch_id.is_not(None)),
        select(LicenceRecord.batch_id).where(LicenceRecord.unit_id.in_(units)),
    )


@cache
def _import_batches_query(of_units: bool) -> Select:
    query = select(
        ImportBatch.id,
        ImportBatch.source_kind,
        ImportBatch.source_name,
        ImportBatch.sha256,
        ImportBatch.started_at,
        ImportBatch.finished_at,
        ImportBatch.rows_read,
        ImportBatch.rows_inserted,
        ImportBatch.rows_updated,
        ImportBatch.rows_unchanged,
        ImportBatch.status,
        ImportBatch.created_by,
    )
    if of_units:
        query = query.where(ImportBatch.id.in_(_batch_ids_of_units()))
    return query.order_by(ImportBatch.id.desc()).limit(bindparam("limit"))


def import_batches(engine: Engine, unit_ids: Sequence[int] | None = None, limit: int = 200) -> pd.DataFrame:
    """The newest batches; with `unit_ids`, only those that wrote something of these units (a unit's
    data-quality page shows its own imports, not the nation's)."""
    with _reading(engine) as conn:
        result = conn.execute(_import_batches_query(unit_ids is not None), _of_units(unit_ids, limit=limit))
        return _frame(result, list(result.keys()))


@cache
def _revisions_query(of_units: bool) -> Select:
    query = (
        select(
            Revision.id,
            Revision.changed_at,
            Revision.batch_id,
            Unit.code.label("unit"),
            Metric.code.label("metric"),
            Observation.period,
            Member.code.label("member"),
            Revision.old_value,
            Revision.new_value,
            Member.name_vi.label("member_vi"),
            Member.name_en.label("member_en"),
            Observation.grain,
            Revision.old_estimated,
            Revision.new_estimated,
        )
        .join(Observation, Observation.id == Revision.observation_id)
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
    )
    if of_units:
        query = query.where(Observation.unit_id.in_(_in("unit_ids")))
    return query.order_by(Revision.id.desc()).limit(bindparam("limit"))


def revisions(engine: Engine, unit_ids: Sequence[int] | None = None, limit: int = 500) -> pd.DataFrame:
    """The newest revisions, with the figure they changed (its grain; whether the old and new values were
    estimates); with `unit_ids`, only those units' figures."""
    with _reading(engine) as conn:
        result = conn.execute(_revisions_query(unit_ids is not None), _of_units(unit_ids, limit=limit))
        frame = _frame(result, list(result.keys()))
    for column in ("old_estimated", "new_estimated"):
        frame[column] = frame[column].astype(bool)
    return frame


@cache
def _grain_rows_query(coarse: bool) -> Select:
    query = (
        select(
            Unit.code, Metric.code, Metric.kind, Observation.grain, Observation.period, Member.code, Observation.value
        )
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
        .where(Observation.unit_id.in_(_in("unit_ids")))
        .where(Observation.period.between(bindparam("start"), bindparam("end")))
    )
    if coarse:
        return query.where(Observation.grain != "month")
    return query.where(Observation.grain == "month", Metric.code.in_(_in("codes")))


def grain_rows(
    engine: Engine, unit_ids: Sequence[int], start: dt.date, end: dt.date
) -> list[tuple[str, str, str, str, dt.date, str, int]]:
    """The units' figures of a grain coarser than a month whose period starts from start to end, with the monthly
    figures of the same metrics over their months: (unit, metric, kind, grain, first day, member, value), for
    commstats.grains.grain_differences. Nothing more is read when there is no coarser figure (the usual case)."""
    params: dict[str, object] = {"unit_ids": list(unit_ids), "start": start, "end": end}
    with _reading(engine) as conn:
        # (unit, metric, kind, grain, first day, member, value)
        coarse: list[tuple[Any, ...]] = [tuple(row) for row in conn.execute(_grain_rows_query(True), params).all()]
        if not coarse:
            return []
        last = max(grains.span(row[3], row[4])[-1] for row in coarse)
        monthly_params = {**params, "codes": sorted({row[1] for row in coarse}), "end": last}
        monthly: list[tuple[Any, ...]] = [
            tuple(row) for row in conn.execute(_grain_rows_query(False), monthly_params).all()
        ]
    return [(u, m, k, g, p, mem, int(v)) for u, m, k, g, p, mem, v in coarse + monthly]


@dataclass(frozen=True)
class StoredFigure:
    unit: str
    metric: str
    period: dt.date
    member: str
    value: int


@cache
def _figures_outside_query() -> Select[str, str, dt.date, str, int]:
    return (
        select(Unit.code, Metric.code, Observation.period, Member.code, Observation.value)
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
        .where(Observation.unit_id.in_(bindparam("unit_ids", expanding=True)))
        .where((Observation.period < bindparam("first")) | (Observation.period > bindparam("last")))
        .order_by(Observation.period.desc(), Unit.code, Metric.code, Member.code)
        .limit(bindparam("limit"))
    )


def figures_outside(
    engine: Engine, unit_ids: Sequence[int], first: dt.date, last: dt.date, limit: int = 1000
) -> list[StoredFigure]:
    """Figures of these units stored for a month outside first..last (rows from before imports checked it)."""
    params = {"unit_ids": list(unit_ids), "first": first, "last": last, "limit": limit}
    with _reading(engine) as conn:
        return [StoredFigure(*row) for row in conn.execute(_figures_outside_query(), params).all()]


# --- Dashboard reads (trends, sites, licences, explore, quality) ---


def schema_ready(engine: Engine) -> bool:
    """Whether the schema exists (a brand-new database file has no tables until `commstats init`)."""
    with _reading(engine) as conn:  # the dialect's own check: an Inspector costs more than the query
        return engine.dialect.has_table(conn, Observation.__tablename__)


def unit_monthly_totals(
    engine: Engine, unit_ids: Sequence[int], metric_codes: Sequence[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Each unit's own monthly value per metric (summed over members). Columns: unit, period, metric, value."""
    with _reading(engine) as conn:
        rows = conn.execute(_unit_monthly_totals_query(), _chosen(unit_ids, metric_codes, start, end))
        frame = _frame(rows, ["unit", "period", "metric", "value"])
    return _int64_values(frame)


@cache
def _unit_monthly_totals_query() -> Select:
    columns: list[Label[Any]] = [
        Unit.code.label("unit"),
        Observation.period.label("period"),
        Metric.code.label("metric"),
    ]
    return (
        select(*columns, func.sum(Observation.value).cast(Observation.value.type).label("value"))
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .where(*_chosen_rows())
        .group_by(*columns)
        .order_by(Unit.code, Metric.code, Observation.period)
    )


def first_months(engine: Engine, unit_ids: Sequence[int]) -> dict[tuple[str, str], dt.date]:
    """(unit code, metric code) -> the first month that unit ever reported that metric.

    Grouped by ids first, in the unique index's order (no sort), and named afterwards."""
    with _reading(engine) as conn:
        rows: Sequence[tuple[str, str, dt.date]] = conn.execute(
            _first_months_query(), {"unit_ids": list(unit_ids)}
        ).all()
        return {(unit, metric): first for unit, metric, first in rows}


@cache
def _first_months_query() -> Select:
    firsts = (
        select(Observation.unit_id, Observation.metric_id, func.min(Observation.period).label("first"))
        .where(Observation.unit_id.in_(_in("unit_ids")), Observation.grain == "month")
        .group_by(Observation.unit_id, Observation.metric_id)
        .subquery()
    )
    return (
        select(Unit.code, Metric.code, firsts.c.first)
        .join(Unit, Unit.id == firsts.c.unit_id)
        .join(Metric, Metric.id == firsts.c.metric_id)
    )


def licence_records(engine: Engine, unit_ids: Sequence[int], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Register entries (licences, declarations) issued in [start, end]. Columns as selected below."""
    with _reading(engine) as conn:
        rows = conn.execute(_licence_records_query(), {"unit_ids": list(unit_ids), "start": start, "end": end})
        return _frame(rows, ["issued_on", "metric", "number", "holder", "title", "unit"])


@cache
def _licence_records_query() -> Select:
    return (
        select(
            LicenceRecord.issued_on,
            Metric.code.label("metric"),
            LicenceRecord.number,
            LicenceRecord.holder,
            LicenceRecord.title,
            Unit.code.label("unit"),
        )
        .join(Metric, Metric.id == LicenceRecord.metric_id)
        .join(Unit, Unit.id == LicenceRecord.unit_id)
        .where(
            LicenceRecord.unit_id.in_(_in("unit_ids")),
            LicenceRecord.issued_on.between(bindparam("start"), bindparam("end")),
        )
        .order_by(LicenceRecord.issued_on.desc(), LicenceRecord.number)
    )


@dataclass(frozen=True)
class DataVersion:
    """A cheap fingerprint of what the dashboard shows: every write of figures, targets or registers adds an
    audit event (in the same transaction), and units and metrics are counted. Read once per rerun; every
    part is an index lookup or a small table (the newest event of any kind: a filter on the action would scan
    the whole trail, sign-ins included; `data_events_since` sorts out what the new events wrote)."""

    audit_event: int  # the newest audit event (0: none yet)
    batch: int  # the newest import batch
    units: int
    metrics: int


@cache
def _data_version_query() -> Select:
    return select(
        select(func.max(AuditEvent.id)).scalar_subquery(),
        select(func.max(ImportBatch.id)).scalar_subquery(),
        select(func.count()).select_from(Unit).scalar_subquery(),
        select(func.count()).select_from(Metric).scalar_subquery(),
    )


def data_version(engine: Engine) -> DataVersion | None:
    """The data version in one query; None for a database that `commstats init` has not set up yet."""
    try:
        with _reading(engine) as conn:
            row = conn.execute(_data_version_query()).one()
    except (OperationalError, ProgrammingError):  # no tables yet (SQLite: OperationalError, PostgreSQL: Programming)
        return None
    return DataVersion(*(int(value or 0) for value in row))


@dataclass(frozen=True)
class DataEvent:
    id: int
    action: str
    unit_codes: tuple[str, ...]  # the units it wrote; empty when it concerns them all (a restore)


def data_events_since(engine: Engine, after: int) -> list[DataEvent]:
    """The data actions after audit event `after` (a range of the primary key), oldest first: which units
    each one wrote."""
    query = (
        select(AuditEvent.id, AuditEvent.action, AuditEvent.unit_code)
        .where(AuditEvent.id > bindparam("after"), AuditEvent.action.in_(sorted(DATA_ACTIONS)))
        .order_by(AuditEvent.id)
    )
    with _reading(engine) as conn:
        rows = conn.execute(query, {"after": after}).all()
    return [DataEvent(int(i), str(a), tuple(c for c in (codes or "").split(",") if c)) for i, a, codes in rows]


@dataclass(frozen=True)
class BlockInfo:
    kind: str
    text: str
    version: int
    source: str
    created_at: dt.datetime
    created_by: str


@cache
def _narrative_blocks_query() -> Select[str, str, int, str, dt.datetime, str]:
    latest = (
        select(NarrativeBlock.kind, func.max(NarrativeBlock.version).label("version"))
        .where(NarrativeBlock.unit_id == bindparam("unit_id"), NarrativeBlock.period_key == bindparam("period_key"))
        .group_by(NarrativeBlock.kind)
        .subquery()
    )
    return (
        select(
            NarrativeBlock.kind,
            NarrativeBlock.text,
            NarrativeBlock.version,
            NarrativeBlock.source,
            NarrativeBlock.created_at,
            NarrativeBlock.created_by,
        )
        .join(latest, (latest.c.kind == NarrativeBlock.kind) & (latest.c.version == NarrativeBlock.version))
        .where(NarrativeBlock.unit_id == bindparam("unit_id"), NarrativeBlock.period_key == bindparam("period_key"))
    )


def narrative_blocks(engine: Engine, unit_code: str, period_key: str) -> dict[str, BlockInfo]:
    """The current (latest) version of each narrative block of a unit's report for one period."""
    with _reading(engine) as conn:
        unit_id = conn.execute(select(Unit.id).where(Unit.code == bindparam("code")), {"code": unit_code}).scalar()
        if unit_id is None:
            return {}
        rows = conn.execute(_narrative_blocks_query(), {"unit_id": unit_id, "period_key": period_key}).all()
    return {row[0]: BlockInfo(*row) for row in rows}


@cache
def _narrative_history_query() -> Select:
    return (
        select(
            NarrativeBlock.kind,
            NarrativeBlock.version,
            NarrativeBlock.source,
            NarrativeBlock.created_at,
            NarrativeBlock.created_by,
            NarrativeBlock.text,
        )
        .join(Unit, Unit.id == NarrativeBlock.unit_id)
        .where(Unit.code == bindparam("code"), NarrativeBlock.period_key == bindparam("period_key"))
        .order_by(NarrativeBlock.kind, NarrativeBlock.version.desc())
    )


def narrative_history(engine: Engine, unit_code: str, period_key: str) -> pd.DataFrame:
    """Every version of every block of a unit's report for one period, newest first within a block."""
    with _reading(engine) as conn:
        result = conn.execute(_narrative_history_query(), {"code": unit_code, "period_key": period_key})
        return _frame(result, ["kind", "version", "source", "created_at", "created_by", "text"])
