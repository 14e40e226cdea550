"""The API's viewsets: each declares what it reads (with its joins), its filters and its rights.

Reads are filtered by `scope_for(user).readable(...)`: what a user may not read
is a 404 and never appears in a list. Writes go through tracker.services;
progress goes through tracker.submission (tracker/api/progress_views.py).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, routers, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from tracker import progress, ranking, selectors, services
from tracker.access import scope_for
from tracker.api import ranking as ranking_api
from tracker.api import serializers as api
from tracker.api.bulletins import BulletinMixin, bulletin_action
from tracker.api.changes import ChangesMixin
from tracker.api.exceptions import (
    PreconditionFailed,
    PreconditionRequired,
)
from tracker.api.parsers import JSONParser as LimitedJSONParser
from tracker.api.permissions import EDIT
from tracker.api.renderers import BytesRenderer, CSVRenderer, XLSXRenderer
from tracker.api.strict import RejectUnknownFieldsMixin
from tracker.api.throttling import TokenRateThrottle
from tracker.exports import csv_response, xlsx_response
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
from tracker.selectors import NoSuchPage, plan_summary, region_rollup
from tracker.today import reporting_today

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
class RegionViewSet(
    BulletinMixin, MethodFirstMixin, IdOrSlugLookupMixin, viewsets.ReadOnlyModelViewSet
):
    """Provinces, cities and districts: the tree the towns hang from."""

    serializer_class = api.RegionSerializer
    filterset_class = RegionFilterSet
    bulletin = bulletin_action("regions_bulletin_docx")

    def get_queryset(self):
        return Region.objects.all()

    @extend_schema(
        parameters=[ID_OR_SLUG, api.RollupQuerySerializer],
        responses=api.RegionRollupPageSerializer,
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
        try:
            rollup = region_rollup(
                region,
                query.validated_data["year"],
                reporting_today(),
                Plan.objects.filter(scope_for(request.user).readable()),
                page=query.validated_data["page"],
            )
        except NoSuchPage:
            raise NotFound(_("No such page.")) from None
        data = api.RegionRollupSerializer(rollup).data
        url = request.build_absolute_uri()
        data["next"] = (
            replace_query_param(url, "page", rollup.page + 1)
            if rollup.page < rollup.page_count
            else None
        )
        data["previous"] = (
            replace_query_param(url, "page", rollup.page - 1) if rollup.page > 1 else None
        )
        return Response(data)

    @extend_schema(
        parameters=[ID_OR_SLUG, ranking_api.RankingQuerySerializer],
        responses=ranking_api.RankingSerializer,
        summary=_("The towns below a region ranked for a year (晾晒)"),
    )
    @action(detail=True, pagination_class=None)
    def ranking(self, request, id_or_slug=None):
        """Each town's rank, completion over every target, share on pace, red targets,
        reporting rate (填报率) and on-time rate (及时率); see tracker/ranking.py.

        Only plans the user may read are counted.
        """
        region = self.get_object()
        year, period = _ranking_query(request)
        result = ranking.region_ranking(
            region,
            year,
            reporting_today(),
            Plan.objects.filter(scope_for(request.user).readable()),
            period,
        )
        _check_period(period, result)
        return Response(ranking_api.RankingSerializer(result).data)


def _ranking_query(request) -> tuple[int, int | None]:
    query = ranking_api.RankingQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["year"], query.validated_data.get("period")


def _check_period(period: int | None, result) -> None:
    if period is not None and result.period is None:
        raise ValidationError({"period": [_("No reporting period of these plans has this id.")]})


@extend_schema_view(retrieve=extend_schema(parameters=[ID_OR_SLUG]))
class TownViewSet(
    BulletinMixin, MethodFirstMixin, IdOrSlugLookupMixin, viewsets.ReadOnlyModelViewSet
):
    """Towns (镇) and sub-districts (街道): the governments that own plans."""

    serializer_class = api.TownSerializer
    filterset_class = TownFilterSet
    bulletin = bulletin_action("towns_bulletin_docx")

    def get_queryset(self):
        return Town.objects.select_related("region")

    @extend_schema(
        parameters=[ID_OR_SLUG, ranking_api.TownRankingQuerySerializer],
        responses=ranking_api.RankingSerializer,
        summary=_("A town's departments ranked for a year (晾晒)"),
    )
    @action(detail=True, pagination_class=None)
    def ranking(self, request, id_or_slug=None):
        """Each department's rank on the targets it leads in the town's plan for the year,
        with the same figures as a region's ranking; `by=leader` ranks its leaders in
        charge (分管领导) on the targets they are in charge of."""
        town = self.get_object()
        query = ranking_api.TownRankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, period = query.validated_data["year"], query.validated_data.get("period")
        result = ranking.town_ranking(
            town,
            year,
            reporting_today(),
            Plan.objects.filter(scope_for(request.user).readable()),
            period,
            by=query.validated_data["by"],
        )
        _check_period(period, result)
        return Response(ranking_api.RankingSerializer(result).data)


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
        created = self.create_record(serializer.validated_data)
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
        edited = self.edit_record(instance, serializer.validated_data, expected)
        return self._respond(edited, status.HTTP_200_OK)

    def create_record(self, fields: dict):
        return services.record_create(
            model=self.get_serializer_class().Meta.model, fields=fields, user=self.request.user
        )

    def edit_record(self, instance, changes: dict, expected: int):
        return services.record_edit(
            instance=instance, changes=changes, expected_version=expected, user=self.request.user
        )

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
    # No filters: a summary is of one plan, and running the list's filter set for it
    # cost 0.8 ms of a 10 ms answer.
    @action(detail=True, pagination_class=None, filter_backends=[])
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

    # A target's nodes are written with it (tracker.services.target_edit): the
    # If-Match that guards the target guards its schedule.
    def create_record(self, fields: dict):
        nodes = fields.pop("nodes", None)
        return services.target_create(fields=fields, nodes=nodes, user=self.request.user)

    def edit_record(self, instance, changes: dict, expected: int):
        nodes = changes.pop("nodes", None)
        return services.target_edit(
            target=instance,
            changes=changes,
            nodes=nodes,
            expected_version=expected,
            user=self.request.user,
        )

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
        # Every point has its reading: when the first report was due (overdue or
        # not) cannot matter, so it is not read.
        target.first_report_due = None
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
        responses={
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            (200, BytesRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    def export_xlsx(self, request):
        return xlsx_response(self._export_rows(), "targets")


# --- tokens --------------------------------------------------------------------------


class StrictAuthTokenSerializer(RejectUnknownFieldsMixin, AuthTokenSerializer):
    """A username and a password, and nothing else."""


class TokenView(MethodFirstMixin, ObtainAuthToken):
    """Exchange a username and password for the user's API token (rate-limited per address)."""

    throttle_classes = [TokenRateThrottle]
    parser_classes = [LimitedJSONParser, FormParser]
    serializer_class = StrictAuthTokenSerializer
    non_atomic = True  # read by tracker.api.exceptions.exception_handler

    @classmethod
    def as_view(cls, **initkwargs):
        # Not one transaction: a refused password is a 400, whose rollback would
        # take the failure's record (tracker/lockout.py) with it. The one write,
        # the token, needs no transaction around it.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def get_serializer_context(self):
        # Django's request, not DRF's: the lockout marks it, and AxesMiddleware
        # then answers 429 in the lockout's words (tracker/lockout.py).
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        request=AuthTokenSerializer,  # the same fields; the schema keeps its name
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # Answered, not raised: DRF's handler would mark an enclosing
            # transaction for rollback, and the failure's record with it.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
