"""/api/assignments/: tasks assigned down the hierarchy (交办), their receipts, and signing.

- GET lists the tasks the caller reads (tracker.access.assignments_readable),
  each with the receipts they read: every receipt for the assigner's side, a
  receiver's own otherwise.
- POST gives a task: from a region (`region`) to towns below it (`towns`), or
  from a town (`town`) to its departments (`departments`); a region's or a
  town's editors. All or nothing.
- POST /{id}/sign/ signs for a receipt (签收): `receipt` (its target id; may be
  left out when the caller may sign for exactly one), and for a town, the
  `lead_department` that will lead the work.

A receipt is a target: its reports go through /api/reports/ as any target's.
The rules are tracker/assignments.py's and tracker/workflow.py's; a step the
caller may not take is a 403, a state that does not allow it a 409, bad input
a 400 naming the field.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from tracker.access import assigning_regions, assigning_towns, may_sign
from tracker.api.schema import ErrorSerializer
from tracker.api.serializers import (
    QuantityField,
    ScopedSerializerMixin,
    TargetNodeSerializer,
    TownRefSerializer,
    WarningSerializer,
    id_field,
    warning_data,
)
from tracker.api.strict import RejectUnknownFieldsMixin
from tracker.api.views import MethodFirstMixin
from tracker.assignments import (
    assignment_create,
    readable_assignments,
    receipt_rows,
    receipt_sign,
    signers,
)
from tracker.choices import AssignmentSource, Comparison, ReceiptState, Status, TargetKind
from tracker.models import Assignment, Department, SourceDocument, Target, Town
from tracker.today import reporting_today
from tracker.workflow import receipt_state

CONFLICT = OpenApiResponse(ErrorSerializer, description=_("The receipt's state does not allow it."))


class ReceiptSerializer(serializers.Serializer):
    """One receiver's receipt: a target of its plan, where it stands, and how it is going."""

    target = serializers.IntegerField(source="pk", help_text=_("The receipt's target (id)."))
    town = TownRefSerializer()
    lead_department = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text=_("awaiting, late or signed."))
    sign_due = serializers.DateField()
    signed_at = serializers.DateTimeField(allow_null=True)
    signed_by = serializers.SerializerMethodField()
    owner_name = serializers.CharField()
    percent_complete = QuantityField(source="assessment.percent", allow_null=True)
    status = serializers.ChoiceField(source="assessment.status", choices=Status.choices)
    warning = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_lead_department(self, row) -> dict | None:
        lead = row.lead_department
        return {"id": lead.id, "name": lead.name} if lead else None

    @extend_schema_field(serializers.ChoiceField(choices=ReceiptState.choices))
    def get_state(self, row) -> str:
        return str(receipt_state(row, self.context["today"]))

    def get_signed_by(self, row) -> str | None:
        return self.context["signers"].get(row.pk)

    @extend_schema_field(WarningSerializer(allow_null=True))
    def get_warning(self, row) -> dict | None:
        return warning_data(row.warning)


class AssignmentSerializer(serializers.ModelSerializer):
    """A task as its assigner gave it, and the receipts the caller reads."""

    assigned_by = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()
    value = QuantityField(allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "title", "request", "source_kind", "source_title", "source_document",
            "quote", "region", "town", "assigned_by", "issued_on", "deadline",
            "sign_within_days", "kind", "comparison", "value", "unit", "is_key", "receipts",
            "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_assigned_by(self, assignment: Assignment) -> str:
        return assignment.assigner.name

    @extend_schema_field(ReceiptSerializer(many=True))
    def get_receipts(self, assignment: Assignment) -> list[dict]:
        request = self.context["request"]
        today = reporting_today()
        rows = receipt_rows(assignment, request.user, today)
        context = {"today": today, "signers": signers(rows)}
        return ReceiptSerializer(rows, many=True, context=context).data


class AssignmentCreateSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """What an assigner sends: the task, who gives it, to whom, and optional nodes."""

    region = id_field(required=False, allow_null=True, help_text=_("The assigning region (id)."))
    town = id_field(required=False, allow_null=True, help_text=_("The assigning town (id)."))
    towns = id_field(many=True, required=False, help_text=_("Receiving towns (ids)."))
    departments = id_field(many=True, required=False, help_text=_("Receiving departments (ids)."))
    source_document = id_field(required=False, allow_null=True)
    nodes = TargetNodeSerializer(
        many=True, required=False, help_text=_("The task's node schedule, given to every receipt.")
    )
    kind = serializers.ChoiceField(choices=TargetKind.choices, default=TargetKind.MILESTONE)
    comparison = serializers.ChoiceField(
        choices=[("", ""), *Comparison.choices], required=False, default=""
    )
    source_kind = serializers.ChoiceField(choices=AssignmentSource.choices)

    class Meta:
        model = Assignment
        fields = [
            "title", "request", "source_kind", "source_title", "source_document", "quote",
            "region", "town", "issued_on", "deadline", "sign_within_days", "kind",
            "comparison", "value", "unit", "is_key", "towns", "departments", "nodes",
        ]  # fmt: skip
        validators = []  # the model's rules are checked by full_clean() in the service

    def get_fields(self):
        fields = super().get_fields()
        fields["region"].queryset = assigning_regions(self.user)
        fields["town"].queryset = assigning_towns(self.user)
        fields["towns"].child_relation.queryset = Town.objects.select_related("region")
        fields["departments"].child_relation.queryset = Department.objects.select_related("town")
        fields["source_document"].queryset = SourceDocument.objects.all()
        return fields

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("region")) == bool(attrs.get("town")):
            raise ValidationError({"region": _("Give the task from one region or from one town.")})
        return attrs


class SignSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    receipt = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The receipt's target (id).")
    )
    lead_department = id_field(
        required=False, allow_null=True, queryset=Department.objects.all(),
        help_text=_("For a town's receipt: the department that will lead the work."),
    )  # fmt: skip
    owner_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    owner_title = serializers.CharField(max_length=100, required=False, allow_blank=True)


class AssignmentAccess(BasePermission):
    """Reads filter by what the caller reads; a write needs a signed-in user (the service
    says whether they may: 403)."""

    anyone_reads = True

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


class AssignmentViewSet(
    MethodFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Tasks assigned down the hierarchy (交办), with their receivers' receipts."""

    serializer_class = AssignmentSerializer
    permission_classes = [AssignmentAccess]

    def get_queryset(self):
        return readable_assignments(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return AssignmentCreateSerializer
        if self.action == "sign":
            return SignSerializer
        return AssignmentSerializer

    def _respond(self, assignment: Assignment, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=assignment.pk)
        data = AssignmentSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        request=AssignmentCreateSerializer,
        responses={
            201: AssignmentSerializer,
            403: OpenApiResponse(ErrorSerializer, description=_("You may not assign from there.")),
        },
        summary=_("Assign a task to towns or departments"),
    )
    def create(self, request, *args, **kwargs):
        body = AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        receivers = [*data.pop("towns", []), *data.pop("departments", [])]
        nodes = data.pop("nodes", [])
        assignment = assignment_create(
            user=request.user, assignment=Assignment(**data), receivers=receivers, nodes=nodes
        )
        response = self._respond(assignment, status.HTTP_201_CREATED)
        response["Location"] = self.reverse_action("detail", args=[assignment.pk])
        return response

    @extend_schema(
        request=SignSerializer,
        responses={
            200: AssignmentSerializer,
            403: OpenApiResponse(ErrorSerializer, description=_("You may not sign for it.")),
            409: CONFLICT,
        },
        summary=_("Sign for a receipt of the task (签收)"),
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        assignment = self.get_object()
        body = SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        receipts = Target.objects.filter(assignment=assignment).select_related(
            "plan__town__region", "lead_department"
        )
        if "receipt" in data:
            receipt = receipts.filter(pk=data["receipt"]).first()
            if receipt is None:
                raise ValidationError({"receipt": _("No receipt of this task has that id.")})
        else:
            mine = [r for r in receipts if may_sign(request.user, r)]
            if not mine:
                raise PermissionDenied(_("You may not sign for this task."))
            if len(mine) > 1:
                raise ValidationError(
                    {"receipt": _("Say which receipt you sign for (its target id).")}
                )
            receipt = mine[0]
        receipt_sign(
            user=request.user,
            receipt=receipt,
            lead_department=data.get("lead_department"),
            owner_name=data.get("owner_name", ""),
            owner_title=data.get("owner_title", ""),
        )
        return self._respond(assignment)
