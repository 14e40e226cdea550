"""交办: giving a task to towns or departments, and signing for it (签收).

The states and who moves them are in tracker/workflow.py's table; who may is
asked of tracker/access.py. A receiver's receipt is a Target of its plan for
the deadline's year, in the plan's section of assigned tasks, starting on the
day the task was given: from then on it is reported, reviewed, judged, chased,
ranked and put in the bulletins as every target is, marked as assigned.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.access import (
    assignments_readable,
    may_assign,
    may_receive,
    may_sign,
    receipts_readable,
)
from tracker.choices import PlanStatus
from tracker.models import Assignment, Department, GoalSection, Plan, Target, Town
from tracker.selectors import TargetRow, target_rows
from tracker.services import full_clean, next_position, target_schedule_set
from tracker.workflow import InvalidTransition

# The section a receiving plan files its assigned tasks under (created on first need).
SECTION_TITLE = "上级交办事项"
TOWN_SECTION_TITLE = "镇（街道）交办事项"


def _receiver_town(receiver: Town | Department) -> Town:
    return receiver.town if isinstance(receiver, Department) else receiver


def _section(plan: Plan, assignment: Assignment, user) -> GoalSection:
    """The plan's section of assigned tasks, made at the end of the plan on first need."""
    section = (
        GoalSection.objects.filter(plan=plan, parent=None, holds_assignments=True)
        .order_by("position")
        .first()
    )
    if section is not None:
        return section
    section = GoalSection(
        plan=plan,
        parent=None,
        position=next_position(GoalSection.objects.filter(plan=plan, parent=None)),
        title=SECTION_TITLE if assignment.region_id else TOWN_SECTION_TITLE,
        holds_assignments=True,
        created_by=user,
        updated_by=user,
    )
    section._history_user = user
    full_clean(section)
    section.save()
    return section


def _plans(assignment: Assignment, receivers: Sequence[Town | Department]) -> dict[int, Plan]:
    """The receiving towns' active plans for the deadline's year, locked; refused where one
    has none (a task lands in a plan that is running)."""
    year = assignment.deadline.year
    towns = {_receiver_town(receiver).pk: _receiver_town(receiver) for receiver in receivers}
    plans = {
        plan.town_id: plan
        for plan in Plan.objects.select_for_update(of=("self",)).filter(
            town_id__in=sorted(towns), year=year
        )
    }
    missing = [
        towns[town_id].name
        for town_id in sorted(towns)
        if town_id not in plans or plans[town_id].status != PlanStatus.ACTIVE
    ]
    if missing:
        raise ValidationError(
            {
                "receivers": _("%(towns)s has no active plan for %(year)s to take the task.")
                % {"towns": "、".join(missing), "year": year}
            }
        )
    return plans


def _check_receivers(assignment: Assignment, receivers: Sequence[Town | Department]) -> None:
    if not receivers:
        raise ValidationError({"receivers": _("Name at least one town or department.")})
    if len({(type(r).__name__, r.pk) for r in receivers}) != len(receivers):
        raise ValidationError({"receivers": _("A receiver is named twice.")})
    refused = [str(receiver) for receiver in receivers if not may_receive(assignment, receiver)]
    if refused:
        if assignment.region_id is not None:
            message = _("A region assigns tasks to the towns below it, not to %(names)s.")
        else:
            message = _("A town assigns tasks to its own departments, not to %(names)s.")
        raise ValidationError({"receivers": message % {"names": "、".join(refused)}})


@transaction.atomic
def assignment_create(
    *,
    user,
    assignment: Assignment,
    receivers: Sequence[Town | Department],
    nodes: Sequence[dict] = (),
) -> Assignment:
    """Give a task (an unsaved Assignment) to `receivers`: a receipt in each one's plan,
    with `nodes` (dicts of TargetNode's fields, as services.target_schedule_set takes them)
    as each receipt's schedule.

    All or nothing: a receiver that may not take it, a town without an active
    plan for the year, or a wrong node refuses the whole task.
    """
    if not may_assign(user, assignment):
        raise PermissionDenied(_("You may not assign tasks from there."))
    receivers = list(receivers)
    _check_receivers(assignment, receivers)
    assignment.created_by = assignment.updated_by = user
    assignment._history_user = user
    full_clean(assignment)
    plans = _plans(assignment, receivers)
    assignment.save()
    sign_due = assignment.issued_on + datetime.timedelta(days=assignment.sign_within_days)
    for receiver in receivers:
        plan = plans[_receiver_town(receiver).pk]
        section = _section(plan, assignment, user)
        receipt = Target(
            plan=plan,
            section=section,
            position=next_position(Target.objects.filter(section=section)),
            title=assignment.title,
            kind=assignment.kind,
            comparison=assignment.comparison,
            value=assignment.value,
            unit=assignment.unit,
            deadline=assignment.deadline,
            starts_on=assignment.issued_on,
            lead_department=receiver if isinstance(receiver, Department) else None,
            source_document=assignment.source_document,
            quote=assignment.quote,
            assignment=assignment,
            is_key=assignment.is_key,
            sign_due=sign_due,
            created_by=user,
            updated_by=user,
        )
        receipt._history_user = user
        full_clean(receipt)
        receipt.save()
        if nodes:  # the task's schedule, checked whole for each receipt (节点目标)
            target_schedule_set(target=receipt, nodes=list(nodes), user=user)
    return assignment


@transaction.atomic
def receipt_sign(
    *,
    user,
    receipt: Target,
    lead_department: Department | None = None,
    owner_name: str = "",
    owner_title: str = "",
) -> Target:
    """Sign for a task's receipt (签收), once; a town names the department that will lead it."""
    receipt = (
        Target.objects.select_for_update(of=("self",))
        .select_related("plan__town__region", "lead_department", "assignment")
        .get(pk=receipt.pk)
    )
    if receipt.assignment_id is None:
        raise InvalidTransition(_("This target is not an assigned task."))
    if not may_sign(user, receipt):
        raise PermissionDenied(_("You may not sign for this task."))
    if receipt.signed_at is not None:
        raise InvalidTransition(_("This task was signed for already."))
    if receipt.lead_department_id is None:
        if lead_department is None:
            raise ValidationError(
                {"lead_department": _("Name the department that will lead the task.")}
            )
        if lead_department.town_id != receipt.plan.town_id:
            raise ValidationError(
                {"lead_department": _("The lead department belongs to another town.")}
            )
        receipt.lead_department = lead_department
    elif lead_department is not None and lead_department.pk != receipt.lead_department_id:
        raise ValidationError(
            {"lead_department": _("The task was given to %(department)s, who signs for it.")
             % {"department": receipt.lead_department.name}}
        )  # fmt: skip
    if owner_name:
        receipt.owner_name, receipt.owner_title = owner_name.strip(), owner_title.strip()
    receipt.signed_at, receipt.signed_by = timezone.now(), user
    receipt.updated_by = user
    receipt.version += 1
    receipt._history_user = user
    full_clean(receipt)
    receipt.save()
    return receipt


# --- reads ---------------------------------------------------------------------------------


def readable_assignments(user):
    """The tasks `user` reads (tracker.access.assignments_readable), newest first."""
    visible = Assignment.objects.filter(assignments_readable(user)).values("pk")
    return Assignment.objects.filter(pk__in=visible).select_related(
        "region", "town", "source_document"
    )


def receipt_rows(assignment: Assignment, user, today: datetime.date) -> list[TargetRow]:
    """The task's receipts `user` reads, as the read model's rows (status, warning), by town."""
    receipts = Target.objects.filter(assignment=assignment).filter(
        receipts_readable(user, assignment)
    )
    return target_rows(receipts.order_by("plan__town__name", "lead_department__name", "pk"), today)


def signers(rows: Iterable[TargetRow]) -> dict[int, str]:
    """Who signed for each signed receipt, by its id: their full name, else their username."""
    signed = [row.pk for row in rows if row.signed_at is not None]
    if not signed:
        return {}
    found = Target.objects.filter(pk__in=signed).values_list(
        "pk", "signed_by__last_name", "signed_by__first_name", "signed_by__username"
    )
    return {pk: f"{last}{first}" or username for pk, last, first, username in found}
