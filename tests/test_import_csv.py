"""CSV import that works: one batch with provenance, idempotent re-imports, revisions, dry runs,
period spellings and every encoding Vietnamese offices produce (checked on every backend)."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from commstats.bootstrap import add_unit
from commstats.models import ImportBatch, Observation, Revision
from etl.pipeline import import_content, import_path
from tests.dbstate import row_counts, snapshot
from tests.importfiles import GOOD_OBSERVATIONS, GOOD_ROWS, csv_text, observations, to_windows_1258


def test_valid_file_loads_as_one_batch_with_provenance(empty_engine):
    content = csv_text(GOOD_ROWS).encode("utf-8")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)

    report = import_content(empty_engine, content, "thang-7.csv")

    assert report.ok, report.summary("en")
    assert (report.result.inserted, report.result.updated, report.result.unchanged) == (6, 0, 0)
    assert observations(empty_engine) == GOOD_OBSERVATIONS
    with empty_engine.connect() as conn:
        batch = conn.execute(select(ImportBatch)).one()
        batch_ids = set(conn.execute(select(Observation.batch_id)).scalars())
    assert batch.id == report.result.batch_id and batch_ids == {batch.id}
    assert (batch.source_kind, batch.source_name, batch.status) == ("csv", "thang-7.csv", "loaded")
    assert batch.sha256 == hashlib.sha256(content).hexdigest()
    assert (batch.rows_read, batch.rows_inserted, batch.rows_updated, batch.rows_unchanged) == (6, 6, 0, 0)
    assert before <= batch.started_at <= batch.finished_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert report.summary() == f"thang-7.csv: đã nạp lô #{batch.id}: 6 giá trị mới, 0 giá trị sửa, 0 không đổi."
    assert report.summary("en") == f"thang-7.csv: loaded batch #{batch.id}: 6 new, 0 changed, 0 unchanged."


def test_reimporting_the_same_file_changes_nothing_and_says_so(empty_engine):
    content = csv_text(GOOD_ROWS).encode("utf-8")
    assert import_content(empty_engine, content, "thang-7.csv").ok
    before = snapshot(empty_engine)

    again = import_content(empty_engine, content, "thang-7.csv")

    assert again.ok and again.result.batch_id is None
    assert (again.result.inserted, again.result.updated, again.result.unchanged) == (0, 0, 6)
    assert again.summary() == "thang-7.csv: không có gì thay đổi (6 giá trị đã có sẵn), không tạo lô mới."
    assert "nothing changed" in again.summary("en") and "no batch created" in again.summary("en")
    assert snapshot(empty_engine) == before


def test_a_changed_value_updates_the_figure_and_records_a_revision(empty_engine):
    first = import_content(empty_engine, csv_text(GOOD_ROWS).encode(), "thang-7.csv")
    changed_rows = [(*row[:3], 35 if row[1:3] == ("portal_posts", "vi") else row[3], row[4]) for row in GOOD_ROWS]

    second = import_content(empty_engine, csv_text(changed_rows).encode(), "thang-7-dinh-chinh.csv")

    assert second.ok and second.result.batch_id not in (None, first.result.batch_id)
    assert (second.result.inserted, second.result.updated, second.result.unchanged) == (0, 1, 5)
    with empty_engine.connect() as conn:
        revision = conn.execute(select(Revision)).one()
        observation = conn.execute(select(Observation).where(Observation.id == revision.observation_id)).one()
        batches = conn.execute(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert (revision.old_value, revision.new_value, revision.batch_id) == (33, 35, second.result.batch_id)
    assert (observation.value, observation.batch_id) == (35, second.result.batch_id)
    assert [b.source_name for b in batches] == ["thang-7.csv", "thang-7-dinh-chinh.csv"]
    assert (batches[1].rows_updated, batches[1].rows_unchanged) == (1, 5)
    expected = {o if o[1:4] != ("portal_posts", "2019-07-01", "vi") else (*o[:4], 35, o[5]) for o in GOOD_OBSERVATIONS}
    assert observations(empty_engine) == expected


def test_dry_run_validates_and_writes_nothing(empty_engine):
    before = snapshot(empty_engine)
    report = import_content(empty_engine, csv_text(GOOD_ROWS).encode(), "thang-7.csv", dry_run=True)
    assert report.ok and report.result.dry_run and report.result.inserted == 6
    assert "chạy thử" in report.summary() and "Chưa ghi gì" in report.summary()
    assert "Nothing saved" in report.summary("en")
    assert snapshot(empty_engine) == before


@pytest.mark.parametrize(
    "written", ["2019-07", "07/2019", "7/2019", "tháng 7/2019", "Tháng 07/2019", "2019-7", " 2019-07 ", "07.2019"]
)
def test_every_documented_period_spelling_means_july_2019(empty_engine, written):
    report = import_content(empty_engine, csv_text([(written, "portal_audio", "", 14, "")]).encode(), "ky.csv")
    assert report.ok, report.summary("en")
    assert observations(empty_engine) == {("test-unit", "portal_audio", "2019-07-01", "", 14, "")}


def test_thousands_separators_and_member_names_are_understood(empty_engine):
    rows = [("2019-07", "portal_posts", "tiếng Khmer", "2.682.057", ""), ("2019-07", "portal_posts", "English", 5, "")]
    report = import_content(empty_engine, csv_text(rows).encode(), "so-lon.csv")
    assert report.ok, report.summary("en")
    assert {(o[3], o[4]) for o in observations(empty_engine)} == {("km", 2682057), ("en", 5)}


def test_semicolon_and_tab_separated_files_load_too(empty_engine):
    text = csv_text(GOOD_ROWS).replace(",", ";").replace("Số liệu tháng 7;", "Số liệu tháng 7,")
    assert import_content(empty_engine, text.encode(), "cham-phay.csv").ok
    assert len(observations(empty_engine)) == 6


ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "utf-16-le-bom": lambda text: text.encode("utf-16"),  # Excel's "Unicode text"
    "utf-16-be-bom": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "windows-1258": to_windows_1258,
    "utf-8-decomposed": lambda text: unicodedata.normalize("NFD", text).encode("utf-8"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encodings_are_detected_and_text_normalised_to_nfc(empty_engine, encoding):
    content = ENCODINGS[encoding](csv_text(GOOD_ROWS))
    report = import_content(empty_engine, content, f"{encoding}.csv")
    assert report.ok, report.summary("en")
    found = observations(empty_engine)
    assert found == GOOD_OBSERVATIONS
    assert all(unicodedata.is_normalized("NFC", note) for *_, note in found)


def test_windows_1258_named_with_encoding_option_and_member_names_match_after_nfc(empty_engine):
    """Windows-1258 writes tones as combining marks: "tiếng Việt" must still find member `vi`."""
    rows = [("tháng 7/2019", "portal_posts", "tiếng Việt", 33, "Đăng tin, bài tiếng Việt")]
    content = to_windows_1258(csv_text(rows))
    assert b"ti\xea\xecng Vi\xea\xf2t" in content  # ê + combining acute, ê + combining dot below
    report = import_content(empty_engine, content, "cp1258.csv", encoding="cp1258")
    assert report.ok, report.summary("en")
    assert observations(empty_engine) == {
        ("test-unit", "portal_posts", "2019-07-01", "vi", 33, "Đăng tin, bài tiếng Việt")
    }


def test_unit_column_and_default_unit(empty_engine):
    add_unit(empty_engine, "vinhlong", "Sở Thông tin và Truyền thông Vĩnh Long")
    rows = [("2019-07", "portal_audio", "", 14, "test-unit", ""), ("2019-07", "portal_audio", "", 9, "vinhlong", "")]
    header = ("period", "metric", "member", "value", "unit", "note")
    assert import_content(empty_engine, csv_text(rows, header).encode(), "hai-don-vi.csv").ok
    no_unit_column = csv_text([("2019-08", "portal_audio", "", 7, "")]).encode()
    assert import_content(empty_engine, no_unit_column, "mot-don-vi.csv", unit="vinhlong").ok
    assert {(o[0], o[2], o[4]) for o in observations(empty_engine)} == {
        ("test-unit", "2019-07-01", 14),
        ("vinhlong", "2019-07-01", 9),
        ("vinhlong", "2019-08-01", 7),
    }


def test_new_component_site_becomes_a_member(empty_engine):
    rows = [("2019-07", "sites_posts", "xa-moi", 12, ""), ("2019-07", "sites_posts", "cau-ke", 30, "")]
    assert import_content(empty_engine, csv_text(rows).encode(), "trang-tin.csv").ok
    assert {(o[3], o[4]) for o in observations(empty_engine)} == {("xa-moi", 12), ("cau-ke", 30)}
    counts = row_counts(snapshot(empty_engine))
    assert import_content(empty_engine, csv_text(rows).encode(), "trang-tin.csv").result.batch_id is None
    assert row_counts(snapshot(empty_engine)) == counts


COMMITTED = Path(__file__).parent / "fixtures" / "import"


@pytest.mark.parametrize("name", ["thang-7-utf8-bom.csv", "thang-7-cp1258.csv", "thang-7-utf16.csv"])
def test_committed_fixture_files_load_to_the_same_observations(empty_engine, name):
    report = import_path(empty_engine, COMMITTED / name)
    assert report.ok, report.summary("en")
    assert observations(empty_engine) == GOOD_OBSERVATIONS
    assert report.summary().startswith(f"{COMMITTED / name}: đã nạp lô #")


def test_committed_file_with_several_problems_lists_every_one(empty_engine):
    before = snapshot(empty_engine)
    report = import_path(empty_engine, COMMITTED / "nhieu-loi.csv")
    assert [(p.row, p.column, p.key) for p in report.problems] == [
        (3, "period", "bad_period"),
        (4, "metric", "unknown_metric_close"),
        (4, "value", "negative_value"),
        (5, "member", "unknown_member"),
        (5, "value", "not_a_number"),
    ]
    assert snapshot(empty_engine) == before
