"""A .docx as PDF through LibreOffice (`soffice --headless --convert-to pdf`), installed by .ci/run and the
Dockerfile/packages of a server. Each conversion uses its own LibreOffice profile, so two conversions at the
same time (two users, two tests) do not wait on each other's lock."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180


class PdfError(RuntimeError):
    """LibreOffice is missing or the conversion failed; the message says which."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: float = TIMEOUT_SECONDS) -> bytes:
    program = soffice()
    if program is None:
        raise PdfError(
            "Chưa cài LibreOffice (soffice) nên không tạo được PDF; tải .docx, hoặc cài libreoffice-writer. / "
            "LibreOffice (soffice) is not installed, so no PDF can be made; download the .docx or install it."
        )
    with tempfile.TemporaryDirectory(prefix="commstats-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(docx)
        command = [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise PdfError(f"LibreOffice không chuyển được sang PDF / could not convert to PDF: {error}") from error
        target = work / "report.pdf"
        if not target.exists():
            raise PdfError("LibreOffice không tạo ra tệp PDF / LibreOffice wrote no PDF file")
        return target.read_bytes()
