"""The API's shapes for the reporting workflow, and how a plain progress submission joins it.

A progress update sent to /api/progress-updates/ counts at once only where it
would need no review: the town has review switched off, or the sender reviews
the town's reports. Otherwise it is held: saved and submitted as the target's
report for the period that contains its `as_of` date, answered 202 with the
report, and counted when a reviewer approves it (tracker/workflow.py). The
same submission sent again finds that report and answers 200.

This module imports nothing from tracker.api.views, which calls it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tracker.access import Action, report_refusal, rule, scope_for
from tracker.api.exceptions import model_errors
from tracker.api.permissions import EDIT
from tracker.api.serializers import ScopedSerializerMixin, TownRefSerializer, id_field
from tracker.choices import Frequency
from tracker.models import EvidenceFile, Plan, ProgressReport, ReportingPeriod, Target
from tracker.workflow import (
    COUNTED,
    InvalidTransition,
    period_covering,
    report_save,
    report_submit,
)

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


class PeriodGenerateSerializer(serializers.Serializer):
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


class EvidenceUploadSerializer(serializers.Serializer):
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
        fields["target"].queryset = Target.objects.filter(scope.readable("plan")).select_related(
            "plan"
        )
        fields["period"].queryset = ReportingPeriod.objects.filter(scope.readable("plan"))
        return fields

    def validate_target(self, target: Target) -> Target:
        check_reporter(self.user, target)
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


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the report goes back to its department.")
    )


def reports_queryset(user):
    """The reports `user` may see, with what their representation reads."""
    return (
        ProgressReport.objects.filter(rule(user, Action.SEE, ProgressReport))
        .select_related("target__plan__town", "period", "department", "submitted_by", "reviewed_by")
        .prefetch_related("files")
    )


def check_reporter(user, target: Target) -> None:
    """A field error unless `user` reports on the target (its town, and their department)."""
    refusal = report_refusal(user, target)
    if refusal is not None:
        raise ValidationError({"target": [refusal]})


# --- progress submitted through /api/progress-updates/ ------------------------------------

HELD_ONLY_FIELDS = ("corrects", "source_document", "quote")


def needs_review(user, target: Target) -> bool:
    """Whether progress `user` submits on `target` waits for a reviewer before it counts."""
    town = target.plan.town
    return town.review_required and not scope_for(user).can_review(town.pk)


def _same(report: ProgressReport, data: dict) -> bool:
    return (report.as_of, report.value, report.milestone_done) == (
        data["as_of"],
        data.get("value"),
        data.get("milestone_done"),
    )


def hold(user, data: dict) -> tuple[ProgressReport, bool]:
    """Save and submit a progress submission as its period's report: (report, created).

    A retry of a submission already submitted (same date and value) finds it
    (created False); a different one for a period already submitted is a 409.
    """
    target = data["target"]
    extra = [name for name in HELD_ONLY_FIELDS if data.get(name)]
    if extra:
        message = _(
            "A report waiting for review carries a value, a date, a note and an evidence link; "
            "corrections and source quotes are recorded by the town's reviewers."
        )
        raise ValidationError({name: [message] for name in extra})
    period = period_covering(target.plan, data["as_of"])
    if period is None:
        raise ValidationError(
            {
                "as_of": [
                    _(
                        "This town reviews progress by reporting period, and no period of the "
                        "plan covers this date. Its editors can add the periods "
                        "(POST /api/plans/{id}/periods/generate/)."
                    )
                ]
            }
        )
    existing = ProgressReport.objects.filter(target=target, period=period).first()
    if existing is not None and existing.state in COUNTED:
        if _same(existing, data):
            return existing, False
        raise InvalidTransition(
            _("The report for %(period)s is already %(state)s; it cannot be replaced.")
            % {"period": period.label, "state": existing.get_state_display()}
        )
    report = report_save(
        user=user,
        target=target,
        period=period,
        value=data.get("value"),
        milestone_done=data.get("milestone_done"),
        as_of=data["as_of"],
        note=data.get("note", ""),
        evidence_url=data.get("evidence_url", ""),
    )
    return report_submit(user=user, report=report), True


def hold_for_review(user, data: dict) -> tuple[ProgressReport, bool] | None:
    """Hold one progress submission for review, or None if it counts at once."""
    check_reporter(user, data["target"])
    if not needs_review(user, data["target"]):
        return None
    return hold(user, data)


def hold_bulk_for_review(user, items: list[dict]) -> tuple[list[ProgressReport], bool] | None:
    """Hold a bulk submission for review, all or nothing; None if it all counts at once.

    Errors are keyed by the item's index, as the bulk endpoint's are. Items that
    need review and items that do not cannot be mixed in one submission.
    """
    errors: dict[str, object] = {}
    for index, item in enumerate(items):
        try:
            check_reporter(user, item["target"])
        except ValidationError as error:
            errors[str(index)] = error.detail
    if errors:
        raise ValidationError(errors)
    held = [needs_review(user, item["target"]) for item in items]
    if not any(held):
        return None
    if not all(held):
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
    reports, created = [], False
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    report, was_created = hold(user, item)
            except DjangoValidationError as error:
                errors[str(index)] = model_errors(error)
            except ValidationError as error:
                errors[str(index)] = error.detail
            except InvalidTransition as error:
                errors[str(index)] = {api_settings.NON_FIELD_ERRORS_KEY: [str(error)]}
            else:
                reports.append(report)
                created = created or was_created
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return reports, created


def held_response(view, reports: list[ProgressReport] | ProgressReport, created: bool) -> Response:
    """202 with the held report(s) (200 for a retry), read back with what they show."""
    many = isinstance(reports, list)
    found = reports_queryset(view.request.user).in_bulk(
        [report.pk for report in (reports if many else [reports])]
    )
    context = view.get_serializer_context()
    if many:
        data = ReportSerializer([found[r.pk] for r in reports], many=True, context=context).data
        headers = {}
    else:
        data = ReportSerializer(found[reports.pk], context=context).data
        headers = {
            "Location": view.request.build_absolute_uri(
                reverse("api:report-detail", args=[reports.pk])
            )
        }
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK, headers=headers
    )
