"""The register of what the demo layer wrote, so that it can be removed, and only it."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoRecord(models.Model):
    """A row written (or a real row changed) by `manage.py seed --demo`.

    Plans and departments also carry `is_demo`, which pages show; this register
    covers every other row the demo writes (users, memberships, periods,
    reports, progress updates) and the real targets it gave a lead department,
    with what to put back.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    record = GenericForeignKey("content_type", "object_id")
    # For a real row the demo changed (a seeded target given a lead department):
    # the field and the value it had, put back on removal. Empty: the demo made the row.
    changed_field = models.CharField(_("changed field"), max_length=50, blank=True)
    previous_value = models.CharField(_("previous value"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo record")
        verbose_name_plural = _("demo records")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "changed_field"],
                name="tracker_demorecord_unique_row_field",
                violation_error_message=_("This row is registered as demo data already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}"
