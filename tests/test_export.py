"""Exports analysts can open: CSV in UTF-8 with BOM and Vietnamese intact, no cell a spreadsheet
would run as a formula, typed XLSX cells, and files that import back to the same observations."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from commstats import queries
from commstats.bootstrap import add_unit, init_database
from commstats.db import make_engine, session_scope
from commstats.export import header as column_header
from commstats.export import safe_frame, to_csv_bytes, to_xlsx_bytes
from commstats.models import Member
from etl.pipeline import import_content
from tests.importfiles import GOOD_ROWS, csv_text, observations

HYPERLINK = '=HYPERLINK("http://example.invalid/x","bấm vào đây")'
RISKY_ROWS = [
    ("2019-07", "portal_audio", "", 14, HYPERLINK),
    ("2019-07", "sites_posts", "xa-moi", 7, "+84 294 3862 000"),
    ("2019-07", "portal_drafts", "", 5, "@SUM(A1:A2)"),
    ("2019-07", "printing_declarations", "", 2, "-2 so với tháng trước"),
]


def _load(engine, rows, name="du-lieu.csv") -> None:
    report = import_content(engine, csv_text(rows).encode("utf-8"), name)
    assert report.ok, report.summary("en")


def _add_site_named_like_a_formula(engine) -> None:
    """A component site whose name starts with "-" (names come from sites.yaml or an admin, not imports)."""
    with session_scope(engine) as session:
        session.add(
            Member(dimension="site", code="xa-moi", name_vi="-Xã mới (thử)", name_en="-New commune", sort_order=600)
        )


def test_golden_csv_bytes_of_a_tiny_export(empty_engine):
    """The exact bytes: BOM, Vietnamese headers and names, CRLF, quoting, numbers as numbers."""
    _load(
        empty_engine,
        [
            ("2019-07", "portal_posts", "vi", 33, "Số liệu tháng 7, đã kiểm tra"),
            ("2019-07", "portal_audio", "", 14, ""),
        ],
    )
    frame = queries.observations_for_export(empty_engine)
    assert to_csv_bytes(frame, "vi") == (
        "\ufeffMã đơn vị,Đơn vị,Kỳ,Lĩnh vực,Mã chỉ tiêu,Chỉ tiêu,Mã thành phần,Thành phần,Giá trị,Đơn vị tính,"
        "Ghi chú,Loại kỳ,Ước tính\r\n"
        "test-unit,Sở Thông tin và Truyền thông thử nghiệm,2019-07,Cổng thông tin điện tử,portal_posts,"
        '"Tin, bài đăng trên Cổng thông tin điện tử",vi,tiếng Việt,33,"tin, bài",'
        '"Số liệu tháng 7, đã kiểm tra",tháng,không\r\n'
        "test-unit,Sở Thông tin và Truyền thông thử nghiệm,2019-07,Cổng thông tin điện tử,portal_audio,"
        "Bản tin audio (thu và phát),,,14,bản tin,,tháng,không\r\n"
    ).encode("utf-8")
    assert to_csv_bytes(queries.observations_for_export(empty_engine, lang="en"), "en") == (
        "\ufeffUnit code,Unit name,Period,Section,Metric code,Metric name,Member code,Member name,Value,"
        "Unit of measure,Note,Period kind,Estimated\r\n"
        "test-unit,Test department,2019-07,Web portal,portal_posts,Posts on the web portal,vi,Vietnamese,33,posts,"
        '"Số liệu tháng 7, đã kiểm tra",month,no\r\n'
        "test-unit,Test department,2019-07,Web portal,portal_audio,Audio bulletins recorded and broadcast,,,14,"
        "bulletins,,month,no\r\n"
    ).encode("utf-8")


def test_csv_is_utf8_with_bom_and_vietnamese_survives_pandas_and_excel_reading(demo_engine):
    frame = queries.observations_for_export(demo_engine, metric_codes=["portal_posts"], unit_codes=["travinh-demo"])
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, dtype={"Giá trị": "int64"})
    assert list(back.columns) == [column_header(c, "vi") for c in queries.EXPORT_COLUMNS]
    assert set(back["Chỉ tiêu"]) == {"Tin, bài đăng trên Cổng thông tin điện tử"}
    assert set(back["Thành phần"]) == {"tiếng Việt", "tiếng Khmer", "tiếng Anh"}
    assert set(back["Đơn vị"]) == {"Sở Thông tin và Truyền thông Trà Vinh (dữ liệu mẫu)"}
    july = back[(back["Kỳ"] == "2019-07")].set_index("Mã thành phần")["Giá trị"].to_dict()
    assert july == {"vi": 33, "km": 23, "en": 14}


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("a=b", "a=b"),
        ("", ""),
        ("Trà Vinh", "Trà Vinh"),
    ],
)
def test_each_formula_lead_is_neutralised_and_numbers_stay_numbers(cell, shown):
    frame = pd.DataFrame({"note": [cell], "value": pd.Series([-5], dtype="int64")})
    safe = safe_frame(frame, "en")
    assert safe["Note"].tolist() == [shown]
    assert safe["Value"].tolist() == [-5] and pd.api.types.is_integer_dtype(safe["Value"])


def test_exports_from_the_database_neutralise_formulas(empty_engine):
    _add_site_named_like_a_formula(empty_engine)
    _load(empty_engine, RISKY_ROWS)
    frame = queries.observations_for_export(empty_engine)
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text and ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    assert ",xa-moi,'-Xã mới (thử)," in text  # the site's name
    assert "'+84 294" in text and "'@SUM" in text and "'-2 so với" in text
    assert ",7," in text and ",14," in text  # values unquoted and unprefixed

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, "en"))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    notes = {row[header.index("Metric code")]: row[header.index("Note")] for row in rows[1:]}
    assert notes["portal_audio"] == "'" + HYPERLINK
    assert all(not str(c.value).startswith(("=", "+", "-", "@")) for row in sheet.iter_rows() for c in row if c.value)


def test_xlsx_has_typed_cells_and_headers_in_both_languages(demo_engine):
    for lang in ("vi", "en"):
        frame = queries.observations_for_export(
            demo_engine, start=dt.date(2019, 7, 1), end=dt.date(2019, 7, 1), unit_codes=["travinh-demo"], lang=lang
        )
        workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, lang)))
        sheet = workbook.active
        header = [c.value for c in sheet[1]]
        assert header == [column_header(c, lang) for c in queries.EXPORT_COLUMNS]
        value_col = header.index(column_header("value", lang)) + 1
        values = [sheet.cell(row=r, column=value_col) for r in range(2, sheet.max_row + 1)]
        assert len(values) == len(frame) and all(c.data_type == "n" and isinstance(c.value, int) for c in values)
        assert sum(c.value for c in values) == int(frame["value"].sum())
        names = {
            sheet.cell(row=r, column=header.index(column_header("metric_name", lang)) + 1).value
            for r in range(2, sheet.max_row + 1)
        }
        assert ("Tin, bài đăng trên Cổng thông tin điện tử" in names) == (lang == "vi")
        assert ("Posts on the web portal" in names) == (lang == "en")
        assert sheet.freeze_panes == "A2"


def test_semicolon_csv_for_excel_under_vietnamese_settings(empty_engine):
    """`;` between fields and a decimal comma, as Excel reads CSV under Vietnamese regional settings; formulas
    are still neutralised and a field with a `;` is quoted."""
    _load(
        empty_engine,
        [
            ("2019-07", "portal_posts", "vi", 33, "Số liệu tháng 7; đã kiểm tra"),
            ("2019-07", "portal_drafts", "", 5, "@SUM(A1:A2)"),
        ],
    )
    frame = queries.observations_for_export(empty_engine)
    data = to_csv_bytes(frame, "vi", ";").decode("utf-8-sig").split("\r\n")
    assert data[0].startswith("Mã đơn vị;Đơn vị;Kỳ;Lĩnh vực;Mã chỉ tiêu;Chỉ tiêu;")
    assert data[1].endswith(';33;tin, bài;"Số liệu tháng 7; đã kiểm tra";tháng;không')
    assert data[2].endswith(";5;dự thảo;'@SUM(A1:A2);tháng;không")
    shares = pd.DataFrame({"ratio": ["on_time"], "share": [45.91]})
    assert to_csv_bytes(shares, "vi", "semicolon") == "\ufeffratio;share\r\non_time;45,91\r\n".encode()
    with pytest.raises(ValueError):
        to_csv_bytes(frame, "vi", "|")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "csv;"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_export_then_import_gives_the_same_observations(empty_url, blank_url, fmt, lang):
    source = make_engine(empty_url)
    _add_site_named_like_a_formula(source)
    _load(source, [*GOOD_ROWS, *RISKY_ROWS[1:], ("2019-08", "sites_posts", "cau-ke", 30, "Cầu Kè")])
    frame = queries.observations_for_export(source, lang=lang)
    data = to_xlsx_bytes(frame, lang) if fmt == "xlsx" else to_csv_bytes(frame, lang, fmt[3:] or ",")
    fmt = "xlsx" if fmt == "xlsx" else "csv"

    target = make_engine(blank_url)
    init_database(target)
    add_unit(target, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm")
    report = import_content(target, data, f"xuat.{fmt}")
    assert report.ok, report.summary("en")
    assert observations(target) == observations(source)

    again = import_content(source, data, f"xuat.{fmt}")  # back into the source: nothing to change
    assert again.ok and again.result.batch_id is None and again.result.unchanged == len(frame)
    source.dispose()
    target.dispose()


def _figures(engine) -> set[tuple[str, str, str, str, str, int, bool]]:
    """Every observation as (unit, metric, first day, member, grain, value, estimated)."""
    from sqlalchemy import select

    from commstats.models import Metric, Observation, Unit

    query = (
        select(
            Unit.code,
            Metric.code,
            Observation.period,
            Member.code,
            Observation.grain,
            Observation.value,
            Observation.estimated,
        )
        .join(Unit, Unit.id == Observation.unit_id)
        .join(Metric, Metric.id == Observation.metric_id)
        .join(Member, Member.id == Observation.member_id)
    )
    with engine.connect() as conn:
        return {(u, m, p.isoformat(), b, g, int(v), bool(e)) for u, m, p, b, g, v, e in conn.execute(query)}


@pytest.mark.parametrize("fmt", ["csv;", "xlsx"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_grain_and_estimate_survive_export_then_import(empty_url, blank_url, fmt, lang):
    """Quarter, half-year, 9-month and year figures and estimates go out with their grain and estimate columns
    (Vietnamese words in the Vietnamese file) and come back as they were into a fresh database."""
    source = make_engine(empty_url)
    rows = (
        "period,metric,member,value,unit,grain,estimated\n"
        "2020-05,portal_posts,vi,30,test-unit,,\n"
        "2020-Q2,portal_posts,vi,95,test-unit,,\n"
        "2020-H1,portal_posts,vi,190,test-unit,,x\n"
        "2020-9M,portal_audio,,40,test-unit,,\n"
        "2020,sites_count,,43,test-unit,,có\n"
        "2020-07,portal_posts,vi,33,test-unit,tháng,ước\n"
    )
    loaded = import_content(source, rows.encode(), "nhap.csv")
    assert loaded.ok, loaded.summary("en")
    frame = queries.observations_for_export(source, lang=lang)
    words = dict(zip(frame["period"], zip(frame["grain"], frame["estimated"], strict=True), strict=True))
    if lang == "vi":
        assert words["2020-Q2"] == ("quý", "không") and words["2020-H1"] == ("6 tháng", "có")
        assert words["2020-9M"] == ("9 tháng", "không") and words["2020"] == ("năm", "có")
        assert words["2020-07"] == ("tháng", "có")
    else:
        assert words["2020-Q2"] == ("quarter", "no") and words["2020-H1"] == ("half", "yes")
        assert words["2020-9M"] == ("nine months", "no") and words["2020"] == ("year", "yes")
    data = to_xlsx_bytes(frame, lang) if fmt == "xlsx" else to_csv_bytes(frame, lang, ";")
    if fmt != "xlsx":
        head = data.decode("utf-8-sig").split("\r\n")[0]
        assert head.endswith(";Loại kỳ;Ước tính" if lang == "vi" else ";Period kind;Estimated")

    target = make_engine(blank_url)
    init_database(target)
    add_unit(target, "test-unit", "Sở Thông tin và Truyền thông thử nghiệm")
    report = import_content(target, data, "xuat." + ("xlsx" if fmt == "xlsx" else "csv"))
    assert report.ok, report.summary("en")
    assert _figures(target) == _figures(source)
    assert ("test-unit", "portal_posts", "2020-04-01", "vi", "quarter", 95, False) in _figures(target)
    assert ("test-unit", "sites_count", "2020-01-01", "", "year", 43, True) in _figures(target)
    source.dispose()
    target.dispose()
