"""Source documents, plans and their goal sections."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tracker.access import scope_for
from tracker.admin.base import VersionedAdmin
from tracker.choices import Frequency
from tracker.models import (
    GoalSection,
    Plan,
    SourceDocument,
)
from tracker.workflow import periods_generate


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
