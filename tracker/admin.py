"""The staff's data-entry screens: plans, sections, targets and progress."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import scope_for
from tracker.choices import Frequency, ReportState, Status
from tracker.evidence import evidence_attach, evidence_check
from tracker.models import (
    Department,
    EvidenceFile,
    GoalSection,
    Membership,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    SourceDocument,
    Target,
    Town,
)
from tracker.selectors import target_ids_with_status
from tracker.services import progress_record
from tracker.workflow import (
    InvalidTransition,
    may_report,
    may_review,
    periods_generate,
    report_approve,
    report_return,
    report_save,
    report_submit,
)

admin.site.site_header = _("Plan tracker")
admin.site.site_title = _("Plan tracker")
admin.site.index_title = _("Data entry")

STATUS_CSS = {
    Status.ACHIEVED: "achieved",
    Status.ON_TRACK: "on-track",
    Status.AT_RISK: "at-risk",
    Status.BEHIND: "behind",
    Status.NOT_STARTED: "not-started",
    Status.NO_DATA: "no-data",
}


# How each model reaches its town: the admin shows staff only their towns' rows.
TOWN_FIELD = {
    Town: None,
    Department: "town",
    Plan: "town",
    GoalSection: "plan__town",
    Target: "plan__town",
    ProgressUpdate: "target__plan__town",
    ReportingPeriod: "plan__town",
    ProgressReport: "target__plan__town",
}


def town_id_of(obj) -> int | None:
    path = TOWN_FIELD.get(type(obj), "")
    if path is None:
        return obj.pk
    for part in path.split("__"):
        obj = getattr(obj, part, None)
    return obj.pk if obj is not None else None


class TownScopedAdmin(admin.ModelAdmin):
    """Staff see their own towns' records, and change them only as the town's editors.

    The same scoping applies to foreign-key choices and to autocomplete (which
    reads the related model admin's get_queryset). Superusers see everything.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(scope_for(request.user).towns(TOWN_FIELD[self.model]))

    def scoped_choices(self, request, model):
        if model not in TOWN_FIELD:
            return None
        return model._default_manager.filter(scope_for(request.user).towns(TOWN_FIELD[model]))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_edit(town_id_of(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_edit(town_id_of(obj))


class VersionCheckedForm(forms.ModelForm):
    """Refuses to save over a change someone else made after this form was opened."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(
                _(
                    "Someone else changed this record while you were editing it. "
                    "Reload the page to see their change, then make yours again."
                )
            )
        return cleaned


class VersionedAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    """Stamps who changed a record and moves its version on with every save."""

    form = VersionCheckedForm

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # e.g. a reporter who only added progress on the target's page
        if change:
            obj.version += 1
            obj.updated_by = request.user
        else:
            obj.created_by = obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "level", "parent", "slug"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Town)
class TownAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "name_en", "kind", "region", "slug"]
    list_select_related = ["region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["region"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Department)
class DepartmentAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "town", "email"]
    list_select_related = ["town"]
    list_filter = ["town"]
    search_fields = ["name", "name_en", "town__name"]
    autocomplete_fields = ["town"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "filename"]
    search_fields = ["title", "publisher", "text"]
    readonly_fields = ["digest", "created_at"]


class SectionInline(admin.TabularInline):
    model = GoalSection
    fields = ["position", "parent", "label", "title", "grouping"]
    autocomplete_fields = ["parent"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(VersionedAdmin):
    list_display = ["__str__", "town", "year", "title", "status"]
    list_select_related = ["town"]
    list_filter = ["year", "status", "town"]
    search_fields = ["title", "theme", "town__name"]
    autocomplete_fields = ["town"]
    filter_horizontal = ["documents"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at", "updated_by"]
    inlines = [SectionInline]


@admin.register(GoalSection)
class GoalSectionAdmin(VersionedAdmin):
    list_display = ["__str__", "plan", "parent", "grouping", "position"]
    list_select_related = ["plan__town", "parent"]
    list_filter = ["plan__year", "plan__town"]
    search_fields = ["title", "label", "grouping", "plan__town__name"]
    autocomplete_fields = ["plan", "parent", "source_document"]
    readonly_fields = ["version", "created_at", "created_by", "updated_at", "updated_by"]


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() not in Status.values:
            return queryset
        return queryset.filter(
            pk__in=target_ids_with_status(queryset, self.value(), timezone.localdate())
        )


class ProgressHistoryInline(admin.TabularInline):
    """The updates already recorded: shown, never changed or removed."""

    model = ProgressUpdate
    verbose_name_plural = _("recorded progress (read-only)")
    fields = [
        "as_of",
        "value",
        "milestone_done",
        "note",
        "evidence_url",
        "reported_by",
        "reported_at",
    ]
    readonly_fields = fields
    ordering = ["-as_of", "-id"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NewProgressForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["as_of", "value", "milestone_done", "note", "evidence_url"]


class NewProgressInline(admin.StackedInline):
    """One empty form for entering a new update from the target's page."""

    model = ProgressUpdate
    form = NewProgressForm
    verbose_name = _("new progress update")
    verbose_name_plural = _("add a progress update")
    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and obj is not None and scope_for(request.user).can_report(obj.plan.town_id)


@admin.register(Target)
class TargetAdmin(VersionedAdmin):
    list_display = [
        "title",
        "town",
        "year",
        "section",
        "target_text",
        "progress_bar",
        "latest_as_of",
    ]
    list_select_related = ["plan__town", "section", "latest_update"]
    list_filter = [
        "plan__town",
        "plan__year",
        "kind",
        StatusFilter,
        ("lead_department", admin.RelatedOnlyFieldListFilter),
        ("section", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "metric", "quote", "section__title", "plan__town__name"]
    autocomplete_fields = [
        "plan",
        "section",
        "lead_department",
        "helping_departments",
        "source_document",
    ]
    readonly_fields = [
        "version",
        "latest_update",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    fieldsets = [
        (None, {"fields": ["plan", "section", "position", "title", "metric", "kind"]}),
        (
            _("Quantity"),
            {
                "fields": [
                    "comparison",
                    "value",
                    "value_max",
                    "unit",
                    "is_growth",
                    "is_stretch",
                    "baseline",
                ]
            },
        ),
        (_("Responsibility"), {"fields": ["deadline", "lead_department", "helping_departments"]}),
        (_("Provenance"), {"fields": ["source_document", "quote"]}),
        (
            _("Record"),
            {
                "fields": [
                    "latest_update",
                    "version",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                ]
            },
        ),
        (None, {"fields": ["seen_version"], "classes": ["hidden"]}),
    ]
    inlines = [NewProgressInline, ProgressHistoryInline]

    class Media:
        css = {"all": ["tracker/admin.css"]}

    def has_change_permission(self, request, obj=None):
        # Reporters open the target's page to add progress; what they may change
        # on it is limited by get_readonly_fields.
        allowed = admin.ModelAdmin.has_change_permission(self, request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_report(obj.plan.town_id)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not scope_for(request.user).can_edit(obj.plan.town_id):
            return [
                name
                for _, options in self.fieldsets
                for name in options["fields"]
                if name != "seen_version"
            ]
        return super().get_readonly_fields(request, obj)

    @admin.display(description=_("town"), ordering="plan__town__name")
    def town(self, obj: Target):
        return obj.plan.town

    @admin.display(description=_("year"), ordering="plan__year")
    def year(self, obj: Target):
        return obj.plan.year

    @admin.display(description=_("target"))
    def target_text(self, obj: Target) -> str:
        if obj.value is None:
            return _("milestone")
        upper = f"–{obj.value_max.normalize():f}" if obj.value_max is not None else ""
        return (
            f"{obj.get_comparison_display().split()[0]} {obj.value.normalize():f}{upper} {obj.unit}"
        )

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: Target) -> str:
        assessment = obj.assess()
        percent = assessment.percent
        width = 0 if percent is None else min(100, int(percent))
        shown = "—" if percent is None else f"{percent}%"
        return format_html(
            '<span class="pt-bar pt-{}" title="{}"><span style="width:{}%"></span></span> {} · {}',
            STATUS_CSS[assessment.status],
            assessment.status.label,
            width,
            shown,
            assessment.status.label,
        )

    @admin.display(description=_("as of"), ordering="latest_update__as_of")
    def latest_as_of(self, obj: Target):
        return obj.latest_update.as_of if obj.latest_update else "—"

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgressUpdate:
            return super().save_formset(request, form, formset, change)
        # New updates go through the service, which appends and moves the
        # target's latest update in one transaction.
        with transaction.atomic():
            for inline_form in formset.forms:
                if not inline_form.has_changed() or not inline_form.is_valid():
                    continue
                data = inline_form.cleaned_data
                progress_record(
                    target=form.instance,
                    as_of=data["as_of"],
                    value=data.get("value"),
                    milestone_done=data.get("milestone_done"),
                    note=data.get("note", ""),
                    evidence_url=data.get("evidence_url", ""),
                    reported_by=request.user,
                )
                messages.success(request, _("Progress update recorded."))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(TownScopedAdmin):
    """Every update ever recorded. They are read here; they are added from a target's page."""

    list_display = ["target", "as_of", "value", "milestone_done", "reported_by", "reported_at"]
    list_select_related = ["target", "reported_by"]
    list_filter = ["target__plan__town", "target__plan__year", "as_of"]
    search_fields = ["target__title", "note"]
    date_hierarchy = "as_of"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "town", "region", "department"]
    list_select_related = ["user", "town", "region", "department"]
    list_filter = ["role", "town", "region"]
    search_fields = ["user__username", "town__name", "region__name"]
    autocomplete_fields = ["user", "town", "region", "department"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(TownScopedAdmin):
    list_display = ["label", "plan", "starts_on", "ends_on", "due_on"]
    list_select_related = ["plan__town"]
    list_filter = ["plan__town", "plan__year"]
    search_fields = ["label", "plan__town__name"]
    autocomplete_fields = ["plan"]
    actions = ["generate_monthly", "generate_quarterly"]

    def generate(self, request, queryset, frequency: str) -> None:
        plans = {period.plan for period in queryset.select_related("plan")}
        for plan in plans:
            periods_generate(plan=plan, frequency=frequency)
        messages.success(
            request, _("Periods filled in for %(count)s plan(s).") % {"count": len(plans)}
        )

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


@admin.register(ProgressReport)
class ProgressReportAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    """Departments' periodic reports; reviewers approve or return them from the list or the page."""

    list_display = [
        "target",
        "period",
        "department",
        "state",
        "value",
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
            return [name for name in self.fields if name != "return_reason"] + ["return_reason"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        allowed = admin.ModelAdmin.has_change_permission(self, request, obj)
        if not allowed or obj is None:
            return allowed
        return may_report(request.user, obj.target) or may_review(request.user, obj)

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
