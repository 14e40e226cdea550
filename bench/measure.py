"""In-process latency of our endpoints beside their floor and baseline, at each data size.

Run by bench/run.py in a process of its own (DJANGO_SETTINGS_MODULE=bench.settings);
it prints one JSON document. Requests go through Django's test Client: the
real URLconf, middleware and views, without a socket. Each size keeps its own
open connection, and for each endpoint every size's three variants (floor,
baseline, ours) take turns request by request, so a neighbour's load falls on
all of them alike: the ratios between variants and the growth between sizes
stay fair on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

# whitenoise looks for collected static files, which the benchmark does not collect.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

import psycopg  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import floor  # noqa: E402
from tracker.models import Plan, Target  # noqa: E402

TOWN = "demo-town-0"
REGION = "demo-district-0"  # towns 0-11: the same rows at every size
# The request's transaction (ATOMIC_REQUESTS) is not counted as queries.
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK"}


@dataclass(frozen=True)
class Params:
    town: str
    region: str
    year: int
    plan: int
    target: int


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    ours: Callable[[Params], str]
    baseline: Callable[[Params], str]
    floor: Callable[[floor.Floor, Params], None]
    expect: Callable[[bytes], bool]


def _json_results(n: int) -> Callable[[bytes], bool]:
    return lambda body: len(json.loads(body)["results"]) == n


CASES = [
    Case(
        "target_list_50",
        "Target list, a town-year, page of 50",
        lambda p: f"/api/targets/?town={p.town}&year={p.year}",
        lambda p: f"/bench/baseline/targets/?town={p.town}&year={p.year}",
        lambda db, p: floor.target_list(db, p.town, p.year, 50),
        _json_results(50),
    ),
    Case(
        "target_list_100",
        "Target list, a town-year, page of 100",
        lambda p: f"/api/targets/?town={p.town}&year={p.year}&page_size=100",
        lambda p: f"/bench/baseline/targets/?town={p.town}&year={p.year}&page_size=100",
        lambda db, p: floor.target_list(db, p.town, p.year, 100),
        _json_results(100),
    ),
    Case(
        "plan_summary",
        "Plan summary (210 targets, 32 sections)",
        lambda p: f"/api/plans/{p.plan}/summary/",
        lambda p: f"/bench/baseline/plans/{p.plan}/summary/",
        lambda db, p: floor.plan_summary(db, p.plan),
        lambda body: json.loads(body)["target_count"] == 210,
    ),
    Case(
        "region_rollup",
        "Region rollup (12 towns, 2,520 targets)",
        lambda p: f"/api/regions/{p.region}/rollup/?year={p.year}",
        lambda p: f"/bench/baseline/regions/{p.region}/rollup/?year={p.year}",
        lambda db, p: floor.region_rollup(db, p.region, p.year),
        lambda body: len(json.loads(body)["towns"]) == 12,
    ),
    Case(
        "target_history",
        "A target's history",
        lambda p: f"/api/targets/{p.target}/history/",
        lambda p: f"/bench/baseline/targets/{p.target}/history/",
        lambda db, p: floor.target_history(db, p.target),
        lambda body: len(json.loads(body)["points"]) >= 1,
    ),
    Case(
        "plan_page",
        "Town plan report page (210 targets)",
        lambda p: f"/towns/{p.town}/{p.year}/",
        lambda p: f"/bench/baseline/towns/{p.town}/{p.year}/",
        lambda db, p: floor.plan_page(db, p.town, p.year),
        lambda body: body.count(b'class="target ') == 210,
    ),
    Case(
        "export_csv",
        "CSV export of 5,040 targets",
        lambda p: f"/api/targets/export.csv?region={p.region}",
        lambda p: f"/bench/baseline/export/?region={p.region}",
        lambda db, p: floor.export(db, p.region),
        lambda body: body.count(b"\n") == 5041,
    ),
]


def params() -> Params:
    plan = Plan.objects.filter(town__slug=TOWN).order_by("-year").first()
    target = Target.objects.filter(plan=plan).order_by("id").first()
    return Params(town=TOWN, region=REGION, year=plan.year, plan=plan.pk, target=target.pk)


def connection_to(url: str):
    """A Django connection to the database of `url`, as the default connection's settings
    otherwise configure it (each size keeps its own, open, connection)."""
    default = connections["default"]
    return default.__class__({**default.settings_dict, "NAME": url.rsplit("/", 1)[1]}, "default")


def use(wrapper) -> None:
    """Make `wrapper` the default connection: the app, the test client and
    `django.db.connection` all look it up on each use."""
    connections["default"] = wrapper


def fetch(client: Client, url: str) -> bytes:
    """The body of a GET (a streamed one read to the end); anything but a 200 stops the run."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {body[:300]!r}")
    return body


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", required=True, help="size=database_url,...")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.5, help="per case and round")
    parser.add_argument("--only", default="", help="case keys, comma-separated")
    args = parser.parse_args()

    databases = dict(item.split("=", 1) for item in args.databases.split(","))
    cases = [c for c in CASES if not args.only or c.key in args.only.split(",")]
    floors = {
        size: floor.Floor(psycopg.connect(url, autocommit=True)) for size, url in databases.items()
    }
    client = Client()
    samples: dict[tuple[str, str, str], list[float]] = {}
    queries: dict[tuple[str, str, str], int] = {}
    wrappers = {size: connection_to(url) for size, url in databases.items()}
    size_params: dict[str, Params] = {}
    for size, wrapper in wrappers.items():
        use(wrapper)
        size_params[size] = params()

    for round_number in range(args.rounds):
        for case in cases:
            # Every size's floor, baseline and ours take turns request by request, so
            # that a neighbour's load falls on each alike: the ratios between variants
            # and the growth between sizes come from interleaved samples.
            variants: dict[tuple[str, str], tuple[object, Callable[[], object]]] = {}
            for size, wrapper in wrappers.items():
                use(wrapper)
                p, db = size_params[size], floors[size]
                ours, baseline = case.ours(p), case.baseline(p)
                # Warm up, check the answer, and count the queries (first round only).
                if not case.expect(fetch(client, ours)):
                    raise SystemExit(f"{case.key} at {size}: unexpected answer")
                variants[(size, "floor")] = (None, lambda case=case, db=db, p=p: case.floor(db, p))
                variants[(size, "baseline")] = (wrapper, lambda u=baseline: fetch(client, u))
                variants[(size, "ours")] = (wrapper, lambda u=ours: fetch(client, u))
                if round_number == 0:
                    for name in ("baseline", "ours"):
                        with CaptureQueriesContext(connection) as captured:
                            variants[(size, name)][1]()
                        queries[(size, case.key, name)] = sum(
                            1 for q in captured.captured_queries if q["sql"] not in TRANSACTION
                        )
                    before = db.statements
                    variants[(size, "floor")][1]()
                    queries[(size, case.key, "floor")] = db.statements - before
            started = time.perf_counter()
            for wrapper, fn in variants.values():
                if wrapper is not None:
                    use(wrapper)
                fn()
            per_set = time.perf_counter() - started
            n = max(5, min(60, int(args.seconds / max(per_set, 1e-6))))
            order = list(variants)
            gc.collect()
            for i in range(n):
                turn = i % len(order)
                for key in order[turn:] + order[:turn]:
                    wrapper, fn = variants[key]
                    if wrapper is not None:
                        use(wrapper)
                    started = time.perf_counter()
                    fn()
                    elapsed = time.perf_counter() - started
                    samples.setdefault((key[0], case.key, key[1]), []).append(elapsed)
        print(f"round {round_number + 1}: done", file=sys.stderr, flush=True)

    results = []
    for (size, key, name), values in samples.items():
        results.append(
            {
                "size": size,
                "case": key,
                "variant": name,
                "n": len(values),
                "median_ms": statistics.median(values) * 1000,
                "p95_ms": percentile(values, 0.95) * 1000,
                "queries": queries[(size, key, name)],
            }
        )
    labels = {case.key: case.label for case in cases}
    print(json.dumps({"results": results, "labels": labels}))


if __name__ == "__main__":
    main()
