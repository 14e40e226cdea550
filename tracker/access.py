"""Who may read and write what: the one place the authorisation rules live.

The rules, by action:

| action   | who                                                             |
|----------|-----------------------------------------------------------------|
| READ     | anyone: published plans (active or closed) and all in them, and |
|          | the geography; a town's members also its drafts; a region's     |
|          | members everything in the towns below it                        |
| STAFF    | the rows of the towns a user belongs to (directly or through a  |
|          | region above them): what the admin lists and shows              |
| EDIT     | a town's editors: its plans, sections, targets, departments,    |
|          | periods, imports, source documents and memberships              |
| REPORT   | a town's reporters and editors: progress on its targets; a      |
|          | membership naming a department reports only on the targets     |
|          | that department leads                                           |
| REVIEW   | a town's reviewers: approve or return its reports               |
| SEE      | a report's draft is seen by who may REPORT or REVIEW it         |
| ASSIGN   | a region's editors: tasks (交办) to the towns below the region; |
|          | a town's editors: tasks to its departments                      |
| REVIEW UP| a reviewer of a region above the town that reviews key items  |
|          | (`Region.key_review`): approve or return a key item's report   |
|          | after the town approved it (`may_review_up`, `reviews_up`)     |
| SIGN     | a task's receipt in a town: who may EDIT or REPORT on it (a      |
|          | department's reporters sign for their department's receipts)    |

An assigned task is read by its assigner's side (members of the assigning
region or of a region above it, or of the assigning town) with every receipt,
and by each receiver (members of the receiving town, or of a region above it)
with only the receipts in the towns they belong to (`assignments_readable`,
`receipts_readable`). A receipt is a target of its town's plan and is read as
its plan's other targets are.

Superusers may do everything; anonymous and inactive users only READ.

Each rule is written once, as a `Grant` (which towns, which departments,
whether published plans count), and asked two ways from the same Grant:
`may(user, action, obj)`, a yes/no on one row (no query when the row's path
to its town is loaded), and `rule(user, action, Model)` / `restrict(queryset,
user, action)`, a filter on many. `tests/test_access.py` checks the two agree
row by row for every action and every model in `ROUTES`.

Every model says how it reaches its town in `ROUTES`. A model reached through
several paths (a source document, through the plans and imports that use it)
belongs to each of those towns: any of them shows it, and it is written only
by a user who may write in all of them (the same text may back two towns'
plans). A source document no plan or import uses yet belongs to whoever added
it. Rows with no town (regions, region memberships) are written by superusers
only.

The API, the admin and the report pages all ask this module.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import or_

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tracker.choices import PUBLISHED_PLAN_STATUSES, ReportState, Role
from tracker.models import (
    Assignment,
    Chase,
    Department,
    EvidenceFile,
    GoalSection,
    Membership,
    NotificationChannel,
    Plan,
    PlanImport,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    SectionCandidate,
    SourceDocument,
    Target,
    TargetCandidate,
    TargetNode,
    Town,
)


class Action(StrEnum):
    READ = "read"
    STAFF = "staff"
    EDIT = "edit"
    REPORT = "report"
    REVIEW = "review"
    SEE = "see"


WRITES = (Action.EDIT, Action.REPORT, Action.REVIEW)


@dataclass(frozen=True)
class Route:
    """How rows of a model reach their town (and plan and target, where rules need them).

    Paths are Django lookups from the model; "" is the row itself. `towns` is
    empty for rows that have no town (regions).
    """

    towns: tuple[str, ...]
    plan: str | None = None  # where "published" is judged
    public: bool = False  # everyone reads every row (the geography)
    target: str | None = None  # where the department rule applies
    owner: str | None = None  # who owns a row no town uses yet
    many: bool = False  # a path crosses a many-valued relation


ROUTES: dict[type[Model], Route] = {
    Region: Route(towns=(), public=True),
    Town: Route(towns=("",), public=True),
    Department: Route(towns=("town",), public=True),
    SourceDocument: Route(
        towns=("plans__town", "imports__town"), plan="plans", owner="created_by", many=True
    ),
    Plan: Route(towns=("town",), plan=""),
    GoalSection: Route(towns=("plan__town",), plan="plan"),
    Target: Route(towns=("plan__town",), plan="plan", target=""),
    TargetNode: Route(towns=("target__plan__town",), plan="target__plan", target="target"),
    ProgressUpdate: Route(towns=("target__plan__town",), plan="target__plan", target="target"),
    Membership: Route(towns=("town",)),
    ReportingPeriod: Route(towns=("plan__town",), plan="plan"),
    ProgressReport: Route(towns=("target__plan__town",), plan="target__plan", target="target"),
    EvidenceFile: Route(
        towns=("report__target__plan__town",),
        plan="report__target__plan",
        target="report__target",
    ),
    PlanImport: Route(towns=("town",)),
    NotificationChannel: Route(towns=("town",)),
    Chase: Route(towns=("target__plan__town",), plan="target__plan", target="target"),
    SectionCandidate: Route(towns=("plan_import__town",)),
    TargetCandidate: Route(towns=("plan_import__town",)),
}


def route_of(model: type[Model]) -> Route:
    try:
        return ROUTES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} does not say how it reaches its town") from None


def _join(path: str, field_name: str) -> str:
    return f"{path}__{field_name}" if path else field_name


def _follow(obj, path: str):
    for part in path.split("__") if path else ():
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


@dataclass(frozen=True)
class Grant:
    """Which rows one rule gives one user: by town, department and publication."""

    everything: bool = False
    town_ids: frozenset[int] = frozenset()
    region_paths: tuple[str, ...] = ()
    # Towns where only the targets some departments lead are granted.
    departments: dict[int, frozenset[int]] = field(default_factory=dict)
    published: bool = False  # rows of published plans, and the geography
    user_id: int | None = None  # owns the rows no town uses yet

    # --- as a filter ---------------------------------------------------------------

    def _town_q(self, path: str, route: Route) -> Q:
        town_id = _join(path, "pk") if not path else _join(path, "id")
        parts = []
        whole = self.town_ids - self.departments.keys()
        if whole:
            parts.append(Q(**{f"{town_id}__in": sorted(whole)}))
        for town, departments in sorted(self.departments.items()):
            part = Q(**{town_id: town})
            if route.target is not None:
                lead = _join(route.target, "lead_department_id")
                part &= Q(**{f"{lead}__in": sorted(departments)})
            parts.append(part)
        parts += [
            Q(**{f"{_join(path, 'region__path')}__startswith": region})
            for region in self.region_paths
        ]
        return reduce(or_, parts) if parts else Q(pk__in=[])

    def q(self, model: type[Model], route: Route, write: bool) -> Q:
        if self.everything:
            return Q()
        if self.published and route.public:
            return Q()
        parts = [self._town_q(path, route) for path in route.towns]
        if self.published and route.plan is not None:
            parts.append(Q(**{f"{_join(route.plan, 'status')}__in": PUBLISHED_PLAN_STATUSES}))
        q = reduce(or_, parts) if parts else Q(pk__in=[])
        if route.many:
            rows = model._default_manager.filter(q)
            if write:
                # Every town that uses the row must be granted: none outside the grant.
                for path in route.towns:
                    head, _, rest = path.partition("__")
                    related = model._meta.get_field(head).related_model
                    outside = related._default_manager.exclude(self._town_q(rest, route))
                    rows = rows.exclude(**{f"{head}__in": outside})
            q = Q(pk__in=rows.values("pk"))
        if route.owner is not None and self.user_id is not None:
            unused = Q(**{route.owner: self.user_id})
            for path in route.towns:
                unused &= Q(**{f"{path}__isnull": True})
            q |= Q(pk__in=model._default_manager.filter(unused).values("pk"))
        return q

    # --- as a yes/no ---------------------------------------------------------------

    def covers_town(self, town) -> bool:
        """Whether the grant reaches a town (or part of it). `town` is a Town or an id."""
        if self.everything:
            return True
        town_id = town if isinstance(town, int) else getattr(town, "pk", None)
        if town_id is None:
            return False
        if town_id in self.town_ids:
            return True
        if not self.region_paths:
            return False
        if isinstance(town, int):
            town = Town.objects.select_related("region").get(pk=town_id)
        return any(town.region.path.startswith(path) for path in self.region_paths)

    def _covers(self, obj, route: Route, town) -> bool:
        if not self.covers_town(town):
            return False
        departments = self.departments.get(town.pk if not isinstance(town, int) else town)
        if departments is None or route.target is None or self.everything:
            return True
        target = _follow(obj, route.target)
        return target is not None and target.lead_department_id in departments

    def allows(self, obj, route: Route, write: bool) -> bool:
        if self.everything:
            return True
        if self.published and route.public:
            return True
        if self.published and route.plan is not None:
            if route.many:
                if any(p.status in PUBLISHED_PLAN_STATUSES for p in _many(obj, route.plan)):
                    return True
            else:
                plan = _follow(obj, route.plan)
                if plan is not None and plan.status in PUBLISHED_PLAN_STATUSES:
                    return True
        if route.many:
            towns = [town for path in route.towns for town in _many(obj, path)]
            if not towns:
                return (
                    route.owner is not None
                    and self.user_id is not None
                    and getattr(obj, f"{route.owner}_id") == self.user_id
                )
            covered = [self._covers(obj, route, town) for town in towns]
            return all(covered) if write else any(covered)
        for path in route.towns:
            town = _follow(obj, path) if path else obj
            if town is not None and self._covers(obj, route, town):
                return True
        return False


def _many(obj, path: str) -> list:
    """The rows at the end of a path that crosses a many-valued relation (one query)."""
    if obj.pk is None:
        return []
    head, _, rest = path.partition("__")
    related = getattr(obj, head).all()
    if rest:
        return [_follow(row, rest) for row in related.select_related(rest)]
    return list(related)


@dataclass(frozen=True)
class Scope:
    """What one user may see and do, computed once per request."""

    everything: bool = False
    user_id: int | None = None
    member_town_ids: frozenset[int] = frozenset()
    region_paths: tuple[str, ...] = ()
    town_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    region_roles: dict[str, frozenset[str]] = field(default_factory=dict)  # by region path
    # Per town where the user reports: the departments they report for, or None
    # for all of the town's (a reporter's membership may name one department).
    report_departments: dict[int, frozenset[int] | None] = field(default_factory=dict)

    # --- the rules -------------------------------------------------------------------

    def grants(self, action: Action) -> tuple[Grant, ...]:
        """The rule for `action`: the one definition both the filters and the yes/nos use."""
        if self.everything:
            return (Grant(everything=True),)
        members = {"town_ids": self.member_town_ids, "region_paths": self.region_paths}
        if action == Action.READ:
            return (Grant(published=True, **members),)
        if action == Action.STAFF:
            return (Grant(user_id=self.user_id, **members),)
        if action == Action.EDIT:
            return (Grant(town_ids=self.towns_with(Role.EDITOR), user_id=self.user_id),)
        if action == Action.REPORT:
            return (
                Grant(
                    town_ids=self.towns_with(Role.REPORTER, Role.EDITOR),
                    departments={
                        town: departments
                        for town, departments in self.report_departments.items()
                        if departments is not None
                    },
                ),
            )
        if action == Action.REVIEW:
            return (Grant(town_ids=self.towns_with(Role.REVIEWER)),)
        if action == Action.SEE:
            return self.grants(Action.REPORT) + self.grants(Action.REVIEW)
        raise ValueError(action)

    def rule(self, action: Action, model: type[Model]) -> Q:
        """A filter on `model`'s rows for which this user may take `action`."""
        route = route_of(model)
        write = action in WRITES
        return reduce(or_, (grant.q(model, route, write) for grant in self.grants(action)))

    def may(self, action: Action, obj) -> bool:
        """Whether this user may take `action` on one row (a saved row or one being added)."""
        route = route_of(type(obj))
        write = action in WRITES
        return any(grant.allows(obj, route, write) for grant in self.grants(action))

    def anywhere(self, action: Action) -> bool:
        """Whether this user may take `action` in at least one town."""
        return any(grant.everything or grant.town_ids for grant in self.grants(action))

    def may_in_town(self, action: Action, town) -> bool:
        """Whether this user may take `action` in a town (or in part of it), by Town or id."""
        return any(grant.covers_town(town) for grant in self.grants(action))

    # --- the older names, kept for their many callers -----------------------------------

    def towns(self, town_field: str | None = None) -> Q:
        """STAFF as a filter on towns (None: on Town itself), or on rows through `town_field`."""
        route = Route(towns=(town_field or "",))
        return reduce(or_, (g.q(Town, route, False) for g in self.grants(Action.STAFF)))

    def readable(self, plan_field: str = "") -> Q:
        """READ as a filter on plans, or on rows reached through `plan_field`."""
        route = Route(towns=(_join(plan_field, "town"),), plan=plan_field)
        return reduce(or_, (g.q(Plan, route, False) for g in self.grants(Action.READ)))

    def towns_with(self, *roles: str) -> frozenset[int]:
        return frozenset(town for town, held in self.town_roles.items() if held & set(roles))

    def region_paths_with(self, *roles: str) -> list[str]:
        """The paths of the regions where this user holds one of `roles`."""
        return [path for path, held in self.region_roles.items() if held & set(roles)]

    def can(self, role: str, town_id: int) -> bool:
        """Whether this user holds `role` (or is a superuser) in a town."""
        return self.everything or role in self.town_roles.get(town_id, frozenset())

    def can_report(self, town_id: int) -> bool:
        return self.may_in_town(Action.REPORT, town_id)

    def can_edit(self, town_id: int) -> bool:
        return self.may_in_town(Action.EDIT, town_id)

    def can_review(self, town_id: int) -> bool:
        return self.may_in_town(Action.REVIEW, town_id)

    def departments_reported_for(self, town_id: int) -> frozenset[int] | None:
        """The departments whose targets this user reports on in a town; None: all of them.

        Only meaningful where `can_report(town_id)`.
        """
        if self.everything:
            return None
        return self.report_departments.get(town_id)

    def reviews_anywhere(self) -> bool:
        """Whether this user may review (approve or return) reports somewhere: in a town, or
        as a region's reviewer (key items, after the towns: `may_review_up`)."""
        return (
            self.everything
            or bool(self.towns_with(Role.REVIEWER))
            or bool(self.region_paths_with(Role.REVIEWER))
        )

    def belongs_to(self, town) -> bool:
        """Whether this user is of `town`, directly or through a region above it.

        For showing staff details (who reported) only to the town's own side;
        `town.region` should be loaded with the town.
        """
        return self.may_in_town(Action.STAFF, town)

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
        return Scope(everything=True, user_id=user.pk)
    cached = getattr(user, "_tracker_scope", None)
    if cached is not None:
        return cached
    town_roles: dict[int, set[str]] = {}
    region_paths: list[str] = []
    region_roles: dict[str, set[str]] = {}
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
            region_roles.setdefault(region_path, set()).add(role)
    scope = Scope(
        user_id=user.pk,
        member_town_ids=frozenset(town_roles),
        region_paths=tuple(dict.fromkeys(region_paths)),
        town_roles={town: frozenset(roles) for town, roles in town_roles.items()},
        region_roles={path: frozenset(roles) for path, roles in region_roles.items()},
        report_departments={
            town: frozenset(ids) if ids is not None else None for town, ids in departments.items()
        },
    )
    user._tracker_scope = scope
    return scope


# --- the questions the faces ask ---------------------------------------------------------


def may(user, action: Action, obj) -> bool:
    """Whether `user` may take `action` on `obj`."""
    return scope_for(user).may(action, obj)


def rule(user, action: Action, model: type[Model]) -> Q:
    """A filter on `model`'s rows on which `user` may take `action`."""
    return scope_for(user).rule(action, model)


def restrict(queryset: QuerySet, user, action: Action) -> QuerySet:
    """`queryset` narrowed to the rows on which `user` may take `action`."""
    return queryset.filter(rule(user, action, queryset.model))


def may_in_town(user, action: Action, town) -> bool:
    """Whether `user` may take `action` in a town (a Town or its id)."""
    return scope_for(user).may_in_town(action, town)


def may_report(user, target: Target) -> bool:
    """Whether `user` reports progress on the target (its town, and their department)."""
    return may(user, Action.REPORT, target)


def may_review(user, report: ProgressReport) -> bool:
    """Whether `user` takes the report's next review step: a reviewer of its town, or for a
    report the town approved that awaits a region (endorsed), a reviewer of that region."""
    if report.state == ReportState.ENDORSED:
        return may_review_up(user, report)
    return may(user, Action.REVIEW, report)


def may_see(user, report: ProgressReport) -> bool:
    """Drafts and returned reports are seen by their town's reporters and reviewers."""
    return may(user, Action.SEE, report)


def report_refusal(user, target: Target) -> str | None:
    """Why `user` may not report progress on the target, or None if they may."""
    if may_report(user, target):
        return None
    if may_in_town(user, Action.REPORT, target.plan.town):  # the Town: no query for its region
        return _("You report only on the targets your department leads.")
    return _("You may not report progress on this town's targets.")


def town_id_of(obj) -> int | None:
    """The id of the town a row belongs to (by its first path), or None if it has none."""
    route = route_of(type(obj))
    if not route.towns or route.many:
        return None
    town = _follow(obj, route.towns[0]) if route.towns[0] else obj
    return town.pk if town is not None else None


# --- assigned tasks (交办) ----------------------------------------------------------------


def may_assign(user, assignment: Assignment) -> bool:
    """Whether `user` may give (or change) a task as its assigner: an editor of the assigning
    region, or of the assigning town."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if assignment.region_id is not None:
        return Role.EDITOR in scope.region_roles.get(assignment.region.path, frozenset())
    return assignment.town_id is not None and scope.can(Role.EDITOR, assignment.town_id)


def may_receive(assignment: Assignment, receiver: Town | Department) -> bool:
    """Whether a town or department may receive the task: a town below the assigning region,
    a department of the assigning town."""
    if isinstance(receiver, Department):
        return assignment.town_id is not None and receiver.town_id == assignment.town_id
    return assignment.region_id is not None and receiver.region.path.startswith(
        assignment.region.path
    )


def assigning_regions(user) -> QuerySet[Region]:
    """The regions `user` may assign tasks from (every region for a superuser)."""
    scope = scope_for(user)
    if scope.everything:
        return Region.objects.all()
    return Region.objects.filter(path__in=scope.region_paths_with(Role.EDITOR))


def assigning_towns(user) -> QuerySet[Town]:
    """The towns `user` may assign tasks from, to their departments."""
    scope = scope_for(user)
    if scope.everything:
        return Town.objects.all()
    return Town.objects.filter(pk__in=scope.towns_with(Role.EDITOR))


def _below(paths, region_path_field: str) -> Q:
    """A filter on rows whose region path (by `region_path_field`) lies under one of `paths`."""
    return reduce(
        or_,
        (Q(**{f"{region_path_field}__startswith": path}) for path in paths),
        Q(pk__in=[]),
    )


def assignments_readable(user) -> Q:
    """A filter on Assignment: the tasks `user` reads (see the module doc); may repeat a row,
    so a caller lists `.distinct()` ones."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    towns = sorted(scope.member_town_ids)
    return (
        _below(scope.region_paths, "region__path")
        | _below(scope.region_paths, "town__region__path")
        | Q(town_id__in=towns)
        | Q(receipts__plan__town_id__in=towns)
        | _below(scope.region_paths, "receipts__plan__town__region__path")
    )


def on_assigner_side(user, assignment: Assignment) -> bool:
    """Whether `user` reads the task as its assigner does (every receipt): a member of the
    assigning region or a region above it, or of the assigning town."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if assignment.region_id is not None:
        return any(assignment.region.path.startswith(path) for path in scope.region_paths)
    return scope.belongs_to(assignment.town)


def receipts_readable(user, assignment: Assignment) -> Q:
    """A filter on the task's receipts (Targets): all of them for its assigner's side, else
    those in the towns `user` belongs to."""
    if on_assigner_side(user, assignment):
        return Q()
    scope = scope_for(user)
    return Q(plan__town_id__in=sorted(scope.member_town_ids)) | _below(
        scope.region_paths, "plan__town__region__path"
    )


def may_sign(user, receipt: Target) -> bool:
    """Whether `user` signs for a task's receipt: who may EDIT it or REPORT on it."""
    return receipt.assignment_id is not None and (
        may(user, Action.EDIT, receipt) or may(user, Action.REPORT, receipt)
    )


# --- review up the hierarchy (上级审核) -------------------------------------------------------


def reviewing_regions(town: Town) -> list[Region]:
    """The regions above `town` (its own and the ones above it) that review key items."""
    parts = town.region.path.strip("/").split("/")
    paths = ["/".join(parts[: depth + 1]) + "/" for depth in range(len(parts))]
    return list(Region.objects.filter(key_review=True, path__in=paths))


def region_review_needed(target: Target) -> bool:
    """Whether a report on `target` needs a region's approval after its town's: a key item of a
    town below a region that reviews key items."""
    return target.is_key and bool(reviewing_regions(target.plan.town))


def may_review_up(user, report: ProgressReport) -> bool:
    """Whether `user` approves or returns a key item's report after its town: a reviewer of a
    region above the town that reviews key items."""
    scope = scope_for(user)
    if scope.everything:
        return True
    return any(
        Role.REVIEWER in scope.region_roles.get(region.path, frozenset())
        for region in reviewing_regions(report.target.plan.town)
    )


def _key_items_below(user) -> Q:
    """A filter on ProgressReport: reports on key items of the towns below the regions where
    `user` reviews and that review key items (all of them for a superuser)."""
    scope = scope_for(user)
    if scope.everything:
        return Q(target__is_key=True)
    reviewing = Region.objects.filter(
        path__in=scope.region_paths_with(Role.REVIEWER), key_review=True
    ).values_list("path", flat=True)
    return Q(target__is_key=True) & _below(reviewing, "target__plan__town__region__path")


def reviews_up(user) -> Q:
    """A filter on ProgressReport: the endorsed reports `user` reviews as a region (above)."""
    return Q(state=ReportState.ENDORSED) & _key_items_below(user)


def reports_seen(user) -> Q:
    """A filter on ProgressReport: the reports `user` sees (SEE), and the endorsed ones they
    review as a region (`reviews_up`). Q() for a superuser, written out: `Q() | q` is `q`."""
    if scope_for(user).everything:
        return Q()
    # A region's reviewers see the key items' reports they review, before and after their step.
    return rule(user, Action.SEE, ProgressReport) | (
        _key_items_below(user) & ~Q(state=ReportState.DRAFT)
    )
