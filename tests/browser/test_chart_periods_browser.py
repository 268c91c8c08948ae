"""Quarter and year charts drawn by plotly.js in Chromium: one point or bar per period spread over the axis, the
merger marked on the period it falls in (a year label such as `2025` is not read as position 2025)."""

from __future__ import annotations

import datetime as dt
import itertools

import plotly.io as pio
from playwright.sync_api import Page

from commstats import charts, queries, series, units

READ_PLOT = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const xa = gd._fullLayout.xaxis;
  const points = [...gd.querySelectorAll('.scatterlayer .trace .points path, .barlayer .trace .points path')];
  const shapes = [...gd.querySelectorAll('.shapelayer path')];
  return {range: xa.range, categories: xa._categories,
          xs: points.map(p => p.getBoundingClientRect().x + p.getBoundingClientRect().width / 2),
          shape: shapes.map(s => s.getBoundingClientRect().x), width: xa._length};
}"""


def _draw(page: Page, fig: object) -> dict:
    page.set_content(pio.to_html(fig, include_plotlyjs=True, full_html=True))
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')?._fullLayout?.xaxis?._length > 0")
    return page.evaluate(READ_PLOT)


def _rolled(engine, codes: list[str], granularity: series.Granularity):  # type: ignore[no-untyped-def]
    ids = queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"])
    monthly = queries.monthly_totals(engine, ids, codes, dt.date(2019, 1, 1), dt.date(2026, 6, 1))
    info = {m.code: m for m in queries.metrics(engine) if m.code in codes}
    return series.aggregate(monthly, {c: m.kind for c, m in info.items()}, granularity), info, ids


def test_yearly_trend_has_one_point_per_year_and_the_merger_on_2025(page: Page, demo_engine):
    rolled, info, ids = _rolled(demo_engine, ["portal_posts", "igate_received"], "year")
    mergers = units.mergers_within(queries.units(demo_engine), ids)
    drawn = _draw(page, charts.trend_figure(rolled, info, "year", "vi", mergers))
    years = sorted(set(rolled["period_key"]))
    assert drawn["categories"] == years
    assert drawn["range"][0] > -1 and drawn["range"][1] < len(years)  # not to 2025: points squeezed to the left
    xs = sorted({round(x) for x in drawn["xs"]})
    assert len(xs) == len(years)
    step = drawn["width"] / len(years)
    assert min(b - a for a, b in itertools.pairwise(xs)) > step * 0.9
    # The merger line stands on 2025's point.
    x2025 = xs[years.index("2025")]
    assert len(drawn["shape"]) == 1 and abs(drawn["shape"][0] - x2025) < 3


def test_quarterly_licence_bars_are_one_group_per_quarter_in_order(page: Page, demo_engine):
    codes = ["publishing_licences", "printing_declarations"]
    rolled, info, ids = _rolled(demo_engine, codes, "quarter")
    mergers = units.mergers_within(queries.units(demo_engine), ids)
    fig = charts.stacked_metrics_figure(rolled, info, "quarter", "vi", mergers)
    drawn = _draw(page, fig)
    quarters = rolled.drop_duplicates("period_key").sort_values("start")["period_key"].tolist()
    assert drawn["categories"] == [charts.period_label(k, "vi") for k in quarters]
    assert drawn["range"][0] > -1 and drawn["range"][1] < len(quarters)
    assert len(drawn["shape"]) == 1
    # Hatched bars where a quarter is not fully reported.
    partial = [not c for c in rolled["complete"]]
    assert list(fig.data[0].marker.pattern.shape) == ["/" if p else "" for p in partial[: len(fig.data[0].x)]]
