"""Turning every failure a client can cause into a 4xx with a readable body, in one place.

- A model's ValidationError (from `full_clean()` in tracker.services) → 400
  with the same field errors, `__all__` renamed `non_field_errors`.
- A database constraint the validation did not catch (two requests racing)
  → 400, with the constraint's own message when it can be named.
- A stale edit (VersionConflict) → 412 with the current version.
- A client key used before for other content (tracker.submission.KeyReused)
  → 422 with the error on `client_key`.
- A database that fails (a cut connection, a timeout, an aborted
  transaction) → 503 with Retry-After: the request may well succeed later,
  and nothing about the data may be concluded from it. (Errors outside the
  views, such as a failed commit, get the same answer from `server_error`.)
- A reporting step the report's state does not allow (InvalidTransition,
  tracker/workflow.py) → 409; a step the user may not take (Django's
  PermissionDenied) → 403 with the workflow's reason.
"""

import logging
import sys

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, connections
from django.db import Error as DatabaseFault
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.defaults import server_error as html_server_error
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.services import VersionConflict
from tracker.submission import KeyReused
from tracker.workflow import InvalidTransition

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5  # a cut connection or a failover is usually over by then


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The record changed since you read it. Read it again, then reapply your change."
    )
    default_code = "precondition_failed"

    def __init__(self, current_version: int):
        super().__init__()
        self.detail = {"detail": self.detail, "current_version": current_version}


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        'Send an If-Match header with the version you read (its ETag), e.g. If-Match: "3".'
    )
    default_code = "precondition_required"


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This key was already used for a different update of this target.")
    default_code = "idempotency_key_reused"

    def __init__(self):
        super().__init__()
        self.detail = {"client_key": [self.detail]}


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "The database did not answer; nothing can be said about your request. Try again shortly."
    )
    default_code = "database_unavailable"


class TransitionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The report's state does not allow this step.")
    default_code = "invalid_transition"


def model_errors(error: DjangoValidationError) -> dict:
    """A model ValidationError as serializer-style field errors."""
    errors = as_serializer_error(error)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def constraint_message(error: Exception) -> str:
    """The violation message of the tracker constraint an IntegrityError names, if any.

    PostgreSQL names the constraint; SQLite does for CHECK but not for UNIQUE.
    """
    text = str(error)
    named = [
        constraint
        for model in apps.get_app_config("tracker").get_models()
        for constraint in model._meta.constraints
        if constraint.name in text
    ]
    if named:
        return str(max(named, key=lambda c: len(c.name)).get_violation_error_message())
    return str(_("The change conflicts with data already recorded; nothing was saved."))


def exception_handler(exc, context):
    """DRF's handler, after translating the exceptions of the layers below the API."""
    if isinstance(exc, VersionConflict):
        exc = PreconditionFailed(exc.current_version)
    elif isinstance(exc, KeyReused):
        exc = IdempotencyKeyReused()
    elif isinstance(exc, InvalidTransition):
        exc = TransitionConflict(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = PermissionDenied(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(model_errors(exc))
    elif isinstance(exc, IntegrityError):
        exc = ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [constraint_message(exc)]})
    elif isinstance(exc, DataError):
        exc = ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("A value is out of range for its field.")]}
        )
    elif isinstance(exc, DatabaseFault):
        # Not a fact about the data (IntegrityError and DataError are, above):
        # the database or the connection to it failed (OperationalError,
        # InterfaceError, an aborted transaction's InternalError...). Retry-After says when to send it again.
        logger.warning("database error answered 503: %r", exc)
        exc = DatabaseUnavailable()
    # DRF's handler also marks the request's transaction for rollback. A view
    # that runs outside it (`non_atomic`, e.g. the token view, whose failures'
    # records must stay) keeps the state of whatever block encloses it: a test's.
    if getattr(context.get("view"), "non_atomic", False):
        before = {conn.alias: conn.needs_rollback for conn in connections.all()}
        response = drf_exception_handler(exc, context)
        for conn in connections.all():
            if conn.in_atomic_block:
                conn.needs_rollback = before[conn.alias]
    else:
        response = drf_exception_handler(exc, context)
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """The site's 500 handler: a 503 with Retry-After for a database error (JSON under /api/,
    a page of its own elsewhere); under /api/, JSON for anything else too.

    The views' own errors are answered by `exception_handler`; this catches
    what fails outside them (the request's transaction failing to commit, a
    middleware's query) so an API client never gets an HTML page.
    """
    error = sys.exc_info()[1]
    unavailable = isinstance(error, DatabaseFault) and not isinstance(
        error, IntegrityError | DataError
    )
    if not request.path.startswith("/api/"):
        if not unavailable:
            return html_server_error(request)
        # A page of its own, rendered without the request: the site's frame reads the
        # session and the user, which need the database that just failed.
        response = HttpResponse(render_to_string("503.html"), status=503)
    elif unavailable:
        response = JsonResponse({"detail": str(DatabaseUnavailable.default_detail)}, status=503)
    else:
        return JsonResponse({"detail": gettext("A server error occurred.")}, status=500)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
