"""Browser tests: Playwright (sync API) driving Debian's chromium against the live server.

No browser is ever downloaded: the tests use /usr/bin/chromium (apt-get install
chromium). Without it they skip with a one-line reason, except in CI (CI=true),
where a skipped browser test would hide a broken page: there they fail.

Chromium is started once per session (per xdist worker); each test gets a
new context and page. Browser tests run last (tests/conftest.py sorts them
there) and are marked `slow`.

Screenshots go outside the work tree, to $TEST_ARTIFACTS or else
<temp dir>/plan-tracker-artifacts-<checkout folder>/; the path is printed at
the end of a run that took any.
"""

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tracker.seeding import seed_load

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS")
    or Path(tempfile.gettempdir()) / f"plan-tracker-artifacts-{Path(settings.BASE_DIR).name}"
)
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium) - browser tests not run"
        if _in_ci():
            pytest.fail(f"{reason}; CI must run them", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django then
    # refuses ORM calls from it (in fixtures and assertions) unless told that
    # this is deliberate. From the first browser test to the end of the
    # session, which holds browser tests only (they run last).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            yield launched
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def seeded_site(live_server, settings):
    """The live server with the seed data, in Chinese (the default)."""
    settings.LANGUAGE_CODE = "zh-hans"
    seed_load()
    return live_server


@pytest.fixture
def shoot():
    """Save a full-page screenshot as ARTIFACTS/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, **options) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, **options)
        return path

    return save


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.is_dir() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {ARTIFACTS}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Every browser test is slow, whether its module says so or not: `make quick`
    # (-m "not slow", applied after this hook) leaves them all out.
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
