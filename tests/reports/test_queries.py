"""Each report page reads a fixed number of queries, however many targets it shows.

Counts are for an anonymous reader. Every request runs in a transaction
(ATOMIC_REQUESTS), which adds a SAVEPOINT and a RELEASE to each count.
"The rows" are tracker.selectors.rows_of's five: the targets with their
columns, their node schedules, their helping departments, their plans' sections
(section paths) and the reporting periods started (warnings; none here, so no
reports or updates). Every target has a node schedule (`build_plan`).

Statuses are counted from those kept in the database (tracker/statuses.py): the
pages that count are measured with every status judged, as the daily
`judge_statuses` leaves them (`judged`).
"""

import datetime

import pytest

from tests import factories
from tests.reports.conftest import build_plan as build_plain_plan
from tracker.models import Plan, ProgressUpdate, Target
from tracker.statuses import judge_stale
from tracker.today import reporting_today

pytestmark = pytest.mark.django_db

SIZES = [1, 200]
# Before each page's view, outside its transaction: the data version that keys
# the cached answer (tracker/freshness.py).
VERSION = 1


def build_plan(n_targets: int, **options) -> Plan:
    """tests/reports/conftest.py's plan, each target with a node schedule."""
    return build_plain_plan(n_targets, with_nodes=True, **options)


def judged() -> None:
    """Every status judged and kept for today (what the daily judge_statuses does)."""
    judge_stale(Target.objects.all(), reporting_today())


@pytest.mark.parametrize("n_targets", SIZES)
def test_home_queries_do_not_grow_with_targets(client, django_assert_num_queries, n_targets):
    build_plan(n_targets)
    judged()
    # savepoint, regions, towns, readable plans, the latest plans' numbers of targets and
    # counts by status (tracker.statuses.plan_tallies), release
    with django_assert_num_queries(VERSION + 7):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("n_targets", SIZES)
def test_plan_page_queries_do_not_grow_with_targets(client, django_assert_num_queries, n_targets):
    plan = build_plan(n_targets)
    # savepoint, the plan (with town and region), its sections, its documents,
    # the rows (4: for the summary and the page at once; the sections are the
    # plan's, at hand), the town's departments (filter menu), the town's other
    # years, the regions above the town (breadcrumb), release
    with django_assert_num_queries(VERSION + 12):
        response = client.get(f"/towns/{plan.town.slug}/{plan.year}/")
    assert response.status_code == 200
    assert response.content.count(b'class="target ') == n_targets


@pytest.mark.parametrize("n_targets", SIZES)
def test_filtered_plan_page_queries_do_not_grow_with_targets(
    client, django_assert_num_queries, n_targets
):
    plan = build_plan(n_targets)
    section = plan.sections.filter(parent__isnull=True).first()
    department = plan.town.departments.first()
    url = f"/towns/{plan.town.slug}/{plan.year}/"
    query = {"status": "behind", "section": section.pk, "department": department.pk}
    # As above, plus the section filter's two (the section's plan, the plan's
    # section tree), the status filter's two (the rule's columns of the rows
    # the other filters left, their node schedules) and the ids the filters leave: 17.
    with django_assert_num_queries(VERSION + 17):
        assert client.get(url, query).status_code == 200


@pytest.mark.parametrize("n_targets", SIZES)
def test_csv_download_queries_do_not_grow_with_targets(
    client, django_assert_num_queries, n_targets
):
    plan = build_plan(n_targets)
    # savepoint, the plan, its sections, its documents, the town's departments,
    # the status filter's columns and node schedules, the rows (5), release
    with django_assert_num_queries(VERSION + 13):
        response = client.get(f"/towns/{plan.town.slug}/{plan.year}/targets.csv?status=behind")
        b"".join(response.streaming_content)


@pytest.mark.parametrize("n_targets", SIZES)
def test_xlsx_download_queries_do_not_grow_with_targets(
    client, django_assert_num_queries, n_targets
):
    plan = build_plan(n_targets)
    # savepoint, the plan, its sections, its documents, the town's departments,
    # the rows (5), release
    with django_assert_num_queries(VERSION + 11):
        assert client.get(f"/towns/{plan.town.slug}/{plan.year}/targets.xlsx").status_code == 200


@pytest.mark.parametrize("n_targets", SIZES)
def test_region_page_queries_do_not_grow_with_targets(client, django_assert_num_queries, n_targets):
    plan = build_plan(n_targets)
    build_plan(n_targets, year=plan.year, town=factories.TownFactory(region=plan.town.region))
    region = plan.town.region
    judged()
    # savepoint, the region, its towns, their readable plans, their numbers of targets and
    # counts by plan and status, the comparable groups' sizes, the ids of the first page of
    # them, its rows (4: no section paths), the years with plans, the regions above, release
    with django_assert_num_queries(VERSION + 15):
        assert client.get(f"/regions/{region.slug}/{plan.year}/").status_code == 200


@pytest.mark.parametrize("n_updates", [1, 30])
def test_target_page_queries_do_not_grow_with_updates(client, django_assert_num_queries, n_updates):
    plan = build_plan(1, with_updates=False, year=2024)
    target = plan.targets.get()
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                target=target,
                as_of=datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * i),
                value=10 * (i + 1),
            )
            if target.kind == "quantitative"
            else ProgressUpdate(
                target=target, as_of=datetime.date(2024, 1, 2), milestone_done=False
            )
            for i in range(n_updates)
        ]
    )
    # savepoint, the target (with plan, town, region, lead department, document),
    # its row (5), its updates, the regions above, release
    with django_assert_num_queries(VERSION + 10):
        assert client.get(f"/targets/{target.pk}/").status_code == 200
