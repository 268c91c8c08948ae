"""Every limit on what one input file may cost, in one place.

The budget they keep (measured by `python -m bench hostile`): any file at the size limit is refused
or loaded within about 60 s and 1 GB of extra memory, from the CLI and from the import page. Each
limit is checked while the file is read (streamed), never after the whole file has been expanded,
so a file is refused as soon as it crosses one.

`current()` is what the readers use; `override(...)` lowers limits for a block (tests use it to trip
each limit with a small file). The size limit itself comes from the one settings function
(`COMMSTATS_MAX_UPLOAD_MB`); Streamlit's own cap in .streamlit/config.toml must equal it (tested).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from commstats.config import get_settings

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_bytes: int  # any file, CLI or page (Settings.max_upload_mb)
    # tables: long CSV/XLSX, targets, licence register, data-entry workbook
    rows: int = 500_000  # data rows of a long file or a targets file (a row costs ~70 µs to check)
    register_rows: int = 200_000
    template_rows: int = 20_000  # rows of one sheet of the data-entry workbook
    columns: int = 64
    cell_chars: int = 32_767  # Excel's own maximum for one cell
    # .xlsx archives, counted in the XML before openpyxl reads it
    xlsx_unzipped_bytes: int = 400 * MB
    xlsx_cells: int = 500_000  # cells of all sheets together (openpyxl reads ~25,000 a second here)
    shared_strings: int = 2_000_000
    # reports (.txt, .docx, .pdf)
    docx_unzipped_bytes: int = 200 * MB  # a real report is a few MB even with pictures
    docx_parts: int = 5_000
    docx_document_bytes: int = 64 * MB  # word/document.xml alone; a 100-page report has a few MB
    paragraphs: int = 100_000  # a 100-page report has a few thousand
    pdf_pages: int = 1_000
    pdf_content_bytes: int = 64 * MB  # page content streams, decoded, summed over pages
    pdf_seconds: float = 30.0  # reading pages stops after this (checked between pages)
    text_chars: int = 1_000_000  # text of one report (a yearly report has ~300,000; reading 1 MB takes ~20 s)
    # site feeds
    feed_bytes: int = 20 * MB  # one response
    feed_unzipped_bytes: int = 50 * MB  # a .xml.gz sitemap once inflated
    feed_entries: int = 50_000  # posts or addresses in one document (the sitemap protocol's maximum)
    # messages: the first ones in full, the rest counted per kind
    problems_kept: int = 100

    @property
    def file_mb(self) -> int:
        return self.file_bytes // MB


_active: Limits | None = None


def current() -> Limits:
    """The limits in force: the defaults with the settings' size limit, or an override."""
    if _active is not None:
        return _active
    return Limits(file_bytes=get_settings().max_upload_mb * MB)


@contextmanager
def override(**changes: object) -> Iterator[Limits]:
    """Other limits for the duration of a block (process-wide: the import page's script thread sees them)."""
    global _active
    previous = _active
    _active = replace(current(), **changes)  # type: ignore[arg-type]
    try:
        yield _active
    finally:
        _active = previous
