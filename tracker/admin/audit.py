"""The admin's own log of who added, changed and deleted what: superusers' screen, read only.

A town's staff read their records' changes with each record's History button
(django-simple-history, scoped by tracker.access). This log names rows of every
town and has no path to a town, so only superusers see it.
"""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from tracker.admin.base import SuperusersOnlyAdmin


@admin.register(LogEntry)
class LogEntryAdmin(SuperusersOnlyAdmin):
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag"]
    list_select_related = ["user", "content_type"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
