"""A role goes to the account chosen: by name, set at creation, never to every unit by default (page and CLI)."""

from __future__ import annotations

import contextlib
import os
import pty
import sys

from typer.testing import CliRunner

from commstats import auth
from commstats.cli import app as cli
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from tests import test_auth_pages
from tests.apptest import run_page
from tests.test_auth_pages import errors

demo_with_accounts = test_auth_pages.demo_with_accounts  # the fixture: one account per role on the demo units

PAGE = "pages/users.py"


def roles_of(url: str, name: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        return next(u.roles for u in auth.list_users(engine) if u.username == name)
    finally:
        engine.dispose()


def test_create_with_a_role_then_grant_right_after_goes_to_the_named_account(demo_with_accounts, monkeypatch):
    app = run_page(demo_with_accounts, monkeypatch, page=PAGE, auth_user="admin")
    assert app.selectbox(key="users_add_unit").value is None  # no form starts on every unit
    assert app.selectbox(key="users_grant_unit").value is None and app.selectbox(key="users_grant_user").value is None
    app.text_input(key="users_add_name").input("hoa")
    app.selectbox(key="users_add_role").set_value("editor")
    app.selectbox(key="users_add_unit").set_value("travinh-demo")
    next(b for b in app.button if b.form_id == "users_add").click().run()
    assert not app.exception and not errors(app)
    assert any("Đã tạo tài khoản hoa" in s.value for s in app.success)
    assert roles_of(demo_with_accounts, "hoa") == {"travinh-demo": "editor"}
    # The list is fresh after the creation: the new account is in it, and the grant goes to it by name.
    assert "hoa" in app.selectbox(key="users_grant_user").options
    assert "hoa" in list(app.dataframe[0].value["Tên đăng nhập"])
    app.selectbox(key="users_grant_user").set_value("hoa")
    app.selectbox(key="users_grant_unit").set_value("vinhlong-demo")
    app.selectbox(key="users_grant_role").set_value("analyst")
    next(b for b in app.button if b.form_id == "users_grant" and b.label == "Cấp vai trò").click().run()
    assert not app.exception and not errors(app)
    assert any("hoa" in s.value for s in app.success)
    assert roles_of(demo_with_accounts, "hoa") == {"travinh-demo": "editor", "vinhlong-demo": "analyst"}
    assert roles_of(demo_with_accounts, "viewer") == {"travinh-demo": "viewer", "vinhlong-demo": "viewer"}


def test_a_role_without_a_unit_creates_nothing(demo_with_accounts, monkeypatch):
    app = run_page(demo_with_accounts, monkeypatch, page=PAGE, auth_user="admin")
    app.text_input(key="users_add_name").input("binh")
    app.selectbox(key="users_add_role").set_value("admin")
    next(b for b in app.button if b.form_id == "users_add").click().run()
    assert any("phải chọn đơn vị" in e for e in errors(app))
    engine = make_engine(demo_with_accounts)
    assert "binh" not in {u.username for u in auth.list_users(engine)}
    engine.dispose()
    next(b for b in app.button if b.form_id == "users_grant" and b.label == "Cấp vai trò").click().run()
    assert any("Chọn tài khoản và đơn vị" in e for e in errors(app))


def test_cli_user_add_with_a_role_and_no_unit_refuses_in_a_script(empty_url):
    runner = CliRunner()
    refused = runner.invoke(cli, ["user", "add", "hoa", "--generate", "--role", "admin", "--db", empty_url])
    assert refused.exit_code == 2 and "phải chọn đơn vị" in refused.output and "Traceback" not in refused.output
    engine = make_engine(empty_url)
    assert "hoa" not in {u.username for u in auth.list_users(engine)}
    engine.dispose()
    every = ["user", "add", "hoa", "--generate", "--role", "admin", "--unit", "*", "--db", empty_url]
    added = runner.invoke(cli, every)
    assert added.exit_code == 0, added.output
    assert roles_of(empty_url, "hoa") == {"*": "admin"}  # every unit only when said


def test_cli_user_add_with_a_role_and_no_unit_asks_at_a_terminal(empty_url):
    """At a terminal the unit is asked for (a pseudo-terminal stands in for the person typing)."""
    command = [sys.executable, "-m", "commstats", "user", "add", "lan", "--generate", "--role", "editor",
               "--db", empty_url]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI with the pseudo-terminal as its stdin and stdout
        os.chdir(PROJECT_ROOT)
        os.execv(sys.executable, command)
    output = b""
    while b"unit (code" not in output:
        output += os.read(fd, 1024)
    os.write(fd, b"test-unit\n")
    with contextlib.suppress(OSError):  # the terminal closes when the command ends
        while chunk := os.read(fd, 1024):
            output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
    assert roles_of(empty_url, "lan") == {"test-unit": "editor"}
