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
- submit:  the same people; the content must be a valid progress update. If no
           review is needed (`review_needed`: the town has review switched off,
           or the submitter is one of its reviewers), it is approved at once.
- approve: a reviewer of the town, not the person who submitted it. Approval
           appends the ProgressUpdate that counts in reports and the API.
- return:  a reviewer of the town, with a reason.
Review up the hierarchy (上级审核, optional per region): where a region above
the town reviews key items (`Region.key_review`), a report on a key item
(`Target.is_key`; a task's receipt takes its task's 重点) goes one step further:

    submitted --approve (the town's reviewer)--> endorsed --approve (the region's reviewer)--> approved
                                                    |
                                                  return (the region's reviewer, with a reason) --> returned

- approve, from endorsed: a reviewer of a region above the town that reviews
  key items (tracker.access.may_review_up), not the submitter; only then is
  the ProgressUpdate appended. Where the town needs no review (switched off,
  or a reviewer submits), submitting endorses at once.
- return, from endorsed: the same reviewers, with a reason.
An endorsed report counts as reported (填报率, owed reports) as a submitted one does.
Every way progress comes in (API, admin, pages) goes through
tracker/submission.py, which saves and submits a report with these steps.
Approved reports are final; a correction is a new report for a later period
or a correction update. Every step is stamped (who, when) and kept in the
report's history.

What counts as reported: a period's report is settled when it is submitted or
approved, or when the target has a progress update dated within the period
(recorded directly: the seed data, a town with review off, a reviewer's own
entry). A report is owed for every period that has started, is not settled,
and has no settled period after it (progress is cumulative: a later report
supersedes the earlier ones); it is overdue once its due date has passed.
Reports are owed by a target's lead department: a target without one owes
none. Only active plans are chased.

Assigned tasks (交办, tracker/assignments.py). A task's receiver holds a
receipt: a target of its plan, which moves through these states before its
reports move through the ones above:

    (new) --assign--> awaiting signature (待签收) --sign--> signed (已签收)
                          |                                  ^
                          | its sign-by date passes          |
                          v                                  |
                      not signed in time (逾期未签收) --sign--+

- assign: a region's editors, to towns below the region; a town's editors, to
          its departments. Each receiver's receipt must be signed for within
          the task's days to sign (its `sign_due`).
- sign:   for a town: its editors, or its reporters for the whole town, naming
          the department that will lead the work (承办科室); for a department:
          its reporters, or the town's editors. Signing is once, stamped.
- report: as any target (save, submit, approve, return above), once signed:
          saving a report on a receipt awaiting signature is refused.
A receipt owes reports, like any target, for the periods that end on or after
its start (the day the task was assigned: `owes_period`).

Warnings (督办 colours), for a target of a plan with periods that have started,
judged on the earliest period it still owes:
- red:    that report is overdue (past the due date, not submitted), or its
          status is red (tracker/progress.py): "behind" (below
          TRACKER_AT_RISK_RATIO of the expected pace, which follows the
          target's node schedule when it has one), "not achieved" (its
          deadline passed unmet) or "overdue" (nothing reported); or a
          milestone's named step (立项, 开工…) has passed its date undone,
          each such step a reason of its own;
- yellow: that report is due within TRACKER_DUE_SOON_DAYS days (3), or its
          status is "at risk", or it is a receipt of an assigned task not
          signed for by its sign-by date;
- green:  otherwise.
A target whose plan has no period that has started has no warning in the
cycle; the 督办 page and the landing page judge it by its status and its
missed steps alone (`warning_of`).

"Today" for all of this is tracker.today.reporting_today(): TRACKER_TODAY when
it is set (demos and training: the pages and reminders behave as on that day),
else the local date.
"""

import bisect
import calendar
import copy
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker import progress
from tracker.access import (
    Action,
    may_in_town,
    may_report,
    may_review,
    region_review_needed,
    scope_for,
)
from tracker.choices import (
    Frequency,
    PlanStatus,
    ReceiptState,
    ReportState,
    Status,
    WarningLevel,
)
from tracker.models import Plan, ProgressReport, ProgressUpdate, ReportingPeriod, Target
from tracker.reporting_batch import ReportingBatch, lock_targets
from tracker.services import full_clean, full_clean_in_memory
from tracker.today import reporting_today  # noqa: F401 - the pages import it from here too

COUNTED = (ReportState.SUBMITTED, ReportState.ENDORSED, ReportState.APPROVED)
OPEN = (ReportState.DRAFT, ReportState.RETURNED)  # states its department may still change


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

    Idempotent: a period that exists already (by start date) is kept as it is,
    and a new one that would overlap an existing period (a custom one, or a
    quarter among months) is left out. Returns the plan's periods, in order.
    """
    step = 1 if frequency == Frequency.MONTHLY else 3
    existing = list(ReportingPeriod.objects.select_for_update().filter(plan=plan))
    for first_month in range(1, 13, step):
        starts_on = datetime.date(plan.year, first_month, 1)
        ends_on = _month_end(plan.year, first_month + step - 1)
        if any(p.starts_on <= ends_on and p.ends_on >= starts_on for p in existing):
            continue
        if frequency == Frequency.MONTHLY:
            label = _("%(year)s-%(month)02d") % {"year": plan.year, "month": first_month}
        else:
            label = _("%(year)s Q%(quarter)s") % {
                "year": plan.year,
                "quarter": (first_month - 1) // 3 + 1,
            }
        existing.append(
            ReportingPeriod.objects.create(
                plan=plan,
                starts_on=starts_on,
                label=label,
                ends_on=ends_on,
                due_on=ends_on + datetime.timedelta(days=due_days),
            )
        )
    return sorted(existing, key=lambda period: period.starts_on)


@transaction.atomic
def period_create(
    *,
    plan: Plan,
    label: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    due_on: datetime.date,
) -> ReportingPeriod:
    """Add a custom period to a plan (within its year, overlapping no other period)."""
    period = ReportingPeriod(
        plan=plan, label=label, starts_on=starts_on, ends_on=ends_on, due_on=due_on
    )
    full_clean(period)
    period.save()
    return period


def period_covering(
    periods: Iterable[ReportingPeriod], day: datetime.date
) -> ReportingPeriod | None:
    """The period a progress figure as of `day` belongs to: the one of `periods` (a plan's,
    in order) that contains the day."""
    return next((p for p in periods if p.starts_on <= day <= p.ends_on), None)


def as_of_default(period: ReportingPeriod) -> datetime.date:
    """The as-of date a report form offers for a period: its end, or today while it runs."""
    return min(period.ends_on, reporting_today())


def review_needed(*, user, town) -> bool:
    """Whether what `user` submits in `town` waits for a reviewer: the town reviews, they do not."""
    return town.review_required and not may_in_town(user, Action.REVIEW, town)


# ------------------------------------------------------------ transitions
#
# Each transition is a step taken on a ReportingBatch (tracker/reporting_batch.py):
# the rule, checked on a copy of the report, which the batch keeps and later
# writes. `report_save`, `report_submit` and `report_approve` are each a batch
# of one; tracker/submission.py takes the same steps for many items at once.


def owes_period(target, period: ReportingPeriod) -> bool:
    """Whether a target (a Target or a TargetRow) owes a report for a period of its plan:
    every period, for a target of the whole year; for one that starts later (a task
    assigned during the year), the periods that end on or after its start."""
    return target.starts_on is None or period.ends_on >= target.starts_on


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
    full_clean_in_memory(candidate)


def save_step(
    batch: ReportingBatch,
    *,
    target: Target,
    period: ReportingPeriod,
    value=None,
    milestone_done: bool | None = None,
    as_of: datetime.date | None = None,
    note: str = "",
    evidence_url: str = "",
    client_key: str = "",
) -> ProgressReport:
    """`report_save` on a batch: the draft as the batch will write it."""
    user = batch.user
    if not may_report(user, target):
        raise PermissionDenied(_("You do not report for this target."))
    if target.awaiting_signature:
        raise InvalidTransition(
            _("This assigned task is not signed for yet: sign for it (签收) before reporting.")
        )
    report = batch.report(target.pk, period.pk)
    if report is None:
        report = ProgressReport(target=target, period=period, created_by=user)
    elif report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise InvalidTransition(
            _("A %(state)s report cannot be changed.") % {"state": report.get_state_display()}
        )
    else:
        report = copy.copy(report)
    report.department_id = target.lead_department_id
    report.state = ReportState.DRAFT
    report.value, report.milestone_done, report.as_of = value, milestone_done, as_of
    report.note, report.evidence_url = note, evidence_url
    report.client_key = client_key
    report.updated_by = user
    full_clean_in_memory(report)
    return batch.step(report)


def submit_step(batch: ReportingBatch, report: ProgressReport) -> ProgressReport:
    """`report_submit` on a batch: the report submitted (or approved) as the batch will write it."""
    user = batch.user
    current = batch.report(report.target_id, report.period_id)
    if current is None:
        raise ProgressReport.DoesNotExist("The report no longer exists.")
    if not may_report(user, current.target):
        raise PermissionDenied(_("You do not report for this target."))
    if current.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise InvalidTransition(_("Only a draft or a returned report can be submitted."))
    _check_content(current)
    report = copy.copy(current)
    report.state = ReportState.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), user
    report.return_reason = ""
    report.updated_by = user
    batch.step(report)
    if not review_needed(user=user, town=report.target.plan.town):
        return _approve_or_endorse(batch, report)
    return report


def _approve_or_endorse(batch: ReportingBatch, report: ProgressReport) -> ProgressReport:
    """The town's approval: final, or for a key item a region above reviews, endorsed."""
    if not region_review_needed(report.target):
        return _approve(batch, report)
    report = copy.copy(report)
    report.state = ReportState.ENDORSED
    report.endorsed_at, report.endorsed_by = timezone.now(), batch.user
    report.updated_by = batch.user
    return batch.step(report)


def _approve(batch: ReportingBatch, report: ProgressReport) -> ProgressReport:
    # The update that counts; the batch keys it by the report once the report is written.
    update = ProgressUpdate(
        target=report.target,
        as_of=report.as_of or as_of_default(report.period),
        value=report.value,
        milestone_done=report.milestone_done,
        reported_by_id=report.submitted_by_id,
        note=report.note,
        evidence_url=report.evidence_url,
    )
    full_clean_in_memory(update)
    report = copy.copy(report)
    report.update = batch.append(update)
    report.state = ReportState.APPROVED
    report.reviewed_at, report.reviewed_by = timezone.now(), batch.user
    report.updated_by = batch.user
    return batch.step(report)


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
    client_key: str = "",
) -> ProgressReport:
    """Write (or rewrite) the draft of a target's report for a period.

    `client_key` is the key of the submission that wrote it, if any
    (tracker/submission.py compares a retry's content with the report's).
    """
    batch = ReportingBatch(user)
    report = save_step(
        batch,
        target=target,
        period=period,
        value=value,
        milestone_done=milestone_done,
        as_of=as_of,
        note=note,
        evidence_url=evidence_url,
        client_key=client_key,
    )
    batch.write()
    return report


@transaction.atomic
def report_submit(*, user, report: ProgressReport) -> ProgressReport:
    """Send a draft (or a returned report) for review; where none is needed, it counts at once."""
    batch = ReportingBatch(user)
    report = submit_step(batch, report)
    batch.write()
    return report


@transaction.atomic
def report_approve(*, user, report: ProgressReport) -> ProgressReport:
    """Approve a submitted report: it becomes the target's progress update."""
    batch = ReportingBatch(user)
    current = batch.report(report.target_id, report.period_id)
    if current is None:
        raise ProgressReport.DoesNotExist("The report no longer exists.")
    if current.state not in (ReportState.SUBMITTED, ReportState.ENDORSED):
        raise InvalidTransition(_("Only a submitted report can be approved."))
    if not may_review(user, current):
        raise PermissionDenied(_("You do not review this town's reports."))
    if current.submitted_by_id == user.pk and not scope_for(user).everything:
        raise PermissionDenied(_("A report is approved by someone other than its submitter."))
    if current.state == ReportState.SUBMITTED:
        report = _approve_or_endorse(batch, current)
    else:  # endorsed: the region's approval, after the town's
        report = _approve(batch, current)
    batch.write()
    return report


@transaction.atomic
def report_return(*, user, report: ProgressReport, reason: str) -> ProgressReport:
    """Send a submitted report back to its department, saying why."""
    # The target first, then the report: the order every writer of progress locks in
    # (tracker/reporting_batch.py), so a return and a batch never deadlock.
    lock_targets([report.target_id])
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("target__plan")
        .get(pk=report.pk)
    )
    if report.state not in (ReportState.SUBMITTED, ReportState.ENDORSED):
        raise InvalidTransition(_("Only a submitted report can be returned."))
    if not may_review(user, report):
        raise PermissionDenied(_("You do not review this town's reports."))
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


def warning_rule() -> str:
    """The warning rule in the reader's language, with this deployment's thresholds."""
    thresholds = progress.configured_thresholds()
    return _(
        "Red: a report is overdue (its due date has passed and it was not submitted), the "
        "target is behind (below %(at_risk)s%% of the expected pace), or a step of a milestone "
        "has passed its date undone. Yellow: a report is due "
        "within %(days)s days, or the target is at risk (below %(on_track)s%% of the pace). "
        "Green: otherwise. A report counts once it is submitted."
    ) % {
        "at_risk": progress.ratio_text(thresholds.at_risk),
        "on_track": progress.ratio_text(thresholds.on_track),
        "days": int(getattr(settings, "TRACKER_DUE_SOON_DAYS", 3)),
    }


def warning_for(
    *,
    status: str,
    period: ReportingPeriod | None,
    report_state: str | None,
    today: datetime.date,
    in_cycle: bool = False,
    missed_steps: Iterable[progress.Node] = (),
    unsigned_since: datetime.date | None = None,
) -> Flag:
    """The 督办 colour of a target (the rule is in this module's doc).

    `unsigned_since`: for a receipt of an assigned task not signed for in time, its
    sign-by date (`sign_missed_on`).
    """
    due_soon_days = int(getattr(settings, "TRACKER_DUE_SOON_DAYS", 3))
    red, yellow = [], []
    if unsigned_since is not None:
        yellow.append(
            _("assigned task not signed for by %(date)s") % {"date": unsigned_since.isoformat()}
        )
    reported = report_state in COUNTED
    if period is not None and not reported:
        if today > period.due_on:
            red.append(_("report overdue since %(date)s") % {"date": period.due_on.isoformat()})
        elif (period.due_on - today).days <= due_soon_days:
            yellow.append(_("report due on %(date)s") % {"date": period.due_on.isoformat()})
    for step in missed_steps:
        red.append(
            _("step %(step)s was due on %(date)s and is not done")
            % {"step": step.name, "date": step.due_on.isoformat()}
        )
    if status == Status.BEHIND:
        red.append(_("behind the expected pace"))
    elif status == Status.UNMET:
        red.append(_("not achieved by its deadline"))
    elif status == Status.OVERDUE and not in_cycle:
        # Where periods run, what is owed says it (a report waiting for review
        # is no longer late); without them, the status does.
        red.append(_("nothing reported though a report was due"))
    elif status == Status.AT_RISK:
        yellow.append(_("at risk of falling behind"))
    if red:
        return Flag(WarningLevel.RED, tuple(red + yellow))
    if yellow:
        return Flag(WarningLevel.YELLOW, tuple(yellow))
    return Flag(WarningLevel.GREEN, ())


def receipt_state(target, today: datetime.date) -> str | None:
    """Where a receipt of an assigned task stands (the table above); None for another target."""
    if target.assignment_id is None:
        return None
    if target.signed_at is not None:
        return ReceiptState.SIGNED
    if target.sign_due is not None and today > target.sign_due:
        return ReceiptState.LATE
    return ReceiptState.AWAITING


def sign_missed_on(target, today: datetime.date) -> datetime.date | None:
    """A receipt's sign-by date once it has passed unsigned (`receipt_state` LATE), else None."""
    return target.sign_due if receipt_state(target, today) == ReceiptState.LATE else None


def warning_of(assessment: progress.Assessment, today: datetime.date, target=None) -> Flag:
    """The colour of a target outside its plan's reporting cycle: its status and missed steps
    (and, for a receipt of an assigned task given as `target`, whether it is signed for)."""
    return warning_for(
        status=assessment.status,
        missed_steps=assessment.missed_steps,
        period=None,
        report_state=None,
        today=today,
        unsigned_since=sign_missed_on(target, today) if target is not None else None,
    )


# -------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Chase:
    """A report a department owes: for which target and period, and whether overdue."""

    target: Target
    period: ReportingPeriod
    overdue: bool


@dataclass
class Cycle:
    """The reporting cycle of some targets on a day: the periods so far, the reports, what is owed.

    Built by `cycle_for` in a fixed number of queries; its methods query nothing.
    """

    today: datetime.date
    periods: dict[int, list[ReportingPeriod]] = field(default_factory=dict)  # by plan, in order
    reports: dict[tuple[int, int], ProgressReport] = field(default_factory=dict)
    recorded: dict[int, list[datetime.date]] = field(default_factory=dict)  # update dates, sorted

    def in_cycle(self, target: Target) -> bool:
        """Whether the target's plan has a period that has started."""
        return bool(self.periods.get(target.plan_id))

    def report(self, target: Target, period: ReportingPeriod) -> ProgressReport | None:
        return self.reports.get((target.pk, period.pk))

    def settled(self, target: Target, period: ReportingPeriod) -> bool:
        report = self.report(target, period)
        if report is not None and report.state in COUNTED:
            return True
        dates = self.recorded.get(target.pk, [])
        at = bisect.bisect_left(dates, period.starts_on)
        return at < len(dates) and dates[at] <= period.ends_on

    def owed(self, target: Target) -> list[Chase]:
        """The reports the target owes, oldest first (see the module doc)."""
        if target.lead_department_id is None:
            return []  # nobody is responsible for reporting on it
        periods = [p for p in self.periods.get(target.plan_id, []) if owes_period(target, p)]
        settled = [self.settled(target, period) for period in periods]
        # Only the periods after the last one reported: a later report supersedes.
        first = max((i + 1 for i, done in enumerate(settled) if done), default=0)
        return [
            Chase(target=target, period=period, overdue=self.today > period.due_on)
            for period in periods[first:]
        ]

    def flag(self, target: Target, assessment: progress.Assessment) -> Flag | None:
        """The target's warning, or None if its plan's reporting has not started."""
        if not self.in_cycle(target):
            return None
        owed = self.owed(target)
        return warning_for(
            status=assessment.status,
            missed_steps=assessment.missed_steps,
            period=owed[0].period if owed else None,
            report_state=None,
            today=self.today,
            in_cycle=True,
            unsigned_since=sign_missed_on(target, self.today),
        )

    def warning(self, target: Target, assessment: progress.Assessment) -> Flag:
        """The target's warning in its cycle, or by its status and missed steps outside it
        (`warning_of`), as the 督办 page shows every target."""
        return self.flag(target, assessment) or warning_of(assessment, self.today, target)


def cycle_for(targets: Iterable[Target], today: datetime.date) -> Cycle:
    """The reporting cycle of `targets` on `today`: three queries (one if no period has started)."""
    targets = list(targets)
    cycle = Cycle(today=today)
    if not targets:
        return cycle
    periods = list(
        ReportingPeriod.objects.filter(
            plan_id__in={target.plan_id for target in targets}, starts_on__lte=today
        ).order_by("plan_id", "starts_on")
    )
    if not periods:
        return cycle
    for period in periods:
        cycle.periods.setdefault(period.plan_id, []).append(period)
    target_ids = [target.pk for target in targets]
    cycle.reports = {
        (report.target_id, report.period_id): report
        for report in ProgressReport.objects.filter(
            target_id__in=target_ids, period__in=periods
        ).order_by()
    }
    for target_id, as_of in (
        ProgressUpdate.objects.filter(
            target_id__in=target_ids,
            as_of__gte=min(period.starts_on for period in periods),
            as_of__lte=max(period.ends_on for period in periods),
        )
        .order_by("target_id", "as_of")
        .values_list("target_id", "as_of")
        .distinct()
    ):
        cycle.recorded.setdefault(target_id, []).append(as_of)
    return cycle


def reports_owed(today: datetime.date, plans=None) -> dict[int, list[Chase]]:
    """Per department id: the reports it owes on `today` (due now or overdue), in order.

    A report is owed for each period of an active plan (or of `plans`) that
    has started by today and is not settled, with none settled after it (see
    the module doc); it is overdue once its due date has passed.
    """
    plans = plans if plans is not None else Plan.objects.filter(status=PlanStatus.ACTIVE)
    targets = list(
        Target.objects.filter(plan__in=plans, lead_department__isnull=False).select_related(
            "lead_department", "plan"
        )
    )
    cycle = cycle_for(targets, today)
    owed: dict[int, list[Chase]] = {}
    for target in targets:
        for chase in cycle.owed(target):
            owed.setdefault(target.lead_department_id, []).append(chase)
    for chases in owed.values():
        chases.sort(
            key=lambda chase: (chase.period.starts_on, chase.target.plan_id, chase.target.pk)
        )
    return owed
