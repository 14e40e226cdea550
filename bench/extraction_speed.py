"""Time the extractor on a document built from the seeds; print the median.

Not a test: run it by hand to see whether a change made extraction slower.

    .venv/bin/python bench/extraction_speed.py [--runs 21] [--chars 20000]
    .venv/bin/python bench/extraction_speed.py --chars 200000 --runs 5   # goal: < 0.5 s
    .venv/bin/python bench/extraction_speed.py --megabytes 10 --runs 1   # goal: < 5 s, < 300 MB

The document is the five seed documents concatenated (repeated if needed)
and cut at a line break near the requested length, encoded as UTF-8.
With --megabytes the document is cut to that many bytes (at most the 10 MB
limit) and the peak memory of the run (traced Python allocations, and the
process's maximum resident set) is printed too. CPU time is printed beside
the wall clock: on a shared machine the wall clock measures the neighbours.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.extraction import extract  # noqa: E402  (needs the path above)


def build_document(chars: int) -> str:
    folder = ROOT / "fixtures" / "documents"
    parts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    if not parts:
        raise SystemExit(f"no documents in {folder}")
    text = ""
    while len(text) < chars:
        text += "\n\n".join(parts) + "\n\n"
    cut = text.rfind("\n", 0, chars)
    return text[: cut if cut > chars // 2 else chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs (default 21)")
    parser.add_argument("--chars", type=int, default=20_000, help="document length (default 20000)")
    parser.add_argument(
        "--megabytes", type=float, help="build a document of this many MB (UTF-8) instead"
    )
    args = parser.parse_args()

    if args.megabytes:
        limit = int(min(args.megabytes * 1024 * 1024, 10 * 1024 * 1024))
        data = build_document(limit // 2).encode("utf-8")[:limit]
        data = data[: data.rfind(b"\n")]
        text = data.decode("utf-8")
    else:
        text = build_document(args.chars)
        data = text.encode("utf-8")
    extract(text[:20_000].encode("utf-8"), "bench.txt")  # warm-up: compiles the regexes
    times = []
    cpu = []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = extract(data, "bench.txt")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if args.megabytes:
        tracemalloc.start()
        extract(data, "bench.txt")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{len(data):,} bytes: peak traced memory {peak / 1e6:.0f} MB, "
            f"maximum resident set {rss:.0f} MB"
        )
    median_ms = statistics.median(times) * 1000
    # CPU time too: on a shared, busy machine the wall clock mostly measures the neighbours.
    print(
        f"extract(): {len(text):,} characters, {len(result.candidates)} candidates, "
        f"{len(list(result.walk_sections()))} sections; "
        f"median of {args.runs} runs {median_ms:.1f} ms wall "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), "
        f"{statistics.median(cpu) * 1000:.1f} ms CPU"
    )


if __name__ == "__main__":
    main()
