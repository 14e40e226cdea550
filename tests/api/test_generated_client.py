"""A typed client generated from the live schema does a reporting client's whole job.

openapi-python-client (the dev extra) generates a Python package from
/api/schema/ as served in Chinese, the interface's first language, into a
temporary folder: with no warning at all, since a warning means an operation
or a response left out of the client. The client then talks to the app over
httpx's WSGI transport, inside the test's transaction, with the strictness a
careful client would choose (an undocumented status raises), and does what a
district's statistics script does: list a town-year's targets with filters,
report progress in a town that records it at once and in one that reviews it,
retry with the same key, send a conflicting body, read the summary, the
rollup and a target's history, and download CSV and XLSX.

Generating takes a few seconds and a subprocess: the module is marked slow.
"""

import datetime
import importlib
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import openpyxl
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tracker.workflow import period_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PACKAGE = "plan_tracker_client"
BASE_URL = "http://testserver"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_setup, django_db_blocker):
    """The generated package, imported, and what the generator printed."""
    folder = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    (folder / "schema.json").write_bytes(response.content)
    # No post-generation hooks: formatting the code with ruff is for humans.
    (folder / "config.yaml").write_text("post_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    run = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            "schema.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = (run.stdout + run.stderr).strip()
    print(f"\nopenapi-python-client: {output}")
    assert run.returncode == 0, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def transport(settings):
    # A request finishing in the test's thread must not close the connection
    # that holds the test's transaction (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from planning.wsgi import application

    yield httpx.WSGITransport(app=application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api(generated, transport, world):
    """The generated package, and clients for the world's users: client("reporter_a")."""
    package, _output = generated

    def client(actor: str | None = None):
        options = {"raise_on_unexpected_status": True, "httpx_args": {"transport": transport}}
        if actor is None:
            return package.Client(base_url=BASE_URL, **options)
        key = Token.objects.get_or_create(user=world.users[actor])[0].key
        # The generator's default prefix, "Bearer", which the API accepts beside "Token".
        return package.AuthenticatedClient(base_url=BASE_URL, token=key, **options)

    package.connect = client
    return package


def call(module_name: str, *args, **kwargs):
    """Call an operation by module name (`targets.targets_list`); the detailed response."""
    group, operation = module_name.split(".")
    module = importlib.import_module(f"{PACKAGE}.api.{group}.{operation}")
    return module.sync_detailed(*args, **kwargs)


def test_the_client_is_generated_from_the_chinese_schema_without_warnings(generated):
    package, output = generated
    assert output == f"Generating {PACKAGE}"  # and no warning
    # English names, whatever the language the schema was read in.
    from plan_tracker_client.models import TargetsListKind, TargetsListStatus

    assert TargetsListKind.QUANTITATIVE.value == "quantitative"
    assert "BEHIND" in TargetsListStatus.__members__
    assert hasattr(package, "AuthenticatedClient")


def test_lists_a_town_year_s_targets_with_filters(api, world):
    from plan_tracker_client.models import FieldErrors, TargetsListKind

    region_viewer = api.connect("region_viewer")
    page = call(
        "targets.targets_list",
        client=region_viewer,
        town="xiqiao",
        year=2024,
        kind=TargetsListKind.QUANTITATIVE,
        page_size=10,
    ).parsed
    assert (page.count, [row.id for row in page.results]) == (1, [world.target_a.pk])
    assert page.results[0].town.slug == "xiqiao"
    # Anonymous: the public plan's targets, and not the draft's.
    anonymous = api.connect()
    assert call("targets.targets_list", client=anonymous, town="guicheng").parsed.count == 1
    assert call("targets.targets_list", client=anonymous, town="xiqiao").parsed.count == 0
    # A town that does not exist is a 400 naming the filter, parsed as FieldErrors.
    bad = call("targets.targets_list", client=anonymous, town="atlantis")
    assert bad.status_code == 400
    assert isinstance(bad.parsed, FieldErrors)
    assert "town" in bad.parsed.additional_properties


def test_reports_progress_where_it_counts_at_once_retries_and_conflicts(api, world):
    from plan_tracker_client.models import KeyReused, ProgressUpdate, ProgressUpdateRequest

    reporter = api.connect("reporter_a")  # town A records its reporters' progress at once
    body = ProgressUpdateRequest(
        target=world.target_a.pk, as_of=datetime.date(2024, 9, 30), value="2100.00"
    )
    first = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="xiqiao-2024-09",
    )
    assert first.status_code == 201
    assert isinstance(first.parsed, ProgressUpdate)
    assert first.parsed.reported_by == "reporter_a"

    again = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="xiqiao-2024-09",
    )
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert isinstance(again.parsed, ProgressUpdate)
    assert again.parsed.id == first.parsed.id

    body.value = "2200.00"
    conflict = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="xiqiao-2024-09",
    )
    assert conflict.status_code == 422
    assert isinstance(conflict.parsed, KeyReused)
    assert conflict.parsed.client_key

    history = call("targets.targets_history_retrieve", world.target_a.pk, client=reporter).parsed
    assert Decimal(history.points[-1].value) == Decimal("2100")
    assert history.points[-1].update == first.parsed.id


def test_reports_progress_where_it_is_reviewed_retries_and_conflicts(api, world):
    from plan_tracker_client.models import Error, ProgressUpdateRequest, Report

    assert world.town_b.review_required
    period_create(
        plan=world.plan_b,
        label="2024-09",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 9, 30),
        due_on=datetime.date(2024, 10, 5),
    )
    reporter = api.connect("reporter_b")
    body = ProgressUpdateRequest(
        target=world.target_b.pk, as_of=datetime.date(2024, 9, 30), value="900.00"
    )
    held = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="guicheng-2024-09",
    )
    assert held.status_code == 202
    assert isinstance(held.parsed, Report)
    assert (held.parsed.state, Decimal(held.parsed.value)) == ("submitted", Decimal("900"))

    again = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="guicheng-2024-09",
    )
    assert again.status_code == 200
    assert isinstance(again.parsed, Report)
    assert again.parsed.id == held.parsed.id

    body.value = "950.00"
    conflict = call(
        "progress_updates.progress_updates_create",
        client=reporter,
        body=body,
        idempotency_key="guicheng-2024-09b",
    )
    assert conflict.status_code == 409
    assert isinstance(conflict.parsed, Error)
    assert conflict.parsed.detail


def test_reads_the_summary_and_the_rollup_and_downloads_csv_and_xlsx(api, world):
    from plan_tracker_client.models import PlanSummary, RegionRollupPage

    anonymous = api.connect()
    summary = call("plans.plans_summary_retrieve", world.plan_b.pk, client=anonymous).parsed
    assert isinstance(summary, PlanSummary)
    assert (summary.plan.id, summary.target_count) == (world.plan_b.pk, 1)
    rollup = call("regions.regions_rollup_retrieve", "nanhai", client=anonymous, year=2024).parsed
    assert isinstance(rollup, RegionRollupPage)  # the towns, and a page of like targets
    assert "桂城街道" in {row.town.name for row in rollup.towns}

    viewer = api.connect("region_viewer")
    csv = call("targets.targets_export_csv", client=viewer, region="nanhai", year=2024)
    assert csv.status_code == 200
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert len(csv.parsed.lstrip("\ufeff").splitlines()) == 3  # a header and two targets

    xlsx = call("targets.targets_export_xlsx", client=viewer, region="nanhai", year=2024)
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.parsed.payload.read()))
    assert workbook.active.max_row == 3
