"""Narrative blocks: the texts of a report that figures cannot give, written by editors per unit and period.

Each save adds a version (nothing is overwritten) and an audit event in the same transaction. A new period
can start from the previous period's blocks (carried over, then edited). Reads live in commstats.queries.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from commstats import audit
from commstats.db import session_scope
from commstats.models import NarrativeBlock, Unit
from commstats.periods import Period

# The blocks of a report, in the order of the document (codes are stored; labels live in ui/labels).
KINDS: tuple[str, ...] = (
    "governing_body",  # UBND TỈNH TRÀ VINH
    "number",  # Số: …/BC-STTTT
    "place",  # Trà Vinh
    "highlights",  # the key tasks of the period, before the figures
    "assessment",  # overall assessment
    "difficulties",  # difficulties and shortcomings
    "tasks",  # tasks of the next period
    "recommendations",  # proposals and recommendations
    "recipients",  # Nơi nhận
    "signer_title",  # KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC
    "signer_name",
)
# Blocks that stay from one period to the next (letterhead, recipients, signature) are carried over too.
MAX_TEXT = 20_000


class BlockError(ValueError):
    """A block that cannot be saved (unknown kind, too long, unknown unit)."""


def _unit_id(session: Session, unit_code: str) -> int:
    unit_id = session.scalar(select(Unit.id).where(Unit.code == unit_code))
    if unit_id is None:
        raise BlockError(f"unknown unit {unit_code!r}")
    return unit_id


def _latest(session: Session, unit_id: int, period_key: str, kind: str) -> NarrativeBlock | None:
    return session.scalar(
        select(NarrativeBlock)
        .where(NarrativeBlock.unit_id == unit_id, NarrativeBlock.period_key == period_key, NarrativeBlock.kind == kind)
        .order_by(NarrativeBlock.version.desc())
        .limit(1)
    )


def _add(session: Session, unit_id: int, period_key: str, kind: str, text: str, actor: str, source: str) -> int:
    latest = session.scalar(
        select(func.max(NarrativeBlock.version)).where(
            NarrativeBlock.unit_id == unit_id, NarrativeBlock.period_key == period_key, NarrativeBlock.kind == kind
        )
    )
    version = (latest or 0) + 1
    session.add(
        NarrativeBlock(
            unit_id=unit_id,
            period_key=period_key,
            kind=kind,
            version=version,
            text=text,
            source=source,
            created_by=actor[:128],
        )
    )
    return version


def save_blocks(engine: Engine, unit_code: str, period: Period, texts: Mapping[str, str], *, actor: str) -> list[str]:
    """Save the blocks whose text changed as new versions; returns the kinds saved. All or nothing."""
    unknown = [k for k in texts if k not in KINDS]
    if unknown:
        raise BlockError(f"unknown block kinds: {', '.join(unknown)} (known: {', '.join(KINDS)})")
    too_long = [k for k, t in texts.items() if len(t) > MAX_TEXT]
    if too_long:
        raise BlockError(f"blocks longer than {MAX_TEXT} characters: {', '.join(too_long)}")
    saved: list[str] = []
    with session_scope(engine) as session:
        unit_id = _unit_id(session, unit_code)
        for kind, text in texts.items():
            clean = text.replace("\r\n", "\n").strip()
            latest = _latest(session, unit_id, period.key, kind)
            if (latest.text if latest else "") == clean:
                continue
            version = _add(session, unit_id, period.key, kind, clean, actor, "edit")
            saved.append(kind)
            audit.record(
                session,
                actor=actor,
                action="narrative",
                unit_code=unit_code,
                target=f"{period.key}/{kind}",
                detail={"version": version, "chars": len(clean)},
            )
    return saved


def carry_over(engine: Engine, unit_code: str, period: Period, *, actor: str) -> list[str]:
    """Start `period` from the previous period's blocks: each kind this period has no text for yet gets the
    previous period's latest text as its first version (source "carried"). Returns the kinds carried."""
    previous = period.previous().key
    carried: list[str] = []
    with session_scope(engine) as session:
        unit_id = _unit_id(session, unit_code)
        for kind in KINDS:
            if _latest(session, unit_id, period.key, kind) is not None:
                continue
            before = _latest(session, unit_id, previous, kind)
            if before is None or not before.text:
                continue
            version = _add(session, unit_id, period.key, kind, before.text, actor, "carried")
            carried.append(kind)
            audit.record(
                session,
                actor=actor,
                action="narrative",
                unit_code=unit_code,
                target=f"{period.key}/{kind}",
                detail={"version": version, "carried_from": previous},
            )
    return carried
