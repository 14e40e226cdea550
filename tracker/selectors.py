"""Reads of targets: the one read model (`TargetRow`), status filters, summaries, rollups.

Every face that shows targets (the API, the report pages, the exports, the plan
summary, the region rollup) reads them as `TargetRow`s built by `target_rows`:
one `.values()` query and a fixed number of batched ones, whatever the number
of targets. Every read that judges targets from rows (`fact_rows`, `rows_of`)
reads their node schedules (节点目标) in one query more (`with_schedules`), and
`facts_of` refuses a row without them, so no face judges a target by the
straight line when its nodes say otherwise.
"""

import datetime
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tracker import progress, statuses
from tracker.choices import TargetKind
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    Region,
    ReportingPeriod,
    Target,
    TargetNode,
    Town,
)
from tracker.workflow import Flag, cycle_for

# The columns the status rule needs: enough to filter by status, nothing more.
# "first_report_due" and "has_nodes" are annotations (`with_first_due`): every query
# reading these columns is made on an annotated queryset.
FACT_FIELDS = (
    "pk", "kind", "comparison", "value", "value_max", "is_growth", "deadline", "plan__year",
    "deadline_text", "starts_on", "first_report_due", "has_nodes",
    "latest_update__value", "latest_update__milestone_done", "latest_update__as_of",
)  # fmt: skip


def with_first_due(targets: QuerySet[Target]) -> QuerySet[Target]:
    """Targets annotated with the due date of the first report they owe (None: the plan
    has no periods), which the status rule needs to tell overdue from no data yet: their
    plan's first period, or for a target starting later, the first period ending on or
    after its start (tracker.workflow.owes_period says the same of one period).

    A subquery in the same statement: no query more, whatever the number of rows.
    """
    start = Coalesce(OuterRef("starts_on"), Value(datetime.date.min), output_field=DateField())
    first = (
        ReportingPeriod.objects.filter(plan_id=OuterRef("plan_id"), ends_on__gte=start)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    # Whether a node schedule is to be read (`with_schedules`): most targets have none,
    # and a page of them then costs no query for nodes.
    nodes = TargetNode.objects.filter(target_id=OuterRef("pk"))
    return targets.annotate(first_report_due=Subquery(first), has_nodes=Exists(nodes))


def fact_rows(targets: QuerySet[Target], *extra: str) -> list[dict]:
    """The rows the status rule reads (FACT_FIELDS, and `extra` columns), annotated and
    with their node schedules as `facts_of` needs: every face that judges targets
    reads them through here. Two queries: the rows, their nodes (none if no rows)."""
    fields = dict.fromkeys((*FACT_FIELDS, "plan_id", *extra))  # plan_id: with_schedules
    return with_schedules(list(with_first_due(targets.order_by()).values(*fields)))


# Above this many rows, batched reads filter by the rows' plans rather than by their ids.
MANY_ROWS = 500


def with_schedules(rows: list[dict]) -> list[dict]:
    """`rows` (dicts holding "pk" and "plan_id"), each given its target's node schedule
    under "nodes": its TargetNodes in date order, [] for most targets. One query (none
    for no rows); above MANY_ROWS it reads the nodes of the rows' plans (a few ids to
    send rather than thousands)."""
    if not rows:
        return rows
    # Rows read with `with_first_due` say whether they have nodes; others are read.
    pks = {row["pk"] for row in rows if row.get("has_nodes", True)}
    if not pks:
        for row in rows:
            row["nodes"] = []
        return rows
    nodes = TargetNode.objects.order_by("target_id", "due_on", "pk")
    if len(pks) > MANY_ROWS:
        nodes = nodes.filter(target__plan_id__in={row["plan_id"] for row in rows})
    else:
        nodes = nodes.filter(target_id__in=list(pks))
    found: dict[int, list[TargetNode]] = {}
    for node in nodes:
        found.setdefault(node.target_id, []).append(node)
    for row in rows:
        row["nodes"] = found.get(row["pk"], [])
    return rows


# Everything a face shows of a target, in one `.values()` query (no model instances:
# building thousands of them cost several times the query). See TargetRow.
ROW_FIELDS = (
    *FACT_FIELDS,
    "plan_id", "plan__town_id", "plan__town__slug", "plan__town__name", "plan__town__name_en",
    "section_id", "position", "title", "metric", "unit", "is_stretch", "baseline",
    "lead_department_id", "lead_department__name", "quote", "version", "created_at",
    "updated_at", "source_document_id", "source_document__title",
    "source_document__publisher", "source_document__published_on", "source_document__url",
    "progress_basis", "owner_name", "owner_title", "owner_user_id", "leader_name",
    "assignment_id", "sign_due", "signed_at", "is_key",
)  # fmt: skip


def facts_of(row: dict) -> progress.TargetFacts:
    """The rule's facts from a row holding FACT_FIELDS and its "nodes" (`with_schedules`:
    a row read without them is a KeyError here, not a status by the straight line)."""
    return progress.facts_of(
        kind=row["kind"],
        comparison=row["comparison"],
        value=row["value"],
        value_max=row["value_max"],
        is_growth=row["is_growth"],
        deadline=row["deadline"],
        year=row["plan__year"],
        first_due=row["first_report_due"],
        deadline_text=row["deadline_text"],
        nodes=tuple(node.as_progress_node(row["value"]) for node in row["nodes"]),
        start=row["starts_on"],
    )


def reading_of(row: dict) -> progress.Reading | None:
    """The latest update of a row holding FACT_FIELDS, or None."""
    return progress.reading_of(
        row["latest_update__value"],
        row["latest_update__milestone_done"],
        row["latest_update__as_of"],
    )


def target_ids_with_status(
    targets: QuerySet[Target], status: str, today: datetime.date
) -> list[int]:
    """The ids of the targets in `targets` whose status is `status` on `today`.

    Status depends on the day, so it is computed, not stored; two queries read
    just the columns the rule needs and the targets' nodes (`fact_rows`).
    """
    thresholds = progress.configured_thresholds()
    return [
        row["pk"]
        for row in fact_rows(targets)
        if progress.assess(facts_of(row), reading_of(row), today, thresholds).status == status
    ]


# --- the read model: one row type per target, for every face ------------------------------


@dataclass(frozen=True, slots=True)
class TownRef:
    id: int
    slug: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DepartmentRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SectionRef:
    id: int
    label: str
    title: str

    def __str__(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: int
    title: str
    publisher: str
    published_on: datetime.date | None
    url: str


@dataclass(slots=True)
class TargetRow:
    """A target as every face shows it: its columns, latest reading, assessment today,
    section path, departments and 督办 warning (None while its plan's reporting has
    not started). Built by `target_rows`; the API, the report pages, the exports, the
    plan summary and the region rollup all read these.
    """

    pk: int
    plan_id: int
    year: int
    town: TownRef
    section_id: int
    position: int
    title: str
    metric: str
    kind: str
    comparison: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    is_growth: bool
    is_stretch: bool
    baseline: Decimal | None
    deadline: datetime.date | None
    lead_department: DepartmentRef | None
    source_document: DocumentRef | None
    quote: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    facts: progress.TargetFacts
    latest: progress.Reading | None
    assessment: progress.Assessment
    helping: list[DepartmentRef] = field(default_factory=list)
    section_path: list[SectionRef] = field(default_factory=list)
    warning: Flag | None = None
    deadline_text: str = ""  # the time limit as written, when it is no date (3至5年内)
    progress_basis: str = ""  # cumulative (累计) or per period (当期)
    nodes: list[TargetNode] = field(default_factory=list)  # its schedule (节点目标), by date
    owner_name: str = ""  # 责任人
    owner_title: str = ""
    owner_user_id: int | None = None
    leader_name: str = ""  # 分管领导
    starts_on: datetime.date | None = None  # a task given during the year starts then
    assignment_id: int | None = None  # a receipt of an assigned task (交办)
    sign_due: datetime.date | None = None  # sign for it (签收) by then
    signed_at: datetime.datetime | None = None
    is_key: bool = False  # 重点: a region above may review its reports after the town

    @property
    def due_on(self) -> datetime.date:
        return self.facts.due_on

    @property
    def lead_department_id(self) -> int | None:
        return self.lead_department.id if self.lead_department else None

    @property
    def helping_department_ids(self) -> list[int]:
        return [department.id for department in self.helping]

    @property
    def current_value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def milestone_done(self) -> bool | None:
        return self.latest.done if self.latest else None

    @property
    def as_of(self) -> datetime.date | None:
        return self.latest.as_of if self.latest else None

    @property
    def section(self) -> SectionRef | None:
        return self.section_path[-1] if self.section_path else None

    @property
    def owner(self) -> str:
        """The person responsible as pages and bulletins name them: 张伟（经济发展办公室主任）."""
        if self.owner_name and self.owner_title:
            return f"{self.owner_name}（{self.owner_title}）"
        return self.owner_name


def row_values(targets: QuerySet[Target]) -> QuerySet:
    """The one query of a list of rows (pagers slice it; `rows_of` finishes the rows)."""
    return with_first_due(targets).values(*ROW_FIELDS)


def target_rows(
    targets: QuerySet[Target], today: datetime.date, sections: Iterable[GoalSection] | None = None
) -> list[TargetRow]:
    """The rows of `targets`, in their order. See `rows_of` for the queries."""
    return rows_of(row_values(targets), today, sections)


def target_row(pk: int, today: datetime.date) -> TargetRow:
    """One target's row (it must exist: the caller has checked who may read it)."""
    (row,) = target_rows(Target.objects.filter(pk=pk), today)
    return row


def rows_of(
    values: Iterable[dict], today: datetime.date, sections: Iterable[GoalSection] | None = None
) -> list[TargetRow]:
    """Rows from `row_values()` dicts, assessed on `today`.

    Four more queries whatever the number of rows (none for no rows): the
    targets' node schedules (`with_schedules`), the helping departments, the
    sections of the rows' plans (for section paths; not read when the caller
    has them all at hand: `sections`), and the reporting periods of those plans
    that have started by `today` (for the warnings; two more once one has:
    tracker.workflow.cycle_for).
    """
    thresholds = progress.configured_thresholds()
    # Rows of one town, lead department or document share one reference to it.
    towns: dict[int, TownRef] = {}
    leads: dict[int, DepartmentRef] = {}
    documents: dict[int, DocumentRef] = {}
    rows = []
    for v in with_schedules(list(values)):
        facts, reading = facts_of(v), reading_of(v)
        town = towns.get(v["plan__town_id"])
        if town is None:
            town = towns[v["plan__town_id"]] = TownRef(
                v["plan__town_id"], v["plan__town__slug"], v["plan__town__name"],
                v["plan__town__name_en"],
            )  # fmt: skip
        lead_id, lead = v["lead_department_id"], None
        if lead_id is not None:
            lead = leads.get(lead_id)
            if lead is None:
                lead = leads[lead_id] = DepartmentRef(lead_id, v["lead_department__name"])
        document_id, document = v["source_document_id"], None
        if document_id is not None:
            document = documents.get(document_id)
            if document is None:
                document = documents[document_id] = DocumentRef(
                    document_id, v["source_document__title"], v["source_document__publisher"],
                    v["source_document__published_on"], v["source_document__url"],
                )  # fmt: skip
        rows.append(
            TargetRow(
                v["pk"],
                v["plan_id"],
                v["plan__year"],
                town,
                v["section_id"],
                v["position"],
                v["title"],
                v["metric"],
                v["kind"],
                v["comparison"],
                v["value"],
                v["value_max"],
                v["unit"],
                v["is_growth"],
                v["is_stretch"],
                v["baseline"],
                v["deadline"],
                lead,
                document,
                v["quote"],
                v["version"],
                v["created_at"],
                v["updated_at"],
                facts,
                reading,
                progress.assess(facts, reading, today, thresholds),
                [],
                [],
                None,
                v["deadline_text"],
                v["progress_basis"],
                v["nodes"],
                v["owner_name"],
                v["owner_title"],
                v["owner_user_id"],
                v["leader_name"],
                v["starts_on"],
                v["assignment_id"],
                v["sign_due"],
                v["signed_at"],
                v["is_key"],
            )  # fmt: skip
        )
    if not rows:
        return rows
    by_pk = {row.pk: row for row in rows}
    plan_ids = {row.plan_id for row in rows}
    helping = Target.helping_departments.through.objects.all()
    if len(by_pk) <= MANY_ROWS:
        helping = helping.filter(target_id__in=list(by_pk))
    else:  # by plan: a few ids to send rather than thousands
        helping = helping.filter(target__plan_id__in=plan_ids)
    for target_id, department_id, name in helping.order_by(
        *(f"department__{name}" for name in Department._meta.ordering)
    ).values_list("target_id", "department_id", "department__name"):
        if target_id in by_pk:
            by_pk[target_id].helping.append(DepartmentRef(department_id, name))
    if sections is None:
        found = GoalSection.objects.filter(plan_id__in=plan_ids).values_list(
            "pk", "parent_id", "label", "title"
        )
    else:
        found = ((s.pk, s.parent_id, s.label, s.title) for s in sections)
    tree = {pk: (parent_id, SectionRef(pk, label, title)) for pk, parent_id, label, title in found}
    paths: dict[int, list[SectionRef]] = {}
    for row in rows:
        if row.section_id not in paths:
            path, at = [], row.section_id
            while at in tree:
                parent_id, ref = tree[at]
                path.append(ref)
                at = parent_id
            paths[row.section_id] = path[::-1]
        row.section_path = paths[row.section_id]
    cycle = cycle_for(rows, today)
    if cycle.periods:
        for row in rows:
            if cycle.in_cycle(row):
                row.warning = cycle.flag(row, row.assessment)
    return rows


@dataclass(frozen=True)
class SectionSummary:
    section: GoalSection
    depth: int
    counts: dict[str, int]
    mean_percent: Decimal | None
    target_count: int


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    counts: dict[str, int]
    mean_percent: Decimal | None
    target_count: int
    sections: list[SectionSummary]


def section_tree(sections: Iterable[GoalSection]) -> list[tuple[GoalSection, int]]:
    """Sections in document order, depth first, each with its depth (0 at the top)."""
    children: dict[int | None, list[GoalSection]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.position, s.pk))
    ordered: list[tuple[GoalSection, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for section in children.get(parent_id, []):
            ordered.append((section, depth))
            walk(section.pk, depth + 1)

    walk(None, 0)
    return ordered


def in_document_order(
    rows: Iterable["TargetRow"], sections: Iterable[GoalSection]
) -> list["TargetRow"]:
    """Rows in their plan's document order: sections depth first (`section_tree`), then
    each target's position. Ordering by the section's parent column instead would put
    top-level sections first on SQLite and last on PostgreSQL (NULLs sort apart)."""
    place = {section.pk: index for index, (section, _depth) in enumerate(section_tree(sections))}
    return sorted(
        rows, key=lambda row: (place.get(row.section_id, len(place)), row.position, row.pk)
    )


def plan_summary(plan: Plan, today: datetime.date) -> PlanSummary:
    """Counts by status for a plan, and per section (a section counts its subsections' targets).

    Two queries while the kept statuses are current: the sections, and the
    counts by section and status (tracker/statuses.py; more when some are stale).
    """
    # Only what a summary shows of a section (timestamps cost more than the counts).
    sections = list(plan.sections.only("plan_id", "parent_id", "position", "label", "title"))
    by_section = statuses.tallies(Target.objects.filter(plan=plan), "section_id", today)
    return summary_of(plan, sections, by_section)


def summarize(plan: Plan, rows: list[TargetRow], sections: Iterable[GoalSection]) -> PlanSummary:
    """The summary of a plan from all its target rows at hand (the plan's page shows them all)."""
    by_section: dict[int, statuses.Tally] = {}
    for row in rows:
        by_section.setdefault(row.section_id, statuses.Tally()).add(
            row.assessment.status, statuses.capped(row.assessment.percent)
        )
    return summary_of(plan, list(sections), by_section)


def summary_of(
    plan: Plan, sections: list[GoalSection], by_section: dict[int, statuses.Tally]
) -> PlanSummary:
    """A plan's summary from the tallies of each section's own targets: a section counts its
    subsections' targets too, the plan every section's."""
    parents = {section.pk: section.parent_id for section in sections}
    within: dict[int, statuses.Tally] = {}
    whole = statuses.Tally()
    for section_id, tally in by_section.items():
        whole.add_tally(tally)
        at = section_id
        while at in parents:  # the section and every enclosing one
            within.setdefault(at, statuses.Tally()).add_tally(tally)
            at = parents[at]
    return PlanSummary(
        plan=plan,
        counts=whole.counts,
        mean_percent=whole.mean_percent,
        target_count=whole.target_count,
        sections=[
            SectionSummary(
                section=section,
                depth=depth,
                counts=tally.counts,
                mean_percent=tally.mean_percent,
                target_count=tally.target_count,
            )
            for section, depth in section_tree(sections)
            for tally in [within.get(section.pk) or statuses.Tally()]
        ],
    )


@dataclass(frozen=True)
class TownYear:
    town: Town
    plan: Plan | None
    counts: dict[str, int]
    mean_percent: Decimal | None
    target_count: int


@dataclass(frozen=True)
class Comparable:
    """Targets of the same unit (and growth flag) across towns: e.g. land cleared in 亩.

    `rows` holds only the group's targets on the rollup's page (see RegionRollup);
    `target_count` and `town_count` count the whole group.
    """

    unit: str
    is_growth: bool
    rows: list[TargetRow]
    target_count: int
    town_count: int


@dataclass(frozen=True)
class RegionRollup:
    region: Region
    year: int
    towns: list[TownYear]
    counts: dict[str, int]
    comparables: list[Comparable]
    # The comparable targets, all groups one after another, are shown a page at a
    # time: an answer never grows with the number of towns beyond their figures.
    comparable_count: int = 0
    page: int = 1
    page_count: int = 1


ROLLUP_PAGE_SIZE = 50


class NoSuchPage(ValueError):
    """A rollup page past the last one."""


def region_rollup(
    region: Region,
    year: int,
    today: datetime.date,
    plans: QuerySet[Plan],
    page: int = 1,
    page_size: int = ROLLUP_PAGE_SIZE,
) -> RegionRollup:
    """Every town below a region for one year, side by side, and like targets compared.

    `plans` is the caller's readable plans (see tracker.access) so a rollup never
    counts a plan its reader may not see. Whatever the size: the towns, the plans,
    their targets' numbers and counts by status (statuses.plan_tallies), the
    comparable groups' sizes, the ids of one page of them, and their target rows
    (see `rows_of`).
    """
    towns = list(Town.objects.filter(region__path__startswith=region.path).select_related("region"))
    plan_by_town = {
        plan.town_id: plan
        for plan in plans.filter(year=year, town__in=[t.pk for t in towns]).select_related("town")
    }
    targets = Target.objects.filter(plan__in=list(plan_by_town.values()))
    by_plan = statuses.plan_tallies([plan.pk for plan in plan_by_town.values()], today)
    by_town = {
        town_id: by_plan[plan.pk] for town_id, plan in plan_by_town.items() if plan.pk in by_plan
    }
    quantitative = targets.filter(kind=TargetKind.QUANTITATIVE)
    # Like targets: quantitative ones of one unit (and growth flag) in more than one town.
    town_counts: dict[tuple[str, bool], int] = {}
    sizes: dict[tuple[str, bool], int] = {}
    if plan_by_town:
        # Counted by plan, and the plans of a group counted here: one plan per town in a
        # year, and a hash aggregate, where COUNT(DISTINCT town) sorted every row (a
        # province's 200,000 quantitative targets: 270 ms, now 130).
        n_by_group: dict[tuple[str, bool], int] = {}
        plans_by_group: dict[tuple[str, bool], set[int]] = {}
        for unit, growth, plan_id, n in (
            quantitative.order_by()
            .values_list("unit", "is_growth", "plan_id")
            .annotate(n=Count("pk"))
        ):
            n_by_group[(unit, growth)] = n_by_group.get((unit, growth), 0) + n
            plans_by_group.setdefault((unit, growth), set()).add(plan_id)
        for key, plan_ids in plans_by_group.items():
            if len(plan_ids) > 1:
                sizes[key], town_counts[key] = n_by_group[key], len(plan_ids)
    compared = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
    comparable_count = sum(sizes.values())
    page_count = max(1, -(-comparable_count // page_size))
    if not 1 <= page <= page_count:
        raise NoSuchPage(page)
    start, end = (page - 1) * page_size, page * page_size
    # The page's rows, in one read: the groups it spans, in their order, sliced.
    spans, offset, first = [], 0, None
    for key, n in compared:
        if offset < end and offset + n > start:
            spans.append(key)
            first = offset if first is None else first
        offset += n
    shown: dict[tuple[str, bool], list[TargetRow]] = {}
    if spans:
        rank = Case(
            *(When(unit=unit, is_growth=growth, then=Value(i)) for i, (unit, growth) in
              enumerate(spans)),
            output_field=IntegerField(),
        )  # fmt: skip
        # The page's ids first, by a narrow query, then their rows: joined before the
        # sort, a province's 60,000 candidates each read their update, town and
        # document (460 ms at 2 million updates) for the 50 that are shown.
        page_ids = list(
            quantitative.filter(
                functools.reduce(
                    operator.or_, (Q(unit=unit, is_growth=growth) for unit, growth in spans)
                )
            )
            .annotate(group_rank=rank)
            .order_by("group_rank", "plan__town__name", "section_id", "position", "pk")
            .values_list("pk", flat=True)[start - first : end - first]
        )
        place = {pk: index for index, pk in enumerate(page_ids)}
        # No section paths: a compared target is shown without its section (no query for them).
        page_rows = target_rows(Target.objects.filter(pk__in=page_ids), today, sections=())
        for row in sorted(page_rows, key=lambda row: place[row.pk]):
            shown.setdefault((row.unit, row.is_growth), []).append(row)
    whole = statuses.Tally()
    for tally in by_town.values():
        whole.add_tally(tally)
    return RegionRollup(
        region=region,
        year=year,
        towns=[
            TownYear(
                town=town,
                plan=plan_by_town.get(town.pk),
                counts=tally.counts,
                mean_percent=tally.mean_percent,
                target_count=tally.target_count,
            )
            for town in towns
            for tally in [by_town.get(town.pk) or statuses.Tally()]
        ],
        counts=whole.counts,
        comparables=[
            Comparable(
                unit=unit,
                is_growth=growth,
                rows=shown.get((unit, growth), []),
                target_count=n,
                town_count=town_counts[(unit, growth)],
            )
            for (unit, growth), n in compared
        ],
        comparable_count=comparable_count,
        page=page,
        page_count=page_count,
    )
