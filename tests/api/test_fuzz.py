"""Bad input, fuzzed: schemathesis generates requests from the OpenAPI schema for every operation.

In process, against the WSGI application (planning.wsgi) inside the test's
transaction, on the seeded data; once as an anonymous client and once as a
reporter of 西区街道 (whose 2026 plan is active). Bounded and repeatable:
MAX_EXAMPLES cases per operation and kind of data, derandomized (the same
cases every run), no deadline, no example database.

Each case is checked for: no server error, a status code the schema lists for
the operation, a Content-Type it lists, and a body and headers that match it.
Half of the cases of an operation on one object point at a real one (the
seeded targets, sections, plans, departments and updates), and so do the
foreign keys of half the request bodies, so that the fuzzing reaches past the
404s and "does not exist" errors into the validation and the services.

Every failure is collected, with the curl command that reproduces it, and the
test fails listing them all; the counts are printed (`pytest -s`).

Against a running server, the same checks from the command line: see the
README ("Bad input, fuzzed").
"""

import random
import tempfile
from collections import Counter
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import UserFactory
from tracker.choices import Role, TargetKind
from tracker.models import Department, GoalSection, Membership, Plan, ProgressUpdate, Target, Town
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db

# Hypothesis keeps its caches (Unicode tables, the constants of our modules) in
# ./.hypothesis, the work tree, unless told otherwise; it has no example database here.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "plan-tracker-hypothesis")

MAX_EXAMPLES = 12  # per operation, for valid data and again for invalid data
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
REPORTER = "xiqu-fuzz"


@pytest.fixture
def in_process(settings):
    # Django's test client does the same: a request finishing in the test's
    # thread must not close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # The write limit is the throttling tests' subject; here it would turn the
    # later writes into 429s that test nothing else.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"write": "100000/minute", "token": "100000/minute"},
    }
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(in_process) -> dict[str, list[int]]:
    """The seed data, a reporter of 西区街道, and the ids of real objects by parameter name."""
    seed_load()
    xiqu = Town.objects.get(slug="xiqu")
    # Progress counts at once, without reporting periods and review, so that
    # the fuzzed updates can reach the database.
    xiqu.review_required = False
    xiqu.save()
    reporter = UserFactory(username=REPORTER)
    Membership.objects.create(user=reporter, town=xiqu, role=Role.REPORTER)
    xiqu_targets = list(
        Target.objects.filter(plan__town__slug="xiqu", kind=TargetKind.QUANTITATIVE).values_list(
            "pk", flat=True
        )
    )
    return {
        "token": Token.objects.create(user=reporter).key,
        "target": xiqu_targets,
        "targets": list(Target.objects.values_list("pk", flat=True)),
        "sections": list(GoalSection.objects.values_list("pk", flat=True)),
        "plans": list(Plan.objects.values_list("pk", flat=True)),
        "departments": list(Department.objects.values_list("pk", flat=True)),
        "progress-updates": list(ProgressUpdate.objects.values_list("pk", flat=True)),
        "towns": list(Town.objects.values_list("slug", flat=True)),
        "regions": ["nanhai", "foshan", "zhongshan", "guangdong"],
    }


def load_schema():
    from planning.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def real_id(operation, known: dict) -> list:
    """The real objects a detail path of this operation can point at."""
    resource = operation.path.removeprefix("/api/").split("/", 1)[0]
    return known.get(resource, [])


# Request-body fields that name another object, and the ids to put in them.
BODY_REFERENCES = {
    "target": "target",
    "section": "sections",
    "plan": "plans",
    "parent": "sections",
    "lead_department": "departments",
    "corrects": "progress-updates",
}


def anchor(case, choice: random.Random, known: dict) -> None:
    """Point the case at real objects: its path's id and its body's foreign keys."""
    path_ids = real_id(case.operation, known)
    for name in list(case.path_parameters or {}):
        if path_ids:
            case.path_parameters[name] = choice.choice(path_ids)
    bodies = case.body if isinstance(case.body, list) else [case.body]
    for body in bodies:
        if isinstance(body, dict):
            for field, resource in BODY_REFERENCES.items():
                if field in body and known.get(resource):
                    body[field] = choice.choice(known[resource])
            if "as_of" in body:
                # A progress update the reporter may record: a date within
                # 西区街道's plan year and not in the future, a value for a
                # quantitative target, and nothing that must match another row.
                body["as_of"] = choice.choice(["2026-01-31", "2026-03-31", "2026-06-30"])
                for name in ("corrects", "source_document", "quote", "milestone_done"):
                    body.pop(name, None)
                if not isinstance(body.get("value"), str):
                    body["value"] = "1.5"
                for name in [name for name, value in body.items() if value is None]:
                    del body[name]  # a form (urlencoded or multipart) cannot say null


def fuzz(schema, known: dict, headers: dict) -> tuple[Counter, list[tuple[str, str]]]:
    """Run every operation's cases; (cases per operation and per status, failure reports)."""
    cases: Counter = Counter()
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, known, headers, cases, failures)()
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (GET /api/ takes no input).
                assert mode == GenerationMode.NEGATIVE, operation.label
    return cases, list(failures.items())


def fuzz_operation(operation, mode, known, headers, cases: Counter, failures: dict):
    """A Hypothesis test of one operation with one kind of data (valid or not)."""
    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), seed=st.integers(0, 2**16))
    def run(case, seed):
        choice = random.Random(seed)
        if choice.random() < 0.5:
            anchor(case, choice, known)
        cases[label] += 1
        try:
            response = case.call(headers=headers)
            cases[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(f"{label} [{mode.value}] {failure.title}", str(group))

    return run


@pytest.mark.parametrize("who", ["anonymous", "reporter"])
def test_fuzzed_requests_get_no_server_error_and_conform_to_the_schema(seeded, who):
    schema = load_schema()
    headers = {"Authorization": f"Token {seeded['token']}"} if who == "reporter" else {}

    cases, failures = fuzz(schema, seeded, headers)

    operations = {label: n for label, n in cases.items() if isinstance(label, str)}
    statuses = {code: n for code, n in cases.items() if isinstance(code, int)}
    print(f"\n{who}: {sum(operations.values())} cases over {len(operations)} operations")
    print("  statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
    assert len(operations) >= 30, "every operation of the schema was fuzzed"
    assert statuses.get(200, 0) > 100, "the cases reach real objects, not only 404s and 400s"
    assert not failures, "\n\n".join(f"{key}\n{report}" for key, report in failures)


# --- what the fuzzing found, kept from coming back ------------------------------------


def test_a_url_no_route_matches_under_api_is_a_json_404(world, client):
    # An id with a slash in it matched no route: Django's HTML page answered.
    response = client.get("/api/targets/1/no/such/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    # The report pages keep their HTML page.
    assert client.get("/no/such/page/")["Content-Type"].startswith("text/html")


def test_a_page_past_the_end_of_a_list_is_a_documented_404(world, client):
    response = client.get("/api/departments/?page=280")
    assert response.status_code == 404
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/departments/", "/api/targets/", "/api/plans/", "/api/progress-updates/"):
        assert "404" in schema["paths"][path]["get"]["responses"], path


def test_a_document_without_a_url_is_described_by_the_schema(world, client):
    # Plans and targets showed a source document's empty URL (""), which the
    # schema declared a "uri".
    schema = client.get("/api/schema/?format=json").json()
    url = schema["components"]["schemas"]["SourceDocumentRef"]["properties"]["url"]
    validator = jsonschema_rs.Draft4Validator(url, validate_formats=True)
    assert validator.is_valid("")
    assert validator.is_valid("https://www.nanhai.gov.cn/plan.html")
    assert not validator.is_valid(3)
