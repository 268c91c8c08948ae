"""CSV and XLSX exports that analysts can open: UTF-8 with BOM, Vietnamese intact, and no
cell that a spreadsheet would run as a formula. The CLI and the pages share this code."""

from __future__ import annotations

import io

import pandas as pd

from commstats.i18n import has, t

# The leads a spreadsheet runs as a formula, and look-alikes that spreadsheets (East Asian input,
# Unicode-folding importers) may read as them: every character whose NFKC form is = + - @ (fullwidth,
# small, superscript, subscript forms) and the minus sign.
ASCII_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
LOOK_ALIKE_LEADS = "＝﹦⁼₌" + "＋﹢⁺₊﬩" + "－﹣−" + "＠﹫"
FORMULA_LEADS = ASCII_LEADS + tuple(LOOK_ALIKE_LEADS)


def header(column: str, lang: str = "vi") -> str:
    """An export column's header in `lang` (the catalogue's `export.<column>`); other columns keep their name."""
    key = f"export.{column}"
    return t(key, lang) if has(key) else column


def neutralise_text(value: object) -> object:
    """Prefix a quote to text a spreadsheet would treat as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """A copy with text cells neutralised and headers in `lang` (unknown columns keep their name)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        # Vectorised: only the few cells that start like a formula are rewritten.
        try:
            risky = values.str.startswith(FORMULA_LEADS, na=False)
        except AttributeError:  # no text in this column
            continue
        if risky.any():
            safe[column] = values.where(~risky, "'" + values[risky].astype(str))
    safe.columns = [neutralise_text(header(str(c), lang)) for c in safe.columns]
    return safe


# The CSV separators offered: Excel reads a CSV with the list separator of Windows' regional settings, which is
# ";" (and "," the decimal mark) under Vietnamese settings; "," elsewhere. Names for the command line, where a
# bare ; must be quoted.
SEPARATORS = {",": ",", ";": ";", "comma": ",", "semicolon": ";"}


def separator(name: str) -> str:
    """`,` or `;` from either mark or its name; ValueError for anything else."""
    if name not in SEPARATORS:
        raise ValueError(name)
    return SEPARATORS[name]


def to_csv_bytes(frame: pd.DataFrame, lang: str = "vi", sep: str = ",") -> bytes:
    """UTF-8 with BOM, CRLF lines, formulas neutralised; with `;` decimals take a comma, as Vietnamese Excel reads
    them (`45,91`)."""
    decimal = "," if separator(sep) == ";" else "."
    text = safe_frame(frame, lang).to_csv(index=False, lineterminator="\r\n", sep=separator(sep), decimal=decimal)
    return text.encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, lang: str = "vi", sheet_name: str = "Số liệu") -> bytes:
    buffer = io.BytesIO()
    safe = safe_frame(frame, lang)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        sheet.freeze_panes = "A2"
        for column_cells in sheet.columns:
            width = max(len(str(c.value or "")) for c in column_cells[:200])
            sheet.column_dimensions[column_cells[0].column_letter].width = min(60, max(10, width + 2))
    return buffer.getvalue()


def write_export(frame: pd.DataFrame, path: str, fmt: str = "csv", lang: str = "vi", sep: str = ",") -> int:
    data = to_xlsx_bytes(frame, lang) if fmt == "xlsx" else to_csv_bytes(frame, lang, sep)
    with open(path, "wb") as out:
        out.write(data)
    return len(frame)
