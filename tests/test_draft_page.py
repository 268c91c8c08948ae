"""The drafting page in Streamlit's AppTest on the demo database and on an empty one."""

from __future__ import annotations

import io
import json

import docx
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from commstats import queries
from commstats.db import make_engine
from commstats.numbers import format_count, grid_count_format
from commstats.periods import parse_period
from tests.apptest import run_page
from tests.test_narrative_golden import SEED_PORTAL, SEED_PUBLISHING, SEED_SITES

PAGE = "pages/draft.py"


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes the page hands to its download buttons, by file name (recorded from the real media store)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        # A deferred download (made when its button is pressed): made here, as the click would.
        if file_name:
            files[file_name] = data_callable()
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return files


def open_month(url: str, monkeypatch, month: str = "2019-07", lang: str = "vi"):  # type: ignore[no-untyped-def]
    app = run_page(url, monkeypatch, page=PAGE, lang=lang)
    assert not app.exception
    app.selectbox(key="draft_period_month").set_value(month).run()
    assert not app.exception
    return app


def test_month_draft_shows_the_seed_sentences_with_copy_edit_download_and_sources(demo_url, monkeypatch, downloads):
    app = open_month(demo_url, monkeypatch)
    codes = [c.value for c in app.code]
    for sentence in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING):
        assert sentence in codes
    assert any(s.value == "Số liệu báo cáo tháng 7/2019" for s in app.subheader)
    assert len(app.text_area) == len(codes)  # every paragraph is editable
    assert any(area.value == SEED_PORTAL for area in app.text_area)

    assert {b.label for b in app.get("download_button")} == {
        "Tải bản dự thảo (.docx)",
        "Tải bản dự thảo (.txt)",
        "Tải báo cáo hoàn chỉnh (.docx)",
        "Tải CSV",  # the sources table (ui/downloads.py)
        "Tải Excel (XLSX)",
    }
    assert [b.label for b in app.button] == ["Tạo bản PDF"]  # made on request: a conversion takes seconds
    whole = [p.text for p in docx.Document(io.BytesIO(downloads["bao-cao-2019-07.docx"])).paragraphs]
    assert "BÁO CÁO" in whole and f"- {SEED_SITES}" in whole
    assert "Kết quả công tác tháng 7 năm 2019 và phương hướng, nhiệm vụ tháng 8 năm 2019" in whole
    text = downloads["bao-cao-so-lieu-2019-07.txt"].decode("utf-8")
    assert all(f"- {s}" in text.splitlines() for s in (SEED_PORTAL, SEED_SITES, SEED_PUBLISHING))
    paragraphs = [p.text for p in docx.Document(io.BytesIO(downloads["bao-cao-so-lieu-2019-07.docx"])).paragraphs]
    assert f"- {SEED_SITES}" in paragraphs

    table = app.dataframe[0].value
    assert list(table.columns) == [
        "Đơn vị",
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Thành phần",
        "Kỳ",
        "Giá trị",
        "Lô nhập",
        "Dùng cho",
    ]
    vi = table[(table["Mã chỉ tiêu"] == "portal_posts") & (table["Thành phần"] == "vi")]
    assert list(vi["Giá trị"]) == [33] and list(vi["Kỳ"]) == ["2019-07"] and list(vi["Dùng cho"]) == ["kỳ báo cáo"]
    assert table["Lô nhập"].notna().all()
    # The counts are formatted by the browser's grid in the language's style (2.682.057), not by a Styler.
    assert json.loads(app.dataframe[0].proto.columns)["Giá trị"]["type_config"]["format"] == grid_count_format("vi")
    assert set(table["Mã chỉ tiêu"]) >= {"portal_posts", "sites_count", "sites_posts", "publishing_licences"}
    assert table.loc[table["Mã chỉ tiêu"] == "sites_posts", "Giá trị"].sum() == 488


def test_edited_paragraph_goes_into_the_downloads(demo_url, monkeypatch, downloads):
    app = open_month(demo_url, monkeypatch)
    area = next(a for a in app.text_area if a.value == SEED_SITES)
    edited = SEED_SITES.replace("tổng số tin đã đăng", "các trang đã đăng tổng cộng")
    area.set_value(edited).run()
    assert not app.exception
    assert edited in [c.value for c in app.code]
    assert f"- {edited}" in downloads["bao-cao-so-lieu-2019-07.txt"].decode("utf-8").splitlines()


def test_comparisons_chosen_on_the_page(demo_url, monkeypatch):
    app = open_month(demo_url, monkeypatch)
    app.multiselect(key="draft_compare").set_value(["prev", "ytd"]).run()
    assert not app.exception
    sites = next(c.value for c in app.code if c.value.startswith("Về hoạt động của 43 Trang tin"))
    assert "So với tháng trước" in sites and "lũy kế 7 tháng đầu năm 2019 là" in sites
    roles = set(app.dataframe[0].value["Dùng cho"])
    assert roles == {"kỳ báo cáo", "kỳ trước", "lũy kế"}


def test_quarter_draft(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page=PAGE)
    app.segmented_control(key="draft_kind").set_value("quarter").run()
    app.selectbox(key="draft_period_quarter").set_value("2019-Q3").run()
    assert not app.exception
    assert any(s.value == "Số liệu báo cáo quý III/2019" for s in app.subheader)
    engine = make_engine(demo_url)
    ids = queries.unit_ids_with_predecessors(engine, ["vinhlong-demo"])
    posts = queries.period_values(engine, ids, ["sites_posts"], parse_period("2019-Q3").months)[("sites_posts", "")]
    engine.dispose()
    expected = (
        "Về hoạt động của 43 Trang tin thành phần (trong đó có 03 trang hoạt động riêng): tổng số tin đã đăng "
        f"{format_count(posts)} tin."
    )
    assert expected in [c.value for c in app.code]
    periods = app.dataframe[0].value
    assert sorted(set(periods.loc[periods["Mã chỉ tiêu"] == "sites_posts", "Kỳ"])) == ["2019-07", "2019-08", "2019-09"]


def test_english_draft(demo_url, monkeypatch, downloads):
    app = open_month(demo_url, monkeypatch, lang="en")
    codes = [c.value for c in app.code]
    assert "The 43 component sites (3 of them run independently) published 488 posts in total." in codes
    assert any(c.startswith("Posted 33 posts in Vietnamese; 23 posts in Khmer") for c in codes)
    assert any(s.value == "Report figures for July 2019" for s in app.subheader)
    assert "Metric code" in app.dataframe[0].value.columns
    assert "report-figures-2019-07.txt" in downloads


def test_empty_database_shows_the_friendly_empty_state(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page=PAGE)
    assert not app.exception
    assert len(app.code) == 0 and len(app.get("download_button")) == 0
    assert any("Chưa có số liệu" in s.value for s in app.subheader)
    assert any("python -m commstats import" in m.value for m in app.markdown)


def test_an_edited_paragraph_survives_another_period_kind_and_another_page(demo_url, monkeypatch):
    """Streamlit forgets a text box a run does not draw: the edit is kept apart and put back (pages/draft.py)."""
    app = open_month(demo_url, monkeypatch)
    area = next(a for a in app.text_area if a.value == SEED_PORTAL)
    edited = SEED_PORTAL.replace("Đăng 33 tin", "Đã đăng 33 tin")
    area.input(edited).run()
    assert edited in [c.value for c in app.code]
    app.segmented_control(key="draft_kind").set_value("quarter").run()
    assert edited not in [c.value for c in app.code]
    app.switch_page("pages/trends.py").run()
    app.switch_page(PAGE).run()
    assert app.segmented_control(key="draft_kind").value == "quarter"  # the page's own choices are kept too
    app.segmented_control(key="draft_kind").set_value("month").run()
    assert not app.exception
    assert app.selectbox(key="draft_period_month").value == "2019-07"
    assert edited in [c.value for c in app.code]
    assert any(a.value == edited for a in app.text_area)
