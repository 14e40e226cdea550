"""The data version: one counter that every committed write moves on (tracker.freshness)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A single row whose `number` grows after every committed write to the tracker's data.

    Cached responses and ETags are keyed by it (tracker.freshness), so a write
    makes every older cached answer unreachable. It lives in the database, not
    in the cache, so that a read replica carries it in step with the data it
    describes, and every worker sees the same number.
    """

    number = models.BigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return str(self.number)
