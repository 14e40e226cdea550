"""Imports under review: a document read by the extractor, and what it proposes.

Nothing here is live data. A staff member uploads a document; its sections
and targets are stored as candidates; accepting a candidate creates the real
GoalSection or Target (tracker/importing.py) and links it here, so accepting
twice creates nothing new and every created row can be traced to its candidate.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import Comparison, TargetKind
from tracker.models.base import Stamped
from tracker.models.geography import Town
from tracker.models.plans import GoalSection, Plan, SourceDocument
from tracker.models.targets import QUANTITY, Target


class ImportState(models.TextChoices):
    OPEN = "open", _("Open")
    FINISHED = "finished", _("Finished")


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class CandidateKind(models.TextChoices):
    """What the extractor took a passage to be (tracker/extraction)."""

    TARGET = "target", _("Target")
    MILESTONE = "milestone", _("Milestone")
    PROGRESS = "progress", _("Progress figure")
    PAST = "past", _("Past fact")


class PlanImport(Stamped):
    """One document imported for one town and year, waiting for a reviewer's decisions."""

    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="plan_imports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        help_text=_("The plan accepted items go into; a draft plan is made on the first accept."),
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.OPEN
    )

    class Meta:
        verbose_name = _("plan import")
        verbose_name_plural = _("plan imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_document", "town", "year"],
                name="tracker_planimport_unique_document_town_year",
                violation_error_message=_(
                    "This document was already imported for this town and year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="tracker_planimport_year_in_range",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.year} · {self.filename or self.source_document_id}"


class Candidate(models.Model):
    """What section and target candidates share: their place, quote and decision."""

    position = models.PositiveIntegerField(
        _("position"), help_text=_("Order in the document, within the import.")
    )
    quote = models.TextField(_("source quote"), blank=True)
    start = models.PositiveIntegerField(_("quote start"), default=0)
    end = models.PositiveIntegerField(_("quote end"), default=0)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )

    class Meta:
        abstract = True


class SectionCandidate(Candidate):
    """A section heading the extractor found ("一、…", "（一）…", "一是…"), nested as written."""

    plan_import = models.ForeignKey(
        PlanImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="section_candidates",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    label = models.CharField(_("numbering label"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    grouping = models.CharField(_("named grouping"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    section = models.ForeignKey(
        GoalSection,
        verbose_name=_("created section"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("section candidate")
        verbose_name_plural = _("section candidates")
        ordering = ["plan_import_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_import", "position"],
                name="tracker_sectioncandidate_unique_import_position",
                violation_error_message=_("Another section candidate of this import is there."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="tracker_sectioncandidate_span_ordered",
                violation_error_message=_("The quote cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(section__isnull=True) | Q(decision=Decision.ACCEPTED),
                name="tracker_sectioncandidate_linked_only_when_accepted",
                violation_error_message=_("Only an accepted candidate has a created section."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def created_id(self) -> int | None:
        """The id of the section accepting this candidate created, if any."""
        return self.section_id


class TargetCandidate(Candidate):
    """A target, milestone, progress figure or past fact the extractor proposes, as edited."""

    plan_import = models.ForeignKey(
        PlanImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="target_candidates",
    )
    section_candidate = models.ForeignKey(
        SectionCandidate,
        verbose_name=_("section candidate"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="target_candidates",
    )
    kind = models.CharField(
        _("extracted as"), max_length=16, choices=CandidateKind.choices, editable=False
    )
    title = models.CharField(_("title"), max_length=300)
    metric = models.CharField(_("metric"), max_length=200, blank=True)
    target_kind = models.CharField(_("target kind"), max_length=16, choices=TargetKind.choices)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    value = models.DecimalField(_("target value"), null=True, blank=True, **QUANTITY)
    value_max = models.DecimalField(_("upper value"), null=True, blank=True, **QUANTITY)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    is_growth = models.BooleanField(_("growth rate"), default=False)
    is_stretch = models.BooleanField(_("stretch target (力争)"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    target = models.ForeignKey(
        Target,
        verbose_name=_("created target"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("target candidate")
        verbose_name_plural = _("target candidates")
        ordering = ["plan_import_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_import", "position"],
                name="tracker_targetcandidate_unique_import_position",
                violation_error_message=_("Another target candidate of this import is there."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="tracker_targetcandidate_span_ordered",
                violation_error_message=_("The quote cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(decision=Decision.ACCEPTED),
                name="tracker_targetcandidate_linked_only_when_accepted",
                violation_error_message=_("Only an accepted candidate has a created target."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.title}"

    @property
    def created_id(self) -> int | None:
        """The id of the target accepting this candidate created, if any."""
        return self.target_id
