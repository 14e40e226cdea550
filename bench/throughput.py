"""Throughput under concurrent load: gunicorn on loopback, a bounded time per view.

The server is the project's WSGI application under gunicorn (sync workers,
2 × CPUs + 1 of them), started on a free port of 127.0.0.1 and stopped
afterwards. The load comes from this process: `concurrency` clients, each
sending one request at a time on a new connection (sync workers close every
connection), for a fixed time. The views being compared take turns in short
segments, so that a neighbour's load falls on both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # the only address the benchmark ever sends to


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[int]:
    """gunicorn serving the app on a free loopback port; yields the port."""
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
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def _client(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(request)
        response = await reader.read()  # to the end: the worker closes the connection
        writer.close()
        counts[0 if response.startswith(b"HTTP/1.1 200") else 1] += 1


async def _load(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, int, float]:
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    counts = [0, 0]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_client(port, request, deadline, counts) for _ in range(concurrency)))
    return counts[0], counts[1], time.monotonic() - started


def load(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, int, float]:
    """(answered 200, answered otherwise, seconds taken) for `seconds` of load on `path`."""
    return asyncio.run(_load(port, path, seconds, concurrency))


def compare(
    env: dict[str, str],
    paths: dict[str, str],
    *,
    seconds: float,
    segments: int = 3,
    concurrency: int | None = None,
    workers: int | None = None,
) -> dict[str, dict]:
    """Requests per second of each path, `seconds` each in all, in alternating segments."""
    cpus = os.cpu_count() or 1
    workers = workers or 2 * cpus + 1
    concurrency = concurrency or 2 * workers
    totals = {name: [0, 0, 0.0] for name in paths}
    with gunicorn(env, workers) as port:
        for path in paths.values():
            load(port, path, 1.0, concurrency)  # warm every worker up
        for _segment in range(segments):
            for name, path in paths.items():
                ok, failed, elapsed = load(port, path, seconds / segments, concurrency)
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
        }
        for name, (ok, failed, elapsed) in totals.items()
    }
