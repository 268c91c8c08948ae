"""Every text a person reads, one gettext catalogue per language, and `t`, the one lookup for the core,
the ETL, the CLI and the pages.

The catalogues are `data/locale/<lang>/LC_MESSAGES/commstats.po`. A msgid is a key (`overview_title`,
`auth.bad_username`), its msgstr the text in that language, with `{name}` placeholders filled by
`str.format`. Vietnamese is the source language: `make messages` gives every other language the keys
added to or removed from the Vietnamese catalogue. Adding a language is adding one `.po` file.

The `.po` files are read with babel at first use and kept for the life of the process (about 0.1 s for
both, once): no compile step, so a fresh clone, a pip install and a test run all see the texts as they
are in the repository, and there is no stale `.mo` to forget.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from babel.messages.pofile import read_po

from commstats.config import DATA_DIR

Lang = str  # a catalogue's directory name: "vi", "en", ...

LOCALE_DIR = DATA_DIR / "locale"
DOMAIN = "commstats"
SOURCE_LANG = "vi"  # the language every key must have, and the fallback for anything missing


def _read(path: Path) -> dict[str, str]:
    with path.open("rb") as file:
        catalogue = read_po(file, domain=DOMAIN)
    # An empty or fuzzy (machine-guessed, unreviewed) translation is not shown: Vietnamese is.
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


@lru_cache(maxsize=4)
def catalogues(locale_dir: Path | None = None) -> dict[Lang, dict[str, str]]:
    """Every language's texts by key, read once per directory."""
    found = sorted((locale_dir or LOCALE_DIR).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return {path.parent.parent.name: _read(path) for path in found}


def languages() -> list[Lang]:
    """The languages with a catalogue, Vietnamese first."""
    return sorted(catalogues(LOCALE_DIR), key=lambda lang: (lang != SOURCE_LANG, lang))


def _source_language() -> Lang:
    return SOURCE_LANG


_current_language: Callable[[], Lang] = _source_language


def set_language_source(current: Callable[[], Lang]) -> None:
    """Where `t` finds the language when it is not given: the dashboard registers the sidebar's choice
    (the core never imports Streamlit); the CLI and the ETL always pass their `--lang`."""
    global _current_language
    _current_language = current


def has(key: str) -> bool:
    return key in catalogues(LOCALE_DIR)[SOURCE_LANG]


def t(key: str, lang: Lang | None = None, **params: Any) -> str:
    """The text of `key` in `lang` (default: the current language), placeholders filled from `params`.
    A language without the key, or an unknown language, falls back to Vietnamese; an unknown key is a
    KeyError (tests/test_i18n_catalogue.py keeps code and catalogues in step)."""
    texts = catalogues(LOCALE_DIR)
    text = texts.get(lang or _current_language(), {}).get(key)
    if text is None:
        text = texts[SOURCE_LANG][key]
    return text.format(**params)


class BilingualError(Exception):
    """A refusal whose message is a catalogue key with its parameters, shown in the reader's language.
    A subclass's keys live under its `namespace` in the catalogue (`AuthError("bad_role")` is
    `auth.bad_role`), so `error.key` stays the short code callers and tests compare."""

    namespace: ClassVar[str] = ""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: Lang = SOURCE_LANG) -> str:
        return t(self.namespace + self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message(SOURCE_LANG)


def t_both(key: str, **params: Any) -> str:
    """Vietnamese, then English: for command-line output, read by people of either language."""
    return t(key, "vi", **params) + " / " + t(key, "en", **params)
