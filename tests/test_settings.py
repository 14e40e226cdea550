"""Reading DATABASE_URL into Django's DATABASES setting."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
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


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7$kq" + "Zr9!mW2pL" * 6,
    "DJANGO_ALLOWED_HOSTS": "plans.example.gov.cn",
}


def test_deploy_check_passes_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
