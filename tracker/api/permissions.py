"""Who may call what: reads are open, writes need the right role in the object's town.

What a user may *read* is not decided here: every viewset filters its queryset
with tracker.access's READ rule, so an object the user may not read is a 404
before any permission is asked. What they may *write* is asked of the same
module: an object they may read but not write is a 403.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from tracker.access import Action, may, scope_for

EDIT = Action.EDIT  # a town's editors: plans, sections, targets
REPORT = Action.REPORT  # a town's reporters (and editors): progress updates


class ScopedAccess(BasePermission):
    """Anyone reads; a signed-in user writes where tracker.access gives them the right.

    A view that accepts writes names the right it needs (`write_permission`,
    EDIT or REPORT); tracker.access knows how each object reaches its town.
    A view without `write_permission` is read-only and answers writes with 405.
    """

    message = _("You do not have the role in this town that this change needs.")
    anyone_reads = True  # the schema documents reads as open to anonymous callers

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False  # 401: anonymous users never write
        needed = getattr(view, "write_permission", None)
        if needed is None:
            return True
        scope = scope_for(request.user)
        return scope.edits_anywhere() if needed == EDIT else scope.reports_anywhere()

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return may(request.user, view.write_permission, obj)
