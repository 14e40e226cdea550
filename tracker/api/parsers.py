"""Request bodies the API reads, with limits answered in JSON (issue 15, finding 6).

- A JSON or form body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE
  (2.5 MB by default; the bulk endpoint's 500 items take a tenth of it) is
  a 413 (`exception_handler` below, the API's EXCEPTION_HANDLER).
- JSON nested deeper than MAX_DEPTH levels is a 400: the API's bodies are
  records, or lists of records, a few levels deep. Unbalanced nesting
  (`[` x 1000) made Python's decoder raise RecursionError, which DRF's
  parser does not catch (it catches ValueError): a 500 on every endpoint.

Uploads (multipart) are not limited here: evidence files have their own
limit, TRACKER_EVIDENCE_MAX_BYTES (tracker/evidence.py).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "body_too_large"


def exception_handler(exc, context):
    """The API's handler (tracker.api.exceptions), after naming Django's refusals of a body.

    DRF reads a JSON or form body through `request.body`, where Django refuses
    one over DATA_UPLOAD_MAX_MEMORY_SIZE with RequestDataTooBig; uncaught,
    Django answered it with an HTML 400.
    """
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = BodyTooLarge(_("The request body is larger than %(limit)s bytes.") % {"limit": limit})
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError(_("The form has too many fields."))
    # Imported here: tracker.api.exceptions imports rest_framework.views, which reads
    # DEFAULT_PARSER_CLASSES (this module) while it loads; a module-level import is a cycle.
    from tracker.api.exceptions import exception_handler as api_exception_handler

    return api_exception_handler(exc, context)


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels (without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item)
    return False


def _nested_too_deep() -> ParseError:
    return ParseError(
        _("JSON parse error: the body is nested more than %(depth)s levels deep.")
        % {"depth": MAX_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with the size and the nesting limits."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _nested_too_deep() from None
        if too_deep(data):
            raise _nested_too_deep()
        return data
