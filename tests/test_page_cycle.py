"""The report-cycle pages in AppTest: the status board (who submitted, what is missing, days left or overdue, a
link to the entry page of each missing section) and the rounds page (open, assign, submit, approve, refusals)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from commstats import auth
from commstats.cycle import reads, rounds
from commstats.db import make_engine
from commstats.models import ReportRound
from tests.apptest import run_page
from tests.cyclehelp import SECTIONS, UNIT, cycle_state, fill_and_submit, principal
from tests.test_auth_pages import MENUS, listed, record_menus  # noqa: F401  (the menu each run sends)

PASSWORD = "mat-khau-kiem-thu-2026"


def links(app: AppTest) -> list[tuple[str, str, str]]:
    """(label, page url path, query string) of every page link on the page."""
    return [(e.proto.label, e.proto.page, e.proto.query_string) for e in app.get("page_link")]


def test_status_board_shows_progress_and_links_missing_sections_to_entry(demo_url, monkeypatch):
    engine = make_engine(demo_url)
    editor = principal(engine, "editor")
    rounds.save_department(engine, principal(engine, "admin"), UNIT, "vanphong", "Văn phòng Sở")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    rounds.assign_section(engine, editor, UNIT, "2019-07", "portal", department="vanphong")
    rounds.submit_section(engine, editor, UNIT, "2019-07", "portal")
    engine.dispose()
    app = run_page(demo_url, monkeypatch, page="pages/status.py", units=[UNIT])
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["Tiến độ báo cáo"]
    assert [s.value for s in app.subheader] == [
        "Báo cáo tháng 7/2019 — Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"
    ]
    assert [(m.label, m.value) for m in app.metric][:2] == [
        ("Đã nộp", f"1/{SECTIONS}"),
        ("Còn thiếu", str(SECTIONS - 1)),
    ]
    table = app.dataframe[0].value
    assert list(table.columns) == [
        "Phần báo cáo",
        "Người/phòng phụ trách",
        "Hạn",
        "Thời hạn",
        "Trạng thái",
        "Người nộp",
    ]
    portal = table.iloc[0].tolist()
    assert portal[:3] == ["Cổng thông tin điện tử", "Văn phòng Sở", "15/07/2019"] and portal[4] == "đã nộp"
    sites = table.iloc[1].tolist()
    assert sites[1] == "(chưa giao)" and sites[3].startswith("trễ ") and sites[4] == "trễ hạn"
    shown = links(app)
    assert len(shown) == SECTIONS - 1
    assert shown[0] == ("Nhập số liệu: Trang tin thành phần", "entry", "unit=travinh-demo&month=2019-07&section=sites")
    assert shown[-1][:2] == ("Viết nội dung: Kiến nghị, đề xuất", "cycle")


def test_status_board_in_english_and_empty(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page="pages/status.py", lang="en")
    assert not app.exception
    assert [i.value for i in app.info][-1].startswith("No report round for the chosen units yet.")


def test_entry_page_opens_the_linked_section(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch)
    app.query_params["unit"] = UNIT
    app.query_params["month"] = "2019-07"
    app.query_params["section"] = "sites"
    app.switch_page("pages/entry.py")
    app.run()
    assert not app.exception
    assert app.selectbox(key="entry_unit").value == UNIT
    assert (app.selectbox(key="entry_year").value, app.selectbox(key="entry_month").value) == (2019, 7)
    assert app.selectbox(key="entry_section").value == "sites"


def test_rounds_page_opens_assigns_refuses_and_approves(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch, page="pages/cycle.py", units=[UNIT])
    assert not app.exception
    assert [t.value for t in app.title] == ["Kỳ báo cáo"]
    app.selectbox(key="cycle_unit").set_value(UNIT)
    app.text_input(key="open_period").set_value("2019-07")
    app.button(key="open_button").click()
    app.run()
    assert not app.exception
    assert [s.value for s in app.success] == [
        f"Đã mở kỳ báo cáo 2019-07 cho đơn vị travinh-demo: {SECTIONS} phần, hạn nộp 15/07/2019, số liệu từ"
        " 01/07/2019 đến 31/07/2019."
    ]
    engine = make_engine(demo_url)
    before = cycle_state(engine)
    app.button(key="approve_button").click()
    app.run()
    assert app.error[0].value.startswith(f"Chưa duyệt được: còn {SECTIONS} phần chưa nộp")
    app.text_input(key="open_period").set_value("2019-07")
    app.button(key="open_button").click()
    app.run()
    assert "đã được mở; không mở lại" in app.error[0].value
    assert cycle_state(engine) == before  # refusals changed nothing

    app.selectbox(key="work_section").set_value("assessment")
    app.run()
    app.text_area(key=app.text_area[0].key).set_value("Công tác tháng 7 hoàn thành tốt.")
    app.button(key="work_save").click()
    app.run()
    assert [s.value for s in app.success] == ["Đã lưu nội dung phần “Đánh giá chung, khó khăn, vướng mắc”."]
    app.button(key="work_submit").click()
    app.run()
    assert [s.value for s in app.success] == ["Đã nộp phần “Đánh giá chung, khó khăn, vướng mắc”."]
    fill_and_submit(engine, principal(engine, "editor"), "2019-07", "2019-07")
    app.run()
    app.button(key="approve_button").click()
    app.run()
    assert not app.exception
    assert app.success[0].value.startswith("Đã duyệt kỳ báo cáo 2019-07 của đơn vị travinh-demo")
    with engine.connect() as conn:
        assert conn.execute(select(ReportRound.status)).scalar_one() == "approved"
    engine.dispose()


@pytest.mark.usefixtures("record_menus")
def test_roles_on_the_new_pages(demo_url, monkeypatch):
    engine = make_engine(demo_url)
    for name, role in (("xem", "viewer"), ("bientap", "editor"), ("lanhdao", "leader")):
        auth.create_user(engine, name, PASSWORD, actor="test")
        auth.grant(engine, name, role, UNIT, actor="test")
    rounds.open_round(engine, principal(engine, "editor"), UNIT, "2019-07")
    engine.dispose()
    monkeypatch.setenv(auth.AUTH_ENV, "on")
    viewer = run_page(demo_url, monkeypatch, auth_user="xem")
    assert not [p for p in ("pages/status.py", "pages/cycle.py") if listed(viewer, p)], MENUS[-1]
    for page in ("pages/status.py", "pages/cycle.py"):
        refused = run_page(demo_url, monkeypatch, page=page, auth_user="xem")  # opened by URL: refused in words
        assert any("Trang này cần quyền" in e.value for e in [*refused.error, *refused.warning, *refused.info])
    editor = run_page(demo_url, monkeypatch, page="pages/cycle.py", auth_user="bientap", units=[UNIT])
    assert not editor.exception
    assert "Chỉ lãnh đạo (vai trò leader)" in editor.info[-1].value
    assert not [b for b in editor.button if b.key == "approve_button"]
    leader = run_page(demo_url, monkeypatch, page="pages/cycle.py", auth_user="lanhdao", units=[UNIT])
    assert [b for b in leader.button if b.key == "approve_button"]
    assert reads.round_for(make_engine(demo_url), UNIT, "2019-07") is not None


def test_entry_page_refuses_a_locked_month_without_a_reason(demo_url, monkeypatch):
    engine = make_engine(demo_url)
    editor = principal(engine, "editor")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    fill_and_submit(engine, editor, "2019-07", "2019-07")
    rounds.approve_round(engine, principal(engine, "leader"), UNIT, "2019-07")
    app = run_page(demo_url, monkeypatch)
    for key, value in (("unit", UNIT), ("month", "2019-07"), ("section", "portal")):
        app.query_params[key] = value
    app.switch_page("pages/entry.py")
    app.run()
    editor_key = app.data_editor[0].key
    edits = {"edited_rows": {0: {"value": "40"}}, "added_rows": [], "deleted_rows": []}
    app.session_state[editor_key] = edits
    app.button[0].click()
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("Số liệu 2019-07 của đơn vị travinh-demo đã được chốt")
    assert (
        reads.adjustments_for(
            engine, [reads.round_for(engine, UNIT, "2019-07").unit_id], rounds.parse_period("2019-08")
        )
        == []
    )
    app.text_input(key="entry_reason").set_value("Cổng đếm sót 7 tin")
    app.session_state[editor_key] = edits
    app.button[0].click()
    app.run()
    assert not app.exception and not app.error
    assert app.success[0].value.startswith("Đã lưu lô #")
    unit_id = reads.round_for(engine, UNIT, "2019-07").unit_id  # type: ignore[union-attr]
    adjusted = reads.adjustments_for(engine, [unit_id], rounds.parse_period("2019-08"))
    assert [(a.old_value, a.new_value, a.reason) for a in adjusted] == [(33, 40, "Cổng đếm sót 7 tin")]
    engine.dispose()
