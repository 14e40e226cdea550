"""Chinese numerals and decimal formatting."""

from decimal import Decimal

import pytest

from tracker.extraction.numerals import format_decimal, parse_chinese_int, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("十", 10), ("两", 2), ("二十九", 29), ("三千", 3000), ("一百零五", 105),
     ("两千五百", 2500), ("十五", 15), ("九百九十九", 999)],
)  # fmt: skip
def test_well_formed_chinese_numerals_are_read(text, value):
    assert parse_chinese_int(text) == value


@pytest.mark.parametrize("text", ["十五五", "百", "千", "百千", "二〇二二", "", "五五"])
def test_words_and_digit_strings_are_not_numbers(text):
    assert parse_chinese_int(text) is None


def test_arabic_decimals_keep_their_digits():
    assert parse_number("1641.72") == Decimal("1641.72")
    assert str(parse_number("3.0")) == "3.0"


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1641.72"), "1641.72"), (Decimal("5"), "5"), (Decimal("5E+1"), "50"),
     (Decimal("2.5E+3"), "2500"), (Decimal("3.0"), "3.0"), (None, None)],
)  # fmt: skip
def test_json_numbers_are_plain_decimal_strings(value, text):
    assert format_decimal(value) == text
