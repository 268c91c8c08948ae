"""The layers, checked by path on the imports themselves (parsed with ast, so an import inside a function
counts too): the core (commstats/, except its CLI package) imports neither etl, ui, pages nor streamlit;
etl imports neither ui, pages nor streamlit; the CLI package (commstats/cli/) is the core's only caller of etl."""

from __future__ import annotations

import ast
from pathlib import Path

from commstats.config import PROJECT_ROOT

CORE_FORBIDDEN = {"etl", "ui", "pages", "streamlit"}
ETL_FORBIDDEN = {"ui", "pages", "streamlit"}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, anywhere in it (`from x.y import z` gives x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def violations(folder: Path, forbidden: set[str], exempt: tuple[Path, ...] = ()) -> list[str]:
    """`file: module` for each import of a forbidden top-level package under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        if any(path.is_relative_to(e) for e in exempt):
            continue
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(folder.parent)}: {module}")
    return found


def test_the_core_imports_no_etl_ui_pages_or_streamlit() -> None:
    core = PROJECT_ROOT / "commstats"
    assert violations(core, CORE_FORBIDDEN, exempt=(core / "cli",)) == []


def test_etl_imports_no_ui_pages_or_streamlit() -> None:
    assert violations(PROJECT_ROOT / "etl", ETL_FORBIDDEN) == []


def test_the_cli_package_is_where_the_core_calls_etl() -> None:
    cli = PROJECT_ROOT / "commstats" / "cli"
    assert cli.is_dir() and not (PROJECT_ROOT / "commstats" / "cli.py").exists()
    assert not list((PROJECT_ROOT / "commstats").glob("cli_*.py"))  # every command module is in the package
    assert any(line.endswith(": etl.demo") for line in violations(cli, {"etl"}))  # `init --demo` loads the demo
    assert violations(cli, {"ui", "pages", "streamlit"}) == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    package = tmp_path / "commstats"
    (package / "cli").mkdir(parents=True)
    (package / "ok.py").write_text("from commstats.db import make_engine\nfrom . import db\n")
    (package / "lazy.py").write_text("def f():\n    import streamlit as st\n    from etl.load import load_rows\n")
    (package / "cli" / "main.py").write_text("from etl.pipeline import import_path\n")
    assert violations(package, CORE_FORBIDDEN, exempt=(package / "cli",)) == [
        "commstats/lazy.py: etl.load",
        "commstats/lazy.py: streamlit",
    ]


def test_every_download_button_asks_for_no_rerun() -> None:
    """A download button's click reruns the page by default; with a file made on the click (a callable), that
    rerun can replace the file being fetched, and on a loaded server the browser then gets nothing (it
    happened to the import page's workbook). Every button says on_click="ignore"."""
    missing = []
    for folder in ("pages", "ui"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                    options = {k.arg: k.value for k in node.keywords}
                    on_click = options.get("on_click")
                    if not (isinstance(on_click, ast.Constant) and on_click.value == "ignore"):
                        missing.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert missing == []
    assert len(list((PROJECT_ROOT / "pages").glob("*.py"))) > 5  # the walk found the pages
