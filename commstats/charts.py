"""Plotly figures for the dashboard (no Streamlit here): trends, breakdowns, year over year, component
sites and licences. Hover texts use Vietnamese period names (`tháng 7/2019`, `Quý III/2019`) and numbers
formatted by babel (`2.682.057`); colours come from commstats.palette so a thing keeps its colour."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BasePlotlyType

from commstats import palette
from commstats.i18n import t
from commstats.numbers import format_count, format_decimal_number, format_percent
from commstats.periods import GRAINS, ROMAN, Period, parse_period
from commstats.queries import MetricInfo
from commstats.series import Granularity, hidden_coarse, period_of
from commstats.units import Merger

SEPARATORS = {"vi": ",.", "en": ".,"}  # plotly: decimal mark, then thousands separator
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
# Every figure's template, as plotly's default: a new figure takes the default without validating it, where
# update_layout(template=...) validates the whole template again (50 ms a figure; bench/).
pio.templates.default = "plotly_white"


@lru_cache(maxsize=4096)
def period_label(key: str, lang: str) -> str:
    """`2019-07` -> `tháng 7/2019`, `2019-Q3` -> `Quý III/2019`, `2019` -> `năm 2019` (or English)."""
    return parse_period(key).name(lang)


def axis_label(key: str, granularity: Granularity, lang: str) -> str:
    """Short category labels for quarter and year axes: `Quý III/2019` / `Q3 2019`, `2019`."""
    return key if granularity == "year" else period_label(key, lang)


def _cells(rows: Sequence[Sequence[object]]) -> np.ndarray:
    """Hover texts as one array: plotly checks and copies a nested list element by element (half a second for
    a heatmap of 40 sites over 24 months), an array at once; the figure's JSON is the same."""
    return np.array(rows, dtype=object)


def _set(node: BasePlotlyType, props: Mapping[str, object]) -> None:
    """Set `props` on a figure's layout or a trace, a nested mapping merged into what is there. The same as
    update_layout / update_xaxes, which parse every key as a property path inside a batch update: 2–8 ms a
    call against a tenth of a millisecond for a property set at once, a fifth of a page's CPU when many
    sessions' choices miss the figure cache (bench/sessions_bench.py). One property set whole costs less
    than its parts set one by one, hence the merge. Figures here have one x and one y axis."""
    for key, value in props.items():
        if isinstance(value, Mapping):
            current = node[key]
            if isinstance(current, BasePlotlyType):
                value = _merged(current.to_plotly_json(), value)
        node[key] = value


def _merged(current: dict[str, object], new: Mapping[str, object]) -> dict[str, object]:
    merged = dict(current)
    for key, value in new.items():
        inner = merged.get(key)
        merged[key] = _merged(inner, value) if isinstance(value, Mapping) and isinstance(inner, dict) else value
    return merged


def _layout(fig: go.Figure, lang: str, height: int = 420, legend: bool = True) -> go.Figure:
    _set(
        fig.layout,
        {
            "separators": SEPARATORS.get(lang, ",."),
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "hoverlabel": {"bgcolor": "white", "font": {"size": 13}},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "title": None},
            "showlegend": legend,
            "font": {"family": "Source Sans Pro, Arial, sans-serif", "size": 13},
            "yaxis": {"rangemode": "tozero", "tickformat": ",d", "gridcolor": "#eeeeee"},
        },
    )
    return fig


def _x(frame: pd.DataFrame, granularity: Granularity, lang: str) -> list[object]:
    if granularity == "month":
        return list(frame["start"])
    return [axis_label(key, granularity, lang) for key in frame["period_key"]]


def plain(text: object) -> str:
    """Text from the data as plotly shows it literally. Plotly reads a little HTML in every label, legend
    and hover text (<b>, <a href>, <br>, entities) and `%{…}` in hover templates; names are data, never
    markup, so < > & and % become character references, which plotly turns back into the characters."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("%", "&#37;")


def _categories(frame: pd.DataFrame, granularity: Granularity, lang: str) -> list[object]:
    """The x values of every period in `frame`, once each and in time order (one point or bar per period)."""
    periods = frame.drop_duplicates("period_key").sort_values("start")
    return _x(periods, granularity, lang)


def _date_axis(fig: go.Figure, granularity: Granularity, lang: str, categories: Sequence[object] = ()) -> None:
    """Months on a date axis; quarters and years on a category axis in time order. A year's label `2019` is
    text, so plotly never reads it as a number on a date or linear axis."""
    if granularity == "month":
        _set(
            fig.layout,
            {"xaxis": {"type": "date", "tickformat": "%m/%Y" if lang == "vi" else "%b %Y", "gridcolor": "#f3f3f3"}},
        )
    else:
        _set(fig.layout, {"xaxis": {"type": "category", "categoryorder": "array", "categoryarray": list(categories)}})


def _partial_pattern(frame: pd.DataFrame) -> dict:
    """Bars of periods not fully reported are hatched (the hover says how many months they hold)."""
    return {"shape": ["" if complete else "/" for complete in frame["complete"]], "solidity": 0.35}


def _hover(frame: pd.DataFrame, lang: str, unit_word: str, granularity: Granularity) -> list[list[str]]:
    rows = []
    grains = frame["grain"] if "grain" in frame.columns else ["month"] * len(frame)
    derived = frame["derived"] if "derived" in frame.columns else [""] * len(frame)
    for key, value, months, complete, mark, grain, how in zip(
        frame["period_key"],
        frame["value"],
        frame["months"],
        frame["complete"],
        _marks(frame),
        grains,
        derived,
        strict=True,
    ):
        note = "" if complete else t("chart.partial", lang, months=months, expected=MONTHS_IN[granularity])
        if "estimated" in mark:
            note += " " + t("chart.mark_estimated", lang)
        if "coarse" in mark and grain != "month":
            note += " " + t("chart.grain_" + grain.split("+")[-1], lang)
        for subtraction in filter(None, how.split("+") if isinstance(how, str) else ()):  # Q3 = 9M − first half
            note += " " + t("chart.derived_" + subtraction, lang)
        rows.append([period_label(key, lang) + note, f"{format_count(int(value), lang)} {plain(unit_word)}"])
    return rows


# Marker of a point read from an estimate or from a coarser figure than the chart's periods (commstats.grains);
# a hollow circle is a period the data covers only in part.
MARK_SYMBOLS = {"estimated": "diamond-open", "coarse": "square"}


def _marks(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """Per row: ("estimated",) when an estimate is in the value, ("coarse",) when it was read from a figure of a
    coarser grain than the months (series.aggregate over queries.figure_totals); empty otherwise."""
    if "estimated" not in frame.columns:
        return [()] * len(frame)
    derived = frame["derived"] if "derived" in frame.columns else [""] * len(frame)
    return [
        tuple(m for m, on in (("estimated", bool(e)), ("coarse", g != "month" or bool(d))) if on)
        for e, g, d in zip(frame["estimated"], frame["grain"], derived, strict=True)
    ]


def has_marks(frame: pd.DataFrame) -> bool:
    """Whether any point of `frame` is an estimate or read from a coarser figure."""
    return any(_marks(frame))


def _symbols(frame: pd.DataFrame) -> list[str]:
    return [
        MARK_SYMBOLS[mark[0]] if mark else "circle" if complete else "circle-open"
        for mark, complete in zip(_marks(frame), frame["complete"], strict=True)
    ]


def _mark_legend(fig: go.Figure, frame: pd.DataFrame, lang: str) -> bool:
    """A legend entry per kind of mark used (a grey marker, no line); True when one was added."""
    used = {m for marks in _marks(frame) for m in marks}
    for mark in MARK_SYMBOLS:
        if mark in used:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=t("chart.legend_" + mark, lang),
                    marker={"size": 9, "symbol": MARK_SYMBOLS[mark], "color": "#555555"},
                    hoverinfo="skip",
                )
            )
    return bool(used)


def add_mergers(fig: go.Figure, mergers: Sequence[Merger], granularity: Granularity, lang: str, x_values: list) -> None:
    """A dashed vertical line and a label at each merger date shown on the chart: at the month on a month axis,
    on the period the merger falls in on a quarter or year axis. A category is placed by its position in
    `x_values` (the axis' categories in order): a label such as `2025` would be read as position 2025."""
    for merger in mergers:
        period = period_of(merger.on, granularity)
        x: object = merger.on if granularity == "month" else axis_label(period.key, granularity, lang)
        if x not in x_values:
            continue
        if granularity != "month":
            x = x_values.index(x)
        month_text = Period("month", merger.on.year, merger.on.month).name(lang)
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            yref="paper",
            y0=0,
            y1=1,
            line={"color": palette.MERGER_COLOR, "dash": "dash", "width": 1.5},
        )
        fig.add_annotation(
            x=x,
            yref="paper",
            y=1,
            text=t("chart.merger", lang, month=month_text),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"color": palette.MERGER_COLOR, "size": 12},
            hovertext=f"{plain(merger.absorbed)} → {plain(merger.into)}",
            bgcolor="rgba(255,255,255,0.8)",
        )


def trend_figure(
    frame: pd.DataFrame,
    metrics: Mapping[str, MetricInfo],
    granularity: Granularity,
    lang: str = "vi",
    mergers: Sequence[Merger] = (),
) -> go.Figure:
    """One line per metric over time; `frame` is `series.aggregate` output keyed on metric."""
    fig = go.Figure()
    chosen = [m for m in metrics.values() if m.code in set(frame["metric"])]
    colors = palette.metric_colors([(m.code, m.section_code) for m in metrics.values()])
    all_x: list[object] = []
    for metric in chosen:
        rows, name = frame[frame["metric"] == metric.code], plain(metric.name(lang))
        x = _x(rows, granularity, lang)
        all_x += x
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rows["value"],
                name=name,
                mode="lines+markers" if len(rows) <= 40 else "lines",
                line={"color": colors[metric.code], "width": 2.5},
                marker={"size": 7, "symbol": _symbols(rows)},
                customdata=_cells(_hover(rows, lang, metric.unit_word(lang), granularity)),
                hovertemplate="%{customdata[0]}<br><b>%{customdata[1]}</b><extra>" + name + "</extra>",
            )
        )
    marked = _mark_legend(fig, frame, lang)
    _layout(fig, lang, legend=len(chosen) > 1 or marked)
    categories = _categories(frame[frame["metric"].isin([m.code for m in chosen])], granularity, lang)
    _date_axis(fig, granularity, lang, categories)
    if len(chosen) == 1:
        _set(fig.layout, {"yaxis": {"title": {"text": plain(chosen[0].unit_word(lang))}}})
    add_mergers(fig, mergers, granularity, lang, all_x if granularity == "month" else categories)
    return fig


def breakdown_figure(
    frame: pd.DataFrame,
    metric: MetricInfo,
    member_names: Mapping[str, str],
    granularity: Granularity,
    lang: str = "vi",
    mergers: Sequence[Merger] = (),
) -> go.Figure:
    """Stacked bars of one metric by member (language, direction); `frame` is aggregate() keyed on member."""
    totals = frame.groupby("period_key")["value"].sum()
    fig = go.Figure()
    all_x: list[object] = []
    for index, (code, shown) in enumerate(member_names.items()):
        name = plain(shown)
        rows = frame[frame["member"] == code]
        if rows.empty:
            continue
        x = _x(rows, granularity, lang)
        all_x += x
        hover = [
            [
                h[0],
                h[1],
                t(
                    "chart.of_total",
                    lang,
                    share=format_percent(100 * v / totals[k] if totals[k] else 0, lang),
                    total=format_count(int(totals[k]), lang),
                ),
            ]
            for h, v, k in zip(
                _hover(rows, lang, metric.unit_word(lang), granularity), rows["value"], rows["period_key"], strict=True
            )
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=rows["value"],
                name=name,
                marker_color=palette.member_color(metric.dimension, code, index),
                marker_pattern=_partial_pattern(rows),
                customdata=_cells(hover),
                hovertemplate="%{customdata[0]}<br><b>%{customdata[1]}</b><br>%{customdata[2]}<extra>"
                + name
                + "</extra>",
            )
        )
    _layout(fig, lang)
    _set(fig.layout, {"barmode": "stack", "bargap": 0.15})
    categories = _categories(frame[frame["member"].isin(list(member_names))], granularity, lang)
    _date_axis(fig, granularity, lang, categories)
    _set(fig.layout, {"yaxis": {"title": {"text": plain(metric.unit_word(lang))}}})
    add_mergers(fig, mergers, granularity, lang, all_x if granularity == "month" else categories)
    return fig


def month_tick(month: int, lang: str) -> str:
    return t("chart.month_tick", lang, m=month, name=calendar.month_abbr[month])


HIDDEN_NAMED = 4  # coarser periods named under a chart at most


def hidden_note(stored: pd.DataFrame, rolled: pd.DataFrame, granularity: Granularity, lang: str = "vi") -> str:
    """The caption naming the quarters (half-years, years) a chart of `rolled` cannot show at `granularity`
    (series.hidden_coarse): `Có số liệu quý III/2019, không chia ra tháng: …`; empty when there are none."""
    hidden = hidden_coarse(stored, rolled, granularity)
    if not hidden:
        return ""
    names = ", ".join(p.phrase(lang) for p in hidden[:HIDDEN_NAMED]) + (", …" if len(hidden) > HIDDEN_NAMED else "")
    return t("coarse_hidden_" + granularity, lang, periods=names)


def place_tick(place: int, granularity: Granularity, lang: str) -> str:
    """The label of a place in the year on the year-over-year chart: `Tháng 3`, `Quý III`."""
    if granularity == "quarter":
        return t("chart.quarter_tick", lang, roman=ROMAN[place], n=place)
    return month_tick(place, lang)


def yoy_figure(
    frame: pd.DataFrame, metric: MetricInfo, lang: str = "vi", granularity: Granularity = "month"
) -> go.Figure:
    """Each year a line over its months 1-12 or quarters 1-4 (`series.year_over_year` output), the latest year in
    red; by year, a bar per year. A value read from an estimate or a coarser figure is marked as on the trend
    chart, and its hover says so, when `frame` has aggregate()'s columns."""
    fig = go.Figure()
    years = sorted(set(frame["year"]))
    colors = palette.year_colors(years)
    marked = "complete" in frame.columns
    unit_word = metric.unit_word(lang)
    if marked:
        hover = _hover(frame, lang, unit_word, granularity)
    else:
        hover = [
            [period_label(k, lang), f"{format_count(int(v), lang)} {plain(unit_word)}"]
            for k, v in zip(frame["period_key"], frame["value"], strict=True)
        ]
    template = "%{customdata[0]}<br><b>%{customdata[1]}</b><extra></extra>"
    if granularity == "year":
        fig.add_trace(
            go.Bar(
                x=[str(y) for y in frame["year"]],
                y=frame["value"],
                marker_color=[colors[y] for y in frame["year"]],
                marker_pattern=_partial_pattern(frame) if marked else None,
                customdata=hover,
                hovertemplate=template,
                showlegend=False,
            )
        )
        _layout(fig, lang, legend=False)
        _set(fig.layout, {"xaxis": {"type": "category"}})
        _set(fig.layout, {"yaxis": {"title": {"text": plain(unit_word)}}})
        return fig
    for year in years:
        at = [i for i, y in enumerate(frame["year"]) if y == year]
        rows = frame.iloc[at]
        fig.add_trace(
            go.Scatter(
                x=rows["month"],
                y=rows["value"],
                name=str(year),
                mode="lines+markers",
                line={"color": colors[year], "width": 3 if year == years[-1] else 2},
                marker={"size": 7, "symbol": _symbols(rows)} if marked else {"size": 5},
                customdata=_cells([hover[i] for i in at]),
                hovertemplate=template,
            )
        )
    if marked:
        _mark_legend(fig, frame, lang)
    _layout(fig, lang)
    places = 4 if granularity == "quarter" else 12
    ticks = [place_tick(p, granularity, lang) for p in range(1, places + 1)]
    _set(
        fig.layout.xaxis,
        {"tickmode": "array", "tickvals": list(range(1, places + 1)), "ticktext": ticks, "range": [0.7, places + 0.3]},
    )
    _set(fig.layout, {"yaxis": {"title": {"text": plain(unit_word)}}})
    return fig


def stacked_metrics_figure(
    frame: pd.DataFrame,
    metrics: Mapping[str, MetricInfo],
    granularity: Granularity,
    lang: str = "vi",
    mergers: Sequence[Merger] = (),
) -> go.Figure:
    """Grouped bars of several metrics over time (licences and declarations by type)."""
    fig = go.Figure()
    colors = palette.metric_colors([(m.code, m.section_code) for m in metrics.values()])
    all_x: list[object] = []
    for metric in metrics.values():
        rows, name = frame[frame["metric"] == metric.code], plain(metric.name(lang))
        if rows.empty:
            continue
        x = _x(rows, granularity, lang)
        all_x += x
        fig.add_trace(
            go.Bar(
                x=x,
                y=rows["value"],
                name=name,
                marker_color=colors[metric.code],
                marker_pattern=_partial_pattern(rows),
                customdata=_cells(_hover(rows, lang, metric.unit_word(lang), granularity)),
                hovertemplate="%{customdata[0]}<br><b>%{customdata[1]}</b><extra>" + name + "</extra>",
            )
        )
    _layout(fig, lang)
    _set(fig.layout, {"barmode": "group", "bargap": 0.2})
    categories = _categories(frame[frame["metric"].isin(list(metrics))], granularity, lang)
    _date_axis(fig, granularity, lang, categories)
    add_mergers(fig, mergers, granularity, lang, all_x if granularity == "month" else categories)
    return fig


def ranking_figure(ranking: pd.DataFrame, lang: str = "vi", flagged: Sequence[str] = (), top: int = 43) -> go.Figure:
    """Horizontal bars of posts per site in the period (`sites.ranking` output), flagged sites in red."""
    rows = ranking.head(top).iloc[::-1]
    colors = [palette.FLAG_COLOR if code in flagged else palette.section_color("sites") for code in rows["member"]]
    names = [plain(name) for name in rows["name"]]
    hover = [
        [name, format_count(int(v), lang), format_percent(s, lang)]
        for name, v, s in zip(names, rows["posts"], rows["share"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=rows["posts"],
            y=names,
            orientation="h",
            marker_color=colors,
            customdata=_cells(hover),
            text=[format_count(int(v), lang) for v in rows["posts"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{customdata[0]}<br><b>%{customdata[1]}</b> (%{customdata[2]})<extra></extra>",
        )
    )
    _layout(fig, lang, height=max(320, 22 * len(rows) + 60), legend=False)
    _set(fig.layout, {"yaxis": {"type": "category", "tickformat": None, "automargin": True}})
    top = 1.18 * max(1, rows["posts"].max())
    _set(fig.layout, {"xaxis": {"tickformat": ",d", "title": {"text": t("chart.posts", lang)}, "range": [0, top]}})
    return fig


PHONE_MONTHS = 6  # the heatmap on a phone: the last months only, so each column keeps a readable label
PHONE_NAME = 16  # characters of a site's name on a phone's axis (the hover gives the whole name)


def _short(name: str, size: int) -> str:
    return name if len(name) <= size else name[: size - 1].rstrip() + "…"


def heatmap_figure(matrix: pd.DataFrame, lang: str = "vi", phone: bool = False) -> go.Figure:
    """Sites (rows) × months (columns, `2019-07` keys) of posts; `sites.heatmap_matrix` output. `phone`: laid out
    for a 390 px screen — the last PHONE_MONTHS months, upright labels, short names, the colour bar underneath."""
    if phone:
        matrix = matrix.iloc[:, -PHONE_MONTHS:]
    months = list(matrix.columns)
    hover = [
        [
            [period_label(m, lang), format_count(int(v), lang) if pd.notna(v) else "-"]
            for m, v in zip(months, row, strict=True)
        ]
        for row in matrix.to_numpy()
    ]
    y_text = [plain(name) for name in matrix.index]
    x_text = [period_label(m, lang).removeprefix("tháng ") if lang == "vi" else period_label(m, lang) for m in months]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(dtype=float),
            x=x_text,
            y=y_text,
            colorscale=palette.HEATMAP_SCALE,
            zmin=0,
            customdata=_cells(hover),
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": t("chart.posts", lang)}, "thickness": 12},
            hovertemplate="%{y}<br>%{customdata[0]}: <b>%{customdata[1]}</b><extra></extra>",
        )
    )
    _layout(fig, lang, height=max(360, 18 * len(matrix) + 90), legend=False)
    _set(
        fig.layout.yaxis,
        {"type": "category", "autorange": "reversed", "tickformat": None, "automargin": True, "rangemode": "normal"},
    )
    _set(fig.layout, {"xaxis": {"type": "category", "tickangle": -45}})
    if phone:
        _set(
            fig.data[0],
            {
                "x": [label.replace("/", "/<br>", 1).replace(" ", "<br>", 1) for label in x_text],  # month over year
                "y": [_short(name, PHONE_NAME) for name in y_text],
                "colorbar": {"orientation": "h", "y": -0.02, "yanchor": "top", "thickness": 10, "title": None},
            },
        )
        # Labels under the modebar.
        _set(fig.layout, {"height": 24 * len(matrix) + 200, "margin": {"l": 4, "r": 4, "t": 76, "b": 10}})
        _set(fig.layout, {"xaxis": {"side": "top", "tickangle": 0, "tickfont": {"size": 12}}})
        _set(fig.layout, {"yaxis": {"tickfont": {"size": 12}}})
    return fig


def site_history_figure(history: pd.DataFrame, name: str, lang: str = "vi", baseline: float | None = None) -> go.Figure:
    """One site's monthly posts (period, value) as bars; months without posts stand out in red."""
    colors = [palette.FLAG_COLOR if v == 0 else palette.section_color("sites") for v in history["value"]]
    hover = [
        [period_label(k, lang), format_count(int(v), lang)]
        for k, v in zip(history["period_key"], history["value"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=list(history["period"]),
            y=history["value"],
            marker_color=colors,
            customdata=_cells(hover),
            name=plain(name),
            hovertemplate="%{customdata[0]}<br><b>%{customdata[1]}</b><extra></extra>",
        )
    )
    quiet = history[history["value"] == 0]
    if not quiet.empty:
        fig.add_trace(
            go.Scatter(
                x=list(quiet["period"]),
                y=[0] * len(quiet),
                mode="markers",
                name=t("chart.none", lang),
                marker={"color": palette.FLAG_COLOR, "symbol": "x", "size": 10},
                customdata=_cells([[period_label(k, lang)] for k in quiet["period_key"]]),
                hovertemplate="%{customdata[0]}<br><b>" + t("chart.none", lang) + "</b><extra></extra>",
            )
        )
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line={"dash": "dot", "color": palette.MERGER_COLOR},
            annotation_text=t("chart.median", lang),
            annotation_position="top left",
        )
    _layout(fig, lang, height=320, legend=False)
    _date_axis(fig, "month", lang)
    _set(fig.layout, {"yaxis": {"title": {"text": t("chart.posts", lang)}}})
    return fig


def basis_note(marks: Iterable[str], lang: str = "vi") -> str:
    """The words for grains.Basis.marks("_") (a province's value on the benchmark): "(số liệu quý, không có số liệu
    tháng)", "(ước thực hiện)", "(tính từ số 9 tháng trừ số 6 tháng)", the same words as the trends hover."""
    words = []
    for mark in marks:
        if mark == "estimated":
            words.append(t("chart.mark_estimated", lang))
        elif mark in GRAINS:
            words.append(t("chart.grain_" + mark, lang))
        else:
            words.append(t("chart.derived_" + mark, lang))
    return " ".join(words)


def province_ranking_figure(table: pd.DataFrame, column: str, axis_title: str, lang: str = "vi") -> go.Figure:
    """Provinces ranked on `column` (commstats.national.benchmark's table) as horizontal bars, highest on top;
    provinces without figures are left out (the table lists them). The hover says when a value was read from a
    coarser figure than the period's months, from an estimate or by subtraction (the table's "basis")."""
    rows = table[table[column].notna()].iloc[::-1]
    notes = [basis_note(marks, lang) for marks in rows["basis"]] if "basis" in rows.columns else [""] * len(rows)
    names = [plain(f"{rank}. {name}") for rank, name in zip(rows["rank"], rows["name"], strict=True)]
    decimals = 0 if column == "value" and rows[column].dropna().apply(float.is_integer).all() else 1
    texts = [
        format_count(int(v), lang) if decimals == 0 else format_decimal_number(float(v), lang, 1) for v in rows[column]
    ]
    fig = go.Figure(
        go.Bar(
            x=rows[column],
            y=names,
            orientation="h",
            marker_color=palette.section_color("sites"),
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=_cells([[plain(r), plain(n)] for r, n in zip(rows["region"], notes, strict=True)]),
            hovertemplate="%{y}<br>%{customdata[0]}<br><b>%{text}</b> %{customdata[1]}<extra></extra>",
        )
    )
    _layout(fig, lang, height=max(320, 22 * len(rows) + 80), legend=False)
    _set(fig.layout, {"yaxis": {"type": "category", "tickformat": None, "automargin": True}})
    top = float(rows[column].max()) if len(rows) else 1.0
    _set(
        fig.layout,
        {"xaxis": {"title": {"text": plain(axis_title)}, "range": [0, 1.2 * max(top, 1e-9)], "tickformat": ","}},
    )
    return fig
