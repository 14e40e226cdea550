"""The reporting cycle: periods, departments' reports and their evidence."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import Action, may
from tracker.admin.base import TownScopedAdmin
from tracker.admin.plans import periods_fill_in
from tracker.choices import Frequency, ReportState
from tracker.evidence import evidence_attach, evidence_check
from tracker.models import (
    EvidenceFile,
    ProgressReport,
    ReportingPeriod,
)
from tracker.workflow import (
    InvalidTransition,
    report_approve,
    report_return,
    report_save,
    report_submit,
)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(TownScopedAdmin):
    list_display = ["label", "plan", "starts_on", "ends_on", "due_on"]
    list_select_related = ["plan__town"]
    list_filter = ["plan__town", "plan__year"]
    search_fields = ["label", "plan__town__name"]
    autocomplete_fields = ["plan"]
    actions = ["generate_monthly", "generate_quarterly"]

    def generate(self, request, queryset, frequency: str) -> None:
        # Each plan by its town's editors only, as on the plans' screen.
        plans = {period.plan for period in queryset.select_related("plan__town")}
        periods_fill_in(request, sorted(plans, key=lambda plan: plan.pk), frequency)

    @admin.action(description=_("Fill in the monthly periods of these periods' plans"))
    def generate_monthly(self, request, queryset):
        self.generate(request, queryset, Frequency.MONTHLY)

    @admin.action(description=_("Fill in the quarterly periods of these periods' plans"))
    def generate_quarterly(self, request, queryset):
        self.generate(request, queryset, Frequency.QUARTERLY)


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = EvidenceFile
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "size") and not self.instance.pk:
            try:
                evidence_check(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["file"]) from error
        return upload


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    form = EvidenceForm
    fields = ["file", "name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        # Evidence goes with a report its department may still change.
        return obj is None or obj.state in (ReportState.DRAFT, ReportState.RETURNED)


@admin.register(ProgressReport)
class ProgressReportAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    """Departments' periodic reports; reviewers approve or return them from the list or the page."""

    list_display = [
        "target",
        "period",
        "department",
        "state",
        "value_plain",
        "milestone_done",
        "submitted_by",
    ]
    list_select_related = ["target__plan__town", "period", "department", "submitted_by"]
    list_filter = ["state", "target__plan__town", "period__plan__year", "department"]
    search_fields = ["target__title", "note", "return_reason"]
    autocomplete_fields = ["target", "period"]
    fields = [
        "target", "period", "value", "milestone_done", "as_of", "note", "evidence_url",
        "state", "department", "return_reason", "submitted_by", "submitted_at",
        "reviewed_by", "reviewed_at", "update",
    ]  # fmt: skip
    readonly_fields = [
        "state", "department", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "update",
    ]  # fmt: skip
    inlines = [EvidenceInline]
    actions = ["submit_selected", "approve_selected"]
    # Drafts are seen by who reports on the target or reviews the town (as in the API);
    # reporters write them, and the workflow checks each step.
    view_action = Action.SEE
    write_action = Action.REPORT
    change_form_template = "admin/tracker/progressreport/change_form.html"

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # a reviewer's approve/return buttons change no field
        # Writes go through the workflow, which checks who may make them.
        saved = report_save(
            user=request.user,
            target=obj.target,
            period=obj.period,
            value=obj.value,
            milestone_done=obj.milestone_done,
            as_of=obj.as_of,
            note=obj.note,
            evidence_url=obj.evidence_url,
        )
        obj.pk, obj.state = saved.pk, saved.state

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            upload = inline_form.cleaned_data.get("file") if inline_form.has_changed() else None
            if upload:
                evidence_attach(report=form.instance, upload=upload, user=request.user)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state not in (ReportState.DRAFT, ReportState.RETURNED):
            return self.plain_readonly(
                [name for name in self.fields if name != "return_reason"] + ["return_reason"]
            )
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        allowed = admin.ModelAdmin.has_change_permission(self, request, obj)
        if not allowed or obj is None:
            return allowed
        return may(request.user, Action.SEE, obj)

    def _run(self, request, step, reports, **kwargs) -> int:
        done = 0
        for report in reports:
            try:
                with transaction.atomic():
                    step(user=request.user, report=report, **kwargs)
                done += 1
            except (InvalidTransition, PermissionDenied, ValidationError) as error:
                messages.error(
                    request, f"{report}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
        return done

    @admin.action(description=_("Submit the selected reports"))
    def submit_selected(self, request, queryset):
        done = self._run(request, report_submit, queryset)
        messages.success(request, _("%(count)s report(s) submitted.") % {"count": done})

    @admin.action(description=_("Approve the selected reports"))
    def approve_selected(self, request, queryset):
        done = self._run(request, report_approve, queryset)
        messages.success(request, _("%(count)s report(s) approved.") % {"count": done})

    def response_change(self, request, obj):
        for button, step, kwargs in (
            ("_submit_report", report_submit, {}),
            ("_approve_report", report_approve, {}),
            ("_return_report", report_return, {"reason": request.POST.get("return_reason", "")}),
        ):
            if button in request.POST:
                if self._run(request, step, [obj], **kwargs):
                    messages.success(
                        request,
                        _("Done: the report is now %(state)s.")
                        % {"state": ProgressReport.objects.get(pk=obj.pk).get_state_display()},
                    )
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
