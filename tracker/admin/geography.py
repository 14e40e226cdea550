"""Regions, towns and their departments."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker.admin.base import TownScopedAdmin
from tracker.models import (
    Department,
    Region,
    Town,
)


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
