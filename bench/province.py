"""A province's rollup at the largest size: its time, the size of its answer, and what a
worker holds after it (issue 14: under 1 s, under 1 MB, a worker under 150 MB).

One sync gunicorn worker with the read cache off (every request does the work),
the statuses judged as `judge_statuses` leaves them each morning. The worker's
memory is read from /proc before the first request and after the last: a
worker that kept what one request built would hold it for every later one.
"""

from __future__ import annotations

import statistics
import time
import urllib.request

from bench.throughput import HOST, gunicorn, memory_mib


def measure(env: dict[str, str], path: str, requests: int = 5) -> dict:
    with gunicorn({**env, "BENCH_READ_CACHE": "0"}, workers=1) as server:
        (worker,) = server.worker_pids()
        before, _peak = memory_mib(worker)
        times, sizes = [], set()
        for _ in range(requests):
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://{HOST}:{server.port}{path}", timeout=120) as r:
                body = r.read()
                if r.status != 200:
                    raise SystemExit(f"{path}: {r.status}")
            times.append(time.perf_counter() - started)
            sizes.add(len(body))
        after, peak = memory_mib(worker)
    return {
        "path": path,
        "requests": requests,
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "first_ms": times[0] * 1000,
        "bytes": max(sizes),
        "rss_before_mib": before,
        "rss_after_mib": after,
        "rss_peak_mib": peak,
    }
