"""The reporting workflow's pages: a department's tasks and report form, the reviewers' 督办.

- /tasks/: for a signed-in user, the reports they owe (due, overdue), those
  returned to them with the reason, and those waiting for review;
- /tasks/<target>/<period>/: the report form (tracker/reports/forms.py): value
  or milestone state, as-of date, note, evidence link and files; save a draft,
  or submit it through the one submission policy (tracker/submission.py),
  which holds it for review or records it;
- /duban/: for reviewers, every target of their towns' active plans that is
  overdue, behind, due soon or at risk, sortable, and the reports waiting for
  review, each approved or returned from there;
- /duban/reports/<id>/: one report to review.

The rules are tracker/workflow.py's (who may do what, what is owed, the
warnings); "today" is its reporting_today(). Each list page reads a fixed
number of queries whatever the number of rows (tests/workflow/test_pages.py).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tracker import progress, selectors
from tracker.access import (
    Action,
    may_report,
    may_review,
    may_see,
    reports_seen,
    reviews_up,
    rule,
    scope_for,
)
from tracker.choices import PlanStatus, ReportState, Status, WarningLevel
from tracker.evidence import evidence_attach
from tracker.models import ProgressReport, ProgressUpdate, ReportingPeriod, Target
from tracker.reports import presenters
from tracker.reports.forms import ReportForm
from tracker.submission import Outcome, content_of, progress_submit
from tracker.workflow import (
    OPEN,
    Chase,
    InvalidTransition,
    as_of_default,
    cycle_for,
    report_approve,
    report_return,
    report_save,
    reporting_today,
    warning_rule,
)

# ---------------------------------------------------------------------------
# Signing in: the site's own page, for department users who are not admin staff


class LoginView(auth_views.LoginView):
    template_name = "tracker/reports/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "reports:home"


def _started_plans_filter(today):
    """Targets of active plans that have a reporting period started by `today`."""
    return Exists(
        ReportingPeriod.objects.filter(
            plan_id=OuterRef("plan_id"), starts_on__lte=today, plan__status=PlanStatus.ACTIVE
        )
    )


# ---------------------------------------------------------------------------
# My tasks


@dataclass(frozen=True)
class Task:
    """One report a user is to write (or has written): a target, a period, where it stands."""

    target: object
    period: ReportingPeriod
    report: ProgressReport | None
    overdue: bool
    flag: presenters.WarningBadge | None

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else _("Not started")


def _by_due(task: Task):
    return (task.period.due_on, task.target.plan.town.name, task.target.pk)


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """What the user's departments owe: returned, overdue and due reports, and those in review."""
    user = request.user
    today = reporting_today()
    targets = list(
        selectors.with_first_due(Target.objects.filter(rule(user, Action.REPORT, Target)))
        .filter(_started_plans_filter(today))
        .select_related("plan__town", "lead_department", "latest_update")
        .prefetch_related("nodes")  # the status rule reads them (Target.facts)
        .order_by("plan__town__name", "plan_id", "section_id", "position", "pk")
    )
    cycle = cycle_for(targets, today)
    returned, overdue, due, waiting = [], [], [], []
    for target in targets:
        flag = presenters.warning_badge(cycle.flag(target, target.assess(today)))
        for chase in cycle.owed(target):
            report = cycle.report(target, chase.period)
            task = Task(target, chase.period, report, chase.overdue, flag)
            if report is not None and report.state == ReportState.RETURNED:
                returned.append(task)
            else:
                (overdue if chase.overdue else due).append(task)
        for period in cycle.periods.get(target.plan_id, []):
            report = cycle.report(target, period)
            if report is not None and report.state in (ReportState.SUBMITTED, ReportState.ENDORSED):
                waiting.append(Task(target, period, report, False, flag))
    scope = scope_for(user)
    to_review = None
    if scope.reviews_anywhere():
        to_review = ProgressReport.objects.filter(
            Q(rule(user, Action.REVIEW, ProgressReport), state=ReportState.SUBMITTED)
            | reviews_up(user)
        ).count()
    return render(
        request,
        "tracker/reports/tasks.html",
        {
            "returned": sorted(returned, key=_by_due),
            "overdue": sorted(overdue, key=_by_due),
            "due": sorted(due, key=_by_due),
            "waiting": sorted(waiting, key=_by_due),
            "reports_anywhere": scope.reports_anywhere(),
            "to_review": to_review,
            "today": today,
            "warning_rule": warning_rule(),
        },
    )


# ---------------------------------------------------------------------------
# The report form


def _reported(report: ProgressReport | ProgressUpdate | None, target: Target) -> str:
    """What a report (or an update) says, as the pages word it: "1641.72亩", "done", or ""."""
    if report is None:
        return ""
    if report.milestone_done is not None:
        return _("done") if report.milestone_done else _("not done")
    if report.value is None:
        return ""
    return presenters.with_unit(presenters.num(report.value), target.unit)


@dataclass(frozen=True)
class Numbers:
    """What a reviewer weighs: the reported figure against the one that counts now."""

    reported: str
    as_of: object
    previous: str
    previous_as_of: object
    percent: str
    badge: presenters.Badge


def _with_numbers(report: ProgressReport, today) -> ProgressReport:
    """The report, carrying `numbers`: its value, as-of, the previous value, and the percent
    and status it would give if approved (the rule of tracker/progress.py, on `today`)."""
    target = report.target
    # Judged with the report's own reading: when the first report was due cannot
    # matter (it only tells overdue from no data), so it is not read per row.
    target.first_report_due = None
    reading = progress.Reading(
        value=report.value,
        done=report.milestone_done,
        as_of=report.as_of or report.period.ends_on,
    )
    assessment = progress.assess(target.facts(), reading, today, progress.configured_thresholds())
    previous = target.latest_update
    report.numbers = Numbers(
        reported=_reported(report, target),
        as_of=reading.as_of,
        previous=_reported(previous, target),
        previous_as_of=previous.as_of if previous else None,
        percent=presenters.percent_text(assessment.percent),
        badge=presenters.badge(assessment.status),
    )
    return report


def _add_model_errors(form: ReportForm, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        name = field if field in form.fields else None
        for message in messages_:
            form.add_error(name, message)


def _form_target(request: HttpRequest, target_id: int) -> Target:
    return get_object_or_404(
        Target.objects.filter(scope_for(request.user).readable("plan")).select_related(
            "plan__town", "section", "lead_department", "latest_update"
        ),
        pk=target_id,
    )


@login_required
def report_form(request: HttpRequest, target_id: int, period_id: int) -> HttpResponse:
    """Fill in a target's report for a period: save a draft, or submit it for review."""
    user = request.user
    target = _form_target(request, target_id)
    period = get_object_or_404(ReportingPeriod, pk=period_id, plan_id=target.plan_id)
    report = (
        ProgressReport.objects.filter(target=target, period=period)
        .select_related("submitted_by", "reviewed_by", "department")
        .prefetch_related("files")
        .first()
    )
    reporting = may_report(user, target)
    seeing = report is not None and may_see(user, report)
    if not reporting and (request.method == "POST" or not seeing):
        raise PermissionDenied(_("You do not report for this target."))
    editable = reporting and (report is None or report.state in OPEN)
    today = reporting_today()

    form = None
    if editable:
        if request.method == "POST":
            form = ReportForm(request.POST, request.FILES, target=target)
            saved = form.is_valid() and _save(request, form, target, period)
            if saved:
                return saved
        else:
            form = ReportForm(initial=_initial(report, period, today), target=target)
    elif request.method == "POST":
        messages.error(request, _("This report can no longer be changed."))
        return redirect(request.path)

    return render(
        request,
        "tracker/reports/report_form.html",
        {
            "target": target,
            "card": presenters.card(selectors.target_row(target.pk, today)),
            "period": period,
            "report": report,
            "reported": _reported(report, target),
            "files": list(report.files.all()) if report else [],
            "form": form,
            "editable": editable,
            "may_review": report is not None and may_review(user, report),
            "today": today,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _initial(report: ProgressReport | None, period: ReportingPeriod, today) -> dict:
    if report is None:
        return {"as_of": as_of_default(period)}
    done = {True: "yes", False: "no", None: ""}[report.milestone_done]
    return {
        "value": report.value,
        "milestone_done": done,
        "as_of": report.as_of,
        "note": report.note,
        "evidence_url": report.evidence_url,
    }


def _save(request, form: ReportForm, target: Target, period: ReportingPeriod):
    """Save the draft and its files, then submit if asked; a redirect, or None with form errors."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            report = report_save(
                user=request.user,
                target=target,
                period=period,
                **content_of(data),
            )
            for upload in data.get("files") or []:
                evidence_attach(report=report, upload=upload, user=request.user)
    except ValidationError as error:
        _add_model_errors(form, error)
        return None
    except InvalidTransition as error:
        form.add_error(None, str(error))
        return None
    if "submit" not in request.POST:
        messages.success(request, _("Draft saved. It counts once it is submitted and approved."))
        return redirect(request.path)
    try:
        submitted = progress_submit(
            user=request.user,
            target=target,
            period=period,
            **content_of(data),
        )
    except ValidationError as error:
        # The draft stays saved; what stops it from being submitted is shown.
        _add_model_errors(form, error)
        form.add_error(None, _("The draft was saved, but it could not be submitted:"))
        return None
    except InvalidTransition as error:
        form.add_error(None, str(error))
        return None
    if submitted.outcome == Outcome.RECORDED:
        messages.success(request, _("Submitted. No review is needed: it counts now."))
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("reports:tasks")


# ---------------------------------------------------------------------------
# 督办: what reviewers chase


@dataclass(frozen=True)
class Chased:
    """A target a reviewer should look at: its warning, what it owes, where its report is."""

    target: object
    card: presenters.TargetCard
    flag: presenters.WarningBadge
    owed: list[Chase]
    report: ProgressReport | None

    @property
    def first(self) -> Chase | None:
        return self.owed[0] if self.owed else None

    @property
    def state(self) -> str:
        if self.report is not None:
            return self.report.state
        return "unreported" if self.owed else ""

    @property
    def state_label(self) -> str:
        if self.report is not None:
            return self.report.get_state_display()
        return _("Not started") if self.owed else "—"


LEVEL_ORDER = {WarningLevel.RED: 0, WarningLevel.YELLOW: 1, WarningLevel.GREEN: 2}
STATUS_ORDER = {
    status: index
    for index, status in enumerate(
        [
            Status.OVERDUE,
            Status.UNMET,
            Status.BEHIND,
            Status.AT_RISK,
            Status.NOT_STARTED,
            Status.NO_DATA,
            Status.ON_TRACK,
            Status.ACHIEVED,
        ]
    )
}
STATE_ORDER = {"unreported": 0, ReportState.RETURNED: 1, ReportState.DRAFT: 2, "": 3}


def _due_key(row: Chased):
    return (row.first is None, row.first.period.due_on if row.first else row.target.due_on)


SORTS = {
    "warning": lambda row: (LEVEL_ORDER[row.flag.level], _due_key(row)),
    "due": lambda row: (_due_key(row), LEVEL_ORDER[row.flag.level]),
    "town": lambda row: (row.target.plan.town.name, LEVEL_ORDER[row.flag.level], _due_key(row)),
    "status": lambda row: (STATUS_ORDER[row.card.assessment.status], _due_key(row)),
    "state": lambda row: (STATE_ORDER.get(row.state, 3), _due_key(row)),
    # 分管领导: each leader's items together (those without one last), worst first.
    "leader": lambda row: (
        not row.target.leader_name,
        row.target.leader_name,
        LEVEL_ORDER[row.flag.level],
        _due_key(row),
    ),
}
SORT_LABELS = {
    "warning": gettext_lazy("Warning"),
    "due": gettext_lazy("Report due"),
    "town": pgettext_lazy("column heading", "Town"),
    "status": gettext_lazy("Status"),
    "state": gettext_lazy("Report"),
    "leader": gettext_lazy("Leader in charge"),
}


def _sorted(rows: list[Chased], sort: str) -> tuple[list[Chased], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "warning", "warning"
    rows = sorted(rows, key=lambda row: row.target.pk)  # a stable order for ties
    return sorted(rows, key=SORTS[key], reverse=sort.startswith("-")), sort


@login_required
def duban(request: HttpRequest) -> HttpResponse:
    """督办: everything overdue or behind (and due soon or at risk) across the reviewer's towns."""
    user = request.user
    if not scope_for(user).reviews_anywhere():
        return render(request, "tracker/reports/not_reviewer.html", status=403)
    today = reporting_today()
    chased = Target.objects.filter(
        rule(user, Action.REVIEW, Target), plan__status=PlanStatus.ACTIVE
    ).order_by("pk")
    targets = list(chased.select_related("plan__town", "lead_department", "latest_update"))
    # The cards and the statuses: the read model's rows (with their node schedules).
    read = {row.pk: row for row in selectors.target_rows(chased, today)}
    cycle = cycle_for(targets, today)
    rows = []
    for target in targets:
        flag = cycle.warning(target, read[target.pk].assessment)
        if flag.level == WarningLevel.GREEN:
            continue
        owed = cycle.owed(target)
        rows.append(
            Chased(
                target=target,
                card=presenters.card(read[target.pk]),
                flag=presenters.warning_badge(flag),
                owed=owed,
                report=cycle.report(target, owed[0].period) if owed else None,
            )
        )
    rows, sort = _sorted(rows, request.GET.get("sort", "warning"))
    waiting = [
        _with_numbers(report, today)
        for report in ProgressReport.objects.filter(
            Q(rule(user, Action.REVIEW, ProgressReport), state=ReportState.SUBMITTED)
            | reviews_up(user)  # key items the towns approved, for a region's reviewers
        )
        .select_related(
            "target__plan__town", "target__latest_update", "period", "department", "submitted_by"
        )
        .prefetch_related("files", "target__nodes")  # the numbers' status reads the nodes
        .order_by("period__due_on", "submitted_at", "pk")
    ]
    columns = [
        {
            "key": key,
            "label": label,
            "current": sort.lstrip("-") == key,
            "descending": sort == f"-{key}",
            "next": f"-{key}" if sort == key else key,
        }
        for key, label in SORT_LABELS.items()
    ]
    return render(
        request,
        "tracker/reports/duban.html",
        {
            "rows": rows,
            "red": sum(1 for row in rows if row.flag.level == WarningLevel.RED),
            "yellow": sum(1 for row in rows if row.flag.level == WarningLevel.YELLOW),
            "waiting": waiting,
            "columns": columns,
            "sort": sort,
            "today": today,
            "warning_rule": warning_rule(),
        },
    )


# ---------------------------------------------------------------------------
# Reviewing one report


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One submitted report: its content and evidence; approve it, or return it with a reason."""
    report = get_object_or_404(
        ProgressReport.objects.filter(reports_seen(request.user))
        .select_related(
            "target__plan__town",
            "target__lead_department",
            "target__latest_update",
            "period",
            "department",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related("files"),
        pk=pk,
    )
    if not may_review(request.user, report):
        raise PermissionDenied(_("You do not review this town's reports."))
    error, code = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                report_approve(user=request.user, report=report)
                messages.success(request, _("Approved: the report now counts."))
            elif action == "return":
                report_return(
                    user=request.user, report=report, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Returned to the department with your reason."))
            else:
                raise InvalidTransition(_("Choose approve or return."))
            return redirect(reverse("reports:duban"))
        except ValidationError as failure:
            error, code = " ".join(failure.messages), 400
        except InvalidTransition as failure:
            error, code = str(failure), 409
        except PermissionDenied as failure:
            error, code = str(failure), 403
    today = reporting_today()
    target = report.target
    row = selectors.target_row(target.pk, today)
    return render(
        request,
        "tracker/reports/review.html",
        {
            "report": report,
            "reported": _reported(report, target),
            "target": target,
            "card": presenters.card(row),
            "files": list(report.files.all()),
            "error": error,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
            "today": today,
        },
        status=code,
    )
