"""Rewrite the old screen-text lookups of pages and ui modules into `t` calls, for merging a branch that was
written before the text catalogues (after a merge conflict, take that branch's side of the file and run this).

    python tools/lookups_to_t.py pages/users.py ui/auth.py      # default: dashboard.py ui/*.py pages/*.py

- `from ui.labels import label[, lang, ...]` -> `from commstats.i18n import t` (+ the other names)
- `label("key", ...)` -> `t("key", ...)` (the page's language: the sidebar's); `label("import_unchanged")`
  -> `t("import_count_unchanged")` (renamed: the key is also an import message)
- `auth_text("key"` / `auth.auth_text("key"` -> `t("auth.key"`; in pages/users.py `text("key"` -> `t("users.key"`

It prints what is left for a person: lookups whose key is not a literal. Move the branch's new table entries
with tools/po_from_table.py first, then run pytest tests/test_i18n_catalogue.py.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fix_import(found: re.Match[str]) -> str:
    names = [name.strip() for name in found.group(1).split(",")]
    rest = [name for name in names if name != "label"]
    lines = ["from commstats.i18n import t"] if "label" in names else []
    if rest:
        lines.append("from ui.labels import " + ", ".join(rest))
    return "\n".join(lines)


def rewrite(source: str, name: str) -> str:
    source = re.sub(r"^from ui\.labels import ([^\n(]+)$", _fix_import, source, flags=re.M)
    source = re.sub(r'(?<![\w.])label\("import_unchanged"', 't("import_count_unchanged"', source)
    source = re.sub(r"(?<![\w.])label\(", "t(", source)
    source = re.sub(r'(?<![\w.])(?:auth\.)?auth_text\("', 't("auth.', source)
    if name == "users.py":
        source = re.sub(r'(?<![\w.])text\("', 't("users.', source)
    return source


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or [
        ROOT / "dashboard.py",
        *sorted(ROOT.glob("ui/*.py")),
        *sorted(ROOT.glob("pages/*.py")),
    ]
    for path in paths:
        before = path.read_text(encoding="utf-8")
        after = rewrite(before, path.name)
        if after != before:
            path.write_text(after, encoding="utf-8")
            print(f"rewritten: {path}")
        for number, line in enumerate(after.splitlines(), start=1):
            if re.search(r"(?<![\w.])(auth_text|label)\(|(?<![\w.])text\((?!\")", line) and "def " not in line:
                print(f"{path}:{number}: check by hand: {line.strip()}")


if __name__ == "__main__":
    main(sys.argv[1:])
