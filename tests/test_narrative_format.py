"""Number style of the drafts (babel): zero-padding, thousands, decimals, negatives, zero, missing values."""

from __future__ import annotations

import math

import pytest
from jinja2.sandbox import SandboxedEnvironment

from commstats.narrative import filters


@pytest.mark.parametrize(
    ("value", "lang", "pad", "expected"),
    [
        (3, "vi", 2, "03"),  # "03 trang hoạt động riêng"
        (2, "vi", 2, "02"),
        (14, "vi", 2, "14"),  # two digits already: no padding
        (5, "vi", 0, "5"),  # "5 dự thảo" is not padded unless the template asks
        (0, "vi", 2, "00"),
        (0, "vi", 0, "0"),
        (1234, "vi", 2, "1.234"),  # padding never touches large numbers
        (2682057, "vi", 0, "2.682.057"),
        (2682057, "en", 0, "2,682,057"),
        (-142, "vi", 0, "-142"),
        (-1234, "vi", 0, "-1.234"),
        (-3, "vi", 2, "-03"),
        (None, "vi", 2, "-"),
        (float("nan"), "vi", 0, "-"),
        (float("inf"), "en", 0, "-"),
    ],
)
def test_count(value, lang, pad, expected):
    assert filters.count(value, lang, pad) == expected


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (17.857, "vi", 1, "17,9%"),
        (17.857, "en", 1, "17.9%"),
        (60.0, "vi", 1, "60%"),  # whole: no decimals
        (15.17, "vi", 2, "15,17%"),
        (0.2857, "vi", 2, "0,29%"),
        (0.0, "vi", 1, "0%"),
        (-12.5, "vi", 1, "-12,5%"),
        (1234.5, "vi", 1, "1.234,5%"),
        (0.004, "vi", 1, "0,004%"),  # a tiny non-zero share never reads as 0%
        (None, "vi", 1, "-"),
        (math.inf, "vi", 1, "-"),
        (math.nan, "en", 1, "-"),
    ],
)
def test_percent(value, lang, decimals, expected):
    assert filters.percent(value, lang, decimals) == expected


def test_share_and_ratio_never_divide_by_zero():
    assert filters.share(6, 2068, "vi", 2) == "0,29%"
    assert filters.share(611, 666, "en", 2) == "91.74%"
    assert filters.share(5, 0, "vi") == "-"
    assert filters.share(None, 10, "vi") == "-"
    assert filters.share(5, None, "vi") == "-"
    assert filters.ratio(1, 0) is None
    assert filters.ratio(0, 4) == 0.0


def test_number_and_date():
    assert filters.number(2.5, "vi") == "2,5"
    assert filters.number(1234.56, "en", 2) == "1,234.56"
    assert filters.number(None, "vi") == "-"
    import datetime as dt

    assert filters.date(dt.date(2019, 7, 1), "vi") == "01/07/2019"
    assert filters.date(dt.date(2019, 7, 1), "en") == "1 July 2019"


def test_join_list_and_plural():
    assert filters.join_list(["a", "b", "c"], "; ", ", ") == "a; b, c"
    assert filters.join_list(["a", "b"], ", ", " và ") == "a và b"
    assert filters.join_list(["a"], "; ", " và ") == "a"
    assert filters.join_list(["a", "", "  ", "b"], "; ") == "a; b"
    assert filters.join_list([], "; ", ", ") == ""
    assert filters.plural("post", 1) == "post"
    assert filters.plural("post", 2) == "posts"
    assert filters.plural("dossier", 0) == "dossiers"
    assert filters.capfirst("đăng tin") == "Đăng tin"


def test_filters_in_a_sandboxed_template_follow_the_language():
    for lang, expected in (("vi", "03 trang; 2.682.057 hồ sơ (0,29%)"), ("en", "03 trang; 2,682,057 hồ sơ (0.29%)")):
        env = SandboxedEnvironment()
        env.filters.update(filters.filters_for(lang))
        source = "{{ 3 | count(2) }} trang; {{ n | count }} hồ sơ ({{ 6 | share(2068, 2) }})"
        assert env.from_string(source).render(n=2682057) == expected
