import pytest
from django.conf import settings

from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Hashing with the production hasher makes every login in a test slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
