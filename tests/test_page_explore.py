"""Dữ liệu & xuất in AppTest: the table shown is the database's rows for the filters, in the export's
headers; the pivot sums them; the CSV made from the shown frame is that frame. (The browser test
downloads the file itself.)"""

from __future__ import annotations

import csv
import io
import json

from commstats import explore, queries
from commstats.db import make_engine
from commstats.export import header, to_csv_bytes
from commstats.numbers import format_count, grid_count_format
from tests.apptest import run_page
from tests.pagecheck import chosen_range

PAGE = "pages/explore.py"


def test_long_view_is_the_database_and_the_csv_is_the_view(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    assert not app.exception
    start, end = chosen_range(app)
    expected = queries.observations_for_export(make_engine(demo_url), start=start, end=end,
                                               unit_codes=["travinh-demo", "vinhlong-demo"])  # fmt: skip
    shown = app.dataframe[0].value
    assert list(shown.columns) == [header(c, "vi") for c in queries.EXPORT_COLUMNS]
    assert len(shown) == len(expected) > 1000
    assert shown["Giá trị"].astype(int).tolist() == expected["value"].tolist()
    assert any(c.value == f"{format_count(len(expected))} dòng · 11/2024 – 10/2026" for c in app.caption)
    assert [b.label for b in app.get("download_button")] == ["Tải CSV", "Tải Excel (XLSX)"]
    rows = list(csv.reader(io.StringIO(to_csv_bytes(explore.view(expected, "long"), "vi").decode("utf-8-sig"))))
    assert rows[0] == list(shown.columns)
    assert [r[8] for r in rows[1:]] == [str(v) for v in shown["Giá trị"]]
    assert rows[1][1] == "Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"


def test_filters_and_pivot(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE, explore_metrics=["portal_posts"], explore_members=["km"],
                   explore_view="pivot")  # fmt: skip
    assert not app.exception
    start, end = chosen_range(app)
    engine = make_engine(demo_url)
    ids = queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"])
    monthly = queries.monthly_totals(engine, ids, ["portal_posts"], start, end, by_member=True)
    khmer = monthly[monthly["member"] == "km"]
    shown = app.dataframe[0].value
    assert len(shown) == 1
    assert shown["Thành phần"].iloc[0] == "tiếng Khmer"
    formats = {c: config["type_config"]["format"] for c, config in json.loads(app.dataframe[0].proto.columns).items()
               if "type_config" in config}  # fmt: skip
    assert formats == dict.fromkeys((f"{p:%Y-%m}" for p in khmer["period"]), grid_count_format("vi"))
    assert [int(shown[f"{p:%Y-%m}"].iloc[0]) for p in khmer["period"]] == khmer["value"].tolist()


def test_unit_filter_in_english(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE, lang="en", explore_units=["vinhlong-demo"],
                   explore_sections=["publishing"])  # fmt: skip
    assert not app.exception
    start, end = chosen_range(app)
    expected = queries.observations_for_export(make_engine(demo_url), start=start, end=end, lang="en",
                                               unit_codes=["vinhlong-demo"], section_codes=["publishing"])  # fmt: skip
    shown = app.dataframe[0].value
    assert list(shown.columns) == [header(c, "en") for c in queries.EXPORT_COLUMNS]
    assert set(shown["Unit code"]) == {"vinhlong-demo"}
    assert len(shown) == len(expected) == 5 * 16  # the section's five metrics, sixteen months since the merger
    assert set(shown["Section"]) == {"Publishing and printing"}
    assert json.loads(app.dataframe[0].proto.columns)["Value"]["type_config"]["format"] == grid_count_format("en")


def test_empty_database(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert len(app.dataframe) == 0 and len(app.get("download_button")) == 0
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
