"""The foundation's commands, in-process (typer's CliRunner) and as a real `python -m commstats`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from commstats import queries
from commstats.catalog import load_catalog
from commstats.cli import app
from commstats.config import PROJECT_ROOT
from commstats.db import make_engine
from commstats.models import Base, Unit
from tests.dbstate import row_counts, snapshot
from tests.importfiles import GOOD_OBSERVATIONS, GOOD_ROWS, csv_text, observations, to_windows_1258

runner = CliRunner()


def cli(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, rows, header=None) -> Path:
    path.write_bytes(csv_text(rows, header or ("period", "metric", "member", "value", "note")).encode("utf-8"))
    return path


def test_init_creates_the_schema_and_running_it_twice_is_harmless(blank_url):
    first = cli("init", "--db", blank_url)
    assert first.exit_code == 0, first.output
    assert "database ready: 0 observations" in first.stdout
    engine = make_engine(blank_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    state = snapshot(engine)
    assert row_counts(state)["metric"] == len(load_catalog().metrics)

    second = cli("init", "--db", blank_url)
    assert second.exit_code == 0 and snapshot(engine) == state
    engine.dispose()


def test_init_demo_if_empty_loads_the_demo_only_into_an_empty_database(blank_url, empty_url, tmp_path):
    loaded = cli("init", "--demo-if-empty", "--db", blank_url)
    assert loaded.exit_code == 0, loaded.output
    assert "Đang tạo dữ liệu mẫu" in loaded.stdout
    engine = make_engine(blank_url)
    assert queries.observation_count(engine) > 5_000
    state = snapshot(engine)
    again = cli("init", "--demo-if-empty", "--db", blank_url)
    assert again.exit_code == 0 and "Đang tạo dữ liệu mẫu" not in again.stdout
    assert snapshot(engine) == state
    engine.dispose()

    assert cli("import", write(tmp_path / "a.csv", GOOD_ROWS), "--db", empty_url).exit_code == 0
    kept = cli("init", "--demo-if-empty", "--db", empty_url)
    assert kept.exit_code == 0 and "Đang tạo dữ liệu mẫu" not in kept.stdout
    user_db = make_engine(empty_url)
    assert observations(user_db) == GOOD_OBSERVATIONS
    assert [u.code for u in queries.units(user_db)] == ["test-unit"]
    user_db.dispose()


def test_metrics_lists_every_catalogue_metric_in_both_languages(empty_url):
    vi, en = cli("metrics", "--db", empty_url), cli("metrics", "--db", empty_url, "--lang", "en")
    assert vi.exit_code == en.exit_code == 0
    catalog = load_catalog()
    assert len(vi.stdout.splitlines()) == len(catalog.metrics)
    for metric in catalog.metrics:
        line = next(line for line in vi.stdout.splitlines() if line.split()[0] == metric.code)
        assert metric.kind in line and f"{metric.name_vi} ({metric.unit_vi})" in line
        assert f"{metric.name_en} ({metric.unit_en})" in en.stdout
        if metric.dimension:
            assert line.endswith(f"[{metric.dimension}]")


def test_units_add_and_list(empty_url):
    added = cli(
        "units",
        "add",
        "vinhlong",
        "Sở Thông tin và Truyền thông Vĩnh Long",
        "--name-en",
        "Vinh Long Department",
        "--cutoff-day",
        "15",
        "--db",
        empty_url,
    )
    assert added.exit_code == 0, added.output
    listed = cli("units", "list", "--db", empty_url)
    assert "vinhlong" in listed.stdout and "Sở Thông tin và Truyền thông Vĩnh Long" in listed.stdout
    assert "Vinh Long Department" in cli("units", "list", "--db", empty_url, "--lang", "en").stdout
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        assert conn.execute(select(Unit.cutoff_day).where(Unit.code == "vinhlong")).scalar_one() == 15
    engine.dispose()


def test_import_exit_status_and_good_files_still_load_when_one_is_rejected(empty_url, tmp_path):
    good = write(tmp_path / "thang-7.csv", GOOD_ROWS)
    bad = write(tmp_path / "loi.csv", [("2019-13", "portal_audio", "", 14, "")])
    other = write(tmp_path / "thang-8.csv", [("2019-08", "portal_audio", "", 9, "")])

    result = cli("import", good, bad, other, "--db", empty_url)

    assert result.exit_code == 1
    assert "loi.csv: bị từ chối, 1 lỗi" in result.stderr and "dòng 2, cột period (“2019-13”)" in result.stderr
    assert "thang-7.csv: đã nạp lô" in result.stdout and "thang-8.csv: đã nạp lô" in result.stdout
    engine = make_engine(empty_url)
    assert observations(engine) == GOOD_OBSERVATIONS | {("test-unit", "portal_audio", "2019-08-01", "", 9, "")}

    again = cli("import", good, "--db", empty_url, "--lang", "en")
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    english = cli("import", bad, "--db", empty_url, "--lang", "en")
    assert english.exit_code == 1 and "row 2, column period (“2019-13”): Invalid period" in english.stderr
    engine.dispose()


def test_import_dry_run_encoding_and_unit_options(empty_url, tmp_path):
    cp1258 = tmp_path / "cp1258.csv"
    cp1258.write_bytes(to_windows_1258(csv_text([("tháng 7/2019", "portal_posts", "tiếng Việt", 33, "Trà Vinh")])))
    engine = make_engine(empty_url)
    before = snapshot(engine)
    dry = cli("import", cp1258, "--dry-run", "--encoding", "cp1258", "--db", empty_url)
    assert dry.exit_code == 0 and "chạy thử" in dry.stdout and snapshot(engine) == before

    assert cli("units", "add", "vinhlong", "Vĩnh Long", "--db", empty_url).exit_code == 0
    loaded = cli("import", cp1258, "--encoding", "cp1258", "--unit", "vinhlong", "--db", empty_url)
    assert loaded.exit_code == 0, loaded.output
    assert observations(engine) == {("vinhlong", "portal_posts", "2019-07-01", "vi", 33, "Trà Vinh")}
    engine.dispose()


def test_export_command_filters_formats_and_languages(demo_url, tmp_path):
    out = tmp_path / "thang-7.csv"
    args = ["--from", "2019-07", "--to", "2019-07", "--metric", "portal_posts", "--unit", "travinh-demo"]
    result = cli("export", "--out", out, *args, "--db", demo_url)
    assert result.exit_code == 0 and "Đã xuất 3 dòng" in result.stdout
    text = out.read_bytes().decode("utf-8-sig")
    assert text.startswith("Mã đơn vị,Đơn vị,Kỳ,") and ",tiếng Khmer,23," in text
    for sep in (";", "semicolon"):  # what Excel reads under Vietnamese regional settings
        assert cli("export", "--out", out, "--sep", sep, *args, "--db", demo_url).exit_code == 0
        text = out.read_bytes().decode("utf-8-sig")
        assert text.startswith("Mã đơn vị;Đơn vị;Kỳ;") and ";tiếng Khmer;23;" in text

    xlsx = tmp_path / "thang-7.xlsx"
    assert cli("export", "--out", xlsx, "--format", "xlsx", "--lang", "en", *args, "--db", demo_url).exit_code == 0
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Unit code", "Unit name", "Period") and sorted(r[8] for r in rows[1:]) == [14, 23, 33]

    for wrong, message in [
        (["--format", "pdf"], "csv hoặc xlsx"),
        (["--metric", "khong-co"], "khong-co"),
        (["--from", "2019-13"], "--from: kỳ không hợp lệ"),
        (["--sep", "|"], "dùng ',' hoặc ';'"),
    ]:
        failed = cli("export", "--out", tmp_path / "x.csv", *wrong, "--db", demo_url)
        assert failed.exit_code == 2 and message in failed.stderr


def test_db_option_overrides_the_environment(blank_url, tmp_path, monkeypatch):
    env_db = tmp_path / "tu-bien-moi-truong.db"
    monkeypatch.setenv("COMMSTATS_DATABASE_URL", f"sqlite:///{env_db}")
    assert cli("init", "--db", blank_url).exit_code == 0
    assert not env_db.exists()
    engine = make_engine(blank_url)
    assert "observation" in inspect(engine).get_table_names()
    engine.dispose()
    assert cli("init").exit_code == 0 and env_db.exists()


def run_module(*args: object, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commstats", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_commands_through_a_real_subprocess(empty_url, tmp_path):
    """`python -m commstats` as cron runs it: --db wins over the environment, exit status, stderr."""
    env_db = tmp_path / "khong-duoc-dung.db"
    env = {**os.environ, "COMMSTATS_DATABASE_URL": f"sqlite:///{env_db}", "PYTHONIOENCODING": "utf-8"}
    good = write(tmp_path / "thang-7.csv", GOOD_ROWS)
    bad = write(tmp_path / "loi.csv", [("2019-07", "portal_postz", "", 1, "")])
    out = tmp_path / "xuat.csv"

    imported = run_module("import", good, bad, "--db", empty_url, "--lang", "en", env=env)
    assert imported.returncode == 1, imported.stderr
    assert "thang-7.csv: loaded batch #" in imported.stdout
    assert "loi.csv: rejected with 1 problems" in imported.stderr
    assert "row 2, column metric (“portal_postz”): Unknown metric code" in imported.stderr
    exported = run_module("export", "--out", out, "--db", empty_url, env=env)
    assert exported.returncode == 0 and "Đã xuất 6 dòng" in exported.stdout, exported.stderr

    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "Trà Vinh" in out.read_text(encoding="utf-8-sig")
    assert not env_db.exists()
    engine = make_engine(empty_url)
    assert observations(engine) == GOOD_OBSERVATIONS
    engine.dispose()


@pytest.mark.parametrize("command", ["init", "metrics", "import", "export", "units"])
def test_every_command_has_bilingual_help(command):
    result = cli(command, "--help")
    assert result.exit_code == 0 and "/" in result.stdout
