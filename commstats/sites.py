"""Component sites (trang tin thành phần): ranking by posts, the site × month matrix, and the flags
leadership asks for — sites that went quiet, and sites whose posting dropped sharply.

Input frames are `queries.monthly_totals(..., ["sites_posts"], by_member=True)` output: one row per
month and site (period, member, member_vi, member_en, value), aggregated in SQL.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from commstats.i18n import t
from commstats.numbers import format_count, format_percent
from commstats.periods import Period, add_months, month_key

SILENT_MONTHS = 2  # no posts for this many months in a row is flagged
DROP_SHARE = 0.5  # the last month below half of ...
BASELINE_MONTHS = 6  # ... the median of the previous six months is a sharp drop
MIN_BASELINE = 5  # sites posting fewer than this a month are too small to call a drop

FlagKind = Literal["silent", "gap", "drop"]


@dataclass(frozen=True)
class SiteFlag:
    site: str  # member code
    name: str
    kind: FlagKind
    since: dt.date  # first month of the quiet run, or the month of the drop
    until: dt.date
    months: int  # length of the quiet run (1 for a drop)
    last: int  # posts in the last month of the range
    baseline: float | None = None  # median of the months before a drop

    def describe(self, lang: str = "vi") -> str:
        text_key = f"sites.flag_{self.kind}"  # one text per FlagKind

        def name(month: dt.date) -> str:
            return Period("month", month.year, month.month).name(lang)

        if self.kind == "drop":
            baseline = self.baseline or 0
            share = format_percent(100 * (1 - self.last / baseline) if baseline else 0, lang)
            return t(text_key, lang, period=name(self.since).capitalize(), last=format_count(self.last, lang),
                               share=share, baseline=format_count(round(baseline), lang))  # fmt: skip
        return t(text_key, lang, n=self.months, since=name(self.since), until=name(self.until))


def _names(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    column = "member_en" if lang == "en" else "member_vi"
    unique = frame.drop_duplicates("member")
    return {str(code): str(name or code) for code, name in zip(unique["member"], unique[column], strict=True)}


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def site_series(frame: pd.DataFrame, site: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One site's months from its first month with a row (or `start`) to `end`; a month without a row is 0."""
    months, values = _site_months(_by_site(frame).get(site, {}), start, end)
    if not months:
        return pd.DataFrame(columns=["period", "period_key", "value"])
    return pd.DataFrame({"period": months, "period_key": [month_key(m) for m in months], "value": values})


def _by_site(frame: pd.DataFrame) -> dict[str, dict[dt.date, int]]:
    """Each site's posts by month, in one pass over the frame (not one filter of the frame per site)."""
    sites: dict[str, dict[dt.date, int]] = {}
    for site, period, value in zip(frame["member"], frame["period"], frame["value"], strict=True):
        months = sites.setdefault(site, {})
        months[period] = months.get(period, 0) + int(value)
    return sites


def _site_months(by_month: dict[dt.date, int], start: dt.date, end: dt.date) -> tuple[list[dt.date], list[int]]:
    if not by_month:
        return [], []
    months = _months(max(start, min(by_month)), end)
    return months, [by_month.get(m, 0) for m in months]


def flag_sites(
    frame: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    lang: str = "vi",
    *,
    silent_months: int = SILENT_MONTHS,
    drop_share: float = DROP_SHARE,
    baseline_months: int = BASELINE_MONTHS,
    min_baseline: float = MIN_BASELINE,
) -> list[SiteFlag]:
    """Flags per site, judged over [start, end] from the site's first month with data.

    - silent: the range ends with `silent_months` or more months without posts (0 or no figure);
    - gap: an earlier run of that many months without posts, since ended;
    - drop: the last month has posts but fewer than (1 - drop_share) × the median of the previous
      `baseline_months` months, when that median is at least `min_baseline`.
    Ongoing silences come first (longest first), then drops, then past gaps.
    """
    names = _names(frame, lang)
    by_site = _by_site(frame)
    flags: list[SiteFlag] = []
    for site in names:
        months, values = _site_months(by_site.get(site, {}), start, end)
        if not values:
            continue
        last = values[-1]
        run_start: int | None = None
        runs: list[tuple[int, int]] = []
        for i, value in enumerate([*values, 1]):  # a sentinel closes a run at the end
            if value == 0 and i < len(values):
                run_start = i if run_start is None else run_start
            elif run_start is not None:
                runs.append((run_start, i - 1))
                run_start = None
        long_runs = [(a, b) for a, b in runs if b - a + 1 >= silent_months]
        ongoing = [r for r in long_runs if r[1] == len(values) - 1]
        for a, b in long_runs:
            kind: FlagKind = "silent" if (a, b) in ongoing else "gap"
            flags.append(SiteFlag(site, names[site], kind, months[a], months[b], b - a + 1, last))
        history = values[-1 - baseline_months : -1]
        if ongoing or last == 0 or len(history) < baseline_months:
            continue
        baseline = statistics.median(history)
        if baseline >= min_baseline and last < (1 - drop_share) * baseline:
            flags.append(SiteFlag(site, names[site], "drop", months[-1], months[-1], 1, last, baseline))
    order = {"silent": 0, "drop": 1, "gap": 2}
    return sorted(flags, key=lambda f: (order[f.kind], -f.months, f.name))


def ranking(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Sites by posts over the frame's months: rank, member, name, posts, share (percent), months_without."""
    if frame.empty:
        return pd.DataFrame(columns=["rank", "member", "name", "posts", "share", "months_without"])
    names = _names(frame, lang)
    totals = frame.groupby("member")["value"].sum()
    zero_months = frame[frame["value"] == 0].groupby("member")["period"].nunique()
    grand = int(totals.sum())
    result = pd.DataFrame(
        {
            "member": totals.index,
            "name": [names[c] for c in totals.index],
            "posts": totals.astype("int64").to_numpy(),
            "share": [100 * v / grand if grand else 0.0 for v in totals],
            "months_without": [int(zero_months.get(c, 0)) for c in totals.index],
        }
    ).sort_values(["posts", "name"], ascending=[False, True], ignore_index=True)
    result.insert(0, "rank", range(1, len(result) + 1))
    return result


def heatmap_matrix(frame: pd.DataFrame, order: list[str], lang: str = "vi") -> pd.DataFrame:
    """Site names (in `order` of member codes) × month keys, posts as values (NaN = no figure)."""
    if frame.empty:
        return pd.DataFrame()
    names = _names(frame, lang)
    data = frame.assign(month=[month_key(p) for p in frame["period"]])
    matrix = data.pivot_table(index="member", columns="month", values="value", aggfunc="sum")
    matrix = matrix.reindex([c for c in order if c in matrix.index])
    matrix.index = [names[c] for c in matrix.index]
    return matrix
