"""Ledger pages: a department's grid for a period, its Excel template and upload; a plan's breakdown.

- /tasks/grid/: the periods a user may fill a grid for (active plans, started periods);
- /tasks/grid/<period>/: every target of the period's plan the user reports on,
  one row each (section, target and unit, previous value, value or done / not
  done, as-of prefilled, note, evidence link). "Save all as drafts" goes
  through tracker.submission.progress_save_drafts, "Submit all" through
  progress_submit_many: all rows or none, errors shown on their cells. A row
  left empty is not reported. No script: a plain form, in tab order;
- /tasks/grid/<period>/template.xlsx and /tasks/grid/<period>/upload/: the
  same ledger as Excel (tracker/ledgers/progress_sheet.py), errors by row and
  column on the grid page;
- /towns/<slug>/<year>/breakdown/: a plan's 任务分解表: download it; upload one
  to see what it would create, change and refuse, then apply it (editors).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.access import Action, may_in_town, restrict, scope_for
from tracker.api.ledger_views import xlsx_download
from tracker.choices import PlanStatus
from tracker.ledgers.breakdown import breakdown_apply, breakdown_export, breakdown_preview
from tracker.ledgers.progress_sheet import (
    RowsRefused,
    done_word,
    progress_import,
    progress_template,
    template_filename,
    template_targets,
)
from tracker.ledgers.workbooks import CellError, SheetRefused
from tracker.models import Plan, ProgressReport, ReportingPeriod, Target
from tracker.reports import presenters
from tracker.reports.forms import ReportForm
from tracker.selectors import TargetRow
from tracker.submission import (
    ProgressItem,
    SubmissionsRefused,
    content_of,
    progress_save_drafts,
    progress_submit_many,
)
from tracker.workflow import OPEN, as_of_default, reporting_today


class GridRowForm(ReportForm):
    """One row of the grid: a ReportForm without files (attached on the report's own page)."""

    def __init__(self, *args, target: TargetRow, **kwargs):
        # ReportForm reads the target's kind and unit, which the read model's row has.
        super().__init__(*args, target=target, **kwargs)
        del self.fields["files"]
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{target.title}: {field.label}"
        self.fields["note"].widget = forms.TextInput(
            attrs={"aria-label": f"{target.title}: {self.fields['note'].label}"}
        )
        # One tab stop, typed as 2026-11-30: a browser's date picker takes three
        # (year, month, day), which is slow across a grid of rows.
        self.fields["as_of"].widget = forms.TextInput(
            attrs={
                "aria-label": f"{target.title}: {self.fields['as_of'].label}",
                "inputmode": "numeric",
                "placeholder": "2026-11-30",
                "size": 10,
            }
        )


@dataclass
class GridRow:
    target: TargetRow
    section: str
    target_text: str
    previous: str
    report: ProgressReport | None
    form: GridRowForm | None  # None: the period's report is submitted or approved

    @property
    def filled(self) -> bool:
        data = self.form.cleaned_data if self.form is not None else {}
        return data.get("value") is not None or data.get("milestone_done") is not None


def _target_text(target: TargetRow) -> str:
    if target.value is None:
        return _("milestone")
    value = presenters.num(target.value)
    if target.value_max is not None:
        value = f"{value}—{presenters.num(target.value_max)}"
    return presenters.with_unit(value, target.unit)


def _previous(target: TargetRow) -> str:
    latest = target.latest
    if latest is None:
        return "—"
    if latest.done is not None:
        text = done_word(latest.done)
    else:
        text = presenters.with_unit(presenters.num(latest.value), target.unit)
    return f"{text}（{latest.as_of:%Y-%m-%d}）"


def _initial(report: ProgressReport | None, period: ReportingPeriod) -> dict:
    if report is None:
        return {"as_of": as_of_default(period)}
    return {
        "value": report.value,
        "milestone_done": {True: "yes", False: "no", None: ""}[report.milestone_done],
        "as_of": report.as_of or as_of_default(period),
        "note": report.note,
        "evidence_url": report.evidence_url,
    }


def _grid_period(request: HttpRequest, period_id: int) -> ReportingPeriod:
    period = get_object_or_404(
        ReportingPeriod.objects.select_related("plan__town"),
        pk=period_id,
        plan__in=Plan.objects.filter(scope_for(request.user).readable()),
    )
    if not may_in_town(request.user, Action.REPORT, period.plan.town):
        raise PermissionDenied(_("You do not report for this town."))
    return period


def _rows(request, period: ReportingPeriod, data=None) -> list[GridRow]:
    targets = template_targets(request.user, period, None)
    reports = {
        report.target_id: report
        for report in ProgressReport.objects.filter(
            period=period, target_id__in=[target.pk for target in targets]
        )
    }
    rows = []
    for target in targets:
        report = reports.get(target.pk)
        form = None
        if report is None or report.state in OPEN:
            form = GridRowForm(
                data, prefix=f"t{target.pk}", initial=_initial(report, period), target=target
            )
        rows.append(
            GridRow(
                target=target,
                section=str(target.section or ""),
                target_text=_target_text(target),
                previous=_previous(target),
                report=report,
                form=form,
            )
        )
    return rows


def _show_errors(rows: list[GridRow], indexed: list[GridRow], refused: SubmissionsRefused):
    for index, error in refused.errors.items():
        form = indexed[index].form
        if hasattr(error, "error_dict"):
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            for message in error.messages:
                form.add_error(None, message)


@login_required
def grid(request: HttpRequest, period_id: int) -> HttpResponse:
    """Every target of the period the user reports on, filled and saved or submitted at once."""
    period = _grid_period(request, period_id)
    rows = _rows(request, period, request.POST if request.method == "POST" else None)
    upload_errors: list[CellError] = []
    problem = ""
    if request.method == "POST":
        editable = [row for row in rows if row.form is not None]
        valid = [row.form.is_valid() for row in editable]
        filled = [row for row, ok in zip(editable, valid, strict=True) if ok and row.filled]
        if all(valid):
            if not filled:
                problem = _("Nothing to save: fill in at least one row.")
            else:
                saved = _save_grid(request, period, filled)
                if saved is not None:
                    return saved
                problem = _("Nothing was saved: correct the rows marked below.")
        else:
            # Some cells are not even a number or a date: ask the policy about the
            # others too (and keep nothing), so every row's problem shows at once.
            if filled:
                _check_only(request, period, filled)
            problem = _("Nothing was saved: correct the rows marked below.")
    return render(
        request,
        "tracker/reports/grid.html",
        {
            "period": period,
            "plan": period.plan,
            "rows": rows,
            "problem": problem,
            "upload_errors": upload_errors,
            "today": reporting_today(),
        },
        status=400 if problem else 200,
    )


class _CheckOnly(Exception):
    """Undoes a batch that was only asked for its errors."""


def _check_only(request, period, filled: list[GridRow]) -> None:
    """Show the policy's errors on the rows, writing nothing whatever it says."""
    try:
        with transaction.atomic():
            _apply(request, period, filled)
            raise _CheckOnly
    except _CheckOnly:
        pass
    except SubmissionsRefused as refused:
        _show_errors(filled, filled, refused)


def _apply(request, period, filled: list[GridRow]):
    """Submit (or save as drafts) the filled rows through the policy; SubmissionsRefused if not.

    The rows are the read model's; the policy takes (and locks) the targets themselves.
    """
    targets = Target.objects.select_related("plan__town").in_bulk([row.target.pk for row in filled])
    items = []
    for row in filled:
        data = row.form.cleaned_data
        items.append(
            ProgressItem(
                target=targets[row.target.pk],
                period=period,
                **content_of(data),
            )
        )
    if "submit" in request.POST:
        return progress_submit_many(user=request.user, items=items)
    return progress_save_drafts(user=request.user, items=items)


def _save_grid(request, period, filled: list[GridRow]):
    """Apply the rows; a redirect with a message, or None with the errors on the rows."""
    try:
        results = _apply(request, period, filled)
    except SubmissionsRefused as refused:
        _show_errors(filled, filled, refused)
        return None
    if "submit" in request.POST:
        held = sum(1 for result in results if result.held)
        if held == len(results):
            text = _("%(count)s reports submitted for review.")
        elif held == 0:
            text = _("%(count)s reports submitted; no review is needed: they count now.")
        else:
            text = _("%(count)s reports submitted; %(held)s wait for review, the others count now.")
        messages.success(request, text % {"count": len(results), "held": held})
        return redirect("reports:tasks")
    messages.success(
        request,
        _("%(count)s drafts saved. They count once submitted and approved.")
        % {"count": len(results)},
    )
    return redirect(request.path)


@login_required
def grid_periods(request: HttpRequest) -> HttpResponse:
    """The periods the user may fill a grid for: started periods of active plans of their towns."""
    today = reporting_today()
    plan_ids = (
        restrict(Target.objects.all(), request.user, Action.REPORT)
        .filter(plan__status=PlanStatus.ACTIVE)
        .values("plan_id")
    )
    periods = (
        ReportingPeriod.objects.filter(plan_id__in=plan_ids, starts_on__lte=today)
        .select_related("plan__town")
        .order_by("plan__town__name", "-starts_on")
    )
    return render(
        request, "tracker/reports/grid_periods.html", {"periods": periods, "today": today}
    )


@login_required
def grid_template(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _grid_period(request, period_id)
    try:
        data = progress_template(user=request.user, period=period)
    except SheetRefused as refused:
        raise PermissionDenied(str(refused)) from None
    return xlsx_download(data, template_filename(period, None))


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled-in template (.xlsx)"))


@login_required
def grid_upload(request: HttpRequest, period_id: int) -> HttpResponse:
    """Upload the filled template: submitted like the grid, or errors by row and column."""
    period = _grid_period(request, period_id)
    if request.method != "POST":
        return redirect("reports:grid", period_id=period.pk)
    form = UploadForm(request.POST, request.FILES)
    upload_errors: list[CellError] = []
    problem = ""
    if form.is_valid():
        try:
            result = progress_import(user=request.user, upload=form.cleaned_data["file"])
        except SheetRefused as refused:
            problem = str(refused)
        except RowsRefused as refused:
            problem = _("Nothing was imported: correct these cells and upload again.")
            upload_errors = refused.errors
        else:
            if result.period.pk != period.pk:
                messages.info(request, _("The file was the template of %(period)s.") % {
                    "period": result.period.label})  # fmt: skip
            if result.created:
                messages.success(
                    request,
                    _("%(count)s reports imported; %(held)s wait for review.")
                    % {"count": result.created, "held": result.held},
                )
            else:
                messages.info(request, _("Every row had been imported before; nothing new."))
            return redirect("reports:grid", period_id=result.period.pk)
    else:
        problem = _("Choose the filled-in template to upload.")
    return render(
        request,
        "tracker/reports/grid.html",
        {
            "period": period,
            "plan": period.plan,
            "rows": _rows(request, period),
            "problem": problem,
            "upload_errors": upload_errors,
            "today": reporting_today(),
        },
        status=400,
    )


# --- a plan's breakdown ---------------------------------------------------------------------


class BreakdownForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Task breakdown (.xlsx)"))
    year = forms.IntegerField(label=gettext_lazy("Import into the plan of year"), min_value=2000,
                              max_value=2100)  # fmt: skip
    create_departments = forms.BooleanField(
        label=gettext_lazy("Create the departments listed as unknown"), required=False
    )
    apply = forms.BooleanField(label=gettext_lazy("Apply (otherwise only preview)"), required=False)


def plan_breakdown(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A plan's task breakdown: its download for readers; preview and import for its editors."""
    plan = get_object_or_404(
        Plan.objects.filter(scope_for(request.user).readable()).select_related("town"),
        town__slug=slug,
        year=year,
    )
    if request.GET.get("download"):
        return xlsx_download(
            breakdown_export(plan), f"{plan.town.name}{plan.year}{_('task breakdown')}.xlsx"
        )
    editor = may_in_town(request.user, Action.EDIT, plan.town)
    preview, problem, form = None, "", None
    if editor:
        form = BreakdownForm(
            request.POST or None, request.FILES or None, initial={"year": plan.year + 1}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                preview = breakdown_preview(
                    user=request.user, upload=data["file"], town=plan.town, year=data["year"]
                )
            except SheetRefused as refused:
                problem = str(refused)
            else:
                if data["apply"] and not preview.refused:
                    try:
                        written = breakdown_apply(
                            user=request.user,
                            preview=preview,
                            create_departments=data["create_departments"],
                        )
                    except ValidationError as error:
                        problem = " ".join(error.messages)
                    else:
                        messages.success(request, _("The task breakdown was imported."))
                        return redirect(
                            reverse("reports:breakdown", args=[plan.town.slug, written.year])
                        )
    elif request.method == "POST":
        raise PermissionDenied(_("You do not edit this town's plans."))
    return render(
        request,
        "tracker/reports/breakdown.html",
        {
            "plan": plan,
            "form": form,
            "preview": preview,
            "problem": problem,
            "today": reporting_today(),
        },
        status=400 if problem or (preview and preview.refused) else 200,
    )
