"""Key figures of a month per section: value, change on last month, same month last year,
a 12-month trend, and the year to date against the annual target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from commstats import queries
from commstats.numbers import format_count, format_percent
from commstats.periods import Period, add_months

TEXT = {
    "vi": {"yoy": "Cùng kỳ năm trước: {v}", "no_yoy": "Chưa có số liệu cùng kỳ năm trước",
           "ytd": "Lũy kế từ đầu năm: {ytd}", "target": " — đạt {share} kế hoạch năm ({target})",
           "stock": "Số cuối kỳ", "flow": "Số phát sinh trong tháng"},
    "en": {"yoy": "Same month last year: {v}", "no_yoy": "No figure for the same month last year",
           "ytd": "Year to date: {ytd}", "target": " — {share} of the annual target ({target})",
           "stock": "End-of-month level", "flow": "Counted during the month"},
}  # fmt: skip


@dataclass(frozen=True)
class Card:
    metric: str
    title: str
    value: int
    previous: int | None
    last_year: int | None
    ytd: int | None
    target: int | None
    trend: list[int]
    lang: str

    @property
    def value_text(self) -> str:
        return format_count(self.value, self.lang)

    @property
    def delta_text(self) -> str | None:
        if self.previous is None:
            return None
        change = self.value - self.previous
        return ("+" if change > 0 else "") + format_count(change, self.lang)

    @property
    def footnote(self) -> str:
        text = TEXT[self.lang]
        parts = [text["yoy"].format(v=format_count(self.last_year, self.lang)) if self.last_year is not None
                 else text["no_yoy"]]  # fmt: skip
        if self.ytd is not None:
            line = text["ytd"].format(ytd=format_count(self.ytd, self.lang))
            if self.target:
                share = format_percent(100 * self.ytd / self.target, self.lang)
                line += text["target"].format(share=share, target=format_count(self.target, self.lang))
            parts.append(line)
        return " · ".join(parts)

    @property
    def help_text(self) -> str:
        return TEXT[self.lang]["flow" if self.ytd is not None else "stock"]


def overview_cards(engine: Engine, unit_ids: Sequence[int], period: Period, lang: str = "vi") -> dict[str, list[Card]]:
    """Cards grouped by section name (in catalogue order), for metrics with a value this month."""
    catalogue = queries.metrics(engine)
    codes = [m.code for m in catalogue]
    month = period.end
    now = queries.period_values(engine, unit_ids, codes, [month])
    before = queries.period_values(engine, unit_ids, codes, [add_months(month, -1)])
    last_year = queries.period_values(engine, unit_ids, codes, [add_months(month, -12)])
    ytd = queries.period_values(engine, unit_ids, codes, period.year_to_date())
    goals = queries.targets(engine, unit_ids, month.year)
    history = queries.monthly_totals(engine, unit_ids, codes, add_months(month, -11), month)
    cards: dict[str, list[Card]] = {}
    for metric in catalogue:
        key = (metric.code, "")
        if key not in now:
            continue
        trend = history[history["metric"] == metric.code].sort_values("period")["value"].astype(int).tolist()
        is_flow = metric.kind == "flow"
        cards.setdefault(metric.section(lang), []).append(
            Card(
                metric.code, f"{metric.name(lang)} ({metric.unit_word(lang)})", now[key], before.get(key),
                last_year.get(key), ytd.get(key) if is_flow else None, goals.get(metric.code) if is_flow else None,
                trend, lang,
            )
        )  # fmt: skip
    return cards
