"""The API's viewsets: each declares what it reads (with its joins), its filters and its rights.

Reads are filtered by `scope_for(user).readable(...)`: what a user may not read
is a 404 and never appears in a list. Writes go through tracker.services;
progress goes through tracker.submission (tracker/api/progress_views.py).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, routers, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from tracker import progress, services
from tracker.access import scope_for
from tracker.api import serializers as api
from tracker.api.changes import ChangesMixin
from tracker.api.exceptions import (
    PreconditionFailed,
    PreconditionRequired,
)
from tracker.api.permissions import EDIT
from tracker.api.renderers import BytesRenderer, CSVRenderer, XLSXRenderer
from tracker.api.throttling import TokenRateThrottle
from tracker.exports import EXPORT_VALUES, csv_response, xlsx_response
from tracker.filters import (
    DepartmentFilterSet,
    PlanFilterSet,
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
    Region,
    SourceDocument,
    Target,
    Town,
)
from tracker.selectors import FactRow, assess_rows, plan_summary, region_rollup

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
            timezone.localdate(),
            Plan.objects.filter(scope_for(request.user).readable()),
            lean=True,
        )
        return Response(api.rollup_data(rollup))


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
        return {**super().get_serializer_context(), "today": timezone.localdate()}

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
        return Response(api.plan_summary_data(plan_summary(plan, timezone.localdate())))


class SectionViewSet(ChangesMixin, VersionedViewSet):
    """The numbered sections of a plan (一、（一）●), nested as the document nests them."""

    changes_town = "plan__town"

    serializer_class = api.SectionSerializer
    filterset_class = SectionFilterSet

    def get_queryset(self):
        return GoalSection.objects.filter(
            scope_for(self.request.user).readable("plan")
        ).select_related("plan__town")


class TargetViewSet(ChangesMixin, VersionedViewSet):
    """Targets with their progress, percent complete and status today, and their source quote."""

    changes_town = "plan__town"

    serializer_class = api.TargetSerializer
    filterset_class = TargetFilterSet

    def get_queryset(self):
        targets = Target.objects.filter(scope_for(self.request.user).readable("plan"))
        if self.action == "history":
            return targets.select_related("plan")
        if self.action == "list":
            return targets  # read as .values() rows by list()
        if self.action in ("export_csv", "export_xlsx"):
            return targets  # read as .values() rows by _export_rows()
        return (
            targets.with_context()
            .defer("source_document__text")
            .prefetch_related(
                # For each target's section path: one query for all the plans' sections.
                Prefetch(
                    "plan__sections",
                    queryset=GoalSection.objects.only("plan_id", "parent_id", "label", "title"),
                )
            )
        )

    def list(self, request, *args, **kwargs):
        # The hottest read: the page's rows in one .values() query, formatted by
        # api.target_rows_data (TargetSerializer's JSON without its per-field cost).
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values(*api.TARGET_ROW_FIELDS))
        return self.get_paginated_response(api.target_rows_data(page, timezone.localdate()))

    def get_renderers(self):
        if self.action == "export_csv":
            return [JSONRenderer(), CSVRenderer()]
        if self.action == "export_xlsx":
            return [JSONRenderer(), XLSXRenderer(), BytesRenderer()]
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
        facts = target.facts()
        by_date: dict = {}
        for update in target.updates.order_by("as_of", "pk").values(
            "pk", "as_of", "value", "milestone_done"
        ):
            by_date[update["as_of"]] = update  # a later record of the same date wins
        points = [
            {
                "as_of": update["as_of"],
                "value": update["value"],
                "milestone_done": update["milestone_done"],
                "percent_complete": progress.percent_complete(
                    facts,
                    progress.Reading(
                        value=update["value"], done=update["milestone_done"], as_of=update["as_of"]
                    ),
                ),
                "update": update["pk"],
            }
            for update in by_date.values()
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
        # The export's columns only, as .values() rows: no model instances, documents,
        # helping departments or section paths (thousands of rows at a time).
        rows = list(self.filter_queryset(self.get_queryset()).values(*EXPORT_VALUES))
        assessments = assess_rows(rows, timezone.localdate())
        return [FactRow(values=row, assessment=assessments[row["pk"]]) for row in rows]

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
        responses={
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            (200, BytesRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    def export_xlsx(self, request):
        return xlsx_response(self._export_rows(), "targets")


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
