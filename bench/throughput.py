"""Throughput under concurrent load: gunicorn on loopback, wrk as the load, a bounded time per view.

The server is the project's WSGI application under gunicorn (sync workers,
2 × CPUs + 1 of them), started on a free port of 127.0.0.1 and stopped
afterwards. The load is wrk (Debian's `wrk`: `apt-get install -y wrk`), a
load generator written in C for this, rather than a Python client in the
benchmark's own process, which measured the trivial view at a fifth of what
wrk measured in the same run (issue 14). The views being compared take turns
in short segments, so that a neighbour's load falls on all of them alike.

Two servers run side by side: one with the read cache off (every request does
its work: "cold") and one with it on, as production runs ("warm": after the
first request a worker answers from tracker/freshness.py's cache, or 304 to a
client that sends the ETag it holds).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # the only address the benchmark ever sends to


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # gunicorn's master; its workers are its children

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(pid) for pid in children]


def memory_mib(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[Server]:
    """gunicorn serving the app on a free loopback port."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "planning.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],  # fmt: skip
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/bench/trivial/", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield Server(port, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(m?s|m)\b", re.MULTILINE)
WRK_BAD = re.compile(r"^\s*Non-2xx or 3xx responses: (\d+)", re.MULTILINE)
WRK_ERRORS = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("the benchmark needs wrk: apt-get install -y wrk (Debian)")
    return found


def load(
    port: int, path: str, seconds: float, concurrency: int, headers: dict[str, str] | None = None
) -> tuple[int, int, float]:
    """(answered 2xx or 3xx, answered otherwise or failed, seconds taken) for `seconds` of wrk."""
    command = [wrk_path(), "-t", "2", "-c", str(concurrency), "-d", f"{max(seconds, 1):.0f}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    total = WRK_TOTAL.search(out)
    if total is None or WRK_RATE.search(out) is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    answered = int(total.group(1))
    unit = {"ms": 0.001, "s": 1.0, "m": 60.0}[total.group(3)]
    elapsed = float(total.group(2)) * unit
    bad = WRK_BAD.search(out)
    failed = int(bad.group(1)) if bad else 0
    errors = WRK_ERRORS.search(out)
    # A sync worker closes each connection after its answer, which wrk may count as a
    # read error on a connection it had already reused; the answers are counted above.
    timeouts = int(errors.group(4)) if errors else 0
    return answered - failed, failed + timeouts, elapsed


def etag_of(port: int, path: str) -> str:
    """The ETag a GET of `path` answers (it must answer one, and a 304 to it)."""
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=30) as response:
        tag = response.headers.get("ETag")
    if not tag:
        raise SystemExit(f"{path} answered no ETag")
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"If-None-Match": tag})
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code == 304:
            return tag
        raise SystemExit(f"{path} with If-None-Match answered {answer.code}, not 304") from None
    raise SystemExit(f"{path} with If-None-Match answered 200, not 304")


@dataclass(frozen=True)
class View:
    """A path to load, on the cold or the warm server; `conditional`: sending the ETag it
    answered (a client that holds the answer asks whether it changed: 304)."""

    path: str
    warm: bool = False
    conditional: bool = False


def compare(
    env: dict[str, str],
    views: dict[str, View],
    *,
    seconds: float,
    segments: int = 3,
    concurrency: int | None = None,
    workers: int | None = None,
) -> dict[str, dict]:
    """Requests per second of each view, `seconds` each in all, in alternating segments."""
    cpus = os.cpu_count() or 1
    workers = workers or 2 * cpus + 1
    concurrency = concurrency or 2 * workers
    totals = {name: [0, 0, 0.0] for name in views}
    cold_env = {**env, "BENCH_READ_CACHE": "0"}
    warm_env = {**env, "BENCH_READ_CACHE": "1"}
    with gunicorn(cold_env, workers) as cold_server, gunicorn(warm_env, workers) as warm_server:
        cold, warm = cold_server.port, warm_server.port
        headers = {}
        for name, view in views.items():
            port = warm if view.warm else cold
            load(port, view.path, 1.0, concurrency)  # warm every worker up (and its cache)
            if view.conditional:
                headers[name] = {"If-None-Match": etag_of(port, view.path)}
        for _segment in range(segments):
            for name, view in views.items():
                ok, failed, elapsed = load(
                    warm if view.warm else cold,
                    view.path,
                    seconds / segments,
                    concurrency,
                    headers.get(name),
                )
                totals[name][0] += ok
                totals[name][1] += failed
                totals[name][2] += elapsed
    return {
        name: {
            "requests": ok,
            "failed": failed,
            "seconds": elapsed,
            "per_second": ok / elapsed,
            "workers": workers,
            "concurrency": concurrency,
            "tool": "wrk",
        }
        for name, (ok, failed, elapsed) in totals.items()
    }
