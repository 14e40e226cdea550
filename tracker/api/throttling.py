"""Rate limits on writes and on password-for-token exchanges (429 with Retry-After).

The counts live in Django's default cache. With one process the local-memory
cache is enough; several workers must share one (DJANGO_CACHE_URL, see the
README) or each counts only its own requests.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _RatesFromSettings(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at each request, not once at import, so a deployment's (or a
        # test's) settings take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


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
