"""Vietnamese-first texts for messages shared by the CLI, the ETL and the pages."""

from __future__ import annotations

from typing import Any

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
    "import_rejected": (
        "{file}: bị từ chối, {count} lỗi. Không có dữ liệu nào được ghi. Sửa các lỗi sau rồi nhập lại:",
        "{file}: rejected with {count} problems. Nothing was written. Fix these and import again:",
    ),
    "problem_line": ("  dòng {row}, cột {column}{value}: {message}", "  row {row}, column {column}{value}: {message}"),
}


def t(key: str, lang: Lang = "vi", **params: Any) -> str:
    vi, en = MESSAGES[key]
    return (en if lang == "en" else vi).format(**params)
