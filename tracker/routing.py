"""Read replicas: reads go to a replica, writes and a writer's next reads to the primary.

With DATABASE_REPLICA_URLS set (settings.py), the databases "replica_1",
"replica_2", ... stand beside "default" (the primary), and `ReplicaRouter`
sends each read to one of them, unless the request is pinned to the primary:

- every request with an unsafe method (POST, PUT, PATCH, DELETE) is pinned,
  so a write and the reads it makes (its checks, its answer) see one database;
- so is every request of the same client (its session cookie, or its
  Authorization header) for TRACKER_READ_YOUR_WRITES_SECONDS after one of its
  unsafe requests, so a reader sees what they just wrote though the replica
  lags behind. The mark is kept in the shared cache (README, "Production").

Replicas carry tracker_dataversion too, in step with their data, so cached
answers (tracker/freshness.py) are keyed by the version of the data they show.
"""

import hashlib
import itertools
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache

PRIMARY = "default"
_pinned: ContextVar[bool] = ContextVar("tracker_pinned_to_primary", default=False)


def replicas() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


class ReplicaRouter:
    def __init__(self):
        self._next = itertools.cycle(replicas() or [PRIMARY])

    def db_for_read(self, model, **hints):
        # Sessions and API tokens are read on every request and made at sign-in:
        # from the primary, so a new one is never missing from a replica that lags.
        if _pinned.get() or not replicas() or model._meta.app_label in ("sessions", "authtoken"):
            return PRIMARY
        return next(self._next)

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows


def _client_key(request) -> str | None:
    who = request.headers.get("Authorization") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return _client_key_of_cookie(who) if who else None


class ReplicaRoutingMiddleware:
    """Pin a request to the primary when it writes, or when its client wrote just now."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        key = _client_key(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        pinned = writes or (key is not None and cache.get(key) is not None)
        token = _pinned.set(pinned)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes:
            # A session started by this very request (a sign-in) is known by its new cookie.
            cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
            for who in (key, _client_key_of_cookie(cookie.value) if cookie else None):
                if who:
                    cache.set(who, 1, settings.TRACKER_READ_YOUR_WRITES_SECONDS)
        return response


def _client_key_of_cookie(value: str) -> str:
    """The cache key marking a client (its session cookie or credentials) as having written."""
    return "tracker:wrote:" + hashlib.sha256(value.encode()).hexdigest()
