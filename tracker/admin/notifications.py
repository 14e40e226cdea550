"""Where a town's notifications go, and the 催办 sent (read-only: chases are sent from /duban/)."""

from django.contrib import admin

from tracker.admin.base import TownScopedAdmin
from tracker.models import Chase, NotificationChannel


@admin.register(NotificationChannel)
class NotificationChannelAdmin(TownScopedAdmin):
    list_display = ["name", "town", "kind", "address", "attempts", "is_active"]
    list_select_related = ["town"]
    list_filter = ["kind", "is_active", "town"]
    search_fields = ["name", "address", "town__name"]
    autocomplete_fields = ["town"]


@admin.register(Chase)
class ChaseAdmin(TownScopedAdmin):
    list_display = ["target", "department", "period", "sent_by", "sent_at", "reason"]
    list_select_related = ["target__plan__town", "department", "period", "sent_by"]
    list_filter = ["target__plan__town", "sent_at"]
    search_fields = ["target__title", "department__name", "reason"]
    readonly_fields = [
        "target",
        "department",
        "period",
        "sent_by",
        "sent_at",
        "reason",
        "deliveries",
    ]

    def has_add_permission(self, request):
        return False  # a chase is sent from the 督办 page, which notifies the department

    def has_change_permission(self, request, obj=None):
        return False
