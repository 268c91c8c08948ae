"""Units and their mergers, worked out from the unit list the dashboard and the draft read anyway."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # queries builds on this module
    from commstats.queries import UnitInfo


def with_predecessors(units: Sequence[UnitInfo], codes: Sequence[str]) -> list[int]:
    """The ids of the units named and of every unit merged into them (recursively), ascending; a merger
    cycle ends. Worked out in Python: the unit list is small and already read (and cached by the pages)."""
    absorbed: dict[int, list[int]] = {}
    for unit in units:
        if unit.merged_into_id is not None:
            absorbed.setdefault(unit.merged_into_id, []).append(unit.id)
    found: set[int] = set()
    pending = [unit.id for unit in units if unit.code in set(codes)]
    while pending:
        unit_id = pending.pop()
        if unit_id not in found:
            found.add(unit_id)
            pending.extend(absorbed.get(unit_id, ()))
    return sorted(found)
