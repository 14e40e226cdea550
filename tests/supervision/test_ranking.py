"""晾晒: the ranking API and pages on the demo story, their figures worked out again here."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from tracker import demo_layer
from tracker.choices import ReportState
from tracker.models import Plan, ProgressReport, ReportingPeriod, Target, Town
from tracker.seeding import seed_load
from tracker.workflow import periods_generate

pytestmark = pytest.mark.django_db
SHORT = ["danzao", "xiqiao"]
DAY = demo_layer.DEMO_DAY
# Whatever the number of targets (see the test for what they are).
EXPECTED_QUERIES = {"api-region": 16, "page-region": 16, "api-town": 16, "page-town": 16}


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        seed_load()
        demo_layer.demo_add(towns=SHORT)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _on_the_demo_day(settings):
    settings.TRACKER_TODAY = DAY


def api(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def by_name(data) -> dict:
    return {s["name"]: s for s in data["standings"]}


def test_the_region_ranking_lists_every_town_and_ranks_those_with_a_plan(story, client):
    data = api(client, "/api/regions/nanhai/ranking/", year=2026)
    towns = by_name(data)
    assert set(towns) == {"西樵镇", "桂城街道", "丹灶镇"}
    assert towns["桂城街道"]["rank"] is None  # no 2026 plan in this story
    assert towns["桂城街道"]["target_count"] == 0
    assert {towns["西樵镇"]["rank"], towns["丹灶镇"]["rank"]} == {1, 2}
    assert data["standings"][-1]["name"] == "桂城街道"  # unranked come last
    for field in (
        "completion_rate",
        "on_pace_share",
        "red_count",
        "reporting_rate",
        "on_time_rate",
    ):
        assert field in towns["丹灶镇"]
    assert (
        api(client, f"/api/regions/{Town.objects.get(slug='danzao').region_id}/ranking/", year=2026)
        == data
    )


def test_completion_counts_every_target_and_unreported_ones_as_zero(story, client):
    danzao = by_name(api(client, "/api/regions/nanhai/ranking/", year=2026))["丹灶镇"]
    targets = list(Target.objects.filter(plan__town__slug="danzao", plan__year=2026))
    percents = [min(t.assess(DAY).percent or Decimal(0), Decimal(100)) for t in targets]
    assert any(t.latest_update is None for t in targets)  # one never reported
    expected = (sum(percents) / len(percents)).quantize(Decimal("0.01"))
    assert Decimal(danzao["completion_rate"]) == expected
    assert danzao["target_count"] == len(targets) == 5
    assert danzao["reported_count"] == sum(1 for t in targets if t.latest_update)


def test_reporting_and_on_time_rates_count_reports_owed_by_their_due_dates(story, client):
    danzao = by_name(api(client, "/api/regions/nanhai/ranking/", year=2026))["丹灶镇"]
    plan = Plan.objects.get(town__slug="danzao", year=2026)
    due = list(ReportingPeriod.objects.filter(plan=plan, due_on__lt=DAY))
    owed = len(due) * plan.targets.exclude(lead_department=None).count()
    came = ProgressReport.objects.filter(
        period__in=due, state__in=(ReportState.SUBMITTED, ReportState.APPROVED)
    )
    on_time = [r for r in came if timezone.localtime(r.submitted_at).date() <= r.period.due_on]
    assert (danzao["reports_owed"], danzao["reports_submitted"]) == (owed, came.count())
    assert danzao["reports_on_time"] == len(on_time)
    assert Decimal(danzao["reporting_rate"]) == (Decimal(came.count()) * 100 / owed).quantize(
        Decimal("0.01")
    )
    assert danzao["reports_on_time"] < danzao["reports_submitted"]  # 丹灶 has a late reporter


def test_a_period_narrows_the_reporting_rates_to_it(story, client):
    plan = Plan.objects.get(town__slug="danzao", year=2026)
    october = ReportingPeriod.objects.get(plan=plan, starts_on=datetime.date(2026, 10, 1))
    data = api(client, "/api/regions/nanhai/ranking/", year=2026, period=october.pk)
    assert data["period"]["label"] == october.label
    danzao = by_name(data)["丹灶镇"]
    assert danzao["reports_owed"] == plan.targets.count()
    xiqiao = by_name(data)["西樵镇"]
    assert xiqiao["reports_owed"] == 1  # the same month in 西樵's plan


def test_bad_queries_are_400s_naming_the_parameter(story, client):
    assert "year" in client.get("/api/regions/nanhai/ranking/").json()
    assert "year" in client.get("/api/regions/nanhai/ranking/", {"year": "x"}).json()
    response = client.get("/api/regions/nanhai/ranking/", {"year": 2026, "period": 999999})
    assert response.status_code == 400
    assert "period" in response.json()
    assert client.get("/api/regions/nowhere/ranking/", {"year": 2026}).status_code == 404


def test_the_town_ranking_ranks_departments_on_the_targets_they_lead(story, client):
    data = api(client, "/api/towns/danzao/ranking/", year=2026)
    departments = by_name(data)
    leading = {d for d, s in departments.items() if s["target_count"]}
    led = set(
        Target.objects.filter(plan__town__slug="danzao", plan__year=2026).values_list(
            "lead_department__name", flat=True
        )
    )
    assert leading == led
    assert sum(s["target_count"] for s in data["standings"]) == 5
    assert all(s["rank"] is None for s in data["standings"] if not s["target_count"])


def page_figures(html: str) -> dict[str, dict[str, str]]:
    rows = {}
    for unit, body in re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', html, re.S):
        cells = dict(re.findall(r'data-figure="(\w+)">\s*(?:<a[^>]*>)?([^<\s]+)', body))
        rank = re.search(r'class="num rank">([^<]+)<', body).group(1)
        rows[unit] = {**cells, "rank": rank}
    return rows


def shown(value) -> str:
    return "—" if value is None else str(value)


def test_every_figure_on_the_page_is_the_apis(story, client):
    data = api(client, "/api/regions/nanhai/ranking/", year=2026)
    html = client.get("/regions/nanhai/2026/ranking/").content.decode()
    figures = page_figures(html)
    assert set(figures) == {str(s["id"]) for s in data["standings"]}
    for s in data["standings"]:
        row = figures[str(s["id"])]
        assert row["rank"] == shown(s["rank"])
        for field in (
            "completion_rate",
            "on_pace_share",
            "reporting_rate",
            "on_time_rate",
            "turnaround_days",
        ):
            assert row[field] == shown(s[field]), field
        assert row["red_count"] == (str(s["red_count"]) if s["target_count"] else "—")
    # Coverage beside the figures: 6 targets, one never reported.
    assert (data["reported_count"], data["target_count"]) == (5, 6)
    assert "Reported: 5/6 targets" in html


def test_the_department_page_matches_its_api_too(story, client):
    data = api(client, "/api/towns/danzao/ranking/", year=2026)
    figures = page_figures(client.get("/towns/danzao/2026/ranking/").content.decode())
    for s in data["standings"]:
        assert figures[str(s["id"])]["completion_rate"] == shown(s["completion_rate"])
        assert figures[str(s["id"])]["reporting_rate"] == shown(s["reporting_rate"])


def test_sorting_is_plain_links_and_red_targets_are_one_click_away(story, client):
    html = client.get(
        "/regions/nanhai/2026/ranking/", {"sort": "red_count", "dir": "desc"}
    ).content.decode()
    assert 'href="?sort=completion_rate&amp;dir=desc"' in html
    units = re.findall(r'<tr data-unit="(\d+)">', html)
    danzao = Town.objects.get(slug="danzao")
    assert units[0] == str(danzao.pk)  # the most red first
    assert f'href="#red-{danzao.pk}"' in html
    red_list = html[html.index(f'id="red-{danzao.pk}"') :]
    red = [t for t in Target.objects.filter(plan__town=danzao, plan__year=2026)]
    assert any(f'href="/targets/{t.pk}/"' in red_list for t in red)
    assert "<script" not in html


def test_the_workbook_holds_the_same_figures(story, client):
    data = api(client, "/api/regions/nanhai/ranking/", year=2026)
    response = client.get("/regions/nanhai/2026/ranking.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    for s in data["standings"]:
        row = rows[s["name"]]
        assert row[0] == s["rank"]
        assert (None if row[2] is None else Decimal(str(row[2]))) == (
            None if s["completion_rate"] is None else Decimal(s["completion_rate"])
        )
        assert row[10] == s["reports_owed"]


def test_a_name_that_reads_as_a_formula_stays_text_in_the_workbook(story, client):
    # The security probe: names went in as plain cells, not through tracker.spreadsheets.
    Town.objects.filter(slug="danzao").update(name="=HYPERLINK(1)")
    sheet = load_workbook(
        io.BytesIO(client.get("/regions/nanhai/2026/ranking.xlsx").content)
    ).active
    cell = next(
        c
        for (c,) in sheet.iter_rows(min_row=4, min_col=2, max_col=2)
        if "HYPERLINK" in str(c.value)
    )
    assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_a_draft_plan_is_not_ranked_for_those_who_may_not_read_it(story, client):
    Plan.objects.filter(town__slug="danzao", year=2026).update(status="draft")
    towns = by_name(api(client, "/api/regions/nanhai/ranking/", year=2026))
    assert towns["丹灶镇"]["target_count"] == 0
    assert towns["丹灶镇"]["rank"] is None


@pytest.mark.parametrize("n_targets", [1, 60])
def test_ranking_queries_do_not_grow_with_targets(client, n_targets, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.conftest import build_plan

    settings.TRACKER_TODAY = datetime.date(2026, 7, 15)
    plan = build_plan(n_targets, year=2026, with_nodes=True)
    periods_generate(plan=plan)
    region = plan.town.region
    counts = {}
    for key, url in (
        ("api-region", f"/api/regions/{region.slug}/ranking/?year=2026"),
        ("page-region", f"/regions/{region.slug}/2026/ranking/"),
        ("api-town", f"/api/towns/{plan.town.slug}/ranking/?year=2026"),
        ("page-town", f"/towns/{plan.town.slug}/2026/ranking/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[key] = len(queries)
    # API, region: savepoint, the region, the towns below it, the readable plans, the
    # period asked for (none), the rows (the targets' one query, their node schedules,
    # helping departments, sections, periods started, reports and updates for the
    # warnings), the periods due, their reports, the updates recorded directly, release;
    # a town's: the town and its departments instead. The pages add the period menu, the
    # API the data version its cached answers are keyed by (tracker/freshness.py).
    assert counts == EXPECTED_QUERIES


def test_a_town_ranks_its_leaders_in_charge_on_their_targets(story, client):
    targets = list(Target.objects.filter(plan__town__slug="danzao", plan__year=2026).order_by("pk"))
    with transaction.atomic():
        Target.objects.filter(pk__in=[t.pk for t in targets[:3]]).update(leader_name="测试领导甲")
        Target.objects.filter(pk__in=[t.pk for t in targets[3:5]]).update(leader_name="测试领导乙")
        data = api(client, "/api/towns/danzao/ranking/", year=2026, by="leader")
        page = client.get("/towns/danzao/2026/ranking/", {"by": "leader"}).content.decode()
        transaction.set_rollback(True)
    leaders = by_name(data)
    assert leaders["测试领导甲"]["target_count"] == 3
    assert leaders["测试领导乙"]["target_count"] == 2
    assert sum(s["target_count"] for s in data["standings"]) == len(targets)
    assert "测试领导甲" in page
    assert "测试领导乙" in page
    bad = client.get("/api/towns/danzao/ranking/", {"year": 2026, "by": "mood"})
    assert bad.status_code == 400
    assert "by" in bad.json()
