"""Sign-in and roles in the real dashboard (Streamlit AppTest), with enforcement on (COMMSTATS_AUTH=on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

from commstats import audit, auth
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.queries import units
from etl.pipeline import import_content
from tests.apptest import run_page
from tests.conftest import sqlite_url
from tests.dbstate import snapshot

PASSWORD = "mat-khau-rat-dai-2019"
DEMO_UNITS = ("travinh-demo", "vinhlong-demo")


@pytest.fixture(autouse=True)
def enforcement_on(monkeypatch):
    monkeypatch.setenv(auth.AUTH_ENV, "on")


MENUS: list[list[str]] = []  # the navigation menu each run sent to the browser, latest last


@pytest.fixture(autouse=True)
def record_menus(monkeypatch):
    """Keep the pages the router's st.navigation message shows in the menu (a page left out of the menu is
    still registered, so a hand-typed URL reaches it and the page frame explains the refusal)."""
    parse = local_script_runner.parse_tree_from_messages

    def recording(messages):  # type: ignore[no-untyped-def]
        for message in messages:
            if message.HasField("navigation"):
                MENUS.append([p.url_pathname for p in message.navigation.app_pages if not p.is_hidden])
        return parse(messages)

    monkeypatch.setattr(local_script_runner, "parse_tree_from_messages", recording)
    MENUS.clear()


# The permission rules run on both backends in tests/test_auth.py; the pages only ask them, so the page
# tests use SQLite copies (the fixtures' SQLite halves) to keep the suite's time down.
@pytest.fixture
def demo_url(demo_db) -> str:
    return sqlite_url(demo_db)


@pytest.fixture
def empty_url(empty_db) -> str:
    return sqlite_url(empty_db)


@pytest.fixture
def demo_with_accounts(demo_url):
    """The demo database with one account per role on both demo units, and an admin of every unit."""
    engine = make_engine(demo_url)
    for role in auth.ROLES:
        auth.create_user(engine, role, PASSWORD, actor="test")
        for code in DEMO_UNITS:
            auth.grant(engine, role, "viewer" if role == "admin" else role, code, actor="test")
    auth.grant(engine, "admin", "admin", None, actor="test")
    engine.dispose()
    return demo_url


def errors(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.value for e in app.error]


def listed(app, page: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the navigation menu of the app's last run offers `page`."""
    assert MENUS, "no run sent a navigation menu"
    return Path(page).stem in MENUS[-1]


def run_alone(url: str, monkeypatch, page: str, **state: object) -> AppTest:  # type: ignore[no-untyped-def]
    """Open a page file directly, without the router: what a hand-typed URL of a stale session can reach."""
    monkeypatch.setenv("COMMSTATS_DATABASE_URL", url)
    app = AppTest.from_file(str(PROJECT_ROOT / page), default_timeout=60)
    app.session_state["lang"] = "vi"
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def test_anonymous_on_the_public_demo_sees_the_overview_but_not_import(demo_url, monkeypatch):
    app = run_page(demo_url, monkeypatch)
    assert not app.exception
    assert len(app.metric) > 5  # the overview's cards
    assert listed(app, "pages/overview.py") and listed(app, "pages/account.py")
    assert not listed(app, "pages/import.py") and not listed(app, "pages/entry.py")
    assert not listed(app, "pages/users.py")
    direct = run_alone(demo_url, monkeypatch, "pages/import.py")
    assert any("cần quyền biên tập" in e for e in errors(direct))
    assert not direct.get("file_uploader")


def test_anonymous_may_not_view_a_private_unit(empty_url, monkeypatch):
    engine = make_engine(empty_url)
    import_content(engine, b"period,metric,member,value\n2019-07,portal_audio,,14\n", "t.csv", unit="test-unit")
    engine.dispose()
    app = run_page(empty_url, monkeypatch)
    assert not app.exception and len(app.metric) == 0
    assert any("chỉ dành cho người đã đăng nhập" in i.value for i in app.info)


def test_viewer_cannot_export_and_analyst_can(demo_with_accounts, monkeypatch):
    viewer = run_page(demo_with_accounts, monkeypatch, page="pages/explore.py", auth_user="viewer")
    assert not viewer.exception and len(viewer.dataframe) >= 1
    assert not viewer.get("download_button")
    analyst = run_page(demo_with_accounts, monkeypatch, page="pages/explore.py", auth_user="analyst")
    assert not analyst.exception
    assert len(analyst.get("download_button")) == 2  # CSV and XLSX
    draft = run_page(demo_with_accounts, monkeypatch, page="pages/draft.py", auth_user="viewer")
    assert not draft.exception and not draft.get("download_button")


def test_every_table_of_the_analysis_pages_downloads_for_an_analyst_and_none_for_a_viewer(
    demo_with_accounts, monkeypatch
):
    """Streamlit's toolbar download is off for everyone; the project's own CSV and XLSX buttons (ui/downloads)
    stand under each table of the draft's sources, quality, sites and licences pages, for analysts only."""
    for page in ("pages/draft.py", "pages/quality.py", "pages/sites.py", "pages/licences.py"):
        analyst = run_page(demo_with_accounts, monkeypatch, page=page, auth_user="analyst")
        assert not analyst.exception, page
        labels = [b.proto.label for b in analyst.get("download_button")]
        tables = len(analyst.dataframe)
        assert tables >= 1 and labels.count("Tải CSV") == tables and labels.count("Tải Excel (XLSX)") == tables, page
        viewer = run_page(demo_with_accounts, monkeypatch, page=page, auth_user="viewer")
        assert not viewer.exception and len(viewer.dataframe) == tables, page
        assert not viewer.get("download_button"), page


def test_editor_can_reach_import_and_entry_but_viewer_and_analyst_cannot(demo_with_accounts, monkeypatch):
    for page in ("pages/import.py", "pages/entry.py"):
        editor = run_page(demo_with_accounts, monkeypatch, page=page, auth_user="editor")
        assert not editor.exception and not errors(editor)
        for name in ("viewer", "analyst"):
            app = run_page(demo_with_accounts, monkeypatch, auth_user=name)
            assert not listed(app, page), (page, name)
            refused = run_alone(demo_with_accounts, monkeypatch, page, auth_user=name)
            assert any("cần quyền biên tập" in e for e in errors(refused)), (page, name)
    editor = run_page(demo_with_accounts, monkeypatch, page="pages/import.py", auth_user="editor")
    assert editor.get("file_uploader")


def test_editor_of_one_unit_imports_only_into_that_unit(demo_with_accounts, monkeypatch):
    engine = make_engine(demo_with_accounts)
    auth.create_user(engine, "lan", PASSWORD, actor="test")
    auth.grant(engine, "lan", "editor", "travinh-demo", actor="test")
    auth.grant(engine, "lan", "viewer", "vinhlong-demo", actor="test")
    engine.dispose()
    app = run_page(demo_with_accounts, monkeypatch, page="pages/entry.py", auth_user="lan")
    assert not app.exception
    [unit_box] = [s for s in app.selectbox if s.key == "entry_unit"]
    assert unit_box.options == ["Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"]
    # And a file naming the other unit is refused row by row, with nothing written (commstats.auth.unit_scope).
    engine = make_engine(demo_with_accounts)
    before = snapshot(engine)
    with auth.unit_scope(["travinh-demo"]):
        report = import_content(
            engine,
            b"period,metric,member,value,unit\n2019-07,portal_audio,,15,vinhlong-demo\n",
            "other.csv",
            created_by="lan",
        )
    assert [(p.key, p.row, p.column) for p in report.problems] == [("unknown_unit", 2, "unit")]
    assert "travinh-demo" in report.summary("vi") and "vinhlong-demo" not in report.problems[0].message("vi")
    assert snapshot(engine) == before
    engine.dispose()


def test_admin_sees_the_users_page_and_others_are_refused(demo_with_accounts, monkeypatch):
    admin = run_page(demo_with_accounts, monkeypatch, page="pages/users.py", auth_user="admin", lang="en")
    assert not admin.exception and not errors(admin)
    accounts = admin.dataframe[0].value
    assert sorted(accounts["Username"]) == sorted(auth.ROLES)
    assert {t.label for t in admin.toggle} >= {u.name("en") for u in units(make_engine(demo_with_accounts))}
    for name in ("viewer", "analyst", "editor"):
        app = run_page(demo_with_accounts, monkeypatch, auth_user=name)
        assert not listed(app, "pages/users.py"), name
        refused = run_alone(demo_with_accounts, monkeypatch, "pages/users.py", auth_user=name)
        assert any("cần quyền quản trị" in e for e in errors(refused)), name
        assert not refused.dataframe


def test_admin_creates_an_account_from_the_users_page(demo_with_accounts, monkeypatch):
    app = run_page(demo_with_accounts, monkeypatch, page="pages/users.py", auth_user="admin")
    inputs = [w for w in app.text_input if w.form_id == "users_add"]
    inputs[0].input("hoa")
    inputs[1].input("Trần Thị Hoa")
    next(b for b in app.button if b.form_id == "users_add").click()
    app.run()
    assert not app.exception
    assert any("Đã tạo tài khoản hoa" in s.value for s in app.success)
    [password] = [c.value for c in app.code]
    engine = make_engine(demo_with_accounts)
    assert auth.authenticate(engine, "hoa", password).username == "hoa"
    assert [e.actor for e in audit.events(engine, actions={"user_add"}, limit=1)] == ["admin"]
    engine.dispose()


def test_sign_in_page_signs_in_and_out_and_refuses_a_wrong_password(demo_with_accounts, monkeypatch):
    app = run_page(demo_with_accounts, monkeypatch)
    assert any(p.label == "Đăng nhập" for p in app.sidebar.get("page_link"))  # the sidebar points to the page
    app.switch_page("pages/account.py").run()

    def sign_in(password: str) -> None:
        app.text_input(key="auth_username").input("editor")
        app.text_input(key="auth_password").input(password)
        next(b for b in app.button if b.form_id == "auth_sign_in").click()
        app.run()

    sign_in("sai-mat-khau-000")
    assert any("Sai tên đăng nhập hoặc mật khẩu" in e for e in errors(app))
    assert "auth_user" not in app.session_state
    sign_in(PASSWORD)
    assert app.session_state["auth_user"] == "editor"
    assert any("Đã đăng nhập: **editor**" in m.value for m in app.markdown)
    assert any("biên tập" in c.value for c in app.caption)
    app.button(key="auth_sign_out").click().run()
    assert "auth_user" not in app.session_state
    engine = make_engine(demo_with_accounts)
    actions = [e.action for e in audit.events(engine, actor="editor")]
    assert actions[:3] == ["sign_out", "sign_in", "sign_in_failed"]
    engine.dispose()


def test_signing_out_ends_the_same_session_open_in_another_browser(demo_with_accounts, monkeypatch):
    """Two open sessions of one sign-in (the second started from a copy of the first one's cookie): signing
    out in the first ends the second at its next click, and a password change ends every other session
    while the browser that made it stays signed in."""
    office = run_page(demo_with_accounts, monkeypatch, page="pages/account.py")
    office.text_input(key="auth_username").input("editor")
    office.text_input(key="auth_password").input(PASSWORD)
    next(b for b in office.button if b.form_id == "auth_sign_in").click()
    office.run()
    token = office.session_state["auth_token"]
    assert token.startswith("editor.")
    copy = run_page(demo_with_accounts, monkeypatch, page="pages/import.py", auth_token=token)
    assert copy.get("file_uploader") and copy.session_state["auth_user"] == "editor"
    office.button(key="auth_sign_out").click().run()
    assert "auth_token" not in office.session_state
    copy.run()  # the copy's next interaction
    assert any("cần quyền biên tập" in e for e in errors(copy))
    assert "auth_user" not in copy.session_state and "auth_token" not in copy.session_state

    first = run_page(demo_with_accounts, monkeypatch, page="pages/account.py")
    first.text_input(key="auth_username").input("editor")
    first.text_input(key="auth_password").input(PASSWORD)
    next(b for b in first.button if b.form_id == "auth_sign_in").click()
    first.run()
    kept = first.session_state["auth_token"]
    second = run_page(demo_with_accounts, monkeypatch, page="pages/import.py", auth_token=kept)
    assert second.get("file_uploader")
    [current, new, again] = [w for w in first.text_input if w.form_id == "account_password"]
    current.input(PASSWORD)
    new.input(PASSWORD + "-moi")
    again.input(PASSWORD + "-moi")
    next(b for b in first.button if b.form_id == "account_password").click()
    first.run()
    assert any("Đã đổi mật khẩu" in s.value for s in first.success), [s.value for s in first.success]
    assert first.session_state["auth_token"] != second.session_state["auth_token"]
    second.run()
    assert "auth_user" not in second.session_state  # signed out by the change
    first.switch_page("pages/import.py").run()
    assert first.get("file_uploader")  # the browser that changed the password stays signed in


def test_a_disabled_account_loses_access_on_the_next_run(demo_with_accounts, monkeypatch):
    app = run_page(demo_with_accounts, monkeypatch, page="pages/import.py", auth_user="editor")
    assert app.get("file_uploader")
    engine = make_engine(demo_with_accounts)
    auth.set_active(engine, "editor", False, actor="admin")
    engine.dispose()
    app.run()  # the next interaction of the open session
    assert any("cần quyền biên tập" in e for e in errors(app))
    assert "auth_user" not in app.session_state


def test_demo_units_are_the_public_ones(demo_url):
    engine = make_engine(demo_url)
    guest = auth.anonymous(engine)
    assert {u.code for u in units(engine) if guest.can("view", u.id)} == set(DEMO_UNITS)
    engine.dispose()


def test_single_sign_on_is_offered_only_when_secrets_configure_it(demo_url, monkeypatch):
    monkeypatch.setenv("COMMSTATS_DATABASE_URL", demo_url)
    plain = run_alone(demo_url, monkeypatch, "pages/account.py")
    assert not plain.exception and not [b for b in plain.button if b.key == "auth_sso"]
    app = AppTest.from_file(str(PROJECT_ROOT / "pages/account.py"), default_timeout=60)
    app.secrets["auth"] = {
        "redirect_uri": "https://thongke.example/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "commstats",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example/.well-known/openid-configuration",
    }
    app.session_state["lang"] = "vi"
    app.run()
    assert not app.exception
    assert [b.label for b in app.button if b.key == "auth_sso"] == ["Đăng nhập bằng tài khoản cơ quan (SSO)"]


def test_an_admin_of_one_unit_sees_only_that_units_accounts_and_sign_ins(demo_with_accounts, monkeypatch):
    engine = make_engine(demo_with_accounts)
    for name, unit in (("tv-admin", "travinh-demo"), ("tv-staff", "travinh-demo"), ("vl-staff", "vinhlong-demo")):
        auth.create_user(engine, name, PASSWORD, actor="test")
        auth.grant(engine, name, "admin" if name.endswith("admin") else "editor", unit, actor="test")
    auth.authenticate(engine, "tv-staff", PASSWORD)
    auth.authenticate(engine, "vl-staff", PASSWORD)
    with pytest.raises(auth.AuthError):
        auth.authenticate(engine, "mat-khau-go-nham-o-o-ten", PASSWORD)
    engine.dispose()
    app = run_page(demo_with_accounts, monkeypatch, page="pages/users.py", auth_user="tv-admin", lang="en")
    assert not app.exception and not errors(app)
    accounts, log = (frame.value for frame in app.dataframe)
    # The demo accounts hold roles on both demo units: listed with their Trà Vinh role only.
    assert sorted(accounts["Username"]) == sorted([*auth.ROLES, "tv-admin", "tv-staff"])
    assert not any("vinhlong" in roles for roles in accounts["Roles"])
    assert "tv-staff" in set(log["By"]) and "vl-staff" not in set(log["By"])
    assert auth.UNKNOWN_NAME not in set(log["By"]) and "vl-staff" not in set(log["Target"])
    assert not [w for w in app.text_input if w.form_id == "users_add"]  # only an admin of every unit adds
    assert [w.label for w in app.text_input if w.key == "users_grant_name"] == ["Username (an existing account)"]
    everyone = run_page(demo_with_accounts, monkeypatch, page="pages/users.py", auth_user="admin", lang="en")
    accounts, log = (frame.value for frame in everyone.dataframe)
    assert {"vl-staff", "tv-staff"} <= set(accounts["Username"]) and {"vl-staff", auth.UNKNOWN_NAME} <= set(log["By"])
