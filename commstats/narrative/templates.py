"""Sentence templates of the drafts: data/templates/<lang>.yaml, checked when loaded.

A template file holds, per report section, paragraphs made of items (one figure each) and a
Jinja sentence that joins them. Offices edit these files, so they are rendered in Jinja's
sandbox and every mistake is reported with the file, the place and how to fix it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commstats.catalog import UNALLOCATED, load_catalog
from commstats.config import DATA_DIR
from commstats.narrative.filters import filters_for

TEMPLATES_DIR = DATA_DIR / "templates"
LANGUAGES = ("vi", "en")

ZeroPolicy = Literal["drop", "keep", "say"]
MissingPolicy = Literal["drop", "say"]


class TemplateError(Exception):
    """A template file that cannot be used; the message says where and how to fix it."""


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
        env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
        env.filters.update(filters_for(self.language))
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
