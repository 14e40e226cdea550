"""A small world for the API's tests: one district, two towns, and one user of each kind.

Built once per test module, in a transaction rolled back when the module
ends; each test changes it freely inside its own transaction, on its own
copies of the objects (tests/conftest.py, `fresh`).

Town A's plan is a draft (only its own users and the region above see it);
town B's is published (everyone reads it).

Town A's 2024 plan has reporting periods for July, August and September
(nothing else yet), a draft report for August
and a report for July submitted by its reporter, waiting for review. Town A
has since switched review off, so its reporters' progress updates count at
once, as these tests of recording expect; tests/workflow test a town that
reviews them (a reporter's update is then held as a report, 202).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import fresh, rolled_back
from tracker.choices import PlanStatus, Role
from tracker.models import (
    Department,
    GoalSection,
    Membership,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    Target,
    Town,
)
from tracker.services import progress_record
from tracker.workflow import period_create, report_save, report_submit

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

# Who calls the API, in the order the permission matrix lists them.
ACTORS = (
    "anonymous",
    "reporter_a",
    "editor_a",
    "region_viewer",
    "reporter_b",
    "editor_b",
    "superuser",
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The throttles count in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    district: Region
    town_a: Town
    town_b: Town
    department_a: Department
    department_b: Department
    plan_a: Plan
    plan_b: Plan
    section_a: GoalSection
    section_b: GoalSection
    target_a: Target
    target_b: Target
    update_a: ProgressUpdate
    update_b: ProgressUpdate
    users: dict
    period_a: ReportingPeriod  # September 2024, with no report yet
    draft_report_a: ProgressReport  # August 2024
    submitted_report_a: ProgressReport  # July 2024

    def client(self, actor: str) -> APIClient:
        """An API client signed in as `actor` with a token (none for "anonymous")."""
        client = APIClient()
        if actor != "anonymous":
            token, _ = Token.objects.get_or_create(user=self.users[actor])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


def member(town=None, region=None, role=Role.REPORTER, **user):
    person = factories.UserFactory(**user)
    Membership.objects.create(user=person, town=town, region=region, role=role)
    return person


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker) -> World:
    """The world, built once per module and rolled back after it."""
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_shared_world, db, settings, tmp_path) -> World:
    """The world for one test: the module's rows, and this test's own copies of the objects."""
    settings.MEDIA_ROOT = tmp_path  # evidence uploads land here, not in the project
    return fresh(_shared_world)


def build_world() -> World:
    district = factories.DistrictFactory(name="南海区", slug="nanhai")
    town_a = factories.TownFactory(name="西樵镇", slug="xiqiao", region=district)
    town_b = factories.TownFactory(name="桂城街道", slug="guicheng", region=district)
    department_a = factories.DepartmentFactory(town=town_a, name="经济发展办公室")
    department_b = factories.DepartmentFactory(town=town_b, name="经济促进局")
    plan_a = factories.PlanFactory(town=town_a, year=2024, status=PlanStatus.DRAFT)
    plan_b = factories.PlanFactory(town=town_b, year=2024, status=PlanStatus.ACTIVE)
    section_a = factories.SectionFactory(plan=plan_a, title="聚焦产业")
    section_b = factories.SectionFactory(plan=plan_b, title="聚焦城市")
    target_a = factories.TargetFactory(
        section=section_a, title="村级工业园攻坚拆除", lead_department=department_a
    )
    target_b = factories.TargetFactory(section=section_b, title="村级工业园改造提升")
    update_a = progress_record(
        target=target_a, as_of=datetime.date(2024, 6, 30), value=Decimal("1641.72")
    )
    update_b = progress_record(
        target=target_b, as_of=datetime.date(2024, 6, 30), value=Decimal("800")
    )
    users = {
        "reporter_a": member(town=town_a, role=Role.REPORTER, username="reporter_a"),
        "editor_a": member(town=town_a, role=Role.EDITOR, username="editor_a"),
        "region_viewer": member(region=district.parent, role=Role.VIEWER, username="region_viewer"),
        "reporter_b": member(town=town_b, role=Role.REPORTER, username="reporter_b"),
        "editor_b": member(town=town_b, role=Role.EDITOR, username="editor_b"),
        "superuser": factories.UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    # July to September only: the rest of the year is free for a custom period.
    periods = {
        month: period_create(
            plan=plan_a,
            label=f"2024-{month:02d}",
            starts_on=datetime.date(2024, month, 1),
            ends_on=datetime.date(2024, month, 30 if month == 9 else 31),
            due_on=datetime.date(2024, month + 1, 5),
        )
        for month in (7, 8, 9)
    }
    reporter = users["reporter_a"]
    draft_report_a = report_save(
        user=reporter,
        target=target_a,
        period=periods[8],
        value=Decimal("1900"),
        as_of=datetime.date(2024, 8, 31),
    )
    submitted_report_a = report_submit(
        user=reporter,
        report=report_save(
            user=reporter,
            target=target_a,
            period=periods[7],
            value=Decimal("1800"),
            as_of=datetime.date(2024, 7, 31),
        ),
    )
    town_a.review_required = False
    town_a.save()
    return World(
        district=district,
        town_a=town_a,
        town_b=town_b,
        department_a=department_a,
        department_b=department_b,
        plan_a=plan_a,
        plan_b=plan_b,
        section_a=section_a,
        section_b=section_b,
        target_a=target_a,
        target_b=target_b,
        update_a=update_a,
        update_b=update_b,
        users=users,
        period_a=periods[9],
        draft_report_a=draft_report_a,
        submitted_report_a=submitted_report_a,
    )


@pytest.fixture
def as_editor_a(world) -> APIClient:
    return world.client("editor_a")


@pytest.fixture
def as_reporter_a(world) -> APIClient:
    return world.client("reporter_a")
