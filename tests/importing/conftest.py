import pytest
from django.contrib.auth.models import Permission

from tests import factories
from tests.extraction.helpers import seed_documents
from tracker.choices import Role

# Each seed document with the town and year it belongs to (DOMAIN.md).
SEED_DOCUMENTS = {
    "000_93c13e1d1dd147af.txt": ("xiqiao", 2022),
    "001_18f84b1008a0098c.txt": ("guicheng", 2022),
    "002_250589f18239bff2.txt": ("danzao", 2020),
    "003_03e3615bb415e432.txt": ("xiqu", 2026),
    "004_8eeb13ace0e617af.txt": ("guicheng", 2021),
}


def document(name: str) -> bytes:
    return next(path for path in seed_documents() if path.name == name).read_bytes()


# The full work plan: sections 一…七 with (一)(二)… items, 39 candidates.
PLAN_NAME = "003_03e3615bb415e432.txt"
PLAN_TEXT = document(PLAN_NAME)

SMALL_TEXT = "一、稳增长\n\n力争引进优质企业8家以上，完成拆除2500亩。\n\n二、惠民生\n\n确保实验室年内开园。\n"


@pytest.fixture
def town(db):
    return factories.TownFactory(name="西区街道", slug="xiqu")


@pytest.fixture
def other_town(db):
    return factories.TownFactory(name="丹灶镇", slug="danzao")


def staff_of(town, role=Role.EDITOR, username=None):
    """A staff user with the tracker's model permissions and one role in one town."""
    user = factories.UserFactory(is_staff=True, **({"username": username} if username else {}))
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    user.memberships.create(town=town, role=role)
    return user


@pytest.fixture
def editor(town):
    return staff_of(town, Role.EDITOR, "editor")


@pytest.fixture
def outsider(other_town):
    """An editor, but of another town."""
    return staff_of(other_town, Role.EDITOR, "outsider")
