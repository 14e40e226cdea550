"""Who may do what where: users' roles in towns, regions and departments.

A town's staff see its memberships; its editors add, change and remove them,
for users who already belong to one of the towns they edit (a superuser
creates accounts and gives a user their first town). Nobody but a superuser
grants a role in a town they do not edit, or any role in a region, so no one
can write themselves into another town.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model

from tracker.access import Action, restrict
from tracker.admin.base import TownScopedAdmin
from tracker.models import Membership


@admin.register(Membership)
class MembershipAdmin(TownScopedAdmin):
    list_display = ["user", "role", "town", "region", "department"]
    list_select_related = ["user", "town", "region", "department"]
    list_filter = ["role", "town", "region"]
    search_fields = ["user__username", "town__name", "region__name"]
    autocomplete_fields = ["user", "town", "region", "department"]

    def get_autocomplete_fields(self, request):
        if request.user.is_superuser:
            return self.autocomplete_fields
        # The users' screen is superusers' only: staff pick from a list of their colleagues.
        return ["town", "department"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Towns, departments and regions are scoped by TownScopedAdmin (a region: superusers).
        if not request.user.is_superuser and db_field.related_model is get_user_model():
            edited = restrict(Membership.objects.all(), request.user, Action.EDIT)
            kwargs["queryset"] = get_user_model().objects.filter(pk__in=edited.values("user_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
