"""The API's progress writes: /api/progress-updates/ and its bulk form.

What becomes of a submission is tracker.submission's to decide: recorded
(201, the update) or held for review (202, the period's report). A retry
answers 200 with the first result and `Idempotent-Replayed: true`; the same
key with other content is a 422, a period already submitted with other
content a 409. Nothing here decides anything about progress: the views read
the body, call the policy, and shape its answer.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tracker import submission
from tracker.access import scope_for
from tracker.api import serializers as api
from tracker.api.exceptions import model_errors
from tracker.api.parsers import JSONParser as LimitedJSONParser
from tracker.api.permissions import REPORT
from tracker.api.schema import FIELD_ERRORS, ErrorSerializer
from tracker.api.views import MethodFirstMixin
from tracker.api.workflow_serializers import ReportSerializer, reports_queryset
from tracker.filters import ProgressUpdateFilterSet
from tracker.models import ProgressReport, ProgressUpdate
from tracker.submission import ProgressItem

BULK_LIMIT = 500  # updates in one bulk submission: a town's monthly report fits many times
KEY_LENGTH = 90  # client keys; a bulk item's derived key "<key>:<index>" must fit in 100


def client_key(request, data: dict, index: int | None = None) -> str:
    """The idempotency key of a submission: the item's own, else the Idempotency-Key header.

    In a bulk submission the header's key is made per item ("<key>:<index>"),
    so the same body retried maps each item to its first recording.
    """
    own = data.pop("client_key", "")
    header = request.headers.get("Idempotency-Key", "").strip()
    if len(header) > KEY_LENGTH:
        raise ValidationError(
            {"Idempotency-Key": [_("At most %(n)d characters.") % {"n": KEY_LENGTH}]}
        )
    if index is None:
        if own and header and own != header:
            raise ValidationError(
                {"client_key": [_("It differs from the Idempotency-Key header.")]}
            )
        return own or header
    return own or (f"{header}:{index}" if header else "")


CONFLICT_BODY = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "That period's report was already submitted (or approved) with other content; "
        "a counted report is never replaced. Nothing changed."
    ),
)
KEY_REUSED_BODY = OpenApiResponse(
    inline_serializer(
        "KeyReused", {"client_key": serializers.ListField(child=serializers.CharField())}
    ),
    description=_(
        "The client key (field or Idempotency-Key header) was already used for this target "
        "with other content. Nothing changed; send new content with a new key."
    ),
)

REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    enum=["true"],
    description=_("Sent with a 200 that replays an earlier submission's result."),
)

PROGRESS_RESPONSES = {
    201: OpenApiResponse(
        api.ProgressUpdateSerializer, description=_("Recorded: it counts at once.")
    ),
    # Either first result, as its own schema, so that a generated client parses
    # a replayed report as a report (it failed on KeyError: 'reported_by').
    200: OpenApiResponse(
        PolymorphicProxySerializer(
            component_name="ProgressReplay",
            serializers=[api.ProgressUpdateSerializer, ReportSerializer],
            resource_type_field_name=None,
        ),
        description=_(
            "A retry (the same key and content, or the same content of a period's report "
            "already submitted): the first result, with the header Idempotent-Replayed: true. "
            "Held for review, the first result is the report."
        ),
    ),
    202: OpenApiResponse(
        ReportSerializer,
        description=_(
            "Held for review (the town reviews progress and the sender is not a reviewer): "
            "submitted as the target's report for the period containing as_of; it counts "
            "once approved. Sent again, the same submission answers 200 with the report."
        ),
    ),
    409: CONFLICT_BODY,
    422: KEY_REUSED_BODY,
}


def progress_fields(request, data: dict, index: int | None = None) -> dict:
    """A validated progress body, with its key, as tracker.submission takes it."""
    key = client_key(request, data, index)
    return {**data, "client_key": key}


class ProgressUpdateViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Progress reports, append-only: create one, or a batch; never change or delete one.

    What becomes of a submission is tracker.submission's to decide: recorded
    (201, the update) or held for review (202, the period's report); a retry
    answers 200 with the first result and `Idempotent-Replayed: true`.
    """

    serializer_class = api.ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilterSet
    write_permission = REPORT
    idempotent_actions = ("create", "bulk")

    def get_queryset(self):
        return ProgressUpdate.objects.filter(
            scope_for(self.request.user).readable("target__plan")
        ).select_related("target__plan__town__region", "reported_by")

    def _read_back(self, updates: list[ProgressUpdate]) -> list[ProgressUpdate]:
        by_pk = self.get_queryset().in_bulk([update.pk for update in updates])
        return [by_pk[update.pk] for update in updates]

    def _reports(self, reports: list[ProgressReport]) -> list:
        found = reports_queryset(self.request.user).in_bulk([report.pk for report in reports])
        context = self.get_serializer_context()
        return ReportSerializer([found[r.pk] for r in reports], many=True, context=context).data

    @extend_schema(responses=PROGRESS_RESPONSES, parameters=[REPLAYED_HEADER])
    def create(self, request, *args, **kwargs):
        """Report a target's progress. With a client key (field or header) a retry records once.

        Where the town reviews progress and the sender is not one of its
        reviewers, the update is held: submitted as the target's report for the
        period containing `as_of` (202, the report), counted once approved.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = submission.progress_submit(
            user=request.user, **progress_fields(request, dict(serializer.validated_data))
        )
        headers = {"Idempotent-Replayed": "true"} if done.replayed else {}
        if done.held:
            (data,) = self._reports([done.report])
            headers["Location"] = request.build_absolute_uri(
                reverse("api:report-detail", args=[done.report.pk])
            )
            code = status.HTTP_200_OK if done.replayed else status.HTTP_202_ACCEPTED
            return Response(data, status=code, headers=headers)
        (update,) = self._read_back([done.update])
        headers["Location"] = self.reverse_action("detail", args=[update.pk])
        return Response(
            self.get_serializer(update).data,
            status=status.HTTP_200_OK if done.replayed else status.HTTP_201_CREATED,
            headers=headers,
        )

    @extend_schema(
        request=api.ProgressUpdateSerializer(many=True),
        responses={
            201: api.ProgressUpdateSerializer(many=True),
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="BulkReplay",
                    serializers=[
                        api.ProgressUpdateSerializer(many=True),
                        ReportSerializer(many=True),
                    ],
                    resource_type_field_name=None,
                    many=False,  # each alternative is a list, not a list of alternatives
                ),
                description=_(
                    "A retry: every item had been recorded (or held) before; with the header "
                    "Idempotent-Replayed: true."
                ),
            ),
            202: OpenApiResponse(
                ReportSerializer(many=True),
                description=_(
                    "Held for review, every item as its period's report (see the single "
                    "submission); items that need review and items that do not cannot be mixed."
                ),
            ),
            400: OpenApiResponse(
                FIELD_ERRORS,
                description=_(
                    "Nothing was kept. Errors are keyed by the item's index: field errors, "
                    "a reused key (client_key) or a report already submitted (non_field_errors)."
                ),
            ),
        },
        parameters=[REPLAYED_HEADER],
        summary=_("Report many updates at once, all or nothing"),
    )
    @action(
        detail=False, methods=["post"], pagination_class=None, parser_classes=[LimitedJSONParser]
    )
    def bulk(self, request):
        """A list of updates (a town's monthly report), recorded all together or not at all.

        Errors are keyed by the index of the item in the list.
        """
        serializer = self.get_serializer(
            data=request.data, many=True, allow_empty=False, max_length=BULK_LIMIT
        )
        if not serializer.is_valid():
            errors = serializer.errors
            if isinstance(errors, list):
                errors = {str(index): item for index, item in enumerate(errors) if item}
            raise ValidationError(errors)
        items = [
            ProgressItem(**progress_fields(request, dict(data), index))
            for index, data in enumerate(serializer.validated_data)
        ]
        # The answer is a list of updates (201) or of reports (202), so one
        # submission may not mix items that count at once with held ones.
        held = {submission.progress_held(user=request.user, target=item.target) for item in items}
        if len(held) > 1:
            raise ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _(
                            "Some of these targets' towns review progress and others do not: "
                            "send them in separate submissions."
                        )
                    ]
                }
            )
        try:
            done = submission.progress_submit_many(user=request.user, items=items)
        except submission.SubmissionsRefused as refused:
            raise ValidationError(
                {str(index): model_errors(error) for index, error in refused.errors.items()}
            ) from None
        replayed = all(result.replayed for result in done)
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        if held == {True}:
            code = status.HTTP_200_OK if replayed else status.HTTP_202_ACCEPTED
            return Response(
                self._reports([result.report for result in done]), status=code, headers=headers
            )
        updates = self._read_back([result.update for result in done])
        return Response(
            self.get_serializer(updates, many=True).data,
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
            headers=headers,
        )
