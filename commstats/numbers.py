"""Number style through babel: Vietnamese `2.682.057` and `15,17%`, English `2,682,057`."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALES = {"vi": "vi_VN", "en": "en_US"}


def format_count(value: int | None, lang: str = "vi", pad: int = 0, missing: str = "-") -> str:
    """A whole number with thousands separators; `pad` zero-pads small counts (`03`)."""
    if value is None:
        return missing
    text = format_decimal(abs(value), format="#,##0", locale=LOCALES.get(lang, "vi_VN"))
    if pad and abs(value) < 10 ** (pad - 1) * 10:
        text = text.zfill(pad)
    return f"-{text}" if value < 0 else text


def format_decimal_number(value: float, lang: str = "vi", decimals: int = 1) -> str:
    """A decimal with the locale's comma or point; whole values lose their decimals."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(round(value, decimals), format=pattern, locale=LOCALES.get(lang, "vi_VN"))


def format_percent(value: float, lang: str = "vi", decimals: int = 1) -> str:
    """`17,9%` (one decimal unless whole: `60%`); `value` is already in percent."""
    return format_decimal_number(value, lang, decimals) + "%"
