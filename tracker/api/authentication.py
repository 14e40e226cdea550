"""API tokens, sent as `Authorization: Token <key>` or `Authorization: Bearer <key>`.

DRF reads only the "Token" prefix; generated OpenAPI clients send "Bearer" by
default, and before this a Bearer token was ignored without an error: reads
answered as anonymous and writes 401. Both prefixes now name the same token.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication


class _BearerToken(authentication.TokenAuthentication):
    keyword = "Bearer"


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, taking the token after "Token" or after "Bearer"."""

    def authenticate(self, request):
        scheme = authentication.get_authorization_header(request).split()[:1]
        if scheme and scheme[0].lower() == _BearerToken.keyword.lower().encode():
            # The same checks and messages as for "Token" (a missing or spaced key is a 401).
            return _BearerToken().authenticate(request)
        return super().authenticate(request)


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's `tokenAuth`: an Authorization header with either prefix."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The API token, after "Token " or "Bearer ": `Authorization: Token <key>`.',
        }
