"""Chất lượng dữ liệu in AppTest: missing months, unusual values with the explained rule, the import log
and the revisions, against the database and the core's rules."""

from __future__ import annotations

from commstats import quality, queries
from commstats.db import make_engine
from commstats.periods import add_months
from tests.apptest import run_page
from tests.pagecheck import chosen_ids, chosen_range

PAGE = "pages/quality.py"


def test_missing_outliers_batches_and_revisions(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    start, end = chosen_range(app)
    codes = [m.code for m in queries.metrics(engine)]
    history = queries.unit_monthly_totals(engine, ids, codes, add_months(start, -12), end)
    expected_outliers = quality.outliers(history, start, end)
    cards = {m.label: m.value for m in app.metric}
    assert cards == {"Chỉ tiêu còn thiếu tháng": "1", "Giá trị bất thường": str(len(expected_outliers)),
                     "Lần nhập số liệu": "3", "Lần sửa số liệu": "1"}  # fmt: skip
    missing, outliers, batches, revisions, trail = (t.value for t in app.dataframe)
    assert sorted(trail["Lô"].tolist()) == sorted(batches["Lô"].tolist())  # the audit trail names every batch
    unit, metric = "Sở Khoa học và Công nghệ Vĩnh Long (dữ liệu mẫu)", "Công văn chỉ đạo, định hướng tuyên truyền"
    assert missing.iloc[0].tolist() == [unit, metric, 16, 14, 2, "01/2026–02/2026"]
    assert len(outliers) == len(expected_outliers)
    assert outliers.iloc[0][["Chỉ tiêu", "Tháng", "Giá trị"]].tolist() == ["Bản tin audio (thu và phát)", "03/2026",
                                                                            "230"]  # fmt: skip
    assert any("trung vị ± k × MAD" in m.value for m in app.markdown)
    assert batches["Nguồn"].tolist() == ["commstats.demo (Vĩnh Long, đính chính)",
                                         "commstats.demo (Vĩnh Long, nhập lần đầu)", "commstats.demo"]  # fmt: skip
    # Trà Vinh 10.340 figures until 06/2025; Vĩnh Long 1.630 from 07/2025 (the corrected batch adds none).
    assert batches["Mới"].tolist() == [0, 1630, 10340]
    assert batches["Loại nguồn"].tolist() == ["Dữ liệu mẫu"] * 3
    log = queries.revisions(engine).iloc[0]
    old, new = (f"{log[c]:,}".replace(",", ".") for c in ("old_value", "new_value"))
    assert revisions[["Thành phần", "Giá trị cũ", "Giá trị mới"]].iloc[0].tolist() == ["văn bản đến", old, new]


def test_the_log_is_the_chosen_units_own(demo_url, monkeypatch):
    """Trà Vinh alone: its one demo batch and none of Vĩnh Long's imports or corrections (a unit-scoped
    user must not read another unit's log)."""
    app = run_page(demo_url, monkeypatch, page=PAGE, units=["travinh-demo"])
    assert not app.exception
    engine = make_engine(demo_url)
    ids = chosen_ids(app, engine)
    assert queries.unit_ids_with_predecessors(engine, ["travinh-demo"]) == ids
    cards = {m.label: m.value for m in app.metric}
    assert (cards["Lần nhập số liệu"], cards["Lần sửa số liệu"]) == ("1", "0")
    batches = next(t.value for t in app.dataframe if "Nguồn" in t.value.columns)
    assert batches["Nguồn"].tolist() == ["commstats.demo"]
    assert queries.import_batches(engine, ids)["id"].tolist() == batches["Lô"].tolist()
    assert len(queries.import_batches(engine)) == 3 and len(queries.revisions(engine)) == 1  # the whole log
    assert queries.revisions(engine, ids).empty
    assert "Chưa có số liệu nào bị sửa." in [i.value for i in app.info]
    assert not any("Giá trị cũ" in t.value.columns for t in app.dataframe)


def test_a_larger_k_flags_fewer_values(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE, quality_k=8.0)
    assert not app.exception
    outliers = app.dataframe[1].value
    assert outliers["Giá trị"].tolist() == ["230"]  # only the value typed ten times too large (10 × 23)


def test_empty_database(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert len(app.dataframe) == 0 and len(app.metric) == 0
    assert [s.value for s in app.subheader] == ["Chưa có số liệu"]
