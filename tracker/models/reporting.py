"""The reporting cycle: periods with due dates, departments' reports, review, evidence, reminders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import ReportState
from tracker.models.base import Stamped
from tracker.models.geography import Department
from tracker.models.plans import Plan
from tracker.models.targets import QUANTITY, Target
from tracker.models.updates import ProgressUpdate


class ReportingPeriod(models.Model):
    """A stretch of the plan year (a month, a quarter) that progress is reported for."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="periods"
    )
    label = models.CharField(_("label"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    due_on = models.DateField(_("report due on"))

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["plan_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "starts_on"],
                name="tracker_reportingperiod_unique_plan_start",
                violation_error_message=_("This plan already has a period starting that day."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")) & Q(due_on__gte=F("starts_on")),
                name="tracker_reportingperiod_dates_in_order",
                violation_error_message=_(
                    "A period ends, and is due, on or after the day it starts."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.label}"

    def clean(self) -> None:
        super().clean()
        if not (self.plan_id and self.starts_on and self.ends_on):
            return
        if self.starts_on < self.plan.starts_on or self.ends_on > self.plan.ends_on:
            raise ValidationError({"starts_on": _("A period lies within its plan's year.")})
        overlapping = ReportingPeriod.objects.filter(
            plan_id=self.plan_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(
                {"starts_on": _("This period overlaps another period of the plan.")}
            )


class ProgressReport(Stamped):
    """A department's report on one target for one period, as it goes from draft to approved.

    Only an approved report becomes a ProgressUpdate, which is what counts in
    reports and current values. tracker/workflow.py holds the transitions.
    """

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("reporting department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    value = models.DecimalField(_("value reached"), null=True, blank=True, **QUANTITY)
    milestone_done = models.BooleanField(_("milestone done"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The town's approval of a key item that a region above reviews after it (endorsed).
    endorsed_at = models.DateTimeField(
        _("approved by the town at"), null=True, blank=True, editable=False
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by the town's"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    # The key of the submission that wrote the report (tracker/submission.py):
    # the same key with other content is refused, not taken for a retry.
    client_key = models.CharField(_("client key"), max_length=100, blank=True, editable=False)
    update = models.OneToOneField(
        ProgressUpdate,
        verbose_name=_("recorded update"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="report",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period__starts_on", "target_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period"],
                name="tracker_progressreport_unique_target_period",
                violation_error_message=_("This target already has a report for that period."),
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.APPROVED) | Q(update__isnull=False),
                name="tracker_progressreport_approved_has_update",
                violation_error_message=_("An approved report is recorded as a progress update."),
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.RETURNED) | ~Q(return_reason=""),
                name="tracker_progressreport_return_has_reason",
                violation_error_message=_("A returned report says why."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.period.label} · {self.get_state_display()}"

    def clean(self) -> None:
        super().clean()
        if self.target_id and self.period_id and self.target.plan_id != self.period.plan_id:
            raise ValidationError({"period": _("The period belongs to another plan.")})
        # A figure "as of" a day outside the period is another period's figure
        # (a November report as of May): the reviewer would weigh the wrong thing.
        if (
            self.as_of
            and self.period_id
            and not (self.period.starts_on <= self.as_of <= self.period.ends_on)
        ):
            raise ValidationError(
                {
                    "as_of": _("The as-of date must lie within the period (%(start)s to %(end)s).")
                    % {
                        "start": self.period.starts_on.isoformat(),
                        "end": self.period.ends_on.isoformat(),
                    }
                }
            )


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    # The stored name is not the uploaded one: names are chosen by uploaders.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.report.period.plan_id}/{instance.report_id}/{instance.digest[:16]}.{suffix}"


class EvidenceFile(models.Model):
    """A file (PDF, image, office document) attached to a report as evidence."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    digest = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return self.name


class ReminderLog(models.Model):
    """That a department was reminded for a period: reminders go once per period."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="reminders"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.CharField(_("recipients"), max_length=500)
    report_count = models.PositiveIntegerField(_("reports listed"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period"],
                name="tracker_reminderlog_unique_department_period",
                violation_error_message=_("This department was already reminded for that period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.period.label}"
