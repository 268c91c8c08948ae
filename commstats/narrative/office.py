"""An office's own Word template: a .docx with docxtpl placeholders ({{ title }}, {% for s in sections %} …)
into which the whole report renders (the names are those of ReportDocument.context()).

The template is an uploaded file, so it is treated as untrusted: its size and unpacked size are bounded
(a zip bomb is refused before it is opened), and its Jinja runs in the immutable sandbox with every value
escaped for XML and every unknown name an error, as the sentence templates do (commstats.narrative.templates).
"""

from __future__ import annotations

import io
import zipfile

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from commstats.config import get_settings
from commstats.narrative.report import ReportDocument

UNPACKED_RATIO = 10  # a .docx unpacks to a few times its size; far more is a zip bomb


class OfficeTemplateError(ValueError):
    """A Word template that cannot be used; the message says why and how to fix it."""


def _check(template: bytes) -> None:
    limit_mb = get_settings().office_template_mb
    if len(template) > limit_mb * 2**20:
        raise OfficeTemplateError(f"tệp mẫu lớn hơn {limit_mb} MB / the template is too large")
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise OfficeTemplateError("không phải tệp .docx / not a .docx file (save it as Word .docx)") from error
    if "word/document.xml" not in names:
        raise OfficeTemplateError("không phải tệp .docx / not a .docx file (no word/document.xml)")
    if unpacked > UNPACKED_RATIO * limit_mb * 2**20:
        raise OfficeTemplateError("tệp mẫu giải nén quá lớn / the template unpacks to too much data")


def render_office_template(template: bytes, report: ReportDocument) -> bytes:
    """The report rendered into the office's .docx template."""
    _check(template)
    environment = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    try:
        document = DocxTemplate(io.BytesIO(template))
        document.render(report.context(), environment, autoescape=True)
    except JinjaError as error:
        raise OfficeTemplateError(
            f"{type(error).__name__}: {error}. Sửa trường trong mẫu Word / fix the placeholder in the Word template"
        ) from error
    except (KeyError, ValueError) as error:
        raise OfficeTemplateError(f"tệp mẫu hỏng / the template is damaged: {error}") from error
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
