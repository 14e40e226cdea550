"""Tasks assigned down the hierarchy (交办事项): what is asked, by whom, of whom.

An Assignment is the task as the assigner wrote it. Each receiver gets a
receipt: a Target in the receiving town's plan for the deadline's year (in
its section of assigned tasks), carrying `assignment`, `sign_due` and, once
signed for, `signed_at`/`signed_by`. Being a target, a receipt is reported,
reviewed, judged, chased, ranked and bulletined as every target is; the rules
of assigning and signing are in tracker/assignments.py.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import AssignmentSource, Comparison, TargetKind
from tracker.models.base import Stamped, Versioned
from tracker.models.geography import Region, Town
from tracker.models.plans import SourceDocument, validate_quote

QUANTITY = {"max_digits": 20, "decimal_places": 4}


class Assignment(Stamped, Versioned):
    """A task a region gives its towns, or a town gives its departments (交办事项)."""

    title = models.CharField(_("title"), max_length=300)
    request = models.TextField(_("what is asked (交办内容)"))
    source_kind = models.CharField(_("source"), max_length=16, choices=AssignmentSource.choices)
    source_title = models.CharField(
        _("source as written"),
        max_length=300,
        help_text=_("The document number, the meeting or the instruction: 南府办〔2026〕12号."),
    )
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    quote = models.TextField(_("source quote"), blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("assigned by region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    town = models.ForeignKey(
        Town,
        verbose_name=_("assigned by town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    issued_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("deadline"))
    sign_within_days = models.PositiveSmallIntegerField(
        _("days to sign for it"),
        default=3,
        help_text=_(
            "A receiver that has not signed for the task this many days after it was "
            "assigned is flagged yellow."
        ),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=TargetKind.choices, default=TargetKind.MILESTONE
    )
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    value = models.DecimalField(_("target value"), null=True, blank=True, **QUANTITY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    is_key = models.BooleanField(_("key task (重点)"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, town__isnull=True)
                | Q(region__isnull=True, town__isnull=False),
                name="tracker_assignment_by_region_xor_town",
                violation_error_message=_("A task is assigned by one region or by one town."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("issued_on")),
                name="tracker_assignment_deadline_after_issue",
                violation_error_message=_("The deadline cannot be before the task is assigned."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def assigner(self) -> Region | Town:
        return self.region or self.town

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.deadline and self.issued_on and self.deadline < self.issued_on:
            errors["deadline"] = _("The deadline cannot be before the task is assigned.")
        if self.deadline and self.issued_on and self.deadline.year != self.issued_on.year:
            errors["deadline"] = _(
                "A task is tracked in one plan year: its deadline falls in the year it is assigned."
            )
        if self.kind == TargetKind.QUANTITATIVE:
            if self.value is None:
                errors["value"] = _("A quantitative target needs a value.")
            if not self.unit:
                errors["unit"] = _("A quantitative target needs a unit.")
            if not self.comparison:
                errors["comparison"] = _("A quantitative target needs a comparison.")
            elif self.comparison == Comparison.RANGE:
                errors["comparison"] = _("An assigned task's target is one value, not a range.")
            if self.value is not None and self.value < 0:
                errors["value"] = _("A planned value cannot be negative.")
        elif self.kind == TargetKind.MILESTONE:
            if self.value is not None:
                errors["value"] = _("A milestone is done or not: it has no number.")
            if self.unit:
                errors["unit"] = _("A milestone has no unit.")
            if self.comparison:
                errors["comparison"] = _("A milestone has no comparison.")
        errors.update(validate_quote(self.source_document, self.quote))
        if errors:
            raise ValidationError(errors)
