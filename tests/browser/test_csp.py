"""The pages under the Content-Security-Policy in a real browser (issue 15, finding 8).

tests/test_csp.py checks the HTML against the header; here chromium enforces
it: no page may log a CSP violation, and the parts that once relied on
inline code still work: the admin's progress bars, the import's review page
and the API's interactive docs.
"""

import pytest
from playwright.sync_api import expect

from tests import factories
from tracker.models import Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def test_pages_keep_to_the_policy_in_a_browser(seeded_site, page, shoot):
    base = seeded_site.url
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    target = Target.objects.filter(latest_update__isnull=False).select_related("plan__town").first()
    violations = watch_violations(page)

    for path in (
        "/",
        f"/towns/{target.plan.town.slug}/{target.plan.year}/",
        f"/targets/{target.pk}/",
    ):
        page.goto(base + path)
        expect(page.locator("main")).to_be_visible()

    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(base + "/admin/tracker/target/")
    bar = page.locator(".pt-progress progress").first
    expect(bar).to_be_visible()
    assert bar.bounding_box()["width"] == pytest.approx(72, abs=1)  # styled by admin.css
    shoot(page, "csp-admin-targets")

    page.goto(base + "/admin/tracker/planimport/add/")
    expect(page.locator("form[enctype='multipart/form-data']")).to_be_visible()

    page.goto(base + "/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # the UI started from its file
    shoot(page, "csp-api-docs")

    assert violations == []
