"""Predecessors worked out from the unit list agree with a recursive SQL query, on chains and cycles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, select, update

from commstats import queries
from commstats.bootstrap import add_unit
from commstats.db import session_scope
from commstats.models import Unit
from commstats.units import as_they_were, with_predecessors

# code: the unit it was merged into
MERGERS = {"xa-a": "huyen-b", "huyen-b": "tinh-c", "xa-d": "tinh-c", "vong-e": "vong-f", "vong-f": "vong-e"}


def recursive_query(engine, codes):  # type: ignore[no-untyped-def]
    """The independent oracle: a recursive CTE over the merger links (UNION, so a cycle ends)."""
    chosen = select(Unit.id).where(Unit.code.in_(bindparam("codes", expanding=True))).cte("chosen", recursive=True)
    chosen = chosen.union(select(Unit.id).join(chosen, Unit.merged_into_id == chosen.c.id))
    with engine.connect() as conn:
        return list(conn.execute(select(chosen.c.id).order_by(chosen.c.id), {"codes": list(codes)}).scalars())


@pytest.fixture
def merged_engine(empty_engine):
    ids = {code: add_unit(empty_engine, code, code).id for code in [*MERGERS, "tinh-c", "le-g"]}
    with session_scope(empty_engine) as session:
        for code, into in MERGERS.items():
            session.execute(
                update(Unit).where(Unit.id == ids[code]).values(merged_into_id=ids[into], merged_on=dt.date(2025, 7, 1))
            )
    return empty_engine


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["tinh-c"], {"tinh-c", "huyen-b", "xa-a", "xa-d"}),  # two levels, two branches
        (["huyen-b"], {"huyen-b", "xa-a"}),
        (["xa-a", "le-g"], {"xa-a", "le-g"}),
        (["vong-e"], {"vong-e", "vong-f"}),  # a cycle ends
        (["khong-co"], set()),
        ([], set()),
    ],
)
def test_with_predecessors_agrees_with_the_recursive_query(merged_engine, codes, expected):
    units = queries.units(merged_engine)
    code_of = {u.id: u.code for u in units}
    found = with_predecessors(units, codes)
    assert {code_of[i] for i in found} == expected
    assert found == sorted(found) == recursive_query(merged_engine, codes)
    assert queries.unit_ids_with_predecessors(merged_engine, codes) == found


def _unit(unit_id: int, code: str, into: int | None = None, on: dt.date | None = None) -> queries.UnitInfo:
    return queries.UnitInfo(unit_id, code, code, code, False, into, on, 0)


# A merged into C in 2020, B into C in 2025; C reports from 2018.
CHAIN = [
    _unit(1, "a", 3, dt.date(2020, 1, 1)),
    _unit(2, "b", 3, dt.date(2025, 7, 1)),
    _unit(3, "c"),
]


@pytest.mark.parametrize(
    ("with_figures", "end", "named", "predecessors"),
    [
        ({1, 2}, dt.date(2017, 12, 1), ["a", "b"], []),  # before every merger: the units as they were
        ({1, 2, 3}, dt.date(2019, 12, 1), ["c", "a", "b"], []),
        ({2, 3}, dt.date(2024, 12, 1), ["c", "b"], []),  # A long gone; B not merged yet
        ({2, 3}, dt.date(2025, 12, 1), ["c"], ["b"]),  # the year of B's merger: C, with B's figures
        ({1, 2, 3}, dt.date(2020, 12, 1), ["c"], ["a", "b"]),
        ({3}, dt.date(2026, 1, 1), ["c"], []),
        (set(), dt.date(2031, 1, 1), ["c"], []),  # no figures at all: the chosen unit
    ],
)
def test_headings_name_the_units_as_they_were(with_figures, end, named, predecessors):
    got = as_they_were(CHAIN, ["c"], with_figures, end)
    assert ([u.code for u in got[0]], [u.code for u in got[1]]) == (named, predecessors)
