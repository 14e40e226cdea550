"""The staff's data-entry screens: plans, sections, targets and progress."""

from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import scope_for
from tracker.choices import Frequency, ReportState, Role, Status
from tracker.evidence import evidence_attach, evidence_check
from tracker.extraction.decoding import MAX_BYTES as MAX_DOCUMENT_BYTES
from tracker.importing import (
    candidate_quote_relocate,
    candidates_accept,
    candidates_reject,
    plan_import_create,
)
from tracker.models import (
    Decision,
    Department,
    EvidenceFile,
    GoalSection,
    Membership,
    Plan,
    PlanImport,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    SectionCandidate,
    SourceDocument,
    Target,
    TargetCandidate,
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

    # simple-history's history pages fall back to an object's historical records
    # when the queryset does not hold it (meant for deleted objects), which would
    # show another town's records: the scope is asked first.
    def history_view(self, request, object_id, extra_context=None):
        self._check_history_in_scope(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_in_scope(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_history_in_scope(self, request, object_id: str) -> None:
        scope = scope_for(request.user)
        if scope.everything:
            return
        try:
            if self.get_queryset(request).filter(pk=object_id).exists():
                return
            if self.model._default_manager.filter(pk=object_id).exists():
                raise Http404  # another town's
        except (ValueError, ValidationError):
            raise Http404 from None
        record = (
            self.model.history.filter(**{self.model._meta.pk.attname: object_id})
            .order_by("-history_date")
            .first()
        )
        try:
            town_id = town_id_of(record.instance) if record is not None else None
        except ObjectDoesNotExist:
            town_id = None  # its town's rows are gone too
        if town_id is None or not Town.objects.filter(scope.towns(), pk=town_id).exists():
            raise Http404


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
    actions = ["generate_monthly_periods", "generate_quarterly_periods"]

    def _generate_periods(self, request, plans, frequency: str) -> None:
        scope, done = scope_for(request.user), 0
        for plan in plans:
            if not scope.can_edit(plan.town_id):
                messages.error(
                    request, _("%(plan)s: its town's editors add its periods.") % {"plan": plan}
                )
                continue
            periods_generate(plan=plan, frequency=frequency)
            done += 1
        if done:
            messages.success(
                request, _("Reporting periods filled in for %(count)s plan(s).") % {"count": done}
            )

    @admin.action(description=_("Fill in the monthly reporting periods"))
    def generate_monthly_periods(self, request, queryset):
        self._generate_periods(request, queryset, Frequency.MONTHLY)

    @admin.action(description=_("Fill in the quarterly reporting periods"))
    def generate_quarterly_periods(self, request, queryset):
        self._generate_periods(request, queryset, Frequency.QUARTERLY)


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


# --- Plan imports: upload a document, review what it proposes, accept or reject ---

TOWN_FIELD[PlanImport] = "town"

# Candidates per page on the review screen, each kind: a page of rows must stay
# under DATA_UPLOAD_MAX_NUMBER_FIELDS (1000) when it is posted back.
REVIEW_PAGE_SIZE = 40
REVIEW_PAGE_PARAM = "candidates_page"


class Mark(NamedTuple):
    start: int
    end: int
    id: str
    css: str
    title: str


def document_with_marks(text: str, marks: list[Mark]) -> str:
    """The document as safe HTML with each quote in a <mark>, placed by its offsets.

    Every piece of text is escaped. Quotes may overlap (two figures in one
    sentence, a milestone inside a heading): the text is cut at every start
    and end, and each piece is marked for every quote that covers it. A
    quote's id sits on the mark where it starts, so "#quote-t-12" scrolls to it.
    """
    size = len(text)
    opening: dict[int, list[Mark]] = {}
    points = {0, size}
    for mark in marks:
        start, end = min(max(mark.start, 0), size), min(max(mark.end, 0), size)
        mark = mark._replace(start=start, end=max(start, end))
        opening.setdefault(start, []).append(mark)
        points.update((start, mark.end))
    cuts = sorted(points)
    active: list[Mark] = []
    pieces: list[str] = []
    for here, following in zip(cuts, cuts[1:] + [size], strict=True):
        active = [mark for mark in active if mark.end > here]
        starting = sorted(opening.get(here, []), key=lambda m: -m.end)
        # A quote of no length still gets its anchor.
        for mark in starting:
            if mark.end == mark.start:
                pieces.append(format_html('<mark id="{}" class="{}"></mark>', mark.id, mark.css))
        starting = [mark for mark in starting if mark.end > mark.start]
        for mark in starting[1:]:
            pieces.append(format_html('<mark id="{}" class="{}"></mark>', mark.id, mark.css))
        active += starting
        piece = text[here:following]
        if not piece:
            continue
        if not active:
            pieces.append(escape(piece))
            continue
        innermost = min(active, key=lambda m: m.end - m.start)
        css = innermost.css + (" pt-overlap" if len(active) > 1 else "")
        pieces.append(
            format_html(
                '<mark{} class="{}" title="{}">{}</mark>',
                format_html(' id="{}"', starting[0].id) if starting else "",
                css,
                " · ".join(mark.title for mark in active),
                piece,
            )
        )
    return mark_safe("".join(pieces))  # every piece is escaped above


def review_page(request) -> int:
    raw = request.GET.get(REVIEW_PAGE_PARAM, "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


class CandidateForm(forms.ModelForm):
    """A candidate's row: what the reviewer may correct, and a box to choose it."""

    selected = forms.BooleanField(label=_("choose"), required=False)
    document_text = ""  # set per import by CandidateInline.get_formset

    def clean(self):
        cleaned = super().clean()
        edited = [name for name in self.changed_data if name != "selected"]
        if edited and self.instance.pk and self.instance.created_id:
            raise ValidationError(_("This candidate was accepted: change what it created instead."))
        return cleaned


def _as_typed(quote: str | None) -> str:
    return (quote or "").replace("\r\n", "\n").strip()


class QuoteField(forms.CharField):
    """A quote in a textarea. Browsers send its line breaks back as CRLF: not an edit."""

    def has_changed(self, initial, data):
        return _as_typed(initial) != _as_typed(self.to_python(data))


class TargetCandidateForm(CandidateForm):
    quote = QuoteField(
        label=_("source quote"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 28}),
    )

    class Meta:
        model = TargetCandidate
        fields = [
            "title", "metric", "target_kind", "comparison", "value", "value_max", "unit",
            "is_growth", "is_stretch", "deadline", "quote",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"size": 16}),
            "metric": forms.TextInput(attrs={"size": 16}),
            "unit": forms.TextInput(attrs={"size": 4}),
            "value": forms.NumberInput(attrs={"style": "width: 6em"}),
            "value_max": forms.NumberInput(attrs={"style": "width: 6em"}),
        }

    def clean_quote(self):
        quote = self.cleaned_data["quote"]
        if not self.fields["quote"].has_changed(self.instance.quote, quote):
            return self.instance.quote
        # As typed, or with the browser's CRLF line breaks put back to the document's LF.
        for variant in dict.fromkeys((quote, quote.replace("\r\n", "\n"))):
            try:
                candidate_quote_relocate(
                    candidate=self.instance, quote=variant, text=self.document_text
                )
            except ValidationError as error:
                refused = error
            else:
                return self.instance.quote
        raise ValidationError(refused.message_dict["quote"])


class SectionCandidateForm(CandidateForm):
    class Meta:
        model = SectionCandidate
        fields = ["label", "title", "grouping"]
        widgets = {
            "label": forms.TextInput(attrs={"size": 4}),
            "title": forms.TextInput(attrs={"size": 36}),
            "grouping": forms.TextInput(attrs={"size": 10}),
        }


class CandidateInline(admin.TabularInline):
    """One page of an import's candidates, editable by the town's editors until accepted."""

    extra = 0
    can_delete = False
    related: list[str] = []
    created_admin = ""  # the admin of what an accepted candidate created
    anchor = ""  # the id prefix of its quote's <mark>

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(*self.related)
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        if object_id is None or not str(object_id).isdigit():
            return queryset
        first = (review_page(request) - 1) * REVIEW_PAGE_SIZE
        page = (
            self.model.objects.filter(plan_import_id=int(object_id))
            .order_by("position", "id")
            .values("pk")[first : first + REVIEW_PAGE_SIZE]
        )
        return queryset.filter(pk__in=page)

    def get_formset(self, request, obj=None, **kwargs):
        text = obj.source_document.text if obj is not None else ""
        kwargs["form"] = type(self.form.__name__, (self.form,), {"document_text": text})
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_edit(obj.town_id)

    @admin.display(description=_("in the document"))
    def in_document(self, obj) -> str:
        if obj.end <= obj.start:
            return "—"
        return format_html('<a href="#{}-{}">{}</a>', self.anchor, obj.pk, _("show"))

    @admin.display(description=_("created"))
    def created(self, obj) -> str:
        if not obj.created_id:
            return "—"
        url = reverse(f"admin:tracker_{self.created_admin}_change", args=[obj.created_id])
        return format_html('<a href="{}">{}</a>', url, _("open"))


class SectionCandidateInline(CandidateInline):
    model = SectionCandidate
    form = SectionCandidateForm
    related = ["parent"]
    created_admin = "goalsection"
    anchor = "quote-s"
    fields = [
        "selected", "position", "decision", "under", "label", "title", "grouping",
        "in_document", "created",
    ]  # fmt: skip
    readonly_fields = ["position", "decision", "under", "in_document", "created"]

    @admin.display(description=_("under"))
    def under(self, obj: SectionCandidate) -> str:
        return str(obj.parent) if obj.parent_id else "—"


class TargetCandidateInline(CandidateInline):
    model = TargetCandidate
    form = TargetCandidateForm
    related = ["section_candidate"]
    created_admin = "target"
    anchor = "quote-t"
    fields = [
        "selected", "position", "kind", "decision", "in_section", "title", "metric", "target_kind",
        "comparison", "value", "value_max", "unit", "is_growth", "is_stretch", "deadline",
        "quote", "in_document", "created",
    ]  # fmt: skip
    readonly_fields = ["position", "kind", "decision", "in_section", "in_document", "created"]

    @admin.display(description=_("section"))
    def in_section(self, obj: TargetCandidate) -> str:
        section = obj.section_candidate
        if section is None:
            return "—"
        # The label keeps the column narrow; the heading is in the tooltip.
        return format_html(
            '<span title="{}">{}</span>', section, section.label or section.title[:8]
        )


class PlanImportUploadForm(forms.Form):
    document = forms.FileField(
        label=_("document"),
        allow_empty_file=True,  # the extractor says what is wrong with an empty file
        help_text=_("Plain text, Markdown or HTML, in UTF-8 or GB18030; at most 10 MB."),
    )
    town = forms.ModelChoiceField(label=_("town"), queryset=Town.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["year"].initial = timezone.localdate().year

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            # Refused before it is read into memory.
            raise ValidationError(
                _("The document is too large: %(size)s bytes; the limit is 10 MB.")
                % {"size": f"{upload.size:,}"}
            )
        return upload


@admin.register(PlanImport)
class PlanImportAdmin(TownScopedAdmin):
    """Upload a document (the add page), then review its candidates on the import's page."""

    list_display = [
        "__str__", "town", "year", "state", "target_count", "pending_count", "accepted_count",
        "created_by", "created_at",
    ]  # fmt: skip
    list_select_related = ["town", "created_by"]
    list_filter = ["state", "year", "town"]
    search_fields = ["filename", "town__name", "source_document__title"]
    fields = ["source_document", "town", "year", "plan", "filename", "state", "created_by"]
    readonly_fields = fields
    inlines = [SectionCandidateInline, TargetCandidateInline]
    change_form_template = "admin/tracker/planimport/change_form.html"
    upload_template = "admin/tracker/planimport/upload.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("town", "created_by")
        match = request.resolver_match
        if match and match.url_name == "tracker_planimport_changelist":
            pending, accepted = (
                Q(target_candidates__decision=decision)
                for decision in (Decision.PENDING, Decision.ACCEPTED)
            )
            return queryset.annotate(
                targets=Count("target_candidates"),
                pending=Count("target_candidates", filter=pending),
                accepted=Count("target_candidates", filter=accepted),
            )
        return queryset.select_related("source_document", "plan")

    @admin.display(description=_("target candidates"), ordering="targets")
    def target_count(self, obj) -> int:
        return obj.targets

    @admin.display(description=_("to review"), ordering="pending")
    def pending_count(self, obj) -> int:
        return obj.pending

    @admin.display(description=_("accepted"), ordering="accepted")
    def accepted_count(self, obj) -> int:
        return obj.accepted

    def has_add_permission(self, request):
        return super().has_add_permission(request) and scope_for(request.user).edits_anywhere()

    def add_view(self, request, form_url="", extra_context=None):
        """The upload page: a document, a town and a year become an import to review."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        scope = scope_for(request.user)
        towns = Town.objects.all()
        if not scope.everything:
            towns = towns.filter(pk__in=scope.towns_with(Role.EDITOR))
        if request.method == "POST":
            form = PlanImportUploadForm(request.POST, request.FILES, towns=towns)
        else:
            form = PlanImportUploadForm(towns=towns)
        if form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                plan_import = plan_import_create(
                    data=upload.read(),
                    filename=upload.name,
                    town=form.cleaned_data["town"],
                    year=form.cleaned_data["year"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error("document", " ".join(error.messages))
            else:
                if plan_import.created:
                    self.log_addition(request, plan_import, [{"added": {}}])
                    messages.success(request, _("Imported: review the candidates below."))
                else:
                    messages.info(
                        request,
                        _("This document was imported for that town and year before: here it is."),
                    )
                return HttpResponseRedirect(
                    reverse("admin:tracker_planimport_change", args=[plan_import.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a plan document"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.upload_template, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, obj: PlanImport) -> dict:
        marks = [
            Mark(start, end, f"quote-s-{pk}", f"pt-section pt-{decision}", f"§{position}")
            for pk, position, start, end, decision in obj.section_candidates.values_list(
                "pk", "position", "start", "end", "decision"
            )
        ]
        sections = len(marks)
        decisions: dict[str, int] = {}
        for pk, position, start, end, kind, decision in obj.target_candidates.values_list(
            "pk", "position", "start", "end", "kind", "decision"
        ):
            marks.append(
                Mark(start, end, f"quote-t-{pk}", f"pt-{kind} pt-{decision}", f"#{position}")
            )
            decisions[decision] = decisions.get(decision, 0) + 1
        targets = len(marks) - sections
        pages = max(1, -(-max(sections, targets) // REVIEW_PAGE_SIZE))
        return {
            "document_html": document_with_marks(obj.source_document.text, marks),
            "review_page": review_page(request),
            "review_pages": range(1, pages + 1),
            "review_page_param": REVIEW_PAGE_PARAM,
            "review_counts": {
                "sections": sections,
                "targets": targets,
                **{decision: decisions.get(decision, 0) for decision in Decision.values},
            },
        }

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # Remember the ticked rows for response_change, which runs after every save.
        chosen = request.__dict__.setdefault("_chosen_candidates", {})
        chosen[formset.model] = [
            row.instance for row in formset.forms if row.cleaned_data.get("selected")
        ]

    def response_change(self, request, obj):
        for button, verb in (("_accept_selected", "accept"), ("_reject_selected", "reject")):
            if button not in request.POST:
                continue
            chosen = getattr(request, "_chosen_candidates", {})
            targets = chosen.get(TargetCandidate, [])
            sections = chosen.get(SectionCandidate, [])
            if not targets and not sections:
                messages.warning(request, _("Tick the candidates to accept or reject first."))
                return HttpResponseRedirect(request.get_full_path())
            try:
                if verb == "accept":
                    done = candidates_accept(
                        plan_import=obj,
                        target_candidates=targets,
                        section_candidates=sections,
                        user=request.user,
                    )
                    messages.success(
                        request,
                        _("Accepted: %(sections)s section(s) and %(targets)s target(s) created.")
                        % {"sections": len(done.sections), "targets": len(done.targets)},
                    )
                else:
                    count = candidates_reject(
                        plan_import=obj,
                        target_candidates=targets,
                        section_candidates=sections,
                        user=request.user,
                    )
                    messages.success(
                        request, _("%(count)s candidate(s) rejected.") % {"count": count}
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)
