"""催办: a reviewer reminds a lead department about one overdue or lagging target.

Who: a reviewer of the target's town. What: a target whose 督办 warning is
red or yellow (an overdue or nearly due report, or behind or at risk) on the
one "today"; a green target has nothing to chase. The chase is recorded first
(who, when, why, which period it is about), then the lead department is
notified through its town's channels (tracker/notify.py) and the outcome of
each delivery is kept on the record. Sending happens after the record is
committed, so a slow webhook never holds a database transaction open.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.access import Action, may_in_town
from tracker.choices import WarningLevel
from tracker.models import Chase, Target
from tracker.notify import Message, notify_department
from tracker.workflow import cycle_for, reporting_today


def chase_send(*, user, target: Target, today: datetime.date | None = None) -> Chase:
    """Record a 催办 of `target` by `user` and notify its lead department; returns the record."""
    target = (
        Target.objects.select_related("plan__town", "lead_department", "latest_update")
        .prefetch_related("nodes")  # the status rule reads the node schedule
        .get(pk=target.pk)
    )
    if not may_in_town(user, Action.REVIEW, target.plan.town_id):
        raise PermissionDenied(_("You do not review this town's targets."))
    if target.lead_department is None:
        raise ValidationError(_("This target has no lead department to chase."))
    today = today or reporting_today()
    cycle = cycle_for([target], today)
    flag = cycle.warning(target, target.assess(today))
    if flag.level == WarningLevel.GREEN:
        raise ValidationError(_("This target is neither overdue nor lagging: nothing to chase."))
    owed = cycle.owed(target)
    with transaction.atomic():
        chase = Chase.objects.create(
            target=target,
            department=target.lead_department,
            period=owed[0].period if owed else None,
            sent_by=user,
            reason="；".join(str(reason) for reason in flag.reasons)[:300],
        )
    message = Message(
        title=_("Chase (催办): %(target)s") % {"target": target.title},
        text=_("%(town)s %(department)s: %(reason)s. Chased by %(user)s on %(day)s.")
        % {
            "town": target.plan.town.name,
            "department": target.lead_department.name,
            "reason": chase.reason,
            "user": user.get_full_name() or user.get_username(),
            "day": today.isoformat(),
        },
        url=f"/targets/{target.pk}/",
    )
    deliveries = notify_department(target.lead_department, message)
    chase.deliveries = "\n".join(str(delivery) for delivery in deliveries)
    chase.save(update_fields=["deliveries"])
    return chase
