"""The report cycle's texts (the catalogue's `cycle.*` keys) and its refusal."""

from __future__ import annotations

from typing import Any

from commstats.i18n import BilingualError, Lang, t

NAMESPACE = "cycle."  # the catalogue keys of the report cycle's texts


def cycle_text(key: str, lang: Lang = "vi", **params: Any) -> str:
    """A text of the report cycle: the catalogue's `cycle.<key>`."""
    return t(NAMESPACE + key, lang, **params)


class CycleError(BilingualError):
    """A refusal of the report cycle; nothing was changed."""

    namespace = NAMESPACE
