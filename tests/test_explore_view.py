"""The explore view: the pivot sums what the long view holds, and the CSV of a view is that view."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from commstats import explore, queries
from commstats.export import to_csv_bytes
from commstats.numbers import grid_count_format


def test_pivot_equals_the_database_per_metric_and_month(demo_engine):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    long = queries.observations_for_export(demo_engine, start=start, end=end, section_codes=["portal"])
    table = explore.pivot(long)
    assert list(table.columns) == [*explore.PIVOT_KEYS, "2026-01", "2026-02", "2026-03"]
    ids = queries.unit_ids_with_predecessors(demo_engine, ["vinhlong-demo"])
    expected = queries.monthly_totals(demo_engine, ids, ["portal_posts"], start, end, by_member=True)
    khmer = table[(table["metric"] == "portal_posts") & (table["member"] == "km")].iloc[0]
    for row in expected[expected["member"] == "km"].itertuples():
        assert khmer[f"{row.period:%Y-%m}"] == row.value  # summed over both units
    assert khmer["member_name"] == "tiếng Khmer"
    assert table["metric"].tolist()[:3] == ["portal_posts"] * 3  # catalogue order kept


def test_csv_of_a_view_has_the_views_rows_and_headers():
    long = explore.view(
        pd.DataFrame(
            [
                [
                    "u",
                    "Sở Thông tin và Truyền thông",
                    "2026-01",
                    "Cổng",
                    "m",
                    "Tin",
                    "",
                    "",
                    5,
                    "tin",
                    "=1+1",
                    "tháng",
                    "không",
                ]
            ],
            columns=queries.EXPORT_COLUMNS,
        ),
        "long",
    )
    data = to_csv_bytes(long, "vi")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(explore.labelled(long, "vi").columns)
    assert rows[1][1] == "Sở Thông tin và Truyền thông"
    assert rows[1][-3:] == ["'=1+1", "tháng", "không"]


def test_count_columns_and_their_grid_format():
    assert grid_count_format("vi") == "%'.,d"  # sprintf-js: thousands grouped by the pad character "."
    assert grid_count_format("en") == "%,d"
    frame = explore.labelled(pd.DataFrame(columns=["metric_name", "value", "2026-01"]), "vi")
    assert explore.count_columns(frame, "vi") == ["Giá trị", "2026-01"]
