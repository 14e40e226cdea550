"""Source documents, plans and their goal sections."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.access import Action, may
from tracker.admin.base import ScopedChoices, TownScopedAdmin, VersionedAdmin
from tracker.choices import Frequency
from tracker.models import (
    GoalSection,
    Plan,
    SourceDocument,
)
from tracker.workflow import periods_generate


def periods_fill_in(request, plans, frequency: str) -> None:
    """The admin actions that fill in plans' periods: each plan only by its town's editors."""
    done = 0
    for plan in plans:
        if not may(request.user, Action.EDIT, plan):
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


@admin.register(SourceDocument)
class SourceDocumentAdmin(TownScopedAdmin):
    """The texts quotes come from: a town's staff see the documents its plans and imports use.

    A document two towns use is changed only by someone who edits both; one
    no plan or import uses yet belongs to whoever added it.
    """

    list_display = ["title", "publisher", "published_on", "filename"]
    search_fields = ["title", "publisher", "text"]
    readonly_fields = ["digest", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class SectionInline(ScopedChoices, admin.TabularInline):
    model = GoalSection
    fields = ["position", "parent", "label", "title", "grouping"]
    autocomplete_fields = ["parent"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(VersionedAdmin):
    list_display = ["__str__", "town", "year", "title", "status", "is_demo"]
    list_select_related = ["town"]
    list_filter = ["year", "status", "is_demo", "town"]
    search_fields = ["title", "theme", "town__name"]
    autocomplete_fields = ["town"]
    filter_horizontal = ["documents"]
    readonly_fields = [
        "version", "created_at", "created_by", "updated_at", "updated_by", "task_breakdown",
    ]  # fmt: skip
    inlines = [SectionInline]
    actions = ["generate_monthly_periods", "generate_quarterly_periods", "export_breakdown"]

    @admin.display(description=_("task breakdown (任务分解表)"))
    def task_breakdown(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        page = reverse("reports:breakdown", args=[obj.town.slug, obj.year])
        return format_html(
            '<a href="{}?download=1">{}</a> · <a href="{}">{}</a>',
            page,
            _("Download (Excel)"),
            page,
            _("Import a breakdown (preview first)"),
        )

    @admin.action(description=_("Download the task breakdown (Excel)"))
    def export_breakdown(self, request, queryset):
        from tracker.api.ledger_views import xlsx_download
        from tracker.ledgers.breakdown import breakdown_export

        plans = list(queryset.select_related("town")[:2])
        if len(plans) != 1:
            messages.error(request, _("Choose one plan to download its task breakdown."))
            return None
        (plan,) = plans
        if not may(request.user, Action.READ, plan):
            messages.error(request, _("You may not read this plan."))
            return None
        return xlsx_download(
            breakdown_export(plan), f"{plan.town.name}{plan.year}{_('task breakdown')}.xlsx"
        )

    def _generate_periods(self, request, plans, frequency: str) -> None:
        periods_fill_in(request, plans, frequency)

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
