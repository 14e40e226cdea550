"""Load test: gunicorn on loopback, 50 clients for 60 s, mixed reads and progress writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py

What it does, bounded in time, against 127.0.0.1 only:

1. creates a PostgreSQL database (`plan_tracker_load` on the server DATABASE_URL
   names; dropped at the end, and first if a failed run left it), migrates it,
   seeds it, makes a few reporters of 西区街道 (whose 2026 plan is active) with
   `create_reporter`, lets that town's progress count without review by
   period, and creates the cache table;
2. starts gunicorn on a free port of 127.0.0.1, configured as in production
   (DJANGO_DEBUG=0, a shared database cache for the rate limits), except that
   the write limit TRACKER_API_WRITE_RATE is raised to 100000/minute: 50 clients
   on 5 tokens write far more than a town's reporters would (the limit itself
   is tested in tests/api/test_throttling.py);
3. runs the clients (asyncio + httpx) for the duration: each loops over a mix of
   the target list of a town's plan, the plan's summary, one target, and a
   progress update (POST /api/progress-updates/ with a unique Idempotency-Key);
4. stops gunicorn, counts the updates in tracker_progressupdate carrying this
   run's keys, and prints a table.

It fails (exit status 1) on any error (a status of 500 or more, an unexpected
status, a connection error or timeout) or if the writes acknowledged with 201
are not exactly the rows found.
"""

import argparse
import asyncio
import datetime
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOWN, YEAR = "xiqu", 2026
REPORTERS = 5
LOAD_DB = "plan_tracker_load"
HOST = "127.0.0.1"  # the only address this script talks to

# The mix of requests: (name, weight).
MIX = [("targets", 35), ("summary", 20), ("target", 25), ("write", 20)]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    errors: list[str] = field(default_factory=list)
    writes_sent: int = 0
    writes_acked: int = 0


def server_url(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("DATABASE_URL must be a postgres:// URL (the load test needs PostgreSQL)")
    if parts.hostname not in {"127.0.0.1", "localhost", "::1", None, ""}:
        sys.exit("DATABASE_URL must point at this machine")
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(database_url: str, statement: str) -> None:
    with psycopg.connect(server_url(database_url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        timeout=600,
    )
    return result.stdout.strip() if capture else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> list[str]:
    """Migrate, seed, create the cache table and the reporters; their tokens."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "seed")
    # Progress counts at once, as in a town that does not review it by period:
    # where a town reviews progress, a reporter's update is held as a report
    # (202) and is not a row of tracker_progressupdate until approved.
    manage(
        env,
        "shell",
        "-c",
        f"from tracker.models import Town; town = Town.objects.get(slug={TOWN!r}); "
        "town.review_required = False; town.save()",
    )
    return [
        manage(env, "create_reporter", f"load-{n}", "--town", TOWN, capture=True)
        for n in range(REPORTERS)
    ]


def world(url: str) -> tuple[int, list[int], list[int]]:
    """The plan's id, its target ids, and its quantitative target ids (for writes)."""
    with psycopg.connect(url) as connection:
        (plan,) = connection.execute(
            "SELECT p.id FROM tracker_plan p JOIN tracker_town t ON t.id = p.town_id"
            " WHERE t.slug = %s AND p.year = %s",
            (TOWN, YEAR),
        ).fetchone()
        rows = connection.execute(
            "SELECT id, kind, is_growth FROM tracker_target WHERE plan_id = %s", (plan,)
        ).fetchall()
    targets = [pk for pk, _kind, _growth in rows]
    quantitative = [pk for pk, kind, _growth in rows if kind == "quantitative"]
    return plan, targets, quantitative


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "planning.wsgi",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start in 30 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: gunicorn and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def client(
    number: int,
    base: str,
    tokens: list[str],
    plan: int,
    targets: list[int],
    writable: list[int],
    run_key: str,
    deadline: float,
    tally: Tally,
) -> None:
    chooser = random.Random(number)
    names, weights = zip(*MIX, strict=True)
    headers = {"Authorization": f"Token {tokens[number % len(tokens)]}"}
    # The server refuses dates after its own today (Asia/Shanghai); stay a day behind.
    today = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date() - datetime.timedelta(days=1)
    start = datetime.date(YEAR, 1, 1)
    days = max((min(today, datetime.date(YEAR, 12, 31)) - start).days, 0)
    sent = 0
    # A new connection per request, as from a reverse proxy (nginx speaks HTTP/1.0
    # to its upstream by default): kept-alive connections would each stay with the
    # gunicorn worker that accepted them, however busy it is.
    no_keep_alive = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=30, limits=no_keep_alive
    ) as http:
        while time.monotonic() < deadline:
            name = chooser.choices(names, weights)[0]
            expected = 200
            if name == "targets":
                request = http.build_request(
                    "GET", "/api/targets/", params={"plan": plan, "page_size": 50}
                )
            elif name == "summary":
                request = http.build_request("GET", f"/api/plans/{plan}/summary/")
            elif name == "target":
                request = http.build_request("GET", f"/api/targets/{chooser.choice(targets)}/")
            else:
                sent += 1
                as_of = start + datetime.timedelta(days=chooser.randint(0, days))
                request = http.build_request(
                    "POST",
                    "/api/progress-updates/",
                    json={
                        "target": chooser.choice(writable),
                        "as_of": as_of.isoformat(),
                        "value": f"{chooser.randint(0, 10**6)}.{chooser.randint(0, 99):02d}",
                        "note": "负载测试",
                    },
                    headers={"Idempotency-Key": f"{run_key}-{number}-{sent}"},
                )
                tally.writes_sent += 1
                expected = 201
            began = time.perf_counter()
            try:
                response = await http.send(request)
            except httpx.HTTPError as error:
                tally.errors.append(f"{name}: {type(error).__name__}: {error}")
                continue
            tally.latencies[name].append(time.perf_counter() - began)
            tally.statuses[name][response.status_code] += 1
            if response.status_code == expected:
                if name == "write":
                    tally.writes_acked += 1
            else:
                tally.errors.append(f"{name}: {response.status_code} {response.text[:200]}")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(tally: Tally, elapsed: float, found: int, args) -> str:
    lines = [
        f"{args.clients} clients for {elapsed:.1f} s against gunicorn "
        f"({args.workers} workers x {args.threads} threads) on {HOST}, PostgreSQL",
        "",
        f"{'request':<10} {'count':>7} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses",
    ]
    everything: list[float] = []
    for name, _weight in MIX:
        values = tally.latencies[name]
        everything += values
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses[name].items()))
        lines.append(
            f"{name:<10} {len(values):>7} {len(values) / elapsed:>7.1f} "
            f"{percentile(values, 0.5) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f} "
            f"{max(values, default=0) * 1000:>8.1f}  {statuses}"
        )
    lines.append(
        f"{'all':<10} {len(everything):>7} {len(everything) / elapsed:>7.1f} "
        f"{percentile(everything, 0.5) * 1000:>8.1f} {percentile(everything, 0.95) * 1000:>8.1f} "
        f"{max(everything, default=0) * 1000:>8.1f}"
    )
    lines += [
        "",
        f"errors: {len(tally.errors)}",
        f"writes: sent {tally.writes_sent}, acknowledged (201) {tally.writes_acked}, "
        f"found in tracker_progressupdate {found}",
    ]
    if tally.errors:
        lines += ["", "first errors:", *tally.errors[:10]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not 0 < args.duration <= 600 or not 0 < args.clients <= 500:
        sys.exit("at most 600 s and 500 clients")

    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    load_url = server_url(database_url, LOAD_DB)
    env = {
        **os.environ,
        "DATABASE_URL": load_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; TLS is the proxy's
        "DJANGO_CACHE_URL": "db://tracker_cache",
        "TRACKER_API_WRITE_RATE": "100000/minute",
    }
    admin_sql(database_url, f"DROP DATABASE IF EXISTS {LOAD_DB} WITH (FORCE)")
    admin_sql(database_url, f"CREATE DATABASE {LOAD_DB}")
    server = None
    try:
        print(f"preparing {LOAD_DB}: migrate, seed, {REPORTERS} reporters ...", flush=True)
        tokens = prepare(env)
        plan, targets, writable = world(load_url)
        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads)
        run_key = f"load-{uuid.uuid4().hex[:12]}"
        tally = Tally()
        print(f"{args.clients} clients for {args.duration:.0f} s on {HOST}:{port} ...", flush=True)

        async def warm_up() -> None:
            # Each worker imports the views on its first request (seconds, here):
            # a few rounds of reads first, so the figures are of a warm server.
            async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60) as http:
                for _round in range(3):
                    responses = await asyncio.gather(
                        *(
                            http.get("/api/targets/", params={"plan": plan})
                            for _ in range(args.workers * args.threads)
                        )
                    )
                    bad = [r.status_code for r in responses if r.status_code != 200]
                    if bad:
                        sys.exit(f"warm-up requests failed: {bad}")

        async def run() -> float:
            await warm_up()
            began = time.monotonic()
            deadline = began + args.duration
            await asyncio.gather(
                *(
                    client(n, f"http://{HOST}:{port}", tokens, plan, targets, writable,
                           run_key, deadline, tally)
                    for n in range(args.clients)
                )
            )  # fmt: skip
            return time.monotonic() - began

        elapsed = asyncio.run(run())
        stop(server)
        with psycopg.connect(load_url) as connection:
            (found,) = connection.execute(
                "SELECT count(*) FROM tracker_progressupdate WHERE client_key LIKE %s",
                (f"{run_key}-%",),
            ).fetchone()
        print()
        print(report(tally, elapsed, found, args))
        ok = not tally.errors and tally.writes_acked == found
        print("\nOK" if ok else "\nFAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            stop(server)
        if not args.keep:
            admin_sql(database_url, f"DROP DATABASE IF EXISTS {LOAD_DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
