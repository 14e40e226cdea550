"""Each list and report costs the same number of queries for 1 row as for 100.

Every request below is made by a region viewer with a token, and each count
includes the queries every such request makes:

    SAVEPOINT / RELEASE SAVEPOINT   the request's transaction (ATOMIC_REQUESTS),
                                    nested in the test's
    token + user                    TokenAuthentication (one join)
    memberships                     scope_for(user), on endpoints that filter by it

The list endpoints are asked for `page_size=100`, so all 100 rows are serialized.
"""

import datetime
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tracker.choices import Comparison, PlanStatus, RegionLevel, Role, TargetKind, TownKind
from tracker.models import (
    Department,
    GoalSection,
    Membership,
    Plan,
    ProgressUpdate,
    Region,
    SourceDocument,
    Target,
    TargetNode,
    Town,
)
from tracker.statuses import judge_stale
from tracker.today import reporting_today

pytestmark = pytest.mark.django_db

QUOTE = "引进优质企业8家以上"
YEAR = 2024

# endpoint → the queries it makes, whatever the number of rows.
EXPECTED = {
    # savepoint, token, COUNT, regions, release
    "/api/regions/?page_size=100": 5,
    # savepoint, token, COUNT, towns ⋈ region, release
    "/api/towns/?page_size=100": 5,
    # savepoint, token, COUNT, departments, release
    "/api/departments/?page_size=100": 5,
    # savepoint, token, memberships, COUNT, plans ⋈ town, documents (prefetch), release
    "/api/plans/?page_size=100": 7,
    # savepoint, token, memberships, COUNT, sections ⋈ plan ⋈ town, release
    "/api/sections/?page_size=100": 6,
    # savepoint, token, memberships, COUNT, then the page's rows (tracker.selectors.rows_of):
    # targets ⋈ plan ⋈ town ⋈ lead department ⋈ latest update ⋈ source document,
    # their node schedules, their helping departments, the plans' sections for section
    # paths, the plans' reporting periods started by today (for the warnings; none here, so
    # the reports and updates they would need are not read: tests/workflow), release
    "/api/targets/?page_size=100": 10,
    # the same, plus two for the ids of the targets with the status asked for (the
    # rule's columns, their node schedules: tracker.selectors.fact_rows)
    "/api/targets/?page_size=100&status=unmet": 12,
    # savepoint, token, memberships, COUNT,
    # updates ⋈ target ⋈ plan ⋈ town ⋈ region ⋈ reporter, release
    "/api/progress-updates/?page_size=100": 6,
    # savepoint, token, memberships, the rows (targets ⋈ …, node schedules, helping
    # departments, the plans' sections, the periods started), release
    "/api/targets/export.csv": 9,
    "/api/targets/export.xlsx": 9,
    # savepoint, token, memberships, plan ⋈ town, its sections, the counts by section
    # and status (one aggregate query over the kept statuses: tracker/statuses.py), release
    "/api/plans/{big_plan}/summary/": 7,
    # savepoint, token, region, memberships, towns below it, readable plans, their numbers
    # of targets and counts by plan and status (tracker.statuses.plan_tallies), the
    # comparable groups' sizes, the ids of their first page, its rows (4: as above but for
    # the sections, which a compared target is shown without), release
    "/api/regions/{district}/rollup/?year=2024": 15,
    # savepoint, token, region, memberships, towns below it, their readable plans, the
    # rows (5, as above), the periods due (the ranking's reporting rates), the red rows'
    # report notes, last month's snapshots, release (the ranking's figures: tracker.ranking)
    "/api/regions/{district}/bulletin.docx?year=2024&month=11": 15,
    # savepoint, token, memberships, target ⋈ plan, its node schedule, its updates, release
    "/api/targets/{first_target}/history/": 7,
}


def populate(rows: int) -> dict:
    """`rows` of everything: regions, towns (each with a department, a plan, a section, a
    target with a node schedule and its update), sections and targets of one big plan, and
    updates of one target.

    Written with bulk_create: the query counts, not the factories, are what is tested.
    """
    city = factories.RegionFactory(level=RegionLevel.CITY, parent=factories.RegionFactory())
    district = factories.RegionFactory(level=RegionLevel.DISTRICT, parent=city)
    Region.objects.bulk_create(
        Region(
            name=f"区{n}",
            slug=f"district-{n}",
            level=RegionLevel.DISTRICT,
            parent=city,
            path=f"{city.path}district-{n}/",
        )
        for n in range(rows)
    )
    towns = Town.objects.bulk_create(
        Town(name=f"第{n}镇", slug=f"t-{n}", kind=TownKind.TOWN, region=district)
        for n in range(rows)
    )
    departments = Department.objects.bulk_create(
        Department(town=town, name="经济发展办公室") for town in towns
    )
    plans = Plan.objects.bulk_create(
        Plan(town=town, year=YEAR, title="工作计划", status=PlanStatus.ACTIVE) for town in towns
    )
    documents = SourceDocument.objects.bulk_create(
        SourceDocument(title="工作报告", text=f"{n}。{QUOTE}。", digest=f"{n:064d}")
        for n in range(rows)
    )
    Plan.documents.through.objects.bulk_create(
        Plan.documents.through(plan=plan, sourcedocument=document)
        for plan, document in zip(plans, documents, strict=True)
    )
    sections = GoalSection.objects.bulk_create(
        GoalSection(plan=plan, position=1, label="一、", title="聚焦产业") for plan in plans
    )
    big_plan = Plan.objects.create(
        town=towns[0], year=YEAR - 1, title="大计划", status=PlanStatus.ACTIVE
    )
    big_sections = GoalSection.objects.bulk_create(
        GoalSection(plan=big_plan, position=n + 1, title=f"第{n}节") for n in range(rows)
    )

    def target(plan, section, department, document, position) -> Target:
        return Target(
            plan=plan,
            section=section,
            position=position,
            title="引进优质企业",
            kind=TargetKind.QUANTITATIVE,
            comparison=Comparison.GE,
            value=Decimal("8"),
            unit="家",
            lead_department=department,
            source_document=document,
            quote=QUOTE if document else "",
        )

    targets = Target.objects.bulk_create(
        target(plan, section, department, document, 1)
        for plan, section, department, document in zip(
            plans, sections, departments, documents, strict=True
        )
    )
    Target.objects.bulk_create(
        target(big_plan, section, departments[0], None, 1) for section in big_sections
    )
    Target.helping_departments.through.objects.bulk_create(
        Target.helping_departments.through(target=t, department=d)
        for t, d in zip(targets, departments, strict=True)
    )
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(target=t, as_of=datetime.date(YEAR, 6, 30), value=Decimal("5"))
        for t in targets
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            target=targets[0],
            as_of=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n),
            value=Decimal(n),
        )
        for n in range(rows)
    )
    for t, update in zip(targets, updates, strict=True):
        t.latest_update = update
    Target.objects.bulk_update(targets, ["latest_update"])
    TargetNode.objects.bulk_create(
        TargetNode(target=t, due_on=datetime.date(YEAR, month, 28), planned_percent=share)
        for t in targets
        for month, share in ((3, Decimal(20)), (6, Decimal(50)))
    )
    return {"district": district.slug, "big_plan": big_plan.pk, "first_target": targets[0].pk}


@pytest.fixture
def region_viewer_client():
    user = factories.UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client, user


@pytest.mark.parametrize("rows", [1, 100])
@pytest.mark.parametrize("endpoint", EXPECTED)
def test_query_count_does_not_grow_with_rows(
    region_viewer_client, django_assert_num_queries, endpoint, rows
):
    client, user = region_viewer_client
    names = populate(rows)
    Membership.objects.create(
        user=user, region=Region.objects.get(slug=names["district"]), role=Role.VIEWER
    )
    url = endpoint.format(**names)
    # The statuses judged, as the daily judge_statuses leaves them; a read that finds
    # some stale judges them (a fixed number of queries more: tests/test_statuses.py).
    judge_stale(Target.objects.all(), reporting_today())
    # Before the view (tracker/freshness.py): the data version, and the reader's
    # memberships for lists that are the same for everyone (the others read them anyway).
    public = endpoint.startswith(("/api/regions/?", "/api/towns/", "/api/departments/"))
    expected = EXPECTED[endpoint] + 1 + public
    if "/rollup/" in endpoint and rows == 1:
        expected -= 5  # one town: nothing to compare across towns, so no rows to read
    with django_assert_num_queries(expected):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    data = getattr(response, "data", None)
    if isinstance(data, dict) and "results" in data:
        assert len(data["results"]) >= rows  # every row was serialized
