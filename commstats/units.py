"""Units and their mergers, worked out from the unit list the dashboard and the draft read anyway.

Every merger rule lives here: whose history a unit carries, which mergers a chart marks, which units are
still reporting, and from which month a merged-away unit takes no figures (imports refuse them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # queries builds on this module
    from commstats.queries import UnitInfo


@dataclass(frozen=True)
class Merger:
    """`absorbed` was merged into `into` on `on`; charts of the combined units mark that date."""

    on: dt.date
    absorbed: str
    into: str


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


def as_they_were(
    units: Sequence[UnitInfo], codes: Sequence[str], with_figures: Collection[int], end: dt.date
) -> tuple[list[UnitInfo], list[UnitInfo]]:
    """(named, predecessors) for the heading of a period ending in month `end`: the units as they were then.

    A period that ended before every merger into the chosen units names the units that reported in it (the
    draft of 2019 on Vĩnh Long is Trà Vinh's); one that spans a merger names the chosen units and the merged
    ones whose figures it includes. `with_figures`: the ids of the units with figures in the period."""
    chosen = [u for u in units if u.code in codes]
    chosen_ids = {u.id for u in chosen}
    included = set(with_predecessors(units, codes)) - chosen_ids
    earlier = [u for u in units if u.id in included and u.id in with_figures]
    if earlier and all(u.merged_on is not None and u.merged_on > end for u in earlier):
        return [u for u in chosen if u.id in with_figures] + earlier, []
    return chosen, earlier


def survivors(units: Sequence[UnitInfo]) -> list[UnitInfo]:
    """The units not merged into another (the ones that still report)."""
    return [u for u in units if u.merged_into_id is None]


def mergers_within(units: Sequence[UnitInfo], unit_ids: Sequence[int], lang: str = "vi") -> list[Merger]:
    """The mergers among the chosen units (a predecessor and its successor both included)."""
    by_id = {u.id: u for u in units}
    found = []
    for unit in units:
        successor = unit.merged_into_id
        if unit.id in unit_ids and successor is not None and successor in unit_ids and unit.merged_on:
            found.append(Merger(unit.merged_on, unit.name(lang), by_id[successor].name(lang)))
    return sorted(found, key=lambda m: m.on)


def merged_away(units: Sequence[UnitInfo], codes: Sequence[str]) -> list[tuple[UnitInfo, UnitInfo]]:
    """(unit, successor) for each chosen unit merged into a successor that is not chosen."""
    by_id = {u.id: u for u in units}
    found = []
    for unit in units:
        successor = by_id.get(unit.merged_into_id) if unit.merged_into_id is not None else None
        if unit.code in codes and successor is not None and successor.code not in codes and unit.merged_on:
            found.append((unit, successor))
    return found


def reporting_ends(units: Sequence[UnitInfo]) -> dict[str, tuple[dt.date, str]]:
    """Unit code -> (merger date, successor code): from that date on the unit takes no figures."""
    by_id = {u.id: u for u in units}
    return {
        u.code: (u.merged_on, by_id[u.merged_into_id].code)
        for u in units
        if u.merged_into_id in by_id and u.merged_on is not None and u.merged_into_id is not None
    }


def area_on_map(area: str, map_: str, month: dt.date, successors: dict[str, str], effective: dt.date) -> str | None:
    """The province a figure of `month` stored for a unit of `area` counts in on `map_` ("63" or "34"), or None
    when that map has no such province for that month.

    The 34 map carries history across: an old province's figures, before and after the merger, go to the new
    province it became part of (`successors`: old area code → new area code). The 63 map stops at the merger:
    from `effective` on an old province is not available, and a new province has no split into the old ones.
    """
    on_new = area.startswith("34-")
    if map_ == "34":
        return area if on_new else successors.get(area)
    if on_new or month >= effective:
        return None
    return area
