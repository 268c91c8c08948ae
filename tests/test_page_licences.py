"""Xuất bản, in in AppTest: the period's totals against last year, the chart by type, the yearly table."""

from __future__ import annotations

import datetime as dt

from commstats import queries
from commstats.db import make_engine
from commstats.numbers import format_count, format_percent
from commstats.periods import add_months, months_between
from tests.apptest import run_page
from tests.pagecheck import chosen_ids, chosen_range, figures, ints

PAGE = "pages/licences.py"
TYPES = [
    "publishing_licences",
    "printing_declarations",
    "printing_licences",
    "distribution_registrations",
    "publication_import_licences",
]


def test_totals_chart_and_years_match_the_database(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    start, end = chosen_range(app)
    months = months_between(start, end)
    now = queries.period_values(engine, ids, TYPES, months)
    before = queries.period_values(engine, ids, TYPES, [add_months(m, -12) for m in months])
    cards = {m.label: m for m in app.metric}
    licences = cards["Giấy phép xuất bản tài liệu không kinh doanh (giấy phép)"]
    assert licences.value == format_count(now[("publishing_licences", "")])
    change = (
        100
        * (now[("publishing_licences", "")] - before[("publishing_licences", "")])
        / before[("publishing_licences", "")]
    )
    assert licences.delta == ("+" if change >= 0 else "") + format_percent(change)
    assert cards["Tờ khai đăng ký hoạt động in (tờ khai)"].value == format_count(now[("printing_declarations", "")])
    chart = figures(app)[0]
    monthly = queries.monthly_totals(engine, ids, TYPES, start, end)
    for trace, code in zip(chart.data, TYPES, strict=True):
        assert ints(trace.y) == monthly[monthly["metric"] == code]["value"].tolist()
    assert chart.layout.barmode == "group"
    years = app.dataframe[0].value
    assert years["Năm"].tolist() == ["2024 (11/2024 – 12/2024)", "2025", "2026 (01/2026 – 10/2026)"]
    full_2025 = queries.period_values(engine, ids, TYPES, months_between(dt.date(2025, 1, 1), dt.date(2025, 12, 1)))
    assert years["Giấy phép xuất bản tài liệu không kinh doanh"].iloc[1] == format_count(
        full_2025[("publishing_licences", "")]
    )


def test_quarters_in_english(demo_url, monkeypatch):
    chosen = (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    app = run_page(demo_url, monkeypatch, page=PAGE, lang="en", range=chosen, licences_granularity="quarter")
    assert not app.exception
    chart = figures(app)[0]
    assert list(chart.data[0].x) == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    q3 = queries.period_values(engine, ids, TYPES, months_between(dt.date(2025, 7, 1), dt.date(2025, 9, 1)))
    assert int(chart.data[0].y[2]) == q3[("publishing_licences", "")]
    assert chart.data[0].name == "Licences to publish non-commercial documents"


def test_empty_database(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert figures(app) == [] and len(app.metric) == 0
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
