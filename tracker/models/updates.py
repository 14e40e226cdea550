"""What was reported: the append-only progress history of each target."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import TargetKind
from tracker.formatting import plain_number
from tracker.models.plans import SourceDocument, validate_quote
from tracker.models.targets import QUANTITY, Target


class ProgressUpdate(models.Model):
    """One report of how far a target got by a date; never edited, never deleted.

    A mistake is put right by a new update that names the one it corrects.
    """

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="updates"
    )
    value = models.DecimalField(_("value reached"), null=True, blank=True, **QUANTITY)
    milestone_done = models.BooleanField(_("milestone done"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    note = models.TextField(_("note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, editable=False)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    quote = models.TextField(_("source quote"), blank=True)
    # A key the client chooses so that a retried submission is recorded once.
    client_key = models.CharField(_("client key"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["target_id", "as_of", "id"]
        indexes = [
            models.Index(fields=["target", "as_of", "id"], name="tracker_update_target_asof"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False, milestone_done__isnull=True)
                | Q(value__isnull=True, milestone_done__isnull=False),
                name="tracker_progressupdate_value_xor_done",
                violation_error_message=_("Report a value or a milestone state, not both."),
            ),
            models.UniqueConstraint(
                fields=["target", "client_key"],
                condition=~Q(client_key=""),
                name="tracker_progressupdate_unique_client_key",
                violation_error_message=_("An update with this client key was already recorded."),
            ),
        ]

    def __str__(self) -> str:
        shown = plain_number(self.value) if self.value is not None else self.milestone_done
        return f"{self.target} @ {self.as_of}: {shown}"

    def save(self, *args, **kwargs) -> None:
        # Append-only: the first save inserts; nothing may rewrite a report.
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Progress updates cannot be changed; record a correction."))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.target_id:
            target = self.target
            if target.kind == TargetKind.MILESTONE:
                if self.value is not None:
                    errors["value"] = _("A milestone takes done or not done, not a number.")
                if self.milestone_done is None:
                    errors["milestone_done"] = _("Say whether the milestone is done.")
            else:
                if self.milestone_done is not None:
                    errors["milestone_done"] = _("A quantitative target takes a number.")
                if self.value is None:
                    errors["value"] = _("Give the value reached.")
                elif self.value < 0 and not target.is_growth:
                    errors["value"] = _("The value reached cannot be negative.")
            if self.as_of:
                last_day = max(target.plan.ends_on, target.due_on)
                if not (target.plan.starts_on <= self.as_of <= last_day):
                    errors["as_of"] = _("The date must fall within the plan year %(year)s.") % {
                        "year": target.plan.year
                    }
                # The wall clock, not reporting_today(): a figure cannot be dated after
                # the real day it is entered, whatever day a demo judges status on.
                elif self.as_of > timezone.localdate():
                    errors["as_of"] = _("The date cannot be in the future.")
            if self.corrects_id and self.corrects.target_id != self.target_id:
                errors["corrects"] = _("A correction must be for the same target.")
        errors.update(validate_quote(self.source_document, self.quote))
        if errors:
            raise ValidationError(errors)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Progress updates cannot be deleted; record a correction."))
