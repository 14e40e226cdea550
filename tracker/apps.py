from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    """The work plans app: its name is what the admin shows above its screens."""

    default = True
    name = "tracker"
    verbose_name = _("Work plans")

    def ready(self) -> None:
        # Receivers: a session's clocks start at sign-in (tracker/sessions.py).
        # Every write moves the data version on (cached reads, tracker/freshness.py).
        # After every migrate, the judged statuses' triggers again (tracker/statuses.py).
        from django.db.models.signals import post_migrate

        from tracker import (
            freshness,
            sessions,  # noqa: F401
            statuses,
        )

        freshness.connect()
        post_migrate.connect(
            statuses.reinstall_after_migrate, sender=self, dispatch_uid="tracker.statuses.triggers"
        )


class TrackerAdminConfig(admin_apps.AdminConfig):
    """Django's admin on tracker's own site class: the menu ordered as a month's work runs."""

    default = False  # named in INSTALLED_APPS; TrackerConfig is this module's default
    default_site = "tracker.admin_site.TrackerAdminSite"
