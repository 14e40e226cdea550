"""The OpenAPI schema: drf-spectacular's, plus what every endpoint shares.

One schema for every language: its names (operation ids, components, enums,
parameters, titles) are generated in English whatever the request's language,
so that a client generated from the Chinese schema is the one generated from
the English; only descriptions and summaries follow the language
(OneLanguageSchemaGenerator).

Each operation is given the error responses it can produce (400, 401, 403,
404, 412, 428, 429) by one rule here instead of a decorator on every view,
and the headers of the protocol: If-Match and ETag on versioned records,
Idempotency-Key on progress submission, Retry-After on 429.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

READS = ("GET", "HEAD", "OPTIONS")
TEXTS = ("description", "summary")


def with_texts_of(structure, texts):
    """`structure` with the descriptions and summaries of `texts` wherever both have them.

    Everything else (names, titles, references, the shape) stays `structure`'s.
    """
    if isinstance(structure, dict) and isinstance(texts, dict):
        return {
            key: texts[key]
            if key in TEXTS and isinstance(value, str) and isinstance(texts.get(key), str)
            else with_texts_of(value, texts.get(key))
            for key, value in structure.items()
        }
    if isinstance(structure, list) and isinstance(texts, list) and len(structure) == len(texts):
        return [with_texts_of(a, b) for a, b in zip(structure, texts, strict=True)]
    return structure


class OneLanguageSchemaGenerator(SchemaGenerator):
    """Generates in English, then takes the descriptions of the request's language.

    drf-spectacular writes a field's title only when its label is not the field
    name (so "名称" but never "Name"), and wraps a titled reference in allOf: in
    Chinese, generated clients named their classes after the titles
    (`TargetsList类型`) and shaped them differently. Generating twice costs one
    more pass over the views when the schema is read in another language.
    """

    def get_schema(self, request=None, public=False):
        language = translation.get_language()
        texts = None
        if language and not language.startswith("en"):
            texts = SchemaGenerator(
                urlconf=self.urlconf, patterns=self.patterns, api_version=self.api_version
            ).get_schema(request, public)
        with translation.override("en"):
            schema = super().get_schema(request, public)
        return schema if texts is None else with_texts_of(schema, texts)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


def field_errors_schema() -> dict:
    """The body of every 400, one component (FieldErrors) so that clients have one class for it."""
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


# A reference to the 400 body, for an operation that describes its own 400 (the
# component is registered by TrackerAutoSchema for every operation that can answer 400).
FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}


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
            field_errors = ResolvedComponent(
                name="FieldErrors",
                type=ResolvedComponent.SCHEMA,
                object="FieldErrors",
                schema=field_errors_schema(),
            )
            self.registry.register_on_missing(field_errors)
            errors["400"] = (
                field_errors.ref,
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

    def get_auth(self):
        auths = super().get_auth()
        # Reads are open to anonymous callers where every permission says so
        # (tracker.api.permissions.ScopedAccess: "anyone reads"); the token and
        # the session are then optional, widening what the caller sees.
        permissions = self.view.get_permissions()
        if (
            self.method in READS
            and permissions
            and all(getattr(p, "anyone_reads", False) for p in permissions)
            and {} not in auths
        ):
            auths.append({})
        return auths

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
