"""Predecessors worked out from the unit list agree with the recursive query, on chains and cycles."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from commstats import queries
from commstats.bootstrap import add_unit
from commstats.db import session_scope
from commstats.models import Unit
from commstats.units import with_predecessors

# code: the unit it was merged into
MERGERS = {"xa-a": "huyen-b", "huyen-b": "tinh-c", "xa-d": "tinh-c", "vong-e": "vong-f", "vong-f": "vong-e"}


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
    assert found == sorted(found) == queries.unit_ids_with_predecessors(merged_engine, codes)
