"""Every change of figures records who and when: imports, revisions, manual entry, targets, and the CLI."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from typer.testing import CliRunner

from commstats import audit, auth
from commstats.cli import app
from commstats.db import make_engine
from commstats.models import ImportBatch, Revision
from commstats.queries import units
from etl.entry import entry_frame, save_entry, sections
from etl.pipeline import import_content
from etl.targets import import_targets_content

CSV = "period,metric,member,value\n2019-07,portal_posts,vi,{vi}\n2019-07,portal_audio,,14\n"


def test_import_and_revision_record_who_and_when(empty_engine):
    first = import_content(empty_engine, CSV.format(vi=33).encode(), "thang7.csv", created_by="lan")
    assert first.ok and first.result is not None
    revised = import_content(empty_engine, CSV.format(vi=35).encode(), "thang7-sua.csv", created_by="binh")
    assert revised.ok and revised.result is not None and revised.result.updated == 1
    rejected = import_content(empty_engine, b"period,metric,member,value\n2019-13,x,,1\n", "sai.csv", created_by="chi")
    assert not rejected.ok
    events = audit.events(empty_engine, actions={"import"})
    assert [(e.actor, e.target, e.batch_id) for e in events] == [
        ("binh", "thang7-sua.csv", revised.result.batch_id),
        ("lan", "thang7.csv", first.result.batch_id),
    ]  # newest first; the rejected file left no trace but its message
    assert json.loads(events[0].detail)["updated"] == 1 and events[0].unit_code == "test-unit"
    assert dt.datetime.now(dt.UTC).replace(tzinfo=None) - events[0].at < dt.timedelta(minutes=1)
    with empty_engine.connect() as conn:
        batches = dict(conn.execute(select(ImportBatch.id, ImportBatch.created_by)).all())
        [revision] = conn.execute(select(Revision.old_value, Revision.new_value, Revision.batch_id)).all()
    assert batches == {first.result.batch_id: "lan", revised.result.batch_id: "binh"}
    assert revision == (33, 35, revised.result.batch_id)  # the revision's author is its batch's


def test_manual_entry_is_recorded_as_entry(empty_engine):
    section = sections(empty_engine, "test-unit")[0]
    frame = entry_frame(empty_engine, "test-unit", dt.date(2019, 7, 1), section.code)
    frame.loc[0, "value"] = 7
    outcome = save_entry(empty_engine, "test-unit", dt.date(2019, 7, 1), section.code, frame, created_by="dung")
    assert outcome.ok and outcome.result is not None and outcome.result.batch_id
    [event] = audit.events(empty_engine, actions={"entry"})
    assert event.actor == "dung" and event.batch_id == outcome.result.batch_id and event.unit_code == "test-unit"


def test_target_changes_are_recorded_with_old_and_new_values(empty_engine):
    content = "year,metric,value\n2019,portal_posts,{v}\n"
    assert import_targets_content(empty_engine, content.format(v=800).encode(), "kh.csv", created_by="em").ok
    assert import_targets_content(empty_engine, content.format(v=900).encode(), "kh2.csv", created_by="em").ok
    latest, first = audit.events(empty_engine, actions={"target"})
    assert latest.actor == first.actor == "em"
    assert json.loads(latest.detail)["changes"] == [["test-unit", "portal_posts", 2019, 800, 900]]


def test_cli_import_records_user_or_os_login_and_audit_command_filters(empty_url, tmp_path):
    engine_url = ["--db", empty_url]
    runner = CliRunner()
    assert runner.invoke(app, ["user", "add", "lan", "--generate", *engine_url]).exit_code == 0
    path = tmp_path / "thang7.csv"
    path.write_text(CSV.format(vi=33), encoding="utf-8")
    done = runner.invoke(app, ["import", str(path), "--user", "lan", *engine_url])
    assert done.exit_code == 0, done.output
    path.write_text(CSV.format(vi=34), encoding="utf-8")
    assert runner.invoke(app, ["import", str(path), *engine_url]).exit_code == 0
    unknown = runner.invoke(app, ["import", str(path), "--user", "ghost", *engine_url])
    assert unknown.exit_code == 2 and "ghost" in unknown.output

    listing = runner.invoke(app, ["audit", *engine_url])
    lines = listing.output.splitlines()
    assert listing.exit_code == 0 and len(lines) == 3  # user_add, two imports
    assert audit.os_actor() in lines[0] and "import" in lines[0] and "thang7.csv" in lines[0]
    only_lan = runner.invoke(app, ["audit", "--user", "lan", *engine_url]).output.splitlines()
    assert len(only_lan) == 1 and " lan " in only_lan[0] and "import" in only_lan[0]
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "no events" in runner.invoke(app, ["audit", "--since", tomorrow, *engine_url]).output
    bad = runner.invoke(app, ["audit", "--since", "31/02/2019", *engine_url])
    assert bad.exit_code == 2 and "ngày không hợp lệ" in bad.output and "Traceback" not in bad.output


def test_cli_user_commands(empty_url):
    runner = CliRunner()
    db = ["--db", empty_url]
    added = runner.invoke(
        app,
        ["user", "add", "Hoa", "--name", "Trần Hoa", "--role", "editor", "--unit", "test-unit", *db],
        input="mat-khau-cua-hoa\nmat-khau-cua-hoa\n",
    )
    assert added.exit_code == 0, added.output
    mismatch = runner.invoke(app, ["user", "passwd", "hoa", *db], input="mot-mat-khau-1\nkhac-mat-khau-2\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output
    short = runner.invoke(app, ["user", "passwd", "hoa", *db], input="ngan\nngan\n")
    assert short.exit_code == 1 and "ít nhất 10 ký tự" in short.output
    generated = runner.invoke(app, ["user", "passwd", "hoa", "--generate", *db])
    password = generated.output.split("shown once): ")[1].strip()
    engine = make_engine(empty_url)
    [unit] = units(engine)
    assert auth.authenticate(engine, "hoa", password).can("import", unit.id)
    assert runner.invoke(app, ["user", "grant", "hoa", "analyst", *db]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", *db]).output
    assert "analyst@*" in listed and "editor@test-unit" in listed and "Trần Hoa" in listed
    assert runner.invoke(app, ["user", "disable", "hoa", *db]).exit_code == 0
    assert "[khóa / disabled]" in runner.invoke(app, ["user", "list", *db]).output
    assert auth.principal_for(engine, "hoa") is None
    bad_role = runner.invoke(app, ["user", "grant", "hoa", "owner", *db])
    assert bad_role.exit_code == 1 and "owner" in bad_role.output and "Traceback" not in bad_role.output
    actions = [e.action for e in audit.events(engine, actor=audit.os_actor())]
    assert actions == ["user_disable", "grant", "user_passwd", "grant", "user_add"]
    engine.dispose()


def test_audit_actions_and_details_in_words():
    from commstats.audit import action_text, detail_text

    assert action_text("import") == "Nhập tệp số liệu" and action_text("import", "en") == "File import"
    assert action_text("something_new") == "something_new"
    detail = '{"changes": [1, 2, 3], "inserted": 3, "public_view": true, "updated": 1}'
    assert detail_text(detail) == "Thay đổi: 3 mục · Thêm mới: 3 · Công khai: có · Cập nhật: 1"
    assert detail_text(detail, "en") == "Changes: 3 items · Inserted: 3 · Public: yes · Updated: 1"
    assert detail_text("bản sao lưu hỏng") == "bản sao lưu hỏng"
    # Codes stored as values are named too: an import's counts and kind, a sign-in's method and refusal.
    imported = '{"source_kind": "demo", "inserted": 3, "updated": 0, "unchanged": 5, "sha256": "0123456789abcdef"}'
    assert detail_text(imported) == (
        "Loại nguồn: Dữ liệu mẫu · Thêm mới: 3 · Cập nhật: 0 · Không đổi: 5 · Mã tệp (SHA-256): 0123456789ab"
    )
    refused = '{"method": "password", "client": "127.0.0.1", "reason": "locked", "name_hash": "ab12cd34"}'
    assert detail_text(refused) == (
        "Cách đăng nhập: mật khẩu · Máy truy cập: 127.0.0.1 · Lý do: tạm khoá vì nhập sai nhiều lần"
        " · Mã của tên đã gõ: ab12cd34"
    )
    assert detail_text('{"role": "viewer", "reason": "số liệu nhập nhầm"}') == "Vai trò: xem · Lý do: số liệu nhập nhầm"
