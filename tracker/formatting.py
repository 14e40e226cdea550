"""Numbers and dates as people read them: one function each, for every face a person reads.

The admin, the report pages and the exports show a Decimal the way a plan
document writes it: 2500, 1641.72, 0.5, never "2500.0000" (the database keeps
four places). The API keeps exact decimals (strings with their places) for
programs, and does not use this module.

Dates are shown as ISO days (2022-06-30) in both languages: `planning/formats`
sets DATE_FORMAT for Django's own rendering, and `plain_date` is the same
format for code that builds text.
"""

import datetime
from decimal import Decimal

DATE_FORMAT = "Y-m-d"  # Django's date-format syntax, for templates and planning/formats
DATETIME_FORMAT = "Y-m-d H:i"


def plain_number(value: Decimal | int | None) -> str:
    """A number without trailing zeros or exponent: Decimal("2500.0000") → "2500"; None → ""."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    # normalize() drops trailing zeros but writes 2500 as 2.5E+3; ":f" writes it out again.
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def plain_date(value: datetime.date | None) -> str:
    """A day as 2022-06-30 (an aware datetime: its local day and time); None → ""."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
