"""The Nhập tệp page: AppTest drives the real file uploader (Streamlit 1.67 supports it); the core
functions the page calls (etl.upload.preview / load) are tested directly too, with the progress callback."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import openpyxl
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

import etl.load
from commstats import queries
from commstats.db import make_engine
from commstats.models import ImportBatch, LicenceRecord, Observation
from commstats.template import build_template
from etl import upload
from etl.limits import current as limits
from tests.apptest import run_page

MAX_FILE_BYTES = limits().file_bytes

UNIT = "test-unit"
LONG_CSV = f"period,metric,member,value,unit\n2019-07,portal_audio,,14,{UNIT}\n2019-07,portal_posts,vi,33,{UNIT}\n"
REGISTER_CSV = (
    "Số,Loại,Ngày cấp,Tổ chức\n01/GP,Giấy phép xuất bản,16/07/2019,A\n02/GP,Tờ khai hoạt động in,1/8/2019,B\n"
)


def snapshot(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(Observation).order_by(Observation.id))],
            [tuple(r) for r in conn.execute(select(LicenceRecord).order_by(LicenceRecord.id))],
        )


def figures(engine: Engine) -> dict[tuple[str, str, str], int]:
    frame = queries.observations_for_export(engine, unit_codes=[UNIT])
    return {(str(r.period), str(r.metric), str(r.member)): int(r.value) for r in frame.itertuples()}


def uploaded(url: str, monkeypatch, name: str, content: bytes, mime: str = "text/csv") -> AppTest:  # type: ignore[no-untyped-def]
    app = run_page(url, monkeypatch, page="pages/import.py")
    assert not app.exception
    app.file_uploader(key="import_file").upload(name, content, mime)
    app.run()
    assert not app.exception
    return app


def metrics(app: AppTest) -> dict[str, object]:
    return {m.label: m.value for m in app.metric}


def test_page_renders_its_uploader_and_empty_state(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page="pages/import.py")
    assert not app.exception
    assert [t.value for t in app.title] == ["Nhập tệp"]
    [uploader] = app.file_uploader
    assert uploader.label == "Chọn tệp (.csv, .xlsx)"
    assert sorted(uploader.allowed_type) == [".csv", ".txt", ".xlsx"]
    # Office staff get the workbook from the page itself, not from a command line.
    assert "Biểu mẫu Excel nhập số liệu” phía trên" in app.info[0].value and "python -m" not in app.info[0].value
    assert f"Giới hạn {MAX_FILE_BYTES // 2**20} MB" in app.caption[0].value
    assert not app.button


def test_upload_limit_matches_the_etl_limit():
    config = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_FILE_BYTES // 2**20


def test_long_csv_preview_then_load_on_confirm(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    app = uploaded(empty_url, monkeypatch, "số liệu.csv", LONG_CSV.encode())
    assert any("bảng số liệu dạng dài" in c.value for c in app.caption)
    head = app.dataframe[0].value
    assert head["metric"].tolist() == ["portal_audio", "portal_posts"]
    assert metrics(app) == {"Giá trị mới": "2", "Giá trị sửa": "0", "Không đổi": "0"}
    assert figures(engine) == {}  # the preview wrote nothing
    app.button[0].click()
    app.run()
    assert not app.exception
    assert [s.value for s in app.success] == ["số liệu.csv: đã nạp lô #1: 2 giá trị mới, 0 giá trị sửa, 0 không đổi."]
    assert figures(engine) == {("2019-07", "portal_audio", ""): 14, ("2019-07", "portal_posts", "vi"): 33}
    # The same file again: nothing to load, and no button to press.
    app.run()
    assert metrics(app) == {"Giá trị mới": "0", "Giá trị sửa": "0", "Không đổi": "2"}
    assert "không có gì mới" in app.info[-1].value and not app.button


def test_bad_file_shows_every_problem_and_offers_no_load(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    before = snapshot(engine)
    bad = f"period,metric,member,value,unit\n2019-07,portal_audio,,mười,{UNIT}\n2019-13,portal_drafts,,-1,{UNIT}\n"
    app = uploaded(empty_url, monkeypatch, "lỗi.csv", bad.encode())
    assert [e.value for e in app.error] == [
        "Tệp bị từ chối: 3 lỗi. Không có gì được ghi. Sửa các lỗi sau rồi tải lên lại:"
    ]
    problems = app.dataframe[-1].value
    assert problems[["Dòng", "Cột"]].values.tolist() == [["2", "value"], ["3", "period"], ["3", "value"]]
    assert problems["Lỗi"].tolist()[1].startswith("Kỳ không hợp lệ")
    assert not app.button
    assert snapshot(engine) == before


def test_template_workbook_upload(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    book = openpyxl.load_workbook(io.BytesIO(build_template(engine, 2025, UNIT)))
    sheet = book["Cổng thông tin điện tử"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "portal_audio")
    sheet.cell(row, 4).value = "1.234"
    buffer = io.BytesIO()
    book.save(buffer)
    app = uploaded(empty_url, monkeypatch, "bieu-mau.xlsx", buffer.getvalue(), "application/vnd.ms-excel")
    assert any("biểu mẫu Excel nhập số liệu" in c.value for c in app.caption)
    assert metrics(app)["Giá trị mới"] == "1"
    app.button[0].click()
    app.run()
    assert not app.exception and app.success
    assert figures(engine) == {("2025-01", "portal_audio", ""): 1234}


def test_licence_register_upload(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    app = uploaded(empty_url, monkeypatch, "so-dang-ky.csv", REGISTER_CSV.encode())
    assert any("sổ đăng ký giấy phép, tờ khai" in c.value for c in app.caption)
    assert metrics(app) == {"Giá trị mới": "2", "Giá trị sửa": "0", "Không đổi": "0", "Bản ghi sổ mới": "2"}
    app.button[0].click()
    app.run()
    assert not app.exception
    assert app.success[0].value.startswith("so-dang-ky.csv: đã nạp sổ đăng ký: 2 bản ghi mới")
    assert figures(engine) == {("2019-07", "publishing_licences", ""): 1, ("2019-08", "printing_declarations", ""): 1}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LicenceRecord)).scalar_one() == 2


def test_targets_upload_is_recognised_by_its_header(empty_url, monkeypatch):
    """The page asks every registered source (etl.sources.SOURCES): a targets file is its own kind."""
    engine = make_engine(empty_url)
    app = uploaded(empty_url, monkeypatch, "ke-hoach.csv", b"year,metric,value\n2019,portal_posts,900\n")
    assert any("kế hoạch năm" in c.value for c in app.caption)
    assert metrics(app) == {"Giá trị mới": "1", "Giá trị sửa": "0", "Không đổi": "0"}
    app.button[0].click()
    app.run()
    assert not app.exception
    assert app.success[0].value.startswith("ke-hoach.csv: đã nạp lô #1: 1 giá trị mới")
    assert [(t.metric, t.year, t.value) for t in queries.target_list(engine).itertuples()] == [
        ("portal_posts", 2019, 900)
    ]


def test_detect_kind_by_content_not_name(empty_engine):
    template = build_template(empty_engine, 2025, UNIT)
    assert upload.detect_kind(template, "whatever.xlsx") == "template"
    assert upload.detect_kind(REGISTER_CSV.encode(), "data.csv") == "register"
    assert upload.detect_kind(("Sổ đăng ký 2019\n\n" + REGISTER_CSV).encode(), "data.txt") == "register"
    assert upload.detect_kind(LONG_CSV.encode(), "so-dang-ky.csv") == "long"
    assert upload.detect_kind(b"not a zip", "x.xlsx") == "long"


def test_core_preview_and_load_report_progress_per_chunk(empty_engine, monkeypatch):
    monkeypatch.setattr(etl.load, "CHUNK", 2)  # five new rows: chunks of 2, 2, 1
    rows = "".join(f"2019-{m:02d},portal_audio,,{m},{UNIT}\n" for m in range(1, 6))
    content = ("period,metric,member,value,unit\n" + rows + f"2019-01,portal_drafts,,7,{UNIT}\n").encode()
    found = upload.preview(empty_engine, content, "a.csv")
    assert found.ok and found.kind == "long" and found.counts() == {"inserted": 6, "updated": 0, "unchanged": 0}
    assert found.head["#"].tolist() == [2, 3, 4, 5, 6, 7]
    assert figures(empty_engine) == {}
    calls: list[tuple[int, int]] = []
    loaded = upload.load(empty_engine, content, "a.csv", progress=lambda done, total: calls.append((done, total)))
    assert loaded.ok
    assert calls == [(2, 6), (4, 6), (6, 6), (6, 6)]
    assert len(figures(empty_engine)) == 6
    with empty_engine.connect() as conn:
        assert conn.execute(select(ImportBatch.source_name)).scalar_one() == "a.csv"


def test_progress_bar_is_shown_during_a_load(empty_url, monkeypatch):
    app = uploaded(empty_url, monkeypatch, "số liệu.csv", LONG_CSV.encode())
    app.button[0].click()
    app.run()
    bars = app.get("progress")
    assert len(bars) == 1 and bars[0].proto.value == 100


def test_a_new_site_code_is_named_before_and_after_the_import(empty_url, monkeypatch):
    """A site code not in the list is accepted (the site dimension is open) but named, in the preview and
    in the summary, so a typo ("cau-kee" for "cau-ke") is caught before it becomes a new site."""
    engine = make_engine(empty_url)
    known = set(queries.members(engine, "site")["code"])
    assert "cau-ke" in known and "cau-kee" not in known
    content = (
        f"period,metric,member,value,unit\n2019-07,sites_posts,cau-ke,12,{UNIT}\n2019-07,sites_posts,cau-kee,3,{UNIT}\n"
    )
    app = uploaded(empty_url, monkeypatch, "sites.csv", content.encode())
    warnings = [w.value for w in app.warning]
    expected = "mã trang thành phần chưa có trong danh mục (1), sẽ được thêm mới: cau-kee."
    assert any(expected in w for w in warnings), warnings
    assert "cau-kee" not in set(queries.members(engine, "site")["code"])  # the preview wrote nothing
    app.button[0].click().run()
    assert not app.exception
    [success] = [s.value for s in app.success]
    assert "Đã thêm trang thành phần mới vào danh mục (1): cau-kee." in success
    assert "cau-kee" in set(queries.members(engine, "site")["code"])

    report = upload.load(engine, content.replace(",3,", ",4,").encode(), "sites.csv", unit=UNIT)
    assert report.report.result is not None and report.report.result.new_members == ()
    assert "trang thành phần mới" not in report.report.summary("vi")
    english = upload.preview(engine, content.replace("cau-kee", "tra-cuu").encode(), "sites.csv", unit=UNIT)
    assert english.new_members_note("en") == (
        "The file has component-site codes not yet in the list (1); they will be added: tra-cuu. Check for "
        "typos before importing."
    )
