"""Screen labels, Vietnamese first. `label(key)` reads the language chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

from ui.labels_pages import PAGE_LABELS

LABELS: dict[str, tuple[str, str]] = {
    "app_title": ("Thống kê Sở Thông tin và Truyền thông", "Information and Communications statistics"),
    "language": ("Ngôn ngữ / Language", "Ngôn ngữ / Language"),
    "unit": ("Đơn vị", "Unit"),
    "period_range": ("Khoảng thời gian", "Period range"),
    "month": ("Tháng báo cáo", "Report month"),
    "demo_badge": (
        "Dữ liệu mẫu (demo) — không phải số liệu thật của đơn vị.",
        "Demo data — not the unit's real figures.",
    ),
    "empty_title": ("Chưa có số liệu", "No data yet"),
    "empty_body": (
        "Cơ sở dữ liệu chưa có số liệu nào cho đơn vị này. Cách bắt đầu:\n\n"
        "1. Tạo dữ liệu mẫu: `python -m commstats init --demo`\n"
        "2. Hoặc nhập tệp CSV/XLSX dạng dài (cột `period, metric, member, value`): "
        "`python -m commstats import tep.csv --unit MA_DON_VI`\n"
        "3. Xem danh mục chỉ tiêu: `python -m commstats metrics`",
        "The database has no figures for this unit yet. To start:\n\n"
        "1. Create the demo data: `python -m commstats init --demo`\n"
        "2. Or import a long-format CSV/XLSX (columns `period, metric, member, value`): "
        "`python -m commstats import file.csv --unit UNIT_CODE`\n"
        "3. See the metric catalogue: `python -m commstats metrics`",
    ),
    "no_units": ("Chưa có đơn vị nào trong cơ sở dữ liệu.", "There are no units in the database yet."),
    "overview_title": ("Tổng quan", "Overview"),
    "overview_caption": (
        "Số liệu {month} so với tháng trước và cùng kỳ năm trước.",
        "Figures for {month} against the previous month and the same month last year.",
    ),
    "vs_prev_month": ("so với tháng trước", "vs previous month"),
    "vs_last_year": ("cùng kỳ năm trước: {value}", "same month last year: {value}"),
    "no_last_year": ("chưa có số liệu cùng kỳ năm trước", "no figure for the same month last year"),
    "ytd_target": (
        "Lũy kế từ đầu năm: {ytd} / kế hoạch {target} ({share})",
        "Year to date: {ytd} of target {target} ({share})",
    ),
    "ytd_only": ("Lũy kế từ đầu năm: {ytd}", "Year to date: {ytd}"),
    "stock_note": ("số cuối kỳ", "end-of-period level"),
}

# Labels of the analysis pages and the frame's additions live in ui/labels_pages.py.
LABELS.update(PAGE_LABELS)


def lang() -> str:
    return str(st.session_state.get("lang", "vi"))


def label(key: str, **params: object) -> str:
    vi, en = LABELS[key]
    return (en if lang() == "en" else vi).format(**params)
