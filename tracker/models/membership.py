"""Who may do what where: a user's role in a town or a region."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import Role
from tracker.models.geography import Department, Region, Town


class Membership(models.Model):
    """A user's role in one town (and optionally one of its departments) or one region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    town = models.ForeignKey(
        Town,
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(town__isnull=False, region__isnull=True)
                | Q(town__isnull=True, region__isnull=False, department__isnull=True),
                name="tracker_membership_town_xor_region",
                violation_error_message=_("A membership is of one town or one region."),
            ),
            models.UniqueConstraint(
                fields=["user", "town", "role"],
                condition=Q(town__isnull=False),
                name="tracker_membership_unique_town_role",
                violation_error_message=_("This user already has that role in this town."),
            ),
            models.UniqueConstraint(
                fields=["user", "region", "role"],
                condition=Q(region__isnull=False),
                name="tracker_membership_unique_region_role",
                violation_error_message=_("This user already has that role in this region."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.town or self.region}"

    def clean(self) -> None:
        super().clean()
        if self.department_id and self.town_id and self.department.town_id != self.town_id:
            raise ValidationError({"department": _("The department belongs to another town.")})
