"""Targets, with progress entered from a target's page, and the updates recorded."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.access import Action, may, may_report, restrict
from tracker.admin.base import (
    PLAIN_NUMBERS,
    OwnTownFilter,
    TownScopedAdmin,
    VersionedAdmin,
    chosen_town_id,
)
from tracker.choices import Status
from tracker.filters import section_subtree_ids
from tracker.models import (
    GoalSection,
    ProgressUpdate,
    Target,
    TargetNode,
    Town,
)
from tracker.models.nodes import schedule_validate
from tracker.reports import presenters
from tracker.reports.charts import STATUS_TONE
from tracker.reports.views import target_story
from tracker.selectors import section_tree, target_ids_with_status, with_first_due
from tracker.services import record_edit
from tracker.submission import KeyReused, Submission, content_of, progress_submit
from tracker.today import reporting_today
from tracker.workflow import InvalidTransition


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() not in Status.values:
            return queryset
        return queryset.filter(
            pk__in=target_ids_with_status(queryset, self.value(), reporting_today())
        )


class SectionTreeFilter(admin.SimpleListFilter):
    """Sections as a tree (indented, in document order) of the chosen town's plans.

    A flat list of every section of every plan is too long to use: the tree is
    offered once one town is chosen (the user's own is chosen by default), and
    a section keeps the targets of the sections below it.
    """

    title = _("section")
    parameter_name = "section"
    max_depth = 2  # top-level sections and two levels below

    def lookups(self, request, model_admin):
        town = chosen_town_id(request)
        if town is None:
            return []
        sections = restrict(
            GoalSection.objects.filter(plan__town_id=town), request.user, Action.STAFF
        )
        year = request.GET.get("plan__year__exact", "")
        if year.isdigit():
            sections = sections.filter(plan__year=int(year))
        by_plan: dict[int, list[GoalSection]] = {}
        for section in sections.select_related("plan"):
            by_plan.setdefault(section.plan.year, []).append(section)
        choices = []
        for year, in_plan in sorted(by_plan.items(), reverse=True):
            prefix = f"{year} · " if len(by_plan) > 1 else ""
            for section, depth in section_tree(in_plan):
                if depth <= self.max_depth:
                    name = f"{section.label}{section.title}"
                    choices.append((str(section.pk), f"{prefix}{'　' * depth}{name}"))
        return choices

    def queryset(self, request, queryset):
        chosen = self.value()
        if not chosen or not chosen.isdigit():
            return queryset
        return queryset.filter(section_id__in=section_subtree_ids(int(chosen)))


class NewProgressForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["as_of", "value", "milestone_done", "note", "evidence_url"]


class _DryRun(Exception):
    """Undo a trial submission: the inline's validation only asks what would happen."""


def _submit(user, target: Target, data: dict) -> Submission:
    return progress_submit(user=user, target=target, **content_of(data))


class NewProgressFormSet(BaseInlineFormSet):
    """Checks a new update against the submission policy, so a refusal is a form error.

    The policy (tracker/submission.py) is run in a savepoint that is rolled
    back: its errors (the department rule, a date no period covers, a period
    already submitted) show on the form, and nothing is written until the
    whole change form is valid and saved.
    """

    user = None  # set per request by NewProgressInline.get_formset

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or form.errors:
                continue
            try:
                with transaction.atomic():
                    _submit(self.user, self.instance, form.cleaned_data)
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    for message in messages_:
                        # The target is the page's, not a field to correct: its errors
                        # (the department rule) go above the form.
                        shown = field if field in NewProgressForm.Meta.fields else None
                        form.add_error(shown, message)
            except (KeyReused, InvalidTransition) as error:
                form.add_error(None, str(error))


class NewProgressInline(admin.StackedInline):
    """One empty form for entering progress from the target's page, through the one policy.

    In a town that reviews progress, a reporter's entry is held for review as
    its period's report, like an entry from the API or the report pages.
    """

    model = ProgressUpdate
    form = NewProgressForm
    formfield_overrides = PLAIN_NUMBERS
    formset = NewProgressFormSet
    verbose_name = _("new progress update")
    verbose_name_plural = _("add a progress update")
    shown_first = True  # the target's page puts it right under the target's story
    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and obj is not None and may_report(request.user, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


class NodeFormSet(BaseInlineFormSet):
    """The schedule as a whole: dates apart, cumulative amounts that never fall."""

    def clean(self):
        super().clean()
        target = self.instance
        if any(form.errors for form in self.forms) or target.pk is None:
            return
        kept = [
            form.instance
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not (self.can_delete and self._should_delete_form(form))
        ]
        schedule_validate(target, kept)


class TargetNodeInline(admin.TabularInline):
    """The target's node schedule (节点目标), edited by the town's editors."""

    model = TargetNode
    formset = NodeFormSet
    formfield_overrides = PLAIN_NUMBERS
    fields = ["due_on", "planned_value", "planned_percent", "name", "done_on"]
    extra = 0

    def _may_edit(self, request, obj) -> bool:
        return obj is not None and may(request.user, Action.EDIT, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


@admin.register(Target)
class TargetAdmin(VersionedAdmin):
    list_display = [
        "title_shown",
        "town",
        "year",
        "section_shown",
        "target_text",
        "progress_bar",
        "latest_as_of",
    ]
    list_display_links = ["title_shown"]
    list_select_related = ["plan__town", "section", "latest_update"]

    def get_queryset(self, request):
        # The status column needs each plan's first report due date (one subquery)
        # and each target's node schedule (one query for the page).
        return with_first_due(super().get_queryset(request)).prefetch_related("nodes")

    list_filter = [
        OwnTownFilter,
        "plan__year",
        "kind",
        StatusFilter,
        ("lead_department", admin.RelatedOnlyFieldListFilter),
        SectionTreeFilter,
        "leader_name",
    ]
    list_per_page = 50
    search_fields = [
        "title", "metric", "quote", "section__title", "plan__town__name", "owner_name",
        "leader_name",
    ]  # fmt: skip
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
                    "progress_basis",
                ]
            },
        ),
        (
            _("Responsibility"),
            {
                "fields": [
                    "deadline",
                    "deadline_text",
                    "starts_on",
                    "is_key",
                    "lead_department",
                    "helping_departments",
                    ("owner_name", "owner_title"),
                    "owner_user",
                    "leader_name",
                ]
            },
        ),
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
    # The recorded updates are the story's history table (and the updates' own list).
    inlines = [TargetNodeInline, NewProgressInline]

    class Media:
        css = {"all": ["tracker/admin.css"]}

    def has_change_permission(self, request, obj=None):
        # Reporters open the target's page to add progress; what they may change
        # on it is limited by get_readonly_fields.
        allowed = admin.ModelAdmin.has_change_permission(self, request, obj)
        if not allowed or obj is None:
            return allowed
        return may(request.user, Action.EDIT, obj) or may_report(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner_user":
            # Only the accounts of the towns this user edits: never every user of the site
            # (Target.clean keeps the one chosen to the target's own town).
            towns = restrict(Town.objects.all(), request.user, Action.EDIT)
            kwargs["queryset"] = (
                get_user_model().objects.filter(memberships__town__in=towns).distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not may(request.user, Action.EDIT, obj):
            return self.plain_readonly(
                name
                for _, options in self.fieldsets
                for line in options["fields"]
                # A line may hold several fields side by side: ("owner_name", "owner_title").
                for name in (line if isinstance(line, tuple) else (line,))
                if name != "seen_version"
            )
        return super().get_readonly_fields(request, obj)

    @admin.display(description=_("town"), ordering="plan__town__name")
    def town(self, obj: Target):
        return obj.plan.town

    @admin.display(description=_("year"), ordering="plan__year")
    def year(self, obj: Target):
        return obj.plan.year

    @admin.display(description=_("title"), ordering="title")
    def title_shown(self, obj: Target):
        # Two lines at most in the list; the whole title on hover and on the target's page.
        return format_html('<span class="pt-clip2" title="{}">{}</span>', obj.title, obj.title)

    @admin.display(description=_("section"), ordering="section__position")
    def section_shown(self, obj: Target):
        section = obj.section
        if section is None:
            return "—"
        name = f"{section.label}{section.title}"
        return format_html('<span class="pt-clip2" title="{}">{}</span>', name, name)

    @admin.display(description=_("target"))
    def target_text(self, obj: Target) -> str:
        return presenters.target_text(obj)

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: Target) -> str:
        assessment = obj.assess(reporting_today())
        percent = assessment.percent
        shown = presenters.percent_text(percent) or "—"
        # <progress> needs no inline style, so it works under a strict CSP.
        return format_html(
            '<span class="pt-progress"><progress class="pt-{}" max="100" value="{}">{}</progress>'
            ' <span class="pt-progress-text">{} · {}</span></span>',
            STATUS_TONE[assessment.status],
            0 if percent is None else min(100, int(percent)),
            shown,
            shown,
            assessment.status.label,
        )

    @admin.display(description=_("as of"), ordering="latest_update__as_of")
    def latest_as_of(self, obj: Target):
        return obj.latest_update.as_of if obj.latest_update else "—"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # The target's story, from the report page's own function (no second copy).
            context["story"] = target_story(obj, reporting_today())
            context["comparison_words"] = presenters.met_text(obj)
            context["has_progress_entry"] = any(
                getattr(inline.opts, "shown_first", False)
                for inline in context.get("inline_admin_formsets", [])
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is TargetNode:
            saved = formset.save(commit=False)  # (and the lists the change message reads)
            for node in saved:
                node.created_by = node.created_by or request.user
                node.updated_by = request.user
                node.save()
            for node in formset.deleted_objects:
                node.delete()
            if (saved or formset.deleted_objects) and not form.has_changed():
                # The schedule is part of the target: its version moves on with it
                # (save_model did so already if the target's own fields changed).
                record_edit(
                    instance=form.instance, changes={}, expected_version=None,
                    user=request.user, touch=True,
                )  # fmt: skip
            return None
        if formset.model is not ProgressUpdate:
            return super().save_formset(request, form, formset, change)
        # New progress goes through the one submission policy: recorded, or
        # held for review as its period's report (NewProgressFormSet checked it).
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.is_valid():
                continue
            done = _submit(request.user, form.instance, inline_form.cleaned_data)
            if done.held:
                messages.success(
                    request,
                    _(
                        "Submitted for review as the report for %(period)s: "
                        "it counts once a reviewer approves it."
                    )
                    % {"period": done.report.period.label},
                )
            else:
                messages.success(request, _("Progress update recorded."))
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(TownScopedAdmin):
    """Every update ever recorded. They are read here; they are added from a target's page."""

    list_display = [
        "target", "as_of", "value_plain", "milestone_done", "reported_by", "reported_at",
    ]  # fmt: skip
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
