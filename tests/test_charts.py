"""Plotly figures: Vietnamese hover texts and number format, the merger marker, one colour per thing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from commstats import charts, palette, queries, series, units
from commstats.queries import UnitInfo


def _info(engine) -> dict[str, queries.MetricInfo]:  # type: ignore[no-untyped-def]
    return {m.code: m for m in queries.metrics(engine)}


def test_trend_hover_uses_vietnamese_month_names_and_number_format(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])
    monthly = queries.monthly_totals(demo_engine, ids, ["igate_received"], dt.date(2025, 5, 1), dt.date(2025, 8, 1))
    info = _info(demo_engine)
    rolled = series.aggregate(monthly, {"igate_received": "flow"}, "month")
    mergers = units.mergers_within(queries.units(demo_engine), ids)
    fig = charts.trend_figure(rolled, {"igate_received": info["igate_received"]}, "month", "vi", mergers)
    trace = fig.data[0]
    july = int(monthly.loc[monthly["period"] == dt.date(2025, 7, 1), "value"].iloc[0])
    assert july > 999
    assert list(trace.customdata[2]) == ["tháng 7/2025", f"{july:,}".replace(",", ".") + " hồ sơ"]
    assert fig.layout.separators == ",."
    assert fig.layout.xaxis.tickformat == "%m/%Y"
    shapes = [s for s in fig.layout.shapes if s.type == "line"]
    assert [str(s.x0)[:10] for s in shapes] == ["2025-07-01"]
    assert fig.layout.annotations[0].text == "Hợp nhất tháng 7/2025"


def test_english_hover_and_quarter_labels(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["travinh-demo"])
    monthly = queries.monthly_totals(demo_engine, ids, ["portal_posts"], dt.date(2019, 7, 1), dt.date(2019, 10, 1))
    rolled = series.aggregate(monthly, {"portal_posts": "flow"}, "quarter")
    fig = charts.trend_figure(rolled, {"portal_posts": _info(demo_engine)["portal_posts"]}, "quarter", "en")
    assert list(fig.data[0].x) == ["Q3 2019", "Q4 2019"]
    assert fig.data[0].customdata[1][0] == "Q4 2019 (only 1 of 3 months)"
    assert fig.layout.separators == ".,"
    vi = charts.trend_figure(rolled, {"portal_posts": _info(demo_engine)["portal_posts"]}, "quarter", "vi")
    assert list(vi.data[0].x) == ["Quý III/2019", "Quý IV/2019"]
    q3 = int(monthly[monthly["period"] <= dt.date(2019, 9, 1)]["value"].sum())  # July 2019 alone is 33 + 23 + 14
    assert q3 > 70
    assert int(vi.data[0].y[0]) == q3
    assert list(vi.data[0].customdata[0]) == ["Quý III/2019", f"{q3} tin, bài"]


def test_breakdown_is_stacked_with_fixed_language_colours(demo_engine):
    ids = queries.unit_ids_with_predecessors(demo_engine, ["travinh-demo"])
    monthly = queries.monthly_totals(
        demo_engine, ids, ["portal_posts"], dt.date(2019, 7, 1), dt.date(2019, 7, 1), by_member=True
    )
    rolled = series.aggregate(monthly, {"portal_posts": "flow"}, "month", keys=("metric", "member"))
    names = {"vi": "tiếng Việt", "km": "tiếng Khmer", "en": "tiếng Anh"}
    fig = charts.breakdown_figure(rolled, _info(demo_engine)["portal_posts"], names, "month", "vi")
    assert fig.layout.barmode == "stack"
    by_name = {t.name: t for t in fig.data}
    assert {n: int(t.y[0]) for n, t in by_name.items()} == {"tiếng Việt": 33, "tiếng Khmer": 23, "tiếng Anh": 14}
    assert by_name["tiếng Khmer"].marker.color == palette.MEMBER_COLORS[("language", "km")]
    assert by_name["tiếng Việt"].customdata[0][2] == "47,1% của tổng 70"


def test_year_over_year_draws_one_line_per_year_over_months():
    frame = pd.DataFrame(
        {
            "year": [2025, 2025, 2026],
            "month": [1, 2, 1],
            "period_key": ["2025-01", "2025-02", "2026-01"],
            "value": [1200, 1300, 1500],
        }
    )
    info = queries.MetricInfo(1, "x", "Chỉ tiêu", "Metric", "hồ sơ", "dossiers", "flow", None, "egov", "", "")
    fig = charts.yoy_figure(frame, info, "vi")
    assert [t.name for t in fig.data] == ["2025", "2026"]
    assert list(fig.layout.xaxis.ticktext[:2]) == ["Tháng 1", "Tháng 2"]
    assert list(fig.data[0].customdata[1]) == ["tháng 2/2025", "1.300 hồ sơ"]
    assert fig.data[1].line.color == palette.LATEST_YEAR_COLOR


def test_mergers_within_needs_both_units_chosen():
    listed = [
        UnitInfo(1, "a", "Sở A", "A", True, 2, dt.date(2025, 7, 1), 0),
        UnitInfo(2, "b", "Sở B", "B", True, None, None, 0),
    ]
    assert units.mergers_within(listed, [1, 2]) == [units.Merger(dt.date(2025, 7, 1), "Sở A", "Sở B")]
    assert units.mergers_within(listed, [1]) == []


def test_palette_is_stable_and_distinct_within_a_section():
    colors = palette.metric_colors([("a", "portal"), ("b", "portal"), ("c", "sites")])
    assert colors["a"] == palette.SECTION_COLORS["portal"]
    assert colors["b"] != colors["a"]
    assert colors["c"] == palette.SECTION_COLORS["sites"]
    assert palette.section_color("unknown") == palette.section_color("unknown")
    assert palette.member_color("language", "") == palette.UNALLOCATED_COLOR


def test_year_colours_stay_apart_and_the_latest_is_red():
    colors = palette.year_colors([2024, 2025, 2026])
    assert colors[2026] == palette.LATEST_YEAR_COLOR
    assert colors[2024] == palette.YEAR_SCALE[1] and colors[2025] == palette.YEAR_SCALE[-1]
    many = palette.year_colors(list(range(2017, 2027)))
    assert len(set(many.values())) == 8  # seven shades for nine older years, and red


def test_setting_layout_properties_whole_gives_what_update_layout_gives() -> None:
    """charts._set (one property set at once, nested mappings merged into what is there) must draw the figure
    plotly's update_layout / update_yaxes would: the same JSON, existing values kept where not overridden."""

    def start() -> go.Figure:
        fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
        fig.layout.legend.title.text = "kept"  # set before: a merge must keep what it does not override
        fig.layout.yaxis.title.text = "đơn vị"
        fig.layout.margin.l = 99
        return fig

    layout = {
        "height": 300,
        "margin": {"r": 5, "t": 40},
        "legend": {"orientation": "h", "font": {"size": 12}},
        "hoverlabel": {"bgcolor": "white", "font": {"size": 13}},
    }
    axis = {"rangemode": "tozero", "tickformat": ",d", "title": {"font": {"size": 11}}}
    expected = start().update_layout(layout).update_yaxes(axis)
    ours = start()
    charts._set(ours.layout, {**layout, "yaxis": axis})
    assert ours.to_dict() == expected.to_dict()
    assert ours.layout.legend.title.text == "kept" and ours.layout.margin.l == 99
    assert ours.layout.yaxis.title.text == "đơn vị" and ours.layout.yaxis.title.font.size == 11
