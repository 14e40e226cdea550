"""Reading DATABASE_URL into Django's DATABASES setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from planning.settings import database_from_url


def test_postgres_url_is_read_into_its_parts():
    db = database_from_url(
        "postgres://planner:s%40cret@db.example:5433/plan_tracker?sslmode=require"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("plan_tracker", "planner", "s@cret")
    assert (db["HOST"], db["PORT"], db["OPTIONS"]) == ("db.example", "5433", {"sslmode": "require"})


def test_sqlite_url_takes_absolute_and_relative_paths():
    assert database_from_url("sqlite:////var/lib/plans.db")["NAME"] == "/var/lib/plans.db"
    assert database_from_url("sqlite:///plans.db")["NAME"] == "plans.db"


def test_unknown_scheme_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("mysql://root@localhost/plans")
