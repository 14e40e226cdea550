"""Where plans belong: the region tree, the towns at its leaves, and their departments."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import RegionLevel, TownKind
from tracker.models.base import Stamped

# A region's level must sit directly below its parent's level.
PARENT_LEVEL = {
    RegionLevel.CITY: RegionLevel.PROVINCE,
    RegionLevel.DISTRICT: RegionLevel.CITY,
}


class Region(models.Model):
    """A province, city or district: a node of the administrative tree above the towns."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Slugs from the root down, "guangdong/foshan/nanhai/": everything below a
    # region is one indexed prefix match instead of a recursive query.
    path = models.CharField(_("path"), max_length=500, editable=False, db_index=True)
    key_review = models.BooleanField(
        _("reviews key items after the towns"),
        default=False,
        help_text=_(
            "On: a report on a key item (重点) of a town below is approved by this region's "
            "reviewers after the town's, and counts only then."
        ),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=RegionLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=RegionLevel.PROVINCE) & Q(parent__isnull=False)),
                name="tracker_region_province_is_root",
                violation_error_message=_("A province has no parent; every other region has one."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is derived from the parent; keeping it here means it can never drift.
        self.path = f"{self.parent.path if self.parent_id else ''}{self.slug}/"
        super().save(*args, **kwargs)
        for child in self.children.all():
            if not child.path.startswith(self.path):
                child.save(update_fields=["path"])

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.level in PARENT_LEVEL:
            if self.parent.level != PARENT_LEVEL[self.level]:
                raise ValidationError(
                    {
                        "parent": _("A %(level)s must sit directly under a %(parent)s.")
                        % {
                            "level": self.get_level_display(),
                            "parent": PARENT_LEVEL[self.level].label,
                        }
                    }
                )
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A region cannot sit under itself.")})
                ancestor = ancestor.parent

    def ancestors(self) -> list["Region"]:
        """The regions above this one, root first (one query)."""
        slugs = self.path.strip("/").split("/")[:-1]
        by_slug = {region.slug: region for region in Region.objects.filter(slug__in=slugs)}
        return [by_slug[slug] for slug in slugs if slug in by_slug]


class Town(models.Model):
    """A town (镇) or sub-district (街道): the government that owns a plan."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TownKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="towns"
    )
    review_required = models.BooleanField(
        _("reports need review"),
        default=True,
        help_text=_("Off: a submitted progress report counts at once, without approval."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        # 中山 has no districts, so a town may sit under a city or a district.
        if self.region_id and self.region.level == RegionLevel.PROVINCE:
            raise ValidationError({"region": _("A town sits under a city or a district.")})


class Department(Stamped):
    """A department of a town (科室、办公室、中心) that leads or helps with targets."""

    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        editable=False,
        help_text=_("Made up for a demonstration (manage.py seed --demo); removed with it."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["town_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="tracker_department_unique_town_name",
                violation_error_message=_("This town already has a department of that name."),
            ),
        ]

    def __str__(self) -> str:
        # Wherever a department is named by itself (admin, lists), a demo one says so.
        return f"{self.name}（演示）" if self.is_demo else self.name
