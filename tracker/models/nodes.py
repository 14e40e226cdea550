"""A target's schedule of dated nodes (节点目标): planned amounts, or a milestone's named steps."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import progress
from tracker.choices import TargetKind
from tracker.models.base import Stamped
from tracker.models.targets import QUANTITY, Target

SCHEDULE_MESSAGES = {
    progress.SCHEDULE_SAME_DATE: _("Two nodes share a date."),
    progress.SCHEDULE_DECREASING: _(
        "Planned amounts are cumulative: a later node cannot plan less."
    ),
    progress.SCHEDULE_OUTSIDE: _("A node falls between 1 January and the target's deadline."),
}


def schedule_validate(target: Target, nodes: list["TargetNode"]) -> None:
    """Check a target's nodes as a whole (tracker.progress.schedule_errors); raise if wrong."""
    facts = dataclasses.replace(
        target.facts(), nodes=tuple(node.as_progress_node(target.value) for node in nodes)
    )
    errors = progress.schedule_errors(facts)
    if errors:
        raise ValidationError([SCHEDULE_MESSAGES[code] for code in errors])


class TargetNode(Stamped):
    """One node of a target's schedule: by a date, a cumulative amount or share, or a named step."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="nodes"
    )
    due_on = models.DateField(_("node date"))
    planned_value = models.DecimalField(
        _("planned cumulative value"),
        null=True,
        blank=True,
        help_text=_("In the target's unit, counted from 1 January: 一季度完成500亩."),
        **QUANTITY,
    )
    planned_percent = models.DecimalField(
        _("planned cumulative share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of the annual target due by this date: 上半年完成50%."),
    )
    name = models.CharField(
        _("step"),
        max_length=100,
        blank=True,
        help_text=_("For a milestone target: the step due by this date, e.g. 立项, 开工, 竣工."),
    )
    done_on = models.DateField(
        _("step done on"), null=True, blank=True, help_text=_("When the step was done.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target node")
        verbose_name_plural = _("target nodes")
        ordering = ["target_id", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "due_on"],
                name="tracker_targetnode_unique_target_date",
                violation_error_message=_("This target already has a node on that date."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(planned_value__isnull=False, planned_percent__isnull=True, name="")
                    | Q(planned_value__isnull=True, planned_percent__isnull=False, name="")
                    | (Q(planned_value__isnull=True, planned_percent__isnull=True) & ~Q(name=""))
                ),
                name="tracker_targetnode_one_plan",
                violation_error_message=_(
                    "A node plans exactly one of: a cumulative value, a share, or a named step."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_percent__isnull=True)
                | Q(planned_percent__gt=0, planned_percent__lte=100),
                name="tracker_targetnode_percent_range",
                violation_error_message=_("A planned share is above 0% and at most 100%."),
            ),
            models.CheckConstraint(
                condition=Q(planned_value__isnull=True) | Q(planned_value__gte=0),
                name="tracker_targetnode_value_not_negative",
                violation_error_message=_("A planned value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(name=""),
                name="tracker_targetnode_done_only_steps",
                violation_error_message=_("Only a named step is marked done."),
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            what = self.name
        elif self.planned_percent is not None:
            what = f"{self.planned_percent.normalize():f}%"
        else:
            what = f"{self.planned_value.normalize():f}"
        return f"{self.due_on.isoformat()} {what}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list] = {}
        planned = [
            self.planned_value is not None,
            self.planned_percent is not None,
            bool(self.name),
        ]
        if sum(planned) != 1:
            errors.setdefault("__all__", []).append(
                _("A node plans exactly one of: a cumulative value, a share, or a named step.")
            )
        if self.planned_percent is not None and not 0 < self.planned_percent <= 100:
            errors.setdefault("planned_percent", []).append(
                _("A planned share is above 0% and at most 100%.")
            )
        if self.planned_value is not None and self.planned_value < 0:
            errors.setdefault("planned_value", []).append(_("A planned value cannot be negative."))
        if self.done_on is not None and not self.name:
            errors.setdefault("done_on", []).append(_("Only a named step is marked done."))
        if self.target_id:
            errors_for_target = self._target_errors(self.target)
            for field, message in errors_for_target:
                errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def _target_errors(self, target: Target) -> list[tuple[str, str]]:
        """What this node's target allows (rules across the relation)."""
        found = []
        if target.kind == TargetKind.MILESTONE:
            if not self.name and (
                self.planned_value is not None or self.planned_percent is not None
            ):
                found.append(("name", _("A milestone's nodes are named steps, not amounts.")))
        else:
            if self.name:
                found.append(("name", _("A quantitative target's nodes plan amounts, not steps.")))
            if target.is_growth or target.comparison in progress.CAPS:
                found.append(
                    (
                        "__all__",
                        _("Only a cumulative target has nodes: not a growth rate, not a cap."),
                    )
                )
        if self.due_on and target.plan_id:
            if self.due_on < target.plan.starts_on or self.due_on > target.due_on:
                found.append(
                    ("due_on", _("A node falls between 1 January and the target's deadline."))
                )
        return found

    def as_progress_node(self, target_value) -> progress.Node:
        """The node as the status rule reads it (tracker.progress.Node)."""
        return progress.Node(
            due_on=self.due_on,
            share=progress.node_share(
                percent=self.planned_percent, value=self.planned_value, target_value=target_value
            ),
            name=self.name,
            done_on=self.done_on,
        )
