"""Each target's status as the rule last judged it, kept so that counts are aggregate queries."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import Status
from tracker.models.plans import Plan
from tracker.models.targets import Target


class JudgedStatus(models.Model):
    """A target's status and percent (capped at 100) as `progress.assess` gave them on a day.

    Derived, never entered: tracker/statuses.py writes every column but `stamp`,
    and counts a row only while it is current (its module doc says when). The
    database writes `stamp` (triggers of migration 0015): a row is made with
    each target, and its stamp moves on whenever an input of the target's status
    changes, so a status judged before the change is never counted as current.
    """

    target = models.OneToOneField(
        Target,
        verbose_name=_("target"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="judged",
    )
    stamp = models.BigIntegerField(
        _("inputs' stamp"),
        db_default=0,
        editable=False,
        help_text=_("Moved on by the database whenever an input of the status changes."),
    )
    judged_stamp = models.BigIntegerField(
        _("stamp judged"), db_default=-1, help_text=_("The stamp of the inputs judged; -1: none.")
    )
    judged_on = models.DateField(_("judged on"), null=True, blank=True)
    rule = models.CharField(
        _("rule"),
        max_length=64,
        db_default="",
        blank=True,
        help_text=_("A digest of the rule's code and thresholds it was judged by."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, db_default="", blank=True
    )
    percent = models.DecimalField(
        _("percent complete, at most 100"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # The target's plan, kept beside its status by the database (the triggers, as the
    # stamp), so that a rollup counts a province's statuses by plan from this table
    # alone: joined to the targets, the count took five times as long (statuses.plan_tallies).
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,  # its targets' rows go with them (target, CASCADE)
        db_constraint=False,
        db_index=False,  # the index below leads with it
        related_name="+",
    )

    class Meta:
        verbose_name = _("judged status")
        verbose_name_plural = _("judged statuses")
        ordering = ["target_id"]
        indexes = [
            models.Index(fields=["plan", "status"], name="tracker_judged_plan_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100) | Q(percent__isnull=True),
                name="tracker_judgedstatus_percent_capped",
                violation_error_message=_("A judged percent is between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.judged_on}: {self.status}"
