"""交办 pages: the tasks a user reads, one task with every receiver it may see (the assigner's
page), signing for a receipt, and giving a new task. Signed-in users only; the rules are
tracker/assignments.py's, who may is tracker/access.py's."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tracker.access import assigning_regions, assigning_towns, may_sign
from tracker.assignments import (
    assignment_create,
    readable_assignments,
    receipt_rows,
    receipt_sign,
    signers,
)
from tracker.choices import AssignmentSource, Comparison, ReceiptState, TargetKind
from tracker.models import Assignment, Department, Target, Town
from tracker.ranking import warning
from tracker.reports import presenters
from tracker.selectors import TargetRow
from tracker.today import reporting_today
from tracker.workflow import InvalidTransition, receipt_state

STATE_TONE = {
    ReceiptState.AWAITING: "grey",
    ReceiptState.LATE: "yellow",
    ReceiptState.SIGNED: "green",
}


@dataclass
class ReceiptLine:
    """One receiver's line on the task's page."""

    row: TargetRow
    state: str
    state_label: str
    tone: str
    signed_by: str
    status: presenters.Badge
    flag: presenters.WarningBadge
    sign_form: "SignForm | None"


class SignForm(forms.Form):
    lead_department = forms.ModelChoiceField(
        label=gettext_lazy("Lead department (承办科室)"), queryset=Department.objects.none()
    )
    owner_name = forms.CharField(
        label=gettext_lazy("Person responsible (责任人)"), max_length=50, required=False
    )
    owner_title = forms.CharField(label=gettext_lazy("Their post"), max_length=100, required=False)

    def __init__(self, *args, receipt: TargetRow, **kwargs):
        super().__init__(*args, prefix=f"r{receipt.pk}", **kwargs)
        if receipt.lead_department is not None:
            del self.fields["lead_department"]  # given to a department: it signs as itself
        else:
            self.fields["lead_department"].queryset = Department.objects.filter(
                town_id=receipt.town.id
            )


def _lines(assignment: Assignment, user, today, posted: dict | None = None) -> list[ReceiptLine]:
    rows = receipt_rows(assignment, user, today)
    signed_by = signers(rows)
    may = {
        target.pk: may_sign(user, target)
        for target in Target.objects.filter(pk__in=[row.pk for row in rows if row.signed_at is None])
        .select_related("plan__town__region", "lead_department")
    }  # fmt: skip
    lines = []
    for row in rows:
        state = receipt_state(row, today)
        form = None
        if may.get(row.pk):
            form = SignForm((posted or {}).get(row.pk), receipt=row)
        lines.append(
            ReceiptLine(
                row=row,
                state=state,
                state_label=ReceiptState(state).label,
                tone=STATE_TONE[state],
                signed_by=signed_by.get(row.pk, ""),
                status=presenters.badge(row.assessment.status),
                flag=presenters.warning_badge(warning(row, today)),
                sign_form=form,
            )
        )
    return lines


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    """The tasks the user reads, newest first, each with its receivers' standing in figures."""
    today = reporting_today()
    tasks = []
    for assignment in readable_assignments(request.user)[:200]:
        lines = _lines(assignment, request.user, today)
        tasks.append(
            {
                "assignment": assignment,
                "receivers": len(lines),
                "signed": sum(1 for line in lines if line.state == ReceiptState.SIGNED),
                "late": sum(1 for line in lines if line.state == ReceiptState.LATE),
                "red": sum(1 for line in lines if line.flag.level == "red"),
                "to_sign": sum(1 for line in lines if line.sign_form is not None),
            }
        )
    may_assign = assigning_regions(request.user).exists() or assigning_towns(request.user).exists()
    return render(
        request,
        "tracker/reports/assignments.html",
        {"tasks": tasks, "may_assign": may_assign, "today": today},
    )


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: what was asked, and where each receiver the user may see stands."""
    assignment = get_object_or_404(readable_assignments(request.user), pk=pk)
    today = reporting_today()
    return render(
        request,
        "tracker/reports/assignment.html",
        {
            "assignment": assignment,
            "lines": _lines(assignment, request.user, today),
            "today": today,
        },
    )


@require_POST
@login_required
def assignment_sign(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """Sign for one receipt of the task (签收), naming its lead department where needed."""
    assignment = get_object_or_404(readable_assignments(request.user), pk=pk)
    receipt = get_object_or_404(Target.objects.filter(assignment=assignment), pk=target_id)
    today = reporting_today()
    lines = _lines(assignment, request.user, today, posted={receipt.pk: request.POST})
    line = next((line for line in lines if line.row.pk == receipt.pk), None)
    if line is None or line.sign_form is None:
        messages.error(request, _("You may not sign for this task."))
        return redirect("reports:assignment", pk=pk)
    form = line.sign_form
    if form.is_valid():
        try:
            receipt_sign(user=request.user, receipt=receipt, **form.cleaned_data)
        except (PermissionDenied, InvalidTransition) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Signed for “%(task)s”.") % {"task": assignment.title})
            return redirect("reports:assignment", pk=pk)
    return render(
        request,
        "tracker/reports/assignment.html",
        {"assignment": assignment, "lines": lines, "today": today},
        status=400 if form.errors else 200,
    )


class AssignmentForm(forms.ModelForm):
    """A new task, as a region's or a town's editor gives it."""

    assigner = forms.ChoiceField(label=gettext_lazy("Assigned by"))
    towns = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Receiving towns"),
        queryset=Town.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Receiving departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Assignment
        fields = [
            "title", "request", "source_kind", "source_title", "issued_on", "deadline",
            "sign_within_days", "kind", "comparison", "value", "unit", "is_key",
        ]  # fmt: skip
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "request": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = list(assigning_regions(user))
        towns = list(assigning_towns(user).select_related("region"))
        self.fields["assigner"].choices = [(f"region:{r.pk}", r.name) for r in regions] + [
            (f"town:{t.pk}", t.name) for t in towns
        ]
        below = Town.objects.none()
        for region in regions:
            below = below | Town.objects.filter(region__path__startswith=region.path)
        self.fields["towns"].queryset = below.distinct().order_by("name")
        self.fields["departments"].queryset = Department.objects.filter(
            town__in=[t.pk for t in towns]
        ).select_related("town")
        self.fields["source_kind"].choices = AssignmentSource.choices
        self.fields["kind"].choices = TargetKind.choices
        self.fields["comparison"].choices = [("", "—"), *Comparison.choices]
        self.fields["issued_on"].initial = reporting_today()

    def clean(self):
        cleaned = super().clean()
        kind, _sep, pk = (cleaned.get("assigner") or "").partition(":")
        self.instance.region_id = int(pk) if kind == "region" else None
        self.instance.town_id = int(pk) if kind == "town" else None
        return cleaned

    def _post_clean(self):
        # The model's rules are the service's to check (with the receivers), all at once.
        pass


@login_required
def assignment_new(request: HttpRequest) -> HttpResponse:
    """Give a task: to towns below a region the user edits for, or to their town's departments."""
    user = request.user
    if not (assigning_regions(user).exists() or assigning_towns(user).exists()):
        raise PermissionDenied(_("You may not assign tasks from anywhere."))
    form = AssignmentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = form.instance
        for name, value in data.items():
            if name in AssignmentForm.Meta.fields:
                setattr(assignment, name, value)
        receivers = [*data["towns"], *data["departments"]]
        try:
            assignment = assignment_create(user=user, assignment=assignment, receivers=receivers)
        except PermissionDenied as error:
            form.add_error("assigner", str(error))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                if field == "receivers":
                    field = "departments" if assignment.town_id else "towns"
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Task given: “%(task)s”.") % {"task": assignment.title})
            return redirect("reports:assignment", pk=assignment.pk)
    return render(
        request,
        "tracker/reports/assignment_form.html",
        {"form": form, "today": reporting_today()},
        status=400 if form.errors else 200,
    )
