"""Fixtures for the report pages: plans of any size made fast (the seed data is
tests/conftest.py's `seeded`)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from tracker.choices import Comparison, PlanStatus, TargetKind
from tracker.models import Department, GoalSection, Plan, ProgressUpdate, Target, TargetNode


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def build_plan(
    n_targets: int,
    *,
    town=None,
    year: int | None = None,
    status: str = PlanStatus.ACTIVE,
    with_updates: bool = True,
    with_nodes: bool = False,
) -> Plan:
    """A plan of `n_targets` targets over nested sections, each with a lead and a helping
    department and (by default) a progress update, written in a handful of queries.

    The values vary so that the targets land in different statuses. `with_nodes`: each
    target has a node schedule too (shares by 28 March and 28 June, or a milestone's
    steps 立项 and 开工), for the query counts of reads that judge them.
    """
    today = timezone.localdate()
    year = year or today.year
    plan = factories.PlanFactory(
        status=status, year=year, **({"town": town} if town is not None else {})
    )
    lead = Department.objects.create(town=plan.town, name=f"经济发展办{plan.pk}")
    helper = Department.objects.create(town=plan.town, name=f"规划建设办{plan.pk}")
    labels = ["一、", "二、", "三、"]
    tops = [
        GoalSection.objects.create(plan=plan, position=i + 1, label=label, title=f"重点任务{i + 1}")
        for i, label in enumerate(labels)
    ]
    leaves = [
        GoalSection.objects.create(
            plan=plan, parent=top, position=j + 1, label=f"（{'一二'[j]}）", title=f"子任务{j + 1}"
        )
        for top in tops
        for j in range(2)
    ]
    targets = []
    for i in range(n_targets):
        section = leaves[i % len(leaves)]
        if i % 5 == 4:
            targets.append(
                Target(
                    plan=plan,
                    section=section,
                    position=i + 1,
                    title=f"里程碑{i + 1}",
                    kind=TargetKind.MILESTONE,
                    comparison="",
                    lead_department=lead,
                )
            )
        else:
            targets.append(
                Target(
                    plan=plan,
                    section=section,
                    position=i + 1,
                    title=f"拆除整理土地{i + 1}",
                    kind=TargetKind.QUANTITATIVE,
                    comparison=Comparison.GE,
                    value=Decimal("2500"),
                    unit="亩",
                    lead_department=lead,
                )
            )
    Target.objects.bulk_create(targets)
    targets = list(Target.objects.filter(plan=plan).order_by("position"))
    Target.helping_departments.through.objects.bulk_create(
        [
            Target.helping_departments.through(target_id=t.pk, department_id=helper.pk)
            for t in targets
        ]
    )
    if with_updates:
        as_of = max(min(today, datetime.date(year, 12, 31)), datetime.date(year, 1, 1))
        shares = [Decimal("0"), Decimal("0.4"), Decimal("0.75"), Decimal("0.95"), Decimal("1.1")]
        updates = ProgressUpdate.objects.bulk_create(
            [
                ProgressUpdate(
                    target=t,
                    as_of=as_of,
                    value=None
                    if t.kind == TargetKind.MILESTONE
                    else (Decimal("2500") * shares[i % len(shares)]).quantize(Decimal("0.01")),
                    milestone_done=(i % 2 == 0) if t.kind == TargetKind.MILESTONE else None,
                    note="按月填报",
                )
                for i, t in enumerate(targets)
            ]
        )
        for target, update in zip(targets, updates, strict=True):
            target.latest_update = update
        Target.objects.bulk_update(targets, ["latest_update"])
    if with_nodes:
        TargetNode.objects.bulk_create(
            TargetNode(target=t, due_on=datetime.date(year, month, 28), name=step)
            if t.kind == TargetKind.MILESTONE
            else TargetNode(target=t, due_on=datetime.date(year, month, 28), planned_percent=share)
            for t in targets
            for month, share, step in ((3, 20, "立项"), (6, 50, "开工"))
        )
    return plan
