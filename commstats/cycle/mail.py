"""E-mail for the cycle: reminders to the people whose sections are due or late, and the approved report to
its subscribers. One SMTP connection per run (STARTTLS and login as configured); the password is read from
the environment or .streamlit/secrets.toml at the moment of sending and is never stored. A server that
refuses or does not answer within the timeout raises CycleError("smtp_failed") and the caller marks nothing
as sent."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlencode

from sqlalchemy import Engine

from commstats.config import SmtpSettings, get_settings, smtp_password
from commstats.cycle import reads, rounds
from commstats.cycle.messages import CycleError, cycle_text
from commstats.cycle.report import ReportFiles, report_files
from commstats.periods import month_key

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
PDF_TYPE = ("application", "pdf")


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes, tuple[str, str]], ...] = ()


def _message(settings: SmtpSettings, item: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("commstats", settings.from_address or "commstats@localhost"))
    message["To"] = item.to
    message["Subject"] = item.subject
    message["Message-ID"] = make_msgid(domain="commstats")
    message.set_content(item.body, charset="utf-8")
    for filename, content, (main, sub) in item.attachments:
        message.add_attachment(content, maintype=main, subtype=sub, filename=filename)
    return message


def deliver(items: Sequence[Outgoing], settings: SmtpSettings | None = None) -> None:
    """Send every message over one connection, or raise CycleError("smtp_failed") naming the server."""
    smtp = settings or get_settings().smtp
    if not smtp.configured:
        raise CycleError("smtp_not_configured")
    if not items:
        return
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp_password())
            for item in items:
                client.send_message(_message(smtp, item))
    except (smtplib.SMTPException, OSError) as error:  # refused, timed out, TLS or login failure
        detail = str(error) or type(error).__name__
        raise CycleError("smtp_failed", host=smtp.host, port=smtp.port, detail=detail) from None


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class RemindOutcome:
    sent: int = 0  # messages
    sections: int = 0  # sections reminded
    unaddressed: list[str] = field(default_factory=list)  # sections nobody with an e-mail is assigned to


def _entry_link(base_url: str, found: reads.RoundRow, section: reads.SectionRow) -> str:
    if not base_url or section.kind != "metrics":
        return ""
    query = urlencode({"unit": found.unit_code, "month": month_key(found.period.end), "section": section.code})
    return f"{base_url}/entry?{query}"


def _reminder(found: reads.RoundRow, sections: list[reads.SectionRow], base_url: str, lang: str) -> Outgoing:
    period = found.period.name(lang)
    lines = [cycle_text("remind_greeting", lang, name=sections[0].assignee or cycle_text("recipient_default", lang))]
    lines += ["", cycle_text("remind_intro", lang, period=period, unit=found.unit_name)]
    for s in sections:
        key = "remind_line_late" if s.days_left < 0 else "remind_line_due"
        lines.append(cycle_text(key, lang, section=s.title, due=s.due.strftime("%d/%m/%Y"), days=abs(s.days_left)))
        if link := _entry_link(base_url, found, s):
            lines.append("  " + cycle_text("remind_link", lang, url=link))
    lines += ["", cycle_text("remind_footer", lang)]
    subject = cycle_text("remind_subject", lang, period=period, unit=found.unit_name, count=len(sections))
    return Outgoing(sections[0].email, subject, "\n".join(lines))


def remind(
    engine: Engine,
    unit_ids: Sequence[int],
    *,
    actor: str,
    within_days: int = 3,
    today: dt.date | None = None,
    lang: str = "vi",
    settings: SmtpSettings | None = None,
) -> RemindOutcome:
    """E-mail each assignee the sections of open rounds due within `within_days` days or already late."""
    smtp = settings or get_settings().smtp
    outcome = RemindOutcome()
    day = today or dt.date.today()
    batches: list[tuple[reads.RoundRow, list[reads.SectionRow]]] = []
    for found in reads.rounds(engine, unit_ids, today=day, lang=lang, status="open", limit=1000):
        grouped: dict[str, list[reads.SectionRow]] = defaultdict(list)
        for s in found.sections:
            if s.status in ("submitted", "approved") or s.days_left > within_days:
                continue
            if not s.email:
                outcome.unaddressed.append(
                    cycle_text(
                        "reminders_no_address", lang, section=s.title, unit=found.unit_code, period=found.period_key
                    )
                )
                continue
            grouped[s.email].append(s)
        batches += [(found, sections) for sections in grouped.values()]
    if not batches:
        return outcome
    deliver([_reminder(found, sections, smtp.base_url, lang) for found, sections in batches], smtp)
    for found, sections in batches:  # marked only once the server took every message
        rounds.mark_reminded(
            engine, [s.id for s in sections], actor=actor, recipient=sections[0].email, unit_code=found.unit_code
        )
    outcome.sent = len(batches)
    outcome.sections = sum(len(sections) for _found, sections in batches)
    return outcome


# --- delivery of approved reports --------------------------------------------------------------


@dataclass
class SendOutcome:
    sent: list[tuple[str, str, int]] = field(default_factory=list)  # (unit, period, recipients)
    without_subscribers: list[tuple[str, str]] = field(default_factory=list)  # (unit, period)


def _report_message(found: reads.RoundRow, files: ReportFiles, subscriber: reads.Named) -> Outgoing:
    lang = subscriber.lang
    period = found.period.name(lang)
    date = found.approved_at.strftime("%d/%m/%Y") if found.approved_at else ""
    body = cycle_text(
        "send_body",
        lang,
        name=subscriber.name or cycle_text("recipient_default", lang),
        period=period,
        unit=found.unit_name,
        date=date,
        footer=cycle_text("remind_footer", lang),
    )
    attachments = ((f"{files.name}.docx", files.docx, DOCX_TYPE), (f"{files.name}.pdf", files.pdf, PDF_TYPE))
    subject = cycle_text("send_subject", lang, period=period, unit=found.unit_name)
    return Outgoing(subscriber.email, subject, body, attachments)


def send_reports(
    engine: Engine,
    unit_ids: Sequence[int],
    *,
    actor: str,
    settings: SmtpSettings | None = None,
    resend: bool = False,
) -> SendOutcome:
    """E-mail each approved report not sent yet (or again with `resend`) to its unit's subscribers, as .docx
    and .pdf in each subscriber's language. A round is marked sent only after the server took every copy."""
    smtp = settings or get_settings().smtp
    if not smtp.configured:
        raise CycleError("smtp_not_configured")
    outcome = SendOutcome()
    for found in reads.rounds(engine, unit_ids, status="approved", with_sections=False, limit=1000):
        if found.sent_at is not None and not resend:
            continue
        subscribers = reads.subscribers(engine, found.unit_id)
        if not subscribers:
            outcome.without_subscribers.append((found.unit_code, found.period_key))
            continue
        files = {lang: report_files(engine, found, lang) for lang in {s.lang for s in subscribers}}
        deliver([_report_message(found, files[s.lang], s) for s in subscribers], smtp)
        rounds.mark_sent(engine, found.id, actor=actor, recipients=[s.email for s in subscribers])
        outcome.sent.append((found.unit_code, found.period_key, len(subscribers)))
    return outcome
