"""The admin's site: the menu in the order of work, the landing page's figures, plain numbers."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests import factories
from tracker.admin.dashboard import overview_for
from tracker.admin_site import MENU, menu_group_of
from tracker.choices import Role
from tracker.models import Membership, ProgressUpdate
from tracker.services import progress_record
from tracker.workflow import periods_generate, report_save, report_submit

pytestmark = pytest.mark.django_db
YEAR = 2024
TODAY = datetime.date(YEAR, 7, 10)  # June's reports were due on 5 July


def test_every_admin_screen_has_a_place_in_the_menu():
    unplaced = [
        model._meta.label
        for model in admin.site._registry
        if menu_group_of(model._meta.label) is None
    ]
    assert unplaced == [], "add these screens to a group of tracker.admin_site.MENU"


def test_every_menu_entry_is_a_registered_screen():
    registered = {model._meta.label for model in admin.site._registry}
    named = {label for _name, labels in MENU for label in labels}
    assert named <= registered


def test_the_menu_runs_as_a_month_does_in_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:index")).content.decode()
    groups = re.findall(r'class="section"[^>]*>([^<]+)</a>', page)
    assert groups == ["计划与指标", "填报与审核", "导入", "组织与权限", "审计"]
    # Within a group, the order of work, not the alphabet.
    plans = page.index("/admin/tracker/plan/")
    assert plans < page.index("/admin/tracker/goalsection/") < page.index("/admin/tracker/target/")
    app = client.get("/admin/tracker/").content.decode()
    assert "<title>工作计划" in app


@pytest.fixture
def two_towns():
    """Two towns with an active plan each, monthly periods, and a department leading targets."""
    sides = {}
    for name in ("甲", "乙"):
        town = factories.TownFactory(name=f"{name}镇")
        department = factories.DepartmentFactory(town=town)
        plan = factories.PlanFactory(town=town, year=YEAR)
        section = factories.SectionFactory(plan=plan)
        behind = factories.TargetFactory(section=section, lead_department=department)
        fine = factories.TargetFactory(
            section=section, lead_department=department, title="引进企业", value=Decimal("8")
        )
        periods = periods_generate(plan=plan)
        sides[name] = {
            "town": town, "department": department, "behind": behind, "fine": fine,
            "periods": periods,
        }  # fmt: skip
    return sides


def member(username: str, town, *roles: str):
    user = factories.UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    for role in roles:
        Membership.objects.create(user=user, town=town, role=role)
    return user


def test_the_landing_page_counts_only_the_users_towns(two_towns):
    a = two_towns["甲"]
    editor = member("甲-editor", a["town"], Role.EDITOR, Role.REVIEWER)
    reporter = member("甲-reporter", a["town"], Role.REPORTER)
    # "behind" reported 10 of 2500 亩 for June: settled, but far behind the pace, so red.
    progress_record(target=a["behind"], as_of=datetime.date(YEAR, 6, 30), value=Decimal("10"))
    # "fine"'s June report is submitted: settled, and waiting for the editor's review.
    june = a["periods"][5]
    report = report_save(user=reporter, target=a["fine"], period=june, value=Decimal("8"))
    report_submit(user=reporter, report=report)

    overview = overview_for(editor, TODAY)

    assert [figures.town.name for figures in overview.towns] == ["甲镇"]
    (figures,) = overview.towns
    assert (figures.targets, figures.red, figures.unreported) == (2, 1, 0)
    assert [item.target.pk for item in overview.red] == [a["behind"].pk]
    assert overview.waiting == [report]
    assert overview.waiting_count == 1
    # Both owe July's report (started, due 5 August): due, not overdue.
    assert (overview.due_count, overview.overdue_count) == (2, 0)
    assert {due.chase.period.label for due in overview.due} == {june.label.replace("06", "07")}


def test_the_landing_page_lists_overdue_reports_for_the_reporter(two_towns):
    a = two_towns["甲"]
    reporter = member("甲-reporter", a["town"], Role.REPORTER)
    overview = overview_for(reporter, TODAY)
    assert overview.due_count == 2
    assert overview.overdue_count == 2  # January's report, due on 5 February, never came
    assert {due.chase.target.pk for due in overview.due} == {a["behind"].pk, a["fine"].pk}
    assert all(due.periods == 7 for due in overview.due)  # January to July
    assert not overview.reviews
    assert overview.waiting == []


def test_the_landing_page_renders_in_a_fixed_number_of_queries(
    client, two_towns, django_assert_max_num_queries, settings
):
    settings.TRACKER_TODAY = TODAY
    a = two_towns["甲"]
    editor = member("甲-editor", a["town"], Role.EDITOR, Role.REVIEWER)
    client.force_login(editor)
    client.get(reverse("admin:index"))  # warm the content-type cache
    # session, user, memberships; the rows (values, node schedules, helping departments,
    # sections, and the cycle's periods, reports and updates); the cycle again for what is
    # owed (3); the targets reported on; waiting count and rows; the admin log; the menu's
    # permissions.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("admin:index"))
    for index in range(10):
        factories.TargetFactory(
            section=a["behind"].section, lead_department=a["department"], title=f"指标{index}"
        )
    with django_assert_max_num_queries(21):
        again = client.get(reverse("admin:index"))
    assert response.status_code == again.status_code == 200
    assert "甲镇" in again.content.decode()
    assert "乙镇" not in again.content.decode()


def test_the_target_list_opens_on_the_users_own_town(client, two_towns):
    a, b = two_towns["甲"], two_towns["乙"]
    region_user = factories.UserFactory(username="district", is_staff=True)
    region_user.user_permissions.set(Permission.objects.all())
    Membership.objects.create(user=region_user, region=a["town"].region, role=Role.VIEWER)
    Membership.objects.create(user=region_user, town=a["town"], role=Role.VIEWER)
    Membership.objects.create(user=region_user, region=b["town"].region, role=Role.VIEWER)
    client.force_login(region_user)
    url = reverse("admin:tracker_target_changelist")
    assert client.get(url).context["cl"].result_count == 2  # 甲's own, chosen for them
    assert client.get(url, {"town": "all"}).context["cl"].result_count == 4
    assert client.get(url, {"town": str(b["town"].pk)}).context["cl"].result_count == 2


def test_the_section_filter_is_the_chosen_towns_tree_only(client, two_towns):
    a, b = two_towns["甲"], two_towns["乙"]
    child = factories.SectionFactory(
        plan=a["behind"].plan, parent=a["behind"].section, label="（一）", title="抓项目"
    )
    factories.TargetFactory(section=child, title="子章节指标")
    editor = member("甲-editor", a["town"], Role.EDITOR)
    client.force_login(editor)
    url = reverse("admin:tracker_target_changelist")
    page = client.get(url).content.decode()
    assert "（一）抓项目" in page
    # Another town's sections are not offered, even when its id is asked for.
    factories.SectionFactory(plan=b["behind"].plan, label="二、", title="乙镇的章节")
    assert "乙镇的章节" not in client.get(url, {"town": str(b["town"].pk)}).content.decode()
    # A section keeps the targets of the sections below it.
    top = a["behind"].section
    assert client.get(url, {"section": str(top.pk)}).context["cl"].result_count == 3


def test_no_admin_page_shows_a_number_with_trailing_zeros(client, two_towns):
    a = two_towns["甲"]
    update = progress_record(
        target=a["behind"], as_of=datetime.date(YEAR, 6, 30), value=Decimal("1641.72")
    )
    a["behind"].baseline = Decimal("1200")
    a["behind"].save()
    reporter = member("甲-reporter", a["town"], Role.REPORTER)
    report = report_save(
        user=reporter, target=a["fine"], period=a["periods"][6], value=Decimal("3.5")
    )
    report_submit(user=reporter, report=report)
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    pages = [
        (root, reverse("admin:index")),
        (root, reverse("admin:tracker_target_changelist") + "?town=all"),
        (root, reverse("admin:tracker_target_change", args=[a["behind"].pk])),
        (reporter, reverse("admin:tracker_target_change", args=[a["behind"].pk])),  # read-only
        (root, reverse("admin:tracker_progressupdate_changelist")),
        (root, reverse("admin:tracker_progressupdate_change", args=[update.pk])),  # view only
        (root, reverse("admin:tracker_progressreport_changelist")),
        (root, reverse("admin:tracker_progressreport_change", args=[report.pk])),  # submitted
    ]
    for user, url in pages:
        client.force_login(user)
        page = client.get(url).content.decode()
        # No decimal ends in a zero (the page's viewport "1.0" aside).
        assert re.findall(r"\b\d+\.\d*0\b", page.replace("initial-scale=1.0", "")) == [], url
    client.force_login(root)
    target_page = client.get(pages[2][1]).content.decode()
    assert 'value="2500"' in target_page
    assert "1641.72 亩" in target_page
    client.force_login(reporter)
    assert "1200" in client.get(pages[3][1]).content.decode()
    assert ProgressUpdate.objects.count() == 1
