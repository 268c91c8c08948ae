"""Import one file: read → extract → validate → load, all or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from commstats.cycle.messages import CycleError
from commstats.i18n import t
from commstats.numbers import format_count
from etl.extract.tabular import extract_csv
from etl.extract.template_workbook import extract_workbook, is_template
from etl.limits import current as limits
from etl.load import LoadResult, load_rows
from etl.problems import CycleProblem, Problem, ProblemLog, RawRow, RejectedFile, rendered, total
from etl.validate import Reference, validate_rows

Extractor = Callable[[bytes, str, str | None], Iterator[RawRow]]


def _csv(content: bytes, file: str, encoding: str | None) -> Iterator[RawRow]:
    return extract_csv(content, file, encoding)


def _xlsx(content: bytes, file: str, _encoding: str | None) -> Iterator[RawRow]:
    return extract_workbook(content, file)  # the data-entry workbook, else the long format


# Extractors by file suffix; other sources (templates, registers) register themselves here.
EXTRACTORS: dict[str, Extractor] = {".csv": _csv, ".txt": _csv, ".xlsx": _xlsx}


@dataclass
class ImportReport:
    file: str
    problems: list[Problem] = field(default_factory=ProblemLog)  # the first ones in full, the rest counted
    result: LoadResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, lang: str = "vi") -> str:
        if self.problems:
            count = format_count(total(self.problems), lang)
            lines = [t("import_rejected", lang, file=self.file, count=count)]
            return "\n".join(lines + rendered(self.problems, lang))
        assert self.result is not None
        counts = {"inserted": self.result.inserted, "updated": self.result.updated, "unchanged": self.result.unchanged}
        if self.result.dry_run:
            text = t("import_dry_run", lang, file=self.file, **counts)
        elif self.result.batch_id is None:
            text = t("import_unchanged", lang, file=self.file, **counts)
        else:
            text = t("import_ok", lang, file=self.file, batch=self.result.batch_id, **counts)
        note = new_members_note(self.result, lang)
        return f"{text}\n{note}" if note else text


def new_members_note(result: LoadResult | None, lang: str = "vi") -> str:
    """The component sites a load creates, named so that a mistyped site code is caught ("" if none)."""
    if result is None or not result.new_members:
        return ""
    key = "import_new_members_dry_run" if result.dry_run else "import_new_members"
    return t(key, lang, count=len(result.new_members), codes=", ".join(result.new_members))


def import_content(
    engine: Engine,
    content: bytes,
    file: str,
    *,
    unit: str | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    created_by: str = "",
    progress: Callable[[int, int], None] | None = None,
    reason: str = "",
) -> ImportReport:
    """Import the bytes of one file named `file` (its suffix picks the extractor). `reason` is needed to
    change figures of a locked (approved) period and is kept with each such change."""
    extractor = EXTRACTORS.get(Path(file).suffix.lower())

    def check(reference: Reference) -> tuple[list, list[Problem]]:
        assert extractor is not None
        return validate_rows(extractor(content, file, encoding), file, reference, unit)

    def load(clean: list, reference: Reference, sha256: str) -> LoadResult:
        return load_rows(
            engine, clean, source_kind=source_kind(content, file), source_name=Path(file).name,
            sha256=sha256, reference=reference, dry_run=dry_run, created_by=created_by, progress=progress,
            reason=reason,
        )  # fmt: skip

    return checked_import(engine, content, file, known_format=extractor is not None, check=check, load=load)


def source_kind(content: bytes, file: str) -> str:
    """What the import log calls a file: its suffix, or "template" for the data-entry workbook."""
    suffix = Path(file).suffix.lower().lstrip(".")
    return "template" if suffix == "xlsx" and is_template(content, file) else suffix


def checked_import(
    engine: Engine,
    content: bytes,
    file: str,
    *,
    known_format: bool,
    check: Callable[[Reference], tuple[list, list[Problem]]],
    load: Callable[[list, Reference, str], LoadResult],
) -> ImportReport:
    """The frame every file import shares: format and size checks, validation that rejects the whole
    file with every problem, and the load only when nothing is wrong."""
    report = ImportReport(file)
    suffix = Path(file).suffix.lower()
    if not known_format:
        report.problems.append(Problem(file, None, "", "", "unknown_format", {"suffix": suffix or "?"}))
        return report
    if too_large := size_problem(file, len(content)):
        report.problems.append(too_large)
        return report
    reference = Reference.read(engine)
    try:
        clean, problems = check(reference)
    except RejectedFile as rejected:
        report.problems.extend(rejected.problems)
        return report
    if not clean and not problems:
        problems = [Problem(file, None, "", "", "file_empty")]
    if problems:
        report.problems.extend(problems)
        return report
    try:
        report.result = load(clean, reference, hashlib.sha256(content).hexdigest())
    except CycleError as refused:  # a locked period without a reason: nothing was written
        report.problems.append(CycleProblem(file, None, "", "", refused.key, dict(refused.params)))
    return report


def size_problem(file: str, size: int) -> Problem | None:
    """The problem of a file over the size limit (checked before it is read), or None."""
    limit = limits().file_bytes
    if size <= limit:
        return None
    return Problem(file, None, "", "", "file_too_large", {"size_mb": size // 2**20, "limit_mb": limit // 2**20})


def import_path(
    engine: Engine, path: Path, importer: Callable[..., ImportReport] | None = None, **options: Any
) -> ImportReport:
    """Read a file from disk (refusing a missing or oversized one) and hand it to `importer`."""
    if not path.is_file():
        return ImportReport(str(path), ProblemLog([Problem(str(path), None, "", "", "file_missing")]))
    if too_large := size_problem(str(path), path.stat().st_size):
        return ImportReport(str(path), ProblemLog([too_large]))
    return (importer or import_content)(engine, path.read_bytes(), str(path), **options)
