"""Helpers for the page tests: the plotly figures a page drew, and the selection the sidebar made."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from commstats import queries


def _typed_arrays(value: Any) -> Any:
    """Plotly's JSON packs numeric arrays as {"dtype", "bdata"(base64), "shape"}; unpack them to numpy."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
        return {k: _typed_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed_arrays(v) for v in value]
    return value


def figures(app: AppTest) -> list[go.Figure]:
    """Every st.plotly_chart of the run, decoded back into plotly figures (in page order)."""
    return [go.Figure(_typed_arrays(json.loads(chart.proto.spec))) for chart in app.get("plotly_chart")]


def chosen_ids(app: AppTest, engine: Engine) -> list[int]:
    """The unit ids the sidebar's selection stands for (predecessors included), checked against the DB."""
    selection = app.session_state["selection"]
    assert list(selection.unit_ids) == queries.unit_ids_with_predecessors(engine, selection.unit_codes)
    return list(selection.unit_ids)


def chosen_range(app: AppTest) -> tuple[dt.date, dt.date]:
    selection = app.session_state["selection"]
    return selection.start, selection.end


def ints(values) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(v) for v in values]
