"""The one Streamlit cache module: the engine as a resource, query results as data (with a ttl).

Cached functions take the database URL and plain tuples, so results are keyed on what they read.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from commstats import overview, queries
from commstats.config import get_settings
from commstats.db import make_engine
from commstats.narrative import Draft, draft_report
from commstats.periods import Period, parse_period
from commstats.units import with_predecessors

TTL_SECONDS = 300


def database_url() -> str:
    return get_settings().database_url


@st.cache_resource
def engine(url: str) -> Engine:
    return make_engine(url)


@st.cache_data(ttl=TTL_SECONDS)
def units(url: str) -> list[queries.UnitInfo]:
    return queries.units(engine(url))


@st.cache_data(ttl=TTL_SECONDS)
def unit_ids(url: str, codes: tuple[str, ...]) -> list[int]:
    return with_predecessors(units(url), codes)  # from the cached unit list: no round trip


@st.cache_data(ttl=TTL_SECONDS)
def metrics(url: str) -> list[queries.MetricInfo]:
    return queries.metrics(engine(url))


@st.cache_data(ttl=TTL_SECONDS)
def month_range(url: str, ids: tuple[int, ...]) -> tuple[dt.date, dt.date] | None:
    return queries.month_range(engine(url), ids)


@st.cache_data(ttl=TTL_SECONDS)
def monthly_totals(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], start: dt.date, end: dt.date, by_member: bool = False
) -> pd.DataFrame:
    return queries.monthly_totals(engine(url), ids, metric_codes, start, end, by_member=by_member)


@st.cache_data(ttl=TTL_SECONDS)
def period_values(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], months: tuple[dt.date, ...], by_member: bool = False
) -> dict[tuple[str, str], int]:
    return queries.period_values(engine(url), ids, metric_codes, months, by_member=by_member)


@st.cache_data(ttl=TTL_SECONDS)
def targets(url: str, ids: tuple[int, ...], year: int) -> dict[str, int]:
    return queries.targets(engine(url), ids, year)


@st.cache_data(ttl=TTL_SECONDS)
def overview_cards(url: str, ids: tuple[int, ...], month: dt.date, lang: str) -> dict[str, list[overview.Card]]:
    return overview.overview_cards(engine(url), ids, Period("month", month.year, month.month), lang)


# --- Reads of the analysis pages (trends, sites, licences, explore, quality) ---


@st.cache_data(ttl=TTL_SECONDS)
def schema_ready(url: str) -> bool:
    return queries.schema_ready(engine(url))


@st.cache_data(ttl=TTL_SECONDS)
def unit_monthly_totals(
    url: str, ids: tuple[int, ...], metric_codes: tuple[str, ...], start: dt.date, end: dt.date
) -> pd.DataFrame:
    return queries.unit_monthly_totals(engine(url), ids, metric_codes, start, end)


@st.cache_data(ttl=TTL_SECONDS)
def first_months(url: str, ids: tuple[int, ...]) -> dict[tuple[str, str], dt.date]:
    return queries.first_months(engine(url), ids)


@st.cache_data(ttl=TTL_SECONDS)
def licence_records(url: str, ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    return queries.licence_records(engine(url), ids, start, end)


@st.cache_data(ttl=TTL_SECONDS)
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
        engine(url), start=start, end=end, unit_codes=unit_codes, section_codes=section_codes,
        metric_codes=metric_codes, member_codes=member_codes, lang=lang,
    )  # fmt: skip


@st.cache_data(ttl=TTL_SECONDS)
def members(url: str, dimension: str, ids: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The dimension's members (with `ids`: only those these units reported figures for)."""
    return queries.members(engine(url), dimension, ids)


@st.cache_data(ttl=TTL_SECONDS)
def import_batches(url: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.import_batches(engine(url), ids)


@st.cache_data(ttl=TTL_SECONDS)
def revisions(url: str, ids: tuple[int, ...]) -> pd.DataFrame:
    return queries.revisions(engine(url), ids)


@st.cache_data(ttl=TTL_SECONDS)
def draft(url: str, unit_codes: tuple[str, ...], period_key: str, lang: str, compare: tuple[str, ...]) -> Draft:
    """The drafted report paragraphs (commstats.narrative) with the figures they used."""
    return draft_report(engine(url), unit_codes, parse_period(period_key), lang, compare)


@st.cache_data(ttl=TTL_SECONDS)
def narrative_blocks(url: str, unit_code: str, period_key: str) -> dict[str, queries.BlockInfo]:
    return queries.narrative_blocks(engine(url), unit_code, period_key)


@st.cache_data(ttl=TTL_SECONDS)
def narrative_history(url: str, unit_code: str, period_key: str) -> pd.DataFrame:
    return queries.narrative_history(engine(url), unit_code, period_key)
