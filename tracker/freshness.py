"""Conditional and cached reads: ETags and whole-response caching keyed by the data version.

One rule: a cached answer is found by (method, URL, Accept, the reader's scope,
the language, reporting_today(), the data version). The data version
(`DataVersion.number`, one row) moves on after every committed write to the
tracker's models, so a write makes every older answer unreachable at once;
readers with the same scope share answers, readers with different scopes never
do (the scope, not the user, is in the key). The ETag is a digest of the same
key, so `If-None-Match` is answered 304 without running the view.

Global, not per town: a list, an export or a rollup spans many towns, and the
URL alone does not say which; a per-town key would need every covered town's
number on every read. The cost is that a write anywhere empties the cache
everywhere (README, "Production").

Where the number moves on (one place, `bump`):
- every save, delete and many-to-many change of a tracker model, through
  signals (infrastructure, not business rules: any write whatever its service);
- writes that send no signals call `bump()` themselves: tracker.demo's
  bulk_create, the import's candidate `.update()` (candidates are not read
  by any cached view) and services' `.update()` calls, which always come with
  a save in the same transaction.
It moves on after the commit (transaction.on_commit), in its own short
statement, so no write transaction holds the row's lock while it runs.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import Error as DatabaseFault
from django.db import connection, connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tracker.access import scope_for
from tracker.today import reporting_today

# Tests run inside a transaction that never commits; tests/conftest.py's
# pytest_configure sets this to False so that a test's writes move the number at
# once, inside it.
AFTER_COMMIT = True

# The views whose answers are cached: reads that hold no form and no personal
# text. Sign-in, tasks, supervision and review pages hold forms and names.
CACHED_VIEWS = {
    "reports": {"home", "plan", "plan-csv", "plan-xlsx", "target", "region"},
    "api": None,  # every read of the API except those below
}
UNCACHED_API_VIEWS = {"token", "docs"}


# --- the version ----------------------------------------------------------------------


def current(using: str | None = None) -> int:
    """The data version, read from the database the request reads from (one query)."""
    from tracker.models import DataVersion

    alias = using or router.db_for_read(DataVersion)
    # By hand rather than through the ORM: every cached read asks, and building the
    # query cost as much as running it. No row only after a test flushed the tables;
    # the first write makes it again.
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT number FROM {DataVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def _bump_now() -> None:
    from tracker.models import DataVersion

    if not DataVersion.objects.filter(pk=1).update(number=F("number") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"number": 1})


def bump() -> None:
    """Move the data version on: after the current transaction commits (once per transaction)."""
    if not AFTER_COMMIT or not connection.in_atomic_block:
        _bump_now()
        return
    if any(func is _bump_now for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump_now)


def _on_write(sender, **kwargs) -> None:
    if sender._meta.app_label == "tracker" and sender._meta.model_name != "dataversion":
        bump()


def _on_m2m(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="tracker.freshness.save")
    post_delete.connect(_on_write, dispatch_uid="tracker.freshness.delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="tracker.freshness.m2m")


# --- the key ----------------------------------------------------------------------------


def scope_digest(scope) -> str:
    """A digest of what a reader may see: the same for readers of the same scope."""
    return hashlib.sha256(
        repr(
            (
                scope.everything,
                sorted(scope.member_town_ids),
                sorted(scope.region_paths),
                sorted((t, sorted(r)) for t, r in scope.town_roles.items()),
                sorted(
                    (t, None if d is None else sorted(d))
                    for t, d in scope.report_departments.items()
                ),
            )
        ).encode()
    ).hexdigest()[:32]


@functools.lru_cache(maxsize=4096)
def is_cached_view(path: str) -> bool:
    # Cached by path (the URLconf does not change while the process runs): every read
    # asks, and Django resolves the path again for the view.
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.namespace not in CACHED_VIEWS:
        return False
    names = CACHED_VIEWS[match.namespace]
    if names is None:
        return match.url_name not in UNCACHED_API_VIEWS
    return match.url_name in names


def _reader(request):
    """The user a request reads as: its session's, or its API token's (None for a bad token)."""
    if request.headers.get("Authorization"):
        from rest_framework.exceptions import APIException

        from tracker.api.authentication import TokenAuthentication

        try:
            found = TokenAuthentication().authenticate(request)
        except APIException:
            return None
        if found is None:
            return None  # another scheme: let the view answer, uncached
        # DRF's own hook (as APIRequestFactory's force_authenticate): the view
        # takes this user and token instead of looking the token up again.
        request._force_auth_user, request._force_auth_token = found
        return found[0]
    return request.user


class CachedReadMiddleware:
    """ETag, 304 and whole-response caching for the read views (see the module's docstring).

    After AuthenticationMiddleware and the language middleware. Only GET and
    HEAD of the views in CACHED_VIEWS; an answer is stored only when it is a
    200 that sets no cookie and used no CSRF token (a form is never shared).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not settings.TRACKER_READ_CACHE
            or request.method not in ("GET", "HEAD")
            or not is_cached_view(request.path_info)
        ):
            return self.get_response(request)
        try:
            user = _reader(request)
            if user is None:
                return self.get_response(request)
            key = self._key(request, user)
        except DatabaseFault:
            # The view meets the fault too, and answers it as it should (a JSON 503 in the API).
            return self.get_response(request)
        tag = f'W/"{key[:32]}"'
        if tag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
            response["ETag"] = tag
            patch_vary_headers(response, VARY)
            return response
        cache_key = f"tracker:read:{key}"
        # A reader with a message waiting (e.g. "signed out") sees the page rendered for them.
        pending = MESSAGES_COOKIE in request.COOKIES
        stored = None if pending else cache.get(cache_key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code != 200:
            return response
        if not response.has_header("ETag"):
            # A versioned record keeps its own ETag (its version, for If-Match on writes).
            response["ETag"] = tag
        patch_vary_headers(response, VARY)
        if response.streaming:
            return response  # a download is answered 304 when unchanged, but not kept
        messages = getattr(request, "_messages", None)
        if (
            pending
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token was used
            or getattr(messages, "used", False)
        ):
            return response
        response["X-Cache"] = "miss"
        # The answer as sent (status, headers, bytes), not the response object: a DRF
        # Response pickles its data too, and unpickling a page of 50 targets' data took
        # 0.5 ms a hit, twice the rest of the hit (docs/performance.md).
        cache.set(
            cache_key,
            (response.status_code, dict(response.items()), response.content),
            settings.TRACKER_READ_CACHE_SECONDS,
        )
        return response

    @staticmethod
    def _key(request, user) -> str:
        """The answer's key: what it shows depends on nothing else (see the module's docstring)."""
        return hashlib.sha256(
            repr(
                (
                    request.method,
                    request.get_full_path(),
                    request.headers.get("Accept", ""),
                    scope_digest(scope_for(user)),
                    translation.get_language(),
                    reporting_today().isoformat(),
                    current(),
                )
            ).encode()
        ).hexdigest()


MESSAGES_COOKIE = "messages"
VARY = ("Accept", "Accept-Language", "Authorization", "Cookie")
