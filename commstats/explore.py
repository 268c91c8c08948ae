"""The analyst's view: observations in long format (as `queries.observations_for_export` returns them)
or pivoted to metrics × months. The page shows exactly the frame these return, and the download is
`commstats.export` applied to that same frame, so what is downloaded is what is shown."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from commstats.export import header

View = Literal["long", "pivot"]
PIVOT_KEYS = ["section", "metric", "metric_name", "member", "member_name", "unit_word"]


def pivot(frame: pd.DataFrame) -> pd.DataFrame:
    """Metrics (and members) as rows, months as columns, values summed over the units in `frame`.

    Rows keep the catalogue order of the long frame; a month a row has no figure for is empty (<NA>).
    """
    if frame.empty:
        return pd.DataFrame(columns=PIVOT_KEYS)
    months = sorted(frame["period"].unique())
    table = frame.pivot_table(index=PIVOT_KEYS, columns="period", values="value", aggfunc="sum", sort=False)
    order = frame[PIVOT_KEYS].drop_duplicates()
    table = table.reindex(pd.MultiIndex.from_frame(order))[months]
    table.columns = [str(c) for c in table.columns]
    result = table.reset_index()
    for month in months:
        result[month] = result[month].astype("Int64")
    return result


def view(frame: pd.DataFrame, kind: View) -> pd.DataFrame:
    """The frame the page shows and exports for the chosen view."""
    return pivot(frame) if kind == "pivot" else frame.reset_index(drop=True)


def labelled(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The same frame with the export's column headers in `lang` (month columns keep their key)."""
    return frame.rename(columns={c: header(str(c), lang) for c in frame.columns})


def count_columns(frame: pd.DataFrame, lang: str = "vi") -> list[str]:
    """The labelled frame's numeric columns: the value, or the months of a pivot."""
    value = header("value", lang)
    return [str(c) for c in frame.columns if c == value or str(c)[:4].isdigit()]
