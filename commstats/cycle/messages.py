"""The report cycle's texts, Vietnamese first, English second (one entry per key, so that they can be moved
into the gettext catalogues mechanically), and its refusal."""

from __future__ import annotations

from typing import Any

from commstats.i18n import BilingualError, Lang, text_of

CYCLE_MESSAGES: dict[str, tuple[str, str]] = {
    # refusals
    "unknown_unit": (
        "Không có đơn vị “{unit}”. Các đơn vị hiện có: {allowed}.",
        "No unit “{unit}”. Units in the database: {allowed}.",
    ),
    "bad_period": (
        "Kỳ báo cáo không hợp lệ “{value}”. Dùng 2019-07 (tháng), 2019-Q3 (quý), 2019-H1 (6 tháng), 2019-9M (9 tháng) hoặc 2019 (năm).",
        "Invalid report period “{value}”. Use 2019-07 (month), 2019-Q3 (quarter), 2019-H1 (half), 2019-9M (nine months) or 2019 (year).",
    ),
    "round_exists": (
        "Kỳ báo cáo {period} của đơn vị {unit} đã được mở; không mở lại.",
        "The {period} round of unit {unit} is already open; it is not opened again.",
    ),
    "no_round": (
        "Chưa mở kỳ báo cáo {period} cho đơn vị {unit}. Mở bằng: python -m commstats cycle open --unit {unit} --period {period}.",
        "No {period} round for unit {unit} yet. Open it with: python -m commstats cycle open --unit {unit} --period {period}.",
    ),
    "deadline_past": (
        "Hạn {deadline} đã qua (hôm nay {today}). Chọn một ngày từ hôm nay trở đi.",
        "The deadline {deadline} is in the past (today is {today}). Choose today or a later day.",
    ),
    "bad_date": (
        "Ngày không hợp lệ “{value}”. Ghi theo dạng 2026-12-15 hoặc 15/12/2026.",
        "Invalid date “{value}”. Write it as 2026-12-15 or 15/12/2026.",
    ),
    "bad_rule": (
        "Quy tắc hạn nộp không hợp lệ: ngày phải từ 1 đến 31 và số tháng lệch từ -11 đến 12 (được {day}, {offset}).",
        "Invalid deadline rule: the day must be 1 to 31 and the month offset -11 to 12 (got {day}, {offset}).",
    ),
    "bad_kind": (
        "Loại kỳ không hợp lệ “{value}”; dùng month, quarter, half, nine_months hoặc year.",
        "Invalid period kind “{value}”; use month, quarter, half, nine_months or year.",
    ),
    "unknown_section": (
        "Kỳ báo cáo không có phần “{section}”. Các phần: {allowed}.",
        "The round has no section “{section}”. Sections: {allowed}.",
    ),
    "unknown_department": (
        "Không có phòng “{department}” ở đơn vị {unit}. Các phòng hiện có: {allowed}. Thêm bằng: python -m commstats cycle department add.",
        "No department “{department}” in unit {unit}. Departments: {allowed}. Add one with: python -m commstats cycle department add.",
    ),
    "unknown_user": (
        "Không có tài khoản đang hoạt động “{username}”.",
        "No active account “{username}”.",
    ),
    "assign_one": (
        "Giao cho một phòng hoặc một người (không phải cả hai, không bỏ trống).",
        "Assign to one department or one person (not both, not neither).",
    ),
    "bad_department_code": (
        "Mã phòng “{code}” không hợp lệ: 1–64 ký tự chữ thường a-z, số, gạch ngang hoặc gạch dưới.",
        "Invalid department code “{code}”: 1–64 characters a-z, digits, dash or underscore.",
    ),
    "bad_email": ("Địa chỉ e-mail “{email}” không hợp lệ.", "Invalid e-mail address “{email}”."),
    "bad_lang": ("Ngôn ngữ phải là vi hoặc en.", "The language must be vi or en."),
    "round_locked": (
        "Kỳ báo cáo {period} của đơn vị {unit} đã được duyệt và chốt số liệu; không sửa được phần giao việc hay nội dung.",
        "The {period} round of unit {unit} is approved and its figures locked; its sections cannot change.",
    ),
    "round_already_approved": (
        "Kỳ báo cáo {period} của đơn vị {unit} đã được duyệt lúc {at}.",
        "The {period} round of unit {unit} was already approved at {at}.",
    ),
    "round_incomplete": (
        "Chưa duyệt được: còn {count} phần chưa nộp ({sections}). Mọi phần phải ở trạng thái “đã nộp” trước khi duyệt.",
        "Cannot approve: {count} sections are not submitted ({sections}). Every section must be submitted first.",
    ),
    "section_empty": (
        "Phần “{section}” chưa có số liệu nào trong kỳ {period} (hoặc chưa có nội dung); nhập số liệu hoặc viết nội dung trước khi nộp.",
        "Section “{section}” has no figure for {period} (or no text); enter the figures or write the text before submitting.",
    ),
    "not_approved": (
        "Kỳ báo cáo {period} của đơn vị {unit} chưa được duyệt; chỉ gửi báo cáo đã duyệt.",
        "The {period} round of unit {unit} is not approved; only approved reports are sent.",
    ),
    "period_locked": (
        "Số liệu {periods} của đơn vị {unit} đã được chốt (kỳ báo cáo đã duyệt). Muốn sửa phải ghi lý do điều chỉnh;"
        " thay đổi được lưu thành bản sửa và nêu trong báo cáo kỳ sau (số liệu điều chỉnh).",
        "The figures of {periods} of unit {unit} are locked (an approved round). A change needs a reason; it is recorded"
        " as a revision and listed in the next report as an adjustment.",
    ),
    "not_allowed": (
        "Tài khoản {username} không có quyền “{action}” trên đơn vị {unit}.",
        "Account {username} may not “{action}” on unit {unit}.",
    ),
    "smtp_not_configured": (
        "Chưa cấu hình máy chủ thư: đặt COMMSTATS_SMTP_HOST (và COMMSTATS_SMTP_PORT, COMMSTATS_SMTP_USER; mật khẩu trong"
        " COMMSTATS_SMTP_PASSWORD hoặc mục [smtp] của .streamlit/secrets.toml).",
        "No mail server configured: set COMMSTATS_SMTP_HOST (and COMMSTATS_SMTP_PORT, COMMSTATS_SMTP_USER; the password in"
        " COMMSTATS_SMTP_PASSWORD or the [smtp] table of .streamlit/secrets.toml).",
    ),
    "smtp_failed": (
        "Không gửi được thư qua {host}:{port}: {detail}. Không đánh dấu đã gửi; lần chạy sau sẽ gửi lại.",
        "Could not send mail through {host}:{port}: {detail}. Nothing is marked sent; the next run tries again.",
    ),
    "pdf_failed": (
        "Không chuyển được báo cáo sang PDF bằng LibreOffice ({detail}). Kiểm tra lệnh soffice.",
        "Could not convert the report to PDF with LibreOffice ({detail}). Check the soffice command.",
    ),
    # statuses and kinds
    "status_not_started": ("chưa bắt đầu", "not started"),
    "status_in_progress": ("đang thực hiện", "in progress"),
    "status_submitted": ("đã nộp", "submitted"),
    "status_approved": ("đã duyệt", "approved"),
    "status_late": ("trễ hạn", "late"),
    "round_open": ("đang thu thập", "collecting"),
    "round_approved": ("đã duyệt, đã chốt số liệu", "approved, figures locked"),
    "kind_month": ("tháng", "month"),
    "kind_quarter": ("quý", "quarter"),
    "kind_half": ("6 tháng", "half-year"),
    "kind_nine_months": ("9 tháng", "nine months"),
    "kind_year": ("năm", "year"),
    # narrative blocks of the report (the parts that are not figures)
    "block_assessment": ("Đánh giá chung, khó khăn, vướng mắc", "Overall assessment and difficulties"),
    "block_plan": ("Phương hướng, nhiệm vụ kỳ tới", "Tasks for the next period"),
    "block_recommendations": ("Kiến nghị, đề xuất", "Recommendations"),
    # the draft
    "preliminary": (
        "Số liệu sơ bộ: kỳ báo cáo {period} chưa được duyệt, số liệu còn có thể thay đổi.",
        "Preliminary figures (số liệu sơ bộ): the {period} round is not approved yet; figures may still change.",
    ),
    "approved_note": (
        "Số liệu đã chốt ngày {date} ({by}).",
        "Figures locked on {date} ({by}).",
    ),
    "adjustments_title": ("Số liệu điều chỉnh", "Adjusted figures (số liệu điều chỉnh)"),
    "adjustment_line": (
        "{metric}{member} {month}: điều chỉnh từ {old} thành {new} {unit_word} (lý do: {reason}).",
        "{metric}{member} {month}: adjusted from {old} to {new} {unit_word} (reason: {reason}).",
    ),
    "adjustment_new": ("chưa có", "none"),
    # outcomes (CLI and pages)
    "opened": (
        "Đã mở kỳ báo cáo {period} cho đơn vị {unit}: {sections} phần, hạn nộp {deadline}, số liệu từ {start} đến {end}.",
        "Opened the {period} round of unit {unit}: {sections} sections, due {deadline}, figures from {start} to {end}.",
    ),
    "assigned": (
        "Đã giao phần “{section}” cho {assignee}, hạn {due}.",
        "Assigned “{section}” to {assignee}, due {due}.",
    ),
    "submitted": ("Đã nộp phần “{section}”.", "Submitted “{section}”."),
    "text_saved": ("Đã lưu nội dung phần “{section}”.", "Saved the text of “{section}”."),
    "approved": (
        "Đã duyệt kỳ báo cáo {period} của đơn vị {unit}; số liệu {start} – {end} đã được chốt.",
        "Approved the {period} round of unit {unit}; the figures of {start} – {end} are locked.",
    ),
    "rule_saved": (
        "Đã lưu hạn nộp báo cáo {kind} của đơn vị {unit}: ngày {day}, lệch {offset} tháng so với tháng cuối kỳ.",
        "Saved the {kind} deadline of unit {unit}: day {day}, {offset} months from the period's last month.",
    ),
    "department_saved": ("Đã lưu phòng {code} của đơn vị {unit}.", "Saved department {code} of unit {unit}."),
    "subscriber_saved": ("Đã thêm người nhận {email} cho đơn vị {unit}.", "Added subscriber {email} to unit {unit}."),
    "subscriber_removed": (
        "Đã bỏ người nhận {email} của đơn vị {unit}.",
        "Removed subscriber {email} from unit {unit}.",
    ),
    "reminders_sent": (
        "Đã gửi {count} thư nhắc ({sections} phần đến hạn hoặc trễ hạn).",
        "Sent {count} reminders ({sections} sections due or late).",
    ),
    "reminders_none": ("Không có phần nào đến hạn hoặc trễ hạn.", "No section is due or late."),
    "reminders_no_address": (
        "Phần “{section}” ({unit} {period}) chưa giao cho ai có e-mail; không nhắc được.",
        "Section “{section}” ({unit} {period}) has no assignee with an e-mail; no reminder sent.",
    ),
    "reports_sent": (
        "Đã gửi báo cáo {period} của đơn vị {unit} đến {count} người nhận.",
        "Sent the {period} report of unit {unit} to {count} subscribers.",
    ),
    "reports_none": ("Không có báo cáo đã duyệt nào chờ gửi.", "No approved report waits to be sent."),
    "no_subscribers": (
        "Báo cáo {period} của đơn vị {unit} chưa có người nhận; thêm bằng: python -m commstats cycle subscribe.",
        "The {period} report of unit {unit} has no subscribers; add one with: python -m commstats cycle subscribe.",
    ),
    # e-mails
    "remind_subject": (
        "[Nhắc hạn] Báo cáo {period} – {unit}: {count} phần cần nộp",
        "[Reminder] {period} report – {unit}: {count} sections to submit",
    ),
    "remind_greeting": ("Kính gửi {name},", "Dear {name},"),
    "remind_intro": (
        "Các phần sau của báo cáo {period} ({unit}) được giao cho anh/chị và chưa nộp:",
        "These sections of the {period} report ({unit}) are assigned to you and not submitted yet:",
    ),
    "remind_line_due": ("- {section}: hạn {due}, còn {days} ngày", "- {section}: due {due}, {days} days left"),
    "remind_line_late": ("- {section}: hạn {due}, đã trễ {days} ngày", "- {section}: due {due}, {days} days overdue"),
    "remind_link": ("Nhập số liệu tại: {url}", "Enter the figures at: {url}"),
    "remind_footer": (
        "Thư tự động từ hệ thống thống kê commstats; xin đừng trả lời thư này.",
        "An automatic message from commstats; please do not reply.",
    ),
    "send_subject": ("Báo cáo {period} – {unit} (đã duyệt)", "{period} report – {unit} (approved)"),
    "send_body": (
        "Kính gửi {name},\n\nXin gửi kèm báo cáo {period} của {unit}, đã được duyệt ngày {date}"
        " (tệp .docx để chỉnh sửa và tệp .pdf để đọc, in).\n\n{footer}",
        "Dear {name},\n\nAttached is the {period} report of {unit}, approved on {date}"
        " (.docx to edit, .pdf to read and print).\n\n{footer}",
    ),
    "recipient_default": ("anh/chị", "colleague"),
    # pages (pages/status.py, pages/cycle.py)
    "nav_status": ("Tiến độ báo cáo", "Report status"),
    "nav_cycle": ("Kỳ báo cáo", "Report rounds"),
    "status_caption": (
        "Ai đã nộp, phần nào còn thiếu, còn bao nhiêu ngày hoặc đã trễ bao lâu. Hạn nộp theo Thông tư 02/2023/TT-BTTTT"
        " hoặc quy tắc riêng của đơn vị; số liệu tính theo thời gian chốt của đơn vị (Nghị định 09/2019/NĐ-CP).",
        "Who has submitted, what is missing, days left or overdue. Deadlines follow Thông tư 02/2023/TT-BTTTT or the"
        " unit's own rules; figures follow the unit's cut-off window (Nghị định 09/2019/NĐ-CP).",
    ),
    "no_rounds": (
        "Chưa có kỳ báo cáo nào cho các đơn vị đã chọn. Mở kỳ ở trang “Kỳ báo cáo”.",
        "No report round for the chosen units yet. Open one on the “Report rounds” page.",
    ),
    "round_heading": ("Báo cáo {period} — {unit}", "{period} report — {unit}"),
    "round_caption": (
        "Số liệu từ {start} đến {end} · hạn nộp {deadline} · {state}",
        "Figures from {start} to {end} · due {deadline} · {state}",
    ),
    "metric_submitted": ("Đã nộp", "Submitted"),
    "metric_missing": ("Còn thiếu", "Missing"),
    "metric_days": ("Ngày còn lại", "Days left"),
    "days_left": ("còn {days} ngày", "{days} days left"),
    "days_today": ("hạn hôm nay", "due today"),
    "days_overdue": ("trễ {days} ngày", "{days} days overdue"),
    "col_section": ("Phần báo cáo", "Section"),
    "col_assignee": ("Người/phòng phụ trách", "Assigned to"),
    "col_due": ("Hạn", "Due"),
    "col_days": ("Thời hạn", "Time"),
    "col_status": ("Trạng thái", "Status"),
    "col_submitted_by": ("Người nộp", "Submitted by"),
    "unassigned": ("(chưa giao)", "(unassigned)"),
    "go_entry": ("Nhập số liệu: {section}", "Enter figures: {section}"),
    "go_cycle": ("Viết nội dung: {section}", "Write the text: {section}"),
    "cycle_caption": (
        "Mở kỳ báo cáo, giao từng phần cho phòng hoặc người, nộp, duyệt và chốt số liệu; người nhận báo cáo qua e-mail.",
        "Open rounds, assign each section to a department or a person, submit, approve and lock the figures; e-mail subscribers.",
    ),
    "cycle_unit": ("Đơn vị", "Unit"),
    "open_heading": ("Mở kỳ báo cáo", "Open a round"),
    "open_period": ("Kỳ (2026-11, 2026-Q4, 2026-H2, 2026)", "Period (2026-11, 2026-Q4, 2026-H2, 2026)"),
    "open_own_deadline": ("Đặt hạn riêng", "Own deadline"),
    "open_deadline": ("Hạn nộp", "Deadline"),
    "open_button": ("Mở kỳ", "Open the round"),
    "round_choice": ("Kỳ báo cáo", "Round"),
    "assign_heading": ("Giao việc", "Assign"),
    "assign_section": ("Phần", "Section"),
    "assign_kind": ("Giao cho", "Assign to"),
    "assign_department": ("Phòng", "Department"),
    "assign_person": ("Người", "Person"),
    "assign_own_due": ("Hạn riêng cho phần này", "Own due date for this section"),
    "assign_due": ("Hạn của phần", "Section due date"),
    "assign_button": ("Giao", "Assign"),
    "work_heading": ("Viết và nộp", "Write and submit"),
    "work_text": ("Nội dung", "Text"),
    "work_save": ("Lưu nội dung", "Save the text"),
    "work_submit": ("Nộp phần này", "Submit this section"),
    "approve_heading": ("Duyệt và chốt số liệu", "Approve and lock the figures"),
    "approve_button": ("Duyệt kỳ báo cáo", "Approve the round"),
    "approve_needs_role": (
        "Chỉ lãnh đạo (vai trò leader) hoặc quản trị của đơn vị duyệt được kỳ báo cáo.",
        "Only a leader (or an admin) of the unit may approve a round.",
    ),
    "approved_info": (
        "Đã duyệt lúc {at} bởi {by}; số liệu đã chốt.",
        "Approved at {at} by {by}; the figures are locked.",
    ),
    "departments_heading": ("Phòng, ban", "Departments"),
    "department_code": ("Mã phòng", "Code"),
    "department_name": ("Tên phòng", "Name"),
    "department_email": ("E-mail", "E-mail"),
    "department_button": ("Lưu phòng", "Save the department"),
    "subscribers_heading": ("Người nhận báo cáo", "Subscribers"),
    "subscriber_email": ("E-mail người nhận", "Subscriber e-mail"),
    "subscriber_name": ("Họ tên", "Name"),
    "subscriber_lang": ("Ngôn ngữ", "Language"),
    "subscriber_button": ("Thêm người nhận", "Add the subscriber"),
    "subscriber_remove": ("Bỏ người nhận", "Remove subscriber"),
    "none_yet": ("Chưa có.", "None yet."),
}


def cycle_text(key: str, lang: Lang = "vi", **params: Any) -> str:
    return text_of(CYCLE_MESSAGES, key, lang, **params)


class CycleError(BilingualError):
    """A refusal of the report cycle; nothing was changed."""

    messages = CYCLE_MESSAGES
