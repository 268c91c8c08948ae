"""The README's "Users and security" commands run, in order, against a fresh database, and do what it says."""

from __future__ import annotations

import shlex

from typer.testing import CliRunner

from commstats import audit, auth
from commstats.cli import app
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.queries import units
from tests.test_readme import PREFIX, bash_lines, section


def test_users_and_security_commands_run(blank_url, tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)  # the example file's path is relative to the project
    lines = bash_lines(section("Users and security"))
    assert len(lines) >= 10 and all(line.startswith("python -m commstats ") for line in lines)
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", blank_url]).exit_code == 0
    outputs = []
    for line in lines:
        args = shlex.split(line)[len(PREFIX) :]
        args = [str(tmp_path / a) if a.startswith("commstats-backup") else a for a in args]
        done = runner.invoke(app, [*args, "--db", blank_url])
        assert done.exit_code == 0, f"{line}\n{done.output}"
        assert "Traceback" not in done.output
        outputs.append(done.output)
    engine = make_engine(blank_url)
    listed = outputs[lines.index(next(x for x in lines if x.endswith("user list")))]
    assert "admin@*" in listed and "editor@travinh-demo" in listed and "viewer@vinhlong-demo" in listed
    assert auth.principal_for(engine, "lan") is None  # disabled by the last line
    assert auth.principal_for(engine, "admin") is not None
    public = auth.anonymous(engine).public_units
    assert {u.code for u in units(engine) if u.id in public} == {"vinhlong-demo"}
    assert [e.actor for e in audit.events(engine, actions={"restore"})] == [audit.os_actor()]
    [imported] = audit.events(engine, actions={"import"}, actor="lan")  # kept through backup and restore
    assert imported.target == "import-example.csv" and imported.unit_code == "travinh-demo"
    engine.dispose()
