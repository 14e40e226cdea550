"""The API's viewsets: each declares what it reads (with its joins), its filters and its rights.

Reads are filtered by `scope_for(user).readable(...)`: what a user may not read
is a 404 and never appears in a list. Writes go through tracker.services.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, routers, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from tracker import progress, selectors, services
from tracker.access import scope_for
from tracker.api import reporting
from tracker.api import serializers as api
from tracker.api.changes import ChangesMixin
from tracker.api.exceptions import (
    IdempotencyKeyReused,
    PreconditionFailed,
    PreconditionRequired,
    model_errors,
)
from tracker.api.permissions import EDIT, REPORT
from tracker.api.renderers import CSVRenderer, XLSXRenderer
from tracker.api.throttling import TokenRateThrottle
from tracker.exports import csv_response, xlsx_response
from tracker.filters import (
    DepartmentFilterSet,
    PlanFilterSet,
    ProgressUpdateFilterSet,
    RegionFilterSet,
    SectionFilterSet,
    TargetFilterSet,
    TownFilterSet,
    as_id,
)
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressUpdate,
    Region,
    SourceDocument,
    Target,
    Town,
)
from tracker.selectors import plan_summary, region_rollup
from tracker.today import reporting_today

BULK_LIMIT = 500  # updates in one bulk submission: a town's monthly report fits many times
KEY_LENGTH = 90  # client keys; a bulk item's derived key "<key>:<index>" must fit in 100

ID_OR_SLUG = OpenApiParameter(
    "id_or_slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=_("The id (a number) or the slug."),
)


class MethodFirstMixin:
    """A method the endpoint does not have is a 405 for everyone, before anyone is asked who they are.

    (DRF would otherwise check permissions first, so the same PUT would be a
    401 or 403 for some users and a 405 for others.)
    """

    def initial(self, request, *args, **kwargs):
        if getattr(self, request.method.lower(), None) is None:
            self.http_method_not_allowed(request, *args, **kwargs)
        super().initial(request, *args, **kwargs)


class APIRootView(MethodFirstMixin, routers.APIRootView):
    """The API's resources. Reading needs no account; see /api/docs/ for everything else."""


class IdOrSlugLookupMixin:
    """A detail URL that takes the id or the slug: /api/towns/12/ or /api/towns/xiqiao/."""

    lookup_url_kwarg = "id_or_slug"

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        value = self.kwargs[self.lookup_url_kwarg]
        pk = as_id(value)
        obj = get_object_or_404(queryset, **({"pk": pk} if pk is not None else {"slug": value}))
        self.check_object_permissions(self.request, obj)
        return obj


# --- geography: read-only -----------------------------------------------------------


@extend_schema_view(retrieve=extend_schema(parameters=[ID_OR_SLUG]))
class RegionViewSet(MethodFirstMixin, IdOrSlugLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Provinces, cities and districts: the tree the towns hang from."""

    serializer_class = api.RegionSerializer
    filterset_class = RegionFilterSet

    def get_queryset(self):
        return Region.objects.all()

    @extend_schema(
        parameters=[ID_OR_SLUG, api.RollupQuerySerializer],
        responses=api.RegionRollupSerializer,
        summary=_("Every town below a region for a year, side by side"),
    )
    @action(detail=True, pagination_class=None)
    def rollup(self, request, id_or_slug=None):
        """Status counts of each town's plan for the year, and like targets compared across towns.

        Only plans the user may read are counted.
        """
        region = self.get_object()
        query = api.RollupQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rollup = region_rollup(
            region,
            query.validated_data["year"],
            reporting_today(),
            Plan.objects.filter(scope_for(request.user).readable()),
        )
        return Response(api.RegionRollupSerializer(rollup).data)


@extend_schema_view(retrieve=extend_schema(parameters=[ID_OR_SLUG]))
class TownViewSet(MethodFirstMixin, IdOrSlugLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Towns (镇) and sub-districts (街道): the governments that own plans."""

    serializer_class = api.TownSerializer
    filterset_class = TownFilterSet

    def get_queryset(self):
        return Town.objects.select_related("region")


class DepartmentViewSet(ChangesMixin, MethodFirstMixin, viewsets.ReadOnlyModelViewSet):
    """The departments of the towns, which lead or help with targets."""

    changes_town = "town"

    serializer_class = api.DepartmentSerializer
    filterset_class = DepartmentFilterSet

    def get_queryset(self):
        return Department.objects.all()


# --- plans, sections and targets: editors write, with If-Match --------------------------


def etag(instance) -> dict[str, str]:
    return {"ETag": f'"{instance.version}"'}


def if_match_version(request) -> int:
    """The version the client read, from If-Match; 428 without it, 400 if it is not one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    try:
        version = services.validate_version_header(header)
    except DjangoValidationError:
        raise ValidationError(
            {"If-Match": [_('Give one version, as the ETag gave it: "3".')]}
        ) from None
    if version is None:
        raise PreconditionRequired()
    return version


class VersionedViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read, create and edit versioned records; no deletion (the admin shows what it cascades to).

    An edit must send If-Match with the version read: a stale one gets 412 and
    changes nothing (tracker.services.record_edit compares and swaps).
    """

    write_permission = EDIT
    versioned = True

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": reporting_today()}

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers=etag(instance))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.record_create(
            model=serializer.Meta.model, fields=serializer.validated_data, user=request.user
        )
        response = self._respond(created, status.HTTP_201_CREATED)
        response["Location"] = self.reverse_action("detail", args=[created.pk])
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected = if_match_version(request)
        if expected != instance.version:
            raise PreconditionFailed(instance.version)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        edited = services.record_edit(
            instance=instance,
            changes=serializer.validated_data,
            expected_version=expected,
            user=request.user,
        )
        return self._respond(edited, status.HTTP_200_OK)

    def _respond(self, instance, code: int) -> Response:
        # Read back through get_queryset(): the same joins and computed fields as a GET.
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=code, headers=etag(fresh))


class PlanViewSet(ChangesMixin, VersionedViewSet):
    """A town's work plan for a year; drafts are seen only by the town and the regions above it."""

    changes_town = "town"

    serializer_class = api.PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        plans = Plan.objects.filter(scope_for(self.request.user).readable()).select_related("town")
        if self.action == "summary":
            return plans
        return plans.prefetch_related(
            Prefetch("documents", queryset=SourceDocument.objects.defer("text"))
        )

    @extend_schema(
        responses=api.PlanSummarySerializer, summary=_("Counts by status, overall and by section")
    )
    @action(detail=True, pagination_class=None)
    def summary(self, request, pk=None):
        """How many targets have each status, and each section's completion (subsections included)."""
        plan = self.get_object()
        return Response(api.PlanSummarySerializer(plan_summary(plan, reporting_today())).data)


class SectionViewSet(ChangesMixin, VersionedViewSet):
    """The numbered sections of a plan (一、（一）●), nested as the document nests them."""

    changes_town = "plan__town"

    serializer_class = api.SectionSerializer
    filterset_class = SectionFilterSet

    def get_queryset(self):
        return GoalSection.objects.filter(
            scope_for(self.request.user).readable("plan")
        ).select_related("plan__town")


@extend_schema_view(
    list=extend_schema(responses=api.TargetSerializer),
    retrieve=extend_schema(responses=api.TargetSerializer),
    create=extend_schema(request=api.TargetWriteSerializer, responses={201: api.TargetSerializer}),
    update=extend_schema(request=api.TargetWriteSerializer, responses=api.TargetSerializer),
    partial_update=extend_schema(request=api.TargetWriteSerializer, responses=api.TargetSerializer),
)
class TargetViewSet(ChangesMixin, VersionedViewSet):
    """Targets with their progress, percent complete and status today, and their source quote.

    Every answer is read as tracker.selectors.TargetRow and written by
    api.TargetSerializer; writes are checked by api.TargetWriteSerializer.
    """

    changes_town = "plan__town"

    serializer_class = api.TargetWriteSerializer
    filterset_class = TargetFilterSet

    def get_queryset(self):
        targets = Target.objects.filter(scope_for(self.request.user).readable("plan"))
        if self.action in ("list", "export_csv", "export_xlsx"):
            return targets  # read as rows (tracker.selectors.target_rows)
        return targets.select_related("plan")

    def list(self, request, *args, **kwargs):
        # The page's rows in one .values() query and a few batched ones (selectors.rows_of).
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(selectors.row_values(queryset))
        rows = selectors.rows_of(page, reporting_today())
        return self.get_paginated_response(api.TargetSerializer(rows, many=True).data)

    def _row_data(self, pk: int) -> dict:
        (row,) = selectors.target_rows(Target.objects.filter(pk=pk), reporting_today())
        return api.TargetSerializer(row).data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self._row_data(instance.pk), headers=etag(instance))

    def _respond(self, instance, code: int) -> Response:
        data = self._row_data(instance.pk)
        return Response(data, status=code, headers={"ETag": f'"{data["version"]}"'})

    def get_renderers(self):
        if self.action == "export_csv":
            return [JSONRenderer(), CSVRenderer()]
        if self.action == "export_xlsx":
            return [JSONRenderer(), XLSXRenderer()]
        return super().get_renderers()

    def handle_exception(self, exc):
        if self.action in ("export_csv", "export_xlsx"):
            # A download that fails says why in JSON, whatever format it asked for.
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        responses=api.TargetHistorySerializer, summary=_("A target's progress as a time series")
    )
    @action(detail=True, pagination_class=None)
    def history(self, request, pk=None):
        """The value reached and percent complete on each date an update was reported for."""
        target = self.get_object()
        entries = progress.history(
            target.facts(),
            target.updates.order_by("as_of", "pk").values_list(
                "pk", "as_of", "value", "milestone_done", "corrects_id"
            ),
        )
        points = [
            {
                "as_of": entry.as_of,
                "value": entry.value,
                "milestone_done": entry.done,
                "percent_complete": entry.assessment.percent,
                "update": entry.update_id,
            }
            for entry in progress.series(entries)
        ]
        history = {
            "target": target.pk,
            "title": target.title,
            "kind": target.kind,
            "value": target.value,
            "unit": target.unit,
            "points": points,
        }
        return Response(api.TargetHistorySerializer(history).data)

    def _export_rows(self):
        return selectors.target_rows(self.filter_queryset(self.get_queryset()), reporting_today())

    @extend_schema(
        operation_id="targets_export_csv",
        summary=_("The target list as CSV (UTF-8 with BOM), with the list's filters"),
        filters=True,
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def export_csv(self, request):
        return csv_response(self._export_rows(), "targets")

    @extend_schema(
        operation_id="targets_export_xlsx",
        summary=_("The target list as an Excel workbook, with the list's filters"),
        filters=True,
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={(200, XLSXRenderer.media_type): OpenApiTypes.BINARY},
    )
    def export_xlsx(self, request):
        return xlsx_response(self._export_rows(), "targets")


# --- progress: reporters append ---------------------------------------------------------


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


def record_progress(data: dict, key: str, user) -> tuple[ProgressUpdate, bool]:
    """Record an update, or find the one a retry with the same key recorded: (update, created)."""
    if key:
        earlier = ProgressUpdate.objects.filter(target=data["target"], client_key=key).first()
        if earlier is not None:
            same = (earlier.as_of, earlier.value, earlier.milestone_done) == (
                data["as_of"],
                data.get("value"),
                data.get("milestone_done"),
            )
            if not same:
                raise IdempotencyKeyReused()
            return earlier, False
    return services.progress_record(**data, reported_by=user, client_key=key), True


class _RollBack(Exception):
    """Undo a bulk submission in which some item failed."""


PROGRESS_RESPONSES = {
    201: api.ProgressUpdateSerializer,
    200: OpenApiResponse(
        api.ProgressUpdateSerializer,
        description=_("A retry: the update recorded the first time with this key."),
    ),
    422: OpenApiResponse(
        inline_serializer("KeyReused", {"client_key": serializers.ListField()}),
        description=_("The key was already used for a different update."),
    ),
    202: OpenApiResponse(
        reporting.ReportSerializer,
        description=_(
            "Held for review (the town reviews progress and the sender is not a reviewer): "
            "submitted as the target's report for the period containing as_of; it counts "
            "once approved. Sent again, the same submission answers 200 with the report."
        ),
    ),
    409: OpenApiResponse(
        description=_("That period's report was already submitted with other content."),
    ),
}


class ProgressUpdateViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Progress reports, append-only: create one, or a batch; never change or delete one."""

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

    @extend_schema(responses=PROGRESS_RESPONSES)
    def create(self, request, *args, **kwargs):
        """Report a target's progress. With a client key (field or header) a retry records once.

        Where the town reviews progress and the sender is not one of its
        reviewers, the update is held: submitted as the target's report for the
        period containing `as_of` (202, the report), counted once approved.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        key = client_key(request, data)
        # Where the town reviews progress, a reporter's update waits as a report (202).
        held = reporting.hold_for_review(request.user, data)
        if held is not None:
            return reporting.held_response(self, *held)
        update, created = record_progress(data, key, request.user)
        (update,) = self._read_back([update])
        headers = {"Location": self.reverse_action("detail", args=[update.pk])}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            self.get_serializer(update).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=headers,
        )

    @extend_schema(
        request=api.ProgressUpdateSerializer(many=True),
        responses={
            201: api.ProgressUpdateSerializer(many=True),
            200: OpenApiResponse(
                api.ProgressUpdateSerializer(many=True),
                description=_("A retry: every item had been recorded before."),
            ),
            202: OpenApiResponse(
                reporting.ReportSerializer(many=True),
                description=_(
                    "Held for review, every item as its period's report (see the single "
                    "submission); items that need review and items that do not cannot be mixed."
                ),
            ),
        },
        summary=_("Report many updates at once, all or nothing"),
    )
    @action(detail=False, methods=["post"], pagination_class=None, parser_classes=[JSONParser])
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
        held = reporting.hold_bulk_for_review(request.user, serializer.validated_data)
        if held is not None:
            return reporting.held_response(self, *held)
        errors, recorded = {}, []
        try:
            with transaction.atomic():
                for index, item in enumerate(serializer.validated_data):
                    data = dict(item)
                    key = client_key(request, data, index)
                    try:
                        with transaction.atomic():
                            recorded.append(record_progress(data, key, request.user))
                    except DjangoValidationError as error:
                        errors[str(index)] = model_errors(error)
                    except IdempotencyKeyReused as error:
                        errors[str(index)] = error.detail
                if errors:
                    raise _RollBack
        except _RollBack:
            raise ValidationError(errors) from None
        created = any(was_created for _update, was_created in recorded)
        updates = self._read_back([update for update, _created in recorded])
        return Response(
            self.get_serializer(updates, many=True).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- tokens --------------------------------------------------------------------------


class TokenView(MethodFirstMixin, ObtainAuthToken):
    """Exchange a username and password for the user's API token (rate-limited per address)."""

    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
