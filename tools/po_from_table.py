"""Move a Python table of (Vietnamese, English) texts into the gettext catalogues under data/locale/.

    python tools/po_from_table.py commstats/backup.py MESSAGES --prefix backup.
    python tools/po_from_table.py ui/labels.py LABELS --dry-run

The table is read with `ast` (the module is not imported) in any of the shapes the code used before the
catalogues: `{"key": ("vi", "en")}`, `{"vi": {"key": "..."}, "en": {"key": "..."}}`, or a tuple of
("vi", "en") pairs (keys `<prefix>1`, `<prefix>2`, ...). Each key becomes a msgid (with `--prefix` in
front) in every language's `commstats.po`: the Vietnamese text in vi, the English one in en, an empty
msgstr in any other language (the catalogue test then names what is left to translate). A key that is
already there with the same texts is skipped; with other texts it is an error, so a merge never silently
overwrites a wording (`--update` takes the table's wording). Entries are appended in the table's order.
Afterwards delete the table, replace its lookups with `t("<prefix>key", lang)` (on a page `t("key")`: the
sidebar's language), and run `pytest tests/test_i18n_catalogue.py`.

After a merge that brings a table back (another branch added entries to one of the old tables), read that
branch's version of the file: `git show other-branch:ui/labels.py > /tmp/labels.py` and pass /tmp/labels.py.
The prefixes used when the tables moved: commstats/i18n.py MESSAGES and ui/labels*.py none;
commstats/auth.py MESSAGES and ui/auth.py TEXTS `auth.`; commstats/backup.py `backup.`; pages/users.py
TEXTS `users.`; commstats/template.py TEXTS `template.` (GUIDE `template.guide_`); commstats/overview.py
`overview.`; commstats/charts.py `chart.`; commstats/sites.py `sites.flag_`; commstats/export.py `export.`.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "data" / "locale"
DOMAIN = "commstats"


def table_entries(source: str, name: str, prefix: str = "") -> dict[str, tuple[str, str]]:
    """The (vi, en) texts of the table assigned to `name` in `source`, keyed `prefix + key`."""
    for node in ast.walk(ast.parse(source)):
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id == name and value is not None:
            return _normalise(ast.literal_eval(value), prefix)
    raise SystemExit(f"no table {name} in the source")


def _normalise(table: object, prefix: str) -> dict[str, tuple[str, str]]:
    if isinstance(table, tuple):  # numbered pairs
        return {f"{prefix}{n}": (vi, en) for n, (vi, en) in enumerate(table, start=1)}
    if isinstance(table, dict) and set(table) == {"vi", "en"} and isinstance(table["vi"], dict):
        return {prefix + key: (text, table["en"][key]) for key, text in table["vi"].items()}
    if isinstance(table, dict):
        return {prefix + key: (vi, en) for key, (vi, en) in table.items()}
    raise SystemExit(f"unknown table shape: {type(table).__name__}")


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="commstats", fuzzy=False)
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalogue, ignore_obsolete=True)


def add_entries(
    entries: dict[str, tuple[str, str]], locale_dir: Path = LOCALE_DIR, dry_run: bool = False, update: bool = False
) -> int:
    """Add the entries to every language's catalogue; the number of keys added. With `update`, a key already
    there with other texts takes the table's texts (a wording changed on another branch) instead of failing."""
    langs = sorted({p.name for p in locale_dir.iterdir() if po_path(p.name, locale_dir).exists()} | {"vi", "en"})
    catalogues = {lang: read_catalogue(po_path(lang, locale_dir), lang) for lang in langs}
    added = 0
    for key, (vi, en) in entries.items():
        existing = catalogues["vi"].get(key)
        if existing is not None:
            if (existing.string, catalogues["en"][key].string) != (vi, en):
                if not update:
                    raise SystemExit(f"{key}: already in the catalogues with other texts; rename one, or --update")
                print(f"{key}: texts updated", file=sys.stderr)
                existing.string, catalogues["en"][key].string = vi, en
            continue
        for lang, catalogue in catalogues.items():
            catalogue.add(key, {"vi": vi, "en": en}.get(lang, ""))
        added += 1
    if not dry_run:
        for lang, catalogue in catalogues.items():
            write_catalogue(catalogue, po_path(lang, locale_dir))
    return added


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="the Python file holding the table")
    parser.add_argument("table", help="the table's name, e.g. MESSAGES")
    parser.add_argument("--prefix", default="", help="put in front of every key, e.g. backup.")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="a key that collides")
    parser.add_argument("--update", action="store_true", help="take the table's texts for keys already there")
    parser.add_argument("--dry-run", action="store_true", help="list the keys, write nothing")
    args = parser.parse_args(argv)
    entries = table_entries(args.file.read_text(encoding="utf-8"), args.table, args.prefix)
    renames = dict(pair.split("=", 1) for pair in args.rename)
    entries = {renames.get(key, key): texts for key, texts in entries.items()}
    added = add_entries(entries, args.locale_dir, args.dry_run, args.update)
    print(f"{args.file}:{args.table}: {len(entries)} keys, {added} added", file=sys.stderr)
    if args.dry_run:
        print("\n".join(entries))


if __name__ == "__main__":
    main()
