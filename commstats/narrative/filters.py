"""Jinja filters for report sentences: counts, percents, shares, lists, dates — all through babel."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any, TypeGuard

from babel.dates import format_date

from commstats.numbers import LOCALES, format_count, format_decimal_number, format_percent, round_half_up

MISSING = {"vi": "-", "en": "-"}
DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMMM yyyy"}


def _finite(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def count(value: object, lang: str = "vi", pad: int = 0) -> str:
    """`1.234` / `1,234`; `pad=2` writes small counts as `03`; missing values as `-`."""
    if not _finite(value):
        return MISSING.get(lang, "-")
    return format_count(int(value), lang, pad)


def percent(value: object, lang: str = "vi", decimals: int = 1, fixed: bool = False) -> str:
    """`17,9%` (one decimal unless whole: `60%`); a tiny non-zero value keeps enough decimals not to read 0%.
    `fixed` writes every decimal (`95,20%`), so shares side by side read with the same precision."""
    if not _finite(value):
        return MISSING.get(lang, "-")
    number = float(value)
    while not fixed and number and round_half_up(number, decimals) == 0 and decimals < 4:
        decimals += 1
    return format_percent(number, lang, decimals, fixed)


def number(value: object, lang: str = "vi", decimals: int = 1) -> str:
    if not _finite(value):
        return MISSING.get(lang, "-")
    return format_decimal_number(float(value), lang, decimals)


def ratio(part: object, whole: object) -> float | None:
    """part / whole in percent, or None when either is missing or the whole is zero."""
    if not (_finite(part) and _finite(whole)) or not whole:
        return None
    return 100 * float(part) / float(whole)


def share(part: object, whole: object, lang: str = "vi", decimals: int = 1, fixed: bool = False) -> str:
    """The share of `part` in `whole` as a percent (`0,29%`); `-` when the whole is zero or missing."""
    return percent(ratio(part, whole), lang, decimals, fixed)


def join_list(items: Iterable[object], sep: str = "; ", last: str | None = None) -> str:
    """Join non-empty items; `last` joins the final pair (`; ` … `, ` or ` và `)."""
    parts = [str(item) for item in items if str(item).strip()]
    if len(parts) < 2 or last is None:
        return sep.join(parts)
    return sep.join(parts[:-1]) + last + parts[-1]


def plural(word: str, value: object, plural_form: str | None = None) -> str:
    """English nouns: `post` for 1, `posts` (or `plural_form`) otherwise."""
    return word if value == 1 else plural_form or f"{word}s"


def capfirst(text: object) -> str:
    value = str(text)
    return value[:1].upper() + value[1:]


def date(value: dt.date, lang: str = "vi") -> str:
    return format_date(value, DATE_FORMATS.get(lang, "dd/MM/yyyy"), locale=LOCALES.get(lang, "vi_VN"))


def filters_for(lang: str) -> dict[str, Callable[..., Any]]:
    """The filters a template sees, bound to the draft's language."""
    return {
        "count": lambda value, pad=0: count(value, lang, pad),
        "percent": lambda value, decimals=1, fixed=False: percent(value, lang, decimals, fixed),
        "number": lambda value, decimals=1: number(value, lang, decimals),
        "share": lambda part, whole, decimals=1, fixed=False: share(part, whole, lang, decimals, fixed),
        "join_list": join_list,
        "capfirst": capfirst,
        "plural": plural,
        "date": lambda value: date(value, lang),
    }
