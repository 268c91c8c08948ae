"""Screen labels of the analysis pages (trends, component sites, licences, explore, data quality) and of
the shared frame's additions, Vietnamese first. ui/labels.py merges them into LABELS."""

from __future__ import annotations

PAGE_LABELS: dict[str, tuple[str, str]] = {
    # navigation
    "nav_trends": ("Xu hướng", "Trends"),
    "nav_sites": ("Trang tin thành phần", "Component sites"),
    "nav_licences": ("Xuất bản, in", "Publishing and printing"),
    "nav_explore": ("Dữ liệu & xuất", "Explore & export"),
    "nav_quality": ("Chất lượng dữ liệu", "Data quality"),
    # frame
    "units_placeholder": ("Chọn đơn vị", "Choose units"),
    "merged_history": (
        "Gồm cả số liệu của {absorbed} (hợp nhất từ {date}).",
        "Includes the figures of {absorbed} (merged on {date}).",
    ),
    "merged_away": (
        "{unit} đã hợp nhất vào {into} từ {date}; chọn {into} để xem số liệu chung.",
        "{unit} merged into {into} on {date}; choose {into} to see the combined figures.",
    ),
    "no_schema_title": ("Cơ sở dữ liệu chưa được khởi tạo", "The database is not set up yet"),
    "no_schema_body": (
        "Chưa có bảng dữ liệu nào. Khởi tạo cơ sở dữ liệu (kèm dữ liệu mẫu để xem thử) bằng lệnh:\n\n"
        "`python -m commstats init --demo`\n\nhoặc `make run`, rồi tải lại trang này.",
        "There are no tables yet. Set up the database (with demo data to try it) with:\n\n"
        "`python -m commstats init --demo`\n\nor `make run`, then reload this page.",
    ),
    "scope": ("{units} · {start} – {end}", "{units} · {start} – {end}"),
    # shared widgets
    "granularity": ("Chu kỳ", "Granularity"),
    "granularity_month": ("Tháng", "Month"),
    "granularity_quarter": ("Quý", "Quarter"),
    "granularity_year": ("Năm", "Year"),
    "partial_note": (
        "Điểm rỗng: kỳ chưa đủ tháng trong khoảng đã chọn (rê chuột để xem). Chỉ tiêu phát sinh được cộng dồn "
        "trong kỳ; chỉ tiêu số cuối kỳ lấy giá trị tháng cuối của kỳ.",
        "Hollow points: periods not complete in the chosen range (hover for details). Flows are summed over the "
        "period; levels take the value of the period's last month.",
    ),
    "no_data_range": ("Không có số liệu trong khoảng thời gian đã chọn.", "No figures in the chosen period."),
    # trends
    "trends_caption": (
        "Diễn biến các chỉ tiêu theo thời gian. Rê chuột lên biểu đồ để xem số liệu từng kỳ.",
        "How the metrics moved over time. Hover a chart to see each period's figure.",
    ),
    "trends_metrics": ("Chỉ tiêu", "Metrics"),
    "trends_tab_time": ("Theo thời gian", "Over time"),
    "trends_tab_breakdown": ("Theo thành phần", "By breakdown"),
    "trends_tab_yoy": ("So sánh các năm", "Year over year"),
    "trends_pick_metric": ("Chọn ít nhất một chỉ tiêu.", "Choose at least one metric."),
    "trends_breakdown_metric": ("Chỉ tiêu có phân loại", "Metric with a breakdown"),
    "trends_breakdown_caption": (
        "Cột chồng theo thành phần (ngôn ngữ, loại văn bản); mỗi thành phần giữ một màu trên mọi trang.",
        "Stacked by member (language, document direction); each member keeps its colour on every page.",
    ),
    "trends_yoy_metric": ("Chỉ tiêu so sánh", "Metric to compare"),
    "trends_yoy_caption": (
        "Mỗi năm là một đường theo tháng 1–12 (năm gần nhất màu đỏ), gồm trọn các năm của khoảng thời gian đã chọn.",
        "Each year is a line over months 1–12 (the latest in red), for the whole years of the chosen range.",
    ),
    "trends_table": ("Bảng số liệu", "Figures"),
    "period": ("Kỳ", "Period"),
    # sites
    "sites_caption": (
        "Tin đăng trên các trang tin thành phần {start} – {end}: xếp hạng, bản đồ nhiệt và các trang cần chú ý.",
        "Posts on the component sites, {start} – {end}: ranking, heatmap and sites needing attention.",
    ),
    "sites_total": ("Tổng số tin đã đăng", "Posts in the period"),
    "sites_active": ("Trang có tin trong tháng {month}", "Sites posting in {month}"),
    "sites_flagged": ("Trang cần chú ý", "Sites needing attention"),
    "sites_flags_title": ("Trang tin cần chú ý", "Sites needing attention"),
    "sites_flags_rule": (
        "Cảnh báo khi một trang không đăng tin từ {silent} tháng liền trở lên, hoặc tháng cuối đăng ít hơn "
        "{share} trung vị của {months} tháng trước đó (trang có trung vị từ {min} tin/tháng).",
        "Flagged when a site posts nothing for {silent} months or more in a row, or its last month is below "
        "{share} of the median of the {months} months before (sites with a median of {min} posts a month or more).",
    ),
    "sites_no_flags": ("Không có trang nào cần chú ý trong khoảng thời gian này.", "No site needs attention."),
    "sites_ranking": ("Xếp hạng theo số tin", "Ranking by posts"),
    "sites_heatmap": ("Số tin theo tháng", "Posts by month"),
    "sites_history": ("Lịch sử một trang", "One site's history"),
    "sites_pick": ("Trang tin", "Site"),
    "sites_history_caption": (
        "{name}: {total} tin trong kỳ, trung bình {mean} tin/tháng; tháng không có tin tô màu đỏ.",
        "{name}: {total} posts in the period, {mean} a month on average; months without posts in red.",
    ),
    "sites_no_data": (
        "Chưa có số liệu tin đăng theo từng trang tin thành phần (chỉ tiêu sites_posts) cho đơn vị này.",
        "No per-site post counts (metric sites_posts) for this unit yet.",
    ),
    "col_rank": ("Hạng", "Rank"),
    "col_site": ("Trang tin", "Site"),
    "col_posts": ("Số tin", "Posts"),
    "col_share": ("Tỷ lệ", "Share"),
    "col_months_without": ("Số tháng không có tin", "Months without posts"),
    "col_flag": ("Cảnh báo", "Flag"),
    "col_detail": ("Chi tiết", "Details"),
    "flag_silent": ("Ngừng đăng tin", "Gone quiet"),
    "flag_gap": ("Từng gián đoạn", "Past gap"),
    "flag_drop": ("Giảm mạnh", "Sharp drop"),
    # licences
    "licences_caption": (
        "Giấy phép xuất bản và tờ khai hoạt động in {start} – {end}, theo loại.",
        "Publishing licences and printing declarations, {start} – {end}, by type.",
    ),
    "licences_total": ("Tổng trong kỳ", "Total in the period"),
    "licences_total_help": ("Cộng các tháng từ {start} đến {end}.", "Sum of the months from {start} to {end}."),
    "licences_vs_last_year": ("so với cùng kỳ năm trước", "vs the same period last year"),
    "licences_chart": ("Theo thời gian", "Over time"),
    "licences_year_table": ("Tổng theo năm", "Totals by year"),
    "licences_register": ("Sổ cấp phép ({count} bản ghi)", "Register ({count} entries)"),
    "col_type": ("Loại", "Type"),
    "col_year": ("Năm", "Year"),
    "col_issued_on": ("Ngày cấp", "Issued on"),
    "col_number": ("Số", "Number"),
    "col_holder": ("Đơn vị được cấp", "Holder"),
    "col_title": ("Tên tài liệu", "Title"),
    # explore
    "explore_caption": (
        "Lọc số liệu, xem dạng bảng dài hoặc bảng xoay (chỉ tiêu × tháng) và tải đúng bảng đang xem.",
        "Filter the figures, view them long or pivoted (metrics × months), and download exactly what is shown.",
    ),
    "explore_units": ("Đơn vị", "Units"),
    "explore_sections": ("Lĩnh vực", "Sections"),
    "explore_metrics": ("Chỉ tiêu", "Metrics"),
    "explore_members": ("Thành phần", "Members"),
    "explore_all": ("Tất cả", "All"),
    "explore_view": ("Dạng bảng", "View"),
    "explore_view_long": ("Bảng dài (mỗi dòng một số liệu)", "Long (one figure a row)"),
    "explore_view_pivot": ("Bảng xoay (chỉ tiêu × tháng)", "Pivot (metrics × months)"),
    "explore_rows": ("{rows} dòng · {start} – {end}", "{rows} rows · {start} – {end}"),
    "explore_csv": ("Tải CSV", "Download CSV"),
    "explore_xlsx": ("Tải Excel (XLSX)", "Download Excel (XLSX)"),
    "explore_download_help": (
        "CSV mã hóa UTF-8 có BOM, mở đúng tiếng Việt trong Excel; ô bắt đầu bằng =, +, -, @ được vô hiệu hóa.",
        "UTF-8 CSV with BOM (Vietnamese opens correctly in Excel); cells starting with =, +, -, @ are neutralised.",
    ),
    "explore_empty": ("Không có số liệu khớp với bộ lọc.", "No figures match the filters."),
    # quality
    "quality_caption": (
        "Kiểm tra số liệu {start} – {end}: tháng còn thiếu, giá trị bất thường và nhật ký các lần nhập.",
        "Checks for {start} – {end}: missing months, unusual values and the import log.",
    ),
    "quality_missing": ("Tháng còn thiếu số liệu", "Missing months"),
    "quality_missing_caption": (
        "Với mỗi đơn vị và chỉ tiêu đơn vị đó đã từng báo cáo: các tháng trong khoảng đã chọn (kể từ lần báo "
        "cáo đầu tiên) chưa có số liệu.",
        "For each unit and each metric it has ever reported: months in the chosen range (from its first report "
        "on) without a figure.",
    ),
    "quality_missing_none": ("Không thiếu tháng nào trong khoảng đã chọn.", "No month is missing in the range."),
    "quality_missing_count": ("Chỉ tiêu còn thiếu tháng", "Metrics with missing months"),
    "quality_outliers_count": ("Giá trị bất thường", "Unusual values"),
    "quality_batches_count": ("Lần nhập số liệu", "Import batches"),
    "quality_revisions_count": ("Lần sửa số liệu", "Revisions"),
    "quality_outliers": ("Giá trị khác thường so với lịch sử", "Values far from their own history"),
    "quality_rule": (
        "**Quy tắc:** mỗi giá trị được so với **trung vị** của {window} tháng trước đó của cùng đơn vị, cùng chỉ "
        "tiêu. Độ phân tán là **MAD** (trung vị của độ lệch tuyệt đối so với trung vị) nhân 1,4826 (để tương "
        "đương độ lệch chuẩn), tối thiểu là 1. Giá trị bị đánh dấu khi nằm ngoài **trung vị ± k × MAD** "
        "(cần ít nhất {min_history} tháng lịch sử). Cách này không bị chính các giá trị bất thường kéo lệch như "
        "trung bình ± độ lệch chuẩn. Giá trị bị đánh dấu chưa chắc sai: hãy đối chiếu với đơn vị báo cáo.",
        "**Rule:** each value is compared with the **median** of the same unit and metric's previous {window} "
        "months. The spread is the **MAD** (median absolute deviation from the median) times 1.4826 (to match a "
        "standard deviation), at least 1. A value is flagged when it lies outside **median ± k × MAD** (at least "
        "{min_history} months of history needed). Unlike mean ± standard deviation, the outliers themselves do "
        "not pull this band. A flagged value is not necessarily wrong: check it with the reporting unit.",
    ),
    "quality_k": ("Ngưỡng k", "Threshold k"),
    "quality_k_help": (
        "k lớn hơn: ít cảnh báo hơn. 3,5 là ngưỡng thường dùng của “điểm z cải tiến”.",
        "A larger k flags fewer values. 3.5 is the usual cut-off of the modified z-score.",
    ),
    "quality_outliers_none": ("Không có giá trị bất thường với ngưỡng này.", "No unusual value at this threshold."),
    "quality_batches": ("Nhật ký nhập số liệu", "Import log"),
    "quality_batches_caption": (
        "Mỗi lần nhập là một lô: nguồn, mã SHA-256 của tệp, thời gian và số dòng mới / sửa / không đổi.",
        "Each import is a batch: source, the file's SHA-256, times and rows new / changed / unchanged.",
    ),
    "quality_revisions": ("Lịch sử sửa số liệu", "Revisions"),
    "figure_delete_title": ("Xoá một số liệu", "Delete a figure"),
    "figure_delete_caption": (
        "Khi một dòng sai đã vào cơ sở dữ liệu (nhầm năm, nhầm đơn vị), xoá đúng số liệu đó; lý do và giá trị cũ"
        " được ghi vào nhật ký.",
        "When a wrong row got in (a mistyped year, the wrong unit), delete that figure; the reason and the old"
        " value are kept in the audit trail.",
    ),
    "figure_outside_warning": (
        "{count} số liệu được lưu cho tháng ngoài khoảng hợp lệ ({first} – {last}); các trang không hiển thị"
        " chúng. Chọn một số liệu dưới đây để xoá.",
        "{count} figures are stored for a month outside the plausible range ({first} – {last}); the pages do not"
        " show them. Choose one below to delete it.",
    ),
    "figure_delete_unit": ("Đơn vị", "Unit"),
    "figure_delete_metric": ("Chỉ tiêu", "Metric"),
    "figure_delete_month": ("Tháng (YYYY-MM)", "Month (YYYY-MM)"),
    "figure_delete_member": ("Mã thành phần (để trống nếu không chia)", "Member code (empty when not broken down)"),
    "figure_delete_reason": ("Lý do xoá", "Reason"),
    "figure_delete_button": ("Xoá số liệu", "Delete the figure"),
    "figure_delete_bad_month": (
        "Tháng không hợp lệ. Ghi theo dạng 2019-07 (hoặc 9999-12 cho một năm gõ nhầm).",
        "Invalid month. Write it as 2019-07 (or 9999-12 for a mistyped year).",
    ),
    "figure_delete_pick": ("Số liệu ngoài khoảng hợp lệ", "Figures outside the plausible range"),
    "quality_revisions_none": ("Chưa có số liệu nào bị sửa.", "No figure has been revised."),
    "col_unit": ("Đơn vị", "Unit"),
    "col_metric": ("Chỉ tiêu", "Metric"),
    "col_expected": ("Số tháng cần có", "Months expected"),
    "col_reported": ("Đã có", "Reported"),
    "col_missing": ("Còn thiếu", "Missing"),
    "col_missing_months": ("Các tháng thiếu", "Missing months"),
    "col_month": ("Tháng", "Month"),
    "col_value": ("Giá trị", "Value"),
    "col_median": ("Trung vị 12 tháng trước", "Median of the previous 12 months"),
    "col_band": ("Khoảng bình thường", "Normal band"),
    "col_score": ("Độ lệch (lần MAD)", "Deviation (× MAD)"),
    "col_batch": ("Lô", "Batch"),
    "col_source_kind": ("Loại nguồn", "Source kind"),
    # what the import log calls each kind of source (import_batch.source_kind)
    "source_kind_csv": ("Tệp CSV", "CSV file"),
    "source_kind_txt": ("Tệp CSV", "CSV file"),
    "source_kind_xlsx": ("Tệp Excel", "Excel file"),
    "source_kind_template": ("Biểu mẫu nhập liệu", "Data-entry workbook"),
    "source_kind_register": ("Sổ cấp phép", "Licence register"),
    "source_kind_report": ("Báo cáo cũ", "Past report"),
    "source_kind_feed": ("Nguồn tin trang thành phần", "Component-site feeds"),
    "source_kind_entry": ("Nhập tay trên trang", "Typed in on the entry page"),
    "source_kind_demo": ("Dữ liệu mẫu", "Demo data"),
    "source_kind_targets": ("Kế hoạch năm", "Annual targets"),
    "col_source": ("Nguồn", "Source"),
    "col_sha": ("SHA-256", "SHA-256"),
    "col_started": ("Bắt đầu", "Started"),
    "col_finished": ("Kết thúc", "Finished"),
    "col_read": ("Dòng đọc", "Rows read"),
    "col_inserted": ("Mới", "New"),
    "col_updated": ("Sửa", "Changed"),
    "col_unchanged": ("Không đổi", "Unchanged"),
    "col_status": ("Trạng thái", "Status"),
    "col_by": ("Người nhập", "By"),
    "status_loaded": ("đã nạp", "loaded"),
    "status_unchanged": ("không đổi", "unchanged"),
    "col_changed_at": ("Thời điểm sửa", "Changed at"),
    "col_member": ("Thành phần", "Member"),
    "col_old": ("Giá trị cũ", "Old value"),
    "col_new": ("Giá trị mới", "New value"),
}
