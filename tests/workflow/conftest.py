"""A town that reviews its progress, with one user of each kind the workflow knows.

西樵镇 has two departments; the economic office (经济发展办公室) leads the
land target and the milestone, the planning office (规划建设办) leads the
third target. Its 2024 plan (active) has monthly periods. Users:

- dept_reporter:  reports for the economic office only
- other_reporter: reports for the planning office only
- town_reporter:  reports for the whole town
- editor:         edits the town's plans (and so reports for the whole town)
- reviewer:       reviews the town's reports (the town's office, 党政办)
- region_viewer:  reads everything in the district, writes nothing
- outsider:       reviews and reports in another town
- superuser

Built once per test module, in a transaction rolled back when the module
ends; each test gets its own copies of the objects (tests/conftest.py, `fresh`).
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.conftest import fresh, rolled_back
from tracker.choices import PlanStatus, Role
from tracker.models import Department, Membership, Plan, ReportingPeriod, Target, Town
from tracker.workflow import periods_generate, report_save, report_submit

YEAR = 2024

ACTORS = (
    "anonymous",
    "dept_reporter",
    "other_reporter",
    "town_reporter",
    "editor",
    "reviewer",
    "region_viewer",
    "outsider",
    "superuser",
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class ReviewingTown:
    town: Town
    plan: Plan
    economy: Department
    planning: Department
    land: Target  # led by the economic office
    lab: Target  # a milestone, led by the economic office
    roads: Target  # led by the planning office
    periods: list[ReportingPeriod]
    users: dict

    def client(self, actor: str) -> APIClient:
        client = APIClient()
        if actor != "anonymous":
            token, _ = Token.objects.get_or_create(user=self.users[actor])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def draft(self, actor: str = "dept_reporter", period: int = 0, value: str = "100", target=None):
        return report_save(
            user=self.users[actor],
            target=target or self.land,
            period=self.periods[period],
            value=Decimal(value),
            as_of=self.periods[period].ends_on,
        )

    def submitted(self, actor: str = "dept_reporter", period: int = 0, value: str = "100"):
        return report_submit(
            user=self.users[actor], report=self.draft(actor, period=period, value=value)
        )


def member(town=None, region=None, role=Role.REPORTER, department=None, **user):
    person = factories.UserFactory(**user)
    Membership.objects.create(
        user=person, town=town, region=region, role=role, department=department
    )
    return person


@pytest.fixture(scope="module")
def _shared_xiqiao(django_db_setup, django_db_blocker) -> ReviewingTown:
    """The town, built once per module and rolled back after it."""
    with rolled_back(django_db_blocker):
        yield build_xiqiao()


@pytest.fixture
def xiqiao(_shared_xiqiao, db) -> ReviewingTown:
    """The town for one test: the module's rows, and this test's own copies of the objects."""
    return fresh(_shared_xiqiao)


def build_xiqiao() -> ReviewingTown:
    district = factories.DistrictFactory(name="南海区", slug="nanhai")
    town = factories.TownFactory(name="西樵镇", slug="xiqiao", region=district)
    other_town = factories.TownFactory(name="桂城街道", slug="guicheng", region=district)
    economy = Department.objects.create(
        town=town, name="经济发展办公室", email="jingji@xiqiao.example.gov.cn"
    )
    planning = Department.objects.create(town=town, name="规划建设办", email="")
    plan = factories.PlanFactory(town=town, year=YEAR, status=PlanStatus.ACTIVE)
    section = factories.SectionFactory(plan=plan, title="聚焦产业")
    land = factories.TargetFactory(
        section=section, title="村级工业园攻坚拆除", lead_department=economy
    )
    lab = factories.MilestoneFactory(
        section=section, title="确保实验室年内开园", lead_department=economy
    )
    roads = factories.TargetFactory(
        section=section,
        title="新建市政道路",
        value=Decimal("12"),
        unit="公里",
        lead_department=planning,
    )
    users = {
        "dept_reporter": member(town, department=economy, username="jingji"),
        "other_reporter": member(town, department=planning, username="guihua"),
        "town_reporter": member(town, username="xiqiao_stats"),
        "editor": member(town, role=Role.EDITOR, username="xiqiao_office"),
        "reviewer": member(town, role=Role.REVIEWER, username="dangzheng"),
        "region_viewer": member(region=district, role=Role.VIEWER, username="nanhai"),
        "outsider": member(other_town, role=Role.REVIEWER, username="guicheng_review"),
        "superuser": factories.UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    Membership.objects.create(user=users["outsider"], town=other_town, role=Role.REPORTER)
    return ReviewingTown(
        town=town,
        plan=plan,
        economy=economy,
        planning=planning,
        land=land,
        lab=lab,
        roads=roads,
        periods=periods_generate(plan=plan),
        users=users,
    )
