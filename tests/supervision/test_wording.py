"""Targets read as the documents write them, in Chinese and in English."""

from decimal import Decimal

import pytest
from django.utils import translation

from tracker.choices import Comparison, ProgressBasis, TargetKind
from tracker.models.targets import default_basis
from tracker.wording import target_phrase

Q = TargetKind.QUANTITATIVE
CASES = [
    # (comparison, value, value_max, unit, growth, Chinese, English)
    (Comparison.EQ, "2500", None, "亩", False, "完成2500亩", "complete 2500 亩"),
    (Comparison.GE, "8", None, "家", False, "8家以上", "8 家 or more"),
    (Comparison.APPROX, "5", None, "%", True, "增长5%左右", "growth about 5%"),
    (Comparison.EQ, "6", None, "%", True, "增长6%", "growth 6%"),
    (Comparison.GT, "1000", None, "个", False, "超1000个", "more than 1000 个"),
    (Comparison.LE, "3", None, "起", False, "不超过3起", "at most 3 起"),
    (Comparison.LT, "3", None, "起", False, "低于3起", "less than 3 起"),
    (Comparison.RANGE, "2", "3", "个", False, "2—3个", "2–3 个"),
    (Comparison.APPROX, "500", None, "亩", False, "500亩左右", "about 500 亩"),
    (Comparison.GT, "3.0", None, "容积率", False, "容积率超3", "容积率 more than 3"),
]


@pytest.mark.parametrize(("comparison", "value", "upper", "unit", "growth", "zh", "en"), CASES)
def test_a_target_reads_as_written(comparison, value, upper, unit, growth, zh, en):
    args = {
        "kind": Q,
        "comparison": comparison,
        "value": Decimal(value),
        "value_max": Decimal(upper) if upper else None,
        "unit": unit,
        "is_growth": growth,
    }
    with translation.override("zh-hans"):
        assert target_phrase(**args) == zh
    with translation.override("en"):
        assert target_phrase(**args) == en


def test_no_comparison_label_starts_with_a_sign():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for _value, label in Comparison.choices:
                assert str(label)[0] not in "=≥>≤<≈", label


def test_a_milestone_reads_as_a_milestone():
    with translation.override("zh-hans"):
        assert target_phrase(kind=TargetKind.MILESTONE, comparison="", value=None) == "里程碑"


@pytest.mark.parametrize(
    ("kind", "unit", "growth", "basis"),
    [
        (Q, "亩", False, ProgressBasis.CUMULATIVE),
        (Q, "亿元", False, ProgressBasis.CUMULATIVE),
        (Q, "%", True, ProgressBasis.PERIOD),
        (Q, "%", False, ProgressBasis.PERIOD),
        (TargetKind.MILESTONE, "", False, ProgressBasis.CUMULATIVE),
    ],
)
def test_progress_is_cumulative_for_counts_and_amounts_not_for_rates(kind, unit, growth, basis):
    assert default_basis(kind=kind, unit=unit, is_growth=growth) == basis


@pytest.mark.django_db
def test_the_seed_keeps_guichengs_multi_year_target_without_a_plan_year_deadline():
    from tracker.models import Target
    from tracker.seeding import seed_load

    seed_load()
    target = Target.objects.get(plan__town__slug="guicheng", title__contains="产值倍增")
    assert target.deadline is None
    assert target.deadline_text == "3至5年内"
    assert target.deadline_text in target.quote  # as the document says it
    assert Target.objects.get(plan__town__slug="xiqiao", unit="亩").progress_basis == "cumulative"
    assert (
        Target.objects.filter(plan__town__slug="xiqu", is_growth=True)
        .exclude(progress_basis="period")
        .count()
        == 0
    )
