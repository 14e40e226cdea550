"""The admin in a real browser: a town's staff member's month, at 1,366 px and on a phone.

西区街道's 2026 plan with monthly periods, two departments leading its targets,
and a staff member who edits, reports and reviews there, on 10 July 2026 (June's
reports due on 5 July, so some are overdue). The member signs in, finds what
is due on the landing page, opens the target list (their town chosen for
them), a target's page, enters a month's progress with the keyboard only, and
opens an import's review. Screenshots of each page at 1,366 px and at 390 px
go to test-artifacts/admin-*.png.
"""

import datetime
import re
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import ARTIFACTS
from tracker.choices import Role
from tracker.importing import plan_import_create
from tracker.models import Department, Membership, ProgressUpdate, SourceDocument, Target, Town
from tracker.workflow import report_save, report_submit

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
LISTS = [
    "tracker/target/",
    "tracker/progressupdate/",
    "tracker/progressreport/",
    "tracker/reportingperiod/",
    "tracker/plan/",
    "tracker/goalsection/",
    "tracker/planimport/",
    "tracker/department/",
    "tracker/membership/",
    "tracker/sourcedocument/",
]


@pytest.fixture
def xiqu_month(seeded_site, settings):
    """西区街道 in July 2026: periods, departments leading targets, a report waiting, an import."""
    settings.TRACKER_TODAY = datetime.date(2026, 7, 10)
    call_command("generate_periods", "--town", "xiqu", "--year", "2026")
    town = Town.objects.get(slug="xiqu")
    economy = Department.objects.create(town=town, name="经济发展局")
    office = Department.objects.create(town=town, name="党政办公室")
    targets = list(Target.objects.filter(plan__town=town).order_by("pk"))
    for index, target in enumerate(targets):
        target.lead_department = economy if index % 2 else office
        target.save()
    staff = factories.UserFactory(username="xiqu-staff", is_staff=True)
    for role in (Role.EDITOR, Role.REVIEWER):
        Membership.objects.create(user=staff, town=town, role=role)
    staff.user_permissions.set(Permission.objects.all())
    reporter = factories.UserFactory(username="xiqu-economy")
    Membership.objects.create(user=reporter, town=town, role=Role.REPORTER, department=economy)
    period = targets[1].plan.periods.get(starts_on=datetime.date(2026, 6, 1))
    report = report_save(
        user=reporter, target=targets[1], period=period, value=Decimal("3"), note="六月进度"
    )
    report_submit(user=reporter, report=report)
    document = SourceDocument.objects.filter(plans__town=town).first()
    plan_import = plan_import_create(
        data=document.text.encode(), filename="xiqu-2026.txt", town=town, year=2026, user=staff
    )
    return {"staff": staff, "town": town, "targets": targets, "import": plan_import}


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/?next=/admin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(base + "/admin/")


def no_horizontal_scroll(page) -> bool:
    """Neither the page nor the admin's results table (which scrolls in its own box) is
    wider than the window gives it."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        " && [...document.querySelectorAll('.results')].every("
        "e => e.scrollWidth <= e.clientWidth + 1)"
    )


def external_requests(page, base: str, path: str) -> list[str]:
    """The URLs a page loads from anywhere but this server."""
    ours = urlparse(base).netloc
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return [url for url in seen if urlparse(url).netloc not in (ours, "")]


# A strict policy, as a deployment would send it: nothing inline, nothing from elsewhere.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "frame-ancestors 'none'"
)


def under_strict_csp(page) -> list[str]:
    """Serve the page's HTML with STRICT_CSP; returns the list its violations are logged to.

    The policy is added by the test, so the admin is held to it whatever the
    server sends (main's own CSP header, when it has one, is enforced too).
    """

    def with_policy(route):
        response = route.fetch(max_redirects=0)  # the browser follows redirects itself
        headers = dict(response.headers)
        if headers.get("content-type", "").startswith("text/html"):
            headers["content-security-policy"] = STRICT_CSP
        route.fulfill(response=response, headers=headers)

    page.route("**/*", with_policy)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_staff_find_what_is_due_and_see_their_town(seeded_site, xiqu_month, browser, shoot):
    """Each page at both widths: looked at, nothing from elsewhere, no 2500.0000, no CSP refusal."""
    base, world = seeded_site.url, xiqu_month
    target = world["targets"][1]
    pages = {
        "index": "/admin/",
        "targets": "/admin/tracker/target/",
        "target": f"/admin/tracker/target/{target.pk}/change/",
        "import": f"/admin/tracker/planimport/{world['import'].pk}/change/",
    }
    for size_name, size in (("1366", WIDE), ("390", PHONE)):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.set_default_timeout(15_000)
        refused = under_strict_csp(page)
        sign_in(page, base, "xiqu-staff")
        for name, path in pages.items():
            assert external_requests(page, base, path) == [], name
            body = page.content()
            assert not re.search(r"\d\.\d*0000\b", body), f"{name}: a number with four zeros"
            shoot(page, f"admin-{name}-{size_name}")
            # The first screen as the user sees it (the full pages are tall to look at).
            page.screenshot(path=str(ARTIFACTS / f"admin-{name}-{size_name}-top.png"))
            if name == "import":
                # The review table itself, as the window shows it (the full page is tall).
                page.locator(".inline-group").last.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"admin-import-candidates-{size_name}.png"))
        # The date widget's scripts ran under the policy.
        page.goto(base + pages["target"])
        expect(page.locator(".datetimeshortcuts").first).to_be_visible()
        # The widgets' icons may still be loading through the route: let them end.
        page.unroute_all(behavior="wait")
        context.close()
        assert refused == [], size_name

    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, base, "xiqu-staff")
    # The landing page: the town's figures, June's reports overdue, one report waiting.
    today = page.locator(".pt-today")
    expect(today).to_contain_text("西区街道")
    expect(today.locator(".pt-card").first).to_contain_text("逾期")
    expect(today).to_contain_text("等待我审核")
    # The target list opens on the user's own town.
    page.goto(base + "/admin/tracker/target/")
    expect(page.locator("#changelist-filter")).to_contain_text("西区街道")
    expect(page.locator("#result_list tbody tr")).to_have_count(len(world["targets"]))
    context.close()


def test_no_list_needs_horizontal_scrolling_at_1366(seeded_site, xiqu_month, browser):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(page, seeded_site.url, "xiqu-staff")
    wide = []
    for path in LISTS:
        for query in ("", "?town=all"):
            page.goto(f"{seeded_site.url}/admin/{path}{query}")
            if not no_horizontal_scroll(page):
                wide.append((path + query, page.evaluate("document.documentElement.scrollWidth")))
    context.close()
    assert wide == []


def test_progress_is_entered_with_the_keyboard_and_the_target_corrected(
    seeded_site, xiqu_month, page, shoot
):
    base, target = seeded_site.url, xiqu_month["targets"][0]
    before = ProgressUpdate.objects.filter(target=target).count()
    sign_in(page, base, "xiqu-staff")
    page.goto(f"{base}/admin/tracker/target/{target.pk}/change/")
    # From the top of the page: the first Tab is the skip link past the menu, Enter
    # follows it, and a few Tabs on reach the "enter progress" link; Enter jumps to the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content-start"
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pt-enter-progress":
            break
    else:
        pytest.fail("Tab never reached the link to the progress entry")
    page.keyboard.press("Enter")
    # The form's first field is within two Tabs (past the new form's "remove" link).
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name || ''").endswith("-as_of"):
            break
    else:
        pytest.fail("Tab after the jump did not reach the date of the progress entry")
    page.keyboard.type("2026-06-30")
    while not page.evaluate("document.activeElement.name || ''").endswith("-value"):
        page.keyboard.press("Tab")
    page.keyboard.type("12.5")
    while not page.evaluate("document.activeElement.name || ''").endswith("-note"):
        page.keyboard.press("Tab")
    page.keyboard.type("六月底完成情况")
    while not page.evaluate("document.activeElement.name || ''").endswith("-evidence_url"):
        page.keyboard.press("Tab")
    shoot(page, "admin-progress-entry-1366")
    page.keyboard.press("Enter")  # a form is sent from a one-line field with Enter
    expect(page.locator(".messagelist")).to_contain_text("进度")
    assert ProgressUpdate.objects.filter(target=target).count() == before + 1
    latest = ProgressUpdate.objects.filter(target=target).latest("pk")
    assert (latest.as_of, latest.value, latest.note) == (
        datetime.date(2026, 6, 30),
        Decimal("12.5"),
        "六月底完成情况",
    )

    # Then corrects the target itself on its page: its value shows as written (5, not 5.0000).
    page.goto(f"{base}/admin/tracker/target/{target.pk}/change/")
    value = page.locator("#id_value")
    expect(value).to_have_value(f"{target.value.normalize():f}")
    value.fill("7.5")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    target.refresh_from_db()
    assert target.value == Decimal("7.5")
