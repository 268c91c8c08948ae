"""The report as the cycle sees it: a draft marked preliminary ("số liệu sơ bộ") until its round is approved,
with the adjustments to locked figures listed ("số liệu điều chỉnh"); and the approved report as the .docx of
commstats.narrative plus a PDF converted by LibreOffice, for delivery."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Engine

from commstats.cycle.messages import CycleError, cycle_text
from commstats.cycle.reads import RoundRow, adjustments_for, rounds_of_period
from commstats.narrative.compose import Draft, DraftParagraph, DraftSection
from commstats.numbers import format_count
from commstats.periods import Period

SOFFICE = "soffice"
SOFFICE_TIMEOUT = 180  # seconds; the first start of LibreOffice on a cold machine is slow


def _status_note(rounds: list[RoundRow], period: Period, lang: str) -> str:
    if not rounds:
        return ""  # no round for this period: a plain draft, as before the cycle existed
    if any(r.status != "approved" for r in rounds):
        return cycle_text("preliminary", lang, period=period.name(lang))
    last = max(rounds, key=lambda r: r.approved_at or r.deadline)
    date = last.approved_at.strftime("%d/%m/%Y") if last.approved_at else ""
    return cycle_text("approved_note", lang, date=date, by=last.approved_by or "-")


def _adjustments(engine: Engine, unit_ids: Sequence[int], period: Period, lang: str) -> DraftSection | None:
    rows = adjustments_for(engine, unit_ids, period, lang)
    if not rows:
        return None
    paragraphs = []
    for number, row in enumerate(rows, start=1):
        month = Period("month", row.period.year, row.period.month).name(lang)
        old = format_count(row.old_value, lang) if row.old_value is not None else cycle_text("adjustment_new", lang)
        text = cycle_text(
            "adjustment_line",
            lang,
            metric=row.metric_name,
            member=f" ({row.member_name})" if row.member_name else "",
            month=month,
            old=old,
            new=format_count(row.new_value, lang),
            unit_word=row.unit_word,
            reason=row.reason,
        )
        paragraphs.append(DraftParagraph(f"adjustment-{number}", text))
    return DraftSection("adjustments", cycle_text("adjustments_title", lang), tuple(paragraphs))


def mark_draft(engine: Engine, draft: Draft, unit_ids: Sequence[int], period: Period) -> Draft:
    """The draft with its round's status first among the notes and the adjustments as a last section."""
    note = _status_note(rounds_of_period(engine, unit_ids, period.key), period, draft.lang)
    adjustments = _adjustments(engine, unit_ids, period, draft.lang)
    if not note and adjustments is None:
        return draft
    notes = (note, *draft.notes) if note else draft.notes
    sections = (*draft.sections, adjustments) if adjustments is not None else draft.sections
    return replace(draft, notes=notes, sections=sections)


@dataclass(frozen=True)
class ReportFiles:
    name: str  # file name without suffix
    docx: bytes
    pdf: bytes


def docx_to_pdf(docx: bytes, name: str = "bao-cao") -> bytes:
    """Convert with LibreOffice (`soffice --headless --convert-to pdf`) in a private folder and profile, so
    that two conversions at once (or a user's open LibreOffice) do not collide."""
    with tempfile.TemporaryDirectory(prefix="commstats-pdf-") as folder:
        source = Path(folder) / f"{name}.docx"
        source.write_bytes(docx)
        profile = (Path(folder) / "profile").as_uri()
        command = [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise CycleError("pdf_failed", detail=str(error)) from None
        target = source.with_suffix(".pdf")
        if done.returncode != 0 or not target.is_file():
            detail = (done.stderr or done.stdout).decode(errors="replace").strip()[:300] or f"exit {done.returncode}"
            raise CycleError("pdf_failed", detail=detail)
        return target.read_bytes()


def report_files(engine: Engine, found: RoundRow, lang: str = "vi") -> ReportFiles:
    """The approved report of a round: the draft .docx (marked and with its adjustments) and its PDF."""
    from commstats.narrative import draft_report
    from commstats.narrative.document import to_docx_bytes

    draft = draft_report(engine, [found.unit_code], found.period, lang)
    docx = to_docx_bytes(draft)
    name = (
        f"bao-cao-{found.unit_code}-{found.period_key}"
        if lang == "vi"
        else f"report-{found.unit_code}-{found.period_key}"
    )
    return ReportFiles(name, docx, docx_to_pdf(docx, name))
