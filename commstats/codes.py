"""Codes: the stable identifiers of units, metrics and breakdown members (component sites).

Codes are shown on screens and in exports next to names, and people type them on the command line, so
they are plain: lowercase ASCII letters and digits in words joined by a hyphen (`cau-ke`, `tp-tra-vinh`).
Metric codes of the catalogue also join words with an underscore (`sites_posts`). Names and notes may hold
any text; codes never hold markup.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = "[a-z0-9]+"
MAX_CODE = 64
CODE = re.compile(rf"{_WORD}(?:-{_WORD})*")  # units, members, component sites
METRIC_CODE = re.compile(rf"{_WORD}(?:[-_]{_WORD})*")  # the catalogue's metric and section codes
CODE_RULE = (
    "chữ thường không dấu a-z, chữ số 0-9 và dấu gạch ngang giữa các từ",
    "lowercase letters a-z, digits 0-9 and hyphens between words",
)


def is_code(text: str) -> bool:
    return len(text) <= MAX_CODE and CODE.fullmatch(text) is not None


def is_metric_code(text: str) -> bool:
    return len(text) <= MAX_CODE and METRIC_CODE.fullmatch(text) is not None


def suggest_code(text: str) -> str:
    """A code made from `text`: Vietnamese letters without their marks, other characters as hyphens
    (`Cầu Kè` → `cau-ke`); empty when nothing usable is left."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")[:MAX_CODE].strip("-")
