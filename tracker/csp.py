"""Content-Security-Policy, and the other headers, on every answer (issue 15, finding 8).

The policy allows scripts, styles, images and fonts from this server only,
and no inline script at all; nothing may frame a page, and forms post only
here. Our own pages have no inline script or style (the admin's progress
bars are SVG, the import's review page has its stylesheet).

Inline `<style>` blocks in the third-party pages we serve are allowed by
their SHA-256 hash, taken at start-up from what those pages render, so an
upgrade that changes them changes the hash with them:

- the admin's change list, for a model without actions (Django);
- the API docs page, /api/docs/ (drf-spectacular's Swagger UI, whose
  start-up script is served as a file by the split view);
- the browsable API's code highlighting (DRF, Pygments' CSS).

Images may also be `data:` URLs (Swagger UI's icons). tests/test_csp.py
renders every page and checks each inline block against the header.

Django 5.2 has no CSP of its own (6.0 has). This small middleware rather
than django-csp: the policy is one constant header with no nonces (no page
has an inline script) and no report endpoint, which a dependency and its
dozen settings would not make clearer.
"""

import base64
import functools
import hashlib
import re

from django.template.loader import get_template
from django.utils.html import conditional_escape

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


def _template_styles(name: str) -> list[str]:
    """The literal text of each `<style>` block in a template's own source."""
    return _STYLE_BLOCK.findall(get_template(name).template.source)


def _browsable_api_style() -> list[str]:
    from rest_framework.compat import pygments_css
    from rest_framework.renderers import BrowsableAPIRenderer

    css = pygments_css(BrowsableAPIRenderer.code_style)
    return [str(conditional_escape(css))] if css else []


def style_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@functools.cache
def policy() -> str:
    styles = [
        *_template_styles("admin/change_list.html"),
        *_template_styles("drf_spectacular/swagger_ui.html"),
        *_browsable_api_style(),
    ]
    hashes = " ".join(dict.fromkeys(style_hash(text) for text in styles))
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {hashes}".strip(),
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Adds the CSP and a Permissions-Policy; Django's SecurityMiddleware sets the others
    (nosniff, Referrer-Policy, HSTS, Cross-Origin-Opener-Policy; X-Frame-Options by its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
