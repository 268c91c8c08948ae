"""Vietnamese-first texts for messages shared by the CLI, the ETL and the pages."""

from __future__ import annotations

from typing import Any, ClassVar

Lang = str  # "vi" or "en"

MESSAGES: dict[str, tuple[str, str]] = {
    # file-level problems
    "file_missing": ("Không tìm thấy tệp. Kiểm tra lại đường dẫn.", "File not found. Check the path."),
    "file_too_large": (
        "Tệp lớn {size_mb} MB, vượt giới hạn {limit_mb} MB. Hãy chia nhỏ tệp rồi nhập từng phần.",
        "The file is {size_mb} MB, over the {limit_mb} MB limit. Split it and import the parts.",
    ),
    "file_empty": ("Tệp rỗng, không có dòng dữ liệu nào.", "The file is empty: no data rows."),
    "unknown_format": (
        "Không nhận ra định dạng tệp ({suffix}). Dùng .csv hoặc .xlsx theo mẫu nhập liệu.",
        "Unknown file format ({suffix}). Use .csv or .xlsx as in the import template.",
    ),
    "binary_content": (
        "Tệp chứa byte NUL hoặc dữ liệu nhị phân, không phải CSV văn bản. Mở bằng Excel và lưu lại dạng CSV UTF-8.",
        "The file contains NUL bytes or binary data, not CSV text. Open it in Excel and save as CSV UTF-8.",
    ),
    "undecodable": (
        "Không đọc được bảng mã của tệp. Lưu lại dạng CSV UTF-8, hoặc chỉ rõ bảng mã bằng --encoding (ví dụ cp1258).",
        "Cannot tell the file's encoding. Save it as CSV UTF-8, or name the encoding with --encoding (e.g. cp1258).",
    ),
    "bad_encoding_name": (
        "Bảng mã {encoding} không hợp lệ hoặc không đọc được tệp. Thử utf-8, utf-16 hoặc cp1258.",
        "Encoding {encoding} is unknown or does not fit the file. Try utf-8, utf-16 or cp1258.",
    ),
    "csv_malformed": (
        "Dòng CSV sai cấu trúc ({detail}). Kiểm tra dấu ngoặc kép và dấu phân cách.",
        "Malformed CSV line ({detail}). Check the quotes and the delimiter.",
    ),
    "xlsx_invalid": (
        "Tệp .xlsx bị hỏng hoặc không phải tệp Excel ({detail}). Mở bằng Excel và lưu lại.",
        "The .xlsx file is damaged or not an Excel file ({detail}). Open it in Excel and save it again.",
    ),
    "xlsx_too_big": (
        "Tệp .xlsx giải nén ra quá lớn ({size_mb} MB), nghi là tệp nén độc hại. Kiểm tra lại tệp.",
        "The .xlsx expands to {size_mb} MB: it looks like a zip bomb. Check the file.",
    ),
    "missing_columns": (
        "Thiếu cột bắt buộc: {columns}. Dòng tiêu đề phải có các cột period, metric, member, value (hoặc Kỳ, Mã chỉ tiêu, Mã thành phần, Giá trị).",
        "Missing required columns: {columns}. The header must have period, metric, member, value.",
    ),
    "duplicate_column": (
        "Cột {column} xuất hiện hai lần trong dòng tiêu đề. Xóa một cột.",
        "Column {column} appears twice in the header. Remove one.",
    ),
    "too_many_columns": (
        "Dòng có {count} cột, nhiều hơn dòng tiêu đề ({expected} cột). Kiểm tra dấu phân cách thừa.",
        "The row has {count} columns, more than the header ({expected}). Check for stray delimiters.",
    ),
    "too_many_rows": (
        "Tệp có hơn {limit} dòng. Chia nhỏ tệp rồi nhập từng phần.",
        "The file has more than {limit} rows. Split it and import the parts.",
    ),
    # row-level problems
    "bad_period": (
        "Kỳ không hợp lệ. Ghi theo dạng 2019-07, 07/2019 hoặc tháng 7/2019.",
        "Invalid period. Write it as 2019-07, 07/2019 or tháng 7/2019.",
    ),
    "unknown_metric": (
        "Mã chỉ tiêu không có trong danh mục. Xem danh sách bằng lệnh: python -m commstats metrics.",
        "Unknown metric code. List the catalogue with: python -m commstats metrics.",
    ),
    "member_not_allowed": (
        "Chỉ tiêu {metric} không chia theo thành phần; để trống cột này.",
        "Metric {metric} has no breakdown; leave this column empty.",
    ),
    "unknown_member": (
        "Thành phần không có trong danh mục {dimension}. Dùng một trong: {allowed}.",
        "Unknown member of {dimension}. Use one of: {allowed}.",
    ),
    "missing_value": (
        "Thiếu giá trị. Nhập một số nguyên không âm.",
        "Missing value. Enter a whole number, zero or more.",
    ),
    "negative_value": ("Giá trị âm. Số liệu đếm phải từ 0 trở lên.", "Negative value. Counts must be zero or more."),
    "fractional_value": (
        "Giá trị có phần thập phân. Số liệu đếm phải là số nguyên.",
        "The value has a fraction. Counts must be whole numbers.",
    ),
    "not_a_number": (
        "Không phải là số. Nhập một số nguyên không âm, ví dụ 488 hoặc 2.682.057.",
        "Not a number. Enter a whole number, e.g. 488 or 2682057.",
    ),
    "value_too_large": (
        "Giá trị quá lớn (trên {limit}). Kiểm tra lại số liệu.",
        "The value is too large (over {limit}). Check it.",
    ),
    "unknown_unit": (
        "Mã đơn vị không có trong cơ sở dữ liệu. Các đơn vị hiện có: {allowed}.",
        "Unknown unit code. Units in the database: {allowed}.",
    ),
    "no_unit": (
        "Chưa rõ đơn vị: thêm cột unit hoặc dùng --unit MÃ (có {count} đơn vị trong cơ sở dữ liệu).",
        "Which unit? Add a unit column or pass --unit CODE ({count} units in the database).",
    ),
    "duplicate_row": (
        "Trùng khóa với dòng {other} (cùng đơn vị, chỉ tiêu, kỳ, thành phần). Giữ lại một dòng.",
        "Same key as row {other} (same unit, metric, period, member). Keep one row.",
    ),
    "text_too_long": (
        "Nội dung dài quá {limit} ký tự. Rút gọn lại.",
        "Text longer than {limit} characters. Shorten it.",
    ),
    "control_chars": (
        "Có ký tự điều khiển không hợp lệ. Xóa các ký tự này.",
        "Contains invalid control characters. Remove them.",
    ),
    "unsafe_member_code": (
        "Mã thành phần mới không được chứa các ký tự < > \" ' ` {{ }} | \\ và không được bắt đầu bằng = + - @. Dùng chữ, số và dấu gạch ngang, ví dụ cau-ke.",
        "A new member code must not contain < > \" ' ` {{ }} | \\ nor start with = + - @. Use letters, digits and dashes, e.g. cau-ke.",
    ),
    # limits checked while a file is read (etl/limits.py)
    "cell_too_long": (
        "Ô dài hơn {limit} ký tự (giới hạn của một ô Excel). Rút gọn hoặc xóa nội dung ô đó rồi nhập lại.",
        "A cell longer than {limit} characters (the limit of one Excel cell). Shorten or clear it and import again.",
    ),
    "xlsx_too_many_cells": (
        "Tệp .xlsx có hơn {limit} ô (trong {part}). Xóa các hàng, cột thừa hoặc chia nhỏ tệp rồi nhập từng phần.",
        "The .xlsx has more than {limit} cells (in {part}). Delete the extra rows and columns or split the file.",
    ),
    "xlsx_too_many_shared_strings": (
        "Tệp .xlsx có hơn {limit} chuỗi văn bản khác nhau. Xóa các ô văn bản thừa hoặc chia nhỏ tệp rồi nhập từng phần.",
        "The .xlsx has more than {limit} distinct text strings. Delete the extra text cells or split the file.",
    ),
    "xlsx_part_too_big": (
        "Tệp .xlsx giải nén ra hơn {limit_mb} MB (đến {part}), nghi là tệp nén độc hại. Mở bằng Excel, xóa phần thừa và lưu lại.",
        "The .xlsx expands to more than {limit_mb} MB (at {part}): it looks like a zip bomb. Open it in Excel, delete what is extra and save it again.",
    ),
    # data-entry workbook and licence register (etl/extract/template_workbook.py, etl/register.py)
    "xlsx_unsafe_xml": (
        "Tệp .xlsx chứa khai báo XML không an toàn (DTD hoặc thực thể ngoài, {detail}) nên bị từ chối. Mở bằng Excel và lưu lại dạng .xlsx.",
        "The .xlsx contains unsafe XML (a DTD or external entities, {detail}) and was refused. Open it in Excel and save it as .xlsx again.",
    ),
    "template_no_months": (
        "Dòng tiêu đề của biểu mẫu không có cột tháng nào (ví dụ “Tháng 1/2027”). Không sửa dòng tiêu đề; tải lại biểu mẫu nếu cần.",
        "The workbook's header row has no month columns (e.g. “Tháng 1/2027”). Do not edit the header; download the template again if needed.",
    ),
    "template_row_without_code": (
        "Dòng “{label}” có số liệu nhưng không có mã chỉ tiêu ở cột A (ẩn). Chép cả dòng có sẵn thay vì chèn dòng mới; nếu là dòng tổng, ghi “Tổng” ở cột Chỉ tiêu.",
        "Row “{label}” has figures but no metric code in the hidden column A. Copy an existing row instead of inserting a new one; for a total row, write “Total” in the metric column.",
    ),
    "template_total_without_members": (
        "Dòng tổng có số liệu nhưng các dòng thành phần bên dưới đều trống. Nhập số liệu từng thành phần; dòng tổng tự cộng.",
        "The total row has a figure but its member rows are empty. Enter each member's figure; the total adds itself up.",
    ),
    "template_total_mismatch": (
        "Dòng tổng ghi {total} nhưng các dòng thành phần cộng lại được {sum}. Sửa số liệu các dòng thành phần hoặc xóa số ở dòng tổng.",
        "The total row says {total} but its member rows add up to {sum}. Correct the members or clear the total.",
    ),
    "template_no_code_column": (
        "Biểu mẫu bị mất cột mã ẩn (cột A có tiêu đề commstats:code). Tải lại biểu mẫu (python -m commstats template) và chép số liệu sang.",
        "The workbook lost its hidden code column (column A headed commstats:code). Download the template again (python -m commstats template) and copy the figures over.",
    ),
    "template_empty": (
        "Biểu mẫu chưa có số liệu nào: mọi ô tháng đều trống. Nhập số liệu vào các ô trắng rồi nhập lại.",
        "The workbook has no figures: every month cell is empty. Fill in the white cells and import again.",
    ),
    "register_missing_columns": (
        "Không thấy dòng tiêu đề của sổ đăng ký (thiếu cột: {columns}). Cần các cột Số, Loại, Ngày cấp (có thể thêm Tổ chức, cá nhân; Tên tài liệu; Ghi chú).",
        "No register header found (missing columns: {columns}). The register needs Number, Type and Issue date columns (optionally Holder, Title, Note).",
    ),
    "register_missing_number": (
        "Thiếu số giấy phép / số tờ khai. Ghi số cho từng dòng.",
        "Missing licence or declaration number. Give every row its number.",
    ),
    "register_missing_type": (
        "Thiếu loại. Ghi “Giấy phép xuất bản” hoặc “Tờ khai hoạt động in”.",
        "Missing type. Write “Giấy phép xuất bản” (publishing licence) or “Tờ khai hoạt động in” (printing declaration).",
    ),
    "register_unknown_type": (
        "Loại không rõ. Ghi “Giấy phép xuất bản” hoặc “Tờ khai hoạt động in” (hoặc mã publishing_licences, printing_declarations).",
        "Unknown type. Write “Giấy phép xuất bản” or “Tờ khai hoạt động in” (or the codes publishing_licences, printing_declarations).",
    ),
    "register_missing_date": (
        "Thiếu ngày cấp. Ghi ngày theo dạng 16/07/2019.",
        "Missing issue date. Write it as 16/07/2019.",
    ),
    "register_bad_date": (
        "Ngày không đúng dạng. Ghi ngày/tháng/năm đủ 4 số năm (16/07/2019), hoặc 2019-07-16, hoặc dùng ô kiểu ngày của Excel.",
        "Not a date. Write day/month/year with a 4-digit year (16/07/2019), or 2019-07-16, or use an Excel date cell.",
    ),
    "register_impossible_date": (
        "Ngày không có thật trong lịch (ví dụ 31/02). Kiểm tra lại ngày và tháng (ghi ngày trước, tháng sau).",
        "This day does not exist (e.g. 31/02). Check the day and the month (day first, then month).",
    ),
    "register_date_out_of_range": (
        "Năm nằm ngoài khoảng {first}–{last}. Kiểm tra lại năm.",
        "The year is outside {first}–{last}. Check the year.",
    ),
    "register_duplicate_number": (
        "Số này đã có ở dòng {other} với nội dung khác (ngày, tổ chức hoặc tên tài liệu). Giữ lại một dòng đúng.",
        "This number is already on row {other} with other data (date, holder or title). Keep the one correct row.",
    ),
    "register_ok": (
        "{file}: đã nạp sổ đăng ký: {new} bản ghi mới, {changed} sửa, {same} không đổi; số liệu tháng: {inserted} mới, {updated} sửa, {unchanged} không đổi.",
        "{file}: register loaded: {new} new records, {changed} changed, {same} unchanged; monthly counts: {inserted} new, {updated} changed, {unchanged} unchanged.",
    ),
    "register_unchanged": (
        "{file}: không có gì thay đổi ({same} bản ghi đã có sẵn), không tạo lô mới.",
        "{file}: nothing changed ({same} records already there); no batch created.",
    ),
    "register_dry_run": (
        "{file}: hợp lệ (chạy thử): sẽ có {new} bản ghi mới, {changed} sửa, {same} không đổi; số liệu tháng: {inserted} mới, {updated} sửa, {unchanged} không đổi. Chưa ghi gì.",
        "{file}: valid (dry run): {new} new records, {changed} changed, {same} unchanged; monthly counts: {inserted} new, {updated} changed, {unchanged} unchanged would be written. Nothing saved.",
    ),
    "entry_saved": (
        "Đã lưu lô #{batch}: {inserted} giá trị mới, {updated} giá trị sửa, {unchanged} không đổi.",
        "Saved batch #{batch}: {inserted} new, {updated} changed, {unchanged} unchanged.",
    ),
    "entry_unchanged": (
        "Không có gì thay đổi: các số liệu đã có sẵn ({unchanged} giá trị). Không tạo lô mới.",
        "Nothing changed: the figures were already there ({unchanged} values). No batch created.",
    ),
    "entry_nothing": (
        "Chưa nhập số liệu nào. Ô trống nghĩa là chưa báo cáo.",
        "No figures entered. An empty cell means not reported.",
    ),
    # outcomes
    "import_ok": (
        "{file}: đã nạp lô #{batch}: {inserted} giá trị mới, {updated} giá trị sửa, {unchanged} không đổi.",
        "{file}: loaded batch #{batch}: {inserted} new, {updated} changed, {unchanged} unchanged.",
    ),
    "import_unchanged": (
        "{file}: không có gì thay đổi ({unchanged} giá trị đã có sẵn), không tạo lô mới.",
        "{file}: nothing changed ({unchanged} values already there); no batch created.",
    ),
    "import_dry_run": (
        "{file}: hợp lệ (chạy thử): sẽ có {inserted} giá trị mới, {updated} giá trị sửa, {unchanged} không đổi. Chưa ghi gì.",
        "{file}: valid (dry run): {inserted} new, {updated} changed, {unchanged} unchanged would be written. Nothing saved.",
    ),
    "import_new_members": (
        "Đã thêm trang thành phần mới vào danh mục ({count}): {codes}. Nếu mã nào gõ nhầm, sửa tệp rồi nhập lại.",
        "Added new component sites to the list ({count}): {codes}. If a code is a typo, fix the file and import again.",
    ),
    "import_new_members_dry_run": (
        "Tệp có mã trang thành phần chưa có trong danh mục ({count}), sẽ được thêm mới: {codes}. Kiểm tra lại "
        "xem có mã nào gõ nhầm không trước khi nhập.",
        "The file has component-site codes not yet in the list ({count}); they will be added: {codes}. Check "
        "for typos before importing.",
    ),
    "import_rejected": (
        "{file}: bị từ chối, {count} lỗi. Không có dữ liệu nào được ghi. Sửa các lỗi sau rồi nhập lại:",
        "{file}: rejected with {count} problems. Nothing was written. Fix these and import again:",
    ),
    "problems_more": (
        "và {count} lỗi khác (chỉ đếm, không liệt kê): {kinds}.",
        "and {count} more problems (counted, not listed): {kinds}.",
    ),
    "problem_line": ("  dòng {row}, cột {column}{value}: {message}", "  row {row}, column {column}{value}: {message}"),
    # reading past reports (etl/extract/report_text.py, `commstats extract`)
    "report_unknown_format": (
        "Không đọc được loại tệp {suffix}. Dùng báo cáo dạng .txt, .docx hoặc .pdf.",
        "Cannot read {suffix} files. Use a report as .txt, .docx or .pdf.",
    ),
    "report_empty": ("Tệp rỗng, không có chữ nào để đọc.", "The file is empty: there is no text to read."),
    "report_binary": (
        "Tệp chứa dữ liệu nhị phân, không phải văn bản. Dùng báo cáo dạng .txt (UTF-8), .docx hoặc .pdf.",
        "The file holds binary data, not text. Use a report as .txt (UTF-8), .docx or .pdf.",
    ),
    "report_undecodable": (
        "Không nhận ra bảng mã của tệp văn bản. Lưu lại dạng UTF-8 rồi thử lại.",
        "Cannot tell the text file's encoding. Save it as UTF-8 and try again.",
    ),
    "report_docx_invalid": (
        "Tệp .docx bị hỏng hoặc không phải tệp Word ({detail}). Mở bằng Word và lưu lại dạng .docx.",
        "The .docx file is damaged or not a Word file ({detail}). Open it in Word and save it as .docx again.",
    ),
    "report_docx_too_big": (
        "Tệp .docx giải nén ra quá lớn ({size_mb} MB, {parts} phần), nghi là tệp nén độc hại; tệp không được đọc.",
        "The .docx expands to {size_mb} MB in {parts} parts: it looks like a zip bomb and was not read.",
    ),
    "report_docx_unsafe": (
        "Tệp .docx có khai báo DTD/thực thể XML trong {part} (kiểu tấn công XXE); Word không tạo ra tệp như vậy nên tệp không được đọc. Mở bằng Word và lưu thành tệp mới.",
        "The .docx declares a DTD or XML entities in {part} (an XXE attack pattern); Word never writes that, so the file was not read. Open it in Word and save it as a new file.",
    ),
    "report_pdf_invalid": (
        "Tệp PDF bị hỏng hoặc không đọc được ({detail}). Xuất lại PDF từ Word rồi thử lại.",
        "The PDF is damaged or unreadable ({detail}). Export it from Word again and retry.",
    ),
    "report_pdf_encrypted": (
        "Tệp PDF có mật khẩu. Gỡ mật khẩu rồi thử lại.",
        "The PDF is password-protected. Remove the password and retry.",
    ),
    "report_pdf_too_long": (
        "Tệp PDF có {pages} trang, vượt giới hạn {limit} trang.",
        "The PDF has {pages} pages, over the {limit}-page limit.",
    ),
    "report_docx_too_many_paragraphs": (
        "Tệp .docx có hơn {limit} đoạn văn; một báo cáo thật chỉ có vài nghìn. Chia nhỏ văn bản hoặc lưu lại từ Word.",
        "The .docx has more than {limit} paragraphs; a real report has a few thousand. Split it or save it again from Word.",
    ),
    "report_pdf_content_too_big": (
        "Nội dung các trang PDF giải nén ra hơn {limit_mb} MB (đến trang {page}), nghi là tệp độc hại. In lại ra PDF hoặc dùng bản .docx.",
        "The PDF's page contents expand to more than {limit_mb} MB (by page {page}): it looks hostile. Print it to PDF again or use the .docx.",
    ),
    "report_pdf_too_slow": (
        "Đọc tệp PDF quá {seconds} giây (dừng ở trang {page}). In lại ra PDF hoặc dùng bản .docx.",
        "Reading the PDF took over {seconds} s (stopped at page {page}). Print it to PDF again or use the .docx.",
    ),
    "report_pdf_no_text": (
        "Tệp PDF không có lớp chữ (có lẽ là bản scan). Cần nhận dạng chữ (OCR) trước, hoặc dùng bản .docx.",
        "The PDF has no text layer (probably a scan). Run OCR first, or use the .docx.",
    ),
    "report_too_long": ("Văn bản dài quá {limit} ký tự.", "The text is longer than {limit} characters."),
    "report_unreadable": ("{file}: không đọc được tệp. {message}", "{file}: cannot read the file. {message}"),
    "report_header": ("{file}: kỳ báo cáo {period} ({source})", "{file}: report period {period} ({source})"),
    "report_source_text": ("nhận từ tiêu đề văn bản", "found in the title"),
    "report_source_option": ("theo --period", "from --period"),
    "report_source_none": ("chưa rõ; thêm --period 2019-07 để nạp", "unknown; add --period 2019-07 to load"),
    "report_sure_header": ("Số liệu đọc được ({count}):", "Figures read ({count}):"),
    "report_review_header": ("Cần xem lại, không nạp ({count}):", "Needs review, not loaded ({count}):"),
    "report_no_figures": (
        "Không tìm thấy số liệu nào khớp mẫu trong data/report_patterns.yaml.",
        "No figure matches the rules in data/report_patterns.yaml.",
    ),
    "report_columns": (
        "chỉ tiêu\tthành phần\tgiá trị\tkỳ\tước lượng\tcâu",
        "metric\tmember\tvalue\tperiod\tqualifier\tsentence",
    ),
    "report_reason_line": ("lý do: {reason}", "reason: {reason}"),
    "report_load_no_period": (
        "{file}: không nạp được vì chưa rõ tháng báo cáo. Thêm --period 2019-07.",
        "{file}: not loaded because the report month is unknown. Add --period 2019-07.",
    ),
    "report_nothing_to_load": ("{file}: không có số liệu chắc chắn nào để nạp.", "{file}: no sure figure to load."),
    "report_bad_period": (
        "--period không hợp lệ: “{value}”. Ghi dạng 2019-07 hoặc 07/2019.",
        "Invalid --period “{value}”. Write it as 2019-07 or 07/2019.",
    ),
    "report_bad_lang": ("--lang phải là vi hoặc en.", "--lang must be vi or en."),
    "report_db_error": (
        "Không mở được cơ sở dữ liệu ({detail}). Kiểm tra --db hoặc COMMSTATS_DATABASE_URL.",
        "Cannot open the database ({detail}). Check --db or COMMSTATS_DATABASE_URL.",
    ),
    "report_pattern_error": ("Tệp mẫu có lỗi: {detail}", "The pattern file is wrong: {detail}"),
    "report_reason_approximate": (
        "số xấp xỉ (“{detail}”), không phải số đếm chính xác",
        "approximate (“{detail}”), not an exact count",
    ),
    "report_reason_fraction": ("số đếm có phần thập phân ({detail})", "a count with a fraction ({detail})"),
    "report_reason_multiplier": (
        "số làm tròn, viết kèm đơn vị chữ ({detail})",
        "a rounded figure written with a word multiplier ({detail})",
    ),
    "report_reason_delta": (
        "là mức tăng/giảm so với kỳ khác, không phải số liệu của kỳ",
        "a change against another period, not the period's count",
    ),
    "report_reason_other_period": ("thuộc kỳ khác (“{detail}”)", "belongs to another period (“{detail}”)"),
    "report_reason_plan": (
        "nằm trong phần kế hoạch, không phải kết quả đã đạt",
        "in the plan part of the report, not a result",
    ),
    "report_reason_context": (
        "câu thiếu từ xác định chỉ tiêu ({detail})",
        "the sentence lacks the words that identify the metric ({detail})",
    ),
    "report_reason_rule": ("{detail}", "{detail}"),
    "report_reason_no_pattern": (
        "số đứng gần “{detail}” nhưng không khớp mẫu nào trong data/report_patterns.yaml",
        "a number near “{detail}” that matches no rule in data/report_patterns.yaml",
    ),
    "report_reason_unknown_member": ("không nhận ra thành phần “{detail}”", "unknown breakdown “{detail}”"),
    "report_reason_conflict": (
        "văn bản ghi các giá trị khác nhau cho cùng chỉ tiêu ({detail})",
        "the text gives different values for the same figure ({detail})",
    ),
    "report_reason_total_with_parts": (
        "là tổng mà văn bản cũng đã chia theo thành phần; nạp các phần thay cho tổng",
        "a total that the text also breaks down; load the parts instead",
    ),
    # component-site feeds (python -m commstats fetch-sites); {site} is "name (code)"
    "feed_not_found": (
        "Trang {site}: không tìm thấy nguồn tin (HTTP {status}) tại {url}. Sửa feed_url trong danh sách trang.",
        "Site {site}: feed not found (HTTP {status}) at {url}. Fix feed_url in the site list.",
    ),
    "feed_http_error": (
        "Trang {site}: máy chủ từ chối yêu cầu (HTTP {status}) tại {url}. Kiểm tra feed_url hoặc hỏi quản trị trang.",
        "Site {site}: the server refused the request (HTTP {status}) at {url}. Check feed_url or ask the site's administrator.",
    ),
    "feed_server_error": (
        "Trang {site}: máy chủ bị lỗi (HTTP {status}) tại {url}, đã thử {attempts} lần. Chạy lại sau hoặc báo quản trị trang.",
        "Site {site}: server error (HTTP {status}) at {url} after {attempts} tries. Run again later or tell the site's administrator.",
    ),
    "feed_unreachable": (
        "Trang {site}: không kết nối được tới {url} ({detail}), đã thử {attempts} lần. Trang có thể đang ngừng hoạt động.",
        "Site {site}: cannot connect to {url} ({detail}) after {attempts} tries. The site may be down.",
    ),
    "feed_timeout": (
        "Trang {site}: quá {seconds} giây không nhận được phản hồi từ {url}. Trang có thể đang quá tải; chạy lại sau.",
        "Site {site}: no answer from {url} within {seconds} seconds. The site may be overloaded; run again later.",
    ),
    "feed_too_large": (
        "Trang {site}: nội dung tại {url} lớn hơn {limit_mb} MB nên không đọc. Kiểm tra feed_url.",
        "Site {site}: the content at {url} is over {limit_mb} MB and was not read. Check feed_url.",
    ),
    "feed_too_many_entries": (
        "Trang {site}: {url} có hơn {limit} mục (bài hoặc địa chỉ), nhiều hơn một sitemap được phép; không đọc. Kiểm tra feed_url.",
        "Site {site}: {url} has more than {limit} entries (posts or addresses), more than a sitemap may; not read. Check feed_url.",
    ),
    "feed_empty": ("Trang {site}: {url} trả về nội dung rỗng.", "Site {site}: {url} returned nothing."),
    "feed_html": (
        "Trang {site}: {url} trả về trang web HTML, không phải RSS/Atom hay sitemap. Sửa feed_url thành địa chỉ RSS hoặc sitemap.xml của trang.",
        "Site {site}: {url} returned an HTML page, not RSS/Atom or a sitemap. Set feed_url to the site's RSS or sitemap.xml address.",
    ),
    "feed_malformed": (
        "Trang {site}: XML tại {url} bị lỗi ở dòng {line}, cột {column} ({detail}). Báo quản trị trang sửa nguồn tin.",
        "Site {site}: the XML at {url} is malformed at line {line}, column {column} ({detail}). Ask the site's administrator to fix the feed.",
    ),
    "feed_unsafe_xml": (
        "Trang {site}: XML tại {url} có khai báo thực thể hoặc tham chiếu ngoài ({detail}), dấu hiệu của XML bomb/XXE; đã từ chối đọc.",
        "Site {site}: the XML at {url} declares entities or external references ({detail}), a sign of an XML bomb/XXE; refused.",
    ),
    "feed_unknown_format": (
        "Trang {site}: {url} không phải RSS, Atom hay sitemap (phần tử gốc <{root}>). Sửa feed_url.",
        "Site {site}: {url} is not RSS, Atom or a sitemap (root element <{root}>). Fix feed_url.",
    ),
    "feed_nested_index": (
        "Trang {site}: sitemap con {url} lại là một sitemap index; chỉ đọc một cấp. Trỏ feed_url vào sitemap index cấp dưới.",
        "Site {site}: the child sitemap {url} is itself a sitemap index; only one level is read. Point feed_url at the inner index.",
    ),
    "feed_no_dates": (
        "Trang {site}: không tin nào trong {count} tin tại {url} có ngày đăng hợp lệ nên không đếm được. Cần RSS có pubDate, Atom có published/updated hoặc sitemap có lastmod.",
        "Site {site}: none of the {count} posts at {url} has a valid date, so nothing can be counted. RSS needs pubDate, Atom published/updated, a sitemap lastmod.",
    ),
    "feed_undated": (
        "Trang {site}: bỏ qua {count} tin không có ngày đăng hợp lệ (ví dụ: “{example}”).",
        "Site {site}: skipped {count} posts without a valid date (e.g. “{example}”).",
    ),
    "feed_no_link": (
        "Trang {site}: bỏ qua {count} tin không có guid hay đường dẫn.",
        "Site {site}: skipped {count} posts with neither guid nor link.",
    ),
    "feed_future": (
        "Trang {site}: bỏ qua {count} tin có ngày đăng ở tương lai (ví dụ: “{example}”). Kiểm tra đồng hồ/múi giờ của trang.",
        "Site {site}: skipped {count} posts dated in the future (e.g. “{example}”). Check the site's clock or time zone.",
    ),
    "feed_sitemaps_capped": (
        "Trang {site}: sitemap index có quá nhiều sitemap con; bỏ qua {count} sitemap cũ nhất.",
        "Site {site}: the sitemap index lists too many sitemaps; the {count} oldest were skipped.",
    ),
    "feed_no_url": (
        "Trang {site}: chưa có feed_url trong {file}; bỏ qua.",
        "Site {site}: no feed_url in {file}; skipped.",
    ),
    "feed_unknown_unit": (
        "Đơn vị {unit} (của {file}) không có trong cơ sở dữ liệu. Các đơn vị hiện có: {allowed}. Dùng --unit MÃ hoặc thêm đơn vị bằng: python -m commstats units add.",
        "Unit {unit} (of {file}) is not in the database. Units there: {allowed}. Pass --unit CODE or add it with: python -m commstats units add.",
    ),
    "sites_file_missing": (
        "Không tìm thấy danh sách trang {file}. Kiểm tra đường dẫn --sites.",
        "Site list {file} not found. Check the --sites path.",
    ),
    "sites_file_invalid": (
        "Danh sách trang {file} không hợp lệ: {detail}. Xem mẫu data/sites.yaml.",
        "Site list {file} is invalid: {detail}. See data/sites.yaml for the format.",
    ),
    "sites_duplicate": (
        "Danh sách trang {file}: mã trang {code} xuất hiện hai lần. Giữ lại một mục.",
        "Site list {file}: site code {code} appears twice. Keep one entry.",
    ),
    "feed_col_site": ("Trang", "Site"),
    "feed_col_status": ("Trạng thái", "Status"),
    "feed_col_new": ("Tin mới", "New posts"),
    "feed_col_months": ("Tháng cập nhật", "Months updated"),
    "feed_status_updated": ("đã cập nhật", "updated"),
    "feed_status_unchanged": ("không đổi", "unchanged"),
    "feed_status_failed": ("LỖI", "FAILED"),
    "feed_status_no_feed": ("chưa có nguồn tin", "no feed"),
    "feed_summary": (
        "Đọc được {read}/{total} trang ({failed} trang lỗi); {new} tin mới; {months} tháng-trang được cập nhật trong lô #{batch}.",
        "Read {read}/{total} sites ({failed} failed); {new} new posts; {months} site-months updated in batch #{batch}.",
    ),
    "feed_summary_no_batch": (
        "Đọc được {read}/{total} trang ({failed} trang lỗi); {new} tin mới; số liệu không thay đổi, không tạo lô mới.",
        "Read {read}/{total} sites ({failed} failed); {new} new posts; no figure changed, no batch created.",
    ),
    # annual targets (etl/targets.py, `commstats targets import`)
    "target_missing_columns": (
        "Thiếu cột bắt buộc: {columns}. Dòng tiêu đề phải có các cột year, metric, value (hoặc Năm, Mã chỉ tiêu, Kế hoạch); cột unit không bắt buộc.",
        "Missing required columns: {columns}. The header must have year, metric, value (unit is optional).",
    ),
    "target_bad_year": (
        "Năm không hợp lệ. Ghi năm bằng 4 chữ số, từ {low} đến {high}, ví dụ 2019.",
        "Invalid year. Write a four-digit year from {low} to {high}, e.g. 2019.",
    ),
    "target_stock_metric": (
        "Chỉ tiêu {metric} là số cuối kỳ, không cộng dồn nên không đặt kế hoạch năm. Chỉ dùng chỉ tiêu cộng dồn (flow) — xem: python -m commstats metrics.",
        "Metric {metric} is an end-of-period level, not summed over a year, so it takes no annual target. Use a flow metric — see: python -m commstats metrics.",
    ),
    "target_duplicate": (
        "Trùng với dòng {other} (cùng đơn vị, chỉ tiêu, năm). Giữ lại một dòng.",
        "Same unit, metric and year as row {other}. Keep one row.",
    ),
    # report drafting (commstats/narrative, `commstats draft`, pages/draft.py)
    "draft_bad_period": (
        "Kỳ báo cáo không hợp lệ “{value}”. Dùng 2019-07 (tháng), 2019-Q3 (quý), 2019-H1 (6 tháng), 2019-9M (9 tháng) hoặc 2019 (năm).",
        "Invalid report period “{value}”. Use 2019-07 (month), 2019-Q3 (quarter), 2019-H1 (half), 2019-9M (nine months) or 2019 (year).",
    ),
    "draft_bad_compare": (
        "Phép so sánh không có: {value}. Dùng một hoặc nhiều trong: prev, yoy, ytd, target (cách nhau bằng dấu phẩy).",
        "Unknown comparison: {value}. Use one or more of: prev, yoy, ytd, target (comma-separated).",
    ),
    "draft_bad_format": ("--format phải là text, md hoặc docx.", "--format must be text, md or docx."),
    "draft_docx_needs_out": (
        "Định dạng docx cần --out TỆP.docx (không in ra màn hình được).",
        "The docx format needs --out FILE.docx (it cannot be printed).",
    ),
    "draft_unknown_unit": (
        "Mã đơn vị không có: {value}. Các đơn vị hiện có: {allowed}.",
        "Unknown unit code: {value}. Units in the database: {allowed}.",
    ),
    "draft_choose_unit": (
        "Cơ sở dữ liệu có {count} đơn vị; chọn đơn vị bằng --unit MÃ (có thể lặp lại): {allowed}.",
        "The database has {count} units; choose with --unit CODE (repeatable): {allowed}.",
    ),
    "draft_saved": ("Đã lưu bản dự thảo vào {path}.", "Saved the draft to {path}."),
    "targets_none": ("Chưa có kế hoạch năm nào.", "No annual targets yet."),
}


def t(key: str, lang: Lang = "vi", **params: Any) -> str:
    vi, en = MESSAGES[key]
    return (en if lang == "en" else vi).format(**params)


class BilingualError(Exception):
    """A refusal whose message lives in a module's own table of (vi, en) texts."""

    messages: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: Lang = "vi") -> str:
        vi, en = self.messages[self.key]
        return (en if lang == "en" else vi).format(**self.params)

    def __str__(self) -> str:
        return self.message("vi")
