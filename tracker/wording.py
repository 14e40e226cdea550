"""How a target is written out for readers: "完成2500亩", "8家以上", "5%左右", "超3.0", "3—5个".

One function, used by the pages, the admin and the exports, so that a target
reads the same everywhere and as the document would write it, never as a
sign in front of a number ("= 2500", "≈ 5%"). The Chinese word order (以上
and 左右 after the amount, 完成 and 超 before it) lives in the translation
catalogue, beside the English ("at least 8 家", "about 5%").

The unit is the target's own field, kept apart from the metric: the amount
is written "2500亩" (Chinese, no space) or "2500 亩" (English), and the metric
("村级工业园攻坚拆除") is the title beside it, never folded into the unit.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracker.choices import Comparison, TargetKind
from tracker.formatting import plain_number

# "Units" that name the quantity rather than measure it (a ratio has no unit):
# Chinese writes them before the number, "容积率超3.0", "容积率3.6".
QUANTITY_NAMES = frozenset({"容积率"})


# Each comparison's phrase, translated when used (only the one needed: a plan page
# words 200 targets).
COMPARISON_PHRASES = {
    Comparison.EQ: gettext_noop("complete %(amount)s"),
    Comparison.GE: gettext_noop("%(amount)s or more"),
    Comparison.GT: gettext_noop("more than %(amount)s"),
    Comparison.LE: gettext_noop("at most %(amount)s"),
    Comparison.LT: gettext_noop("less than %(amount)s"),
    Comparison.APPROX: gettext_noop("about %(amount)s"),
}

# A decimal as the document writes it: 2500, 1641.72, 3.0 as 3 (tracker/formatting.py).
number = plain_number


def amount(value: str, unit: str) -> str:
    """A number with its unit: "2500亩", "5%" (in English "2500 亩", "5%")."""
    if not unit:
        return value
    if unit == "%":
        return f"{value}%"
    if unit in QUANTITY_NAMES:
        return _("%(quantity)s %(amount)s") % {"quantity": unit, "amount": value}
    return _("%(number)s %(unit)s") % {"number": value, "unit": unit}


def target_phrase(
    *,
    kind: str,
    comparison: str,
    value: Decimal | None,
    value_max: Decimal | None = None,
    unit: str = "",
    is_growth: bool = False,
) -> str:
    """What is to be reached, in words: 完成2500亩 · 8家以上 · 增长5%左右 · 不超过3起 · 3—5个."""
    if kind == TargetKind.MILESTONE or value is None:
        return _("milestone")
    named = unit in QUANTITY_NAMES  # 容积率超3: the name first, then the comparison
    if comparison == Comparison.RANGE:
        span = _("%(low)s–%(high)s") % {"low": number(value), "high": number(value_max)}
        phrase = amount(span, unit)
    else:
        reached = number(value) if named else amount(number(value), unit)
        template = COMPARISON_PHRASES.get(comparison)
        phrase = (_(template) if template else "%(amount)s") % {"amount": reached}
        if named:
            phrase = _("%(quantity)s %(amount)s") % {"quantity": unit, "amount": phrase}
    if is_growth:
        # 增长5%左右: the growth comes first, and "complete" is not said of a rate.
        if comparison == Comparison.EQ:
            phrase = amount(number(value), unit)
        return _("growth %(amount)s") % {"amount": phrase}
    return phrase


def phrase_of(target) -> str:
    """target_phrase for anything with a target's fields (a model instance or a read row)."""
    return target_phrase(
        kind=target.kind,
        comparison=target.comparison,
        value=target.value,
        value_max=target.value_max,
        unit=target.unit,
        is_growth=target.is_growth,
    )
