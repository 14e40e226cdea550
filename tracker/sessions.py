"""Signed-in sessions end after idle time and after a set lifetime (等保: 登录超时退出).

| setting | default | a session ends |
|---|---|---|
| `TRACKER_SESSION_IDLE_MINUTES` | 30 | this long after its last request |
| `TRACKER_SESSION_MAX_HOURS` | 8 | this long after signing in, however active |

Django's own expiry slides forward each time a session is saved, so it can
give neither rule exactly; this middleware keeps both times in the session
and signs the user out when one has passed. The last-seen time is saved at
most once a minute, not on every request. API clients with a token have no
session and are not affected.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

SIGNED_IN_AT = "tracker_signed_in_at"
LAST_SEEN_AT = "tracker_last_seen_at"
SEEN_RESOLUTION = 60  # seconds: how stale the saved last-seen time may be


def session_expired(session, now: float) -> bool:
    """Whether a signed-in session is past its idle timeout or its lifetime."""
    signed_in = session.get(SIGNED_IN_AT, now)
    last_seen = session.get(LAST_SEEN_AT, now)
    return (
        now - last_seen > settings.TRACKER_SESSION_IDLE_MINUTES * 60
        or now - signed_in > settings.TRACKER_SESSION_MAX_HOURS * 3600
    )


@receiver(user_logged_in, dispatch_uid="tracker.sessions.start_clocks")
def start_clocks(sender, request, user, **kwargs) -> None:
    """Both clocks start at sign-in, saved with the sign-in's own session write."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs out a session that is idle or too old; placed after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            session, now = request.session, time.time()
            if session_expired(session, now):
                logout(request)  # a new, empty session and an anonymous user
                messages.info(request, _("Your session timed out. Please sign in again."))
            else:
                session.setdefault(SIGNED_IN_AT, now)
                if now - session.get(LAST_SEEN_AT, 0) >= SEEN_RESOLUTION:
                    session[LAST_SEEN_AT] = now
        return self.get_response(request)
