"""The API's shapes for the reporting workflow: periods, reports, evidence files.

What becomes of a submission (recorded or held for review) is decided by
tracker/submission.py; these serializers only read and check input.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from tracker.access import reports_seen
from tracker.api.permissions import EDIT
from tracker.api.serializers import (
    ScopedSerializerMixin,
    TownRefSerializer,
    id_field,
    readable_targets,
)
from tracker.api.strict import RejectUnknownFieldsMixin
from tracker.choices import Frequency
from tracker.models import EvidenceFile, Plan, ProgressReport, ReportingPeriod, Target
from tracker.submission import check_reporter

# --- periods ------------------------------------------------------------------------


class PeriodSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """A reporting period of a plan: what it covers and when its reports are due."""

    plan = id_field(help_text=_("The plan (id); its town's editors add periods."))

    class Meta:
        model = ReportingPeriod
        fields = ["id", "plan", "label", "starts_on", "ends_on", "due_on"]
        validators = []  # the model's rules are checked by full_clean() in the workflow

    def get_fields(self):
        fields = super().get_fields()
        fields["plan"].queryset = Plan.objects.filter(self.scope.readable())
        return fields

    def validate_plan(self, plan: Plan) -> Plan:
        self.check_town(plan.town_id, EDIT, _("You may not add periods to this town's plans."))
        return plan


class PeriodGenerateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.MONTHLY)
    due_days = serializers.IntegerField(
        min_value=0,
        max_value=90,
        default=5,
        help_text=_("Days after a period ends that its reports are due."),
    )


# --- reports ------------------------------------------------------------------------


class EvidenceFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("Where to download it (signed in)."))

    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, evidence: EvidenceFile) -> str:
        return reverse("evidence-download", args=[evidence.pk])


class EvidenceUploadSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A PDF, an image or an office document, at most TRACKER_EVIDENCE_MAX_BYTES.")
    )


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """A department's report on a target for a period, from draft to approved.

    Written only as a draft (POST /api/reports/); the steps after that are
    their own endpoints: submit, approve, return.
    """

    target = id_field(help_text=_("The target (id); its lead department reports on it."))
    period = id_field(help_text=_("The period (id) of the target's plan."))
    town = TownRefSerializer(source="target.plan.town", read_only=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    submitted_by = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    update = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The progress update an approved report became.")
    )
    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "target", "period", "town", "department", "state", "value", "milestone_done",
            "as_of", "note", "evidence_url", "return_reason", "submitted_by", "submitted_at",
            "reviewed_by", "reviewed_at", "update", "files", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "state", "return_reason", "submitted_at", "reviewed_at", "created_at", "updated_at",
        ]  # fmt: skip
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        scope = self.scope
        fields["target"].queryset = readable_targets(scope)
        fields["period"].queryset = ReportingPeriod.objects.filter(scope.readable("plan"))
        return fields

    def validate_target(self, target: Target) -> Target:
        try:
            check_reporter(user=self.user, target=target)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict["target"]) from None
        return target

    def validate(self, attrs: dict) -> dict:
        if attrs["period"].plan_id != attrs["target"].plan_id:
            raise ValidationError({"period": _("The period belongs to another plan.")})
        return attrs

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by(self, report: ProgressReport) -> str | None:
        return report.submitted_by.get_username() if report.submitted_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reviewed_by(self, report: ProgressReport) -> str | None:
        return report.reviewed_by.get_username() if report.reviewed_by else None


class NoBodySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A step that takes nothing: an empty body, or `{}`; anything else is a 400 (not ignored)."""


class ReturnSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the report goes back to its department.")
    )


def reports_queryset(user):
    """The reports `user` may see, with what their representation reads."""
    return (
        ProgressReport.objects.filter(reports_seen(user))
        .select_related("target__plan__town", "period", "department", "submitted_by", "reviewed_by")
        .prefetch_related("files")
    )
