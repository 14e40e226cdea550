"""The performance benchmark (issue 7): one command, one run, every number side by side.

    .venv/bin/python bench/run.py [--sizes small,large] [--rounds 3] [--seconds 15]
    make bench

For each data size it makes (or reuses) a PostgreSQL database of demo data
(bench/datasets.py), then measures in one process, alternating the sizes:
the floor (the same rows by raw SQL through psycopg, bench/floor.py), the
framework baseline (plain Django views with .values() and JsonResponse,
bench/views.py) and our endpoints (bench/measure.py): median and p95
latency, queries, and the ratios, every size's variants of an endpoint
taking turns request by request. Then throughput through gunicorn on
127.0.0.1 under wrk, cold and warm (bench/throughput.py), and a province's
rollup at the largest size: time, answer and a worker's memory
(bench/province.py). It prints Markdown tables and writes them, with the
machine and the date, to docs/performance.md.

Needs wrk (Debian: `apt-get install -y wrk`).

Only 127.0.0.1 is ever sent to; the database server must be on loopback too.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import datasets, province, throughput  # noqa: E402  (needs the path above)
from bench.throughput import View  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The goals of issue 7, as ratios measured in the same run.
LIST_TO_BASELINE = 1.5
SUMMARY_TO_FLOOR = 2.0
GROWTH = 1.3
THROUGHPUT_SHARE = 0.30
WARM_SHARE = 0.5  # issue 14: cached (warm) reads
PROVINCE_MS, PROVINCE_BYTES, PROVINCE_MIB = 1000, 1_000_000, 150
FLOOR_GOALS = {"plan_summary", "region_rollup"}
BASELINE_GOALS = {"target_list_50", "target_list_100"}
PAGE_TO_BASELINE = 2.0  # issue 14: the report page within 2x of its .values() view


def app_env(database_url: str) -> dict[str, str]:
    """The app as production runs it (DEBUG off), with the benchmark's URLs."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONPATH": str(ROOT),
        # whitenoise looks for collected static files, which the benchmark does not collect.
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def machine() -> dict[str, str]:
    info = {"cpus": str(os.cpu_count()), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    import psycopg

    url = datasets.database_url(datasets.SIZES["small"])
    with psycopg.connect(url) as connection:
        info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    import django

    info["django"] = django.get_version()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    info["commit"] = commit.stdout.strip() or "?"
    return info


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def render(
    latency: dict, rates: dict, whole: dict | None, sizes: list[str], info: dict, args
) -> str:
    rows: dict[tuple[str, str], dict[str, dict]] = {}
    for result in latency["results"]:
        rows.setdefault((result["size"], result["case"]), {})[result["variant"]] = result
    labels = latency["labels"]
    out = []
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.append("# Performance\n")
    out.append(
        f"A real run of `python bench/run.py --sizes {','.join(sizes)} --rounds {args.rounds} "
        f"--seconds {args.seconds:g}` on {when}, commit `{info['commit']}`.\n"
    )
    out.append(
        f"Machine: {info['cpus']} CPUs ({info.get('cpu', '?')}), {info.get('memory', '?')} of "
        f"memory, PostgreSQL {info['postgresql']}, Python {info['python']}, Django "
        f"{info['django']}. The machine is shared with other test runs, so absolute times "
        "vary from run to run; the ratios are measured within the run, every size's variants "
        "of an endpoint taking turns request by request.\n"
    )
    out.append(
        "Data (`generate_demo_data`, seed 7, 2 plan years, 210 targets a plan, 4 updates a target):\n"
    )
    for name in sizes:
        size = datasets.SIZES[name]
        out.append(
            f"- **{name}**: {size.towns:,} towns, {size.towns * 2 * datasets.TARGETS_PER_PLAN:,} "
            f"targets, {size.updates:,} progress updates"
        )
    out.append(
        "\nEvery request reads district 0 (12 towns), the same rows at both sizes; only the "
        "rest of the tables grows. Anonymous reader, DEBUG off, `ATOMIC_REQUESTS` on, "
        "persistent connections, the read cache off (every request does its work), and "
        "PostgreSQL set as the README advises for production (`random_page_cost = 1.1`, "
        "`work_mem = 32MB`), with every status judged as `judge_statuses` leaves them each "
        "morning.\n"
    )
    out.append("## Latency in-process\n")
    out.append(
        "Median and p95 in milliseconds over "
        f"{args.rounds} rounds; queries per request (the request's BEGIN/COMMIT not counted). "
        "*Floor*: the same rows by hand-written SQL through psycopg, fetched, nothing else. "
        "*Baseline*: a plain Django view reading the same rows with `.values()` and returning "
        "`JsonResponse`. *Ours*: the endpoint through Django's test client (URLconf, "
        "middleware, view, serialization or template).\n"
    )
    out.append(
        "| size | endpoint | floor ms (q) | baseline ms (q) | ours median ms | ours p95 ms | "
        "ours q | × floor | × baseline | goal |"
    )
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    keys = list(labels)
    for name in sizes:
        for key in keys:
            v = rows.get((name, key))
            if not v:
                continue
            floor, base, ours = v["floor"], v["baseline"], v["ours"]
            to_floor = ours["median_ms"] / floor["median_ms"]
            to_base = ours["median_ms"] / base["median_ms"]
            goal = "–"
            if key in BASELINE_GOALS:
                goal = f"≤ {LIST_TO_BASELINE}× baseline: {verdict(to_base <= LIST_TO_BASELINE)}"
            elif key == "plan_page":
                goal = f"≤ {PAGE_TO_BASELINE}× baseline: {verdict(to_base <= PAGE_TO_BASELINE)}"
            elif key in FLOOR_GOALS:
                goal = f"≤ {SUMMARY_TO_FLOOR}× floor: {verdict(to_floor <= SUMMARY_TO_FLOOR)}"
            out.append(
                f"| {name} | {labels[key]} | {floor['median_ms']:.2f} ({floor['queries']}) | "
                f"{base['median_ms']:.2f} ({base['queries']}) | {ours['median_ms']:.2f} | "
                f"{ours['p95_ms']:.2f} | {ours['queries']} | {to_floor:.1f}× | {to_base:.2f}× | "
                f"{goal} |"
            )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        out.append(f"\n## Growth from {small} to {large}\n")
        out.append(
            f"Each endpoint's median at {large} ÷ at {small} (goal ≤ {GROWTH}×), and its query "
            "count at both (goal for the target list: constant).\n"
        )
        out.append(
            f"| endpoint | {small} ms | {large} ms | growth | queries {small} → {large} | goal |"
        )
        out.append("|---|---:|---:|---:|---|---|")
        for key in keys:
            a, b = rows.get((small, key)), rows.get((large, key))
            if not a or not b:
                continue
            growth = b["ours"]["median_ms"] / a["ours"]["median_ms"]
            constant = a["ours"]["queries"] == b["ours"]["queries"]
            goal = f"≤ {GROWTH}×: {verdict(growth <= GROWTH)}"
            if key in BASELINE_GOALS:
                pages = {
                    rows[(s, k)]["ours"]["queries"]
                    for s in sizes
                    for k in BASELINE_GOALS
                    if (s, k) in rows
                }
                goal += f"; queries constant: {verdict(constant and len(pages) == 1)}"
            out.append(
                f"| {labels[key]} | {a['ours']['median_ms']:.2f} | {b['ours']['median_ms']:.2f} | "
                f"{growth:.2f}× | {a['ours']['queries']} → {b['ours']['queries']} | {goal} |"
            )
    if rates:
        some = next(iter(rates.values()))["trivial"]
        out.append("\n## Throughput through gunicorn\n")
        out.append(
            f"gunicorn on 127.0.0.1, {some['workers']} sync workers, loaded by wrk (Debian's, "
            f"written in C for this) with {some['concurrency']} connections on 2 threads, on the "
            f"same machine; {args.seconds:g} s per view in {args.segments} alternating segments. "
            'The trivial view is `JsonResponse({"ok": True})` through the same middleware and '
            "server. *Cold*: a server with the read cache off, every request doing its work. "
            "*Warm*: a second server with the read cache on, as production runs, each worker's "
            "cache filled by a first second of load. *304*: the warm server asked with the "
            "`If-None-Match` of the answer held (checked to answer 304 before the load).\n"
        )
        out.append(
            "| size | trivial req/s | baseline list req/s | ours cold | ours warm | ours 304 | "
            "cold ÷ trivial | warm ÷ trivial | 304 ÷ trivial | goals |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for name in sizes:
            if name not in rates:
                continue
            r = rates[name]
            trivial = r["trivial"]["per_second"]
            cold, warm = r["target_list_50"]["per_second"], r["target_list_50_warm"]["per_second"]
            not_modified = r["target_list_50_304"]["per_second"]
            failed = sum(rate["failed"] for rate in r.values())
            note = f" ({failed} failed or not 2xx/3xx)" if failed else ""
            goals = (
                f"cold ≥ {THROUGHPUT_SHARE:.2f}: {verdict(cold / trivial >= THROUGHPUT_SHARE)}; "
                f"warm ≥ {WARM_SHARE:.2f}: {verdict(warm / trivial >= WARM_SHARE)}{note}"
            )
            out.append(
                f"| {name} | {trivial:.0f} | {r['baseline_list_50']['per_second']:.0f} | "
                f"{cold:.0f} | {warm:.0f} | {not_modified:.0f} | {cold / trivial:.2f} | "
                f"{warm / trivial:.2f} | {not_modified / trivial:.2f} | {goals} |"
            )
    if whole:
        out.append(f"\n## A province's rollup at {sizes[-1]}\n")
        out.append(
            f"`GET {whole['path']}` ({datasets.SIZES[sizes[-1]].towns:,} towns, one year): "
            f"{whole['requests']} requests one after another to one sync gunicorn worker with "
            "the read cache off; the worker's resident memory read from /proc before the first "
            "and after the last.\n"
        )
        out.append("| figure | measured | goal |")
        out.append("|---|---:|---|")
        out.append(
            f"| median time (first, slowest) | {whole['median_ms']:.0f} ms ({whole['first_ms']:.0f}"
            f", {whole['max_ms']:.0f}) | < {PROVINCE_MS} ms: "
            f"{verdict(whole['median_ms'] < PROVINCE_MS)} |"
        )
        out.append(
            f"| answer | {whole['bytes'] / 1000:.0f} KB | < {PROVINCE_BYTES // 1000:,} KB: "
            f"{verdict(whole['bytes'] < PROVINCE_BYTES)} |"
        )
        out.append(
            f"| worker's memory after (before; peak) | {whole['rss_after_mib']:.0f} MiB "
            f"({whole['rss_before_mib']:.0f}; {whole['rss_peak_mib']:.0f}) | < {PROVINCE_MIB} MiB: "
            f"{verdict(whole['rss_after_mib'] < PROVINCE_MIB)} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large", help="of: " + ",".join(datasets.SIZES))
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of latency")
    parser.add_argument(
        "--latency-seconds", type=float, default=2.0, help="per endpoint and round (about)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="of load per view and size")
    parser.add_argument("--segments", type=int, default=3, help="alternations of the load")
    parser.add_argument(
        "--province-requests", type=int, default=5, help="of the province rollup, in turn"
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--closing-note", default="", help="a Markdown file appended as is")
    args = parser.parse_args()

    sizes = [name.strip() for name in args.sizes.split(",") if name.strip()]
    unknown = set(sizes) - set(datasets.SIZES)
    if unknown:
        raise SystemExit(f"unknown sizes: {', '.join(sorted(unknown))}")
    datasets.check_loopback(datasets.server_url())
    today = datetime.datetime.now(SHANGHAI).date()  # the app's (and the demo data's) day
    month = today.strftime("%Y-%m")
    for name in sizes:
        datasets.prepare(datasets.SIZES[name], month, log=lambda text: print(text, file=sys.stderr))

    urls = {name: datasets.database_url(datasets.SIZES[name]) for name in sizes}
    print("latency…", file=sys.stderr)
    measured = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "measure.py"),
            "--databases",
            ",".join(f"{name}={url}" for name, url in urls.items()),
            "--rounds",
            str(args.rounds),
            "--seconds",
            str(args.latency_seconds),
        ],  # fmt: skip
        cwd=ROOT,
        env=app_env(urls[sizes[0]]),
        capture_output=True,
        text=True,
    )
    if measured.returncode:
        raise SystemExit(f"bench/measure.py failed:\n{measured.stderr}")
    latency = json.loads(measured.stdout)

    rates = {}
    for name in sizes:
        print(f"throughput, {name}…", file=sys.stderr)
        listing = f"/api/targets/?town=demo-town-0&year={today.year}"
        rates[name] = throughput.compare(
            app_env(urls[name]),
            {
                "trivial": View("/bench/trivial/"),
                "baseline_list_50": View(
                    f"/bench/baseline/targets/?town=demo-town-0&year={today.year}"
                ),
                "target_list_50": View(listing),
                "target_list_50_warm": View(listing, warm=True),
                "target_list_50_304": View(listing, warm=True, conditional=True),
            },
            seconds=args.seconds,
            segments=args.segments,
        )

    print(f"province rollup, {sizes[-1]}…", file=sys.stderr)
    whole = province.measure(
        app_env(urls[sizes[-1]]),
        f"/api/regions/{datasets.PROVINCE}/rollup/?year={today.year}",
        requests=args.province_requests,
    )

    text = render(latency, rates, whole, sizes, machine(), args)
    if args.closing_note:
        text += "\n" + Path(args.closing_note).read_text(encoding="utf-8")
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    Path(args.output).with_suffix(".json").write_text(
        json.dumps(
            {"latency": latency, "throughput": rates, "province": whole, "machine": machine()},
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
