"""Regions, towns and their departments."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker.admin.base import SuperuserWritesAdmin, TownScopedAdmin
from tracker.models import (
    Department,
    Region,
    Town,
)


@admin.register(Region)
class RegionAdmin(SuperuserWritesAdmin):
    """The region tree is everyone's to read (as in the API) and superusers' to change."""

    list_display = ["name", "name_en", "level", "parent", "slug"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Town)
class TownAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    """A town's editors change its details; superusers add, remove and move towns.

    The region is not the town's to change: it decides who supervises the town.
    """

    list_display = ["name", "name_en", "kind", "region", "slug"]
    list_select_related = ["region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["region"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "region"]

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "town", "email", "is_demo"]
    list_select_related = ["town"]
    list_filter = ["is_demo", "town"]
    search_fields = ["name", "name_en", "town__name"]
    autocomplete_fields = ["town"]
