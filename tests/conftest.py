"""Fixtures and settings for the whole suite.

The suite is built to be fast and order-proof (README, "Tests"):

- `pytest_configure` compiles the translations and points every file the
  suite writes (uploads, Hypothesis's cache) at a temporary directory, once,
  before any test module is imported or any catalogue is loaded;
- expensive data is built once per module inside a transaction that is rolled
  back when the module ends (`seeded` here, `world` in tests/api and in
  tests/test_admin_matrix.py, `xiqiao` in tests/workflow); each test's own transaction nests inside it,
  as in Django's `setUpTestData`, and gets its own deep copy of the objects;
- fuzzing and browser tests are marked `slow` (`make quick` leaves them out);
- pytest-randomly shuffles the order of modules and of the tests in them on
  every run, and prints the seed that reproduces it (`--randomly-seed=N`;
  `-p no:randomly` for the file order).

Fixtures:

- `staff`: a superuser who enters data in the admin.
- `plan`, `target`, `milestone`: one plan of factory data, with a target or a milestone.
- `seeded`: the five seed documents (`manage.py seed`), loaded once per
  module and rolled back after it. Tests change it freely inside their own
  transaction. Not for transactional tests (`transaction=True`, live_server),
  which commit: they call `seed_load()` themselves.
"""

import copy
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from tests import factories

_SCRATCH: Path | None = None


def pytest_configure(config):
    """Compile the catalogues and keep the suite's files out of the work tree.

    This runs before any test module is imported: a catalogue that Django
    loads before its .mo exists stays untranslated for the rest of the run,
    and which module loads one first depends on the order of the tests.
    """
    global _SCRATCH
    from django.utils.translation import trans_real

    from tracker.management.commands.compile_translations import compile_translations

    if not hasattr(config, "workerinput"):  # xdist workers start after the controller compiled
        compile_translations()
    # Forget any catalogue loaded while Django started (before the .mo existed).
    trans_real._translations = {}
    trans_real._default = None

    _SCRATCH = Path(tempfile.mkdtemp(prefix="plan-tracker-tests-"))
    # Uploads of tests that do not set their own MEDIA_ROOT, and Hypothesis's
    # example database and Unicode tables (.hypothesis/ otherwise).
    # Hashing with the production hasher makes every login slow. Set here, not
    # in a fixture, so that module-scoped fixtures' users are hashed fast too.
    override_settings(
        MEDIA_ROOT=_SCRATCH / "media",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    from hypothesis import configuration

    configuration.set_hypothesis_home_dir(_SCRATCH / "hypothesis")

    # A test's transaction never commits, so the data version's after-commit
    # bump would never run: tests move it at once, inside the transaction.
    from tracker import freshness

    freshness.AFTER_COMMIT = False


def pytest_unconfigure(config):
    if _SCRATCH is not None:
        shutil.rmtree(_SCRATCH, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # Browser tests go last (after pytest-randomly's shuffle, which keeps them
    # in random order among themselves): their chromium is started once per
    # session, and from then on Playwright's event loop lives in this thread.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@contextmanager
def rolled_back(django_db_blocker):
    """A transaction for data shared by a module's tests, rolled back at the end.

    For module-scoped fixtures: each test's transaction (pytest-django's `db`)
    becomes a savepoint inside it and is rolled back to it after the test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def fresh(shared):
    """A deep copy of a module-scoped fixture's objects, for one test.

    Tests change the model instances they are given (then save or refresh
    them); the database is rolled back after each test, the instances would
    not be, so each test gets its own copies (as Django's setUpTestData does).
    """
    return copy.deepcopy(shared)


# Module-scoped fixtures that hold rows in the module's rolled-back transaction.
MODULE_DATA = ("seeded", "_shared_world", "_shared_xiqiao", "_shared_admin_world")


@pytest.fixture(scope="module", autouse=True)
def _module_data(request):
    """Build a module's shared rows before its first test, whichever test that is.

    Once built, the rows are there for every later test of the module, whether
    it asked for them or not; built at the start, they are there for all of its
    tests, in any order, and a test never sees them only sometimes.
    """
    wanted = set()
    for item in request.session.items:
        if getattr(item, "module", None) is request.module:
            wanted.update(name for name in item.fixturenames if name in MODULE_DATA)
    for name in sorted(wanted):
        request.getfixturevalue(name)


@pytest.fixture(autouse=True)
def _read_cache_per_test():
    """Each test starts with an empty cache of read answers (tracker.freshness).

    The data version is rolled back after each test with the rest of the data,
    so the next test's answers would be keyed like the last one's.
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seed data, loaded once per test module (loading takes a second or two)."""
    from tracker.seeding import seed_load

    with rolled_back(django_db_blocker):
        seed_load()
        yield


@pytest.fixture
def staff(db):
    """A superuser who enters data in the admin."""
    return factories.UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def plan(db):
    return factories.PlanFactory()


@pytest.fixture
def target(plan):
    return factories.TargetFactory(section=factories.SectionFactory(plan=plan))


@pytest.fixture
def milestone(plan):
    return factories.MilestoneFactory(section=factories.SectionFactory(plan=plan))


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(autouse=True)
def _english_messages(settings):
    # The interface starts in Chinese (LANGUAGE_CODE zh-hans) and its catalogue
    # is compiled at install, but most tests check messages by their English
    # text: they run in English. Tests of the Chinese pages (tests/reports,
    # tests/browser) set zh-hans themselves.
    settings.LANGUAGE_CODE = "en"
