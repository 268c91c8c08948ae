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
from collections.abc import Iterator
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
    _bench("--quick", "--sizes", str(TINY), "--no-pg", "--workdir", str(folder / "work"), "--output", str(output))
    return output


@pytest.fixture(scope="module")
def tiny_run(tiny_output: Path) -> dict:
    return json.loads(tiny_output.read_text())


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and value > 0 and math.isfinite(value)


def test_report_has_every_size_section_and_target(tiny_run: dict) -> None:
    assert tiny_run["sizes"] == [TINY] and tiny_run["quick"] is True
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


# --- PostgreSQL pages and many sessions through nginx (issue 15) ---


@pytest.fixture(scope="module")
def pg_bench_db(postgres_server) -> Iterator[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """One unit bulk-loaded by COPY into a database of the test server, with the bench's extras."""
    from bench import pg_bench

    name = "bench_smoke_pages"
    url = pg_bench.create_database(postgres_server.url("postgres"), name)
    try:
        yield url, pg_bench.prepare(url, 1)
    finally:
        pg_bench.drop_database(postgres_server.url("postgres"), name)


@pytest.mark.postgres
def test_postgresql_bulk_load_keeps_every_key_and_row(pg_bench_db: tuple[str, dict]) -> None:
    url, load = pg_bench_db
    assert load["rows"] == TINY
    assert load["correction_load"]["updated"] == load["correction_load"]["rows"] > 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        assert conn.execute("SELECT count(*) FROM observation").fetchone() == (TINY,)
        kinds = {
            row[0]
            for row in conn.execute(
                "SELECT contype FROM pg_constraint WHERE conrelid = 'observation'::regclass"
            ).fetchall()
        }
        indexes = {
            row[0]
            for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'observation'").fetchall()
        }
    assert kinds == {"p", "u", "f"}  # the keys dropped for the COPY are back
    assert "ix_observation_metric_period" in indexes


@pytest.mark.postgres
def test_postgresql_hand_written_sql_agrees_with_the_core(pg_bench_db: tuple[str, dict]) -> None:
    """The SQLite baselines spelled for PostgreSQL (bench.pg_bench.PgHand) give the core's results."""
    import datetime as dt

    from bench import pg_bench, query_bench
    from bench.baselines import DRAFT, OVERVIEW, Call, Q
    from commstats.db import make_engine
    from commstats.narrative import COMPARISONS
    from commstats.periods import Period

    url, _load = pg_bench_db
    engine = make_engine(url)
    try:
        with pg_bench.hand_connection(url) as hand:
            ids = (1,)
            codes = ("portal_posts", "sites_posts", "publishing_licences")
            start, end = dt.date(2024, 1, 1), dt.date(2025, 12, 1)
            calls: list[Call] = [
                ("page", Q + "units", (), {}),
                ("page", Q + "month_range", (ids,), {}),
                ("page", Q + "monthly_totals", (ids, codes, start, end), {"by_member": True}),
                ("page", Q + "period_values", (ids, codes, [end]), {}),
                ("page", Q + "members", ("site", ids), {}),
                ("page", Q + "licence_records", (ids, start, end), {}),
                ("page", Q + "observations_for_export", (), {"start": start, "end": end, "unit_codes": ["u00000"]}),
                ("page", Q + "revisions", (ids,), {}),
                ("page", OVERVIEW, (ids, Period("month", 2025, 12)), {}),
                ("page", DRAFT, (("u00000",), Period("year", 2025), "vi", COMPARISONS), {}),
            ]
            figures = query_bench.measure(engine, hand, None, calls, 0.0, repeat=1)
    finally:
        engine.dispose()
    assert figures["agree"], figures["disagreements"]
    assert figures["calls"] == len(calls)
    for key in ("ours_ms", "hand_sql_ms", "ours_vs_hand"):
        assert _positive(figures[key]), key
    assert "naive_pandas_ms" not in figures  # not measured on PostgreSQL


def test_the_proxy_config_is_the_readme_file_with_ports_substituted(tmp_path: Path) -> None:
    from bench import proxy

    original = proxy.CONF.read_text(encoding="utf-8").splitlines()
    site = proxy.site_config([7001, 7002], 7443, 7080, (tmp_path / "c.pem", tmp_path / "k.pem")).splitlines()
    changed = [line for line in site if line not in original]
    assert changed == [
        "    server 127.0.0.1:7001;",
        "    server 127.0.0.1:7002;",
        "    listen 127.0.0.1:7443 ssl;",
        f"    ssl_certificate     {tmp_path / 'c.pem'};",
        f"    ssl_certificate_key {tmp_path / 'k.pem'};",
        "    listen 127.0.0.1:7080;",
    ]
    assert "    hash $commstats_route consistent;" in site  # sticky by cookie, not by address
    assert len(site) == len(original) - 3 + 2  # three example servers out, two instances in


@pytest.mark.postgres
def test_sessions_through_nginx_on_two_instances_report_every_figure(pg_bench_db: tuple[str, dict]) -> None:
    """A tiny run of the load benchmark: real nginx (deploy/nginx.conf), two real instances, websocket
    sessions arriving over a ramp, an import running; every figure is there and no session changed instance."""
    from bench import sessions_bench

    url, _load = pg_bench_db
    plan = sessions_bench.Plan(sessions=3, steps=2, ramp=1.0, think=(0.1, 0.3), importing=True, seed=1)
    result = sessions_bench.run(url, [2], plan, unit_count=1)
    phase = result["phases"]["2"]
    assert phase["instances"] == 2 and phase["plan"]["sessions"] == 3
    assert phase["errors"] == 0 and phase["sessions_failed"] == 0, phase["error_samples"]
    # Every session: one first load, then exactly `steps` measured interactions after everyone was in.
    assert phase["first_load"]["count"] == 3 and phase["measured_views"] == 3 * 2
    assert phase["page_views"] == 3 + phase["warm_up_views"] + 3 * 2
    assert sum(v["count"] for v in phase["latency_by_kind"].values()) == 3 * 2
    for figures in (phase["latency"], phase["first_load"], phase["script"]):
        for key in ("p50_s", "p95_s", "max_s"):
            assert _positive(figures[key]), key
    assert 0 <= phase["wait_before_script"]["p95_s"] <= phase["latency"]["max_s"]
    assert _positive(phase["throughput_per_s"]) and _positive(phase["offered_per_s"])
    # Sticky sessions: each session's cookie was served by one instance only, and that instance is known.
    addresses = {f"127.0.0.1:{port}" for port in phase["sticky"]["routes_per_instance"]}
    assert len(addresses) == 2 and set(phase["session_instances"]) <= addresses
    assert phase["sticky"]["routes_on_several_instances"] == 0
    assert sum(phase["sessions_per_instance"]) == 3
    # Diagnosis: CPU of each instance, PostgreSQL connections per instance, memory per instance.
    assert len(phase["cpu"]["instances_cores"]) == 2 and _positive(sum(phase["cpu"]["instances_cpu_s"]))
    assert _positive(phase["instance_cpu_s_per_view"])
    serving = [i for i, n in enumerate(phase["sessions_per_instance"]) if n]
    assert all(phase["pg_connections"]["per_instance"][i]["max_open"] >= 1 for i in serving)
    budget = phase["pool_budget"]
    assert budget["all_instances_and_importer_at_most"] <= budget["max_connections"]
    assert len(phase["memory"]) == 2 and all(_positive(m["rss_mib_end"]) for m in phase["memory"])
    assert not any(m["mark_reached"] for m in phase["memory"])  # a handful of views: no 500th view
    assert phase["imports"]["errors"] == [] and phase["imports"]["imports"] >= 1
    assert phase["samples"] and {"load", "rss_mib", "cpu_s", "pg"} <= set(phase["samples"][0])
    assert set(result["targets"]) == {"p95_at_2_instances", "errors", "rss_growth_after_mark", "throughput_grows"}
    assert result["targets"]["errors"]["met"]
    table = sessions_bench.markdown(result)
    assert table.count("\n| 2 |") == 1
