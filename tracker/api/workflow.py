"""The reporting workflow over the API: periods, reports and their steps, evidence uploads.

- /api/periods/: read with the plan (anyone who may read it); a town's editors
  add custom periods, and fill in a plan's monthly or quarterly ones with
  POST /api/plans/{id}/periods/generate/.
- /api/reports/: the reports a user may see (tracker.access.may_see: the
  town's reporters, for their department's targets, and its reviewers).
  POST saves a draft; /submit/, /approve/ and /return/ are the steps;
  /evidence/ attaches a file to a draft or a returned report.

The rules are tracker/workflow.py's. A step the user may not take is a 403, a
report they may not see a 404, a step its state does not allow a 409, and
content that would not make a valid progress update a 400 naming the field.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from tracker.access import scope_for
from tracker.api.permissions import EDIT, REPORT
from tracker.api.schema import ErrorSerializer
from tracker.api.views import MethodFirstMixin
from tracker.api.workflow_serializers import (
    EvidenceFileSerializer,
    EvidenceUploadSerializer,
    NoBodySerializer,
    PeriodGenerateSerializer,
    PeriodSerializer,
    ReportSerializer,
    ReturnSerializer,
    reports_queryset,
)
from tracker.evidence import evidence_attach
from tracker.filters import MAX_ID, ProgressReportFilterSet, ReportingPeriodFilterSet
from tracker.models import Plan, ProgressReport, ReportingPeriod
from tracker.workflow import (
    period_create,
    periods_generate,
    report_approve,
    report_return,
    report_save,
    report_submit,
)

REVIEW = "review"  # a town's reviewers: approve and return reports

CONFLICT = OpenApiResponse(ErrorSerializer, description=_("The report's state does not allow it."))


# --- periods ------------------------------------------------------------------------


class PeriodViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reporting periods of plans (a month, a quarter, or custom), each with its due date."""

    serializer_class = PeriodSerializer
    filterset_class = ReportingPeriodFilterSet
    write_permission = EDIT

    def get_queryset(self):
        return ReportingPeriod.objects.filter(scope_for(self.request.user).readable("plan"))

    def create(self, request, *args, **kwargs):
        """Add a custom period to a plan: within its year, overlapping none of its periods."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = period_create(**serializer.validated_data)
        return Response(
            self.get_serializer(period).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": self.reverse_action("detail", args=[period.pk])},
        )


class PeriodGenerateView(MethodFirstMixin, GenericAPIView):
    """Fill in a plan's monthly (default) or quarterly periods; what exists is kept."""

    serializer_class = PeriodGenerateSerializer
    write_permission = EDIT
    pagination_class = None
    filter_backends = []

    @extend_schema(
        request=PeriodGenerateSerializer,
        responses={
            201: PeriodSerializer(many=True),
            200: OpenApiResponse(
                PeriodSerializer(many=True), description=_("Every period existed already.")
            ),
        },
        summary=_("Generate a plan's reporting periods"),
    )
    def post(self, request, pk=None):
        """The plan's periods after filling in the year; 201 if any was added, else 200."""
        readable = Plan.objects.filter(scope_for(request.user).readable())
        plan = get_object_or_404(readable, pk=int(pk) if int(pk) <= MAX_ID else 0)
        if not scope_for(request.user).can_edit(plan.town_id):
            raise PermissionDenied(_("You may not add periods to this town's plans."))
        query = self.get_serializer(data=request.data)
        query.is_valid(raise_exception=True)
        before = plan.periods.count()
        periods = periods_generate(plan=plan, **query.validated_data)
        context = self.get_serializer_context()
        return Response(
            PeriodSerializer(periods, many=True, context=context).data,
            status=status.HTTP_201_CREATED if len(periods) > before else status.HTTP_200_OK,
        )


# --- reports ------------------------------------------------------------------------


class ReportAccess(BasePermission):
    """Anyone may list (and sees only what tracker.workflow lets them see); a step needs
    the role for it somewhere, else 403 before any report is looked up. Whether the
    user may take the step on *this* report is the workflow's to say (403 too)."""

    message = _("You do not have the role in any town that this step needs.")
    anyone_reads = True  # the schema documents reads as open to anonymous callers

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        scope = scope_for(request.user)
        if view.action in ("approve", "return_"):
            return scope.reviews_anywhere()
        return scope.reports_anywhere()


STEP_RESPONSES = {200: ReportSerializer, 409: CONFLICT}


class ReportViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Departments' reports per target and period: draft → submitted → approved, or returned."""

    serializer_class = ReportSerializer
    filterset_class = ProgressReportFilterSet
    permission_classes = [ReportAccess]
    write_permission = REPORT  # approve and return need REVIEW instead (ReportAccess)

    def get_queryset(self):
        return reports_queryset(self.request.user)

    @staticmethod
    def _no_body(request) -> None:
        """Read the body all the same, so that a bad, oversized or unexpected one is refused
        (400/413) as on every other write, not approved regardless."""
        NoBodySerializer(data=request.data).is_valid(raise_exception=True)

    def _respond(self, report: ProgressReport, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        responses={
            201: ReportSerializer,
            200: OpenApiResponse(ReportSerializer, description=_("An existing draft rewritten.")),
            409: CONFLICT,
        },
        summary=_("Save a target's report for a period as a draft"),
    )
    def create(self, request, *args, **kwargs):
        """Write the draft of a target's report for a period (a returned one becomes a draft again).

        One report per target and period: posting again rewrites the draft.
        """
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = ProgressReport.objects.filter(
            target=data["target"], period=data["period"]
        ).exists()
        report = report_save(user=request.user, **data)
        response = self._respond(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
        response["Location"] = self.reverse_action("detail", args=[report.pk])
        return response

    @extend_schema(request=None, responses=STEP_RESPONSES, summary=_("Submit a report for review"))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft or returned report for review; where the town does not review, it counts at once."""
        self._no_body(request)
        return self._respond(report_submit(user=request.user, report=self.get_object()))

    @extend_schema(request=None, responses=STEP_RESPONSES, summary=_("Approve a submitted report"))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted report (not one's own): it becomes the target's progress update."""
        self._no_body(request)
        return self._respond(report_approve(user=request.user, report=self.get_object()))

    @extend_schema(
        request=ReturnSerializer, responses=STEP_RESPONSES, summary=_("Return a report, saying why")
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Send a submitted report back to its department with the reason."""
        report = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            report_return(user=request.user, report=report, reason=body.validated_data["reason"])
        )

    @extend_schema(
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceFileSerializer, 409: CONFLICT},
        summary=_("Attach an evidence file to a draft or returned report"),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        """Upload one file (multipart, field `file`): its type and size are checked."""
        report = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = evidence_attach(
            report=report, upload=body.validated_data["file"], user=request.user
        )
        return Response(EvidenceFileSerializer(evidence).data, status=status.HTTP_201_CREATED)
