"""Demo figures of several provinces, for the provinces page and the national draft (`init --demo --provinces`).

A separate source beside etl/demo.py: it never changes the figures of the demo's two units, it only places
them in their provinces (Trà Vinh among the 63, Vĩnh Long among the 34). Each demo province has, in the style
of 2025, its old Department of Information and Communications (a province of the 63) reporting until June 2025
and a Department of Science and Technology of the new province (of the 34) from July 2025, the old one recorded
as merged into it; some old provinces report without a successor in the demo (Bến Tre: its history goes to
Vĩnh Long on the 34 map by the province mapping alone), one new province has no history (Đồng Tháp), and one
has not sent its last month (Lai Châu), so the completeness column has something to say.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import NamedTuple

from sqlalchemy import Engine, select

from commstats.db import session_scope
from commstats.models import Unit
from commstats.periods import add_months
from commstats.provinces import area_code, load_population, load_provinces
from etl.demo import DEMO_UNIT, LAST_MONTH, MERGED_UNIT
from etl.sources import demo as demo_source
from etl.validate import CleanRow

FIRST_MONTH = dt.date(2023, 1, 1)
MERGER = dt.date(2025, 7, 1)
SEED = 20250701


class DemoProvince(NamedTuple):
    """The old provinces (of the 63) whose departments report until the merger, and whether the new
    department reports from the merger on. The old departments with a new one are merged into it."""

    old: tuple[str, ...]
    new_reports: bool


# New province (34 code) → its demo departments.
PROVINCES: dict[str, DemoProvince] = {
    "01": DemoProvince(("01",), True),  # Hà Nội, not rearranged
    "12": DemoProvince(("12",), True),  # Lai Châu, not rearranged
    "48": DemoProvince(("48", "49"), True),  # Đà Nẵng = Đà Nẵng + Quảng Nam
    "92": DemoProvince(("92", "93", "94"), True),  # Cần Thơ = Cần Thơ + Hậu Giang + Sóc Trăng
    "91": DemoProvince(("89", "91"), True),  # An Giang = An Giang + Kiên Giang
    "82": DemoProvince((), True),  # Đồng Tháp: only the new department
    "86": DemoProvince(("83",), False),  # Vĩnh Long: Bến Tre's old department; the new one is the demo's vinhlong-demo
}
LATE = "34-12"  # has not sent the last month
# Per 100,000 inhabitants a month (flows) or per inhabitant (levels), before each province's own factor.
FLOWS = {"portal_posts": 4.0, "publishing_licences": 0.9, "igate_received": 60.0}
LEVELS = {"sites_count": 3.0, "mobile_subscribers": 125_000.0, "households": 27_000.0}


def _names(new: str, old: str | None) -> tuple[str, str, str]:
    """(code, Vietnamese name, English name) of a demo department: the old province's (of the 63) or the new's."""
    maps = load_provinces()
    if old is None:
        vi, en = next((p.name_vi, p.name_en) for p in maps.new if p.code == new)
        return (
            f"demo-34-{new}",
            f"Sở Khoa học và Công nghệ {vi} (dữ liệu mẫu)",
            f"{en} Department of Science and Technology (demo data)",
        )
    vi, en = next((p.name_vi, p.name_en) for p in maps.old if p.code == old)
    return (
        f"demo-63-{old}",
        f"Sở Thông tin và Truyền thông {vi} (dữ liệu mẫu)",
        f"{en} Department of Information and Communications (demo data)",
    )


def _rows(code: str, people: int, first: dt.date, last: dt.date, rng: random.Random) -> list[CleanRow]:
    factor = rng.uniform(0.6, 1.5)  # how busy this province is, per inhabitant
    rows: list[CleanRow] = []
    month = first
    while month <= last:
        years = (month.year - FIRST_MONTH.year) + (month.month - 1) / 12
        season = 1 + 0.15 * math.sin((month.month - 3) / 12 * 2 * math.pi)
        for metric, rate in FLOWS.items():
            expected = rate * people / 100_000 * factor * (1.06**years) * season
            rows.append(
                CleanRow(
                    0,
                    code,
                    metric,
                    month,
                    "vi" if metric == "portal_posts" else "",
                    max(0, round(rng.gauss(expected, expected * 0.08))),
                )
            )
        received = next(r.value for r in rows[-3:] if r.metric_code == "igate_received")
        on_time = round(received * rng.uniform(0.86, 0.97))
        rows.append(CleanRow(0, code, "igate_on_time", month, "", on_time))
        rows.append(CleanRow(0, code, "igate_late", month, "", received - on_time))
        for metric, rate in LEVELS.items():
            per = rate / 100_000 if metric != "mobile_subscribers" else rate / 100_000 * factor
            rows.append(CleanRow(0, code, metric, month, "", round(people * per * (1.02**years))))
        households = rows[-1].value
        rows.append(
            CleanRow(
                0, code, "fibre_households", month, "", round(households * min(0.98, 0.55 * factor + 0.05 * years))
            )
        )
        month = add_months(month, 1)
    return rows


def place_demo_units(engine: Engine) -> None:
    """The demo's two units in their provinces (Trà Vinh among the 63, Vĩnh Long among the 34); figures unchanged."""
    with session_scope(engine) as session:
        for demo_code, area in ((DEMO_UNIT, area_code("63", "84")), (MERGED_UNIT, area_code("34", "86"))):
            unit = session.scalar(select(Unit).where(Unit.code == demo_code))
            if unit is not None:
                unit.area_code = area


def load_demo_provinces(engine: Engine) -> None:
    """Place the demo's two units in their provinces and load the demo provinces' departments and figures."""
    place_demo_units(engine)
    people = load_population().persons(load_provinces())
    rng = random.Random(SEED)
    plans: list[tuple[str, str, str, str, str | None, dt.date, dt.date]] = []  # code, vi, en, area, into, first, last
    for new, (olds, reports) in PROVINCES.items():
        successor = _names(new, None)[0] if reports else (MERGED_UNIT if new == "86" else None)
        if reports:
            code, vi, en = _names(new, None)
            last = add_months(LAST_MONTH, -1) if area_code("34", new) == LATE else LAST_MONTH
            plans.append((code, vi, en, area_code("34", new), None, MERGER, last))
        for old in olds:
            code, vi, en = _names(new, old)
            into = successor if successor != MERGED_UNIT else None  # the demo's own unit keeps its history as it is
            plans.append((code, vi, en, area_code("63", old), into, FIRST_MONTH, add_months(MERGER, -1)))
    with session_scope(engine) as session:
        units = {}
        for code, vi, en, area, _into, _first, _last in plans:
            unit = session.scalar(select(Unit).where(Unit.code == code)) or Unit(code=code)
            unit.name_vi, unit.name_en, unit.area_code = vi, en, area
            unit.is_demo, unit.public_view, unit.cutoff_day = True, True, 0
            session.add(unit)
            units[code] = unit
        session.flush()
        for code, _vi, _en, _area, into, _first, _last in plans:
            if into is not None:
                units[code].merged_into_id, units[code].merged_on = units[into].id, MERGER
    rows: list[CleanRow] = []
    for code, _vi, _en, area, _into, first, last in plans:
        rows.extend(_rows(code, people[area], first, last, rng))
    demo_source.load(engine, rows, source_name="commstats.demo (các tỉnh)", sha256=f"demo-{SEED}")  # etl/sources
