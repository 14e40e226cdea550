"""What a town plans for a year: the plan, its source documents and its section tree."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import PUBLISHED_PLAN_STATUSES, PlanStatus
from tracker.models.base import Stamped, Versioned
from tracker.models.geography import Town


def text_digest(text: str) -> str:
    """The identity of a document's text, so the same document is stored once."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def original_path(instance: "SourceDocument", filename: str) -> str:
    # Named by content, not by the uploader's file name.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{instance.digest[:16]}.{suffix}"


class SourceDocument(Stamped):
    """A published document a plan was taken from, kept whole for provenance.

    `text` is the document as the extractor read it (quotes point into it); for
    a Word file or a PDF, `original` keeps the file itself.
    """

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    text = models.TextField(_("full text"))
    digest = models.CharField(_("SHA-256 of the text"), max_length=64, unique=True, editable=False)
    original = models.FileField(
        _("original file"),
        upload_to=original_path,
        max_length=300,
        blank=True,
        help_text=_("The Word file or PDF the text was read from, as uploaded."),
    )

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["-published_on", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Derived from the text it sits beside; never set by hand.
        self.digest = text_digest(self.text)
        super().save(*args, **kwargs)


def validate_quote(document: SourceDocument | None, quote: str) -> dict[str, str]:
    """Field errors if a quote is not a verbatim part of its source document."""
    if quote and document is None:
        return {"source_document": _("A quote needs the document it was taken from.")}
    if quote and quote not in document.text:
        return {"quote": _("The quote must be copied exactly from the source document.")}
    return {}


class PlanQuerySet(models.QuerySet):
    def published(self) -> "PlanQuerySet":
        return self.filter(status__in=PUBLISHED_PLAN_STATUSES)


class Plan(Stamped, Versioned):
    """One town's work plan for one year (年度工作计划 / 工作要点)."""

    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    theme = models.CharField(_("theme line (工作主线)"), max_length=300, blank=True)
    theme_quote = models.TextField(_("theme quote"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    documents = models.ManyToManyField(
        SourceDocument, verbose_name=_("source documents"), related_name="plans", blank=True
    )
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        editable=False,
        help_text=_("Made up for a demonstration (manage.py seed --demo); removed with it."),
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "town_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year"],
                name="tracker_plan_unique_town_year",
                violation_error_message=_("This town already has a plan for that year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="tracker_plan_year_in_range",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.year}"

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_PLAN_STATUSES


class GoalSection(Stamped, Versioned):
    """A numbered part of a plan ("一、", "（一）", "●"), nested as the document nests it."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), help_text=_("Order among its siblings."))
    label = models.CharField(
        _("numbering label"),
        max_length=20,
        blank=True,
        help_text=_("As the document writes it: 一、 （一） ●"),
    )
    title = models.CharField(_("title"), max_length=300)
    grouping = models.CharField(
        _("named grouping"),
        max_length=100,
        blank=True,
        help_text=_("The named set this section is one of: 五个“聚焦”, 四张牌, 七大重点领域…"),
    )
    summary = models.TextField(_("summary"), blank=True)
    source_document = models.ForeignKey(
        SourceDocument,
        verbose_name=_("source document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    quote = models.TextField(_("source quote"), blank=True)
    # The section where tasks assigned to the town land (交办事项, tracker/assignments.py).
    holds_assignments = models.BooleanField(
        _("holds assigned tasks"), default=False, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal section")
        verbose_name_plural = _("goal sections")
        ordering = ["plan_id", "parent_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                condition=Q(parent__isnull=True),
                name="tracker_goalsection_unique_top_position",
                violation_error_message=_(
                    "Another top-level section of this plan has that position."
                ),
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=Q(parent__isnull=False),
                name="tracker_goalsection_unique_child_position",
                violation_error_message=_("Another section under this parent has that position."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.parent_id and self.plan_id and self.parent.plan_id != self.plan_id:
            errors["parent"] = _("The parent section belongs to another plan.")
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("A section cannot sit under itself.")
                    break
                ancestor = ancestor.parent
        errors.update(validate_quote(self.source_document, self.quote))
        if errors:
            raise ValidationError(errors)
