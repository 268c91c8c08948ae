"""Screen labels, Vietnamese first. `label(key)` reads the language chosen in the sidebar."""

from __future__ import annotations

import streamlit as st

from ui.labels_draft import DRAFT_LABELS
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
    # manual entry (pages/entry.py) and file import (pages/import.py)
    "entry_title": ("Nhập số liệu", "Enter figures"),
    "entry_caption": (
        "Chọn đơn vị, tháng và lĩnh vực rồi nhập số liệu vào cột “Số liệu”. Ô trống nghĩa là chưa báo cáo (không phải 0) và không xóa số đã có. Có thể ghi dấu chấm hàng nghìn (2.682.057).",
        "Pick the unit, month and section, then type the figures in the “Figure” column. An empty cell means not reported (not zero) and never clears a stored figure. Thousands dots are fine (2.682.057).",
    ),
    "entry_unit": ("Đơn vị", "Unit"),
    "entry_month": ("Tháng", "Month"),
    "entry_year": ("Năm", "Year"),
    "entry_section": ("Lĩnh vực", "Section"),
    "entry_col_label": ("Chỉ tiêu", "Metric"),
    "entry_col_unit": ("Đơn vị tính", "Unit of measure"),
    "entry_col_value": ("Số liệu", "Figure"),
    "entry_save": ("Lưu số liệu", "Save figures"),
    "entry_rejected": (
        "Chưa lưu gì: có {count} lỗi. Sửa các ô sau rồi bấm Lưu lại:",
        "Nothing was saved: {count} problems. Fix these cells and save again:",
    ),
    "entry_changes": ("Các số liệu đã thay đổi (cũ → mới):", "Figures that changed (old → new):"),
    "import_title": ("Nhập tệp", "Import a file"),
    "nav_users": ("Người dùng", "Users"),
    "users_title": ("Người dùng và quyền", "Users and roles"),
    "nav_account": ("Tài khoản", "Account"),
    "import_caption": (
        "Tải lên tệp CSV/XLSX dạng dài (cột period, metric, member, value), biểu mẫu Excel nhập số liệu, hoặc sổ đăng ký giấy phép, tờ khai. Tệp được kiểm tra trước; chỉ khi bấm Nạp thì số liệu mới được ghi, trọn vẹn hoặc không ghi gì. Giới hạn {limit_mb} MB.",
        "Upload a long CSV/XLSX (columns period, metric, member, value), the data-entry workbook, or a licence register. The file is checked first; figures are written only when you press Load, all or nothing. Limit {limit_mb} MB.",
    ),
    "import_uploader": ("Chọn tệp (.csv, .xlsx)", "Choose a file (.csv, .xlsx)"),
    "import_unit": ("Đơn vị mặc định (khi tệp không ghi đơn vị)", "Default unit (when the file names none)"),
    "import_empty": (
        "Chưa chọn tệp. Tải biểu mẫu Excel bằng lệnh `python -m commstats template --year 2027 --out bieu-mau.xlsx --unit MA_DON_VI`, điền số liệu rồi tải lên đây.",
        "No file yet. Get the Excel workbook with `python -m commstats template --year 2027 --out workbook.xlsx --unit UNIT_CODE`, fill it in and upload it here.",
    ),
    "import_kind": ("Loại tệp: {kind}", "File kind: {kind}"),
    "import_kind_long": ("bảng số liệu dạng dài", "long-format table"),
    "import_kind_template": ("biểu mẫu Excel nhập số liệu", "data-entry workbook"),
    "import_kind_register": ("sổ đăng ký giấy phép, tờ khai", "licence register"),
    "import_head": ("Các dòng đầu của tệp", "First rows of the file"),
    "import_new": ("Giá trị mới", "New figures"),
    "import_changed": ("Giá trị sửa", "Changed figures"),
    "import_unchanged": ("Không đổi", "Unchanged"),
    "import_records_new": ("Bản ghi sổ mới", "New register records"),
    "import_problems": (
        "Tệp bị từ chối: {count} lỗi. Không có gì được ghi. Sửa các lỗi sau rồi tải lên lại:",
        "The file is rejected: {count} problems. Nothing was written. Fix these and upload again:",
    ),
    "import_confirm": ("Nạp vào cơ sở dữ liệu", "Load into the database"),
    "import_progress": ("Đang nạp… {done}/{total}", "Loading… {done}/{total}"),
    "import_nothing_to_load": (
        "Tệp hợp lệ nhưng không có gì mới: mọi số liệu đã có sẵn.",
        "The file is valid but brings nothing new: every figure is already there.",
    ),
}

# Labels of the analysis pages and the frame's additions live in ui/labels_pages.py.
LABELS.update(PAGE_LABELS)
LABELS.update(DRAFT_LABELS)  # the drafting page (ui/labels_draft.py)


def lang() -> str:
    return str(st.session_state.get("lang", "vi"))


def label(key: str, **params: object) -> str:
    vi, en = LABELS[key]
    return (en if lang() == "en" else vi).format(**params)


def label_of(prefix: str, code: str) -> str:
    """A stored code (a batch's status, a source kind) by its label `prefix_code`; an unknown code as itself."""
    return label(f"{prefix}_{code}") if f"{prefix}_{code}" in LABELS else code
