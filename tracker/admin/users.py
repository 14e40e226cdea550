"""Accounts, groups and API tokens: superusers' screens only.

A town's staff could otherwise give themselves permissions, make themselves
superusers, or read another town's users' tokens. Accounts are created by a
superuser (or `manage.py create_reporter`); a town's editors then manage
their colleagues' roles on the memberships screen.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken import admin as token_admin
from rest_framework.authtoken.models import TokenProxy

from tracker.admin.base import SuperusersOnlyAdmin

User = get_user_model()

for model in (User, Group, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(SuperusersOnlyAdmin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(SuperusersOnlyAdmin, auth_admin.GroupAdmin):
    pass


@admin.register(TokenProxy)
class TokenAdmin(SuperusersOnlyAdmin, token_admin.TokenAdmin):
    pass
