"""Bad files are rejected whole: every problem is listed with file, row, column, value, what is
wrong and how to fix it (Vietnamese, or English), and every table is left exactly as it was."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from commstats.bootstrap import add_unit
from etl.limits import current as limits
from etl.pipeline import import_content, import_path
from tests.dbstate import snapshot
from tests.importfiles import (
    GOOD_ROWS,
    HEADER,
    csv_text,
    rewrite_member,
    xlsx_bytes,
    xlsx_claiming,
    xlsx_expanding_to,
    xlsx_with_external_entity,
)

MAX_FILE_BYTES = limits().file_bytes
MAX_XLSX_UNZIPPED_BYTES = limits().xlsx_unzipped_bytes

SECRET = "TOP-SECRET-4242"


def _csv(*rows: tuple[object, ...], header: tuple[str, ...] = HEADER) -> Callable[[Path], bytes]:
    return lambda _tmp: csv_text(rows, header).encode("utf-8")


def _raw(content: bytes) -> Callable[[Path], bytes]:
    return lambda _tmp: content


@functools.cache
def _real_zip_bomb() -> bytes:
    return xlsx_expanding_to(MAX_XLSX_UNZIPPED_BYTES + 1)


def _external_entity(part: str) -> Callable[[Path], bytes]:
    def build(tmp: Path) -> bytes:
        secret = tmp / "secret.txt"
        secret.write_text(SECRET)
        return xlsx_with_external_entity(str(secret), part)

    return build


def _garbage(with_nul: bool) -> bytes:
    rng = random.Random(1258)
    low = 0 if with_nul else 0x80
    return bytes(rng.randrange(low, 256) for _ in range(4096))


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    content: Callable[[Path], bytes]
    vi: list[str]  # parts of the Vietnamese report (row, column, value, what is wrong, how to fix)
    en: list[str]  # parts of the English report
    problems: int = 1
    options: dict[str, object] = field(default_factory=dict)
    second_unit: bool = False


CASES = [
    Case(
        "missing-columns",
        "thieu-cot.csv",
        _csv(("2019-07", "portal_audio", "14"), header=("period", "metric", "value")),
        ["dòng 1, cột -: Thiếu cột bắt buộc: member.", "Dòng tiêu đề phải có các cột period, metric, member, value"],
        ["row 1, column -: Missing required columns: member."],
    ),
    Case(
        "duplicate-header",
        "trung-cot.csv",
        _csv(("2019-07", "portal_audio", "", 14, 15), header=("period", "metric", "member", "value", "value")),
        ["dòng 1, cột value: Cột value xuất hiện hai lần trong dòng tiêu đề. Xóa một cột."],
        ["row 1, column value: Column value appears twice in the header. Remove one."],
    ),
    Case(
        "unknown-metric",
        "chi-tieu.csv",
        _csv(("2019-07", "portal_postz", "", 14, "")),
        ["dòng 2, cột metric (“portal_postz”): Mã chỉ tiêu không có trong danh mục; có phải “portal_posts”?"],
        ["row 2, column metric (“portal_postz”): Unknown metric code; did you mean “portal_posts”?"],
    ),
    Case(
        "unknown-metric-far",
        "chi-tieu-la.csv",
        _csv(("2019-07", "so_lieu_khac", "", 14, "")),
        ["dòng 2, cột metric (“so_lieu_khac”): Mã chỉ tiêu không có trong danh mục."],
        ["row 2, column metric (“so_lieu_khac”): Unknown metric code."],
    ),
    Case(
        "unknown-member",
        "thanh-phan.csv",
        _csv(("2019-07", "portal_posts", "fr", 14, "")),
        ["dòng 2, cột member (“fr”): Mã ngôn ngữ không hợp lệ; dùng vi, km hoặc en."],
        ["row 2, column member (“fr”): Invalid language code; use vi, km or en."],
    ),
    Case(
        "unknown-member-typo",
        "thanh-phan-go-nham.csv",
        _csv(("2019-07", "portal_posts", "kmm", 14, "")),
        ["dòng 2, cột member (“kmm”): Mã ngôn ngữ không hợp lệ; có phải “km”? Dùng vi, km hoặc en."],
        ["row 2, column member (“kmm”): Invalid language code; did you mean “km”? Use vi, km or en."],
    ),
    Case(
        "member-without-breakdown",
        "khong-chia.csv",
        _csv(("2019-07", "portal_audio", "vi", 14, "")),
        ["dòng 2, cột member (“vi”): Chỉ tiêu portal_audio không chia theo thành phần; để trống cột này."],
        ["row 2, column member (“vi”): Metric portal_audio has no breakdown; leave this column empty."],
    ),
    Case(
        "month-13",
        "thang-13.csv",
        _csv(("2019-13", "portal_audio", "", 14, "")),
        ["dòng 2, cột period (“2019-13”): Kỳ không hợp lệ. Ghi theo dạng 2019-07, 07/2019 hoặc tháng 7/2019."],
        ["row 2, column period (“2019-13”): Invalid period. Write it as 2019-07"],
    ),
    Case(
        "day-31-02",
        "ngay.csv",
        _csv(("31/02/2019", "portal_audio", "", 14, "")),
        ["dòng 2, cột period (“31/02/2019”): Kỳ không hợp lệ."],
        ["row 2, column period (“31/02/2019”)"],
    ),
    Case(
        "period-text",
        "ky-chu.csv",
        _csv(("tháng bảy", "portal_audio", "", 14, "")),
        ["dòng 2, cột period (“tháng bảy”): Kỳ không hợp lệ."],
        ["Invalid period"],
    ),
    Case(
        "negative",
        "am.csv",
        _csv(("2019-07", "portal_audio", "", -5, "")),
        ["dòng 2, cột value (“-5”): Giá trị âm. Số liệu đếm phải từ 0 trở lên."],
        ["row 2, column value (“-5”): Negative value. Counts must be zero or more."],
    ),
    Case(
        "fractional",
        "le.csv",
        _csv(("2019-07", "portal_audio", "", "14,5", "")),
        ["dòng 2, cột value (“14,5”): Giá trị có phần thập phân. Số liệu đếm phải là số nguyên."],
        ["The value has a fraction"],
    ),
    Case(
        "text-value",
        "chu.csv",
        _csv(("2019-07", "portal_audio", "", "mười bốn", "")),
        ["dòng 2, cột value (“mười bốn”): Không phải là số. Nhập một số nguyên không âm"],
        ["Not a number"],
    ),
    Case(
        "empty-value",
        "trong.csv",
        _csv(("2019-07", "portal_audio", "", "", "")),
        ["dòng 2, cột value: Thiếu giá trị. Nhập một số nguyên không âm."],
        ["row 2, column value: Missing value."],
    ),
    Case(
        "too-large",
        "lon.csv",
        _csv(("2019-07", "portal_audio", "", 10**13, "")),
        ["dòng 2, cột value (“10000000000000”): Giá trị quá lớn"],
        ["The value is too large"],
    ),
    Case(
        "duplicate-rows-same-value",
        "trung-dong.csv",
        _csv(("2019-07", "portal_audio", "", 14, ""), ("7/2019", "portal_audio", "", 14, "")),
        ["dòng 3, cột metric (“portal_audio”): Trùng khóa với dòng 2 (cùng đơn vị, chỉ tiêu, kỳ, thành phần)."],
        ["row 3, column metric (“portal_audio”): Same key as row 2"],
    ),
    Case(
        "duplicate-rows-other-value",
        "trung-khoa.csv",
        _csv(
            ("2019-07", "portal_posts", "vi", 33, ""),
            ("2019-08", "portal_posts", "vi", 1, ""),
            ("tháng 7/2019", "portal_posts", "vi", 34, ""),
        ),
        ["dòng 4, cột metric (“portal_posts”): Trùng khóa với dòng 2"],
        ["row 4, column metric", "Keep one row"],
    ),
    Case(
        "unknown-unit",
        "don-vi.csv",
        _csv(("2019-07", "portal_audio", "", 14, "quang-ninh"), header=("period", "metric", "member", "value", "unit")),
        ["dòng 2, cột unit (“quang-ninh”): Mã đơn vị không có trong cơ sở dữ liệu. Các đơn vị hiện có: test-unit"],
        ["row 2, column unit (“quang-ninh”): Unknown unit code."],
    ),
    Case(
        "no-unit-with-several-units",
        "khong-don-vi.csv",
        _csv(("2019-07", "portal_audio", "", 14, "")),
        ["dòng 2, cột unit: Chưa rõ đơn vị: thêm cột unit hoặc dùng --unit MÃ (có 2 đơn vị trong cơ sở dữ liệu)."],
        ["row 2, column unit: Which unit? Add a unit column or pass --unit CODE"],
        second_unit=True,
    ),
    Case(
        "nul-bytes",
        "nul.csv",
        _raw(csv_text(GOOD_ROWS).encode().replace(b"portal_audio", b"portal\x00audio")),
        ["dòng -, cột -: Tệp chứa byte NUL hoặc dữ liệu nhị phân", "lưu lại dạng CSV UTF-8"],
        ["NUL bytes"],
    ),
    Case(
        "binary-garbage",
        "rac.csv",
        _raw(_garbage(with_nul=True)),
        ["Tệp chứa byte NUL hoặc dữ liệu nhị phân, không phải CSV văn bản."],
        ["not CSV text"],
    ),
    Case(
        "high-byte-garbage",
        "rac-2.csv",
        _raw(_garbage(with_nul=False)),
        ["dòng -, cột -: Không đọc được bảng mã của tệp. Lưu lại dạng CSV UTF-8, hoặc chỉ rõ bảng mã bằng --encoding"],
        ["Cannot tell the file's encoding"],
    ),
    Case("empty-file", "rong.csv", _raw(b""), ["dòng -, cột -: Tệp rỗng, không có dòng dữ liệu nào."], ["empty"]),
    Case(
        "header-only",
        "chi-tieu-de.csv",
        _raw(b"\xef\xbb\xbfperiod,metric,member,value\r\n"),
        ["Tệp rỗng, không có dòng dữ liệu nào."],
        ["The file is empty: no data rows."],
    ),
    Case(
        "too-many-columns",
        "thua-cot.csv",
        _raw(b"period,metric,member,value\n2019-07,portal_audio,,14\n2019-08,portal_audio,,15,16,17\n"),
        ["dòng 3, cột -: Dòng có 6 cột, nhiều hơn dòng tiêu đề (4 cột). Kiểm tra dấu phân cách thừa."],
        ["row 3, column -: The row has 6 columns, more than the header (4)."],
    ),
    Case(
        "quote-left-open",
        "ngoac.csv",
        _raw(b'period,metric,member,value,note\n2019-07,portal_audio,,14,"chua dong\n2019-08,portal_audio,,15,\n'),
        ["dòng 2, cột -: Dòng CSV sai cấu trúc", "Kiểm tra dấu ngoặc kép và dấu phân cách."],
        ["row 2, column -: Malformed CSV line"],
    ),
    Case(
        "control-characters",
        "dieu-khien.csv",
        _csv(("2019-07", "portal_audio", "", 14, "chú thích\x07")),
        ["dòng 2, cột note", "Có ký tự điều khiển không hợp lệ. Xóa các ký tự này."],
        ["invalid control characters"],
    ),
    Case(
        "over-size-limit",
        "qua-lon.csv",
        _raw(csv_text(GOOD_ROWS).encode() + b" " * MAX_FILE_BYTES),
        [f"vượt giới hạn {MAX_FILE_BYTES // 2**20} MB. Hãy chia nhỏ tệp rồi nhập từng phần."],
        ["Split it"],
    ),
    Case(
        "not-a-zip",
        "hong.xlsx",
        _raw(b"PK\x03\x04 this is not really a workbook"),
        ["dòng -, cột -: Tệp .xlsx bị hỏng hoặc không phải tệp Excel", "Mở bằng Excel và lưu lại."],
        ["The .xlsx file is damaged"],
    ),
    Case(
        "truncated-sheet-xml",
        "cat-cut.xlsx",
        _raw(rewrite_member(xlsx_bytes(GOOD_ROWS), "xl/worksheets/sheet1.xml", lambda text: text[: len(text) // 2])),
        ["Tệp .xlsx bị hỏng hoặc không phải tệp Excel"],
        ["The .xlsx file is damaged"],
    ),
    Case(
        "zip-bomb-claimed-size",
        "bom-khai.xlsx",
        lambda _tmp: xlsx_claiming(4_000_000_000),
        ["Tệp .xlsx giải nén ra quá lớn (3814 MB), nghi là tệp nén độc hại."],
        ["looks like a zip bomb"],
    ),
    Case(
        "zip-bomb-real",
        "bom.xlsx",
        lambda _tmp: _real_zip_bomb(),
        ["Tệp .xlsx giải nén ra quá lớn", "nghi là tệp nén độc hại"],
        ["looks like a zip bomb"],
    ),
    Case(
        "xml-external-entity-in-sheet",
        "xxe.xlsx",
        _external_entity("sheet"),
        ["Tệp .xlsx chứa khai báo XML không an toàn (DTD hoặc thực thể ngoài"],
        ["unsafe XML"],
    ),
    # lxml (which openpyxl prefers for workbook.xml) refuses the entity itself: reported as a damaged file.
    Case(
        "xml-external-entity-in-workbook",
        "xxe-2.xlsx",
        _external_entity("workbook"),
        ["dòng -, cột -: Tệp .xlsx", "Mở bằng Excel và lưu lại"],
        ["The .xlsx"],
    ),
    Case(
        "unknown-format",
        "bao-cao.pdf",
        _raw(b"%PDF-1.7"),
        ["Không nhận ra định dạng tệp (.pdf). Dùng .csv hoặc .xlsx theo mẫu nhập liệu."],
        ["Unknown file format"],
    ),
    Case(
        "unknown-encoding-name",
        "ma.csv",
        _csv(("2019-07", "portal_audio", "", 14, "")),
        ["Bảng mã klingon không hợp lệ hoặc không đọc được tệp. Thử utf-8, utf-16 hoặc cp1258."],
        ["Encoding klingon is unknown"],
        options={"encoding": "klingon"},
    ),
    Case(
        "several-problems",
        "nhieu-loi.csv",
        _csv(
            ("2019-07", "portal_audio", "", 14, ""),
            ("2019-13", "portal_audio", "", 14, ""),
            ("2019-07", "portal_postz", "", -1, ""),
            ("2019-08", "portal_posts", "fr", "x", ""),
        ),
        [
            "bị từ chối, 5 lỗi",
            "dòng 3, cột period",
            "dòng 4, cột metric",
            "dòng 4, cột value",
            "dòng 5, cột member",
            "dòng 5, cột value",
        ],
        ["rejected with 5 problems", "row 3, column period", "row 5, column value"],
        problems=5,
    ),
]


def test_there_are_many_distinct_malformed_files():
    assert len({case.id for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_file_is_rejected_whole_with_every_problem_and_nothing_changes(empty_engine, tmp_path, case):
    loaded = import_content(empty_engine, csv_text(GOOD_ROWS).encode(), "truoc.csv")
    assert loaded.ok
    if case.second_unit:
        add_unit(empty_engine, "vinhlong", "Sở Thông tin và Truyền thông Vĩnh Long")
    before = snapshot(empty_engine)

    report = import_content(empty_engine, case.content(tmp_path), case.file, **case.options)  # type: ignore[arg-type]

    assert not report.ok and report.result is None
    assert len(report.problems) == case.problems, report.summary("en")
    vi, en = report.summary(), report.summary("en")
    assert vi.startswith(f"{case.file}: bị từ chối, {case.problems} lỗi. Không có dữ liệu nào được ghi."), vi
    assert en.startswith(f"{case.file}: rejected with {case.problems} problems. Nothing was written."), en
    for part in case.vi:
        assert part in vi, vi
    for part in case.en:
        assert part in en, en
    assert all(p.file == case.file for p in report.problems)
    assert snapshot(empty_engine) == before
    assert SECRET not in vi + en


def test_oversized_file_on_disk_is_refused_before_it_is_read(empty_engine, tmp_path):
    big = tmp_path / "qua-lon.csv"
    with big.open("wb") as out:
        out.write(csv_text(GOOD_ROWS).encode())
        out.truncate(MAX_FILE_BYTES + 1)
    before = snapshot(empty_engine)
    report = import_path(empty_engine, big)
    assert [p.key for p in report.problems] == ["file_too_large"]
    assert "vượt giới hạn 50 MB" in report.summary()
    assert snapshot(empty_engine) == before


def test_missing_file_is_reported(empty_engine, tmp_path):
    report = import_path(empty_engine, tmp_path / "khong-co.csv")
    assert "Không tìm thấy tệp. Kiểm tra lại đường dẫn." in report.summary()
    assert "File not found" in report.summary("en")
