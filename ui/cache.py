"""The one Streamlit cache module: the engine as a resource, query results as data.

Cached reads take the database URL and plain tuples, and are keyed on the data version as well (`fresh`):
a write from anywhere — an import on a page, `python -m commstats import` in cron, a nightly feed run,
another dashboard on the same database — shows on the next rerun, and only the reads of the units it wrote
are read again (nothing is cleared: other units' entries stay cached). The version costs one query per
rerun (`refresh`, called by the router, or by the page frame when a page runs without it); the ttl only
bounds how long unused entries are kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field
from typing import ParamSpec, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine

from commstats import auth, charts, grains, national, overview, quality, queries
from commstats.config import get_settings
from commstats.db import make_engine
from commstats.narrative import Draft, draft_report
from commstats.narrative.report import ReportInputs
from commstats.narrative.report import report_inputs as report_inputs_of
from commstats.periods import Period, add_months, parse_period
from commstats.template import build_template
from commstats.units import reporting_ends, with_predecessors

TTL_SECONDS = 300
Args = ParamSpec("Args")  # a read's parameters, `url` first
Result = TypeVar("Result")

_LOGGER = logging.getLogger(__name__)


def refuse_client_cache_clear() -> None:
    """Make the server ignore the websocket message `clear_cache` (BackMsg), once per process.

    Streamlit's developer menu sends it ("Clear cache"), and AppSession._handle_clear_cache_request then
    empties st.cache_data and st.cache_resource for every user of the process: any anonymous client can
    send it, as often as it likes, and make every page recompute from the database. Streamlit 1.67 has no
    option to refuse it (client.toolbarMode = "viewer" only hides the menu item), so the handler is
    replaced by one that logs and ignores the request. The router calls this before anything is cached,
    so no cached value exists while the original handler is still in place. The caches are emptied only
    by the server's own code and the TTL; new data is picked up by the data version (see `fresh`).
    """
    from streamlit.runtime.app_session import AppSession

    if getattr(AppSession._handle_clear_cache_request, "commstats_refuses", False):
        return

    def ignore_clear_cache(self: AppSession) -> None:
        _LOGGER.warning("Ignored a clear_cache request from a client (session %s).", self.id)

    ignore_clear_cache.commstats_refuses = True  # type: ignore[attr-defined]
    AppSession._handle_clear_cache_request = ignore_clear_cache  # type: ignore[method-assign]


def database_url() -> str:
    return get_settings().database_url


@dataclass
class _Seen:
    """What this process knows of one database's writes (shared by its sessions, as st.cache_data is)."""

    version: queries.DataVersion | None
    epoch: int = 0  # moves on a write that concerns every unit (a restore), or when the trail went back
    by_unit: dict[str, int] = field(default_factory=dict)  # unit code -> newest audit event that wrote it


_SEEN: dict[str, _Seen] = {}
_SEEN_LOCK = threading.Lock()


def refresh(url: str) -> queries.DataVersion | None:
    """Read the data version (one query) and note which units were written since the last look (a second
    query, only when something was written)."""
    version = queries.data_version(engine(url))
    with _SEEN_LOCK:
        seen = _SEEN.get(url)
        if seen is None:
            _SEEN[url] = _Seen(version)
            return version
        last = seen.version.audit_event if seen.version else 0
        now = version.audit_event if version else 0
        went_back = bool(seen.version and version and version.batch < seen.version.batch)
        if now < last or went_back:  # the database was replaced by an older one (a restore)
            seen.epoch, seen.by_unit = seen.epoch + 1, {}
        elif now > last:
            for event in queries.data_events_since(engine(url), last):
                if event.action == "restore" or not event.unit_codes:
                    seen.epoch, seen.by_unit = seen.epoch + 1, {}
                for code in event.unit_codes:
                    seen.by_unit[code] = event.id
        seen.version = version
    return version


def _key(url: str, unit_codes: Iterable[str] | None) -> tuple[object, ...]:
    """The version a read is cached under: with `unit_codes`, only those units' writes move it."""
    if url not in _SEEN:
        refresh(url)
    seen = _SEEN[url]
    if seen.version is None or unit_codes is None:
        return (seen.epoch, astuple(seen.version) if seen.version else None)
    whole = seen.version
    return (seen.epoch, whole.units, whole.metrics, tuple(sorted((c, seen.by_unit.get(c, 0)) for c in unit_codes)))


def _codes_of(url: str, ids: Iterable[int]) -> list[str]:
    by_id = {u.id: u.code for u in units(url)}
    return [by_id[i] for i in ids if i in by_id]


def fresh(scope: str | None = None, shared: bool = False) -> Callable[[Callable[Args, Result]], Callable[Args, Result]]:
    """Cache a read `f(url, ...)` under the data version. `scope` names its argument holding the units it
    reads: "ids" (unit ids), "unit_codes" (codes; predecessors of a merged unit count too). An empty or
    absent scope (every unit) or none at all: any write moves the version.

    `shared`: the result is immutable (a tuple of frozen values) and every caller gets the same object, as
    st.cache_resource does, instead of st.cache_data's unpickled copy per call. For the unit list, read a
    dozen times a run (navigation, role checks, every scoped read's key): the copies cost ~3 ms each at
    ~900 units, a tenth of a run's CPU under many sessions (bench/sessions_bench.py)."""

    def decorate(read: Callable[Args, Result]) -> Callable[Args, Result]:
        signature = inspect.signature(read)

        def versioned(version: tuple[object, ...], *args: Args.args, **kwargs: Args.kwargs) -> Result:
            return read(*args, **kwargs)

        # Streamlit keys each function's cache on its module, name and source: one cache per read.
        versioned.__module__, versioned.__qualname__, versioned.__name__ = __name__, read.__qualname__, read.__name__
        cache = st.cache_resource if shared else st.cache_data
        cached = cache(ttl=TTL_SECONDS)(versioned)

        @functools.wraps(read)
        def current(*args: Args.args, **kwargs: Args.kwargs) -> Result:
            arguments = signature.bind(*args, **kwargs).arguments
            url: str = arguments["url"]
            chosen = arguments.get(scope) if scope else None
            codes: Iterable[str] | None = None
            if scope == "ids" and chosen:
                codes = _codes_of(url, chosen)
            elif scope == "unit_codes" and chosen:
                codes = _codes_of(url, with_predecessors(units(url), chosen))
            return cached(_key(url, codes), *args, **kwargs)

        return current

    return decorate


@st.cache_resource
def engine(url: str) -> Engine:
    return make_engine(url)


@fresh()
def principal(url: str, username: str) -> auth.Principal | None:
    """An account's current roles. Read again after any write anywhere: every change of an account, a role
    or a unit's public view writes an audit event in its own transaction, which moves the data version the
    router reads first on every run, so a disabled account or a revoked role still stops at once. Cached,
    it costs no round trip on the three lookups of a run (router, sidebar, page) nor on other sessions' runs."""
    return auth.principal_for(engine(url), username)


@fresh()
def principal_by_token(url: str, token: str) -> auth.Principal | None:
    """The account of a password sign-in's session token, cached as `principal`: a sign-out, a new password or
    a disabled account deletes the session in the same transaction as its audit event, which moves the data
    version. (A sign-out made here but not written yet is checked by ui.auth before this.)"""
    return auth.principal_for_token(engine(url), token)


@fresh()
def principal_by_email(url: str, email: str) -> auth.Principal | None:
    """The account single sign-on's e-mail maps to, cached as `principal`."""
    return auth.principal_for_email(engine(url), email)


@fresh()
def anonymous(url: str) -> auth.Principal:
    """What a visitor who has not signed in may see (the units with public view), cached as `principal`."""
    return auth.anonymous(engine(url))


@fresh(shared=True)
def units(url: str) -> tuple[queries.UnitInfo, ...]:
    return tuple(queries.units(engine(url)))


@fresh(shared=True)
def unit_id_set(url: str) -> frozenset[int]:
    """Every unit's id: what the role checks ask "allowed on some unit?" of."""
    return frozenset(u.id for u in units(url))


@fresh()
def unit_ids(url: str, codes: tuple[str, ...]) -> list[int]:
    return with_predecessors(units(url), codes)  # from the cached unit list: no round trip


@fresh()
def metrics(url: str) -> list[queries.MetricInfo]:
    return queries.metrics(engine(url))


@fresh("ids")
def month_range(url: str, ids: tuple[int, ...]) -> tuple[dt.date, dt.date] | None:
    return queries.month_range(engine(url), ids)


@fresh("ids")
def monthly_totals(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], start: dt.date, end: dt.date, by_member: bool = False
) -> pd.DataFrame:
    return queries.monthly_totals(engine(url), ids, metric_codes, start, end, by_member=by_member)


@fresh("ids")
def figure_totals(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], start: dt.date, end: dt.date, by_member: bool = False
) -> pd.DataFrame:
    return queries.figure_totals(engine(url), ids, metric_codes, start, end, by_member=by_member)


@fresh("ids")
def grain_checks(
    url: str, ids: tuple[int, ...], start: dt.date, end: dt.date
) -> tuple[list[grains.Difference], set[tuple[str, str, dt.date]]]:
    """Coarser figures that differ from their months, and the months coarser figures cover."""
    rows = queries.grain_rows(engine(url), ids, start, end)
    return grains.grain_differences(rows), grains.coarse_months(rows)


@fresh("ids")
def period_values(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], months: tuple[dt.date, ...], by_member: bool = False
) -> dict[tuple[str, str], int]:
    return queries.period_values(engine(url), ids, metric_codes, months, by_member=by_member)


@fresh("ids")
def targets(url: str, ids: tuple[int, ...], year: int) -> dict[str, int]:
    return queries.targets(engine(url), ids, year)


@fresh("ids")
def overview_cards(url: str, ids: tuple[int, ...], month: dt.date, lang: str) -> dict[str, list[overview.Card]]:
    return overview.overview_cards(engine(url), ids, Period("month", month.year, month.month), lang)


@fresh("ids")
def target_list(url: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.target_list(engine(url), ids)


@fresh()
def template_workbook(url: str, year: int, unit: str, lang: str) -> bytes:
    """The data-entry workbook of `unit` for `year` (what `python -m commstats template` writes)."""
    return build_template(engine(url), year, unit, lang)


@fresh("ids")
def latest_complete_month(url: str, ids: tuple[int, ...], months: tuple[dt.date, ...]) -> dt.date | None:
    return overview.latest_complete_month(engine(url), ids, months)


# --- Reads of the analysis pages (trends, sites, licences, explore, quality) ---


@fresh(shared=True)
def schema_ready(url: str) -> bool:
    return queries.schema_ready(engine(url))


@fresh("ids")
def unit_monthly_totals(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], start: dt.date, end: dt.date
) -> pd.DataFrame:
    return queries.unit_monthly_totals(engine(url), ids, metric_codes, start, end)


@fresh("ids")
def quality_checks(url: str, ids: tuple[int, ...], start: dt.date, end: dt.date, k: float) -> quality.Checks:
    """The quality page's missing months and outliers, computed once per data version and choice (the
    reads are this module's own, so a rerun after a write reads only what moved)."""
    codes = tuple(m.code for m in metrics(url))
    history = unit_monthly_totals(url, ids, codes, add_months(start, -quality.WINDOW), end)
    merged = {code: on for code, (on, _successor) in reporting_ends(units(url)).items()}  # they owe no figures
    _differences, covered = grain_checks(url, ids, start, end)
    return quality.checks(history, first_months(url, ids), start, end, merged, covered, k)


@fresh("ids")
def first_months(url: str, ids: tuple[int, ...]) -> dict[tuple[str, str], dt.date]:
    return queries.first_months(engine(url), ids)


@fresh("ids")
def licence_records(url: str, ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.licence_records(engine(url), ids, start, end)


@fresh("unit_codes")
def observations_for_export(
    url: str,
    start: dt.date,
    end: dt.date,
    unit_codes: tuple[str, ...],
    section_codes: tuple[str, ...],
    metric_codes: tuple[str, ...],
    member_codes: tuple[str, ...],
    lang: str,
) -> pd.DataFrame:
    return queries.observations_for_export(
        engine(url),
        start=start,
        end=end,
        unit_codes=unit_codes,
        section_codes=section_codes,
        metric_codes=metric_codes,
        member_codes=member_codes,
        lang=lang,
    )


@fresh("ids")
def members(url: str, dimension: str, ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The dimension's members (with `ids`: only those these units reported figures for)."""
    return queries.members(engine(url), dimension, ids)


@fresh("ids")
def import_batches(url: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.import_batches(engine(url), ids)


@fresh("ids")
def revisions(url: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.revisions(engine(url), ids)


@fresh("unit_codes")
def draft(url: str, unit_codes: tuple[str, ...], period_key: str, lang: str, compare: tuple[str, ...]) -> Draft:
    """The drafted report paragraphs (commstats.narrative) with the figures they used."""
    return draft_report(engine(url), unit_codes, parse_period(period_key), lang, compare)


@fresh("unit_codes")
def report_inputs(url: str, unit_codes: tuple[str, ...], period_key: str, lang: str) -> ReportInputs:
    """What the whole report reads besides the draft (heading, narrative blocks, appendix): once per data
    version, not on every rerun of the drafting page (a narrative block's edit is a write, so it shows)."""
    return report_inputs_of(engine(url), unit_codes, parse_period(period_key), lang)


@fresh()
def benchmark(
    url: str, map_: str, metric: str, period_key: str, lang: str, rate: bool, ids: tuple[int, ...]
) -> national.Benchmark:
    """Provinces side by side on one metric and period (commstats.national), over the units `ids` (those the
    person may view); any write moves it."""
    return national.benchmark(engine(url), map_, metric, parse_period(period_key), lang, rate=rate, unit_ids=ids)


@fresh()
def placed_units(url: str) -> list[tuple[int, str, str]]:
    """(unit id, code, province) of the units placed in a province."""
    return national.placed_units(engine(url))


@fresh()
def scopes(url: str, ids: tuple[int, ...]) -> list[national.AreaInfo]:
    """The nation, the regions and the 34 provinces with some of the units `ids` placed in them (draft scopes)."""
    eng = engine(url)
    areas, placed = national.areas(eng), national.placed_units(eng)  # read once, not once per area
    return [a for a in areas if a.map != "63" and national.scope_of(areas, placed, a.code, ids).groups]


@fresh()
def scope_draft(
    url: str, scope_code: str, period_key: str, lang: str, compare: tuple[str, ...], ids: tuple[int, ...]
) -> Draft:
    """A national, regional or provincial draft over the units `ids` placed there (those the person may view):
    provinces folded one by one, then summed."""
    eng = engine(url)
    chosen = national.scope(eng, scope_code, ids)
    return draft_report(eng, chosen.unit_codes, parse_period(period_key), lang, compare, scope=chosen)


@st.cache_data(ttl=TTL_SECONDS)
def narrative_blocks(url: str, unit_code: str, period_key: str) -> dict[str, queries.BlockInfo]:
    return queries.narrative_blocks(engine(url), unit_code, period_key)


@st.cache_data(ttl=TTL_SECONDS)
def narrative_history(url: str, unit_code: str, period_key: str) -> pd.DataFrame:
    return queries.narrative_history(engine(url), unit_code, period_key)


# --- Figures: built once per distinct input, not on every rerun ---


class _BuiltFigure(go.Figure):
    """A figure already built and turned into plotly's dict once: st.plotly_chart asks every figure for
    `to_dict()` (a deep copy of every trace), which here returns the kept dict (it is only read)."""

    def __init__(self, spec: dict[str, object]) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, object]:
        return self._spec


@st.cache_resource(ttl=TTL_SECONDS, max_entries=256, show_spinner=False)
def _figure_spec(name: str, args: tuple[object, ...]) -> dict[str, object]:
    """The dict of `commstats.charts.<name>(*args)`, kept for the process (its inputs are the key: data
    read under the data version, so new data is a new key)."""
    figure: go.Figure = getattr(charts, name)(*args)
    return figure.to_dict()  # type: ignore[no-any-return]


def chart(build: Callable[..., go.Figure], *args: object, key: str) -> None:
    """`st.plotly_chart(build(*args), key=key)` for a builder of commstats.charts, the figure built once for
    the same inputs (a rerun, another session on the same choice) instead of on every run."""
    st.plotly_chart(_BuiltFigure(_figure_spec(build.__name__, args)), key=key)
