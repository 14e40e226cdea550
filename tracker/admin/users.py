"""Accounts, groups, API tokens and sign-in lockouts: superusers' screens only.

A town's staff could otherwise give themselves permissions, make themselves
superusers, or read another town's users' tokens. Accounts are created by a
superuser (or `manage.py create_reporter`); a town's editors then manage
their colleagues' roles on the memberships screen. Sign-in attempts and
lockouts (django-axes) name users and addresses of every town: a superuser
reads them and unlocks a user by deleting their attempts.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken import admin as token_admin
from rest_framework.authtoken.models import TokenProxy

from tracker.admin.base import SuperusersOnlyAdmin

User = get_user_model()

for model in (User, Group, TokenProxy, AccessAttempt, AccessLog, AccessFailureLog):
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


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SuperusersOnlyAdmin, axes_admin.AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(SuperusersOnlyAdmin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SuperusersOnlyAdmin, axes_admin.AccessFailureLogAdmin):
    pass
