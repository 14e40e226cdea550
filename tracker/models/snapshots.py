"""Status history: where each target stood at the end of each month, kept as a fact."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import Status
from tracker.models.targets import QUANTITY, Target


class StatusSnapshot(models.Model):
    """A target's status, percent and value as they stood at a month's end (or on `taken_on`).

    Written by `snapshot_statuses` (tracker/snapshots.py); trends and "change
    since last month" read these rows, never a recomputation with today's rules.
    """

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="snapshots"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    percent = models.DecimalField(
        _("percent complete"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(_("value reached"), null=True, blank=True, **QUANTITY)
    milestone_done = models.BooleanField(_("milestone done"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    taken_on = models.DateField(
        _("judged on"), help_text=_("The day the status was judged: the month's last day.")
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        ordering = ["target_id", "month"]
        indexes = [models.Index(fields=["month", "status"], name="tracker_snapshot_month_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "month"],
                name="tracker_statussnapshot_unique_target_month",
                violation_error_message=_("This target already has a snapshot for that month."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="tracker_statussnapshot_month_first_day",
                violation_error_message=_("A snapshot's month is written as its first day."),
            ),
            models.CheckConstraint(
                condition=Q(taken_on__gte=models.F("month")),
                name="tracker_statussnapshot_taken_in_or_after_month",
                violation_error_message=_("A snapshot is taken within its month."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} @ {self.month:%Y-%m}: {self.status}"
