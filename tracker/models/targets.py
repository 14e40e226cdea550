"""What is to be achieved: quantitative targets and milestones, each in a section."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import progress
from tracker.choices import PUBLISHED_PLAN_STATUSES, Comparison, ProgressBasis, TargetKind
from tracker.models.base import Stamped, Versioned
from tracker.models.geography import Department
from tracker.models.plans import GoalSection, Plan, SourceDocument, validate_quote
from tracker.today import reporting_today

QUANTITY = {"max_digits": 20, "decimal_places": 4}


def default_basis(*, kind: str, unit: str, is_growth: bool) -> str:
    """累计 for counts and amounts (and milestones, done stays done); 当期 for rates.

    A rate (a growth rate, a percentage) is read as it stands in the period,
    never added up; a count or an amount reported in March includes January's.
    """
    if kind == TargetKind.QUANTITATIVE and (is_growth or unit == "%"):
        return ProgressBasis.PERIOD
    return ProgressBasis.CUMULATIVE


class TargetQuerySet(models.QuerySet):
    def published(self) -> "TargetQuerySet":
        return self.filter(plan__status__in=PUBLISHED_PLAN_STATUSES)

    def with_context(self) -> "TargetQuerySet":
        """The joins every list of targets needs to show town, year, section and progress."""
        return self.select_related(
            "plan__town", "section", "lead_department", "latest_update", "source_document"
        ).prefetch_related("helping_departments", "nodes")


class Target(Stamped, Versioned):
    """A target of a plan: a number to reach (quantitative) or a thing to get done (milestone)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    section = models.ForeignKey(
        GoalSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="targets"
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("Order within its section."))
    title = models.CharField(_("title"), max_length=300)
    metric = models.CharField(
        _("metric"),
        max_length=200,
        blank=True,
        help_text=_("What is measured, as written: 地区生产总值"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    value = models.DecimalField(_("target value"), null=True, blank=True, **QUANTITY)
    value_max = models.DecimalField(
        _("upper value"), null=True, blank=True, help_text=_("For ranges (2—3个) only."), **QUANTITY
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    is_growth = models.BooleanField(
        _("growth rate"),
        default=False,
        help_text=_("The value is a growth rate against last year (增长5%)."),
    )
    is_stretch = models.BooleanField(_("stretch target (力争)"), default=False)
    is_key = models.BooleanField(
        _("key item (重点)"),
        default=False,
        help_text=_("Where a region above reviews key items, its reports need that approval too."),
    )
    baseline = models.DecimalField(_("baseline"), null=True, blank=True, **QUANTITY)
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Empty means the end of the plan year.")
    )
    starts_on = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_(
            "Empty means 1 January of the plan year. A task given during the year starts on "
            "the day it was given: its expected pace and the reports it owes count from then."
        ),
    )
    deadline_text = models.CharField(
        _("time limit as written"),
        max_length=50,
        blank=True,
        help_text=_(
            "The document's words when it sets no date in the plan year (3至5年内): with no "
            "deadline, the target is not judged against the plan year's end."
        ),
    )
    progress_basis = models.CharField(
        _("progress basis"),
        max_length=16,
        choices=ProgressBasis.choices,
        blank=True,
        help_text=_(
            "Cumulative (累计): each report gives the total so far. Per period (当期): the "
            "period's own figure. Empty: cumulative for counts and amounts, per period for rates."
        ),
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department (牵头单位)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_targets",
    )
    helping_departments = models.ManyToManyField(
        Department,
        verbose_name=_("helping departments (配合单位)"),
        blank=True,
        related_name="helped_targets",
    )
    owner_name = models.CharField(
        _("person responsible (责任人)"), max_length=50, blank=True, help_text=_("Name, e.g. 张伟.")
    )
    owner_title = models.CharField(
        _("their post"), max_length=100, blank=True, help_text=_("e.g. 经济发展办公室主任")
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("their account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_targets",
        help_text=_("Optional: the person's account, if they have one."),
    )
    leader_name = models.CharField(
        _("leader in charge (分管领导)"),
        max_length=50,
        blank=True,
        help_text=_("The town leader in charge of this area, e.g. 李明副镇长."),
    )
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
    )
    quote = models.TextField(_("source quote"), blank=True)
    # A receipt of an assigned task (交办, tracker/assignments.py): set when the task
    # is assigned, never edited as a target field.
    assignment = models.ForeignKey(
        "tracker.Assignment",
        verbose_name=_("assigned task"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="receipts",
    )
    sign_due = models.DateField(_("sign for it by"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The update that counts now, kept in the same transaction as each new
    # update (services.progress_record) so lists never scan the history.
    latest_update = models.ForeignKey(
        "tracker.ProgressUpdate",
        verbose_name=_("latest update"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[helping_departments])
    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan_id", "section_id", "position", "id"]
        indexes = [models.Index(fields=["plan", "kind"], name="tracker_target_plan_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"],
                name="tracker_target_unique_section_position",
                violation_error_message=_("Another target of this section has that position."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=TargetKind.MILESTONE)
                | Q(
                    value__isnull=True,
                    value_max__isnull=True,
                    unit="",
                    comparison="",
                    is_growth=False,
                ),
                name="tracker_target_milestone_has_no_value",
                violation_error_message=_(
                    "A milestone has no value, unit, comparison or growth rate."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind=TargetKind.QUANTITATIVE)
                | (Q(value__isnull=False) & ~Q(unit="") & ~Q(comparison="")),
                name="tracker_target_quantitative_has_value",
                violation_error_message=_(
                    "A quantitative target needs a value, a unit and a comparison."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(comparison=Comparison.RANGE) & Q(value_max__gt=F("value")))
                | (~Q(comparison=Comparison.RANGE) & Q(value_max__isnull=True)),
                name="tracker_target_range_bounds",
                violation_error_message=_(
                    "A range needs an upper value above its lower value; other comparisons have none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_growth=True) | Q(value__isnull=True) | Q(value__gte=0),
                name="tracker_target_value_not_negative",
                violation_error_message=_("Only a growth rate may be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if not self.progress_basis and self.kind:
            self.progress_basis = default_basis(
                kind=self.kind, unit=self.unit, is_growth=self.is_growth
            )
        errors = {}
        if self.kind == TargetKind.MILESTONE:
            for field in ("value", "value_max", "baseline"):
                if getattr(self, field) is not None:
                    errors[field] = _("A milestone is done or not: it has no number.")
            if self.unit:
                errors["unit"] = _("A milestone has no unit.")
            if self.comparison:
                errors["comparison"] = _("A milestone has no comparison.")
            if self.is_growth:
                errors["is_growth"] = _("A milestone is not a growth rate.")
        elif self.kind == TargetKind.QUANTITATIVE:
            if self.value is None:
                errors["value"] = _("A quantitative target needs a value.")
            if not self.unit:
                errors["unit"] = _("A quantitative target needs a unit.")
            if not self.comparison:
                errors["comparison"] = _("A quantitative target needs a comparison.")
            if self.value is not None and self.value < 0 and not self.is_growth:
                errors["value"] = _("Only a growth rate may be negative.")
        if self.comparison == Comparison.RANGE:
            if self.value_max is None:
                errors["value_max"] = _("A range needs an upper value.")
            elif self.value is not None and self.value_max <= self.value:
                errors["value_max"] = _("The upper value must be above the lower value.")
        elif self.value_max is not None:
            errors["value_max"] = _("Only a range has an upper value.")
        if self.section_id and self.plan_id and self.section.plan_id != self.plan_id:
            errors["section"] = _("The section belongs to another plan.")
        if self.plan_id:
            if self.deadline and self.deadline < self.plan.starts_on:
                errors["deadline"] = _("The deadline cannot be before the plan year begins.")
            if self.starts_on and not self.plan.starts_on <= self.starts_on <= self.due_on:
                errors["starts_on"] = _(
                    "The start date falls between 1 January of the plan year and the deadline."
                )
            if self.lead_department_id and self.lead_department.town_id != self.plan.town_id:
                errors["lead_department"] = _("The lead department belongs to another town.")
            if (
                self.owner_user_id
                and not self.owner_user.memberships.filter(town_id=self.plan.town_id).exists()
            ):
                errors["owner_user"] = _(
                    "The person responsible must be a member of the target's town."
                )
        errors.update(validate_quote(self.source_document, self.quote))
        if errors:
            raise ValidationError(errors)

    @property
    def due_on(self) -> datetime.date:
        return progress.due_on(self.deadline, self.plan.year)

    def schedule(self) -> tuple[progress.Node, ...]:
        """The target's nodes as the status rule reads them (one query, or none if prefetched;
        lists read them in one query for all their rows: tracker.selectors.with_schedules)."""
        if self.pk is None:
            return ()  # not saved yet: no node can point at it
        return tuple(node.as_progress_node(self.value) for node in self.nodes.all())

    def facts(self) -> progress.TargetFacts:
        return progress.facts_of(
            kind=self.kind,
            comparison=self.comparison,
            value=self.value,
            value_max=self.value_max,
            is_growth=self.is_growth,
            deadline=self.deadline,
            year=self.plan.year,
            first_due=self.first_report_due,
            deadline_text=self.deadline_text,
            nodes=self.schedule(),
            start=self.starts_on,
        )

    @property
    def first_report_due(self) -> datetime.date | None:
        """When the plan's first report is due (None: no periods). Lists annotate it
        (selectors.with_first_due) and set it here; one target alone reads it (one query)."""
        if "first_report_due" not in self.__dict__:
            periods = self.plan.periods.order_by("due_on")
            if self.starts_on:  # the first period it owes (tracker.workflow.owes_period)
                periods = periods.filter(ends_on__gte=self.starts_on)
            self.__dict__["first_report_due"] = periods.values_list("due_on", flat=True).first()
        return self.__dict__["first_report_due"]

    @first_report_due.setter
    def first_report_due(self, value: datetime.date | None) -> None:
        self.__dict__["first_report_due"] = value

    def assess(self, today: datetime.date | None = None) -> progress.Assessment:
        """Percent complete and status on reporting_today() (or a given day), from the latest update.

        For one target at hand (the admin, a form); lists read tracker.selectors.target_rows.
        """
        update = self.latest_update
        reading = None
        if update is not None:
            reading = progress.Reading(
                value=update.value, done=update.milestone_done, as_of=update.as_of
            )
        return progress.assess(
            self.facts(), reading, today or reporting_today(), progress.configured_thresholds()
        )

    @property
    def awaiting_signature(self) -> bool:
        """A receipt of an assigned task not yet signed for (签收)."""
        return self.assignment_id is not None and self.signed_at is None

    @property
    def current_value(self) -> Decimal | None:
        return self.latest_update.value if self.latest_update else None
