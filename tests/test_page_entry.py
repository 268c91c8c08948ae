"""The Nhập số liệu page in AppTest: prefilled editor, saving through validate/load, errors in Vietnamese."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from commstats import queries
from commstats.db import make_engine
from commstats.models import ImportBatch, Observation, Revision
from tests.apptest import run_page

DEMO = "travinh-demo"


def snapshot(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))]


def open_form(url: str, monkeypatch, unit: str, year: int, month: int, section: str, lang: str = "vi") -> AppTest:  # type: ignore[no-untyped-def]
    app = run_page(url, monkeypatch, page="pages/entry.py", lang=lang)
    assert not app.exception
    app.selectbox(key="entry_unit").set_value(unit)
    app.selectbox(key="entry_year").set_value(year)
    app.selectbox(key="entry_month").set_value(month)
    app.selectbox(key="entry_section").set_value(section)
    app.run()
    assert not app.exception
    return app


def edit_and_save(app: AppTest, edits: dict[int, str | None]) -> AppTest:
    editor = app.data_editor[0]
    app.session_state[editor.key] = {
        "edited_rows": {row: {"value": value} for row, value in edits.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.button[0].click()
    app.run()
    assert not app.exception
    return app


def figures(url: str, unit: str, month: dt.date, metrics: list[str]) -> dict[tuple[str, str], int]:
    frame = queries.observations_for_export(
        make_engine(url), start=month, end=month, unit_codes=[unit], metric_codes=metrics
    )
    return {(str(r.metric), str(r.member)): int(r.value) for r in frame.itertuples()}


def test_form_is_prefilled_with_the_stored_figures(demo_url, monkeypatch):
    app = open_form(demo_url, monkeypatch, DEMO, 2019, 7, "portal")
    assert [t.value for t in app.title] == ["Nhập số liệu"]
    table = app.data_editor[0].value
    posts = "Tin, bài đăng trên Cổng thông tin điện tử"
    assert list(table["label"]) == [
        f"{posts} — tiếng Việt",
        f"{posts} — tiếng Khmer",
        f"{posts} — tiếng Anh",
        "Bản tin audio (thu và phát)",
        "Dự thảo lấy ý kiến nhân dân",
        "Quyết định công bố thủ tục hành chính (cập nhật mới)",
        "Lượt truy cập Cổng thông tin điện tử",
    ]
    assert list(table["value"])[:6] == ["33", "23", "14", "14", "5", "14"]  # the seed report's July 2019
    assert app.data_editor[0].editing_mode == "fixed"


def test_saving_creates_an_entry_batch_with_revisions_and_shows_old_and_new(demo_url, monkeypatch):
    app = open_form(demo_url, monkeypatch, DEMO, 2019, 7, "portal")
    app = edit_and_save(app, {0: "40", 4: "1.234"})
    batch = _last_batch(demo_url)
    assert [s.value for s in app.success] == [f"Đã lưu lô #{batch}: 0 giá trị mới, 2 giá trị sửa, 5 không đổi."]
    changes = app.dataframe[-1].value
    assert changes.values.tolist() == [
        ["Tin, bài đăng trên Cổng thông tin điện tử — tiếng Việt", 33, 40],
        ["Dự thảo lấy ý kiến nhân dân", 5, 1234],
    ]
    assert list(changes.columns) == ["Chỉ tiêu", "Cũ", "Mới"]
    july = figures(demo_url, DEMO, dt.date(2019, 7, 1), ["portal_posts", "portal_drafts"])
    assert july[("portal_posts", "vi")] == 40 and july[("portal_drafts", "")] == 1234
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        batch = conn.execute(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(1)).one()
        assert (batch.source_kind, batch.source_name) == ("entry", "travinh-demo 2019-07 portal")
        assert (batch.rows_updated, batch.rows_unchanged) == (2, 5)
        revisions = conn.execute(select(Revision.old_value, Revision.new_value).where(Revision.batch_id == batch.id))
        assert sorted(revisions.all()) == [(5, 1234), (33, 40)]


def _last_batch(url: str) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(1)).scalar_one())


def test_invalid_figures_are_listed_in_vietnamese_and_nothing_is_saved(demo_url, monkeypatch):
    engine = make_engine(demo_url)
    before = snapshot(engine)
    app = open_form(demo_url, monkeypatch, DEMO, 2019, 7, "portal")
    app = edit_and_save(app, {0: "40", 3: "mười bốn", 5: "-2"})
    assert [e.value for e in app.error] == ["Chưa lưu gì: có 2 lỗi. Sửa các ô sau rồi bấm Lưu lại:"]
    problems = app.dataframe[-1].value
    assert problems.values.tolist() == [
        [
            4,
            "Bản tin audio (thu và phát)",
            "mười bốn",
            "Không phải là số. Nhập một số nguyên không âm, ví dụ 488 hoặc 2.682.057.",
        ],
        [6, "Quyết định công bố thủ tục hành chính (cập nhật mới)", "-2", "Giá trị âm. Số liệu đếm phải từ 0 trở lên."],
    ]
    assert not app.success
    assert snapshot(engine) == before


def test_empty_cells_are_not_reported_and_an_unchanged_save_writes_no_batch(empty_url, monkeypatch):
    app = open_form(empty_url, monkeypatch, "test-unit", 2025, 3, "sites")
    labels = list(app.data_editor[0].value["label"])
    row = labels.index("Tin đăng trên trang tin thành phần — UBND huyện Cầu Kè")
    app = edit_and_save(app, {0: "43", row: "12"})
    assert app.success
    stored = figures(empty_url, "test-unit", dt.date(2025, 3, 1), ["sites_count", "sites_independent", "sites_posts"])
    assert stored == {("sites_count", ""): 43, ("sites_posts", "cau-ke"): 12}
    app = edit_and_save(app, {0: "43", row: "12"})
    assert [i.value for i in app.info] == ["Không có gì thay đổi: các số liệu đã có sẵn (2 giá trị). Không tạo lô mới."]


def test_english_labels_and_messages(demo_url, monkeypatch):
    app = open_form(demo_url, monkeypatch, DEMO, 2019, 7, "publishing", lang="en")
    assert [t.value for t in app.title] == ["Enter figures"]
    assert list(app.data_editor[0].value["label"]) == [
        "Licences to publish non-commercial documents",
        "Printing activity registration declarations",
        "Printing licences",
        "Registrations of publication distribution",
        "Licences to import non-commercial publications",
    ]
    app = edit_and_save(app, {1: "2,5"})
    assert [e.value for e in app.error] == ["Nothing was saved: 1 problems. Fix these cells and save again:"]
    assert app.dataframe[-1].value.values.tolist()[0][3] == "The value has a fraction. Counts must be whole numbers."
