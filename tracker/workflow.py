"""The reporting cycle's rules: periods, report transitions, who may make them, warnings, reminders.

States and transitions of a ProgressReport (填报 → 审核):

    (new) --save--> draft --submit--> submitted --approve--> approved
                      ^                   |
                      |                 return (with a reason)
                      |                   v
                      +------save------ returned --submit--> submitted

- save:    a reporter of the target's town (if their membership names a
           department, only for targets that department leads) writes a draft;
           saving a returned report makes it a draft again.
- submit:  the same people; the content must be a valid progress update. If the
           town has review switched off, the report is approved at once.
- approve: a reviewer of the town, not the person who submitted it. Approval
           appends the ProgressUpdate that counts in reports and the API.
- return:  a reviewer of the town, with a reason.
Approved reports are final; a correction is a new report for a later period
or a correction update. Every step is stamped (who, when) and kept in the
report's history.

Warnings (督办 colours), for a target in the current period:
- red:    its report is overdue (past the due date, not submitted), or its
          status is "behind" (see tracker/progress.py);
- yellow: its report is due within TRACKER_DUE_SOON_DAYS days (3), or its
          status is "at risk";
- green:  otherwise.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.access import scope_for
from tracker.choices import Frequency, ReportState, Role, Status, WarningLevel
from tracker.models import Plan, ProgressReport, ProgressUpdate, ReportingPeriod, Target
from tracker.services import progress_record

COUNTED = (ReportState.SUBMITTED, ReportState.APPROVED)


class InvalidTransition(Exception):
    """The report is not in a state that allows this step."""


# ----------------------------------------------------------------- periods


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@transaction.atomic
def periods_generate(
    *, plan: Plan, frequency: str = Frequency.MONTHLY, due_days: int = 5
) -> list[ReportingPeriod]:
    """Create the plan year's monthly or quarterly periods, each due `due_days` after it ends.

    Idempotent: periods that exist already (by start date) are kept as they are.
    """
    step = 1 if frequency == Frequency.MONTHLY else 3
    periods = []
    for first_month in range(1, 13, step):
        starts_on = datetime.date(plan.year, first_month, 1)
        ends_on = _month_end(plan.year, first_month + step - 1)
        if frequency == Frequency.MONTHLY:
            label = _("%(year)s-%(month)02d") % {"year": plan.year, "month": first_month}
        else:
            label = _("%(year)s Q%(quarter)s") % {
                "year": plan.year,
                "quarter": (first_month - 1) // 3 + 1,
            }
        period, _created = ReportingPeriod.objects.get_or_create(
            plan=plan,
            starts_on=starts_on,
            defaults={
                "label": label,
                "ends_on": ends_on,
                "due_on": ends_on + datetime.timedelta(days=due_days),
            },
        )
        periods.append(period)
    return periods


def period_on(plan: Plan, day: datetime.date) -> ReportingPeriod | None:
    """The period being reported on that day: the earliest whose report is not yet due."""
    return plan.periods.filter(due_on__gte=day, starts_on__lte=day).order_by("starts_on").first()


# ------------------------------------------------------------ permissions


def _department_ids(user, town_id: int) -> set[int] | None:
    """The departments a reporter reports for in a town; None means all of the town's."""
    if scope_for(user).everything:
        return None
    ids = set(
        user.memberships.filter(town_id=town_id, role__in=[Role.REPORTER, Role.EDITOR]).values_list(
            "department_id", flat=True
        )
    )
    return None if None in ids or not ids else ids


def may_report(user, target: Target) -> bool:
    town_id = target.plan.town_id
    if not scope_for(user).can_report(town_id):
        return False
    departments = _department_ids(user, town_id)
    return departments is None or target.lead_department_id in departments


def may_review(user, report: ProgressReport) -> bool:
    return scope_for(user).can_review(report.target.plan.town_id)


def may_see(user, report: ProgressReport) -> bool:
    """Drafts and returned reports are seen by their town's reporters and reviewers."""
    return may_report(user, report.target) or may_review(user, report)


# ------------------------------------------------------------ transitions


def _check_content(report: ProgressReport) -> None:
    """A report may be submitted only if it would make a valid progress update."""
    candidate = ProgressUpdate(
        target=report.target,
        value=report.value,
        milestone_done=report.milestone_done,
        as_of=report.as_of or report.period.ends_on,
        note=report.note,
        evidence_url=report.evidence_url,
    )
    candidate.full_clean(exclude=["target"])


@transaction.atomic
def report_save(
    *,
    user,
    target: Target,
    period: ReportingPeriod,
    value=None,
    milestone_done: bool | None = None,
    as_of: datetime.date | None = None,
    note: str = "",
    evidence_url: str = "",
) -> ProgressReport:
    """Write (or rewrite) the draft of a target's report for a period."""
    if not may_report(user, target):
        raise PermissionDenied(_("You do not report for this target."))
    report = ProgressReport.objects.select_for_update().filter(target=target, period=period).first()
    if report is None:
        report = ProgressReport(target=target, period=period, created_by=user)
    elif report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise InvalidTransition(
            _("A %(state)s report cannot be changed.") % {"state": report.get_state_display()}
        )
    report.department = target.lead_department
    report.state = ReportState.DRAFT
    report.value, report.milestone_done, report.as_of = value, milestone_done, as_of
    report.note, report.evidence_url = note, evidence_url
    report.updated_by = user
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_submit(*, user, report: ProgressReport) -> ProgressReport:
    """Send a draft (or a returned report) for review; with review off, it counts at once."""
    report = (
        ProgressReport.objects.select_for_update()
        .select_related("target__plan__town", "period")
        .get(pk=report.pk)
    )
    if not may_report(user, report.target):
        raise PermissionDenied(_("You do not report for this target."))
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise InvalidTransition(_("Only a draft or a returned report can be submitted."))
    _check_content(report)
    report.state = ReportState.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), user
    report.return_reason = ""
    report.updated_by = user
    report.save()
    if not report.target.plan.town.review_required:
        return _approve(report, reviewer=user)
    return report


def _approve(report: ProgressReport, reviewer) -> ProgressReport:
    report.update = progress_record(
        target=report.target,
        as_of=report.as_of or min(report.period.ends_on, timezone.localdate()),
        value=report.value,
        milestone_done=report.milestone_done,
        reported_by=report.submitted_by,
        note=report.note,
        evidence_url=report.evidence_url,
        client_key=f"report:{report.pk}",
    )
    report.state = ReportState.APPROVED
    report.reviewed_at, report.reviewed_by = timezone.now(), reviewer
    report.updated_by = reviewer
    report.save()
    return report


@transaction.atomic
def report_approve(*, user, report: ProgressReport) -> ProgressReport:
    """Approve a submitted report: it becomes the target's progress update."""
    report = (
        ProgressReport.objects.select_for_update()
        .select_related("target__plan", "period")
        .get(pk=report.pk)
    )
    if not may_review(user, report):
        raise PermissionDenied(_("You do not review this town's reports."))
    if report.state != ReportState.SUBMITTED:
        raise InvalidTransition(_("Only a submitted report can be approved."))
    if report.submitted_by_id == user.pk and not scope_for(user).everything:
        raise PermissionDenied(_("A report is approved by someone other than its submitter."))
    return _approve(report, reviewer=user)


@transaction.atomic
def report_return(*, user, report: ProgressReport, reason: str) -> ProgressReport:
    """Send a submitted report back to its department, saying why."""
    report = (
        ProgressReport.objects.select_for_update().select_related("target__plan").get(pk=report.pk)
    )
    if not may_review(user, report):
        raise PermissionDenied(_("You do not review this town's reports."))
    if report.state != ReportState.SUBMITTED:
        raise InvalidTransition(_("Only a submitted report can be returned."))
    if not reason.strip():
        raise ValidationError({"return_reason": _("Say why the report is returned.")})
    report.state = ReportState.RETURNED
    report.return_reason = reason.strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), user
    report.updated_by = user
    report.save()
    return report


# --------------------------------------------------------------- warnings


@dataclass(frozen=True)
class Flag:
    level: WarningLevel
    reasons: tuple[str, ...]


def warning_for(
    *, status: str, period: ReportingPeriod | None, report_state: str | None, today: datetime.date
) -> Flag:
    """The 督办 colour of a target (the rule is in this module's doc)."""
    due_soon_days = int(getattr(settings, "TRACKER_DUE_SOON_DAYS", 3))
    red, yellow = [], []
    reported = report_state in COUNTED
    if period is not None and not reported:
        if today > period.due_on:
            red.append(_("report overdue since %(date)s") % {"date": period.due_on.isoformat()})
        elif (period.due_on - today).days <= due_soon_days:
            yellow.append(_("report due on %(date)s") % {"date": period.due_on.isoformat()})
    if status == Status.BEHIND:
        red.append(_("behind the expected pace"))
    elif status == Status.AT_RISK:
        yellow.append(_("at risk of falling behind"))
    if red:
        return Flag(WarningLevel.RED, tuple(red + yellow))
    if yellow:
        return Flag(WarningLevel.YELLOW, tuple(yellow))
    return Flag(WarningLevel.GREEN, ())


# -------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Chase:
    """A report a department owes: for which target and period, and whether overdue."""

    target: Target
    period: ReportingPeriod
    overdue: bool


def reports_owed(today: datetime.date, plans=None) -> dict[int, list[Chase]]:
    """Per department id: the reports it owes on `today` (due now or overdue), in order.

    A report is owed for each period that has started by today and has no
    submitted or approved report; it is overdue once its due date has passed.
    """
    plans = plans if plans is not None else Plan.objects.filter(year=today.year)
    periods = list(
        ReportingPeriod.objects.filter(plan__in=plans, starts_on__lte=today).select_related("plan")
    )
    if not periods:
        return {}
    targets = list(
        Target.objects.filter(
            plan__in={p.plan_id for p in periods}, lead_department__isnull=False
        ).select_related("lead_department", "plan")
    )
    done = set(
        ProgressReport.objects.filter(period__in=periods, state__in=COUNTED).values_list(
            "target_id", "period_id"
        )
    )
    owed: dict[int, list[Chase]] = {}
    for period in sorted(periods, key=lambda p: p.starts_on):
        for target in targets:
            if target.plan_id == period.plan_id and (target.pk, period.pk) not in done:
                owed.setdefault(target.lead_department_id, []).append(
                    Chase(target=target, period=period, overdue=today > period.due_on)
                )
    return owed
