"""Reads that compute across many targets: status filters, plan summaries, region rollups."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tracker import progress
from tracker.choices import Status, TargetKind
from tracker.models import GoalSection, Plan, Region, Target, Town
from tracker.models.targets import configured_thresholds

FACT_FIELDS = (
    "pk",
    "kind",
    "comparison",
    "value",
    "value_max",
    "is_growth",
    "deadline",
    "plan__year",
    "latest_update__value",
    "latest_update__milestone_done",
    "latest_update__as_of",
)


def assess_rows(rows: Iterable[dict], today: datetime.date) -> dict[int, progress.Assessment]:
    """Assess targets from `.values(*FACT_FIELDS)` rows, without loading model instances."""
    thresholds = configured_thresholds()
    result = {}
    for row in rows:
        starts_on = datetime.date(row["plan__year"], 1, 1)
        facts = progress.TargetFacts(
            kind=row["kind"],
            comparison=row["comparison"],
            value=row["value"],
            value_max=row["value_max"],
            is_growth=row["is_growth"],
            starts_on=starts_on,
            due_on=row["deadline"] or datetime.date(row["plan__year"], 12, 31),
        )
        reading = None
        if row["latest_update__as_of"] is not None:
            reading = progress.Reading(
                value=row["latest_update__value"],
                done=row["latest_update__milestone_done"],
                as_of=row["latest_update__as_of"],
            )
        result[row["pk"]] = progress.assess(facts, reading, today, thresholds)
    return result


def target_ids_with_status(
    targets: QuerySet[Target], status: str, today: datetime.date
) -> list[int]:
    """The ids of the targets in `targets` whose status is `status` on `today`.

    Status depends on the day, so it is computed, not stored; one query reads
    just the columns the rule needs.
    """
    rows = targets.order_by().values(*FACT_FIELDS)
    return [
        pk for pk, assessment in assess_rows(rows, today).items() if assessment.status == status
    ]


@dataclass(frozen=True)
class Row:
    """A target as reports show it: the model instance and its assessment today."""

    target: Target
    assessment: progress.Assessment


def assessed(targets: Iterable[Target], today: datetime.date) -> list[Row]:
    """Assess targets loaded with `Target.objects.with_context()` (no further queries)."""
    return [Row(target=target, assessment=target.assess(today)) for target in targets]


def status_counts(assessments: Iterable[progress.Assessment]) -> dict[str, int]:
    """How many of each status, every status present (zeros included), in Status order."""
    counts = dict.fromkeys(Status.values, 0)
    for assessment in assessments:
        counts[assessment.status] += 1
    return counts


def mean_percent(assessments: Iterable[progress.Assessment]) -> Decimal | None:
    """The mean percent complete, each target capped at 100 so one overshoot hides no laggard."""
    percents = [min(a.percent, progress.HUNDRED) for a in assessments if a.percent is not None]
    if not percents:
        return None
    return (sum(percents) / len(percents)).quantize(progress.CENT)


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


def plan_summary(plan: Plan, today: datetime.date) -> PlanSummary:
    """Counts by status for a plan, and per section (a section counts its subsections' targets).

    Two queries: the sections, and the columns the rule needs for each target.
    """
    tree = section_tree(plan.sections.all())
    rows = list(Target.objects.filter(plan=plan).order_by().values(*FACT_FIELDS, "section_id"))
    by_pk = assess_rows(rows, today)
    parent_of = {section.pk: section.parent_id for section, _ in tree}
    per_section: dict[int, list[progress.Assessment]] = {}
    for row in rows:
        section_id = row["section_id"]
        while section_id is not None:  # count the target in every enclosing section
            per_section.setdefault(section_id, []).append(by_pk[row["pk"]])
            section_id = parent_of.get(section_id)
    all_assessments = list(by_pk.values())
    return PlanSummary(
        plan=plan,
        counts=status_counts(all_assessments),
        mean_percent=mean_percent(all_assessments),
        target_count=len(all_assessments),
        sections=[
            SectionSummary(
                section=section,
                depth=depth,
                counts=status_counts(per_section.get(section.pk, [])),
                mean_percent=mean_percent(per_section.get(section.pk, [])),
                target_count=len(per_section.get(section.pk, [])),
            )
            for section, depth in tree
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
class FactRow:
    """A target as `.values(*ROLLUP_FIELDS)` read it, and its assessment: for JSON, not pages."""

    values: dict
    assessment: progress.Assessment


@dataclass(frozen=True)
class Comparable:
    """Targets of the same unit (and growth flag) across towns: e.g. land cleared in 亩."""

    unit: str
    is_growth: bool
    rows: list[Row] | list[FactRow]


@dataclass(frozen=True)
class RegionRollup:
    region: Region
    year: int
    towns: list[TownYear]
    counts: dict[str, int]
    comparables: list[Comparable]


# What a rollup shows of each target when it is read as values (lean=True).
ROLLUP_FIELDS = (
    *FACT_FIELDS,
    "title", "metric", "unit", "plan__town_id", "plan__town__slug", "plan__town__name",
)  # fmt: skip


def region_rollup(
    region: Region, year: int, today: datetime.date, plans: QuerySet[Plan], *, lean: bool = False
) -> RegionRollup:
    """Every town below a region for one year, side by side, and like targets compared.

    `plans` is the caller's readable plans (see tracker.access) so a rollup never
    counts a plan its reader may not see. Three queries whatever the size.

    Pages draw each compared target from its model instance (`Row`); the API
    asks for `lean` rows (`FactRow`): the columns it shows, read with
    `.values()`, which costs a fraction of building thousands of instances.
    """
    towns = list(Town.objects.filter(region__path__startswith=region.path).select_related("region"))
    plan_by_town = {
        plan.town_id: plan
        for plan in plans.filter(year=year, town__in=[t.pk for t in towns]).select_related("town")
    }
    targets = Target.objects.filter(plan__in=list(plan_by_town.values())).order_by(
        "plan__town__name", "section_id", "position", "pk"
    )
    rows: list[Row] | list[FactRow]
    if lean:
        values = list(targets.values(*ROLLUP_FIELDS))
        by_pk = assess_rows(values, today)
        rows = [FactRow(values=row, assessment=by_pk[row["pk"]]) for row in values]
        facts = [
            (r.values["plan__town_id"], r.values["kind"], r.values["unit"], r.values["is_growth"])
            for r in rows
        ]
    else:
        rows = assessed(
            targets.select_related("plan__town", "section", "latest_update", "lead_department"),
            today,
        )
        facts = [
            (r.target.plan.town_id, r.target.kind, r.target.unit, r.target.is_growth) for r in rows
        ]
    by_town: dict[int, list[progress.Assessment]] = {}
    groups: dict[tuple[str, bool], list] = {}
    group_towns: dict[tuple[str, bool], set[int]] = {}
    for row, (town_id, kind, unit, is_growth) in zip(rows, facts, strict=True):
        by_town.setdefault(town_id, []).append(row.assessment)
        if kind == TargetKind.QUANTITATIVE:
            groups.setdefault((unit, is_growth), []).append(row)
            group_towns.setdefault((unit, is_growth), set()).add(town_id)
    comparables = [
        Comparable(unit=unit, is_growth=growth, rows=members)
        for (unit, growth), members in sorted(
            groups.items(), key=lambda item: (-len(item[1]), item[0])
        )
        if len(group_towns[(unit, growth)]) > 1
    ]
    return RegionRollup(
        region=region,
        year=year,
        towns=[
            TownYear(
                town=town,
                plan=plan_by_town.get(town.pk),
                counts=status_counts(by_town.get(town.pk, [])),
                mean_percent=mean_percent(by_town.get(town.pk, [])),
                target_count=len(by_town.get(town.pk, [])),
            )
            for town in towns
        ],
        counts=status_counts(row.assessment for row in rows),
        comparables=comparables,
    )
