"""The CSV and XLSX download buttons of a table, for the people whose role allows exports (analysts and
above). The files come from commstats.export, the code the CLI uses: UTF-8 with BOM, ';' by default in
Vietnamese, every cell a spreadsheet would run as a formula neutralised. Streamlit's own table toolbar
download is off for everyone (`client.disableDataExport`), so this is the only way a table leaves the
dashboard, and a viewer has none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from commstats import export
from commstats.auth import Action, Principal
from commstats.i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_export(principal: Principal, unit_ids: Sequence[int]) -> bool:
    """Whether the downloads are offered: the role must allow exports on every unit shown."""
    return principal.can_all(Action.EXPORT, unit_ids)


def table_downloads(
    table: pd.DataFrame | Mapping[str, Any], file_name: str, key: str, lang: str, *, primary: bool = False
) -> None:
    """The separator choice and the CSV and XLSX buttons of one table (`key` names its widgets, `file_name`
    its files without the extension). Call it only where can_export allows it."""
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(dict(table))
    sep = (
        st.segmented_control(
            t("csv_sep_label"),
            [";", ","],
            default=";" if lang == "vi" else ",",
            key=f"{key}_csv_sep",
            format_func=lambda mark: t("csv_sep_semicolon") if mark == ";" else t("csv_sep_comma"),
            help=t("csv_sep_help"),
        )
        or ","
    )
    st.download_button(
        t("explore_csv"),
        lambda: export.to_csv_bytes(frame, lang, sep),
        f"{file_name}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        help=t("explore_download_help"),
        on_click="ignore",
        type="primary" if primary else "secondary",
    )
    st.download_button(
        t("explore_xlsx"),
        lambda: export.to_xlsx_bytes(frame, lang),
        f"{file_name}.xlsx",
        XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def downloads_row(allowed: bool, table: pd.DataFrame | Mapping[str, Any], file_name: str, key: str, lang: str) -> None:
    """A table's downloads on one line under it, when `allowed` (can_export); nothing otherwise."""
    if allowed:
        with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="bottom"):
            table_downloads(table, file_name, key, lang)


def exported_table(
    data: pd.DataFrame | Mapping[str, Any], *, key: str, downloads: bool, file_name: str, lang: str, **shown: Any
) -> None:
    """st.dataframe(data, key=key, **shown), then its downloads when `downloads` (can_export): the file holds
    what the table shows, with the same headers."""
    st.dataframe(data, key=key, **shown)
    downloads_row(downloads, data, file_name, key.removesuffix("_table"), lang)
