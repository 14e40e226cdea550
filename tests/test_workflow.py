"""The reporting cycle: each transition, who may make it, warnings and reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests import factories
from tracker.choices import Frequency, ReportState, Role, Status, WarningLevel
from tracker.models import ProgressUpdate, ReminderLog, Target
from tracker.workflow import (
    InvalidTransition,
    periods_generate,
    report_approve,
    report_return,
    report_save,
    report_submit,
    reports_owed,
    warning_for,
)

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture
def town_setup():
    plan = factories.PlanFactory(year=YEAR)
    department = factories.DepartmentFactory(town=plan.town, email="jingji@example.gov.cn")
    target = factories.TargetFactory(
        section=factories.SectionFactory(plan=plan), lead_department=department
    )
    periods = periods_generate(plan=plan)
    reporter = factories.MembershipFactory(
        town=plan.town, role=Role.REPORTER, department=department
    ).user
    reviewer = factories.MembershipFactory(town=plan.town, role=Role.REVIEWER).user
    return {
        "plan": plan,
        "target": target,
        "periods": periods,
        "reporter": reporter,
        "reviewer": reviewer,
    }


def draft(setup, value="100"):
    return report_save(
        user=setup["reporter"],
        target=setup["target"],
        period=setup["periods"][0],
        value=Decimal(value),
        as_of=datetime.date(YEAR, 1, 31),
    )


def test_monthly_periods_cover_the_year_and_are_due_five_days_after(town_setup):
    periods = town_setup["periods"]
    assert len(periods) == 12
    assert (periods[0].starts_on, periods[0].ends_on, periods[0].due_on) == (
        datetime.date(YEAR, 1, 1),
        datetime.date(YEAR, 1, 31),
        datetime.date(YEAR, 2, 5),
    )
    assert periods[1].ends_on == datetime.date(YEAR, 2, 29)  # 2024 is a leap year
    assert len(periods_generate(plan=town_setup["plan"])) == 12  # idempotent
    assert town_setup["plan"].periods.count() == 12


def test_quarterly_periods():
    plan = factories.PlanFactory(year=YEAR)
    quarters = periods_generate(plan=plan, frequency=Frequency.QUARTERLY)
    assert [(q.starts_on.month, q.ends_on.month) for q in quarters] == [
        (1, 3),
        (4, 6),
        (7, 9),
        (10, 12),
    ]


def test_draft_submit_approve_records_one_counted_update(town_setup):
    report = draft(town_setup)
    assert report.state == ReportState.DRAFT
    assert not ProgressUpdate.objects.exists()  # a draft does not count
    report = report_submit(user=town_setup["reporter"], report=report)
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == town_setup["reporter"]
    assert not ProgressUpdate.objects.exists()  # nor does a submitted one
    report = report_approve(user=town_setup["reviewer"], report=report)
    assert report.state == ReportState.APPROVED
    assert report.reviewed_by == town_setup["reviewer"]
    target = Target.objects.get(pk=town_setup["target"].pk)
    assert target.latest_update == report.update
    assert (report.update.value, report.update.reported_by) == (
        Decimal("100"),
        town_setup["reporter"],
    )
    assert report.history.count() == 3  # each step kept, with who made it


def test_return_needs_a_reason_and_the_report_can_be_fixed_and_resubmitted(town_setup):
    report = report_submit(user=town_setup["reporter"], report=draft(town_setup))
    with pytest.raises(ValidationError):
        report_return(user=town_setup["reviewer"], report=report, reason="  ")
    report = report_return(user=town_setup["reviewer"], report=report, reason="数据口径有误")
    assert (report.state, report.return_reason) == (ReportState.RETURNED, "数据口径有误")
    fixed = draft(town_setup, value="90")
    assert fixed.state == ReportState.DRAFT
    assert report_submit(user=town_setup["reporter"], report=fixed).state == ReportState.SUBMITTED


def test_approved_report_cannot_be_changed_or_approved_again(town_setup):
    report = report_submit(user=town_setup["reporter"], report=draft(town_setup))
    report = report_approve(user=town_setup["reviewer"], report=report)
    with pytest.raises(InvalidTransition):
        draft(town_setup)
    with pytest.raises(InvalidTransition):
        report_approve(user=town_setup["reviewer"], report=report)
    assert ProgressUpdate.objects.count() == 1


def test_draft_cannot_be_approved_or_returned(town_setup):
    report = draft(town_setup)
    with pytest.raises(InvalidTransition):
        report_approve(user=town_setup["reviewer"], report=report)
    with pytest.raises(InvalidTransition):
        report_return(user=town_setup["reviewer"], report=report, reason="x")


def test_invalid_content_cannot_be_submitted(town_setup):
    report = draft(town_setup, value="-5")
    with pytest.raises(ValidationError):
        report_submit(user=town_setup["reporter"], report=report)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT


def test_reporter_cannot_approve_and_reviewer_cannot_approve_own_submission(town_setup):
    report = report_submit(user=town_setup["reporter"], report=draft(town_setup))
    with pytest.raises(PermissionDenied):
        report_approve(user=town_setup["reporter"], report=report)
    both = town_setup["reporter"]
    both.memberships.create(town=town_setup["plan"].town, role=Role.REVIEWER)
    del both._tracker_scope
    with pytest.raises(PermissionDenied, match="other than its submitter"):
        report_approve(user=both, report=report)


def test_other_towns_and_other_departments_may_not_report(town_setup):
    outsider = factories.MembershipFactory(role=Role.REPORTER).user
    with pytest.raises(PermissionDenied):
        report_save(
            user=outsider,
            target=town_setup["target"],
            period=town_setup["periods"][0],
            value=Decimal(1),
        )
    other_department = factories.DepartmentFactory(town=town_setup["plan"].town)
    colleague = factories.MembershipFactory(
        town=town_setup["plan"].town, role=Role.REPORTER, department=other_department
    ).user
    with pytest.raises(PermissionDenied):
        report_save(
            user=colleague,
            target=town_setup["target"],
            period=town_setup["periods"][0],
            value=Decimal(1),
        )


def test_other_towns_reviewer_may_not_review(town_setup):
    report = report_submit(user=town_setup["reporter"], report=draft(town_setup))
    stranger = factories.MembershipFactory(role=Role.REVIEWER).user
    with pytest.raises(PermissionDenied):
        report_approve(user=stranger, report=report)


def test_with_review_off_a_submitted_report_counts_at_once(town_setup):
    town = town_setup["plan"].town
    town.review_required = False
    town.save()
    report = report_submit(user=town_setup["reporter"], report=draft(town_setup))
    assert report.state == ReportState.APPROVED
    assert Target.objects.get(pk=town_setup["target"].pk).latest_update == report.update


@pytest.mark.parametrize(
    ("today", "status", "state", "level"),
    [
        (datetime.date(YEAR, 1, 20), Status.ON_TRACK, None, WarningLevel.GREEN),
        (datetime.date(YEAR, 2, 3), Status.ON_TRACK, None, WarningLevel.YELLOW),  # due in 2 days
        (datetime.date(YEAR, 2, 3), Status.ON_TRACK, ReportState.SUBMITTED, WarningLevel.GREEN),
        (
            datetime.date(YEAR, 2, 6),
            Status.ON_TRACK,
            ReportState.DRAFT,
            WarningLevel.RED,
        ),  # overdue
        (datetime.date(YEAR, 1, 20), Status.AT_RISK, None, WarningLevel.YELLOW),
        (datetime.date(YEAR, 1, 20), Status.BEHIND, ReportState.APPROVED, WarningLevel.RED),
    ],
)
def test_warning_colours(town_setup, today, status, state, level):
    flag = warning_for(
        status=status, period=town_setup["periods"][0], report_state=state, today=today
    )
    assert flag.level == level


def test_reports_owed_lists_due_and_overdue_reports(town_setup):
    owed = reports_owed(datetime.date(YEAR, 3, 10), plans=[town_setup["plan"]])
    chases = owed[town_setup["target"].lead_department_id]
    assert [(c.period.label, c.overdue) for c in chases] == [
        (town_setup["periods"][0].label, True),
        (town_setup["periods"][1].label, True),
        (town_setup["periods"][2].label, False),
    ]


def test_send_reminders_emails_once_per_period_per_department(town_setup, capsys):
    call_command("send_reminders", "--today", f"{YEAR}-03-10")
    call_command("send_reminders", "--today", f"{YEAR}-03-10")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jingji@example.gov.cn"]
    assert "逾期" in mail.outbox[0].body
    assert ReminderLog.objects.count() == 1
    call_command("send_reminders", "--today", f"{YEAR}-04-02")  # a new period, a new reminder
    assert len(mail.outbox) == 2


def test_send_reminders_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--today"):
        call_command("send_reminders", "--today", "March")
