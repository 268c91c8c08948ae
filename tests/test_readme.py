"""The README's commands work: every line of its "Command line" block is run against a fresh
database (once with only what it requires, once with every option it documents), and the Makefile
targets it names exist and do what it says."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from commstats import queries
from commstats.cli import app
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from tests.importfiles import to_windows_1258

README = PROJECT_ROOT / "README.md"
EXAMPLE = PROJECT_ROOT / "data" / "examples" / "import-example.csv"
PREFIX = ["python", "-m", "commstats"]


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def bash_lines(markdown: str) -> list[str]:
    """Lines of the ```bash blocks, continuation lines joined and comments dropped."""
    lines: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line:
                lines.append(line)
    return lines


def documented_commands() -> list[list[str]]:
    """Each documented command as tokens after `python -m commstats`; `a | b` alternatives split apart."""
    commands: list[list[str]] = []
    for line in bash_lines(section("Command line")):
        tokens = shlex.split(line)
        assert tokens[:3] == PREFIX, line
        tokens = tokens[3:]
        if "|" in tokens:
            head, rest = tokens[0], " ".join(tokens[1:])
            commands += [[head, *shlex.split(alternative)] for alternative in rest.split(" | ")]
        else:
            commands.append(tokens)
    return commands


def _groups(tokens: list[str]) -> tuple[list[str], list[list[str]]]:
    """Required tokens, and the optional [..] groups (brackets and "..." removed)."""
    required: list[str] = []
    optional: list[list[str]] = []
    current: list[str] | None = None
    for token in tokens:
        if token.startswith("["):
            current = []
            token = token[1:]
        closing = token.endswith(("]", "]..."))
        token = token.split("]")[0].removesuffix("...")
        (current if current is not None else required).append(token)
        if closing:
            optional.append(current or [])
            current = None
    return required, optional


class Placeholders:
    """Concrete values for the README's placeholders."""

    def __init__(self, tmp_path: Path):
        self.cp1258 = tmp_path / "import-example-cp1258.csv"
        self.cp1258.write_bytes(to_windows_1258(EXAMPLE.read_text(encoding="utf-8")))
        self.out = tmp_path / "F.csv"

    def fill(self, tokens: list[str]) -> list[str]:
        filled: list[str] = []
        for index, token in enumerate(tokens):
            before = filled[-1] if filled else ""
            value = token.split("|")[0] if "|" in token and not token.startswith("-") else token
            if value == "FILE":
                value = str(self.cp1258 if "cp1258" in tokens else EXAMPLE)
            elif value == "CODE":
                value = {"--unit": "travinh-demo", "--metric": "portal_posts"}.get(before, f"readme-unit-{index}")
            elif value == "F.csv":
                value = str(self.out)
            filled.append(value)
        return filled


def command_path(tokens: list[str]) -> list[str]:
    """The leading tokens that name a (sub)command, e.g. ["units", "add"] of ["units", "add", "CODE"]."""
    command = typer.main.get_command(app)
    path: list[str] = []
    for token in tokens:
        if token not in getattr(command, "commands", {}):
            break
        command = command.commands[token]
        path.append(token)
    return path


def test_the_readme_documents_the_foundation_commands():
    documented = {" ".join(command_path(c)) for c in documented_commands()}
    assert documented >= {"init", "metrics", "units list", "units add", "import", "export"}


def test_every_documented_option_exists():
    runner = CliRunner()
    for command in documented_commands():
        required, optional = _groups(command)
        path = command_path(required)
        shown = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert shown.exit_code == 0, command
        for option in [t for group in [required, *optional] for t in group if t.startswith("--")]:
            assert option in shown.stdout, (command, option)


@pytest.mark.parametrize("variant", ["required-only", "every-option"])
def test_every_documented_command_runs_against_a_fresh_database(blank_url, tmp_path, variant):
    runner = CliRunner()
    places = Placeholders(tmp_path)
    ran: list[str] = []
    for command in documented_commands():
        required, optional = _groups(command)
        tokens = required + ([t for group in optional for t in group] if variant == "every-option" else [])
        if required[0] == "init" and variant == "required-only":
            tokens = ["init", "--demo"]  # the other commands need the demo unit to work on
        args = [*places.fill(tokens), "--db", blank_url]
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        ran.append(" ".join(tokens))
    engine = make_engine(blank_url)
    assert queries.observation_count(engine) > 5_000
    assert "readme-unit-2" in {u.code for u in queries.units(engine)}
    engine.dispose()
    text = places.out.read_bytes().decode("utf-8-sig")
    assert "portal_posts" in text and ("Tin, bài đăng" in text or "Posts on the web portal" in text)
    assert len(ran) == len(documented_commands())


def make_dry_run(*args: str) -> str:
    done = subprocess.run(["make", "-n", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_makefile_run_and_test_do_what_the_readme_says():
    assert bash_lines(section("Two commands")) == ["make run", "make test"]
    run = make_dry_run("run")
    assert "-m commstats init --demo-if-empty" in run  # data/commstats.db with demo data if missing
    # This machine only by default (README: HOST=0.0.0.0 make run to listen on every interface).
    assert "-m streamlit run dashboard.py --server.address 127.0.0.1 --server.port 8501" in run
    assert "--server.port 8600" in make_dry_run("run", "PORT=8600")
    assert "--server.address 0.0.0.0 " in make_dry_run("run", "HOST=0.0.0.0")
    assert "`HOST=0.0.0.0 make run`" in section("Two commands")
    test = make_dry_run("test")
    assert "-m ruff check ." in test and "-m ruff format --check ." in test and "-m pytest" in test
    assert "pip install" in make_dry_run("-B", "test") and "requirements-dev.txt" in make_dry_run("-B", "test")
    assert (PROJECT_ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")
