"""Reading numbers: Arabic, full-width (already ASCII here) and Chinese.

Values are Decimals built from the digits as written, so "3.0" stays "3.0"
and "1641.72" never becomes 1641.7199999.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS)

# A well-formed Chinese numeral below 10 000: 三千, 二十九, 一百零五, 十, 两.
# Digit strings such as 二〇二二 (a year) or 十五五 (a plan name) do not match.
_WELL_FORMED = re.compile(
    r"^(?:(?:[一二两三四五六七八九])千)?"
    r"(?:零?(?:[一二两三四五六七八九])百)?"
    r"(?:零?(?:[一二三四五六七八九])?十)?"
    r"(?:零?[一二两三四五六七八九])?$"
)


def parse_chinese_int(text: str) -> int | None:
    """Value of a Chinese numeral, or None if it is not a well-formed number."""
    if not text or not _WELL_FORMED.match(text) or text in ("零",):
        return None
    if text in ("零", "〇"):
        return 0
    total = 0
    digit = None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if digit is None:
                if unit != 10 or total:
                    return None  # a bare 百/千 (千亩, 百千万) is a word, not a number
                digit = 1  # 十 = 10, 十五 = 15
            total += digit * unit
            digit = None
        # 零 only separates places
    if digit is not None:
        total += digit
    return total


def parse_number(text: str) -> Decimal | None:
    """Decimal for Arabic digits ("1641.72") or a Chinese numeral ("二十九")."""
    if text and text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    value = parse_chinese_int(text)
    return None if value is None else Decimal(value)


def format_decimal(value: Decimal | None) -> str | None:
    """Plain decimal notation for JSON: "1641.72", "5", "3.0"; never "5E+1"."""
    if value is None:
        return None
    return format(value, "f")
