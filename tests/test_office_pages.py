"""What office staff do without a command line: the entry workbook from the import page, the metric catalogue
as a page, annual targets uploaded on their page, one's own password changed and an admin's reset."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from commstats import audit, auth
from commstats.catalog import load_catalog
from commstats.db import make_engine
from commstats.models import Target
from commstats.template import build_template
from etl.extract.template_workbook import is_template
from tests.apptest import run_page
from tests.conftest import sqlite_url

PASSWORD = "mat-khau-thu-nghiem-2019"


@pytest.fixture
def demo_sqlite(demo_db) -> str:
    return sqlite_url(demo_db)


def test_the_catalogue_page_lists_every_metric_in_both_languages(demo_sqlite, monkeypatch):
    app = run_page(demo_sqlite, monkeypatch, page="pages/catalog.py")
    assert not app.exception
    table = app.dataframe[0].value
    catalog = load_catalog()
    assert len(table) == len(catalog.metrics)
    posts = table[table["Mã"] == "portal_posts"].iloc[0]
    assert posts["Tên tiếng Việt"] == "Tin, bài đăng trên Cổng thông tin điện tử"
    assert posts["Tên tiếng Anh"] == "Posts on the web portal"
    assert posts["Chi tiết theo"] == "Ngôn ngữ: tiếng Việt, tiếng Khmer, tiếng Anh"
    assert table[table["Mã"] == "igate_late"].iloc[0]["Tốt hơn khi"] == "giảm"
    app.multiselect(key="catalog_sections").set_value(["Cổng thông tin điện tử"]).run()
    assert set(app.dataframe[0].value["Lĩnh vực"]) == {"Cổng thông tin điện tử"}
    english = run_page(demo_sqlite, monkeypatch, page="pages/catalog.py", lang="en")
    assert "Section" in english.dataframe[0].value.columns


def test_the_import_page_offers_the_entry_workbook(empty_url, monkeypatch):
    app = run_page(empty_url, monkeypatch, page="pages/import.py")
    assert not app.exception
    [button] = [b for b in app.get("download_button") if b.proto.label.startswith("Tải biểu mẫu năm")]
    year = app.selectbox(key="import_workbook_year").value
    assert button.proto.label == f"Tải biểu mẫu năm {year}"
    content = build_template(make_engine(empty_url), year, "test-unit", "vi")  # what the button's callable returns
    assert is_template(content, "bieu-mau.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0]


def test_targets_upload_on_their_page_all_or_nothing(empty_url, monkeypatch):
    engine = make_engine(empty_url)

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Target)) or 0)

    app = run_page(empty_url, monkeypatch, page="pages/targets.py")
    assert not app.exception
    bad = b"year,metric,value\n2019,portal_posts,5850\n2019,portal_postz,-3\n"
    app.file_uploader(key="targets_file").upload("ke-hoach.csv", bad, "text/csv")
    app.run()
    assert not app.exception and app.error and stored() == 0
    problems = app.dataframe[0].value
    assert set(problems.iloc[:, 0]) == {"3"} and len(problems) == 2  # the unknown metric and the negative value
    good = "Năm,Mã chỉ tiêu,Kế hoạch\n2019,portal_posts,5850\n2019,portal_audio,160\n".encode()
    app.file_uploader(key="targets_file").upload("ke-hoach-2019.csv", good, "text/csv")
    app.run()
    assert not app.exception and stored() == 0  # the preview writes nothing
    assert [m.value for m in app.metric][:1] == ["2"]
    app.button(key="targets_confirm").click().run()
    assert not app.exception and app.success and stored() == 2
    engine.dispose()


@pytest.fixture
def with_accounts(demo_sqlite, monkeypatch):
    monkeypatch.setenv(auth.AUTH_ENV, "on")
    engine = make_engine(demo_sqlite)
    auth.create_user(engine, "editor", PASSWORD, actor="test")
    auth.grant(engine, "editor", "editor", "vinhlong-demo", actor="test")
    auth.create_user(engine, "admin", PASSWORD, actor="test")
    auth.grant(engine, "admin", "admin", None, actor="test")
    engine.dispose()
    return demo_sqlite


def test_a_user_changes_their_own_password(with_accounts, monkeypatch):
    app = run_page(with_accounts, monkeypatch, page="pages/account.py", auth_user="editor")
    assert not app.exception

    def change(current: str, new: str, again: str) -> None:
        fields = [w for w in app.text_input if w.form_id == "account_password"]
        for field, value in zip(fields, (current, new, again), strict=True):
            field.input(value)
        next(b for b in app.button if b.form_id == "account_password").click()
        app.run()

    change(PASSWORD, "mat-khau-moi-2026-abc", "mat-khau-moi-2026-xyz")
    assert any("không giống nhau" in e.value for e in app.error)
    change("sai-mat-khau-000", "mat-khau-moi-2026-abc", "mat-khau-moi-2026-abc")
    assert any("Sai tên đăng nhập hoặc mật khẩu" in e.value for e in app.error)
    change(PASSWORD, "mat-khau-moi-2026-abc", "mat-khau-moi-2026-abc")
    assert any("Đã đổi mật khẩu" in s.value for s in app.success)
    engine = make_engine(with_accounts)
    assert auth.authenticate(engine, "editor", "mat-khau-moi-2026-abc").username == "editor"
    with pytest.raises(auth.AuthError):
        auth.authenticate(engine, "editor", PASSWORD)
    engine.dispose()


def test_an_admin_resets_a_password(with_accounts, monkeypatch):
    app = run_page(with_accounts, monkeypatch, page="pages/users.py", auth_user="admin")
    app.selectbox(key="users_reset_user").set_value("editor")
    next(b for b in app.button if b.form_id == "users_reset").click()
    app.run()
    assert not app.exception
    assert any("Đã đặt lại mật khẩu của editor" in s.value for s in app.success)
    [password] = [c.value for c in app.code]
    engine = make_engine(with_accounts)
    assert auth.authenticate(engine, "editor", password).username == "editor"
    assert [(e.actor, e.target) for e in audit.events(engine, actions={"user_passwd"}, limit=1)] == [
        ("admin", "editor")
    ]
    engine.dispose()
