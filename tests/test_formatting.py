"""Numbers and dates as people read them (tracker/formatting.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import formats, translation

from tracker.formatting import plain_date, plain_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("2500.0000"), "2500"),
        (Decimal("1641.7200"), "1641.72"),
        (Decimal("0.5000"), "0.5"),
        (Decimal("3.0"), "3"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.0"), "0"),
        (Decimal("100000000"), "100000000"),  # normalize() alone would write 1E+8
        (Decimal("12.3456"), "12.3456"),
        (7, "7"),
        (None, ""),
    ],
)
def test_plain_number_writes_no_trailing_zeros_and_no_exponent(value, shown):
    assert plain_number(value) == shown


def test_plain_date_is_an_iso_day():
    assert plain_date(datetime.date(2026, 7, 10)) == "2026-07-10"
    assert plain_date(None) == ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_django_shows_and_reads_dates_in_one_format_in_both_languages(language):
    with translation.override(language):
        assert formats.date_format(datetime.date(2026, 7, 10)) == "2026-07-10"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
