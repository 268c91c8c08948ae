"""Screen labels of the drafting page (pages/draft.py), Vietnamese first; merged into ui.labels.LABELS."""

from __future__ import annotations

DRAFT_LABELS: dict[str, tuple[str, str]] = {
    "nav_draft": ("Soạn báo cáo", "Draft report"),
    "draft_caption": (
        "Các đoạn số liệu của báo cáo, soạn từ cơ sở dữ liệu theo mẫu câu trong data/templates/. "
        "Bấm biểu tượng sao chép ở góc mỗi đoạn để dán vào báo cáo, hoặc sửa đoạn văn rồi tải cả bản dự thảo.",
        "The report's numeric paragraphs, drafted from the database with the sentence templates in data/templates/. "
        "Click the copy icon in the corner of a paragraph to paste it into the report, or edit it and download "
        "the whole draft.",
    ),
    "draft_kind": ("Loại báo cáo", "Report type"),
    "draft_kind_month": ("Tháng", "Month"),
    "draft_kind_quarter": ("Quý", "Quarter"),
    "draft_kind_half": ("6 tháng", "Half-year"),
    "draft_kind_nine_months": ("9 tháng", "Nine months"),
    "draft_kind_year": ("Năm", "Year"),
    "draft_period": ("Kỳ báo cáo", "Report period"),
    "draft_compare": ("So sánh", "Comparisons"),
    "draft_compare_placeholder": ("Không so sánh", "No comparison"),
    "draft_cmp_prev": ("với kỳ trước", "with the previous period"),
    "draft_cmp_yoy": ("với cùng kỳ năm trước", "with the same period last year"),
    "draft_cmp_ytd": ("lũy kế từ đầu năm", "year to date"),
    "draft_cmp_target": ("tỷ lệ so với kế hoạch năm", "share of the annual target"),
    "draft_edit": ("Sửa đoạn văn", "Edit the paragraph"),
    "draft_edit_label": ("Nội dung đoạn văn (bản tải về dùng nội dung này)", "Paragraph text (used in the downloads)"),
    "draft_download_docx": ("Tải bản dự thảo (.docx)", "Download the draft (.docx)"),
    "draft_download_txt": ("Tải bản dự thảo (.txt)", "Download the draft (.txt)"),
    "draft_sources": ("Nguồn số liệu đã dùng", "Figures used"),
    "draft_sources_caption": (
        "Mọi số liệu trong bản dự thảo: chỉ tiêu, thành phần, kỳ, giá trị và lô nhập đã ghi số liệu đó.",
        "Every figure in the draft: metric, member, period, value and the import batch that wrote it.",
    ),
    "draft_col_unit": ("Đơn vị", "Unit"),
    "draft_col_metric": ("Mã chỉ tiêu", "Metric code"),
    "draft_col_metric_name": ("Chỉ tiêu", "Metric"),
    "draft_col_member": ("Thành phần", "Member"),
    "draft_col_period": ("Kỳ", "Period"),
    "draft_col_value": ("Giá trị", "Value"),
    "draft_col_batch": ("Lô nhập", "Batch"),
    "draft_col_role": ("Dùng cho", "Used for"),
    "draft_role_current": ("kỳ báo cáo", "report period"),
    "draft_role_previous": ("kỳ trước", "previous period"),
    "draft_role_same_period": ("cùng kỳ năm trước", "same period last year"),
    "draft_role_ytd": ("lũy kế", "year to date"),
    "draft_role_target": ("kế hoạch năm", "annual target"),
    "draft_template_error": (
        "Mẫu câu có lỗi, chưa soạn được bản dự thảo. Sửa tệp mẫu câu theo hướng dẫn sau:",
        "The sentence templates have an error, so no draft could be made. Fix the template file as follows:",
    ),
}
