"""A district with two towns and a town outside it, each with an active 2026 plan, and the
people who give, sign for and report on tasks (交办).

- district_editor: edits for 南海区 (assigns tasks to its towns)
- district_viewer: reads 南海区, writes nothing
- a_editor, b_editor: the editors of 甲镇 and 乙镇 (sign for their town; assign to
  their departments)
- a_reviewer: reviews 甲镇's reports, no more
- a_dept_reporter: reports for 甲镇's economic office only
- a_town_reporter: reports for the whole of 甲镇
- outsider: an editor of 丙镇, outside the district
- superuser
"""

import datetime
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests import factories
from tracker.choices import Role
from tracker.models import Assignment, Department, Membership, Region, Town
from tracker.workflow import periods_generate

YEAR = 2026
ISSUED = datetime.date(YEAR, 11, 10)
DEADLINE = datetime.date(YEAR, 12, 31)


@dataclass
class World:
    district: Region
    a: Town
    b: Town
    c: Town
    a_economy: Department
    a_planning: Department
    b_office: Department
    users: dict

    def client(self, name: str) -> APIClient:
        # A session, as a signed-in browser or client has: the response cache
        # (tracker.freshness) reads the user before DRF would see force_authenticate's.
        client = APIClient()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


def task(world: World, **fields) -> Assignment:
    """An unsaved task from the district (a milestone due at the year's end)."""
    values = {
        "title": "开展安全生产大检查",
        "request": "对辖区内企业开展安全生产隐患排查，12月底前完成整改。",
        "source_kind": "meeting",
        "source_title": "11月9日区政府常务会议",
        "region": world.district,
        "issued_on": ISSUED,
        "deadline": DEADLINE,
    }
    values.update(fields)
    return Assignment(**values)


@pytest.fixture
def world(db, settings) -> World:
    settings.TRACKER_TODAY = datetime.date(YEAR, 12, 1)
    district = factories.DistrictFactory(name="南海区", slug="nanhai-test")
    a = factories.TownFactory(name="甲镇", slug="jia", region=district)
    b = factories.TownFactory(name="乙镇", slug="yi", region=district)
    c = factories.TownFactory(name="丙镇", slug="bing")
    for town in (a, b, c):
        plan = factories.PlanFactory(town=town, year=YEAR)
        periods_generate(plan=plan)
    a_economy = factories.DepartmentFactory(town=a, name="经济发展办公室")
    a_planning = factories.DepartmentFactory(town=a, name="规划建设办公室")
    b_office = factories.DepartmentFactory(town=b, name="综合治理办公室")
    users = {}

    def user(name, **membership):
        users[name] = factories.UserFactory(username=name)
        if membership:
            Membership.objects.create(user=users[name], **membership)

    user("district_editor", region=district, role=Role.EDITOR)
    user("district_viewer", region=district, role=Role.VIEWER)
    user("a_editor", town=a, role=Role.EDITOR)
    user("b_editor", town=b, role=Role.EDITOR)
    user("a_reviewer", town=a, role=Role.REVIEWER)
    user("a_dept_reporter", town=a, department=a_economy, role=Role.REPORTER)
    user("a_town_reporter", town=a, role=Role.REPORTER)
    user("outsider", town=c, role=Role.EDITOR)
    users["superuser"] = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    return World(district, a, b, c, a_economy, a_planning, b_office, users)
