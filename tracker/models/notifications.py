"""Where a town's notifications go (email, DingTalk, WeCom, a JSON webhook), and 催办 records."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.models.geography import Department, Town
from tracker.models.reporting import ReportingPeriod
from tracker.models.targets import Target


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")
    JSON = "json", _("JSON webhook")


class NotificationChannel(models.Model):
    """One way a town's reminders and 催办 reach its departments (tracker/notify.py sends)."""

    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.CASCADE, related_name="channels"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    address = models.CharField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_(
            "A webhook's URL; for email, extra addresses (comma-separated) beside the "
            "department's own."
        ),
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk: the robot's signing secret (加签). JSON: the key of the X-Signature "
            "HMAC-SHA256 header. WeCom robots carry their key in the URL."
        ),
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=3, help_text=_("Tries before a delivery counts as failed.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["town_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="email") | ~Q(address=""),
                name="tracker_notificationchannel_webhook_has_address",
                violation_error_message=_("A webhook needs its URL."),
            ),
            models.CheckConstraint(
                condition=Q(attempts__gte=1, attempts__lte=10),
                name="tracker_notificationchannel_attempts_in_range",
                violation_error_message=_("Between 1 and 10 attempts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} · {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.kind != ChannelKind.EMAIL and not self.address.startswith(("https://", "http://")):
            raise ValidationError({"address": _("A webhook's address is an http(s) URL.")})


class Chase(models.Model):
    """A 催办: a reviewer's reminder about one overdue or lagging target, to its lead department."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="chases"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="chases",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chases",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300)
    deliveries = models.TextField(_("deliveries"), blank=True)

    class Meta:
        verbose_name = _("chase (催办)")
        verbose_name_plural = _("chases (催办)")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target} · {self.department} · {self.sent_at:%Y-%m-%d}"
