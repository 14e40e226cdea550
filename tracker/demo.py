"""Synthetic plans at the scale of a province, for benchmarks and demonstrations.

Everything is derived from one random seed, so the same arguments give the
same rows. Towns, regions and plans it makes have slugs starting "demo-", so
they can be told apart from real data. Rows are written with bulk inserts
(history rows are not written for them: they are not anyone's edits).
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from tracker import freshness
from tracker.choices import Comparison, PlanStatus, RegionLevel, TargetKind, TownKind
from tracker.models import GoalSection, Plan, ProgressUpdate, Region, Target, Town
from tracker.today import reporting_today

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PREFIX = "demo-"
TOWNS_PER_DISTRICT = 12
DISTRICTS_PER_CITY = 8
BATCH = 5000

CHINESE_DIGITS = "一二三四五六七八九十"
AREAS = ["稳增长", "强产业", "促融合", "谋改革", "惠民生", "保安全", "强党建", "优环境"]
QUANTITIES = [
    # (metric, unit, comparison, low, high, growth)
    ("村级工业园拆除整理", "亩", Comparison.EQ, 200, 3000, False),
    ("引进优质企业", "家", Comparison.GE, 3, 30, False),
    ("新增中小学公办学位", "个", Comparison.GT, 300, 5000, False),
    ("地区生产总值增长", "%", Comparison.APPROX, 3, 8, True),
    ("固定资产投资", "亿元", Comparison.APPROX, 5, 80, False),
    ("老旧小区改造", "个", Comparison.GE, 5, 40, False),
    ("新建社区体育公园", "个", Comparison.RANGE, 5, 40, False),
    ("安全生产事故起数", "起", Comparison.LE, 1, 10, False),
    ("工业载体建设", "万平方米", Comparison.GE, 10, 500, False),
    ("盘活低效用地", "亩", Comparison.APPROX, 100, 1500, False),
]
MILESTONES = [
    "确保实验室年内开园",
    "启动综合应急指挥中心建设",
    "完成马山旧城改造征收",
    "建成智慧城市平台",
]


class DemoRefused(Exception):
    """The database holds real (non-demo) plans and the caller did not say to go ahead."""


@dataclass
class DemoCounts:
    regions: int = 0
    towns: int = 0
    plans: int = 0
    sections: int = 0
    targets: int = 0
    updates: int = 0


def has_real_data() -> bool:
    return Plan.objects.exclude(town__slug__startswith=DEMO_PREFIX).exists()


def _regions(towns: int) -> list[Region]:
    """A province, its cities and districts, enough districts for `towns` towns."""
    province, _ = Region.objects.get_or_create(
        slug=f"{DEMO_PREFIX}province",
        defaults={"name": "演示省", "name_en": "Demo province", "level": RegionLevel.PROVINCE},
    )
    districts = []
    district_count = max(1, -(-towns // TOWNS_PER_DISTRICT))
    for d in range(district_count):
        city_number = d // DISTRICTS_PER_CITY
        city, _ = Region.objects.get_or_create(
            slug=f"{DEMO_PREFIX}city-{city_number}",
            defaults={
                "name": f"演示{city_number + 1}市",
                "level": RegionLevel.CITY,
                "parent": province,
            },
        )
        district, _ = Region.objects.get_or_create(
            slug=f"{DEMO_PREFIX}district-{d}",
            defaults={"name": f"演示{d + 1}区", "level": RegionLevel.DISTRICT, "parent": city},
        )
        districts.append(district)
    return districts


def _value(rng: random.Random, low: int, high: int, growth: bool) -> Decimal:
    if growth:
        return Decimal(rng.randint(low * 10, high * 10)) / 10
    return Decimal(rng.randint(low, high))


@transaction.atomic
def generate(
    *,
    towns: int,
    years: int,
    targets_per_plan: int,
    updates_per_target: int,
    seed: int,
    allow_real: bool = False,
) -> DemoCounts:
    """Write the demo towns' plans, sections, targets and monthly progress; all or nothing."""
    if has_real_data() and not allow_real:
        raise DemoRefused(
            "the database holds non-demo plans; pass --allow-real-data to add demo data beside them"
        )
    rng = random.Random(seed)
    counts = DemoCounts()
    today = reporting_today()
    districts = _regions(towns)
    counts.regions = Region.objects.filter(slug__startswith=DEMO_PREFIX).count()

    existing = set(Town.objects.filter(slug__startswith=DEMO_PREFIX).values_list("slug", flat=True))
    Town.objects.bulk_create(
        [
            Town(
                name=f"演示{n + 1}{'镇' if n % 3 else '街道'}",
                name_en=f"Demo town {n + 1}",
                slug=f"{DEMO_PREFIX}town-{n}",
                kind=TownKind.TOWN if n % 3 else TownKind.SUBDISTRICT,
                region=districts[n // TOWNS_PER_DISTRICT],
            )
            for n in range(towns)
            if f"{DEMO_PREFIX}town-{n}" not in existing
        ],
        batch_size=BATCH,
    )
    # bulk_create sends no signals: the cached answers must still go (tracker.freshness).
    freshness.bump()
    town_list = list(Town.objects.filter(slug__startswith=DEMO_PREFIX).order_by("id")[:towns])
    counts.towns = len(town_list)

    year_list = list(range(today.year - years + 1, today.year + 1))
    taken = set(Plan.objects.filter(town__in=town_list).values_list("town_id", "year"))
    plans = Plan.objects.bulk_create(
        [
            Plan(
                town=town,
                year=year,
                title=f"{town.name}{year}年工作计划",
                theme="演示数据",
                status=PlanStatus.ACTIVE if year == today.year else PlanStatus.CLOSED,
            )
            for town in town_list
            for year in year_list
            if (town.pk, year) not in taken
        ],
        batch_size=BATCH,
    )
    counts.plans = len(plans)
    if not plans:
        return counts
    plan_ids = [plan.pk for plan in plans]
    plans = list(Plan.objects.filter(pk__in=plan_ids).order_by("id"))  # ids on every backend

    top_count = min(len(AREAS), max(2, targets_per_plan // 20 + 2))
    GoalSection.objects.bulk_create(
        [
            GoalSection(
                plan=plan,
                position=i + 1,
                label=f"{CHINESE_DIGITS[i]}、",
                title=AREAS[i],
                grouping="演示重点领域",
            )
            for plan in plans
            for i in range(top_count)
        ],
        batch_size=BATCH,
    )
    tops = list(
        GoalSection.objects.filter(plan__in=plans, parent=None).order_by("plan_id", "position")
    )
    GoalSection.objects.bulk_create(
        [
            GoalSection(
                plan_id=top.plan_id,
                parent=top,
                position=j + 1,
                label=f"（{CHINESE_DIGITS[j]}）",
                title=f"{top.title}重点任务{j + 1}",
            )
            for top in tops
            for j in range(3)
        ],
        batch_size=BATCH,
    )
    leaves: dict[int, list[int]] = {}
    for pk, plan_id in (
        GoalSection.objects.filter(plan__in=plans, parent__isnull=False)
        .order_by("id")
        .values_list("pk", "plan_id")
    ):
        leaves.setdefault(plan_id, []).append(pk)
    counts.sections = len(tops) * 4

    targets = []
    for plan in plans:
        sections = leaves[plan.pk]
        for t in range(targets_per_plan):
            section_id = sections[t % len(sections)]
            if rng.random() < 0.2:
                targets.append(
                    Target(
                        plan=plan,
                        section_id=section_id,
                        position=t + 1,
                        title=rng.choice(MILESTONES),
                        kind=TargetKind.MILESTONE,
                    )
                )
                continue
            metric, unit, comparison, low, high, growth = rng.choice(QUANTITIES)
            value = _value(rng, low, high, growth)
            targets.append(
                Target(
                    plan=plan,
                    section_id=section_id,
                    position=t + 1,
                    title=metric,
                    metric=metric,
                    kind=TargetKind.QUANTITATIVE,
                    comparison=comparison,
                    value=value,
                    value_max=value + max(1, value // 2)
                    if comparison == Comparison.RANGE
                    else None,
                    unit=unit,
                    is_growth=growth,
                )
            )
    Target.objects.bulk_create(targets, batch_size=BATCH)
    counts.targets = len(targets)
    target_rows = (
        Target.objects.filter(plan__in=plans)
        .order_by("id")
        .values_list("pk", "kind", "value", "is_growth", "plan__year")
    )
    counts.updates = _write_updates(rng, target_rows, updates_per_target, today)
    _point_latest(plan_ids)
    return counts


def _readings(rng: random.Random, target_rows, per_target: int, today: datetime.date):
    """Monthly, cumulative progress at a pace of the target's own: some ahead, some behind.

    Yields (target id, value, milestone done, as-of date, reported at).
    """
    for pk, kind, value, growth, year in target_rows:
        pace = rng.choice([0.3, 0.6, 0.85, 1.0, 1.1, 1.3])
        last_month = 12 if year < today.year else max(1, today.month - 1)
        months = sorted(rng.sample(range(1, last_month + 1), min(per_target, last_month)))
        # Beyond 12 a year, further updates are corrections on the same days.
        months += [months[-1]] * (per_target - len(months))
        for index, month in enumerate(months):
            share = month / 12
            done, reached = None, None
            if kind == TargetKind.MILESTONE:
                done = share * pace >= 0.9
            elif growth:
                reached = (value * Decimal(str(pace))).quantize(Decimal("0.1"))
            else:
                reached = (value * Decimal(str(min(share * pace, 1.5)))).quantize(Decimal("0.01"))
            reported_at = datetime.datetime(year, month, 28, 9, index % 60, tzinfo=SHANGHAI)
            yield pk, reached, done, datetime.date(year, month, 28), reported_at


def _write_updates(rng: random.Random, target_rows, per_target: int, today: datetime.date) -> int:
    """Insert the demo progress: COPY on PostgreSQL (millions of rows), bulk inserts elsewhere."""
    # Read the targets before COPY starts: the connection is busy until it ends.
    readings = _readings(rng, list(target_rows), per_target, today)
    written = 0
    if connection.vendor == "postgresql":
        columns = "target_id, value, milestone_done, as_of, reported_at, note, evidence_url, quote, client_key"
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY tracker_progressupdate ({columns}) FROM STDIN") as copy,
        ):
            for row in readings:
                copy.write_row((*row, "演示数据", "", "", ""))
                written += 1
        return written
    batch = []
    for pk, reached, done, as_of, reported_at in readings:
        batch.append(
            ProgressUpdate(
                target_id=pk,
                value=reached,
                milestone_done=done,
                as_of=as_of,
                reported_at=reported_at,
                note="演示数据",
            )
        )
        if len(batch) >= BATCH:
            ProgressUpdate.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    ProgressUpdate.objects.bulk_create(batch)
    return written + len(batch)


def _point_latest(plan_ids: list[int]) -> None:
    """Set each new target's latest update in one statement (the same rule as services)."""
    with connection.cursor() as cursor:
        for start in range(0, len(plan_ids), 1000):
            chunk = plan_ids[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"""
                UPDATE tracker_target SET latest_update_id = (
                    SELECT u.id FROM tracker_progressupdate u
                    WHERE u.target_id = tracker_target.id
                    ORDER BY u.as_of DESC, u.id DESC LIMIT 1
                )
                WHERE plan_id IN ({marks})
                """,
                chunk,
            )
