"""Helpers for the page tests: the plotly figures a page drew, and the selection the sidebar made."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import plotly.io as pio
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from commstats import queries


def figures(app: AppTest) -> list[go.Figure]:
    """Every st.plotly_chart of the run, decoded back into plotly figures (in page order)."""
    return [pio.from_json(chart.proto.spec) for chart in app.get("plotly_chart")]


def chosen_ids(app: AppTest, engine: Engine) -> list[int]:
    """The unit ids the sidebar's unit choice stands for (predecessors included)."""
    return queries.unit_ids_with_predecessors(engine, app.session_state["units"])


def chosen_range(app: AppTest) -> tuple[dt.date, dt.date]:
    start, end = app.session_state["range"]
    return start, end


def ints(values) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(v) for v in values]
