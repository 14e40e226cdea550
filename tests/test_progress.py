"""The percent-complete and status rules (tracker/progress.py), tested directly."""

import datetime
from decimal import Decimal

import pytest

from tracker import progress
from tracker.choices import Comparison, Status, TargetKind

YEAR_START = datetime.date(2020, 1, 1)
YEAR_END = datetime.date(2020, 12, 31)


def facts(
    comparison=Comparison.EQ,
    value="2500",
    value_max=None,
    kind=TargetKind.QUANTITATIVE,
    growth=False,
    due=YEAR_END,
):
    return progress.TargetFacts(
        kind=kind,
        comparison=comparison if kind == TargetKind.QUANTITATIVE else "",
        value=Decimal(value) if value is not None else None,
        value_max=Decimal(value_max) if value_max is not None else None,
        is_growth=growth,
        starts_on=YEAR_START,
        due_on=due,
    )


def reached(value):
    return progress.Reading(value=Decimal(value), done=None)


def test_danzao_land_clearance_is_65_67_percent_of_2500_mu():
    # 丹灶: 已完成土地拆除整理1641.72亩，实现年度任务量的65.67%
    assert progress.percent_complete(facts(), reached("1641.72")) == Decimal("65.67")


def test_percent_is_a_decimal_rounded_half_up():
    percent = progress.percent_complete(facts(value="3"), reached("2"))
    assert isinstance(percent, Decimal)
    assert percent == Decimal("66.67")


def test_percent_may_pass_one_hundred():
    assert progress.percent_complete(facts(value="1000"), reached("1200")) == Decimal("120.00")


def test_no_reading_has_no_percent():
    assert progress.percent_complete(facts(), None) is None


def test_milestone_percent_is_zero_or_hundred():
    milestone = facts(kind=TargetKind.MILESTONE, value=None)
    assert progress.percent_complete(milestone, progress.Reading(value=None, done=False)) == 0
    assert progress.percent_complete(milestone, progress.Reading(value=None, done=True)) == 100


def test_range_counts_against_its_lower_value():
    # 开发2—3个实战微应用: reaching 2 is met
    two_to_three = facts(Comparison.RANGE, value="2", value_max="3")
    assert progress.percent_complete(two_to_three, reached("2")) == Decimal("100.00")
    assert progress.is_met(two_to_three, reached("2"))
    assert not progress.is_met(two_to_three, reached("1"))


@pytest.mark.parametrize(
    ("comparison", "value", "value_reached", "met"),
    [
        (Comparison.EQ, "2500", "2500", True),  # 攻坚拆除2500亩
        (Comparison.EQ, "2500", "2600", True),  # doing more still completes it
        (Comparison.EQ, "2500", "2499.99", False),
        (Comparison.GE, "8", "8", True),  # 引进优质企业8家以上
        (Comparison.GE, "8", "7", False),
        (Comparison.GT, "1000", "1000", False),  # 新增学位超1000个
        (Comparison.GT, "1000", "1001", True),
        (Comparison.APPROX, "5", "4.75", True),  # 增长5%左右: within 5%
        (Comparison.APPROX, "5", "4.74", False),
        (Comparison.LE, "3", "3", True),
        (Comparison.LE, "3", "4", False),
        (Comparison.LT, "3", "3", False),
        (Comparison.LT, "3", "2", True),
    ],
)
def test_met_follows_the_comparison(comparison, value, value_reached, met):
    assert progress.is_met(facts(comparison, value=value), reached(value_reached)) is met


def test_cap_percent_is_full_while_within_and_falls_when_exceeded():
    cap = facts(Comparison.LE, value="3")
    assert progress.percent_complete(cap, reached("2")) == 100
    assert progress.percent_complete(cap, reached("4")) == Decimal("75.00")


def test_falling_growth_rate_is_zero_percent_not_negative():
    growth = facts(Comparison.APPROX, value="5", growth=True)
    assert progress.percent_complete(growth, reached("-1.5")) == 0


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (datetime.date(2019, 12, 31), Decimal(0)),
        (datetime.date(2020, 12, 31), Decimal(1)),
        (datetime.date(2021, 3, 1), Decimal(1)),
        (datetime.date(2020, 7, 1), Decimal("0.5000")),  # day 183 of 366
    ],
)
def test_expected_share_is_time_elapsed_to_the_deadline(today, share):
    assert progress.expected_share(YEAR_START, YEAR_END, today) == share


def status_on(day, target_facts, reading):
    return progress.assess(target_facts, reading, day).status


MID_YEAR = datetime.date(2020, 7, 1)  # half the year gone


@pytest.mark.parametrize(
    ("value_reached", "status"),
    [
        ("2500", Status.ACHIEVED),
        ("1250", Status.ON_TRACK),  # pace 1.0
        ("1125", Status.ON_TRACK),  # pace 0.9: the boundary is on track
        ("1124", Status.AT_RISK),
        ("875", Status.AT_RISK),  # pace 0.7
        ("874", Status.BEHIND),
        ("0", Status.BEHIND),
    ],
)
def test_status_compares_progress_with_the_expected_pace(value_reached, status):
    assert status_on(MID_YEAR, facts(), reached(value_reached)) == status


def test_no_update_is_no_data():
    assert status_on(MID_YEAR, facts(), None) == Status.NO_DATA


def test_nothing_reached_early_in_the_year_is_not_started():
    assert status_on(datetime.date(2020, 2, 1), facts(), reached("0")) == Status.NOT_STARTED


def test_danzao_mid_year_is_on_track_and_after_the_year_not_achieved():
    danzao = reached("1641.72")
    assert status_on(datetime.date(2020, 6, 30), facts(), danzao) == Status.ON_TRACK
    assert status_on(datetime.date(2021, 1, 1), facts(), danzao) == Status.UNMET


def test_milestone_not_done_is_on_track_then_at_risk_then_not_achieved():
    milestone = facts(kind=TargetKind.MILESTONE, value=None)
    not_done = progress.Reading(value=None, done=False)
    assert status_on(MID_YEAR, milestone, not_done) == Status.ON_TRACK
    assert status_on(datetime.date(2020, 11, 1), milestone, not_done) == Status.AT_RISK
    assert status_on(datetime.date(2021, 1, 2), milestone, not_done) == Status.UNMET
    done = progress.Reading(value=None, done=True)
    assert status_on(MID_YEAR, milestone, done) == Status.ACHIEVED


def test_growth_rate_is_not_paced_by_time_and_settles_at_the_deadline():
    growth = facts(Comparison.APPROX, value="5", growth=True)
    assert status_on(datetime.date(2020, 3, 1), growth, reached("5.2")) == Status.ON_TRACK
    assert status_on(datetime.date(2021, 1, 1), growth, reached("5.2")) == Status.ACHIEVED
    assert status_on(datetime.date(2020, 3, 1), growth, reached("4")) == Status.AT_RISK
    assert status_on(datetime.date(2020, 3, 1), growth, reached("2")) == Status.BEHIND


def test_cap_is_on_track_within_and_behind_once_exceeded():
    cap = facts(Comparison.LE, value="3")
    assert status_on(MID_YEAR, cap, reached("2")) == Status.ON_TRACK
    assert status_on(MID_YEAR, cap, reached("4")) == Status.BEHIND
    assert status_on(datetime.date(2021, 1, 1), cap, reached("2")) == Status.ACHIEVED


def test_thresholds_can_be_tuned():
    strict = progress.Thresholds(on_track=Decimal("1.0"), at_risk=Decimal("0.95"))
    assert progress.assess(facts(), reached("1200"), MID_YEAR, strict).status == Status.AT_RISK
    assert progress.assess(facts(), reached("1150"), MID_YEAR, strict).status == Status.BEHIND


def test_a_corrected_update_is_listed_marked_but_is_no_point_of_the_series():
    facts = progress.facts_of(
        kind=TargetKind.QUANTITATIVE, comparison=Comparison.GE, value=Decimal("100"),
        value_max=None, is_growth=False, deadline=None, year=2024,
    )  # fmt: skip
    updates = [
        (1, datetime.date(2024, 3, 31), Decimal("20"), None, None),
        (2, datetime.date(2024, 6, 30), Decimal("80"), None, None),  # a typo…
        (3, datetime.date(2024, 6, 29), Decimal("50"), None, 2),  # …corrected, dated the 29th
        (4, datetime.date(2024, 9, 30), Decimal("60"), None, None),
        (5, datetime.date(2024, 9, 30), Decimal("65"), None, None),  # the same date, later
    ]
    entries = progress.history(facts, sorted(updates, key=lambda u: (u[1], u[0])))
    assert [(e.update_id, e.corrected) for e in entries] == [
        (1, False), (3, False), (2, True), (4, False), (5, False),
    ]  # fmt: skip
    assert [e.update_id for e in progress.series(entries)] == [1, 3, 5]
    assert entries[1].assessment.percent == Decimal("50.00")


def test_the_due_date_is_the_deadline_or_the_end_of_the_plan_year():
    assert progress.due_on(None, 2024) == datetime.date(2024, 12, 31)
    assert progress.due_on(datetime.date(2024, 9, 30), 2024) == datetime.date(2024, 9, 30)
