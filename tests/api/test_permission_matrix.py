"""Who may call each endpoint with each method: the whole matrix, checked against the URLconf.

Every route under /api/ must be in ROUTES (a new endpoint without a decided
row fails `test_every_api_route_is_in_the_matrix`), and every route is called
with every method by every kind of user. A method a route does not list must
be a 405 for everyone, so a method added to an endpoint fails here too until
its row says who may use it.

The object of a detail route is town A's: its plan is a *draft*, which town B's
users and anonymous users may not see (404), while the region above both
towns sees everything (but writes nothing).
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver

from tests.api.conftest import ACTORS, PASSWORD, World
from tracker.api import urls as api_urls

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# One status per actor, in the order of ACTORS:
#        anonymous reporter_a editor_a region_viewer reporter_b editor_b superuser
EVERYONE = "200 200 200 200 200 200 200"
TOWN_A_READERS = "404 200 200 200 404 404 200"  # a draft: its town and the region above
TOWN_A_EDITORS = "401 403 200 403 403 404 200"  # reporter_b edits nowhere: 403 before lookup
CREATE_IN_TOWN_A = "401 403 201 403 403 400 201"  # editor_b's foreign key into A: 400
REPORT_IN_TOWN_A = "401 201 201 403 400 400 201"  # town B's target of choice is not A's
NOT_ALLOWED = "405 405 405 405 405 405 405"
# Town A's reports: seen by its reporters (editors report too) and reviewers, not the region.
TOWN_A_REPORTERS = "404 200 200 404 404 404 200"
GENERATE_IN_TOWN_A = "401 403 201 403 403 404 201"  # as TOWN_A_EDITORS, creating
REPORT_STEP_IN_TOWN_A = "401 200 200 403 404 404 200"  # town B's reporters do not see A's
UPLOAD_IN_TOWN_A = "401 201 201 403 404 404 201"
# Nobody here reviews town A but the superuser; tests/workflow/test_api.py adds reviewers.
REVIEW_IN_TOWN_A = "401 403 403 403 403 403 200"


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    expect: dict[str, str]
    bodies: dict[str, Callable[[World], object]] = field(default_factory=dict)
    multipart: bool = False  # bodies sent as a form with files, not as JSON


def new_plan(w: World) -> dict:
    return {"town": w.town_a.pk, "year": 2025, "title": "西樵镇2025年工作计划"}


def new_section(w: World) -> dict:
    # A free position: the world's section takes the factories' next number, which depends
    # on how many sections the session made before (position 99 was once taken).
    taken = w.plan_a.sections.filter(parent=None).values_list("position", flat=True)
    return {
        "plan": w.plan_a.pk,
        "position": max(taken, default=0) + 1,
        "label": "二、",
        "title": "聚焦民生",
    }


def new_target(w: World) -> dict:
    taken = w.section_a.targets.values_list("position", flat=True)  # as for new_section
    return {
        "section": w.section_a.pk,
        "position": max(taken, default=0) + 1,
        "title": "确保年内开园",
        "kind": "milestone",
    }


def new_update(w: World) -> dict:
    return {"target": w.target_a.pk, "as_of": "2024-09-30", "value": "2100"}


def new_period(w: World) -> dict:
    return {
        "plan": w.plan_a.pk,
        "label": "2024年第四季度",
        "starts_on": "2024-10-01",
        "ends_on": "2024-12-31",
        "due_on": "2025-01-10",
    }


def new_report(w: World) -> dict:
    return {"target": w.target_a.pk, "period": w.period_a.pk, "value": "2100", "note": "九月"}


def evidence(w: World) -> dict:
    return {"file": SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 evidence", "application/pdf")}


def filled_template(w: World) -> dict:
    from openpyxl import load_workbook

    from tracker.ledgers.progress_sheet import progress_template

    data = progress_template(user=w.users["superuser"], period=w.period_a)
    book = load_workbook(io.BytesIO(data))
    book.worksheets[0]["G2"] = 2100
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("台账.xlsx", out.getvalue())}


def plan_breakdown(w: World) -> dict:
    from tracker.ledgers.breakdown import breakdown_export

    return {
        "file": SimpleUploadedFile("分解表.xlsx", breakdown_export(w.plan_a)),
        "town": w.town_a.slug,
        "year": 2025,
        "dry_run": "true",
    }


def new_assignment(w: World) -> dict:
    return {
        "title": "开展安全生产大检查",
        "request": "排查整改安全隐患。",
        "source_kind": "meeting",
        "source_title": "区政府常务会议",
        "region": w.district.pk,
        "issued_on": "2024-06-01",
        "deadline": "2024-12-31",
        "towns": [w.town_b.pk],
    }


def given_assignment(w: World) -> str:
    """A task of the district to town B (made inside each actor's rolled-back call)."""
    from tracker.assignments import assignment_create
    from tracker.models import Assignment

    data = new_assignment(w)
    data.pop("towns")
    data["region"] = w.district
    assignment = assignment_create(
        user=w.users["superuser"], assignment=Assignment(**data), receivers=[w.town_b]
    )
    return f"/api/assignments/{assignment.pk}/"


ROUTES: dict[str, Route] = {
    "api-root": Route(lambda w: "/api/", {"GET": EVERYONE}),
    "schema": Route(lambda w: "/api/schema/", {"GET": EVERYONE}),
    "docs": Route(lambda w: "/api/docs/", {"GET": EVERYONE}),
    "token": Route(
        lambda w: "/api/token/",
        {"POST": EVERYONE},
        {"POST": lambda w: {"username": "reporter_a", "password": PASSWORD}},
    ),
    "region-list": Route(lambda w: "/api/regions/", {"GET": EVERYONE}),
    "region-detail": Route(lambda w: f"/api/regions/{w.district.slug}/", {"GET": EVERYONE}),
    "region-rollup": Route(
        lambda w: f"/api/regions/{w.district.slug}/rollup/?year=2024", {"GET": EVERYONE}
    ),
    # 晾晒: readable by all; a plan the caller may not read is left out of the figures
    # (tests/supervision/test_ranking.py), never a 404 for the region or town.
    "region-ranking": Route(
        lambda w: f"/api/regions/{w.district.slug}/ranking/?year=2024", {"GET": EVERYONE}
    ),
    "town-ranking": Route(
        lambda w: f"/api/towns/{w.town_a.slug}/ranking/?year=2024", {"GET": EVERYONE}
    ),
    "region-bulletin": Route(
        lambda w: f"/api/regions/{w.district.slug}/bulletin.docx?year=2024&month=11",
        {"GET": EVERYONE},
    ),
    "town-bulletin": Route(
        lambda w: f"/api/towns/{w.town_a.slug}/bulletin.docx?year=2024&month=11",
        {"GET": EVERYONE},
    ),
    "town-list": Route(lambda w: "/api/towns/", {"GET": EVERYONE}),
    "town-detail": Route(lambda w: f"/api/towns/{w.town_a.slug}/", {"GET": EVERYONE}),
    "department-list": Route(lambda w: "/api/departments/", {"GET": EVERYONE}),
    "department-detail": Route(
        lambda w: f"/api/departments/{w.department_a.pk}/", {"GET": EVERYONE}
    ),
    "department-changes": Route(
        lambda w: f"/api/departments/{w.department_a.pk}/changes/", {"GET": EVERYONE}
    ),
    "plan-list": Route(
        lambda w: "/api/plans/", {"GET": EVERYONE, "POST": CREATE_IN_TOWN_A}, {"POST": new_plan}
    ),
    "plan-detail": Route(
        lambda w: f"/api/plans/{w.plan_a.pk}/",
        {"GET": TOWN_A_READERS, "PUT": TOWN_A_EDITORS, "PATCH": TOWN_A_EDITORS},
        {
            "PUT": lambda w: {"year": 2024, "title": "西樵镇2024年工作要点", "status": "active"},
            "PATCH": lambda w: {"title": "西樵镇2024年工作要点"},
        },
    ),
    "plan-summary": Route(lambda w: f"/api/plans/{w.plan_a.pk}/summary/", {"GET": TOWN_A_READERS}),
    "plan-changes": Route(lambda w: f"/api/plans/{w.plan_a.pk}/changes/", {"GET": TOWN_A_READERS}),
    "section-list": Route(
        lambda w: "/api/sections/",
        {"GET": EVERYONE, "POST": CREATE_IN_TOWN_A},
        {"POST": new_section},
    ),
    "section-detail": Route(
        lambda w: f"/api/sections/{w.section_a.pk}/",
        {"GET": TOWN_A_READERS, "PUT": TOWN_A_EDITORS, "PATCH": TOWN_A_EDITORS},
        {
            "PUT": lambda w: {"position": 1, "label": "一、", "title": "聚焦产业发展"},
            "PATCH": lambda w: {"title": "聚焦产业发展"},
        },
    ),
    "section-changes": Route(
        lambda w: f"/api/sections/{w.section_a.pk}/changes/", {"GET": TOWN_A_READERS}
    ),
    "target-list": Route(
        lambda w: "/api/targets/",
        {"GET": EVERYONE, "POST": CREATE_IN_TOWN_A},
        {"POST": new_target},
    ),
    "target-detail": Route(
        lambda w: f"/api/targets/{w.target_a.pk}/",
        {"GET": TOWN_A_READERS, "PUT": TOWN_A_EDITORS, "PATCH": TOWN_A_EDITORS},
        {
            "PUT": lambda w: {
                "section": w.section_a.pk,
                "position": w.target_a.position,
                "title": "村级工业园攻坚拆除",
                "kind": "quantitative",
                "comparison": "ge",
                "value": "3000",
                "unit": "亩",
            },
            "PATCH": lambda w: {"value": "3000"},
        },
    ),
    "target-history": Route(
        lambda w: f"/api/targets/{w.target_a.pk}/history/", {"GET": TOWN_A_READERS}
    ),
    "target-changes": Route(
        lambda w: f"/api/targets/{w.target_a.pk}/changes/", {"GET": TOWN_A_READERS}
    ),
    "target-export-csv": Route(lambda w: "/api/targets/export.csv", {"GET": EVERYONE}),
    "target-export-xlsx": Route(lambda w: "/api/targets/export.xlsx", {"GET": EVERYONE}),
    "progressupdate-list": Route(
        lambda w: "/api/progress-updates/",
        {"GET": EVERYONE, "POST": REPORT_IN_TOWN_A},
        {"POST": new_update},
    ),
    "progressupdate-detail": Route(
        lambda w: f"/api/progress-updates/{w.update_a.pk}/", {"GET": TOWN_A_READERS}
    ),
    "progressupdate-bulk": Route(
        lambda w: "/api/progress-updates/bulk/",
        {"POST": REPORT_IN_TOWN_A},
        {"POST": lambda w: [new_update(w)]},
    ),
    "period-list": Route(
        lambda w: "/api/periods/",
        {"GET": EVERYONE, "POST": CREATE_IN_TOWN_A},
        {"POST": new_period},
    ),
    "period-detail": Route(lambda w: f"/api/periods/{w.period_a.pk}/", {"GET": TOWN_A_READERS}),
    "plan-periods-generate": Route(
        lambda w: f"/api/plans/{w.plan_a.pk}/periods/generate/",
        {"POST": GENERATE_IN_TOWN_A},
        {"POST": lambda w: {"frequency": "monthly"}},
    ),
    "report-list": Route(
        lambda w: "/api/reports/",
        {"GET": EVERYONE, "POST": REPORT_IN_TOWN_A},
        {"POST": new_report},
    ),
    "report-template-xlsx": Route(
        lambda w: f"/api/reports/template.xlsx?town={w.town_a.slug}&period={w.period_a.pk}",
        {"GET": "401 200 200 403 403 403 200"},  # those who report in town A
    ),
    "report-import": Route(
        lambda w: "/api/reports/import/",
        # Town B's reporters may upload, but town A's rows are not theirs: 400 by row.
        {"POST": "401 201 201 403 400 400 201"},
        {"POST": filled_template},
        multipart=True,
    ),
    "plan-export-xlsx": Route(
        lambda w: f"/api/plans/{w.plan_a.pk}/export.xlsx", {"GET": TOWN_A_READERS}
    ),
    "plan-import": Route(
        lambda w: "/api/plans/import/",
        {"POST": "401 403 200 403 403 403 200"},  # town A's editors (a dry run here)
        {"POST": plan_breakdown},
        multipart=True,
    ),
    "report-detail": Route(
        lambda w: f"/api/reports/{w.draft_report_a.pk}/", {"GET": TOWN_A_REPORTERS}
    ),
    # 交办: only the superuser here assigns from the district (it has no editor); a task to
    # town B is read by town B and the region above, signed by town B's editors and reporters.
    "assignment-list": Route(
        lambda w: "/api/assignments/",
        {"GET": EVERYONE, "POST": "401 400 400 400 400 400 201"},
        {"POST": new_assignment},
    ),
    "assignment-detail": Route(given_assignment, {"GET": "404 404 404 200 200 200 200"}),
    "assignment-sign": Route(
        lambda w: given_assignment(w) + "sign/",
        {"POST": "401 404 404 403 200 200 200"},
        {"POST": lambda w: {"lead_department": w.department_b.pk}},
    ),
    "report-submit": Route(
        lambda w: f"/api/reports/{w.draft_report_a.pk}/submit/", {"POST": REPORT_STEP_IN_TOWN_A}
    ),
    "report-approve": Route(
        lambda w: f"/api/reports/{w.submitted_report_a.pk}/approve/", {"POST": REVIEW_IN_TOWN_A}
    ),
    "report-return": Route(
        lambda w: f"/api/reports/{w.submitted_report_a.pk}/return/",
        {"POST": REVIEW_IN_TOWN_A},
        {"POST": lambda w: {"reason": "请补充佐证材料"}},
    ),
    "report-evidence": Route(
        lambda w: f"/api/reports/{w.draft_report_a.pk}/evidence/",
        {"POST": UPLOAD_IN_TOWN_A},
        {"POST": evidence},
        multipart=True,
    ),
}

CASES = [(route, method) for route in ROUTES for method in METHODS]


def api_route_names() -> tuple[set[str], list[str]]:
    """The names of every URL pattern under /api/, and the patterns that have none."""
    names, unnamed = set(), []

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.add(pattern.name)
                else:
                    unnamed.append(str(pattern.pattern))

    walk(api_urls.urlpatterns)
    return names, unnamed


def test_every_api_route_is_in_the_matrix():
    names, unnamed = api_route_names()
    assert not unnamed, "every API URL needs a name to be listed in the matrix"
    assert names - set(ROUTES) == set(), "new endpoints: add their rows to ROUTES"
    assert set(ROUTES) - names == set(), "ROUTES lists endpoints that no longer exist"


def test_the_matrix_size_is_what_the_report_says():
    assert len(CASES) * len(ACTORS) == len(ROUTES) * 5 * 7


class _Undo(Exception):
    """Roll back one actor's call, so the next actor meets the same world."""


def call(world: World, route: Route, method: str, actor: str) -> int:
    client = world.client(actor)
    body = route.bodies.get(method, lambda w: {})(world)
    try:
        with transaction.atomic():
            if route.multipart and method == "POST":
                response = client.post(route.url(world), body, format="multipart")
            else:
                response = client.generic(
                    method,
                    route.url(world),
                    data=json.dumps(body) if method != "GET" else "",
                    content_type="application/json",
                    HTTP_IF_MATCH='"1"',
                )
            raise _Undo(response.status_code)
    except _Undo as undo:
        return undo.args[0]


@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{r}-{m}" for r, m in CASES])
def test_permission_matrix(world, route, method):
    expected = ROUTES[route].expect.get(method, NOT_ALLOWED)
    actual = {}
    for actor in ACTORS:
        cache.clear()  # rate limits are not what this test is about
        actual[actor] = call(world, ROUTES[route], method, actor)
    assert actual == dict(zip(ACTORS, map(int, expected.split()), strict=True))
