"""The admin site: its menu ordered as a month's work runs, and a landing page of what is due.

Django's admin lists apps alphabetically and models alphabetically within
them; staff look for their work instead. The menu (the index, an app's page
and the side bar) is grouped as a month runs: the plan and its targets, the
reports and their review, imports, the organisation and its roles, and the
audit trail. A screen registered later that no group names is listed under
"Other" rather than lost (tests/test_admin_site.py asks that every screen
has a group).

The landing page (the index) adds, above the menu, the signed-in user's
towns in figures, what is due and waiting, and the red targets: computed by
tracker.admin.dashboard from the workflow's own functions, scoped by
tracker.access.

It lives outside the tracker.admin package because Django builds the site
before it imports that package (whose modules register on this site).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# (group name, the models in it in the order of work, by "app_label.ModelName").
MENU: list[tuple[str, list[str]]] = [
    (
        _("Plans and targets"),
        ["tracker.Plan", "tracker.GoalSection", "tracker.Target", "tracker.SourceDocument"],
    ),
    (
        _("Reporting and review"),
        [
            "tracker.ReportingPeriod",
            "tracker.ProgressReport",
            "tracker.ProgressUpdate",
            "tracker.Chase",
        ],
    ),
    (_("Imports"), ["tracker.PlanImport"]),
    (
        _("Organisation and roles"),
        [
            "tracker.Town",
            "tracker.Department",
            "tracker.Membership",
            "tracker.NotificationChannel",
            "tracker.Region",
            "auth.User",
            "auth.Group",
            "authtoken.TokenProxy",
        ],
    ),
    (
        _("Audit"),
        ["admin.LogEntry", "axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"],
    ),
]
OTHER = _("Other")


def menu_group_of(label: str) -> int | None:
    """The index in MENU of the group a model ("app_label.ModelName") belongs to, or None."""
    for index, (_name, labels) in enumerate(MENU):
        if label in labels:
            return index
    return None


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Plan tracker")
    site_title = _("Plan tracker")
    index_title = _("Today's work")
    index_template = "admin/tracker_index.html"
    # No menu beside every list: at 1,366 px it took 300 px from the lists (three of
    # them then scrolled sideways); the landing page holds the same menu, one click away.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """The screens the user may open, in MENU's groups and order (not alphabetical)."""
        app_dict = self._build_app_dict(request, app_label)
        groups: list[dict] = []
        placed: dict[int, dict] = {}
        others = []
        for app in app_dict.values():
            for entry in app["models"]:
                label = entry["model"]._meta.label
                index = menu_group_of(label)
                if index is None:
                    others.append(entry)
                    continue
                group = placed.setdefault(index, self._group(MENU[index][0], app))
                group["models"].append(entry)
        for index in sorted(placed):
            order = MENU[index][1]
            group = placed[index]
            group["models"].sort(key=lambda entry: order.index(entry["model"]._meta.label))
            groups.append(group)
        if others:
            group = self._group(OTHER, next(iter(app_dict.values())))
            group["models"] = sorted(others, key=lambda entry: str(entry["name"]))
            groups.append(group)
        return groups

    @staticmethod
    def _group(name, app: dict) -> dict:
        # A group borrows the first app it meets for its link and CSS class.
        return {
            "name": name,
            "app_label": app["app_label"],
            "app_url": app["app_url"],
            "has_module_perms": True,
            "models": [],
        }

    def app_index(self, request, app_label, extra_context=None):
        from django.apps import apps

        try:
            title = apps.get_app_config(app_label).verbose_name
        except LookupError:
            title = app_label
        return super().app_index(request, app_label, {"title": title, **(extra_context or {})})

    def index(self, request, extra_context=None):
        from tracker.admin.dashboard import overview_for

        context = {"overview": overview_for(request.user), **(extra_context or {})}
        return super().index(request, context)
