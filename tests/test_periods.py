"""Period rules: month spellings, quarters and halves, names in both languages, the cut-off day."""

from __future__ import annotations

import datetime as dt

import pytest

from commstats.periods import (
    Period,
    add_months,
    default_range,
    month_key,
    month_of_event,
    parse_month,
    parse_period,
    preset_range,
    reporting_window,
)

JULY = dt.date(2019, 7, 1)


@pytest.mark.parametrize(
    "text",
    ["2019-07", "2019-7", "2019-07-01", "07/2019", "7/2019", "tháng 7/2019", "Tháng 07/2019", "THÁNG 7/2019",
     "tháng 7 / 2019", "07-2019", "07.2019", " 2019-07 ", "thang 7/2019", "tha\u0301ng 7/2019"],
)  # fmt: skip
def test_month_spellings(text):
    assert parse_month(text) == JULY


def test_dates_and_datetimes_become_their_month():
    assert parse_month(dt.date(2019, 7, 31)) == JULY
    assert parse_month(dt.datetime(2019, 7, 14, 9, 12)) == JULY


@pytest.mark.parametrize(
    "text", ["2019-13", "2019-00", "13/2019", "0/2019", "31/02/2019", "31/02", "2019", "tháng bảy", "", "July 2019",
             "2019/07", "1899-01", "07/19"],
)  # fmt: skip
def test_invalid_months_are_refused(text):
    with pytest.raises(ValueError):
        parse_month(text)


@pytest.mark.parametrize(
    ("text", "kind", "first", "last", "vi", "en"),
    [
        ("2019-07", "month", JULY, JULY, "tháng 7/2019", "July 2019"),
        ("2019-Q3", "quarter", JULY, dt.date(2019, 9, 1), "Quý III/2019", "Q3 2019"),
        ("2019-q1", "quarter", dt.date(2019, 1, 1), dt.date(2019, 3, 1), "Quý I/2019", "Q1 2019"),
        ("2019-H1", "half", dt.date(2019, 1, 1), dt.date(2019, 6, 1), "6 tháng đầu năm 2019", "first half of 2019"),
        ("2019-H2", "half", JULY, dt.date(2019, 12, 1), "6 tháng cuối năm 2019", "second half of 2019"),
        ("2019-9M", "nine_months", dt.date(2019, 1, 1), dt.date(2019, 9, 1), "9 tháng đầu năm 2019",
         "first nine months of 2019"),
        ("2019", "year", dt.date(2019, 1, 1), dt.date(2019, 12, 1), "năm 2019", "2019"),
    ],
)  # fmt: skip
def test_periods_months_and_names(text, kind, first, last, vi, en):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, first, last)
    assert period.months == [add_months(first, i) for i in range(len(period.months))]
    assert period.months[-1] == last
    assert (period.name("vi"), period.name("en")) == (vi, en)
    assert parse_period(period.key) == period


def test_previous_same_period_last_year_and_year_to_date():
    assert Period("month", 2019, 1).previous() == Period("month", 2018, 12)
    assert Period("month", 2019, 7).previous() == Period("month", 2019, 6)
    assert Period("quarter", 2019, 1).previous() == Period("quarter", 2018, 4)
    assert Period("quarter", 2019, 3).previous() == Period("quarter", 2019, 2)
    assert Period("half", 2019, 1).previous() == Period("half", 2018, 2)
    assert Period("half", 2019, 2).previous() == Period("half", 2019, 1)
    assert Period("nine_months", 2019).previous() == Period("nine_months", 2018)
    assert Period("year", 2019).previous() == Period("year", 2018)
    assert Period("quarter", 2019, 3).same_period_last_year() == Period("quarter", 2018, 3)
    assert Period("month", 2019, 7).year_to_date() == [dt.date(2019, m, 1) for m in range(1, 8)]
    assert Period("quarter", 2019, 2).year_to_date() == [dt.date(2019, m, 1) for m in range(1, 7)]


def test_month_arithmetic_and_keys():
    assert add_months(dt.date(2019, 12, 1), 1) == dt.date(2020, 1, 1)
    assert add_months(dt.date(2019, 1, 1), -1) == dt.date(2018, 12, 1)
    assert add_months(JULY, 24) == dt.date(2021, 7, 1)
    assert month_key(JULY) == "2019-07"


@pytest.mark.parametrize(
    ("day", "cutoff", "month"),
    [
        (dt.date(2019, 7, 16), 0, JULY), (dt.date(2019, 7, 31), 1, JULY),
        (dt.date(2019, 7, 14), 15, JULY), (dt.date(2019, 7, 15), 15, dt.date(2019, 8, 1)),
        (dt.date(2019, 6, 15), 15, JULY), (dt.date(2019, 12, 15), 15, dt.date(2020, 1, 1)),
        (dt.date(2019, 12, 31), 15, dt.date(2020, 1, 1)), (dt.date(2020, 1, 14), 15, dt.date(2020, 1, 1)),
        (dt.date(2019, 7, 19), 20, JULY), (dt.date(2019, 7, 20), 20, dt.date(2019, 8, 1)),
    ],
)  # fmt: skip
def test_month_of_an_event_under_the_cut_off_day(day, cutoff, month):
    assert month_of_event(day, cutoff) == month


def test_reporting_windows():
    # Nghị định 09/2019/NĐ-CP: the July report covers 15 June to 14 July.
    assert reporting_window(JULY, 15) == (dt.date(2019, 6, 15), dt.date(2019, 7, 14))
    assert reporting_window(dt.date(2020, 1, 1), 15) == (dt.date(2019, 12, 15), dt.date(2020, 1, 14))
    assert reporting_window(dt.date(2020, 2, 1), 0) == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    for cutoff in (0, 15, 20):  # every day of a year falls in exactly the window of the month it counts in
        day = dt.date(2019, 1, 1)
        while day.year == 2019:
            first, last = reporting_window(month_of_event(day, cutoff), cutoff)
            assert first <= day <= last
            day += dt.timedelta(days=1)


def test_range_presets_and_default_stay_within_the_months_with_figures():
    first, last = dt.date(2017, 1, 1), dt.date(2026, 10, 1)
    assert default_range(first, last) == (dt.date(2024, 11, 1), last)
    assert default_range(dt.date(2026, 1, 1), last) == (dt.date(2026, 1, 1), last)
    assert preset_range("this_year", first, last) == (dt.date(2026, 1, 1), last)
    assert preset_range("last_12", first, last) == (dt.date(2025, 11, 1), last)
    assert preset_range("last_year", first, last) == (dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    assert preset_range("all", first, last) == (first, last)
    assert preset_range(2019, first, last) == (dt.date(2019, 1, 1), dt.date(2019, 12, 1))
    assert preset_range(2016, first, last) is None
