"""Who may do what where: users' roles in towns, regions and departments."""

from django.contrib import admin

from tracker.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "town", "region", "department"]
    list_select_related = ["user", "town", "region", "department"]
    list_filter = ["role", "town", "region"]
    search_fields = ["user__username", "town__name", "region__name"]
    autocomplete_fields = ["user", "town", "region", "department"]
