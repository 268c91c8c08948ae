"""Figures from the text of past reports (.txt, .docx, .pdf).

read_document → extract_figures → figures_to_rows → etl.load.load_rows (source_kind "report").

The wording lives in data/report_patterns.yaml, so an office can teach the extractor a new phrase
without a code change. The report's period comes from its title (etl.extract.report_period): a month,
a quarter, a half-year, nine months or a year, and every figure is read at that grain, marked
`estimated` where the text says "ước" for it (or the report says it was written before the period was
over). A figure is "sure" only when a rule matched it cleanly as an exact count of the report's own
period; everything else that looks like a figure is listed for "review" and never loaded.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from commstats.catalog import load_catalog
from commstats.config import DATA_DIR
from commstats.i18n import t
from commstats.periods import Period, PeriodKind
from etl.extract.report_period import Mention, detect_title_period, mentions, mentions_after, written_before_end
from etl.extract.tabular import decode
from etl.limits import MB, Limits
from etl.limits import current as limits
from etl.problems import Problem, RawRow, RejectedFile
from etl.validate import CleanRow, Reference, validate_rows

PATTERNS_PATH = DATA_DIR / "report_patterns.yaml"
SOURCE_KIND = "report"

MIN_TEXT_SHARE = 0.9  # below this share of ordinary characters the "text" is binary data
KEYWORD_WINDOW = 40  # characters between a loose number and a metric word for it to need review
NOTE_LENGTH = 300

Confidence = Literal["sure", "review"]


@dataclass(frozen=True)
class Figure:
    """One number read from a report, with where it came from and how sure we are of it."""

    metric: str
    member: str
    value: int
    period: dt.date | None  # the first day of the figure's period
    qualifier: str  # "" or the word that makes it approximate: hơn, trên, gần, ước, khoảng...
    sentence: str
    confidence: Confidence
    reason: str = ""  # comma-separated reason keys, "" when sure (see REASONS)
    reason_vi: str = ""
    reason_en: str = ""
    line: int = 0  # the line of the document the sentence starts on
    text: str = ""  # the number as written, e.g. "10,18 ngàn"
    start: int = 0  # where `text` starts in `sentence`
    grain: PeriodKind = "month"  # the kind of period `period` starts
    estimated: bool = False  # "ước thực hiện": an estimate written before the period was over

    @property
    def sure(self) -> bool:
        return self.confidence == "sure"

    @property
    def period_key(self) -> str:
        """2019-07, 2020-Q2, 2020-H1, 2020-9M, 2020; "-" without a period."""
        return self.report_period.key if self.report_period else "-"

    @property
    def report_period(self) -> Period | None:
        if self.period is None:
            return None
        count = {"month": 1, "quarter": 3, "half": 6}.get(self.grain)
        index = (self.period.month - 1) // count + 1 if count else 1
        return Period(self.grain, self.period.year, index)

    def reason_text(self, lang: str = "vi") -> str:
        return self.reason_en if lang == "en" else self.reason_vi


# Reason keys -> i18n message keys (each takes a {detail} parameter).
REASONS = {
    "approximate": "report_reason_approximate",
    "fraction": "report_reason_fraction",
    "multiplier": "report_reason_multiplier",
    "delta": "report_reason_delta",
    "action": "report_reason_action",
    "level_change": "report_reason_level_change",
    "other_period": "report_reason_other_period",
    "plan": "report_reason_plan",
    "context": "report_reason_context",
    "rule": "report_reason_rule",
    "no_pattern": "report_reason_no_pattern",
    "unknown_member": "report_reason_unknown_member",
    "conflict": "report_reason_conflict",
    "total_with_parts": "report_reason_total_with_parts",
}


def _reject(file: str, key: str, **params: object) -> RejectedFile:
    return RejectedFile([Problem(file, None, "", "", key, dict(params))])


# ---------------------------------------------------------------------------------------------
# Reading documents
# ---------------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\t\f\v"), " ")


def normalize_text(text: str) -> str:
    """NFC, one kind of line break and space, no invisible characters."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_INVISIBLE).translate(_SPACES)


def _looks_like_text(text: str) -> bool:
    """False for decoded binary data: control characters, replacement or private-use characters."""
    sample = text[:200_000]
    if not sample:
        return True
    odd = sum(
        1 for ch in sample if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t")
    )
    return odd <= (1 - MIN_TEXT_SHARE) * len(sample)


def _read_txt(content: bytes, file: str) -> str:
    try:
        return decode(content, file)
    except RejectedFile as rejected:
        # tabular.decode speaks of CSV; a report needs its own wording.
        key = "report_binary" if rejected.problems[0].key == "binary_content" else "report_undecodable"
        raise _reject(file, key) from rejected


def _check_docx_archive(content: bytes, file: str) -> zipfile.ZipFile:
    """Open the .docx zip and refuse damaged files and zip bombs before anything is expanded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _reject(file, "report_docx_invalid", detail=str(error) or type(error).__name__) from error
    total = sum(info.file_size for info in infos)
    current = limits()
    if len(infos) > current.docx_parts or total > current.docx_unzipped_bytes:
        raise _reject(file, "report_docx_too_big", size_mb=total // 2**20, parts=len(infos))
    if "word/document.xml" not in archive.namelist():
        raise _reject(file, "report_docx_invalid", detail="word/document.xml")
    _count_paragraphs(archive, file, current)
    return archive


_PARAGRAPH = re.compile(rb"<w:p[\s>/]")


def _count_paragraphs(archive: zipfile.ZipFile, file: str, current: Limits) -> None:
    """Count paragraphs while streaming word/document.xml, before any XML parser builds a tree of it
    (a 545 KB .docx can hold 5.5 million empty paragraphs)."""
    count, size, tail = 0, 0, b""
    try:
        with archive.open("word/document.xml") as stream:
            while chunk := stream.read(MB):
                size += len(chunk)
                if size > current.docx_document_bytes:
                    raise _reject(file, "report_docx_too_big", size_mb=size // MB, parts=len(archive.infolist()))
                # A tag cut by the chunk edge is counted once: the tags wholly inside the tail were
                # counted with the previous chunk.
                count += len(_PARAGRAPH.findall(tail + chunk)) - len(_PARAGRAPH.findall(tail))
                tail = chunk[-8:]
                if count > current.paragraphs:
                    raise _reject(file, "report_docx_too_many_paragraphs", limit=current.paragraphs)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as error:
        raise _reject(file, "report_docx_invalid", detail=str(error)[:120] or type(error).__name__) from error


def _check_docx_xml(archive: zipfile.ZipFile, file: str) -> None:
    """Refuse DTDs and entities in any XML part: Word never writes them, XXE attacks do.

    python-docx does not resolve entities, but a file that declares them is not a file Word made,
    so it is rejected outright rather than read with the entity silently dropped.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            data = archive.read(info)
            fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException as error:
            raise _reject(file, "report_docx_unsafe", part=info.filename) from error
        except (ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise _reject(file, "report_docx_invalid", detail=f"{info.filename}: {error}") from error


def _docx_lines(document: Any) -> Iterable[str]:
    """Paragraphs and table rows in document order; a table row becomes `| cell | cell |`."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                yield "| " + " | ".join(cells) + " |"
        else:
            yield block.text


def _read_docx(content: bytes, file: str) -> str:
    import docx

    archive = _check_docx_archive(content, file)
    with archive:
        _check_docx_xml(archive, file)
    try:
        document = docx.Document(io.BytesIO(content))
        return "\n".join(_docx_lines(document))
    except Exception as error:  # python-docx raises many kinds for damaged packages
        raise _reject(file, "report_docx_invalid", detail=str(error)[:120] or type(error).__name__) from error


def _content_bytes(page: Any) -> int:
    """The decoded size of a page's content streams (pypdf keeps each decoded stream, so a stream
    shared by many pages is decoded once but counted on every page that draws it)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    return sum(len(stream.get_object().get_data()) for stream in streams)


def _pdf_pages(reader: Any, file: str, current: Limits) -> Iterable[str]:
    """Page texts, stopping at the limits on decoded content, extracted text and time, page by page."""
    started = time.monotonic()
    content = chars = 0
    for number, page in enumerate(reader.pages, start=1):
        content += _content_bytes(page)
        if content > current.pdf_content_bytes:
            raise _reject(file, "report_pdf_content_too_big", limit_mb=current.pdf_content_bytes // MB, page=number)
        text = page.extract_text() or ""
        chars += len(text)
        if chars > current.text_chars:
            raise _reject(file, "report_too_long", limit=current.text_chars)
        if time.monotonic() - started > current.pdf_seconds:
            raise _reject(file, "report_pdf_too_slow", seconds=round(current.pdf_seconds), page=number)
        yield text


def _read_pdf(content: bytes, file: str) -> str:
    from pypdf import PdfReader

    current = limits()
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _reject(file, "report_pdf_encrypted")
        if len(reader.pages) > current.pdf_pages:
            raise _reject(file, "report_pdf_too_long", pages=len(reader.pages), limit=current.pdf_pages)
        text = "\n".join(_pdf_pages(reader, file, current))
    except RejectedFile:
        raise
    except Exception as error:  # pypdf raises many kinds for damaged files
        raise _reject(file, "report_pdf_invalid", detail=str(error)[:120] or type(error).__name__) from error
    if not text.strip():
        raise _reject(file, "report_pdf_no_text")
    return text


READERS = {".txt": _read_txt, ".text": _read_txt, ".md": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf}


def read_document(content: bytes, file: str) -> str:
    """The text of a report; raises RejectedFile (with a message naming what is wrong) if unreadable."""
    suffix = Path(file).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise _reject(file, "report_unknown_format", suffix=suffix or "?")
    current = limits()
    if len(content) > current.file_bytes:
        raise _reject(file, "file_too_large", size_mb=len(content) // 2**20, limit_mb=current.file_mb)
    if not content.strip():
        raise _reject(file, "report_empty")
    text = normalize_text(reader(content, file))
    if not _looks_like_text(text):
        raise _reject(file, "report_binary")
    if not text.strip():
        raise _reject(file, "report_empty")
    if len(text) > current.text_chars:
        raise _reject(file, "report_too_long", limit=current.text_chars)
    return text


# ---------------------------------------------------------------------------------------------
# The pattern file
# ---------------------------------------------------------------------------------------------


class PatternError(ValueError):
    """data/report_patterns.yaml is wrong; the message says where."""


@dataclass(frozen=True)
class Rule:
    metric: str
    regex: re.Pattern[str]
    member: str = ""
    members: dict[str, str] = field(default_factory=dict)
    requires: re.Pattern[str] | None = None
    requires_words: str = ""  # `requires` as words for a person: "igate / dịch vụ công / trực tuyến"
    excludes: re.Pattern[str] | None = None
    review: tuple[str, str] | None = None  # (vi, en) reason why this wording always needs a person
    unmasked: bool = False  # matched on the text as written (money, percentages), not the masked text


@dataclass(frozen=True)
class Patterns:
    rules: list[Rule]
    keywords: list[tuple[str, re.Pattern[str]]]
    number: re.Pattern[str]
    multipliers: dict[str, int]
    estimates: frozenset[str]  # qualifiers that mark an estimate ("ước"), not an approximation
    clause_qualifier: re.Pattern[str]
    estimate_note: re.Pattern[str]  # a sentence saying the report's figures are estimates
    delta: re.Pattern[str]
    other_action: re.Pattern[str]  # "thu hồi", "cấp lại", "chưa" right before a figure: not what a metric counts
    other_action_after: re.Pattern[str]  # after it: "02 giấy phép bị thu hồi", "15 trang … chưa cập nhật"
    level_change: re.Pattern[str]  # "lắp đặt mới" right before a level's figure: the number added, not the level
    levels: frozenset[str]  # the stock metrics of the catalogue (a level at the period's end)
    plan_words: re.Pattern[str]  # "phấn đấu", "mục tiêu", "theo kế hoạch" before a figure: a target
    plan_after: re.Pattern[str]  # "trong tháng tới" after a figure: a target
    to_date: re.Pattern[str]  # "đến nay", "hiện nay" before a flow's figure: a total to date
    other_period: re.Pattern[str]
    plan_heading: re.Pattern[str]
    ignore: list[re.Pattern[str]]


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_DIGITS = r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]+(?:,[0-9]+)?"


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation, longest first so that `ước đạt` wins over `ước`."""
    return "|".join(re.escape(unicodedata.normalize("NFC", w)) for w in sorted(words, key=len, reverse=True))


def _number_regex(qualifiers: list[str], multipliers: dict[str, int]) -> str:
    # Not inside another number, a date or a blanked-out span (§), and not followed by more digits.
    value = rf"(?<![0-9.,/§])(?P<value>{_DIGITS})(?![0-9]|[.,/][0-9]|§)"
    qualifier = rf"(?:\b(?P<qualifier>{_alternatives(qualifiers)})\s+)?" if qualifiers else ""
    multiplier = rf"(?:\s*(?P<multiplier>{_alternatives(multipliers)})\b)?" if multipliers else ""
    return qualifier + value + multiplier


def _expand(source: str, fragments: dict[str, str], number: str, where: str) -> str:
    def substitute(found: re.Match[str]) -> str:
        name = found[1]
        if name == "number":
            return number
        if name not in fragments:
            raise PatternError(f"{where}: unknown placeholder {{{name}}} (known: number, {', '.join(fragments)})")
        return f"(?:{fragments[name]})"

    return _PLACEHOLDER.sub(substitute, unicodedata.normalize("NFC", str(source)))


def _compile(source: str, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    try:
        return re.compile(source, flags)
    except re.error as error:
        raise PatternError(f"{where}: invalid regular expression: {error}") from error


def _words(source: str) -> str:
    """A simple alternation regex as words for a person: `(?:igate|dịch vụ công)` -> `igate / dịch vụ công`."""
    plain = re.sub(r"\(\?:|[()?\\]|\bb\b", " ", source)
    return " / ".join(" ".join(word.split()) for word in plain.split("|") if word.strip())


def _rule(metric: str, spec: dict[str, Any], index: int, fragments: dict[str, str], number: str) -> Rule:
    where = f"{PATTERNS_PATH.name}: metrics.{metric}.rules[{index}]"
    if "regex" not in spec:
        raise PatternError(f"{where}: a rule needs a `regex`")
    regex = _compile(_expand(spec["regex"], fragments, number, where), where)
    if "value" not in regex.groupindex:
        raise PatternError(f"{where}: the regex must contain {{number}} once")
    members = {unicodedata.normalize("NFC", str(k)).casefold(): str(v) for k, v in (spec.get("members") or {}).items()}
    if members and "member" not in regex.groupindex:
        raise PatternError(f"{where}: `members` needs a (?P<member>...) group in the regex")
    review = spec.get("review")
    requires_source = _expand(spec["requires"], fragments, number, where) if spec.get("requires") else ""
    return Rule(
        metric=metric,
        regex=regex,
        member=str(spec.get("member", "")),
        members=members,
        requires=_compile(requires_source, where) if requires_source else None,
        requires_words=_words(requires_source),
        excludes=_compile(_expand(spec["excludes"], fragments, number, where), where) if spec.get("excludes") else None,
        review=(str(review.get("vi", "")), str(review.get("en", review.get("vi", "")))) if review else None,
        unmasked=bool(spec.get("unmasked", False)),
    )


def _check_members(rule: Rule, where: str) -> None:
    catalog = load_catalog()
    try:
        metric = catalog.metric(rule.metric)
    except KeyError:
        raise PatternError(f"{where}: metric {rule.metric!r} is not in data/catalog.yaml") from None
    wanted = {rule.member} | set(rule.members.values())
    wanted.discard("")
    if not wanted:
        return
    if not metric.dimension:
        raise PatternError(f"{where}: metric {rule.metric!r} has no breakdown, so a rule cannot name a member")
    dimension = catalog.dimensions[metric.dimension]
    known = {m.code for m in dimension.members}
    unknown = sorted(wanted - known)
    if unknown and not dimension.open:
        raise PatternError(f"{where}: unknown member(s) {', '.join(unknown)} of {metric.dimension}")


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_PATH) -> Patterns:
    """Read and check data/report_patterns.yaml (metrics and members must exist in the catalogue)."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    fragments: dict[str, str] = {}
    for name, value in (spec.get("fragments") or {}).items():  # a fragment may use the ones written before it
        fragments[str(name)] = _expand(str(value), fragments, "", f"{path.name}: fragments.{name}")
    multipliers = {unicodedata.normalize("NFC", str(k)): int(v) for k, v in (spec.get("multipliers") or {}).items()}
    estimates = [unicodedata.normalize("NFC", str(q)) for q in spec.get("estimates") or []]
    number = _number_regex([str(q) for q in spec.get("qualifiers") or []] + estimates, multipliers)
    rules: list[Rule] = []
    keywords: list[tuple[str, re.Pattern[str]]] = []
    for metric, metric_spec in (spec.get("metrics") or {}).items():
        for index, rule_spec in enumerate(metric_spec.get("rules") or []):
            rule = _rule(str(metric), rule_spec, index, fragments, number)
            _check_members(rule, f"{path.name}: metrics.{metric}.rules[{index}]")
            rules.append(rule)
        for word in metric_spec.get("keywords") or []:
            where = f"{path.name}: metrics.{metric}.keywords"
            keywords.append((str(metric), _compile(r"\b(?:" + _expand(word, fragments, number, where) + r")\b", where)))
    ignore = [
        _compile(
            _expand(item["regex"], fragments, number, f"{path.name}: ignore.{item.get('name', '?')}"),
            f"{path.name}: ignore.{item.get('name', '?')}",
            re.MULTILINE if item.get("case_sensitive") else re.IGNORECASE | re.MULTILINE,
        )
        for item in spec.get("ignore") or []
    ]
    return Patterns(
        rules=rules,
        keywords=keywords,
        number=_compile(number, f"{path.name}: qualifiers/multipliers"),
        multipliers={k.casefold(): v for k, v in multipliers.items()},
        estimates=frozenset(e.casefold() for e in estimates),
        estimate_note=_compile(str(spec.get("estimate_note") or r"(?!x)x"), f"{path.name}: estimate_note"),
        clause_qualifier=_compile(rf"\b(?:{_alternatives(spec.get('clause_qualifiers') or ['ước'])})\b", "clause"),
        delta=_compile(rf"(?:^|\W)(?:{_alternatives(spec.get('delta_words') or ['tăng', 'giảm'])})\s*$", "delta"),
        other_action=_compile(
            rf"\b(?:{spec.get('other_action') or '(?!x)x'}|{spec.get('other_state') or '(?!x)x'})\b",
            f"{path.name}: other_action",
        ),
        other_action_after=_compile(
            rf"\b(?:bị|được|đã bị|đã được|đề nghị|xin)\s+(?:{spec.get('other_action') or '(?!x)x'})\b"
            rf"|\b(?:{spec.get('other_state') or '(?!x)x'})\b",
            f"{path.name}: other_action",
        ),
        level_change=_compile(rf"\b(?:{spec.get('level_change') or '(?!x)x'})\b", f"{path.name}: level_change"),
        levels=frozenset(m.code for m in load_catalog().metrics if m.kind == "stock"),
        plan_words=_compile(rf"(?:{spec.get('plan_words') or '(?!x)x'})", f"{path.name}: plan_words"),
        plan_after=_compile(rf"\b(?:{spec.get('plan_after') or '(?!x)x'})", f"{path.name}: plan_after"),
        to_date=_compile(rf"\b(?:{spec.get('to_date') or '(?!x)x'})\b", f"{path.name}: to_date"),
        other_period=_compile(str(spec.get("other_period") or r"lũy kế"), f"{path.name}: other_period"),
        plan_heading=_compile(str(spec.get("plan_heading") or r"kế hoạch"), f"{path.name}: plan_heading"),
        ignore=ignore,
    )


# ---------------------------------------------------------------------------------------------
# Paragraphs, sentences, clauses
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str
    masked: str  # the same text with the digits of dates, document numbers... replaced by §
    in_plan: bool
    lead: str = ""  # the paragraph that opens the list this sentence is an item of ("Trong quý II/2020:")


_NUMBERED_HEADING = re.compile(r"^(?P<mark>[IVXLC]+|[A-ZĐ]|[0-9]+(?:\.[0-9]+)*)[.)]\s+\S")
# "PHẦN THỨ HAI: PHƯƠNG HƯỚNG…", "Phần I." — a part of the report, above its roman-numbered sections.
_PART_HEADING = re.compile(r"^phần\s+(?:thứ\s+)?(?:nhất|hai|ba|tư|[IVX]+|[0-9]+)\s*[:.)-]?\s", re.IGNORECASE)
_LINE_NUMBERING = re.compile(r"^[0-9]+(?:\.[0-9]+)*[.)]\s")
_BARE_MARK = re.compile(r"^\s*(?:[IVXLC]+|[A-ZĐa-zđ]|[0-9]+(?:\.[0-9]+)*)\s*$")
_SENTENCE_END = re.compile(r"[.!?…]+(?:/\.)?\s+")
_STARTS_SENTENCE = "-–—•+(“\"'"
_BULLET = re.compile(r"[-–—•+*]\s+")
_NO_JOIN_ENDINGS = (".", "!", "?", "…", "|")
MAX_HEADING = 200


WRAPPED_SHARE = 0.75  # a line this close to the usual line width was wrapped by the PDF, not ended
WIDTH_PERCENTILE = 0.8
MIN_WRAP_LINES = 8
SHORT_TEXT_WIDTH = 60  # the line width assumed for a text too short to measure it


def _continues(previous: str, last_line: str, line: str, width: int) -> bool:
    """Whether `line` carries on the paragraph before it (wrapped text in a PDF or a .txt).

    A line ending in `;` or `:` may still go on ("...hoạt động riêng):" / "tổng số tin đã đăng 488 tin."),
    but a new bullet or a numbered heading starts a new paragraph. A capitalised line carries on only
    a line that ran to the margin without ending ("… 23 tin, bài tiếng" / "Khmer; 14 …", "… cập nhật
    mới 14" / "Quyết định công bố …").
    """
    if previous.endswith(_NO_JOIN_ENDINGS):
        return False
    first = line[0]
    if first.islower() or (first.isdigit() and not _LINE_NUMBERING.match(line)):
        return True
    if _BULLET.match(line) or _NUMBERED_HEADING.match(line) or first in _STARTS_SENTENCE or first == "|":
        return False
    return len(last_line) >= WRAPPED_SHARE * width and not previous.endswith((";", ":"))


def _wrap_width(lines: list[str]) -> int:
    """The usual length of a full line: text wrapped at a margin has most lines about this long."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < MIN_WRAP_LINES:
        return SHORT_TEXT_WIDTH
    return lengths[int(WIDTH_PERCENTILE * (len(lengths) - 1))]


def _paragraphs(text: str) -> list[tuple[int, str]]:
    paragraphs: list[tuple[int, str]] = []
    lines = [" ".join(raw.split()) for raw in text.split("\n")]
    width = _wrap_width(lines)
    last_line = ""
    for number, line in enumerate(lines, start=1):
        if not line:
            continue  # a blank line inside a wrapped sentence (as in the seed report) does not end it
        if paragraphs and _continues(paragraphs[-1][1], last_line, line, width):
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + " " + line)
        else:
            paragraphs.append((number, line))
        last_line = line
    return paragraphs


def _heading_level(paragraph: str) -> int | None:
    if _PART_HEADING.match(paragraph) and len(paragraph) <= MAX_HEADING:
        return -1
    found = _NUMBERED_HEADING.match(paragraph)
    if not found or len(paragraph) > MAX_HEADING:
        return None
    mark = found["mark"]
    return mark.count(".") + 1 if mark[0].isdigit() else 0


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        following = text[end.end() : end.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in _STARTS_SENTENCE):
            continue
        if _BARE_MARK.match(text[start : end.start()]):
            continue  # "1. Tình hình..." is one heading, not the sentence "1."
        spans.append((start, end.end()))
        start = end.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def mask(text: str, patterns: Patterns) -> str:
    """`text` with every digit inside an ignored span (date, document number, ordinal...) made §."""
    chars = list(text)
    for pattern in patterns.ignore:
        for found in pattern.finditer(text):
            for i in range(found.start(), found.end()):
                if chars[i].isdigit():
                    chars[i] = "§"
    return "".join(chars)


def sentences(text: str, patterns: Patterns | None = None) -> list[Sentence]:
    patterns = patterns or load_patterns()
    result: list[Sentence] = []
    plan_level: int | None = None
    list_lead = ""
    for line, paragraph in _paragraphs(normalize_text(text)):
        level = _heading_level(paragraph)
        if level is not None:
            if patterns.plan_heading.search(paragraph):
                plan_level = level if plan_level is None else min(plan_level, level)
            elif plan_level is not None and level <= plan_level:
                plan_level = None
        item_lead = list_lead if _BULLET.match(paragraph) else ""
        if not item_lead:  # a list ends at the first paragraph that is not one of its items
            list_lead = paragraph if paragraph.endswith(":") and level is None else ""
        masked = mask(paragraph, patterns)
        for start, end in _sentence_spans(paragraph):
            # Trim the text and its masked twin alike so that offsets stay aligned.
            lead = start + len(paragraph[start:end]) - len(paragraph[start:end].lstrip())
            bullet = _BULLET.match(paragraph, lead)
            lead = bullet.end() if bullet else lead
            stop = end - (len(paragraph[start:end]) - len(paragraph[start:end].rstrip()))
            if stop > lead:
                text_span, masked_span = paragraph[lead:stop], masked[lead:stop]
                result.append(Sentence(line, text_span, masked_span, plan_level is not None, item_lead))
    return result


def _clause(text: str, position: int) -> tuple[int, int]:
    """The `;`-separated part of a sentence around `position`."""
    start = text.rfind(";", 0, position) + 1
    end = text.find(";", position)
    return start, len(text) if end < 0 else end


# ---------------------------------------------------------------------------------------------
# The report's period
# ---------------------------------------------------------------------------------------------


def detect_period(text: str) -> Period | None:
    """The period a report is about, from its title: "Công tác tháng 7 và kế hoạch tháng 8/2019" is
    July 2019, "Kết quả công tác quý II năm 2020 và phương hướng quý III" the second quarter of 2020,
    "6 tháng đầu năm 2020" its first half, "9 tháng đầu năm 2020" its first nine months, "Tổng kết công
    tác năm 2020" the year. The plan period and the signing date are skipped; None without a title."""
    found = detect_title_period(normalize_text(text))
    return found.period if found else None


def _as_period(period: Period | dt.date | None) -> Period | None:
    if isinstance(period, dt.date):
        return Period("month", period.year, period.month)
    return period


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


@dataclass
class _Context:
    patterns: Patterns
    period: Period | None
    text_period: Period | None  # the period mentions are compared with: the title's, else the given one
    estimated: bool = False  # the whole report is an estimate (written before the period ended, and says so)


def _parse_value(text: str, multiplier: int) -> tuple[int, bool]:
    """`2.682.057` -> 2682057; `10,18` with 1000 -> 10180. Second item: the count had a fraction."""
    exact = Decimal(text.replace(".", "").replace(",", ".")) * multiplier
    whole = exact.to_integral_value(rounding=ROUND_HALF_UP)
    return int(whole), whole != exact


def _group(found: re.Match[str], name: str) -> str:
    """A named group's text, "" when the rule has no such group or it did not take part."""
    return found.groupdict().get(name) or ""


def _number_end(found: re.Match[str]) -> int:
    return found.end("multiplier") if _group(found, "multiplier") else found.end("value")


def _first_number(masked: str, patterns: Patterns) -> int:
    found = patterns.number.search(masked)
    return found.start() if found else len(masked)


def _other_period(sentence: Sentence, start: int, end: int, ctx: _Context) -> str | None:
    """The words that put the figure at [start, end) in another period than the report's, or None.

    The clause before the figure speaks first; a clause that names no period takes the one named at
    the start of its sentence ("Trong quý II/2020, …; …; …"), and a sentence that names none takes the
    lead of its list ("Trong tháng 4/2020, kết quả như sau:" / "- …"). Words such as "lũy kế", "cùng
    kỳ", "tháng trước" always mean another period; "trong tháng 4" after the figure does too."""
    text, patterns = sentence.text, ctx.patterns
    clause_start = _clause(text, start)[0]
    prefix = text[clause_start:start]
    other = patterns.other_period.search(prefix)
    if other:
        return other.group()
    report = ctx.text_period
    if report is None:
        return None
    named: list[Mention] = mentions(prefix, report)
    if not named:
        lead_end = min(_clause(text, 0)[1], _first_number(sentence.masked, patterns))
        lead = text[:lead_end] if clause_start > 0 else ""
        named = mentions(lead, report) if lead else []
        if not named and sentence.lead:
            other = patterns.other_period.search(sentence.lead)
            if other:
                return other.group()
            named = mentions(sentence.lead, report)
    following = text[end : _clause(text, start)[1]]
    stop = patterns.number.search(sentence.masked, end, end + len(following))
    named += mentions_after(following[: (stop.start() - end) if stop else len(following)], report)
    return next((m.word for m in named if not m.same), None)


def _estimated(sentence: Sentence, prefix: str, qualifier: str, ctx: _Context) -> bool:
    """Whether the figure is an estimate: "ước" in front of it, earlier in its clause, or at the start of
    its sentence or list (or the whole report is one)."""
    estimates = ctx.patterns.estimates
    if ctx.estimated or (qualifier and qualifier.split()[0] in estimates):
        return True
    lead = sentence.text[: _first_number(sentence.masked, ctx.patterns)]
    words = (
        m.group().lower()
        for part in (prefix, lead, sentence.lead)
        for m in ctx.patterns.clause_qualifier.finditer(part)
    )
    return any(word in estimates for word in words)


def _lead_in(sentence: Sentence, clause_start: int, start: int, patterns: Patterns) -> str:
    """The words right before a figure: from the figure before it in its clause (or the clause's start)."""
    previous = [m.end() for m in patterns.number.finditer(sentence.masked, clause_start, start)]
    return sentence.text[(previous[-1] if previous else clause_start) : start]


def _trail(sentence: Sentence, end: int, patterns: Patterns) -> str:
    """The words right after a figure: up to the next figure of its clause (or the clause's end)."""
    clause_end = _clause(sentence.text, end)[1]
    following = patterns.number.search(sentence.masked, end, clause_end)
    return sentence.text[end : following.start() if following else clause_end]


def _reasons(
    metric: str, sentence: Sentence, found: re.Match[str], ctx: _Context, source: str
) -> tuple[list[tuple[str, str, str]], str, bool]:
    """Why a matched number is not a plain count of the report's period, as (key, vi detail, en detail)
    triples, its qualifier and whether it is an estimate. Only the clause before the number counts for
    qualifiers: Vietnamese puts "lũy kế", "cùng kỳ", "ước" before the figure they qualify, and "so với
    cùng kỳ" after a figure is a comparison; the words right before it say what was done ("thu hồi 01
    giấy phép", "lắp đặt mới 18 trạm BTS")."""
    reasons: list[tuple[str, str, str]] = []
    start = found.start("qualifier") if _group(found, "qualifier") else found.start("value")
    clause_start = _clause(sentence.text, start)[0]
    prefix = sentence.text[clause_start:start]
    qualifier = _group(found, "qualifier").lower()
    if not qualifier:
        clause_word = ctx.patterns.clause_qualifier.search(prefix)
        qualifier = clause_word.group().lower() if clause_word else ""
    estimated = _estimated(sentence, prefix, qualifier, ctx)
    if qualifier and qualifier not in ctx.patterns.estimates:
        reasons.append(("approximate", qualifier, qualifier))
    multiplier = _group(found, "multiplier").lower()
    number_text = source[found.start("value") : _number_end(found)]
    _, fractional = _parse_value(found["value"], ctx.patterns.multipliers.get(multiplier, 1))
    if multiplier:
        reasons.append(("multiplier", number_text, number_text))
    if fractional:
        reasons.append(("fraction", number_text, number_text))
    if ctx.patterns.delta.search(prefix):
        reasons.append(("delta", "", ""))
    lead_in = _lead_in(sentence, clause_start, start, ctx.patterns)
    trail = _trail(sentence, _number_end(found), ctx.patterns)
    action = ctx.patterns.other_action.search(lead_in) or ctx.patterns.other_action_after.search(trail)
    if action:
        reasons.append(("action", action.group(), action.group()))
    change = ctx.patterns.level_change.search(lead_in) if metric in ctx.patterns.levels else None
    if change:
        reasons.append(("level_change", change.group(), change.group()))
    # A head closed by a colon ("Phấn đấu trong tháng 8: …; …") opens every clause after it.
    colon = sentence.text.find(":")
    head = sentence.text[:colon] if 0 <= colon < clause_start else ""
    to_date = None
    if metric not in ctx.patterns.levels:
        to_date = next((m for part in (prefix, head, sentence.lead) if (m := ctx.patterns.to_date.search(part))), None)
    other_word = _other_period(sentence, start, _number_end(found), ctx) or (to_date.group() if to_date else None)
    if other_word:
        reasons.append(("other_period", other_word, other_word))
    target = any(ctx.patterns.plan_words.search(part) for part in (prefix, head, sentence.lead))
    if sentence.in_plan or target or ctx.patterns.plan_after.search(trail):
        reasons.append(("plan", "", ""))
    return reasons, qualifier, estimated


def _figure(
    metric: str,
    member: str,
    sentence: Sentence,
    found: re.Match[str],
    judged: tuple[list[tuple[str, str, str]], str, bool],
    ctx: _Context,
) -> Figure:
    reasons, qualifier, estimated = judged
    value, _ = _parse_value(found["value"], ctx.patterns.multipliers.get(_group(found, "multiplier").lower(), 1))
    keys = [key for key, _, _ in reasons]
    return Figure(
        metric=metric,
        member=member,
        value=value,
        period=ctx.period.start if ctx.period else None,
        qualifier=qualifier,
        sentence=sentence.text,
        confidence="review" if reasons else "sure",
        reason=",".join(keys),
        reason_vi="; ".join(t(REASONS[k], "vi", detail=vi) for k, vi, _ in reasons),
        reason_en="; ".join(t(REASONS[k], "en", detail=en) for k, _, en in reasons),
        line=sentence.line,
        text=sentence.text[found.start("value") : _number_end(found)],
        start=found.start("value"),
        grain=ctx.period.kind if ctx.period else "month",
        estimated=estimated,
    )


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _rule_figures(sentence: Sentence, ctx: _Context, taken: list[tuple[int, int]]) -> list[Figure]:
    figures: list[Figure] = []
    for rule in ctx.patterns.rules:
        source = sentence.text if rule.unmasked else sentence.masked
        for found in rule.regex.finditer(source):
            span = found.span("value")
            if _overlaps(span, taken):
                continue
            clause = _clause(sentence.text, span[0])
            if rule.excludes and rule.excludes.search(sentence.text, *clause):
                continue
            taken.append(span)
            judged = _reasons(rule.metric, sentence, found, ctx, source)
            reasons = judged[0]
            member = rule.member
            if _group(found, "member"):
                word = _group(found, "member")
                member = rule.members.get(word.casefold(), "")
                if not member:
                    reasons.append(("unknown_member", word, word))
            if rule.review:
                reasons.append(("rule", *rule.review))
            if rule.requires and not rule.requires.search(sentence.text):
                reasons.append(("context", rule.requires_words, rule.requires_words))
            figures.append(_figure(rule.metric, member, sentence, found, judged, ctx))
    return figures


def _nearest_keyword(sentence: Sentence, span: tuple[int, int], ctx: _Context) -> tuple[str, str] | None:
    """The metric and word of the closest metric keyword in the same clause, if close enough."""
    clause_start, clause_end = _clause(sentence.masked, span[0])
    best: tuple[int, str, str] | None = None
    for metric, pattern in ctx.patterns.keywords:
        for found in pattern.finditer(sentence.masked, clause_start, clause_end):
            gap = max(found.start() - span[1], span[0] - found.end(), 0)
            if gap <= KEYWORD_WINDOW and (best is None or gap < best[0]):
                best = (gap, metric, found.group())
    return (best[1], best[2]) if best else None


def _loose_figures(sentence: Sentence, ctx: _Context, taken: list[tuple[int, int]]) -> list[Figure]:
    """Numbers no rule took but that stand next to a metric word: listed for review."""
    figures: list[Figure] = []
    for found in ctx.patterns.number.finditer(sentence.masked):
        span = found.span("value")
        if _overlaps(span, taken):
            continue
        near = _nearest_keyword(sentence, span, ctx)
        if near is None:
            continue
        taken.append(span)
        judged = _reasons(near[0], sentence, found, ctx, sentence.masked)
        judged[0].insert(0, ("no_pattern", near[1], near[1]))
        figures.append(_figure(near[0], "", sentence, found, judged, ctx))
    return figures


def _demote(figure: Figure, key: str, detail: str = "") -> Figure:
    """The figure sent to review for one more reason."""

    def join(existing: str, added: str, separator: str) -> str:
        return f"{existing}{separator}{added}" if existing else added

    return replace(
        figure,
        confidence="review",
        reason=join(figure.reason, key, ","),
        reason_vi=join(figure.reason_vi, t(REASONS[key], "vi", detail=detail), "; "),
        reason_en=join(figure.reason_en, t(REASONS[key], "en", detail=detail), "; "),
    )


def _settle(figures: list[Figure]) -> list[Figure]:
    """Across the document: drop repeats of the same sure figure, send disagreeing ones to review,
    and review an undivided total when the same text also gives its parts (loading both double-counts)."""
    by_key: dict[tuple[str, str, dt.date | None, str], list[int]] = {}
    for index, figure in enumerate(figures):
        if figure.sure:
            by_key.setdefault((figure.metric, figure.member, figure.period, figure.grain), []).append(index)
    drop: set[int] = set()
    result = list(figures)
    for indexes in by_key.values():
        values = {figures[i].value for i in indexes}
        if len(values) == 1:
            drop.update(indexes[1:])
        else:
            shown = ", ".join(str(v) for v in sorted(values))
            for i in indexes:
                result[i] = _demote(figures[i], "conflict", shown)
    dimensioned = {m.code for m in load_catalog().metrics if m.dimension}
    parts = {(f.metric, f.period) for f in result if f.sure and f.member and f.metric in dimensioned}
    for i, figure in enumerate(result):
        if figure.sure and not figure.member and (figure.metric, figure.period) in parts:
            result[i] = _demote(figure, "total_with_parts")
    return [figure for i, figure in enumerate(result) if i not in drop]


def report_estimated(text: str, period: Period | None, patterns: Patterns | None = None) -> bool:
    """Whether the whole report is an estimate: its title says "ước", or a sentence says its figures
    are estimates ("Số liệu ước thực hiện đến hết ngày 30/6/2020") and it was signed before the period
    ended (or bears no date)."""
    patterns = patterns or load_patterns()
    title = detect_title_period(normalize_text(text))
    if title is not None and title.estimated:
        return True
    if period is None or not patterns.estimate_note.search(normalize_text(text)):
        return False
    signed = title.signed if title else None
    return signed is None or written_before_end(period, signed)


def extract_figures(
    text: str, period: Period | dt.date | None = None, patterns: Patterns | None = None
) -> list[Figure]:
    """Every figure in a report's text, in document order. `period` (a Period, or a month as a date)
    overrides the period of the title; figures are read at its grain."""
    patterns = patterns or load_patterns()
    title = detect_period(text)
    chosen = _as_period(period) or title
    # Periods named in sentences are compared with the title's: `period` corrects a wrong title, it does
    # not turn the title's period into "another period".
    ctx = _Context(patterns, chosen, title or chosen, report_estimated(text, chosen, patterns))
    figures: list[Figure] = []
    for sentence in sentences(text, patterns):
        taken: list[tuple[int, int]] = []
        found = _rule_figures(sentence, ctx, taken) + _loose_figures(sentence, ctx, taken)
        figures.extend(sorted(found, key=lambda f: f.start))
    return _settle(figures)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _note(figure: Figure) -> str:
    sentence = figure.sentence if len(figure.sentence) <= NOTE_LENGTH else figure.sentence[: NOTE_LENGTH - 1] + "…"
    return f"báo cáo: {sentence}"


def raw_rows(figures: Iterable[Figure], unit: str | None = None) -> list[RawRow]:
    """The sure figures that have a period, as rows for etl.validate: period (the first day of the
    figure's period), grain (month, quarter, half, nine_months, year) and estimated pass through."""
    return [
        RawRow(
            figure.line,
            {
                "unit": unit,
                "metric": figure.metric,
                "member": figure.member or None,
                "period": figure.period,
                "grain": figure.grain,
                "estimated": figure.estimated,
                "value": figure.value,
                "note": _note(figure),
            },
        )
        for figure in figures
        if figure.sure and figure.period is not None
    ]


def figures_to_rows(
    figures: Iterable[Figure], file: str, reference: Reference, unit: str | None = None
) -> tuple[list[CleanRow], list[Problem]]:
    """The sure figures that have a period, checked like any import (unit, metric, member)."""
    return validate_rows(raw_rows(figures, unit), file, reference, unit)
