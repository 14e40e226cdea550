"""The status rule's additions: overdue (逾期未报), unmet (未完成), and targets running past the plan year.

Pure functions of tracker/progress.py, tested directly.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from tracker import progress
from tracker.choices import Comparison, Status, TargetKind

D = Decimal
YEAR = 2026
FIRST_DUE = datetime.date(YEAR, 2, 5)  # January's report, due five days after the month


def facts(**overrides) -> progress.TargetFacts:
    fields = {
        "kind": TargetKind.QUANTITATIVE,
        "comparison": Comparison.GE,
        "value": D(100),
        "value_max": None,
        "is_growth": False,
        "deadline": None,
        "year": YEAR,
        "first_due": FIRST_DUE,
        "deadline_text": "",
    }
    return progress.facts_of(**{**fields, **overrides})


def status(f, value=None, done=None, on=datetime.date(YEAR, 6, 30), today=None) -> Status:
    reading = None if value is None and done is None else progress.Reading(value, done, on)
    return progress.assess(f, reading, today or datetime.date(YEAR, 7, 1)).status


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(YEAR, 1, 20), Status.NO_DATA),  # nothing due yet
        (FIRST_DUE, Status.NO_DATA),  # due today: not late yet
        (FIRST_DUE + datetime.timedelta(days=1), Status.OVERDUE),
        (datetime.date(YEAR, 12, 1), Status.OVERDUE),
        (datetime.date(YEAR + 1, 3, 1), Status.OVERDUE),  # a closed plan never reported
    ],
)
def test_nothing_reported_is_overdue_once_the_first_report_is_due(today, expected):
    assert status(facts(), today=today) == expected


def test_without_periods_the_one_report_is_due_at_the_deadline():
    f = facts(first_due=None)
    assert status(f, today=datetime.date(YEAR, 12, 31)) == Status.NO_DATA
    assert status(f, today=datetime.date(YEAR + 1, 1, 1)) == Status.OVERDUE
    early = facts(first_due=None, deadline=datetime.date(YEAR, 6, 30))
    assert status(early, today=datetime.date(YEAR, 7, 1)) == Status.OVERDUE


def test_a_deadline_passed_unmet_reads_unmet_and_a_cap_exceeded_early_is_behind():
    after = datetime.date(YEAR + 1, 1, 15)
    assert status(facts(), value=D(60), today=after) == Status.UNMET
    assert status(facts(), value=D(100), today=after) == Status.ACHIEVED
    cap = facts(comparison=Comparison.LE, value=D(3))
    assert status(cap, value=D(5), today=datetime.date(YEAR, 7, 1)) == Status.BEHIND
    assert status(cap, value=D(5), today=after) == Status.UNMET
    milestone = facts(kind=TargetKind.MILESTONE, comparison="", value=None)
    assert status(milestone, done=False, today=after) == Status.UNMET


def test_the_pace_rule_is_unchanged_while_reports_come():
    # Half of the target at mid-year is on pace; a fifth is behind.
    assert status(facts(), value=D(50)) == Status.ON_TRACK
    assert status(facts(), value=D(20)) == Status.BEHIND


def test_a_target_running_past_the_plan_year_is_not_judged_at_its_end():
    f = facts(value=D(2), deadline_text="3至5年内")
    after = datetime.date(YEAR + 1, 3, 1)
    assert status(f, value=D("1.2"), today=after) == Status.ON_TRACK
    assert status(f, value=D(0), today=after) == Status.NOT_STARTED
    assert status(f, value=D(2), today=after) == Status.ACHIEVED
    assert status(f, today=after) == Status.OVERDUE  # still owes its reports
    # With a date after all, the date rules.
    dated = facts(deadline=datetime.date(YEAR, 12, 31), deadline_text="年底前")
    assert status(dated, value=D(1), today=after) == Status.UNMET


def test_the_rule_text_names_the_new_statuses():
    with translation.override("zh-hans"):
        text = progress.rule_summary()
    assert "逾期未报" in text
    assert "未完成" in text
    with translation.override("en"):
        assert "overdue" in progress.rule_summary().lower()
