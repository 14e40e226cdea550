"""Time a 500-row progress upload (tracker/ledgers); print the median and its ratio to a baseline.

Not a test: run it by hand to see whether the Excel path got slower.

    .venv/bin/python bench/excel_upload.py [--rows 500] [--runs 5]

It builds a throwaway SQLite database (a temporary file, migrated afresh)
with two identical towns, each with a plan of `rows` targets led by one
department and monthly periods, and a reporter of that department in each
(the towns review progress, so every row is held for review: the longer
path). Each run, interleaved:

- upload: fill the period's template (every row a value) and import it, as
  POST /api/reports/import/ does (`progress_import`), timed from the bytes of
  the file to the reports written;
- baseline: the same rows submitted directly with `progress_submit_many`
  in the other town (what the upload costs beyond the policy itself).

Wall and CPU time are both printed: on a shared machine the wall clock
mostly measures the neighbours. Each run uses the next period, so every run writes `rows` new reports. The
goal (issue 13): the upload under 3 s for 500 rows. A replay (the same file
uploaded again, nothing new) is timed once at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planning.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_town(name: str, slug: str, rows: int):
    from django.contrib.auth import get_user_model

    from tracker.choices import PlanStatus, RegionLevel, Role, TargetKind, TownKind
    from tracker.models import Department, GoalSection, Membership, Plan, Region, Target, Town
    from tracker.workflow import periods_generate

    province, _ = Region.objects.get_or_create(
        slug="bench-gd", defaults={"name": "广东省", "level": RegionLevel.PROVINCE}
    )
    town = Town.objects.create(name=name, slug=slug, kind=TownKind.TOWN, region=Region.objects.create(
        name=f"{name}所在市", slug=f"{slug}-city", level=RegionLevel.CITY, parent=province))  # fmt: skip
    office = Department.objects.create(town=town, name="经济发展办公室")
    plan = Plan.objects.create(
        town=town, year=2026, title=f"{name}2026年工作计划", status=PlanStatus.ACTIVE
    )
    sections = [
        GoalSection.objects.create(plan=plan, position=n + 1, label=f"{n + 1}.", title=f"第{n + 1}部分")
        for n in range(10)
    ]  # fmt: skip
    Target.objects.bulk_create(
        [
            Target(
                plan=plan, section=sections[n % 10], position=n + 1, title=f"任务{n + 1}",
                kind=TargetKind.QUANTITATIVE, comparison="ge", value=Decimal(1000 + n), unit="亩",
                lead_department=office,
            )
            for n in range(rows)
        ]
    )  # fmt: skip
    user = get_user_model().objects.create_user(username=f"{slug}-reporter", password="x")
    Membership.objects.create(user=user, town=town, role=Role.REPORTER, department=office)
    return user, periods_generate(plan=plan)


def filled_template(user, period, salt: int) -> bytes:
    from openpyxl import load_workbook

    from tracker.ledgers.progress_sheet import VALUE, progress_template

    book = load_workbook(io.BytesIO(progress_template(user=user, period=period)))
    sheet = book.worksheets[0]
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=VALUE, value=100 + row + salt)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500, help="targets in the sheet (default 500)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs, at most 10 (default 5)")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 10))

    with tempfile.TemporaryDirectory(prefix="bench-excel-") as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import override_settings

        from tracker.ledgers.progress_sheet import progress_import
        from tracker.models import Target
        from tracker.submission import ProgressItem, progress_submit_many

        with override_settings(TRACKER_TODAY="2026-12-31"):
            upload_user, upload_periods = build_town("甲镇", "bench-a", args.rows)
            base_user, base_periods = build_town("乙镇", "bench-b", args.rows)
            base_targets = list(Target.objects.filter(plan=base_periods[0].plan).order_by("pk"))
            uploads, baselines, upload_cpu, base_cpu = [], [], [], []
            data = b""
            for run in range(runs + 1):  # the first run warms up and is not counted
                data = filled_template(upload_user, upload_periods[run], run)
                period = base_periods[run]
                items = [
                    ProgressItem(target=t, period=period, value=Decimal(100 + n + run))
                    for n, t in enumerate(base_targets)
                ]
                steps = [("upload", data), ("baseline", items)]
                if run % 2:
                    steps.reverse()  # interleaved: neither always goes first
                for name, payload in steps:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    if name == "upload":
                        result = progress_import(
                            user=upload_user, upload=SimpleUploadedFile("台账.xlsx", payload)
                        )
                        assert result.created == args.rows, result.created
                    else:
                        progress_submit_many(user=base_user, items=payload)
                    elapsed = time.perf_counter() - start
                    cpu = time.process_time() - start_cpu
                    if run:
                        (uploads if name == "upload" else baselines).append(elapsed)
                        (upload_cpu if name == "upload" else base_cpu).append(cpu)
            start = time.perf_counter()
            replay = progress_import(user=upload_user, upload=SimpleUploadedFile("台账.xlsx", data))
            replay_time = time.perf_counter() - start
            assert replay.created == 0

    upload_median, base_median = statistics.median(uploads), statistics.median(baselines)
    print(
        f"excel upload, {args.rows} rows held for review, SQLite, median of {runs} runs: "
        f"{upload_median:.2f} s (min {min(uploads):.2f}, max {max(uploads):.2f}); "
        f"progress_submit_many alone {base_median:.2f} s; ratio {upload_median / base_median:.2f}; "
        f"CPU {statistics.median(upload_cpu):.2f} s vs {statistics.median(base_cpu):.2f} s; "
        f"the same file again (nothing new) {replay_time:.2f} s; "
        f"goal < 3 s: {'met' if upload_median < 3 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
