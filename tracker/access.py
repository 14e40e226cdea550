"""Who may read and write what: the one place the authorisation rules live.

- Anyone, signed in or not, reads published plans (active or closed) and all
  that is in them.
- A member of a town (any role) also reads that town's drafts; a member of a
  region reads everything in the towns below it.
- A town's reporters record progress on its targets; its editors change its
  plans, sections, targets and departments; its reviewers approve reports.
- Superusers may do everything.

The API, the admin and the report pages all ask `scope_for(user)`.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from tracker.choices import PUBLISHED_PLAN_STATUSES, Role


@dataclass(frozen=True)
class Scope:
    """What one user may see and do, computed once per request."""

    everything: bool = False
    member_town_ids: frozenset[int] = frozenset()
    region_paths: tuple[str, ...] = ()
    town_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    # Per town where the user reports: the departments they report for, or None
    # for all of the town's (a reporter's membership may name one department).
    report_departments: dict[int, frozenset[int] | None] = field(default_factory=dict)

    def _town_q(self, town_field: str) -> Q:
        """Towns this user belongs to, directly or through a region above them."""
        parts = (
            [Q(**{f"{town_field}_id__in": self.member_town_ids})] if self.member_town_ids else []
        )
        parts += [
            Q(**{f"{town_field}__region__path__startswith": path}) for path in self.region_paths
        ]
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def towns(self, town_field: str | None = None) -> Q:
        """A filter on the towns this user belongs to, for staff screens (None: on Town itself)."""
        if self.everything:
            return Q()
        if town_field is None:
            parts = [Q(pk__in=self.member_town_ids)] if self.member_town_ids else []
            parts += [Q(region__path__startswith=path) for path in self.region_paths]
            return reduce(or_, parts) if parts else Q(pk__in=[])
        return self._town_q(town_field)

    def readable(self, plan_field: str = "") -> Q:
        """A filter on plans (or on rows reached through `plan_field`) this user may read."""
        if self.everything:
            return Q()
        prefix = f"{plan_field}__" if plan_field else ""
        published = Q(**{f"{prefix}status__in": PUBLISHED_PLAN_STATUSES})
        return published | self._town_q(f"{prefix}town")

    def towns_with(self, *roles: str) -> frozenset[int]:
        return frozenset(town for town, held in self.town_roles.items() if held & set(roles))

    def can(self, role: str, town_id: int) -> bool:
        """Whether this user holds `role` (or is a superuser) in a town."""
        return self.everything or role in self.town_roles.get(town_id, frozenset())

    def can_report(self, town_id: int) -> bool:
        return self.can(Role.REPORTER, town_id) or self.can(Role.EDITOR, town_id)

    def can_edit(self, town_id: int) -> bool:
        return self.can(Role.EDITOR, town_id)

    def can_review(self, town_id: int) -> bool:
        return self.can(Role.REVIEWER, town_id)

    def departments_reported_for(self, town_id: int) -> frozenset[int] | None:
        """The departments whose targets this user reports on in a town; None: all of them.

        Only meaningful where `can_report(town_id)`.
        """
        if self.everything:
            return None
        return self.report_departments.get(town_id)

    def reviews_anywhere(self) -> bool:
        """Whether this user may review (approve or return) reports in at least one town."""
        return self.everything or bool(self.towns_with(Role.REVIEWER))

    def belongs_to(self, town) -> bool:
        """Whether this user is of `town`, directly or through a region above it.

        For showing staff details (who reported) only to the town's own side;
        `town.region` should be loaded with the town.
        """
        if self.everything or town.pk in self.member_town_ids:
            return True
        return any(town.region.path.startswith(path) for path in self.region_paths)

    def reports_anywhere(self) -> bool:
        """Whether this user may record progress in at least one town."""
        return self.everything or bool(self.towns_with(Role.REPORTER, Role.EDITOR))

    def edits_anywhere(self) -> bool:
        """Whether this user may edit plans in at least one town."""
        return self.everything or bool(self.towns_with(Role.EDITOR))


ANONYMOUS = Scope()


def scope_for(user) -> Scope:
    """The scope of a user (one query for their memberships)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if user.is_superuser:
        return Scope(everything=True)
    cached = getattr(user, "_tracker_scope", None)
    if cached is not None:
        return cached
    town_roles: dict[int, set[str]] = {}
    region_paths: list[str] = []
    departments: dict[int, set[int] | None] = {}
    for town_id, region_path, role, department_id in user.memberships.values_list(
        "town_id", "region__path", "role", "department_id"
    ):
        if town_id is not None:
            town_roles.setdefault(town_id, set()).add(role)
            if role in (Role.REPORTER, Role.EDITOR):
                # A membership without a department reports for the whole town.
                if department_id is None:
                    departments[town_id] = None
                elif departments.get(town_id, set()) is not None:
                    departments.setdefault(town_id, set()).add(department_id)
        elif region_path:
            region_paths.append(region_path)
    scope = Scope(
        member_town_ids=frozenset(town_roles),
        region_paths=tuple(region_paths),
        town_roles={town: frozenset(roles) for town, roles in town_roles.items()},
        report_departments={
            town: frozenset(ids) if ids is not None else None for town, ids in departments.items()
        },
    )
    user._tracker_scope = scope
    return scope
