"""`python -m commstats remind` and `send` against a real SMTP server on 127.0.0.1 (aiosmtpd): recipients,
Vietnamese subjects and bodies, a .docx that python-docx reads and a PDF (LibreOffice) that pypdf reads; a server
that refuses or times out is reported with a non-zero exit and nothing is marked sent."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from commstats import auth
from commstats.cli import app
from commstats.config import SmtpSettings
from commstats.cycle import mail, reads, rounds
from commstats.cycle.messages import CycleError
from commstats.db import make_engine
from commstats.models import ReportRound, RoundSection
from tests.cyclehelp import SECTIONS, UNIT, fill_and_submit, principal
from tests.smtpserver import free_port, silent_server, smtp_server

runner = CliRunner()


def smtp_env(monkeypatch, port: int, timeout: str = "20") -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COMMSTATS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("COMMSTATS_SMTP_PORT", str(port))
    monkeypatch.setenv("COMMSTATS_SMTP_STARTTLS", "off")  # the test server speaks plain SMTP on loopback
    monkeypatch.setenv("COMMSTATS_SMTP_FROM", "thongke@stttt.example.gov.vn")
    monkeypatch.setenv("COMMSTATS_SMTP_TIMEOUT", timeout)
    monkeypatch.setenv("COMMSTATS_BASE_URL", "https://thongke.example.gov.vn")


def run(url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--db", url])


def due_round(url: str) -> None:
    """A round of next month with one section on a person and one on a department, both with e-mails."""
    engine = make_engine(url)
    auth.create_user(engine, "lan", None, actor="test", display_name="Nguyễn Thị Lan", email="lan@example.gov.vn")
    admin = principal(engine, "admin")
    rounds.save_department(engine, admin, UNIT, "xuatban", "Phòng Xuất bản", email="xuatban@example.gov.vn")
    rounds.open_round(engine, admin, UNIT, "2026-12")
    rounds.assign_section(engine, admin, UNIT, "2026-12", "portal", username="lan")
    rounds.assign_section(engine, admin, UNIT, "2026-12", "publishing", department="xuatban")
    engine.dispose()


def test_remind_emails_the_assignees_of_due_sections(demo_url, monkeypatch):
    due_round(demo_url)
    with smtp_server() as (port, mailbox):
        smtp_env(monkeypatch, port)
        result = run(demo_url, "remind", "--days", "30")
    assert result.exit_code == 0, result.output
    assert "Đã gửi 2 thư nhắc (2 phần đến hạn hoặc trễ hạn)." in result.output
    assert "chưa giao cho ai có e-mail" in result.output  # the unassigned sections are named
    by_rcpt = {tuple(m.recipients): m.message for m in mailbox.messages}
    assert set(by_rcpt) == {("lan@example.gov.vn",), ("xuatban@example.gov.vn",)}
    lan = by_rcpt[("lan@example.gov.vn",)]
    assert (
        lan["Subject"]
        == "[Nhắc hạn] Báo cáo tháng 12/2026 – Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu): 1 phần cần nộp"
    )
    body = lan.get_content()
    assert body.startswith("Kính gửi Nguyễn Thị Lan,")
    assert "- Cổng thông tin điện tử: hạn 15/12/2026, còn" in body
    assert "https://thongke.example.gov.vn/entry?unit=travinh-demo&month=2026-12&section=portal" in body
    assert "Xuất bản, in" in by_rcpt[("xuatban@example.gov.vn",)].get_content()
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        reminded = conn.execute(select(RoundSection.code).where(RoundSection.reminded_at.is_not(None))).scalars()
        assert sorted(reminded) == ["portal", "publishing"]
    engine.dispose()


def test_a_refusing_or_silent_server_is_reported_and_nothing_is_marked(demo_url, monkeypatch):
    due_round(demo_url)
    smtp_env(monkeypatch, free_port())  # nothing listens there: connection refused
    refused = run(demo_url, "remind", "--days", "30")
    assert refused.exit_code == 1
    assert "Không gửi được thư qua 127.0.0.1" in refused.output and "Không đánh dấu đã gửi" in refused.output
    with silent_server() as port:
        smtp_env(monkeypatch, port, timeout="1")
        silent = run(demo_url, "remind", "--days", "30", "--lang", "en")
    assert silent.exit_code == 1 and "Could not send mail through 127.0.0.1" in silent.output
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert conn.execute(select(RoundSection.id).where(RoundSection.reminded_at.is_not(None))).first() is None
    engine.dispose()


def approved_july(url: str) -> None:
    engine = make_engine(url)
    editor = principal(engine, "editor")
    rounds.open_round(engine, editor, UNIT, "2019-07")
    fill_and_submit(engine, editor, "2019-07", "2019-07")
    rounds.approve_round(engine, principal(engine, "leader", "giamdoc"), UNIT, "2019-07")
    rounds.subscribe(engine, editor, UNIT, "giamdoc@example.gov.vn", "Giám đốc Sở")
    rounds.subscribe(engine, editor, UNIT, "minister@example.gov.vn", "Ministry", lang="en")
    engine.dispose()


def test_send_emails_the_approved_report_as_docx_and_pdf(demo_url, monkeypatch):
    approved_july(demo_url)
    with smtp_server() as (port, mailbox):
        smtp_env(monkeypatch, port)
        result = run(demo_url, "send")
        again = run(demo_url, "send")
    assert result.exit_code == 0, result.output
    assert "Đã gửi báo cáo 2019-07 của đơn vị travinh-demo đến 2 người nhận." in result.output
    assert again.exit_code == 0 and "Không có báo cáo đã duyệt nào chờ gửi." in again.output
    assert len(mailbox.messages) == 2
    by_rcpt = {m.recipients[0]: m.message for m in mailbox.messages}
    vi = by_rcpt["giamdoc@example.gov.vn"]
    assert vi["Subject"] == "Báo cáo tháng 7/2019 – Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu) (đã duyệt)"
    assert vi.get_body(preferencelist=("plain",)).get_content().startswith("Kính gửi Giám đốc Sở,")
    files = {part.get_filename(): part.get_content() for part in vi.iter_attachments()}
    assert set(files) == {"bao-cao-travinh-demo-2019-07.docx", "bao-cao-travinh-demo-2019-07.pdf"}
    words = "\n".join(p.text for p in Document(io.BytesIO(files["bao-cao-travinh-demo-2019-07.docx"])).paragraphs)
    assert "Số liệu đã chốt ngày" in words and "Đăng 33 tin, bài tiếng Việt" in words
    reader = PdfReader(io.BytesIO(files["bao-cao-travinh-demo-2019-07.pdf"]))
    pdf = "\n".join(page.extract_text() for page in reader.pages)
    assert "TRÀ VINH" in pdf and "Số liệu đã chốt ngày" in pdf and "Đăng 33 tin, bài tiếng Việt" in pdf
    en = by_rcpt["minister@example.gov.vn"]
    assert en["Subject"] == "July 2019 report – Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu) (approved)"
    assert {p.get_filename() for p in en.iter_attachments()} == {
        "report-travinh-demo-2019-07.docx",
        "report-travinh-demo-2019-07.pdf",
    }
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert conn.execute(select(ReportRound.sent_at)).scalar_one() is not None
    engine.dispose()


def test_send_to_a_refusing_server_marks_nothing_sent(demo_url, monkeypatch):
    approved_july(demo_url)
    smtp_env(monkeypatch, free_port())
    result = run(demo_url, "send")
    assert result.exit_code == 1 and "Không gửi được thư" in result.output
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        assert conn.execute(select(ReportRound.sent_at)).scalar_one() is None
    assert reads.rounds(engine, [reads.round_for(engine, UNIT, "2019-07").unit_id])[0].sent_at is None  # type: ignore[union-attr]
    engine.dispose()


def test_commands_need_the_role_and_configured_smtp(demo_url, monkeypatch):
    due_round(demo_url)
    engine = make_engine(demo_url)
    auth.create_user(engine, "xem", "mat-khau-xem-2026", actor="test")
    auth.grant(engine, "xem", "viewer", UNIT, actor="test")
    engine.dispose()
    smtp_env(monkeypatch, free_port())
    denied = run(demo_url, "remind", "--unit", UNIT, "--user", "xem")
    assert denied.exit_code == 2 and "không có quyền" in denied.output
    monkeypatch.delenv("COMMSTATS_SMTP_HOST")
    with pytest.raises(CycleError) as missing:
        mail.deliver([mail.Outgoing("a@example.vn", "x", "y")], SmtpSettings())
    assert missing.value.key == "smtp_not_configured"
    approve = run(demo_url, "cycle", "approve", "--unit", UNIT, "--period", "2026-12")
    assert approve.exit_code == 2 and f"Chưa duyệt được: còn {SECTIONS} phần chưa nộp" in approve.output
