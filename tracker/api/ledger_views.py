"""Ledgers over the API: the progress template and its upload, a plan's breakdown as Excel.

- GET  /api/reports/template.xlsx?town=<slug>&period=<id>[&department=<id>]
- POST /api/reports/import/ (multipart `file`): 201 with what was created,
  200 when every row replayed an earlier upload, 400 with `errors` keyed by
  row then column (or `file` when the file as a whole is refused);
- GET  /api/plans/{id}/export.xlsx: the plan's 任务分解表;
- POST /api/plans/import/ (multipart `file`, `town`, `year`, `dry_run`,
  `create_departments`): the preview (200) with dry_run, else the plan
  written (201) or the preview with its refusals (400).

The rules are tracker/ledgers' and, for progress, tracker/submission.py's;
the rights tracker/access.py's.
"""

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.access import Action, may_in_town, scope_for
from tracker.api.permissions import EDIT, REPORT
from tracker.api.renderers import BytesRenderer, XLSXRenderer
from tracker.api.strict import RejectUnknownFieldsMixin
from tracker.api.views import MethodFirstMixin
from tracker.filters import MAX_ID
from tracker.ledgers.breakdown import breakdown_apply, breakdown_export, breakdown_preview
from tracker.ledgers.progress_sheet import (
    RowsRefused,
    progress_import,
    progress_template,
    template_filename,
)
from tracker.ledgers.workbooks import XLSX_TYPE, SheetRefused, errors_by_row
from tracker.models import Department, Plan, ReportingPeriod, Town


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class _LedgerView(MethodFirstMixin, APIView):
    filter_backends = []

    def handle_exception(self, exc):
        # A download that fails says why in JSON, whatever format it asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class TemplateQuery(serializers.Serializer):
    town = serializers.SlugField()
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    department = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class ProgressTemplateView(_LedgerView):
    """The progress ledger of a town (or one of its departments) for a period, to fill in."""

    renderer_classes = [JSONRenderer, XLSXRenderer, BytesRenderer]

    @extend_schema(
        operation_id="reports_template_xlsx",
        parameters=[TemplateQuery, OpenApiParameter("format", exclude=True)],
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (200, BytesRenderer.media_type): OpenApiTypes.BINARY,
            400: OpenApiResponse(description=_("A parameter is missing or wrong.")),
            401: OpenApiResponse(description=_("Not signed in.")),
            403: OpenApiResponse(description=_("The user reports on no target listed.")),
        },
        summary=_("Download the progress template (Excel) for a period"),
    )
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        query = TemplateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        town = Town.objects.filter(slug=query.validated_data["town"]).first()
        if town is None:
            raise serializers.ValidationError({"town": [_("No such town.")]})
        if not may_in_town(request.user, Action.REPORT, town):
            raise PermissionDenied(_("You do not report for this town."))
        period = ReportingPeriod.objects.select_related("plan__town").filter(
            pk=query.validated_data["period"], plan__town=town
        )
        period = period.first()
        if period is None:
            raise serializers.ValidationError({"period": [_("No such period of this town.")]})
        department = None
        if "department" in query.validated_data:
            department = Department.objects.filter(
                pk=query.validated_data["department"], town=town
            ).first()
            if department is None:
                raise serializers.ValidationError(
                    {"department": [_("No such department of this town.")]}
                )
        try:
            data = progress_template(user=request.user, period=period, department=department)
        except SheetRefused as refused:
            raise PermissionDenied(str(refused)) from None
        return xlsx_download(data, template_filename(period, department))


UPLOAD = inline_serializer("LedgerUpload", {"file": serializers.FileField()})
IMPORTED = inline_serializer(
    "ProgressImported",
    {
        "period": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "replayed": serializers.IntegerField(),
        "recorded": serializers.IntegerField(),
        "held": serializers.IntegerField(),
        "reports": serializers.ListField(child=serializers.IntegerField()),
        "updates": serializers.ListField(child=serializers.IntegerField()),
    },
)
ROW_ERRORS = inline_serializer(
    "LedgerRowErrors",
    {
        "errors": serializers.DictField(
            child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            help_text=_("By row number, then column heading (“row” for the row as a whole)."),
            required=False,
        ),
        # Either `errors` (rows refused) or `file` (the file as a whole refused).
        "file": serializers.ListField(child=serializers.CharField(), required=False),
    },
)


def _refused(error: Exception) -> Response:
    if isinstance(error, RowsRefused):
        body = {"errors": errors_by_row(error.errors)}
    else:
        body = {"file": [str(error)]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class UploadForm(RejectUnknownFieldsMixin, serializers.Serializer):
    """A progress upload's form: the workbook (checked below), and no other field."""

    file = serializers.FileField(required=False)


def _upload(request):
    UploadForm(data=request.data).is_valid(raise_exception=True)
    upload = request.FILES.get("file")
    if upload is None:
        raise serializers.ValidationError({"file": [_("Attach the filled-in workbook as `file`.")]})
    return upload


class ProgressImportView(_LedgerView):
    """Upload a filled progress template: every row submitted, all or none."""

    parser_classes = [MultiPartParser, FormParser]
    write_permission = REPORT  # someone who reports somewhere; each row is judged by the policy

    @extend_schema(
        operation_id="reports_import",
        request={"multipart/form-data": UPLOAD},
        responses={
            201: IMPORTED,
            200: OpenApiResponse(IMPORTED, description=_("Every row was uploaded before.")),
            400: ROW_ERRORS,
        },
        summary=_("Upload a filled progress template"),
    )
    def post(self, request):
        try:
            result = progress_import(user=request.user, upload=_upload(request))
        except (SheetRefused, RowsRefused) as error:
            return _refused(error)
        body = {
            "period": result.period.pk,
            "created": result.created,
            "replayed": result.replayed,
            "recorded": result.recorded,
            "held": result.held,
            "reports": [s.report.pk for s in result.submissions if s.report is not None],
            "updates": [s.update.pk for s in result.submissions if s.update is not None],
        }
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class PlanExportView(_LedgerView):
    """A plan's task breakdown (任务分解表) as an Excel workbook."""

    renderer_classes = [JSONRenderer, XLSXRenderer, BytesRenderer]

    @extend_schema(
        operation_id="plans_export_xlsx",
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (200, BytesRenderer.media_type): OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("format", exclude=True),
        ],
        summary=_("Download a plan's task breakdown (Excel)"),
    )
    def get(self, request, pk=None):
        readable = Plan.objects.filter(scope_for(request.user).readable()).select_related("town")
        plan = get_object_or_404(readable, pk=int(pk) if int(pk) <= MAX_ID else 0)
        return xlsx_download(
            breakdown_export(plan), f"{plan.town.name}{plan.year}{_('task breakdown')}.xlsx"
        )


class PlanImportForm(RejectUnknownFieldsMixin, serializers.Serializer):
    file = serializers.FileField()
    town = serializers.SlugField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    dry_run = serializers.BooleanField(default=False)
    create_departments = serializers.BooleanField(
        default=False,
        help_text=_("Confirm that the departments the preview lists as unknown are created."),
    )


PREVIEW = inline_serializer(
    "BreakdownPreview",
    {
        "town": serializers.CharField(),
        "year": serializers.IntegerField(),
        "plan": serializers.IntegerField(allow_null=True),
        "created_sections": serializers.ListField(child=serializers.CharField()),
        "created": serializers.ListField(child=serializers.DictField()),
        "changed": serializers.ListField(child=serializers.DictField()),
        "unchanged": serializers.IntegerField(),
        "refused": serializers.ListField(child=serializers.DictField()),
        "unknown_departments": serializers.ListField(child=serializers.CharField()),
        "warnings": serializers.ListField(child=serializers.DictField()),
        "errors": serializers.DictField(required=False),
    },
)


class PlanImportView(_LedgerView):
    """Import a task breakdown into a town's plan for a year: preview first, then apply."""

    parser_classes = [MultiPartParser, FormParser]
    write_permission = EDIT  # an editor somewhere; the town is checked below

    @extend_schema(
        operation_id="plans_import",
        request={"multipart/form-data": PlanImportForm},
        responses={
            200: OpenApiResponse(PREVIEW, description=_("The dry run's preview.")),
            201: OpenApiResponse(PREVIEW, description=_("Imported.")),
            400: PREVIEW,
        },
        summary=_("Import a task breakdown (Excel) into a plan"),
    )
    def post(self, request):
        form = PlanImportForm(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        town = Town.objects.filter(slug=data["town"]).first()
        if town is None:
            raise serializers.ValidationError({"town": [_("No such town.")]})
        if not may_in_town(request.user, Action.EDIT, town):
            raise PermissionDenied(_("You do not edit this town's plans."))
        try:
            preview = breakdown_preview(
                user=request.user, upload=data["file"], town=town, year=data["year"]
            )
        except SheetRefused as error:
            return _refused(error)
        body = preview.as_dict()
        if preview.refused:
            body["errors"] = errors_by_row(preview.refused)
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        if data["dry_run"]:
            return Response(body, status=status.HTTP_200_OK)
        try:
            plan = breakdown_apply(
                user=request.user, preview=preview, create_departments=data["create_departments"]
            )
        except DjangoValidationError as error:
            body["errors"] = {"create_departments": error.messages}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        body["plan"] = plan.pk
        return Response(body, status=status.HTTP_201_CREATED)
