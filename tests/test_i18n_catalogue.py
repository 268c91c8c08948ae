"""The text catalogues (data/locale/<lang>/LC_MESSAGES/commstats.po) and the code stay in step: every language
has every key, the placeholders agree, every key is used and every key the code names exists, no (vi, en)
table has crept back into the code, and a new language is one new file."""

from __future__ import annotations

import ast
import functools
import importlib.util
import shutil
import string
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from babel.messages.pofile import read_po, write_po

from commstats import audit, auth, backup, blocks, i18n, national, queries
from commstats.charts import MARK_SYMBOLS
from commstats.config import PROJECT_ROOT
from commstats.cycle.reads import STATUSES
from commstats.cycle.rounds import NARRATIVE_BLOCKS
from commstats.explore import View
from commstats.grains import DERIVATIONS
from commstats.i18n import BilingualError, t
from commstats.narrative.choices import KINDS
from commstats.narrative.facts import COMPARISONS, ROLES
from commstats.periods import GRAINS, PeriodKind
from commstats.provinces import MAPS
from commstats.series import Granularity
from commstats.sites import FlagKind
from etl.site_counts import Status
from etl.upload import Kind
from tests.apptest import run_page

SOURCE_DIRS = ("commstats", "etl", "ui", "pages")
SOURCE_FILES = ("dashboard.py",)

# Keys the code builds from a code instead of naming them: prefix -> every code it can be given. A new
# `t(f"prefix_{code}")` must be listed here (test_every_dynamic_lookup_is_a_declared_family checks it).
FAMILIES: dict[str, tuple[str, ...]] = {
    "granularity_": get_args(Granularity),  # pages/trends.py, pages/licences.py
    "trends_yoy_caption_": get_args(Granularity),  # pages/trends.py
    "coarse_hidden_": ("month", "quarter"),  # commstats/charts.py hidden_note (a year view shows every figure)
    "flag_": get_args(FlagKind),  # pages/sites.py: the flag's name
    "sites.flag_": get_args(FlagKind),  # commstats/sites.py SiteFlag.describe
    "explore_view_": get_args(View),  # pages/explore.py
    "feed_status_": get_args(Status),  # etl/site_counts.py
    "import_kind_": get_args(Kind),  # pages/import.py
    "draft_kind_": KINDS,  # pages/draft.py
    "draft_cmp_": COMPARISONS,
    "draft_role_": ROLES,
    "auth.role_": auth.ROLES,  # ui/auth.py role_name
    "audit.action_": tuple(audit.DATA_ACTIONS | audit.ACCOUNT_ACTIONS),  # commstats/audit.py action_text
    "audit.detail_": audit.DETAIL_KEYS,  # commstats/audit.py detail_text
    "audit.method_": audit.METHODS,  # commstats/audit.py detail_text: coded values
    "audit.reason_": audit.REASONS,
    "export.": tuple(queries.EXPORT_COLUMNS),  # commstats/export.py header
    "export_grain_": GRAINS,  # commstats/queries.py observations_for_export: the grain column's words
    # ui.labels.label_of: codes stored in import_batch. source_kind is the file suffix or "template"
    # (etl/pipeline.py source_kind) or a source's SOURCE_KIND; status is set by etl/load.py.
    "source_kind_": ("csv", "txt", "xlsx", "template", "register", "report", "feed", "entry", "demo", "targets"),
    "status_": ("loaded", "unchanged"),
    # the report cycle (commstats/cycle): section and round statuses, period kinds, blocks, assignees
    "narrative_block_": blocks.KINDS,  # pages/narrative.py
    "narrative_source_": ("edit", "carried"),  # commstats/blocks.py: how a version was made
    "cycle.status_": STATUSES,
    "cycle.round_state_": ("open", "approved"),
    "cycle.kind_": get_args(PeriodKind),
    "cycle.block_": NARRATIVE_BLOCKS,
    "cycle.assignee_": ("department", "person"),
    "grain_bad_start_": GRAINS[1:],  # etl/validate.py: a month always starts one
    "draft.grain_note_": GRAINS[1:],  # commstats/narrative/compose.py basis_notes
    "chart.grain_": GRAINS[1:],  # commstats/charts.py hover
    "chart.derived_": tuple(a + "_" + b for a, b in DERIVATIONS),  # commstats/charts.py hover
    "draft.derived_note_": tuple(a + "_" + b for a, b in DERIVATIONS),  # commstats/narrative/compose.py basis_notes
    "chart.legend_": tuple(MARK_SYMBOLS),  # commstats/charts.py
    "revision_": ("estimate_replaced", "estimate_updated", "value"),  # pages/quality.py, quality.revision_kind
    "provinces.map_": MAPS,  # pages/provinces.py: the two maps of the country
    "provinces.note_": MAPS,
    "provinces.reported_": national.STATUSES,
}


def _po_files(locale_dir: Path) -> dict[str, Path]:
    return {p.parent.parent.name: p for p in sorted(locale_dir.glob("*/LC_MESSAGES/commstats.po"))}


def _entries(path: Path) -> dict[str, tuple[str, bool]]:
    with path.open("rb") as file:
        return {str(m.id): (str(m.string), m.fuzzy) for m in read_po(file) if m.id}


def _placeholders(text: str) -> set[str]:
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field}


def _python_files() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))
    for name in SOURCE_FILES:
        yield PROJECT_ROOT / name


@functools.cache
def _trees() -> tuple[tuple[Path, ast.AST], ...]:
    """Every source file parsed, once per test process (the trees are only read)."""
    return tuple((path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in _python_files())


@functools.cache
def _literals() -> frozenset[str]:
    return frozenset(
        {
            n.value
            for _, tree in _trees()
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    )


def _error_namespaces() -> dict[str, str]:
    """BilingualError subclasses by name -> the catalogue namespace of their keys."""
    assert backup.BackupError.namespace and auth.AuthError.namespace  # both modules imported: subclasses known
    found: dict[str, str] = {}
    pending = list(BilingualError.__subclasses__())
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls.namespace
        pending += cls.__subclasses__()
    return found


def _callee(node: ast.Call) -> str:
    return (
        node.func.id
        if isinstance(node.func, ast.Name)
        else node.func.attr
        if isinstance(node.func, ast.Attribute)
        else ""
    )


def _named_keys() -> set[tuple[str, str]]:
    """(where, key) for every key the code names literally: t("key"), SomeError("key"), Problem(..., "key")."""
    namespaces = _error_namespaces()
    named: set[tuple[str, str]] = set()
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _callee(node), f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
            position, prefix = {"t": (0, ""), "Problem": (4, "")}.get(name, (0, namespaces.get(name)))
            if prefix is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                named.add((where, prefix + argument.value))
    return named


def _dynamic_prefixes() -> set[str]:
    """The constant start of every key the code builds: t(f"prefix_{x}"), t("prefix_" + x), key = f"export.{c}",
    label_of("prefix", code); only the starts of catalogue keys (a widget's key = f"draft_text_..." is not one)."""
    keys = i18n.catalogues(i18n.LOCALE_DIR)[i18n.SOURCE_LANG]
    found: set[str] = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) == "label_of" and isinstance(node.args[0], ast.Constant):
                found.add(f"{node.args[0].value}_")
            if isinstance(node, ast.Call) and _callee(node) in {"t", "has"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.BinOp) and isinstance(first.left, ast.Constant):
                    found.add(str(first.left.value))
                if isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                    found.add(str(first.values[0].value))
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.JoinedStr):  # key = f"export.{column}"
                target = node.targets[0]
                head = node.value.values[0]
                if isinstance(target, ast.Name) and target.id.endswith("key") and isinstance(head, ast.Constant):
                    found.add(str(head.value))
    return {prefix for prefix in found if any(key.startswith(prefix) for key in keys)}


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict[str, tuple[str, bool]]]:
    files = _po_files(i18n.LOCALE_DIR)
    assert {"vi", "en"} <= set(files)
    return {lang: _entries(path) for lang, path in files.items()}


def test_every_language_has_every_key_translated(catalogues):
    keys = set(catalogues["vi"])
    assert len(keys) > 400
    for lang, entries in catalogues.items():
        assert set(entries) == keys, (
            f"{lang}: missing {sorted(keys - set(entries))}, extra {sorted(set(entries) - keys)}"
        )
        untranslated = sorted(k for k, (text, fuzzy) in entries.items() if not text.strip() or fuzzy)
        assert not untranslated, f"{lang}: empty or fuzzy: {untranslated}"


# Texts whose languages use different parameters of the same call (the code passes both).
GRAMMAR_PARAMS = {
    "chart.month_tick": {"m", "name"},  # "Tháng 7" / "Jul"
    "chart.quarter_tick": {"roman", "n"},  # "Quý III" / "Q3"
}


def test_placeholders_match_between_languages_and_every_text_formats(catalogues):
    for key, (source, _) in catalogues["vi"].items():
        wanted = GRAMMAR_PARAMS.get(key, _placeholders(source))
        for lang, entries in catalogues.items():
            used = _placeholders(entries[key][0])
            assert used == wanted or (key in GRAMMAR_PARAMS and used <= wanted), f"{lang} {key}: {used} != {wanted}"
            # Formatting with every placeholder filled never fails (no stray brace, no bad format spec).
            t(key, lang, **dict.fromkeys(wanted, 7))


def test_every_key_is_used(catalogues):
    literals = _literals()
    namespaces = {ns for ns in _error_namespaces().values() if ns}
    families = {prefix + code for prefix, codes in FAMILIES.items() for code in codes}
    unused = []
    for key in catalogues["vi"]:
        short = next((key.removeprefix(ns) for ns in namespaces if key.startswith(ns)), None)
        if key in literals or key in families or (short is not None and short in literals):
            continue
        unused.append(key)
    assert not unused, f"keys no code uses (delete them, or declare the family in FAMILIES): {unused}"


def test_every_key_the_code_names_exists(catalogues):
    named = _named_keys()
    missing = sorted(f"{where}: {key}" for where, key in named if key not in catalogues["vi"])
    assert not missing
    assert len(named) > 300  # the scan does find the code's keys
    families = {prefix + code for prefix, codes in FAMILIES.items() for code in codes}
    assert not sorted(families - set(catalogues["vi"]))
    for prefix, codes in FAMILIES.items():  # nothing stale under a family's prefix either
        stale = {k for k in catalogues["vi"] if k.startswith(prefix) and k.removeprefix(prefix) not in codes}
        assert not stale - _literals(), prefix


def test_every_dynamic_lookup_is_a_declared_family():
    prefixes = _dynamic_prefixes()
    assert prefixes <= set(FAMILIES), sorted(prefixes - set(FAMILIES))
    assert {"granularity_", "export.", "sites.flag_", "source_kind_", "auth.role_"} <= prefixes


def test_the_core_and_the_etl_always_name_the_language():
    """Only pages may leave the language to the sidebar: a text the core or the ETL writes (a batch message, a
    CLI line) must not depend on which dashboard session happens to call it."""
    unnamed = [
        f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
        for path, tree in _trees()
        if path.relative_to(PROJECT_ROOT).parts[0] in {"commstats", "etl"}
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _callee(node) == "t"
        and len(node.args) < 2
        and not any(k.arg == "lang" for k in node.keywords)
    ]
    assert not unnamed


def _pair_tables(tree: ast.AST) -> Iterator[int]:
    """Line numbers of dict literals that hold texts per language: {"key": ("vi", "en"), ...} or
    {"vi": {...}, "en": {...}}, and tuples of ("vi", "en") pairs."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.keys:
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if {"vi", "en"} <= set(keys) and any(isinstance(v, ast.Dict) for v in node.values):
                yield node.lineno
            if _text_pairs(node.values):
                yield node.lineno
        if isinstance(node, ast.Tuple) and _text_pairs(node.elts):
            yield node.lineno


def _text_pairs(values: list[ast.expr]) -> bool:
    """Two or more values, all pairs of string literals, at least one with Vietnamese letters first."""
    pairs = [
        [e.value for e in v.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        for v in values
        if isinstance(v, ast.Tuple)
    ]
    return (
        len(values) >= 2
        and len(pairs) == len(values)
        and all(len(p) == 2 for p in pairs)
        and any(any(ord(c) > 127 for c in p[0]) and p[0] != p[1] for p in pairs)
    )


def test_no_vi_en_text_table_is_left_in_the_code():
    found = [f"{path.relative_to(PROJECT_ROOT)}:{line}" for path, tree in _trees() for line in _pair_tables(tree)]
    assert not found, f"texts belong in data/locale/*/LC_MESSAGES/commstats.po (tools/po_from_table.py): {found}"


def _add_language(tmp_path: Path, lang: str, changes: dict[str, str]) -> Path:
    """A copy of the catalogues with one more language: the English file, a few texts changed."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    with (locale_dir / "en" / "LC_MESSAGES" / "commstats.po").open("rb") as file:
        catalogue = read_po(file, locale="en")
    for key, text in changes.items():
        catalogue[key].string = text
    (locale_dir / lang / "LC_MESSAGES").mkdir(parents=True)
    with (locale_dir / lang / "LC_MESSAGES" / "commstats.po").open("wb") as file:
        write_po(file, catalogue)
    return locale_dir


def test_a_new_language_is_one_file(tmp_path, monkeypatch):
    locale_dir = _add_language(
        tmp_path,
        "fr",
        {
            "overview_title": "Vue d'ensemble",
            "language_name": "Français",
            "import_ok": "{file} : lot n° {batch} chargé ({inserted} nouveaux, "
            "{updated} modifiés, {unchanged} inchangés).",
        },
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    assert i18n.languages() == ["vi", "en", "fr"]
    assert t("overview_title", "fr") == "Vue d'ensemble"
    assert t("import_ok", "fr", file="a.csv", batch=3, inserted=1, updated=0, unchanged=2) == (
        "a.csv : lot n° 3 chargé (1 nouveaux, 0 modifiés, 2 inchangés)."
    )
    assert t("nav_trends", "fr") == "Trends"  # copied from English, not yet translated: still a text
    assert t("nav_trends", "xx") == "Xu hướng"  # a language without a catalogue reads Vietnamese


def test_a_new_language_appears_in_the_dashboard(tmp_path, monkeypatch, demo_db):
    locale_dir = _add_language(tmp_path, "fr", {"overview_title": "Vue d'ensemble", "language_name": "Français"})
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    app = run_page(f"sqlite:///{demo_db}", monkeypatch, lang="fr")
    assert not app.exception
    [choice] = [r for r in app.sidebar.radio if r.key == "lang"]
    assert choice.options == ["Tiếng Việt", "English", "Français"]
    assert choice.value == "fr"
    assert app.title[0].value == "Vue d'ensemble"


def test_a_page_speaks_the_sidebar_language_and_the_cli_its_own(demo_db, monkeypatch):
    app = run_page(f"sqlite:///{demo_db}", monkeypatch, lang="en")
    assert not app.exception
    assert app.title[0].value == "Overview"
    # Outside a page nothing chooses a language for `t`: Vietnamese, unless the caller names one.
    assert t("overview_title") == "Tổng quan"
    assert t("overview_title", "en") == "Overview"


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("po_from_table", PROJECT_ROOT / "tools" / "po_from_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_conversion_tool_moves_a_table_into_every_catalogue(tmp_path):
    tool = _tool()
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    shutil.copytree(locale_dir / "en", locale_dir / "fr")
    source = (
        'MESSAGES: dict[str, tuple[str, str]] = {\n    "gone": ("Đã xóa {n} dòng.", "Deleted {n} rows."),\n'
        '    "language_name": ("Tiếng Việt", "English"),\n}\n'
        'TEXT = {"vi": {"a": "Một"}, "en": {"a": "One"}}\n'
    )
    assert tool.add_entries(tool.table_entries(source, "MESSAGES", "x."), locale_dir) == 2
    assert tool.add_entries(tool.table_entries(source, "TEXT", "x."), locale_dir) == 1
    assert tool.add_entries(tool.table_entries(source, "TEXT", "x."), locale_dir) == 0  # already there: skipped
    read = {lang: _entries(path) for lang, path in _po_files(locale_dir).items()}
    assert read["vi"]["x.gone"] == ("Đã xóa {n} dòng.", False) and read["en"]["x.gone"] == ("Deleted {n} rows.", False)
    assert read["fr"]["x.a"] == ("", False)  # a third language gets the key to translate
    assert read["vi"]["language_name"] == ("Tiếng Việt", False)  # untouched
    with pytest.raises(SystemExit, match="other texts"):
        tool.add_entries({"x.a": ("Một", "Uno")}, locale_dir)
