"""Number style through babel: Vietnamese `2.682.057` and `15,17%`, English `2,682,057`."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, get_group_symbol, parse_pattern

LOCALES = {"vi": "vi_VN", "en": "en_US"}


@lru_cache(maxsize=8)
def _count_format(lang: str) -> tuple[NumberPattern, Locale]:
    """The `#,##0` pattern and the locale, parsed once (format_decimal parses both on every call)."""
    return parse_pattern("#,##0"), Locale.parse(LOCALES.get(lang, "vi_VN"))


def format_count(value: int | None, lang: str = "vi", pad: int = 0, missing: str = "-") -> str:
    """A whole number with thousands separators; `pad` zero-pads small counts (`03`)."""
    if value is None:
        return missing
    return _count_text(value, lang, pad)


@lru_cache(maxsize=65_536)
def _count_text(value: int, lang: str, pad: int) -> str:
    """Counts repeat a lot on a page (heatmap cells, table columns): each text is made once."""
    pattern, locale = _count_format(lang)
    text = pattern.apply(abs(value), locale)
    if pad and abs(value) < 10 ** (pad - 1) * 10:
        text = text.zfill(pad)
    return f"-{text}" if value < 0 else text


def grid_count_format(lang: str = "vi") -> str:
    """The printf format that makes Streamlit's data grid show counts as `format_count` does. The grid
    formats with sprintf-js, where `%,d` groups thousands and a `'x` pad flag makes `x` the separator; a
    server-side Styler would format every cell in Python on every rerun instead."""
    group = get_group_symbol(LOCALES.get(lang, "vi_VN"))
    return "%,d" if group == "," else f"%'{group},d"


def round_half_up(value: float, decimals: int = 1) -> Decimal:
    """Rounded as Vietnamese reports round (6,25 -> 6,3), not to even as Python's round does (6.2). The float's
    shortest repr is the number the reader would write down, so 1/16 = 6.25 is rounded from "6.25"."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_decimal_number(value: float, lang: str = "vi", decimals: int = 1, fixed: bool = False) -> str:
    """A decimal with the locale's comma or point; whole values lose their decimals unless `fixed`."""
    pattern, locale = _decimal_format(lang, decimals, fixed)
    return str(pattern.apply(round_half_up(value, decimals), locale))


@lru_cache(maxsize=64)
def _decimal_format(lang: str, decimals: int, fixed: bool) -> tuple[NumberPattern, Locale]:
    """The pattern and locale of format_decimal_number, parsed once (40 µs a number otherwise: a table of
    shares and rates formats hundreds on each run)."""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * decimals if decimals else "")
    return parse_pattern(pattern), Locale.parse(LOCALES.get(lang, "vi_VN"))


def format_percent(value: float, lang: str = "vi", decimals: int = 1, fixed: bool = False) -> str:
    """`17,9%` (one decimal unless whole: `60%`; `fixed` keeps them: `60,0%`); `value` is already in percent."""
    return format_decimal_number(value, lang, decimals, fixed) + "%"


VIETNAM_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%d/%m/%Y %H:%M"  # the one date-and-time format of every page


def format_time(at: dt.datetime | None, missing: str = "-") -> str:
    """A stored time (naive means UTC, as the database keeps it) in Vietnam time: `03/12/2026 00:30`."""
    if at is None or at != at:  # None or NaT
        return missing
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(VIETNAM_TIME).strftime(TIME_FORMAT)
