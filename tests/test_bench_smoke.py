"""The benchmark suite (bench/) on a tiny national table: every figure is produced and sane.

No timing is asserted (performance is measured by `make bench`, never by a test): only that each
figure exists, is positive where it is a duration or a size, that the baselines agree with the core,
and that every page rendered without an error.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path

import psycopg
import pytest

from bench import __main__ as bench_main
from bench import load_bench, report
from bench.data import rows_per_unit, synthetic_rows
from bench.render_bench import PAGES

TINY = rows_per_unit()  # one unit: ten years of every metric and member


def _bench(*argv: str) -> None:
    saved, sys.argv = sys.argv, ["bench", *argv]
    try:
        bench_main.main()
    finally:
        sys.argv = saved


@pytest.fixture(scope="module")
def tiny_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench")
    output = folder / "latest.json"
    _bench("--sizes", str(TINY), "--no-pg", "--workdir", str(folder / "work"), "--output", str(output))
    return output


@pytest.fixture(scope="module")
def tiny_run(tiny_output: Path) -> dict:
    return json.loads(tiny_output.read_text())


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and value > 0 and math.isfinite(value)


def test_report_has_every_size_section_and_target(tiny_run: dict) -> None:
    assert tiny_run["sizes"] == [TINY]
    result = tiny_run["results"][str(TINY)]
    assert result["rows"] == TINY and result["units"] == 1
    for section in (
        "load",
        "load_postgresql",
        "extras",
        "correction_load",
        "render",
        "memory",
        "queries",
        "draft_year",
        "export",
        "targets",
    ):
        assert section in result, section
    assert result["load_postgresql"] == {"skipped": "--no-pg"}
    assert set(tiny_run["targets"]) == set(result["targets"])  # one size: no growth targets
    assert tiny_run["targets_at_rows"] == TINY
    assert all(isinstance(check["met"], bool) and _positive(check["bound"]) for check in tiny_run["targets"].values())
    assert tiny_run["targets_met"] == all(check["met"] for check in tiny_run["targets"].values())


def test_report_prints_an_earlier_run_again(tiny_output: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    _bench("--report", str(tiny_output))
    printed = capsys.readouterr().out
    assert f"## {TINY:,} rows (1 units)" in printed
    assert all(f"\n{page} " in printed for page in ("frame", *PAGES))
    assert f"targets at {TINY:,} rows" in printed


def test_markdown_table_combines_runs_of_several_files(
    tiny_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's table: one column per size, taken from several results files (a big run kept apart)."""
    run = json.loads(tiny_output.read_text())
    bigger = copy.deepcopy(run["results"][str(TINY)])
    bigger["rows"] = TINY * 10
    bigger["queries"]["trends"]["ours_vs_hand"] = 1.234
    other = tmp_path / "big.json"
    other.write_text(json.dumps({"results": {str(TINY * 10): bigger}}))
    capsys.readouterr()
    _bench("--report", str(tiny_output), str(other), "--markdown")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"| figure | {TINY:,} rows | {TINY * 10:,} rows | target |"
    trends = next(line for line in lines if line.startswith("| page queries vs hand-written SQL: trends |"))
    mine = run["results"][str(TINY)]["queries"]["trends"]["ours_vs_hand"]
    assert trends == f"| page queries vs hand-written SQL: trends | {mine:.2f}× | 1.23× | ≤ 1.5× |"
    assert sum(line.startswith("| page queries vs hand-written SQL:") for line in lines) == len(PAGES) + 1


def test_load_figures_compare_the_same_rows(tiny_run: dict) -> None:
    load = tiny_run["results"][str(TINY)]["load"]
    assert load["rows"] == TINY
    for key in (
        "load_seconds",
        "raw_executemany_seconds",
        "to_sql_seconds",
        "load_rate_vs_raw_executemany",
        "load_rate_vs_to_sql",
        "load_rows_per_second",
    ):
        assert _positive(load[key]), key
    assert load["load_rate_vs_raw_executemany"] == pytest.approx(load["raw_executemany_seconds"] / load["load_seconds"])
    assert all(len(runs) == load["repeat"] for runs in load["runs"].values())
    corrections = tiny_run["results"][str(TINY)]["correction_load"]
    assert corrections["updated"] == corrections["rows"] > 0  # every correction changed a value


def test_every_page_rendered_and_its_queries_agree_with_both_baselines(tiny_run: dict) -> None:
    result = tiny_run["results"][str(TINY)]
    assert set(result["render"]) == set(PAGES)
    for page, render in result["render"].items():
        assert render["errors"] == [], page
        assert render["title"], page
        assert _positive(render["cold_s"]) and _positive(render["warm_s"]), page
        assert render["calls"] > 0, page
    assert set(result["queries"]) == {"frame", *PAGES}
    for page, figures in result["queries"].items():
        assert figures["agree"], (page, figures["disagreements"])
        assert figures["calls"] > 0 and figures["functions"], page
        for key in ("ours_ms", "hand_sql_ms", "naive_pandas_ms", "ours_vs_hand", "naive_vs_ours", "naive_read_ms"):
            assert _positive(figures[key]), (page, key)
    assert "month_range" in result["queries"]["frame"]["functions"]
    assert "overview_cards" in result["queries"]["overview"]["functions"]
    assert "period_figures" in result["queries"]["draft"]["functions"]  # the draft's own queries, not its text


def test_draft_export_and_memory_figures(tiny_run: dict) -> None:
    result = tiny_run["results"][str(TINY)]
    draft = result["draft_year"]
    assert draft["agree"] and draft["paragraphs"] > 0
    assert draft["compare"] == ["prev", "yoy", "ytd", "target"] and draft["period"] == "2025"
    export = result["export"]
    assert export["rows"] == TINY
    assert _positive(export["ours_seconds"]) and _positive(export["to_csv_seconds"])
    memory = result["memory"]
    assert memory["peak_rss_mb"] >= memory["baseline_rss_mb"] > 0
    assert all(errors == [] for errors in memory["errors"].values())
    assert result["extras"]["targets"] > 0 and result["extras"]["licence_records"] > 0


def test_growth_exponent_of_figures_between_two_sizes(tiny_run: dict) -> None:
    """A figure that doubles while the table grows tenfold grows as rows^0.30; growth targets follow."""
    small = tiny_run["results"][str(TINY)]
    large = json.loads(json.dumps(small))
    large["rows"] = small["rows"] * 10
    for figures in large["queries"].values():
        figures["ours_ms"] *= 2
    large["load"]["load_seconds"] *= 10
    table = report.growth({"small": small, "large": large})
    assert table["queries.overview.ours_ms"]["exponent"] == pytest.approx(math.log10(2))
    assert table["load.seconds"]["exponent"] == pytest.approx(1.0)
    checks = report.growth_targets(table)
    assert set(checks) == {f"growth.queries.{page}.ours_ms" for page in small["queries"]}
    assert all(check["met"] for check in checks.values())


def test_load_comparison_on_each_backend(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """load_rows against the backend's raw path (executemany on SQLite, COPY on PostgreSQL) and to_sql."""
    rows = synthetic_rows(1)
    if backend == "sqlite":
        figures, database = load_bench.run_sqlite(rows, 1, tmp_path, repeat=1)
        assert database.is_file()
        raw = "raw_executemany"
    else:
        server = request.getfixturevalue("postgres_server")
        before = _databases(server.url("postgres"))
        figures = load_bench.run_postgres(rows, 1, server.url("postgres"), repeat=1)
        assert _databases(server.url("postgres")) == before  # its databases are dropped again
        raw = "raw_copy"
    assert figures["rows"] == len(rows)
    for key in ("load_seconds", f"{raw}_seconds", "to_sql_seconds", f"load_rate_vs_{raw}", "load_rate_vs_to_sql"):
        assert _positive(figures[key]), key


def _databases(url: str) -> set[str]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
