"""Signing in: failed attempts counted per user and per address, and a lockout that says so.

django-axes (a maintained Jazzband package) counts the failures of every
login form that goes through `django.contrib.auth.authenticate()`: the
site's /login/, the admin's /admin/login/ and the API's /api/token/. Its
backend refuses a locked-out user even with the right password.

| counted by | locked after (default) | setting |
|---|---|---|
| username | 5 failures | `TRACKER_LOGIN_FAILURE_LIMIT` |
| client address | 20 failures, any usernames | `TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT` |

A lock lifts `TRACKER_LOGIN_LOCKOUT_MINUTES` (30) after the last failure;
a failure while locked starts the wait again. An administrator unlocks at
once by deleting the user's or the address's rows under the admin's
*Access attempts* (axes' own admin, superusers only), or with
`python manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.

A town office often reaches the server from one address, so the address's
limit is higher than a user's: one colleague's typos must not lock out the
whole office, while a script trying many usernames from one place is
stopped.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle


class AxesLoginHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per username and a higher one per address."""

    def get_failures(self, request, credentials=None) -> int:
        # One query set per lockout parameter, in settings.AXES_LOCKOUT_PARAMETERS'
        # order: ["username", "ip_address"].
        by_user, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one number with one limit (the user's); an address's
        # failures are scaled so that it reaches that limit at its own.
        user_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT
        return max(by_user, by_address * user_limit // address_limit)


def lockout_message() -> str:
    minutes = int(get_cool_off().total_seconds() // 60)
    return _(
        "Too many failed sign-ins: signing in is locked for %(minutes)s minutes. "
        "Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with Retry-After: JSON under /api/, the sign-in page's message elsewhere."""
    retry_after = str(int(get_cool_off().total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request,
            "tracker/reports/locked_out.html",
            {"message": lockout_message()},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


def client_address(request) -> str | None:
    """The address failures are counted by: the same as the API's rate limits use.

    Only TRACKER_API_NUM_PROXIES trusted proxies' X-Forwarded-For is believed,
    so a client cannot spread its attempts over addresses it makes up.
    """
    return BaseThrottle().get_ident(request)
