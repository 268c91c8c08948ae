"""The two baselines of every core call a page makes (see bench.apptest_worker for how calls are found):

- hand: the same result read by a hand-written SQL query straight on the tables with the raw sqlite3
  driver (one open connection), returned in the same form as the core (a DataFrame where the core returns
  one, dates as dates). Lists are passed as one JSON parameter (json_each), so every value is bound, and
  each query names its plan: `CROSS JOIN` makes SQLite start from the chosen units and metrics and look
  their rows up in the unique index (unit, metric, period, member), as the schema intends;
- naive: every table read whole into pandas (once per database: `Tables`), then filtered and grouped.

`canonical` turns any of the three results into plain sorted tuples (ISO dates), so the benchmark checks
that the three agree before it times them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, is_dataclass
from typing import Any

import pandas as pd

from commstats import grains
from commstats.audit import DATA_ACTIONS
from commstats.auth import Principal
from commstats.catalog import load_catalog
from commstats.i18n import t
from commstats.national import AreaInfo, Scope, scope_of
from commstats.overview import REGULAR_MONTHS
from commstats.periods import GRAINS, Period, add_months, months_between
from commstats.queries import EXPORT_COLUMNS, BlockInfo, DataEvent, DataVersion, MetricInfo, UnitInfo
from commstats.ratios import ratios_of

# A core call a page made: (caller: "page" or "frame", core function, its arguments after the engine, keywords)
Call = tuple[str, str, tuple[Any, ...], dict[str, Any]]
Q = "commstats.queries."
OVERVIEW = "commstats.overview.overview_cards"
DRAFT = "commstats.narrative.compose.draft_report"


def _json(values: Sequence[Any]) -> str:
    return json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in values])


def _records(frame: pd.DataFrame) -> Iterable[Any]:
    """frame.itertuples(): named tuples whose fields are the frame's columns, known only at run time."""
    return frame.itertuples()


def _pairs(series: pd.Series) -> Iterable[tuple[Any, Any]]:
    """series.items() of a grouped sum: its keys are the group's values (a tuple for several columns)."""
    return series.items()


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


# The rows of the chosen units (first parameter) and metric codes (second), found through the unique index.
UNITS_METRICS = (
    "FROM json_each(?) AS u CROSS JOIN json_each(?) AS c CROSS JOIN metric m ON m.code = c.value "
    "CROSS JOIN observation o ON o.unit_id = u.value AND o.metric_id = m.id"
)
UNITS = "FROM json_each(?) AS u CROSS JOIN observation o ON o.unit_id = u.value JOIN metric m ON m.id = o.metric_id"


def _rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()


def _date(text: str | dt.date | None) -> dt.date | None:
    """A stored date: text on SQLite, a date already on PostgreSQL (bench.pg_bench.PgHand)."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    return dt.date.fromisoformat(text[:10]) if text else None


def _frame(
    conn: sqlite3.Connection,
    sql: str,
    params: Sequence[Any] | dict[str, Any],
    columns: Sequence[str],
    dates: Sequence[str] = (),
) -> pd.DataFrame:
    frame = pd.DataFrame(conn.execute(sql, params).fetchall(), columns=list(columns))
    for column in dates:
        frame[column] = [_date(v) for v in frame[column]]
    return frame


# --- hand-written SQL ---


def hand_schema_ready(conn: sqlite3.Connection) -> bool:
    return bool(_rows(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'observation'"))


def hand_data_version(conn: sqlite3.Connection) -> DataVersion:
    sql = (
        "SELECT (SELECT max(id) FROM audit_event), (SELECT max(id) FROM import_batch), "
        "(SELECT count(*) FROM unit), (SELECT count(*) FROM metric)"
    )
    [row] = _rows(conn, sql)
    return DataVersion(*(int(v or 0) for v in row))


def hand_data_events_since(conn: sqlite3.Connection, after: int) -> list[DataEvent]:
    sql = (
        "SELECT id, action, unit_code FROM audit_event WHERE id > ? "
        "AND action IN (SELECT value FROM json_each(?)) ORDER BY id"
    )
    rows = _rows(conn, sql, after, _json(sorted(DATA_ACTIONS)))
    return [DataEvent(i, a, tuple(c for c in (codes or "").split(",") if c)) for i, a, codes in rows]


def hand_units(conn: sqlite3.Connection) -> list[UnitInfo]:
    rows = _rows(
        conn,
        "SELECT id, code, name_vi, name_en, is_demo, merged_into_id, merged_on, cutoff_day, first_year FROM unit "
        "ORDER BY name_vi",
    )
    return [UnitInfo(i, c, nv, ne, bool(d), m, _date(on), cut, y) for i, c, nv, ne, d, m, on, cut, y in rows]


def hand_unit_ids(conn: sqlite3.Connection, codes: Sequence[str]) -> list[int]:
    sql = (
        "WITH RECURSIVE chosen(id) AS (SELECT id FROM unit WHERE code IN (SELECT value FROM json_each(?)) "
        "UNION SELECT u.id FROM unit u JOIN chosen c ON u.merged_into_id = c.id) SELECT id FROM chosen ORDER BY id"
    )
    return [r[0] for r in _rows(conn, sql, _json(codes))]


def _covered(rows: Iterable[tuple[Any, Any, Any]]) -> tuple[dt.date, dt.date] | None:
    """(first month, last month covered) from (grain, first period, last period) per grain: a coarse
    figure covers to its period's last month (the core's rule, commstats.grains.span)."""
    spans = [(_day(first), grains.span(str(grain), _day(last))[-1]) for grain, first, last in rows]
    return (min(f for f, _ in spans), max(last for _, last in spans)) if spans else None


def _day(value: str | dt.date) -> dt.date:
    day = _date(value)
    assert day is not None
    return day


def hand_month_range(conn: sqlite3.Connection, ids: Sequence[int]) -> tuple[dt.date, dt.date] | None:
    return _covered(
        _rows(
            conn,
            "SELECT o.grain, MIN(o.period), MAX(o.period) FROM json_each(?) AS u CROSS JOIN observation o "
            "ON o.unit_id = u.value GROUP BY o.grain",
            _json(ids),
        )
    )


def hand_metrics(conn: sqlite3.Connection) -> list[MetricInfo]:
    return [
        MetricInfo(*row)
        for row in _rows(
            conn,
            "SELECT m.id, m.code, m.name_vi, m.name_en, m.unit_vi, m.unit_en, m.kind, m.dimension, s.code, s.name_vi, "
            "s.name_en FROM metric m JOIN section s ON s.id = m.section_id ORDER BY s.sort_order, m.sort_order",
        )
    ]


def hand_metric_by_code(conn: sqlite3.Connection) -> dict[str, MetricInfo]:
    return {m.code: m for m in hand_metrics(conn)}


def hand_members(conn: sqlite3.Connection, dimension: str, unit_ids: Sequence[int] | None = None) -> pd.DataFrame:
    columns = ["id", "code", "name_vi", "name_en"]
    if unit_ids is None:
        sql = "SELECT id, code, name_vi, name_en FROM member WHERE dimension = ? ORDER BY sort_order, name_vi"
        return _frame(conn, sql, (dimension,), columns)
    sql = (
        "SELECT b.id, b.code, b.name_vi, b.name_en FROM member b WHERE b.dimension = ? AND b.id IN "
        "(SELECT o.member_id FROM json_each(?) AS u CROSS JOIN metric m CROSS JOIN observation o "
        "ON o.unit_id = u.value AND o.metric_id = m.id WHERE m.dimension = ?) ORDER BY b.sort_order, b.name_vi"
    )
    return _frame(conn, sql, (dimension, _json(unit_ids), dimension), columns)


def hand_monthly_totals(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    by_member: bool = False,
) -> pd.DataFrame:
    params = (_json(ids), _json(codes), start.isoformat(), end.isoformat())
    if by_member:
        sql = (
            "SELECT o.period, m.code, b.code, b.name_vi, b.name_en, SUM(o.value) "
            + UNITS_METRICS
            + " JOIN member b ON b.id = o.member_id WHERE o.period BETWEEN ? AND ? "
            "GROUP BY o.period, m.code, b.code, b.name_vi, b.name_en ORDER BY o.period"
        )
    else:
        sql = (
            "SELECT o.period, m.code, SUM(o.value) " + UNITS_METRICS + " WHERE o.period BETWEEN ? AND ? "
            "GROUP BY o.period, m.code ORDER BY o.period"
        )
    columns = (
        ["period", "metric", "member", "member_vi", "member_en", "value"]
        if by_member
        else ["period", "metric", "value"]
    )
    return _frame(conn, sql, params, columns, dates=["period"])


PERIOD_VALUES = (
    "WITH sums AS (SELECT m.code AS metric, m.kind AS kind, o.period AS period, '' AS member, SUM(o.value) AS value "
    + UNITS_METRICS
    + " WHERE o.period BETWEEN ? AND ? AND o.period IN (SELECT value FROM json_each(?)) "
    "GROUP BY m.code, m.kind, o.period) "
    "SELECT metric, member, SUM(value) FROM sums s WHERE kind = 'flow' OR period = "
    "(SELECT MAX(period) FROM sums t WHERE t.metric = s.metric) GROUP BY metric, member"
)
PERIOD_VALUES_BY_MEMBER = (
    "WITH sums AS (SELECT m.code AS metric, m.kind AS kind, o.period AS period, b.code AS member, "
    "SUM(o.value) AS value " + UNITS_METRICS + " JOIN member b ON b.id = o.member_id WHERE o.period BETWEEN ? AND ? "
    "AND o.period IN (SELECT value FROM json_each(?)) GROUP BY m.code, m.kind, o.period, b.code) "
    "SELECT metric, member, SUM(value) FROM sums s WHERE kind = 'flow' OR period = "
    "(SELECT MAX(period) FROM sums t WHERE t.metric = s.metric) GROUP BY metric, member"
)


def hand_period_values(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    codes: Sequence[str],
    months: Sequence[dt.date],
    by_member: bool = False,
) -> dict[tuple[str, str], int]:
    """Flows summed over the months, stocks at the last month with data, in one statement."""
    if not months:
        return {}
    sql = PERIOD_VALUES_BY_MEMBER if by_member else PERIOD_VALUES
    rows = _rows(conn, sql, _json(ids), _json(codes), min(months).isoformat(), max(months).isoformat(), _json(months))
    return {(metric, member): value for metric, member, value in rows}


def hand_targets(conn: sqlite3.Connection, ids: Sequence[int], year: int) -> dict[str, int]:
    sql = (
        "SELECT m.code, SUM(t.value) FROM json_each(?) AS u CROSS JOIN target t ON t.unit_id = u.value "
        "JOIN metric m ON m.id = t.metric_id WHERE t.year = ? GROUP BY m.code"
    )
    return dict(_rows(conn, sql, _json(ids), year))


def hand_unit_monthly_totals(
    conn: sqlite3.Connection, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    sql = (
        "SELECT n.code, o.period, m.code, SUM(o.value) "
        + UNITS_METRICS
        + " JOIN unit n ON n.id = o.unit_id WHERE o.period BETWEEN ? AND ? "
        "GROUP BY n.code, o.period, m.code ORDER BY n.code, m.code, o.period"
    )
    params = (_json(ids), _json(codes), start.isoformat(), end.isoformat())
    return _frame(conn, sql, params, ["unit", "period", "metric", "value"], dates=["period"])


def hand_first_months(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[tuple[str, str], dt.date | None]:
    sql = (
        "SELECT u.code, m.code, f.first FROM (SELECT o.unit_id, o.metric_id, MIN(o.period) AS first "
        "FROM json_each(?) AS i CROSS JOIN observation o ON o.unit_id = i.value GROUP BY o.unit_id, o.metric_id) f "
        "JOIN unit u ON u.id = f.unit_id JOIN metric m ON m.id = f.metric_id"
    )
    return {(unit, metric): _date(first) for unit, metric, first in _rows(conn, sql, _json(ids))}


def hand_licence_records(conn: sqlite3.Connection, ids: Sequence[int], start: dt.date, end: dt.date) -> pd.DataFrame:
    sql = (
        "SELECT r.issued_on, m.code, r.number, r.holder, r.title, u.code FROM json_each(?) AS i "
        "CROSS JOIN licence_record r ON r.unit_id = i.value JOIN metric m ON m.id = r.metric_id "
        "JOIN unit u ON u.id = r.unit_id WHERE r.issued_on BETWEEN ? AND ? "
        "ORDER BY r.issued_on DESC, r.number"
    )
    columns = ["issued_on", "metric", "number", "holder", "title", "unit"]
    return _frame(conn, sql, (_json(ids), start.isoformat(), end.isoformat()), columns, dates=["issued_on"])


EXPORT_SQL = (
    "SELECT u.code, u.name_vi, u.name_en, substr(o.period, 1, 7), s.name_vi, s.name_en, m.code, m.name_vi, "
    "m.name_en, b.code, b.name_vi, b.name_en, o.value, m.unit_vi, m.unit_en, o.note, o.grain, o.estimated "
    "FROM json_each(?) AS i "
    "CROSS JOIN unit u ON u.code = i.value CROSS JOIN observation o ON o.unit_id = u.id "
    "JOIN metric m ON m.id = o.metric_id JOIN section s ON s.id = m.section_id JOIN member b ON b.id = o.member_id "
    "WHERE o.period BETWEEN ? AND ? "
    "AND (json_array_length(?) = 0 OR s.code IN (SELECT value FROM json_each(?))) "
    "AND (json_array_length(?) = 0 OR m.code IN (SELECT value FROM json_each(?))) "
    "AND (json_array_length(?) = 0 OR b.code IN (SELECT value FROM json_each(?))) "
    "ORDER BY u.code, o.period, s.sort_order, m.sort_order, b.sort_order, b.code"
)
EXPORT_PICK = {"vi": (0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15), "en": (0, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15)}


def hand_export(
    conn: sqlite3.Connection,
    *,
    start: dt.date,
    end: dt.date,
    unit_codes: Sequence[str],
    section_codes: Sequence[str] = (),
    metric_codes: Sequence[str] = (),
    member_codes: Sequence[str] = (),
    lang: str = "vi",
) -> pd.DataFrame:
    sections, metrics, members = _json(section_codes), _json(metric_codes), _json(member_codes)
    rows = _rows(
        conn,
        EXPORT_SQL,
        _json(unit_codes),
        start.isoformat(),
        end.isoformat(),
        sections,
        sections,
        metrics,
        metrics,
        members,
        members,
    )
    pick = EXPORT_PICK["en" if lang == "en" else "vi"]
    grain, estimated = _export_words(lang)
    return pd.DataFrame(
        [(*(row[i] for i in pick), grain[row[16]], estimated[bool(row[17])]) for row in rows], columns=EXPORT_COLUMNS
    )


def _export_words(lang: str) -> tuple[dict[str, str], dict[bool, str]]:
    """The export's words for a figure's grain and for whether it is an estimate (the catalogue's)."""
    grains: dict[str, str] = {grain: t("export_grain_" + grain, lang) for grain in GRAINS}
    return grains, {True: t("export_estimated_yes", lang), False: t("export_estimated_no", lang)}


BATCH_COLUMNS = [
    "id",
    "source_kind",
    "source_name",
    "sha256",
    "started_at",
    "finished_at",
    "rows_read",
    "rows_inserted",
    "rows_updated",
    "rows_unchanged",
    "status",
    "created_by",
]


def _datetime(text: object) -> dt.datetime | None:
    if isinstance(text, dt.datetime):
        return text
    return dt.datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _batches_of_units(units: str) -> str:
    """Every batch that wrote something of the units (`units`: an SQL list of their ids)."""
    return (
        f"SELECT batch_id FROM observation WHERE unit_id IN {units} "
        f"UNION SELECT r.batch_id FROM revision r JOIN observation o ON o.id = r.observation_id "
        f"WHERE o.unit_id IN {units} "
        f"UNION SELECT batch_id FROM target WHERE unit_id IN {units} "
        f"UNION SELECT batch_id FROM site_post WHERE unit_id IN {units} AND batch_id IS NOT NULL "
        f"UNION SELECT batch_id FROM licence_record WHERE unit_id IN {units}"
    )


def _id_list(ids: Sequence[int]) -> str:
    """`(1, 2)`: ids written into the SQL, as an expanding bound list is (ints only, never text)."""
    return "(" + ", ".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


def hand_import_batches(
    conn: sqlite3.Connection, unit_ids: Sequence[int] | None = None, limit: int = 200
) -> pd.DataFrame:
    where = "" if unit_ids is None else f"WHERE id IN ({_batches_of_units(_id_list(unit_ids))}) "
    frame = _frame(
        conn,
        "SELECT id, source_kind, source_name, sha256, started_at, finished_at, rows_read, rows_inserted, "
        f"rows_updated, rows_unchanged, status, created_by FROM import_batch {where}ORDER BY id DESC LIMIT ?",
        (limit,),
        BATCH_COLUMNS,
    )
    for column in ("started_at", "finished_at"):
        frame[column] = [_datetime(v) for v in frame[column]]
    return frame


def hand_revisions(conn: sqlite3.Connection, unit_ids: Sequence[int] | None = None, limit: int = 500) -> pd.DataFrame:
    where = "" if unit_ids is None else f"WHERE o.unit_id IN {_id_list(unit_ids)} "
    frame = _frame(
        conn,
        "SELECT r.id, r.changed_at, r.batch_id, u.code, m.code, o.period, b.code, r.old_value, r.new_value, "
        "b.name_vi, b.name_en FROM revision r JOIN observation o ON o.id = r.observation_id "
        "JOIN unit u ON u.id = o.unit_id JOIN metric m ON m.id = o.metric_id JOIN member b ON b.id = o.member_id "
        f"{where}ORDER BY r.id DESC LIMIT ?",
        (limit,),
        [
            "id",
            "changed_at",
            "batch_id",
            "unit",
            "metric",
            "period",
            "member",
            "old_value",
            "new_value",
            "member_vi",
            "member_en",
        ],
        dates=["period"],
    )
    frame["changed_at"] = [_datetime(v) for v in frame["changed_at"]]
    return frame


def hand_figure_sources(
    conn: sqlite3.Connection, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    sql = (
        "SELECT n.code, m.code, b.code, o.period, o.value, o.batch_id, o.grain "
        + UNITS_METRICS
        + " JOIN unit n ON n.id = o.unit_id JOIN member b ON b.id = o.member_id WHERE o.period BETWEEN ? AND ? "
        "ORDER BY m.sort_order, b.sort_order, b.code, o.period, n.code"
    )
    params = (_json(ids), _json(codes), start.isoformat(), end.isoformat())
    columns = ["unit", "metric", "member", "period", "value", "batch_id", "grain"]
    return _frame(conn, sql, params, columns, dates=["period"])


def hand_figure_totals(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    codes: Sequence[str],
    start: dt.date,
    end: dt.date,
    by_member: bool = False,
) -> pd.DataFrame:
    params = (_json(ids), _json(codes), start.isoformat(), end.isoformat())
    member = ", b.code, b.name_vi, b.name_en" if by_member else ""
    join = " JOIN member b ON b.id = o.member_id" if by_member else ""
    sql = (
        "SELECT o.period, m.code"
        + member
        + ", o.grain, SUM(o.value), MAX(o.estimated) "
        + UNITS_METRICS
        + join
        + " WHERE o.period BETWEEN ? AND ? GROUP BY o.period, m.code"
        + member
        + ", o.grain ORDER BY o.period"
    )
    columns = [
        "period",
        "metric",
        *(["member", "member_vi", "member_en"] if by_member else []),
        "grain",
        "value",
        "estimated",
    ]
    frame = _frame(conn, sql, params, columns, dates=["period"])
    frame["estimated"] = frame["estimated"].astype(bool)
    return frame


def hand_grain_rows(
    conn: sqlite3.Connection, ids: Sequence[int], start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    """Coarser figures of the units, then the monthly figures of their metrics (one statement)."""
    sql = (
        "WITH coarse AS (SELECT o.* " + UNITS + " WHERE o.grain <> 'month' AND o.period BETWEEN ? AND ?) "
        "SELECT n.code, m.code, m.kind, o.grain, o.period, b.code, o.value FROM observation o "
        "JOIN unit n ON n.id = o.unit_id JOIN metric m ON m.id = o.metric_id JOIN member b ON b.id = o.member_id "
        "WHERE o.id IN (SELECT id FROM coarse) OR (o.grain = 'month' AND o.unit_id IN (SELECT value FROM "
        "json_each(?)) AND o.metric_id IN (SELECT metric_id FROM coarse) AND o.period >= ? AND o.period <= "
        "(SELECT date(MAX(period), '+11 months') FROM coarse))"
    )
    rows = _rows(conn, sql, _json(ids), start.isoformat(), end.isoformat(), _json(ids), start.isoformat())
    return [(u, m, k, g, _date(p), b, int(v)) for u, m, k, g, p, b, v in rows]


def hand_target_sources(conn: sqlite3.Connection, ids: Sequence[int], codes: Sequence[str], year: int) -> pd.DataFrame:
    sql = (
        "SELECT n.code, m.code, t.year, t.value, t.batch_id FROM json_each(?) AS u CROSS JOIN json_each(?) AS c "
        "CROSS JOIN metric m ON m.code = c.value CROSS JOIN target t ON t.unit_id = u.value AND t.metric_id = m.id "
        "JOIN unit n ON n.id = t.unit_id WHERE t.year = ? ORDER BY m.sort_order, n.code"
    )
    return _frame(conn, sql, (_json(ids), _json(codes), year), ["unit", "metric", "year", "value", "batch_id"])


CardFigures = tuple[float | None, float | None, float | None, int | None, int | None, tuple[float, ...]]


def _cards(
    metrics: Sequence[MetricInfo], totals: dict[str, dict[str, int]], goals: dict[str, int], month: dt.date
) -> dict[str, CardFigures]:
    """What each card shows, from each metric's monthly totals ({code: {iso month: total}}) of the 13 months to
    `month`, written plainly: this month, last month, the same month last year, the year to date and the target
    (flows), the last twelve months; ratios from their parts' totals of the month. A metric with no figure this
    month nor in the twelve months before has no card."""
    ratios = load_catalog().ratios()
    kinds = {m.code: m.kind for m in metrics}

    def at(when: dt.date) -> dict[str, float]:
        iso = when.isoformat()
        values: dict[str, float] = {code: v[iso] for code, v in totals.items() if iso in v}
        return values | ratios_of(values, ratios)

    now, before, last_year = at(month), at(add_months(month, -1)), at(add_months(month, -12))
    year = [m.isoformat() for m in months_between(dt.date(month.year, 1, 1), month)]
    trend_months = [add_months(month, -i) for i in range(11, -1, -1)]
    monthly = [at(m) for m in trend_months]
    cards: dict[str, CardFigures] = {}
    for metric in metrics:
        code = metric.code
        trend = tuple(values[code] for values in monthly if code in values)
        if code not in now and not trend:
            continue
        flow = kinds[code] == "flow"
        in_year = [totals[code][m] for m in year if m in totals.get(code, {})]
        ytd = sum(in_year) if flow and in_year else None
        cards[code] = (
            now.get(code),
            before.get(code),
            last_year.get(code),
            ytd,
            goals.get(code) if flow else None,
            trend,
        )
    return cards


def hand_overview(
    conn: sqlite3.Connection, ids: Sequence[int], period: Period, lang: str = "vi"
) -> dict[str, CardFigures]:
    """The cards: the metric list (names, kinds), each metric's monthly total for the 13 months to the period in
    one grouped query, the targets; then each card's figures (_cards)."""
    month = period.end
    metrics = hand_metrics(conn)
    rows = _rows(
        conn,
        "SELECT m.code, o.grain, o.period, SUM(o.value), MAX(CASE WHEN o.estimated THEN 1 ELSE 0 END) "
        + UNITS
        + " WHERE o.period BETWEEN ? AND ? GROUP BY m.code, o.grain, o.period",
        _json(ids),
        add_months(month, -12).isoformat(),
        month.isoformat(),
    )
    totals: dict[str, dict[str, int]] = {}
    for code, grain, when, value, _estimated in rows:
        if grain == "month":  # the benchmark's data is monthly; a quarter's card: tests/test_grain_pages.py
            totals.setdefault(code, {})[str(_iso(when))] = int(value)
    return _cards(metrics, totals, hand_targets(conn, ids, month.year), month)


def _latest_complete(months: Sequence[dt.date], reported: dict[str, set[str]]) -> dt.date | None:
    """The rule of commstats.overview.latest_complete_month on {iso month: metric codes with a figure}."""
    latest = max(months)
    for month in sorted(months, reverse=True)[:13]:
        counts: dict[str, int] = {}
        for back in range(1, 13):
            for code in reported.get(add_months(month, -back).isoformat(), ()):
                counts[code] = counts.get(code, 0) + 1
        regular = {code for code, count in counts.items() if count >= REGULAR_MONTHS}
        if regular and regular <= reported.get(month.isoformat(), set()):
            return month
    return latest


def hand_latest_complete_month(
    conn: sqlite3.Connection, ids: Sequence[int], months: Sequence[dt.date]
) -> dt.date | None:
    """Which metrics have a monthly figure in which month, over the 25 months the rule looks at."""
    if not months:
        return None
    first = add_months(max(min(months), add_months(max(months), -12)), -12)
    rows = _rows(
        conn,
        "SELECT DISTINCT m.code, o.period " + UNITS + " WHERE m.kind != 'ratio' AND o.grain = 'month' "
        "AND o.period BETWEEN ? AND ?",
        _json(ids),
        first.isoformat(),
        max(months).isoformat(),
    )
    reported: dict[str, set[str]] = {}
    for code, when in rows:
        reported.setdefault(str(_iso(when)), set()).add(code)
    return _latest_complete(months, reported)


def _block(row: tuple[Any, ...]) -> BlockInfo:
    kind, text, version, source, created_at, created_by = row
    when = created_at if isinstance(created_at, dt.datetime) else dt.datetime.fromisoformat(str(created_at))
    return BlockInfo(str(kind), str(text), int(version), str(source), when, str(created_by))


def hand_narrative_blocks(conn: sqlite3.Connection, unit_code: str, period_key: str) -> dict[str, BlockInfo]:
    """The latest version of each block of the unit's report for the period."""
    rows = _rows(
        conn,
        "SELECT b.kind, b.text, b.version, b.source, b.created_at, b.created_by FROM narrative_block b "
        "JOIN unit u ON u.id = b.unit_id WHERE u.code = ? AND b.period_key = ? AND b.version = "
        "(SELECT MAX(l.version) FROM narrative_block l WHERE l.unit_id = b.unit_id AND l.period_key = b.period_key "
        "AND l.kind = b.kind)",
        unit_code,
        period_key,
    )
    return {str(row[0]): _block(row) for row in rows}


def naive_narrative_blocks(t: Tables, unit_code: str, period_key: str) -> dict[str, BlockInfo]:
    units = t.unit.loc[t.unit["code"] == unit_code, "id"]
    blocks = t.narrative_block[
        t.narrative_block["unit_id"].isin(list(units)) & (t.narrative_block["period_key"] == period_key)
    ]
    latest = blocks.sort_values("version").groupby("kind").tail(1)
    columns = ["kind", "text", "version", "source", "created_at", "created_by"]
    return {str(r[0]): _block(r) for r in latest[columns].itertuples(index=False, name=None)}


AREA_COLUMNS = "code, level, map, name_vi, name_en, parent_code, successor_code, sort_order"


def hand_areas(conn: sqlite3.Connection) -> list[AreaInfo]:
    rows = _rows(conn, "SELECT " + AREA_COLUMNS + " FROM area ORDER BY level, map, sort_order")
    return [AreaInfo(*row) for row in rows]


def hand_scope(conn: sqlite3.Connection, code: str, unit_ids: Sequence[int] | None = None) -> Scope:
    """The areas and the placed units read by hand; the grouping is the core's own (commstats.national.scope_of)."""
    placed = _rows(conn, "SELECT id, code, area_code FROM unit WHERE area_code IS NOT NULL ORDER BY code")
    return scope_of(hand_areas(conn), [(int(i), str(c), str(a)) for i, c, a in placed], code, unit_ids)


def hand_draft(
    conn: sqlite3.Connection, codes: Sequence[str], period: Period, lang: str = "vi", compare: Sequence[str] = ()
) -> set[tuple[Any, ...]]:
    """What a hand-written draft reads: the units, the catalogue, the figures of the period and of each
    comparison by member, the data range of each unit, the targets and the stored rows behind them."""
    hand_units(conn)
    ids = hand_unit_ids(conn, codes)
    metric_codes = [m.code for m in hand_metrics(conn)]
    roles = [period.months]
    if "prev" in compare:
        roles.append(period.previous().months)
    if "yoy" in compare:
        roles.append(period.same_period_last_year().months)
    if "ytd" in compare or "target" in compare:
        roles.append(period.year_to_date())
    for months in roles:
        hand_period_values(conn, ids, metric_codes, months, by_member=True)
    _rows(
        conn,
        "SELECT o.unit_id, MIN(o.period), MAX(o.period) FROM json_each(?) AS u "
        "CROSS JOIN observation o ON o.unit_id = u.value GROUP BY o.unit_id",
        _json(ids),
    )
    if "target" in compare:
        hand_targets(conn, ids, period.year)
        _rows(
            conn,
            "SELECT t.unit_id, t.metric_id, t.value, t.batch_id FROM json_each(?) AS u "
            "CROSS JOIN target t ON t.unit_id = u.value WHERE t.year = ?",
            _json(ids),
            period.year,
        )
    months = [m for role in roles for m in role]
    sources = _rows(
        conn,
        "SELECT n.code, m.code, b.code, substr(o.period, 1, 7), o.value "
        + UNITS
        + " JOIN unit n ON n.id = o.unit_id JOIN member b ON b.id = o.member_id WHERE o.period BETWEEN ? AND ?",
        _json(ids),
        min(months).isoformat(),
        max(months).isoformat(),
    )
    return set(sources)


# --- naive: whole tables in pandas ---


WHOLE_TABLES = {
    "observation": "SELECT * FROM observation",
    "unit": "SELECT * FROM unit",
    "metric": "SELECT * FROM metric",
    "section": "SELECT * FROM section",
    "member": "SELECT * FROM member",
    "target": "SELECT * FROM target",
    "licence_record": "SELECT * FROM licence_record",
    "import_batch": "SELECT * FROM import_batch",
    "revision": "SELECT * FROM revision",
    "site_post": "SELECT * FROM site_post",
    "audit_event": "SELECT * FROM audit_event",
    "area": "SELECT * FROM area",
    "narrative_block": "SELECT * FROM narrative_block",
    "app_user": "SELECT id, username, display_name, is_active FROM app_user",
    "user_role": "SELECT user_id, unit_id, role FROM user_role",
}


@dataclass
class Tables:
    """Every table the pages read, whole, as DataFrames (periods and dates as ISO text, as stored)."""

    observation: pd.DataFrame
    unit: pd.DataFrame
    metric: pd.DataFrame
    section: pd.DataFrame
    area: pd.DataFrame
    member: pd.DataFrame
    target: pd.DataFrame
    licence_record: pd.DataFrame
    import_batch: pd.DataFrame
    revision: pd.DataFrame
    site_post: pd.DataFrame
    audit_event: pd.DataFrame
    narrative_block: pd.DataFrame
    app_user: pd.DataFrame
    user_role: pd.DataFrame
    table_names: list[str]

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> Tables:
        frames = {name: pd.read_sql_query(sql, conn) for name, sql in WHOLE_TABLES.items()}
        names = list(pd.read_sql_query("SELECT name FROM sqlite_master WHERE type = 'table'", conn)["name"])
        return cls(**frames, table_names=names)

    def observations(self, ids: Sequence[int], codes: Sequence[str] | None = None) -> pd.DataFrame:
        """Observations of the units (and metrics), with the metric's code and kind."""
        frame = self.observation[self.observation["unit_id"].isin(list(ids))]
        frame = frame.merge(self.metric[["id", "code", "kind"]].rename(columns={"id": "metric_id", "code": "metric"}))
        return frame if codes is None else frame[frame["metric"].isin(list(codes))]


def _between(frame: pd.DataFrame, column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    return frame[(frame[column] >= start.isoformat()) & (frame[column] <= end.isoformat())]


def _data_events(t: Tables) -> pd.DataFrame:
    return t.audit_event[t.audit_event["action"].isin(sorted(DATA_ACTIONS))]


def naive_data_version(t: Tables) -> DataVersion:
    audit_id, batch_id = (int(frame["id"].max()) if len(frame) else 0 for frame in (t.audit_event, t.import_batch))
    return DataVersion(audit_id, batch_id, len(t.unit), len(t.metric))


def naive_data_events_since(t: Tables, after: int) -> list[DataEvent]:
    frame = _data_events(t)
    frame = frame[frame["id"] > after].sort_values("id")
    return [
        DataEvent(int(r.id), r.action, tuple(c for c in (r.unit_code or "").split(",") if c)) for r in _records(frame)
    ]


def naive_units(t: Tables) -> list[tuple[Any, ...]]:
    frame = t.unit.sort_values("name_vi", kind="stable")
    return [
        (
            int(r.id),
            r.code,
            r.name_vi,
            r.name_en,
            bool(r.is_demo),
            None if pd.isna(r.merged_into_id) else int(r.merged_into_id),
            _iso(r.merged_on) if isinstance(r.merged_on, str) else None,
            int(r.cutoff_day),
            None if pd.isna(r.first_year) else int(r.first_year),
        )
        for r in _records(frame)
    ]


def naive_unit_ids(t: Tables, codes: Sequence[str]) -> list[int]:
    chosen = set(t.unit.loc[t.unit["code"].isin(list(codes)), "id"])
    while True:
        more = set(t.unit.loc[t.unit["merged_into_id"].isin(list(chosen)), "id"]) - chosen
        if not more:
            return sorted(int(i) for i in chosen)
        chosen |= more


def naive_month_range(t: Tables, ids: Sequence[int]) -> tuple[dt.date, dt.date] | None:
    chosen = t.observation[t.observation["unit_id"].isin(list(ids))]
    spans = chosen.groupby("grain")["period"].agg(["min", "max"])
    return _covered(zip(spans.index, spans["min"], spans["max"], strict=True))


def naive_metrics(t: Tables) -> list[tuple[Any, ...]]:
    section = t.section.rename(
        columns={"id": "section_id", "code": "s_code", "name_vi": "s_vi", "name_en": "s_en", "sort_order": "s_order"}
    )
    frame = t.metric.merge(section).sort_values(["s_order", "sort_order"], kind="stable")
    return [
        (int(r.id), r.code, r.name_vi, r.name_en, r.unit_vi, r.unit_en, r.kind, r.dimension, r.s_code, r.s_vi, r.s_en)
        for r in _records(frame)
    ]


def naive_metric_by_code(t: Tables) -> dict[str, tuple[Any, ...]]:
    return {row[1]: row for row in naive_metrics(t)}


def naive_members(t: Tables, dimension: str, unit_ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    frame = t.member[t.member["dimension"] == dimension]
    if unit_ids is not None:
        reported = t.observations(unit_ids).merge(t.metric[["id", "dimension"]].rename(columns={"id": "metric_id"}))
        frame = frame[frame["id"].isin(reported.loc[reported["dimension"] == dimension, "member_id"])]
    frame = frame.sort_values(["sort_order", "name_vi"], kind="stable")
    return [(int(r.id), r.code, r.name_vi, r.name_en) for r in _records(frame)]


def _with_members(t: Tables, frame: pd.DataFrame) -> pd.DataFrame:
    members = t.member[["id", "code", "name_vi", "name_en"]].rename(
        columns={"id": "member_id", "code": "member", "name_vi": "member_vi", "name_en": "member_en"}
    )
    return frame.merge(members)


def naive_monthly_totals(
    t: Tables, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date, by_member: bool = False
) -> list[tuple[Any, ...]]:
    frame = _between(t.observations(ids, codes), "period", start, end)
    keys = ["period", "metric"]
    if by_member:
        frame = _with_members(t, frame)
        keys += ["member", "member_vi", "member_en"]
    sums = frame.groupby(keys, as_index=False)["value"].sum()
    return sorted(tuple(int(v) if isinstance(v, int) or hasattr(v, "item") else v for v in r) for r in sums.values)


def naive_period_values(
    t: Tables, ids: Sequence[int], codes: Sequence[str], months: Sequence[dt.date], by_member: bool = False
) -> dict[tuple[str, str], int]:
    if not months:
        return {}
    frame = t.observations(ids, codes)
    frame = frame[frame["period"].isin([m.isoformat() for m in months])]
    frame = _with_members(t, frame) if by_member else frame.assign(member="")
    last = frame.groupby("metric")["period"].transform("max")
    frame = frame[(frame["kind"] == "flow") | (frame["period"] == last)]
    sums = frame.groupby(["metric", "member"])["value"].sum()
    return {key: int(value) for key, value in _pairs(sums)}


def naive_targets(t: Tables, ids: Sequence[int], year: int) -> dict[str, int]:
    frame = t.target[(t.target["unit_id"].isin(list(ids))) & (t.target["year"] == year)]
    frame = frame.merge(t.metric[["id", "code"]].rename(columns={"id": "metric_id"}))
    return {code: int(v) for code, v in _pairs(frame.groupby("code")["value"].sum())}


def naive_unit_monthly_totals(
    t: Tables, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    frame = _between(t.observations(ids, codes), "period", start, end)
    frame = frame.merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    sums = frame.groupby(["unit", "period", "metric"], as_index=False)["value"].sum()
    return sorted((u, p, m, int(v)) for u, p, m, v in sums.values)


def naive_first_months(t: Tables, ids: Sequence[int]) -> dict[tuple[str, str], str]:
    frame = t.observations(ids).merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    return {key: first for key, first in _pairs(frame.groupby(["unit", "metric"])["period"].min())}


def naive_licence_records(t: Tables, ids: Sequence[int], start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    frame = _between(t.licence_record[t.licence_record["unit_id"].isin(list(ids))], "issued_on", start, end)
    frame = frame.merge(t.metric[["id", "code"]].rename(columns={"id": "metric_id", "code": "metric"}))
    frame = frame.merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    return sorted((_iso(r.issued_on), r.metric, r.number, r.holder, r.title, r.unit) for r in _records(frame))


def naive_export(
    t: Tables,
    *,
    start: dt.date,
    end: dt.date,
    unit_codes: Sequence[str],
    section_codes: Sequence[str] = (),
    metric_codes: Sequence[str] = (),
    member_codes: Sequence[str] = (),
    lang: str = "vi",
) -> list[tuple[Any, ...]]:
    name = f"name_{'en' if lang == 'en' else 'vi'}"
    units = t.unit[["id", "code", name]].rename(columns={"id": "unit_id", "code": "unit", name: "unit_name"})
    sections = t.section.rename(
        columns={"id": "section_id", "code": "s_code", name: "section", "sort_order": "s_order"}
    )[["section_id", "s_code", "section", "s_order"]]
    unit_word = f"unit_{'en' if lang == 'en' else 'vi'}"
    metrics = t.metric.rename(
        columns={
            "id": "metric_id",
            "code": "metric",
            name: "metric_name",
            "sort_order": "m_order",
            unit_word: "unit_word",
        }
    )[["metric_id", "metric", "metric_name", "m_order", "unit_word", "section_id"]]
    members = t.member.rename(
        columns={"id": "member_id", "code": "member", name: "member_name", "sort_order": "b_order"}
    )[["member_id", "member", "member_name", "b_order"]]
    frame = _between(t.observation, "period", start, end).merge(units).merge(metrics).merge(sections).merge(members)
    frame = frame[frame["unit"].isin(list(unit_codes))]
    for column, wanted in (("s_code", section_codes), ("metric", metric_codes), ("member", member_codes)):
        if wanted:
            frame = frame[frame[column].isin(list(wanted))]
    frame = frame.sort_values(["unit", "period", "s_order", "m_order", "b_order", "member"], kind="stable")
    grain, estimated = _export_words(lang)
    return [
        (
            r.unit,
            r.unit_name,
            r.period[:7],
            r.section,
            r.metric,
            r.metric_name,
            r.member,
            r.member_name,
            int(r.value),
            r.unit_word,
            r.note,
            grain[r.grain],
            estimated[bool(r.estimated)],
        )
        for r in _records(frame)
    ]


def naive_import_batches(t: Tables, unit_ids: Sequence[int] | None = None, limit: int = 200) -> list[int]:
    frame = t.import_batch
    if unit_ids is not None:
        ids = list(unit_ids)
        observations = t.observation[t.observation["unit_id"].isin(ids)]
        revised = t.revision[t.revision["observation_id"].isin(observations["id"])]
        others = [
            table.loc[table["unit_id"].isin(ids), "batch_id"] for table in (t.target, t.site_post, t.licence_record)
        ]
        wrote = pd.concat([observations["batch_id"], revised["batch_id"], *others]).dropna()
        frame = frame[frame["id"].isin(wrote)]
    return [int(i) for i in frame.sort_values("id", ascending=False)["id"].head(limit)]


def naive_revisions(t: Tables, unit_ids: Sequence[int] | None = None, limit: int = 500) -> list[int]:
    observations = t.observation[["id", "unit_id"]].rename(columns={"id": "observation_id"})
    frame = t.revision.merge(observations)
    if unit_ids is not None:
        frame = frame[frame["unit_id"].isin(list(unit_ids))]
    return [int(i) for i in frame.sort_values("id", ascending=False)["id"].head(limit)]


def naive_figure_sources(
    t: Tables, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    frame = _with_members(t, _between(t.observations(ids, codes), "period", start, end))
    frame = frame.merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    return [(r.unit, r.metric, r.member, r.period, int(r.value), int(r.batch_id), r.grain) for r in _records(frame)]


def naive_figure_totals(
    t: Tables, ids: Sequence[int], codes: Sequence[str], start: dt.date, end: dt.date, by_member: bool = False
) -> list[tuple[Any, ...]]:
    frame = _between(t.observations(ids, codes), "period", start, end)
    keys = ["period", "metric"]
    if by_member:
        frame = _with_members(t, frame)
        keys += ["member", "member_vi", "member_en"]
    sums = frame.groupby([*keys, "grain"], as_index=False).agg(value=("value", "sum"), estimated=("estimated", "max"))
    return sorted((*r[:-2], int(r[-2]), bool(r[-1])) for r in sums.itertuples(index=False, name=None))


def naive_grain_rows(t: Tables, ids: Sequence[int], start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    frame = _with_members(t, t.observations(ids)).merge(
        t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"})
    )
    coarse = _between(frame[frame["grain"] != "month"], "period", start, end)
    if coarse.empty:
        return []
    last = max(add_months(dt.date.fromisoformat(p[:10]), 11) for p in coarse["period"])
    monthly = _between(
        frame[(frame["grain"] == "month") & frame["metric"].isin(coarse["metric"])], "period", start, last
    )
    both = pd.concat([coarse, monthly])
    return [(r.unit, r.metric, r.kind, r.grain, _date(r.period), r.member, int(r.value)) for r in _records(both)]


def naive_target_sources(t: Tables, ids: Sequence[int], codes: Sequence[str], year: int) -> list[tuple[Any, ...]]:
    frame = t.target[(t.target["unit_id"].isin(list(ids))) & (t.target["year"] == year)]
    frame = frame.merge(t.metric[["id", "code"]].rename(columns={"id": "metric_id", "code": "metric"}))
    frame = frame[frame["metric"].isin(list(codes))]
    frame = frame.merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    return [(r.unit, r.metric, int(r.year), int(r.value), _plain(r.batch_id)) for r in _records(frame)]


def naive_overview(t: Tables, ids: Sequence[int], period: Period, lang: str = "vi") -> dict[str, CardFigures]:
    month = period.end
    frame = _between(t.observations(ids), "period", add_months(month, -12), month)
    sums = frame[frame["grain"] == "month"].groupby(["metric", "period"])["value"].sum()
    totals: dict[str, dict[str, int]] = {}
    for (metric, when), v in _pairs(sums):
        totals.setdefault(metric, {})[str(when)[:10]] = int(v)
    return _cards([MetricInfo(*row) for row in naive_metrics(t)], totals, naive_targets(t, ids, month.year), month)


def naive_latest_complete_month(t: Tables, ids: Sequence[int], months: Sequence[dt.date]) -> dt.date | None:
    if not months:
        return None
    first = add_months(max(min(months), add_months(max(months), -12)), -12)
    frame = _between(t.observations(ids), "period", first, max(months))
    frame = frame[(frame["kind"] != "ratio") & (frame["grain"] == "month")]
    reported: dict[str, set[str]] = {}
    for code, when in zip(frame["metric"], frame["period"], strict=True):
        reported.setdefault(str(when)[:10], set()).add(str(code))
    return _latest_complete(months, reported)


def naive_areas(t: Tables) -> list[AreaInfo]:
    frame = t.area.sort_values(["level", "map", "sort_order"], kind="stable")
    columns = AREA_COLUMNS.split(", ")
    rows: list[tuple[Any, ...]] = [
        tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].itertuples(index=False)
    ]
    return [AreaInfo(*row) for row in rows]


def hand_principal_for(conn: sqlite3.Connection, username: str) -> Principal | None:
    """The signed-in account's roles and the public units (read on every run, cached under the data version)."""
    found = _rows(conn, "SELECT id, display_name FROM app_user WHERE username = ? AND is_active", username)
    if not found:
        return None
    user_id, display = found[0]
    roles = {
        u if u is None else int(u): str(r)
        for u, r in _rows(conn, "SELECT unit_id, role FROM user_role WHERE user_id = ?", user_id)
    }
    public = frozenset(int(i) for (i,) in _rows(conn, "SELECT id FROM unit WHERE public_view"))
    return Principal(username, display or username, roles, public)


def naive_principal_for(t: Tables, username: str) -> Principal | None:
    users = t.app_user[(t.app_user["username"] == username) & t.app_user["is_active"].astype(bool)]
    if users.empty:
        return None
    user = users.iloc[0]
    mine = t.user_role[t.user_role["user_id"] == user["id"]]
    roles = {None if pd.isna(u) else int(u): str(r) for u, r in zip(mine["unit_id"], mine["role"], strict=True)}
    public = frozenset(int(i) for i in t.unit.loc[t.unit["public_view"].astype(bool), "id"])
    return Principal(username, user["display_name"] or username, roles, public)


def hand_placed_units(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    rows = _rows(conn, "SELECT id, code, area_code FROM unit WHERE area_code IS NOT NULL ORDER BY code")
    return [(int(i), str(c), str(a)) for i, c, a in rows]


def naive_placed_units(t: Tables) -> list[tuple[int, str, str]]:
    placed = t.unit[t.unit["area_code"].notna()].sort_values("code")
    return [(int(i), str(c), str(a)) for i, c, a in zip(placed["id"], placed["code"], placed["area_code"], strict=True)]


def naive_scope(t: Tables, code: str, unit_ids: Sequence[int] | None = None) -> Scope:
    placed = t.unit[t.unit["area_code"].notna()].sort_values("code")
    rows = [(int(i), str(c), str(a)) for i, c, a in zip(placed["id"], placed["code"], placed["area_code"], strict=True)]
    return scope_of(naive_areas(t), rows, code, unit_ids)


def naive_draft(
    t: Tables, codes: Sequence[str], period: Period, lang: str = "vi", compare: Sequence[str] = ()
) -> set[tuple[Any, ...]]:
    ids = naive_unit_ids(t, codes)
    metric_codes = list(t.metric["code"])
    roles = [period.months]
    if "prev" in compare:
        roles.append(period.previous().months)
    if "yoy" in compare:
        roles.append(period.same_period_last_year().months)
    if "ytd" in compare or "target" in compare:
        roles.append(period.year_to_date())
    for months in roles:
        naive_period_values(t, ids, metric_codes, months, by_member=True)
    if "target" in compare:
        naive_targets(t, ids, period.year)
    months = [m for role in roles for m in role]
    frame = _with_members(t, _between(t.observations(ids), "period", min(months), max(months)))
    frame = frame.merge(t.unit[["id", "code"]].rename(columns={"id": "unit_id", "code": "unit"}))
    return {(r.unit, r.metric, r.member, r.period[:7], int(r.value)) for r in _records(frame)}


# --- every result in one canonical form ---


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def _row(row: Any) -> tuple[Any, ...]:
    if is_dataclass(row) and not isinstance(row, type):
        row = astuple(row)
    return tuple(_plain(v) for v in (row if isinstance(row, tuple) else (row,)))


def canonical(name: str, result: Any) -> Any:
    """Plain sorted tuples with ISO dates (lists of batches and revisions: their ids in order; cards: each
    metric's value; a draft: the figures it traced)."""
    short = name.rpartition(".")[2]
    if short == "period_figures" and isinstance(result, dict):  # the values; the baselines read monthly figures
        result = {key: getattr(folded, "value", folded) for key, folded in result.items()}
    if short in ("import_batches", "revisions"):
        return [int(i) for i in (result["id"] if isinstance(result, pd.DataFrame) else result)]
    if name == OVERVIEW and result and isinstance(next(iter(result.values())), list):
        return {
            card.metric: (card.value, card.previous, card.last_year, card.ytd, card.target, tuple(card.trend))
            for cards in result.values()
            for card in cards
        }
    if name == DRAFT and hasattr(result, "figures"):
        figures = result.figures[result.figures["role"] != "target"]
        return {(r.unit, r.metric, r.member, r.period, int(r.value)) for r in figures.itertuples()}
    if isinstance(result, pd.DataFrame):
        return sorted((_row(r) for r in result.itertuples(index=False, name=None)), key=repr)
    if isinstance(result, dict):
        return {k: _row(v) if is_dataclass(v) or isinstance(v, tuple) else _plain(v) for k, v in result.items()}
    if isinstance(result, set | frozenset):
        return result
    if isinstance(result, list):
        return sorted((_row(r) for r in result), key=repr)
    if isinstance(result, tuple):
        return _row(result)
    return result


def agrees(name: str, ours: Any, other: Any) -> bool:
    """Whether a baseline's result is the core's (a draft's traced figures are a part of what it read)."""
    mine, theirs = canonical(name, ours), canonical(name, other)
    return bool(mine <= theirs) if name == DRAFT else mine == theirs


@dataclass(frozen=True)
class Baseline:
    hand: Callable[..., Any]
    naive: Callable[..., Any]


BASELINES: dict[str, Baseline] = {
    "commstats.auth.principal_for": Baseline(hand_principal_for, naive_principal_for),
    Q + "schema_ready": Baseline(hand_schema_ready, lambda t: "observation" in t.table_names),
    Q + "data_version": Baseline(hand_data_version, naive_data_version),
    Q + "data_events_since": Baseline(hand_data_events_since, naive_data_events_since),
    Q + "units": Baseline(hand_units, naive_units),
    Q + "unit_ids_with_predecessors": Baseline(hand_unit_ids, naive_unit_ids),
    Q + "month_range": Baseline(hand_month_range, naive_month_range),
    Q + "metrics": Baseline(hand_metrics, naive_metrics),
    Q + "narrative_blocks": Baseline(hand_narrative_blocks, naive_narrative_blocks),
    Q + "metric_by_code": Baseline(hand_metric_by_code, naive_metric_by_code),
    Q + "figure_sources": Baseline(hand_figure_sources, naive_figure_sources),
    Q + "target_sources": Baseline(hand_target_sources, naive_target_sources),
    Q + "members": Baseline(hand_members, naive_members),
    Q + "monthly_totals": Baseline(hand_monthly_totals, naive_monthly_totals),
    Q + "figure_totals": Baseline(hand_figure_totals, naive_figure_totals),
    Q + "grain_rows": Baseline(hand_grain_rows, naive_grain_rows),
    Q + "period_values": Baseline(hand_period_values, naive_period_values),
    Q + "period_figures": Baseline(hand_period_values, naive_period_values),
    Q + "targets": Baseline(hand_targets, naive_targets),
    Q + "unit_monthly_totals": Baseline(hand_unit_monthly_totals, naive_unit_monthly_totals),
    Q + "first_months": Baseline(hand_first_months, naive_first_months),
    Q + "licence_records": Baseline(hand_licence_records, naive_licence_records),
    Q + "observations_for_export": Baseline(hand_export, naive_export),
    Q + "import_batches": Baseline(hand_import_batches, naive_import_batches),
    Q + "revisions": Baseline(hand_revisions, naive_revisions),
    OVERVIEW: Baseline(hand_overview, naive_overview),
    "commstats.national.areas": Baseline(hand_areas, naive_areas),
    "commstats.national.placed_units": Baseline(hand_placed_units, naive_placed_units),
    "commstats.national.scope": Baseline(hand_scope, naive_scope),
    "commstats.overview.latest_complete_month": Baseline(hand_latest_complete_month, naive_latest_complete_month),
    DRAFT: Baseline(hand_draft, naive_draft),
}
