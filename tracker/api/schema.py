"""The OpenAPI schema: drf-spectacular's, plus what every endpoint shares.

Each operation is given the error responses it can produce (400, 401, 403,
404, 412, 428, 429) by one rule here instead of a decorator on every view,
and the headers of the protocol: If-Match and ETag on versioned records,
Idempotency-Key on progress submission, Retry-After on 429.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

READS = ("GET", "HEAD", "OPTIONS")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


def field_errors_schema() -> dict:
    return {
        "type": "object",
        "description": str(
            _(
                "Field errors: each key is a field (or a query parameter, `non_field_errors`, or "
                "for a bulk submission an item's index) and its value the list of messages."
            )
        ),
        "additionalProperties": {},
        "example": {"value": ["A valid number is required."]},
    }


class TrackerAutoSchema(AutoSchema):
    """AutoSchema with the API's shared error responses and protocol headers."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code, (body, description) in self._error_responses().items():
                if code not in responses:
                    response = self._get_response_for_code(
                        body, code, media_types=["application/json"]
                    )
                    response["description"] = str(description)
                    if code in ("429", "503"):
                        response["headers"] = {
                            "Retry-After": {
                                "schema": {"type": "integer"},
                                "description": str(_("Seconds to wait before trying again.")),
                            }
                        }
                    responses[code] = response
        return responses

    def _error_responses(self) -> dict[str, tuple]:
        write = self.method not in READS
        action = getattr(self.view, "action", None)
        errors = {"401": (ErrorSerializer, _("The token or session is not valid."))}
        if write or self._is_list_view() or getattr(self.view, "filterset_class", None):
            errors["400"] = (
                field_errors_schema(),
                _("A field, filter or query parameter is not valid."),
            )
        if write and getattr(self.view, "write_permission", None):
            errors["401"] = (ErrorSerializer, _("Not signed in: anonymous users never write."))
            errors["403"] = (ErrorSerializer, _("The user has no role for this in this town."))
        if write:
            errors["429"] = (ErrorSerializer, _("Too many requests; wait and try again."))
        errors["503"] = (
            ErrorSerializer,
            _(
                "The database did not answer; nothing about the data can be concluded from it "
                "(a write may not have been kept). Send the same request again after Retry-After."
            ),
        )
        if "{" in self.path:
            errors["404"] = (ErrorSerializer, _("No such object, or one this user may not read."))
        elif self._is_list_view() and self._get_paginator() is not None:
            errors["404"] = (ErrorSerializer, _("No such page."))
        if action in ("update", "partial_update"):
            errors["412"] = (
                VersionConflictSerializer,
                _("The record changed since it was read (If-Match is stale); nothing changed."),
            )
            errors["428"] = (ErrorSerializer, _("If-Match is missing."))
        return errors

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, serializers.URLField) and field.read_only:
            # A link shown as "" when there is none, which is not a URI. (Writable
            # ones that may be blank are already described as URI or "".)
            schema.pop("format", None)
            schema["anyOf"] = [{"format": "uri"}, {"maxLength": 0}]

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        action = getattr(self.view, "action", None)
        if getattr(self.view, "versioned", False):
            if action in ("update", "partial_update"):
                parameters.append(
                    OpenApiParameter(
                        "If-Match",
                        OpenApiTypes.STR,
                        OpenApiParameter.HEADER,
                        required=True,
                        description=str(
                            _('The version read, as its ETag gave it: "3" (W/"3" is accepted).')
                        ),
                    )
                )
            if action in ("retrieve", "create", "update", "partial_update"):
                parameters.append(
                    OpenApiParameter(
                        "ETag",
                        OpenApiTypes.STR,
                        OpenApiParameter.HEADER,
                        response=[200, 201],
                        description=str(_("The record's version, for If-Match on the next edit.")),
                    )
                )
        if action in getattr(self.view, "idempotent_actions", ()):
            parameters.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=str(
                        _(
                            "A key of the client's choosing (at most 90 characters): a retry "
                            "with the same key records nothing new and answers 200 with the "
                            "first result."
                        )
                    ),
                )
            )
        return parameters
