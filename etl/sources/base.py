"""The Source contract and the one checked import sequence every source goes through.

A source says whether a file is its kind (`detect`), reads raw rows from what it is given (`extract`:
a file's Document, an edited form, generated rows, feeds through an injected HTTP client), checks them
against the reference tables (`validate`, every problem collected) and writes them (`load`, by default
the shared etl.load.load_rows). `run_import` is the sequence: size limit (etl/limits.py) → reference
tables → extract → validate → nothing written unless every row is right → load in one transaction
(one batch with its source name and SHA-256, idempotent) → one `ImportReport`.
"""

from __future__ import annotations

import hashlib
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine

from commstats.cycle.messages import CycleError
from commstats.i18n import t
from commstats.numbers import format_count
from etl.limits import current as limits
from etl.load import LoadResult, load_rows
from etl.problems import CycleProblem, Problem, ProblemLog, RawRow, RejectedFile, rendered, total
from etl.sources.read import Document
from etl.validate import Reference, validate_rows

PREVIEW_ROWS = 10


@dataclass
class Batch:
    """How one run of the sequence loads: the name and digest its batch records, who asked, and how."""

    file: str  # as the messages name it (the path given)
    name: str = ""  # the batch's source name (the file's name without its folder)
    sha256: str = ""
    kind: str = ""  # the batch's source_kind (the source's kind unless it names the file's format)
    unit: str | None = None  # the default unit of rows that name none
    dry_run: bool = False
    created_by: str = ""
    reason: str = ""  # needed to change a figure of an approved (locked) period
    progress: Callable[[int, int], None] | None = None
    state: dict[str, Any] = field(default_factory=dict)  # what a source notes between its steps
    engine: Engine | None = None  # the database the sequence runs on (a source may read it while extracting)


@dataclass
class ImportReport:
    """What one import found and did, whatever its source: the problems (the first ones in full, the
    rest counted), or the load's counts; register records and a source's own detail beside them."""

    file: str
    problems: list[Problem] = field(default_factory=ProblemLog)
    result: LoadResult | None = None
    kind: str = "long"
    dry_run: bool = False
    records_new: int = 0  # licence records (the register) or posts (feeds) new in this load
    records_changed: int = 0
    records_unchanged: int = 0
    head: list[RawRow] = field(default_factory=list)  # the first rows as read, for a preview
    detail: Any = None  # a source's own account (feeds: the outcome of every site)

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
        if self.kind == "register":
            counts |= {"new": self.records_new, "changed": self.records_changed, "same": self.records_unchanged}
            if self.dry_run:
                return t("register_dry_run", lang, file=self.file, **counts)
            if not (self.records_new or self.records_changed or self.result.batch_id):
                return t("register_unchanged", lang, file=self.file, **counts)
            return t("register_ok", lang, file=self.file, **counts)
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


def size_problem(file: str, size: int) -> Problem | None:
    """The problem of a file over the size limit (checked before it is read), or None."""
    limit = limits().file_bytes
    if size <= limit:
        return None
    return Problem(file, None, "", "", "file_too_large", {"size_mb": size // 2**20, "limit_mb": limit // 2**20})


class Source(ABC):
    """One kind of input. Subclasses set `kind` (the batch's source_kind and the page's name of the kind)
    and override what differs; the defaults are the long format's: figures checked by validate_rows and
    loaded by load_rows."""

    kind: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()  # files it reads; () for a source that is not a file
    empty_ok: ClassVar[bool] = False  # nothing to load is fine (a form left blank), not "the file is empty"

    def detect(self, document: Document) -> float:
        """How sure the source is that the file is its kind: 0 (not) to 1 (certain)."""
        return 0.0

    @abstractmethod
    def extract(self, given: Any, batch: Batch) -> Iterable[Any]:
        """Raw rows of what the source is given (RawRows for table sources)."""

    def validate(self, rows: Iterable[Any], reference: Reference, batch: Batch) -> tuple[list[Any], list[Problem]]:
        """Every row checked against the reference tables; (clean rows, problems)."""
        return validate_rows(rows, batch.file, reference, batch.unit)

    def load(
        self, engine: Engine, clean: list[Any], reference: Reference, batch: Batch, report: ImportReport
    ) -> LoadResult:
        """Write the clean rows (all in one transaction, one batch, idempotent)."""
        return load_rows(
            engine,
            clean,
            source_kind=batch.kind or self.kind,
            source_name=batch.name,
            sha256=batch.sha256,
            reference=reference,
            dry_run=batch.dry_run,
            created_by=batch.created_by,
            progress=batch.progress,
            reason=batch.reason,
        )

    def content_size(self, given: Any) -> int:
        """The bytes given, for the size limit (0 for what is not a file)."""
        return len(given.content) if isinstance(given, Document) else 0

    def batch_kind(self, given: Any) -> str:
        """What the import log calls the input (its source_kind)."""
        return self.kind

    def digest(self, given: Any) -> str:
        return hashlib.sha256(given.content).hexdigest() if isinstance(given, Document) else ""


def _kept_head(rows: Iterable[Any], head: list[RawRow]) -> Iterator[Any]:
    """The rows unchanged, the first PREVIEW_ROWS raw rows kept on the way (no second read for a preview)."""
    iterator = iter(rows)
    for row in itertools.islice(iterator, PREVIEW_ROWS):
        if isinstance(row, RawRow):
            head.append(row)
        yield row
    yield from iterator


def run_import(engine: Engine, source: Source, given: Any, batch: Batch) -> ImportReport:
    """The one checked import sequence: the file's format and size limit, reference tables, extract, validate
    (the whole input refused with every problem), and the load only when nothing is wrong."""
    report = ImportReport(batch.file, kind=source.kind, dry_run=batch.dry_run)
    if isinstance(given, Document) and given.suffix not in source.suffixes:
        report.problems.append(Problem(batch.file, None, "", "", "unknown_format", {"suffix": given.suffix or "?"}))
        return report
    if too_large := size_problem(batch.file, source.content_size(given)):
        report.problems.append(too_large)
        return report
    reference = Reference.read(engine)
    batch.engine = engine
    batch.sha256 = batch.sha256 or source.digest(given)
    batch.kind = batch.kind or source.batch_kind(given)
    batch.name = batch.name or Path(batch.file).name
    try:
        clean, problems = source.validate(_kept_head(source.extract(given, batch), report.head), reference, batch)
    except RejectedFile as rejected:
        report.problems.extend(rejected.problems)
        return report
    if not clean and not problems and not source.empty_ok:
        problems = [Problem(batch.file, None, "", "", "file_empty")]
    if problems:
        report.problems.extend(problems)
        return report
    if not clean and source.empty_ok:
        return report
    try:
        report.result = source.load(engine, clean, reference, batch, report)
    except CycleError as refused:  # a locked period without a reason: nothing was written
        report.result = None
        params = dict(refused.params)
        line = params.pop("line", None)  # the row of the first refused figure, its period column
        row, column = (line, "period") if isinstance(line, int) else (None, "")
        report.problems.append(CycleProblem(batch.file, row, column, "", refused.key, params))
    return report
