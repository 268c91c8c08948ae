"""Sentence templates of the drafts: data/templates/<lang>.yaml, checked when loaded.

A template file holds, per report section, paragraphs made of items (one figure each) and a
Jinja sentence that joins them. Offices edit these files, so they are rendered in Jinja's
sandbox and every mistake is reported with the file, the place and how to fix it.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

import yaml
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commstats.catalog import UNALLOCATED, load_catalog
from commstats.config import DATA_DIR
from commstats.i18n import t
from commstats.narrative.filters import filters_for

TEMPLATES_DIR = DATA_DIR / "templates"
LANGUAGES = ("vi", "en")

ZeroPolicy = Literal["drop", "keep", "say"]
MissingPolicy = Literal["drop", "say"]


class TemplateError(Exception):
    """A template file that cannot be used; the message says where and how to fix it."""


# --- the budget of one rendering --------------------------------------------------------------------------------
# The sandbox stops a template from reaching Python, not from running long or building huge text: `{% for a in
# range(99999) %}{% for b in range(99999) %}…` or `{{ 'x' * 10**10 }}` would hold a draft (and the server) for
# ever. Every loop step, call, filter and operator counts against a budget, sizes are checked before anything
# large is built, and the output is measured as it is produced.
MAX_STEPS = 200_000  # a real paragraph takes a few hundred
MAX_SECONDS = 5.0
MAX_OUTPUT = 100_000  # characters of one rendered text (and of any string or list built on the way)
# In a format string: a width or precision of a million or more, or one taken from the arguments (`%*d`,
# `{:>{}}`), which could be anything.
_WIDE_FORMAT = re.compile(r"\d{6,}|%[-#0 +]*\*|\{[^{}]*:[^{}]*\{")


class BudgetExceeded(SecurityError):
    """A template that runs too long or builds too much; stopped before it takes the server down."""

    def __init__(self, key: str, limit: object, line: int | None = None):
        super().__init__(f"{t(key, 'vi', limit=limit)} / {t(key, 'en', limit=limit)}")  # as TemplateError: both
        self.template_lineno = line  # when the line is known here rather than from the traceback


@dataclass
class _Budget:
    steps: int = 0
    deadline: float = 0.0


_BUDGET: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def _step() -> None:
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += 1
    if budget.steps > MAX_STEPS:
        raise BudgetExceeded("template_budget.steps", MAX_STEPS)
    if budget.steps % 1000 == 0 and time.monotonic() > budget.deadline:
        raise BudgetExceeded("template_budget.time", MAX_SECONDS)


def _size(value: object) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set)) else 0


def _check_size(size: int) -> None:
    if size > MAX_OUTPUT:
        raise BudgetExceeded("template_budget.size", MAX_OUTPUT)


# Filters and string methods whose number arguments are widths or counts of the text they build.
_WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def _check_widths(args: Iterable[object], kwargs: dict[str, Any]) -> None:
    """center(10**9), indent(width=10**9), ljust, zfill…: a width beyond the output limit is refused."""
    for value in [*args, *kwargs.values()]:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT:
            raise BudgetExceeded("template_budget.size", MAX_OUTPUT)


def _check_built(kind: str, value: object, args: tuple[object, ...]) -> None:
    """What joining or replacing would build, measured before it is built."""
    if kind == "join" and args and isinstance(args[0], (list, tuple)):
        _check_size(sum(_size(item) for item in args[0]) + _size(value) * len(args[0]))
    elif kind == "replace" and len(args) >= 2 and isinstance(value, str):
        old, new = str(args[0]), str(args[1])
        _check_size(len(value) + (len(new) - len(old)) * (value.count(old) if old else len(value) + 1))
    if kind == "format" and isinstance(value, str) and _WIDE_FORMAT.search(value):
        raise BudgetExceeded("template_budget.size", MAX_OUTPUT)


def _check_format(method: object) -> None:
    """`'{:>999999999}'.format(1)` is refused when the method is looked up, before anything is built."""
    owner = getattr(method, "__self__", None)
    if isinstance(owner, str) and getattr(method, "__name__", "") in ("format", "format_map"):
        _check_built("format", owner, ())


def _budgeted_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _step()
        values = list(args[1:] if getattr(function, "jinja_pass_arg", None) else args)  # without a context first
        if name in _WIDTH_FILTERS:
            _check_widths(values[1:], kwargs)
        if name == "join" and values:
            _check_built("join", kwargs.get("d", values[1] if len(values) > 1 else ""), (list(values[0]),))
        elif name in ("replace", "format") and values:
            _check_built(name, values[0], tuple(values[1:]))
        result = function(*args, **kwargs)
        _check_size(_size(result))
        return result

    return checked


def _budgeted_iterate(iterable: Iterable[object]) -> Iterator[object]:
    """Every `{% for %}` iterates through this: one step per round."""
    for item in iterable:
        _step()
        yield item


class _BudgetedCodeGenerator(CodeGenerator):
    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        counted = copy.copy(node)
        counter = nodes.EnvironmentAttribute("budgeted_iterate", lineno=node.lineno)
        counted.iter = nodes.Call(counter, [node.iter], [], None, None, lineno=node.lineno)
        super().visit_For(counted, frame)


class BudgetedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox plus a budget of steps, seconds and sizes (see MAX_STEPS, MAX_SECONDS, MAX_OUTPUT)."""

    code_generator_class = _BudgetedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})
    budgeted_iterate = staticmethod(_budgeted_iterate)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _size(seq) and isinstance(times, int):
                    _check_size(_size(seq) * times)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            _check_size(abs(left).bit_length() * right // 4)  # about the digits of the result
        elif operator == "+" and _size(left) and _size(right):
            _check_size(_size(left) + _size(right))
        elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise BudgetExceeded("template_budget.size", MAX_OUTPUT)
        result = super().call_binop(context, operator, left, right)
        _check_size(_size(result))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        _check_format(value)
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's own signature
        _step()
        owner, name = getattr(__obj, "__self__", None), getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name in _WIDTH_METHODS:
            _check_widths(args, kwargs)
        if isinstance(owner, str) and name in ("join", "replace"):
            _check_built(name, owner, args)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(_size(result))
        return result


def render_budgeted(template: Template, values: dict[str, Any]) -> str:
    """Render `template` within the budget; the output is measured while it is produced."""
    token = _BUDGET.set(_Budget(deadline=time.monotonic() + MAX_SECONDS))
    # jinja2 annotates generate() as an Iterator; it is a generator, closed below and inspected when paused.
    stream = cast(Generator[str, None, None], template.generate(values))
    try:
        parts: list[str] = []
        length = 0
        for part in stream:
            length += len(part)
            if length > MAX_OUTPUT:  # the template's own code is paused at the line that wrote too much
                raise BudgetExceeded("template_budget.size", MAX_OUTPUT, _paused_line(template, stream))
            parts.append(part)
        return "".join(parts)
    except RecursionError as error:
        raise BudgetExceeded("template_budget.recursion", "", template_line(error)) from error
    finally:
        stream.close()
        _BUDGET.reset(token)


def _paused_line(template: Template, stream: Iterator[str]) -> int | None:
    inner = getattr(stream, "gi_yieldfrom", None)  # Template.generate yields from the compiled render function
    frame = getattr(inner, "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame is not None else None


def template_line(error: BaseException) -> int | None:
    """The line of the template source where `error` happened (Jinja rewrites tracebacks to template lines)."""
    line, trace = None, error.__traceback__
    while isinstance(trace, TracebackType):
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Policy(_Spec):
    """What to do with a figure that is zero or missing: drop it, keep it, or say so with a phrase."""

    zero: ZeroPolicy | None = None
    zero_text: str | None = None
    missing: MissingPolicy | None = None
    missing_text: str | None = None


class ItemSpec(Policy):
    metric: str
    member: str | None = None  # None: the metric's total over its members
    text: str
    compare: bool = True  # compare this figure (tăng/giảm, lũy kế, kế hoạch) in the paragraph's comparison sentence
    inline: bool = False  # ... or right after the item, inside the sentence (the older style)


class CompareSpec(_Spec):
    """A figure whose comparisons follow the paragraph as their own sentence, and the words that name it."""

    metric: str
    member: str | None = None
    name: str = ""


class ParagraphSpec(Policy):
    id: str
    items: list[ItemSpec] = Field(default_factory=list)
    text: str
    compare: list[CompareSpec] | None = None  # None: the items that compare


class SectionSpec(_Spec):
    code: str
    title: str = ""
    paragraphs: list[ParagraphSpec]


class HeadingSpec(_Spec):
    unit: str
    title: str
    window: str = ""
    partial: str = ""
    empty: str


class ComparisonSpec(_Spec):
    up: str
    down: str
    up_points: str = "+{{ diff | number }}"  # a ratio's change, in percentage points
    down_points: str = "-{{ diff | number }}"
    same: str
    versus: str
    # The comparison sentence after a paragraph: one clause per comparison, one phrase per figure.
    change_item: str = "{% if name %}{{ name }} {% endif %}{{ change }}"
    ytd_item: str = (
        "{% if name %}{{ name }} {% endif %}{{ value | count }} {{ unit }}{% if target %}, {{ target }}{% endif %}"
    )
    clause: str = "{{ label }}: {{ items | join_list(', ') }}"
    sentence: str = "{{ clauses | join_list('; ') | capfirst }}."
    no_data: str = ""
    no_period: str = ""
    no_targets: str = ""
    previous_labels: dict[Literal["month", "quarter", "half", "nine_months", "year"], str]
    same_period_label: str
    ytd_label: str
    ytd: str
    target: str
    no_target: str = ""
    prefix: str = ", "
    join: str = ", "


class OthersSpec(_Spec):
    """Metrics with figures that no paragraph mentions (e.g. newly added to the catalogue)."""

    title: str
    item: str
    text: str


class DocumentSpec(_Spec):
    """The whole report in administrative form (Nghị định 30/2020/NĐ-CP): letterhead, title, numbered parts,
    closing, recipients, signature and appendix. Each text is Jinja; `period` and `next` are dicts with kind,
    index, roman, year."""

    governing_body: str = ""
    motto: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto_sub: str = "Độc lập - Tự do - Hạnh phúc"
    number: str = "Số:       /BC-"
    place_date: str = "{{ place }}, ngày      tháng      năm {{ year }}"
    title: str = "BÁO CÁO"
    subtitle: str
    results_heading: str
    intro: str = ""
    assessment_heading: str
    difficulties_heading: str
    tasks_heading: str
    recommendations_heading: str
    closing: str
    recipients_heading: str = "Nơi nhận:"
    recipients: str = "- Như trên;\n- Lưu: VT."
    signer_title: str = "GIÁM ĐỐC"
    not_given: str = "(Chưa có nội dung.)"
    appendix_title: str
    appendix_columns: list[str]
    period_phrase: str  # a macro-free phrase of `p` (tháng 7 năm 2019, quý III năm 2019 ...)


class TemplateSet(_Spec):
    language: Literal["vi", "en"]
    bullet: str = "- "
    zero_join: str = "; "  # joins the figures said as zero (`không phát sinh …`) to the rest of the paragraph
    defaults: Policy = Field(default_factory=lambda: Policy(zero="drop", missing="drop"))
    heading: HeadingSpec
    comparisons: ComparisonSpec
    sections: list[SectionSpec]
    others: OthersSpec | None = None
    document: DocumentSpec | None = None
    source: str = ""

    def environment(self) -> SandboxedEnvironment:
        env = BudgetedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
        env.filters.update(filters_for(self.language))
        env.filters = {name: _budgeted_filter(name, f) for name, f in env.filters.items()}
        env.globals.pop("lipsum", None)  # placeholder text has no place in a report
        return env


class CompiledTemplates:
    """A template set with every Jinja source compiled once (syntax errors surface at load)."""

    def __init__(self, spec: TemplateSet):
        self.spec = spec
        self.env = spec.environment()
        self._compiled: dict[str, Template] = {}
        for where, source in _sources(spec):
            try:
                self._compiled[source] = self.env.from_string(source)
            except TemplateSyntaxError as error:
                raise TemplateError(
                    f"{spec.source}: {where}, dòng {error.lineno}: lỗi cú pháp Jinja ({error.message}). "
                    "Kiểm tra cặp {{ }} và {% %}. / Jinja syntax error; check the {{ }} and {% %} pairs."
                ) from error

    def get(self, source: str) -> Template:
        if source not in self._compiled:
            self._compiled[source] = self.env.from_string(source)
        return self._compiled[source]


def _sources(spec: TemplateSet) -> list[tuple[str, str]]:
    """(place, Jinja source) for every template string of the set."""
    found: list[tuple[str, str]] = []

    def add(where: str, source: str | None) -> None:
        if source:
            found.append((where, source))

    for name, value in spec.heading.model_dump().items():
        add(f"heading.{name}", value)
    comparisons = spec.comparisons.model_dump()
    for name, value in comparisons.items():
        if isinstance(value, dict):
            for kind, text in value.items():
                add(f"comparisons.{name}.{kind}", text)
        elif name not in ("prefix", "join"):
            add(f"comparisons.{name}", value)
    add("defaults.zero_text", spec.defaults.zero_text)
    add("defaults.missing_text", spec.defaults.missing_text)
    for section in spec.sections:
        for paragraph in section.paragraphs:
            place = f"sections[{section.code}].paragraphs[{paragraph.id}]"
            add(f"{place}.text", paragraph.text)
            add(f"{place}.zero_text", paragraph.zero_text)
            add(f"{place}.missing_text", paragraph.missing_text)
            for i, item in enumerate(paragraph.items, start=1):
                add(f"{place}.items[{i}] ({item.metric})", item.text)
                add(f"{place}.items[{i}].zero_text", item.zero_text)
                add(f"{place}.items[{i}].missing_text", item.missing_text)
    if spec.others:
        for name, value in spec.others.model_dump().items():
            add(f"others.{name}", value)
    if spec.document:
        for name, value in spec.document.model_dump().items():
            if isinstance(value, str):
                add(f"document.{name}", value)
    return found


def _check_policies(spec: TemplateSet) -> list[str]:
    """Paragraph ids are unique, and a figure that is to be "said" when zero or missing has a phrase for it."""
    problems: list[str] = []
    seen: set[str] = set()
    for section in spec.sections:
        for paragraph in section.paragraphs:
            place = f"sections[{section.code}].paragraphs[{paragraph.id}]"
            if paragraph.id in seen or paragraph.id == "others":
                problems.append(f"{place}: id “{paragraph.id}” đã dùng / is used twice (or reserved); đặt id khác")
            seen.add(paragraph.id)
            for i, item in enumerate(paragraph.items, start=1):
                for case in ("zero", "missing"):
                    chain = (item, paragraph, spec.defaults)
                    policy = next((getattr(o, case) for o in chain if getattr(o, case) is not None), None)
                    text = next((getattr(o, f"{case}_text") for o in chain if getattr(o, f"{case}_text")), None)
                    if policy == "say" and not text:
                        problems.append(f"{place}.items[{i}]: {case}: say cần {case}_text (câu nói thay số liệu) / "
                                        f"needs {case}_text, the phrase to write instead")  # fmt: skip
    return problems


def _check_catalogue(spec: TemplateSet) -> None:
    """Every section, metric and member named by a template exists in the catalogue."""
    catalog = load_catalog()
    sections = {s.code for s in catalog.sections}
    metrics = {m.code: m for m in catalog.metrics}
    problems: list[str] = _check_policies(spec)
    for section in spec.sections:
        if section.code not in sections:
            problems.append(f"sections[{section.code}]: mục không có trong danh mục / unknown section "
                            f"(có / known: {', '.join(sorted(sections))})")  # fmt: skip
        for paragraph in section.paragraphs:
            for i, compared in enumerate(paragraph.compare or [], start=1):
                if compared.metric not in metrics:
                    place = f"sections[{section.code}].paragraphs[{paragraph.id}].compare[{i}]"
                    problems.append(f"{place}: mã chỉ tiêu “{compared.metric}” không có trong danh mục / unknown")
            for i, item in enumerate(paragraph.items, start=1):
                place = f"sections[{section.code}].paragraphs[{paragraph.id}].items[{i}]"
                metric = metrics.get(item.metric)
                if metric is None:
                    problems.append(f"{place}: mã chỉ tiêu “{item.metric}” không có trong danh mục / unknown metric "
                                    "(xem / see: python -m commstats metrics)")  # fmt: skip
                    continue
                if item.member is None or item.member == UNALLOCATED:
                    continue
                if not metric.dimension:
                    problems.append(f"{place}: chỉ tiêu {item.metric} không chia thành phần; bỏ “member” / "
                                    "this metric has no breakdown; remove “member”")  # fmt: skip
                    continue
                dimension = catalog.dimensions[metric.dimension]
                allowed = [m.code for m in dimension.members]
                if not dimension.open and item.member not in allowed:
                    problems.append(f"{place}: thành phần “{item.member}” không thuộc {metric.dimension} / unknown "
                                    f"member; dùng / use one of: {', '.join(allowed)}")  # fmt: skip
    if problems:
        raise TemplateError(f"{spec.source}:\n  " + "\n  ".join(problems))


def template_path(lang: str) -> Path:
    return TEMPLATES_DIR / f"{lang if lang in LANGUAGES else 'vi'}.yaml"


def load_templates(lang: str = "vi", path: Path | str | None = None) -> CompiledTemplates:
    """Read, check and compile the template set of `lang` (or the file at `path`).

    Compiled once per version of the file (its modification time and size): parsing and compiling the
    set took a third of a draft's time (bench/), and an edited file is read again at the next draft."""
    file = Path(path) if path else template_path(lang)
    try:
        stat = file.stat()
    except FileNotFoundError as error:
        raise TemplateError(f"{file}: không tìm thấy tệp mẫu câu / template file not found") from error
    return _compiled_file(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _compiled_file(file: Path, _mtime_ns: int, _size: int) -> CompiledTemplates:
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TemplateError(f"{file}: không tìm thấy tệp mẫu câu / template file not found") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", dòng {mark.line + 1}, cột {mark.column + 1}" if mark else ""
        raise TemplateError(
            f"{file}{where}: tệp YAML sai cấu trúc ({getattr(error, 'problem', error)}). Kiểm tra thụt lề và dấu "
            "ngoặc kép. / Malformed YAML; check indentation and quotes."
        ) from error
    if not isinstance(raw, dict):
        raise TemplateError(f"{file}: tệp mẫu câu phải là một bảng YAML / the template file must be a YAML mapping")
    try:
        spec = TemplateSet.model_validate({**raw, "source": str(file)})
    except ValidationError as error:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        raise TemplateError(f"{file}: mẫu câu không hợp lệ / invalid template:\n  " + "\n  ".join(lines)) from error
    _check_catalogue(spec)
    return CompiledTemplates(spec)
