"""Write data/locale/commstats.pot, the template `pybabel update` and `pybabel init` read: every key of the
Vietnamese catalogue (the source language) with an empty text. `make messages` runs it.

The keys are message ids, not English sentences, and several reach `t` through a variable (a problem's
key, a stored code), so `pybabel extract` cannot find them all in the code; the Vietnamese catalogue is
the list of keys instead, and tests/test_i18n_catalogue.py checks it against the code both ways.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "data" / "locale"


def main() -> None:
    with (LOCALE_DIR / "vi" / "LC_MESSAGES" / "commstats.po").open("rb") as file:
        source = read_po(file)
    template = Catalog(project=source.project, version=source.version, creation_date=source.creation_date)
    for message in source:
        if message.id:
            template.add(message.id, "", auto_comments=message.auto_comments, flags=message.flags - {"fuzzy"})
    with (LOCALE_DIR / "commstats.pot").open("wb") as file:
        write_po(file, template, ignore_obsolete=True)


if __name__ == "__main__":
    main()
