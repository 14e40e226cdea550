"""Rate limits on writes and on password-for-token exchanges (429 with Retry-After).

The counts live in Django's default cache. With one process the local-memory
cache is enough; several workers must share one (DJANGO_CACHE_URL, see the
README) or each counts only its own requests.

Failures count too, whatever the cache. Every request is one transaction
(ATOMIC_REQUESTS) and an error answer rolls it back; with the db:// cache the
count is a row written on that same connection, so it was rolled back with
the request, and a client could guess passwords or send invalid bodies
without limit (issue 15, finding 1). A second, non-atomic connection to the
database would escape the rollback on PostgreSQL, but on SQLite it waits on
the lock the request's own transaction holds. So a count in a database cache
is written again by `ThrottleCountsMiddleware` once the view's transaction
has ended, committed or not; the local-memory and Redis caches are outside
any transaction and keep the count written at once.
"""

import logging

from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError
from django.utils.connection import ConnectionProxy
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

# Where a request keeps the counts to write after its transaction (set by the middleware).
PENDING_COUNTS = "_tracker_throttle_counts"


class _RatesFromSettings(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at each request, not once at import, so a deployment's (or a
        # test's) settings take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        # The Django request underneath DRF's: the middleware sees only that one.
        self._http_request = getattr(request, "_request", request)
        return super().allow_request(request, view)

    def throttle_success(self) -> bool:
        allowed = super().throttle_success()  # counts at once, as DRF does
        pending = getattr(self._http_request, PENDING_COUNTS, None)
        if pending is not None and _in_database(self.cache):
            pending.append((self.cache, self.key, self.now, self.duration))
        return allowed


def _in_database(cache) -> bool:
    # DRF's throttles hold `django.core.cache.cache`, a proxy to the backend in use.
    if isinstance(cache, ConnectionProxy):
        cache = cache._connections[cache._alias]
    return isinstance(cache, DatabaseCache)


def _count_again(cache, key: str, when: float, duration: int) -> None:
    """Add `when` to the key's history unless it is there (kept when the request committed).

    Read afresh, so that what other requests counted meanwhile is kept too.
    """
    history = cache.get(key, [])
    if when not in history:
        history = sorted([*history, when], reverse=True)
        cache.set(key, history, duration)


class ThrottleCountsMiddleware:
    """Writes the database cache's throttle counts once the view's transaction has ended.

    ATOMIC_REQUESTS wraps the view only, so here, around it, its transaction
    is over whatever the answer was.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, PENDING_COUNTS, [])
        try:
            return self.get_response(request)
        finally:
            for count in getattr(request, PENDING_COUNTS):
                try:
                    _count_again(*count)
                except DatabaseError:
                    # The database is failing: the answer already says so; a lost
                    # count must not turn it into a 500.
                    logger.warning("A rate-limit count was not written", exc_info=True)


class WriteRateThrottle(_RatesFromSettings):
    """Writes per user (per client address when not signed in); reads are not counted."""

    scope = "write"

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenRateThrottle(_RatesFromSettings):
    """Password attempts for a token, per client address: slows down password guessing."""

    scope = "token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
