"""The demo layer: a town's monthly reporting loop on top of the faithful seed, as on 1 December 2026.

`python manage.py seed --demo` adds it; `python manage.py seed --remove-demo`
takes it away again, and only it. The seed itself (fixtures/seed/) stays
exactly what the documents say; everything here is made up and marked:

- departments (is_demo) for each seeded town, named as town offices are
  (经济发展办公室, 规划建设和管理办公室 …), and a lead department for every
  target of an active plan, chosen by the words of the target and its section;
- for 南海区's three towns, a 2026 plan (is_demo, "（演示）" in its title) built
  from the targets of their latest document, so that a ranking compares more
  than one town in the current year;
- users, all with the password DEMO_PASSWORD: a reporter per department
  (`xiqu-jingji`), a reviewer per town (`xiqu-reviewer`), a viewer per region
  above the towns (`nanhai-viewer`, `zhongshan-viewer`);
- a task 南海区 gave 丹灶镇 and 西樵镇 on 10 November (交办, through
  tracker.assignments, by `nanhai-jiaoban`): 丹灶's office (`danzao-dangzheng`)
  signed for it the next day and reported November, 西樵 has not signed;
- monthly reporting periods for every active plan, and eleven months of
  reports written through the workflow (report_save, report_submit,
  report_approve, report_return), each at the day it would have happened, so
  that history, the audit trail and timeliness read true. Every state occurs:
  approved, submitted (waiting for review), returned, draft and missing; on
  1 December 2026 targets are green, yellow, red and overdue.

Marking: plans and departments carry `is_demo`, which pages and the admin
show. Every other row the demo writes (users, memberships, periods, reports,
progress updates), and each seeded target it gave a lead department, is
listed in DemoRecord; notes start with DEMO_NOTE. A register rather than an
`is_demo` column on every table keeps append-only progress updates and
Django's own users untouched, and makes removal exact.

Everything is derived from names (no random seed depends on database ids), so
two databases get the same demo. A second `--demo` changes nothing.
"""

import datetime
import random
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from tracker import freshness
from tracker.assignments import assignment_create, receipt_sign
from tracker.choices import (
    AssignmentSource,
    Comparison,
    PlanStatus,
    ProgressBasis,
    ReportState,
    Role,
    TargetKind,
    TownKind,
)
from tracker.models import (
    Assignment,
    DemoRecord,
    Department,
    EvidenceFile,
    GoalSection,
    Membership,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReminderLog,
    ReportingPeriod,
    StatusSnapshot,
    Target,
    Town,
)
from tracker.workflow import (
    periods_generate,
    report_approve,
    report_return,
    report_save,
    report_submit,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_DAY = datetime.date(2026, 12, 1)  # the story is told as on this day (TRACKER_TODAY)
DEMO_YEAR = DEMO_DAY.year
DAY = datetime.timedelta(days=1)
DEMO_PASSWORD = "demo-2026-duban"
DEMO_NOTE = "【演示】"
DEMO_PLAN_SUFFIX = "（演示）"

# (username part, name, words in a target or its section that make it this office's)
OFFICES = [
    ("dangjian", "党建工作办公室", ("党", "作风", "廉洁", "干部", "宣讲", "国防", "征兵")),
    (
        "zongzhi",
        "综合治理办公室",
        ("安全", "应急", "治理", "平安", "矛盾", "法治", "普法", "信访", "网格", "消防"),
    ),
    (
        "shehui",
        "社会事务办公室",
        (
            "学位",
            "学校",
            "教育",
            "幼",
            "托",
            "医",
            "健康",
            "民生",
            "养老",
            "一老一小",
            "就业",
            "文化",
            "文体",
            "体育",
            "旅游",
            "文旅",
            "实事",
        ),
    ),  # fmt: skip
    ("nongye", "农业农村办公室", ("农业", "农村", "农房", "乡村", "村居", "集体经济", "复垦")),
    (
        "guihua",
        "规划建设和管理办公室",
        (
            "拆除",
            "拆旧",
            "土地",
            "用地",
            "规划",
            "建设",
            "改造",
            "旧改",
            "旧城",
            "城市",
            "道路",
            "公园",
            "片区",
            "载体",
            "容积率",
            "雨污",
            "生态",
            "空气",
            "水环境",
            "绿美",
            "整治",
        ),
    ),  # fmt: skip
    ("jingji", "经济发展办公室", ()),  # everything else: the economy office leads it
]
# A 街道 has no farms to speak of: its fourth office keeps the city in order.
SUBDISTRICT_OFFICE = ("chengguan", "城市管理办公室")

# Each town's reporting habits: the profiles its targets take in turn (see _Story).
TOWN_HABITS = {
    "xiqu": "AABCDAEFGBAC",
    "guicheng": "AAGABAFAC",
    "danzao": "BCDEF",
    "xiqiao": "A",
}
DEFAULT_HABIT = "ABCDEFG"
RETURN_REASON = "数据与台账不一致，请核实后重新报送。"


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int = 1) -> None:
        if count:
            self.created[name] = self.created.get(name, 0) + count

    @property
    def changed(self) -> bool:
        return bool(self.created)


# ---------------------------------------------------------------- register


def _register(instance: models.Model, changed_field: str = "", previous: str = "") -> None:
    DemoRecord.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=instance.pk,
        changed_field=changed_field,
        defaults={"previous_value": previous},
    )


def _registered(model: type[models.Model], changed_field: str = "") -> list[int]:
    return list(
        DemoRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(model), changed_field=changed_field
        ).values_list("object_id", flat=True)
    )


@contextmanager
def _clock(moment: datetime.datetime) -> Iterator[None]:
    """Write as if it were `moment`: every stamp (submitted, reviewed, reported, history).

    The demo replays a year of reporting through the real workflow functions,
    which stamp "now"; only a clock set for the duration of each step makes
    the stamps, and so timeliness and turnaround, read as they would have.
    Demo only: nothing else in the project sets the clock.
    """
    reported_at = ProgressUpdate._meta.get_field("reported_at")

    def now() -> datetime.datetime:
        return moment

    # A field keeps its callable default in `_get_default` once it has used it.
    with (
        mock.patch.object(timezone, "now", new=now),
        mock.patch.object(reported_at, "_get_default", new=now),
    ):
        yield


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- structure


def _offices(town: Town) -> list[tuple[str, str, tuple[str, ...]]]:
    if town.kind != TownKind.SUBDISTRICT:
        return OFFICES
    return [
        (SUBDISTRICT_OFFICE[0], SUBDISTRICT_OFFICE[1], words)
        if key == "nongye"
        else (key, name, words)
        for key, name, words in OFFICES
    ]


def _departments(town: Town, summary: DemoSummary) -> dict[str, Department]:
    found = {}
    for key, name, _words in _offices(town):
        department = Department.objects.filter(town=town, name=name).first()
        if department is None:
            department = Department(town=town, name=name, is_demo=True)
            department.full_clean()
            department.save()
            summary.add("departments")
        found[key] = department
    return found


def _office_for(target: Target, town: Town, sections: dict[int, GoalSection]) -> str:
    words = [target.title, target.metric]
    section = sections.get(target.section_id)
    while section is not None:
        words.append(section.title)
        section = sections.get(section.parent_id)
    text = " ".join(words)
    # The target's own words first, then its sections', from the nearest up.
    for piece in (f"{target.title} {target.metric}", text):
        for key, _name, keywords in _offices(town):
            if any(word in piece for word in keywords):
                return key
    return "jingji"


def _copy_plan(town: Town, source: Plan, summary: DemoSummary) -> Plan:
    """A 2026 plan for `town` with the sections and targets of `source`, marked as demo."""
    plan = Plan(
        town=town,
        year=DEMO_YEAR,
        title=f"{town.name}{DEMO_YEAR}年工作计划{DEMO_PLAN_SUFFIX}",
        theme=source.theme,
        theme_quote=source.theme_quote,
        status=PlanStatus.ACTIVE,
        is_demo=True,
    )
    plan.full_clean()
    plan.save()
    plan.documents.set(source.documents.all())
    summary.add("plans")
    shift = DEMO_YEAR - source.year
    copies: dict[int, GoalSection] = {}
    pending = list(source.sections.order_by("position", "id"))
    while pending:
        rest = []
        for section in pending:
            if section.parent_id and section.parent_id not in copies:
                rest.append(section)
                continue
            copies[section.pk] = GoalSection.objects.create(
                plan=plan,
                parent=copies.get(section.parent_id),
                position=section.position,
                label=section.label,
                title=section.title,
                grouping=section.grouping,
                summary=section.summary,
                source_document=section.source_document,
                quote=section.quote,
            )
            summary.add("sections")
        if len(rest) == len(pending):  # an orphan: cannot happen with a valid tree
            break
        pending = rest
    for target in source.targets.order_by("section_id", "position"):
        deadline = target.deadline
        if deadline is not None:
            deadline = deadline.replace(year=deadline.year + shift)
        copy = Target(
            plan=plan,
            section=copies[target.section_id],
            position=target.position,
            title=target.title,
            metric=target.metric,
            kind=target.kind,
            comparison=target.comparison,
            value=target.value,
            value_max=target.value_max,
            unit=target.unit,
            is_growth=target.is_growth,
            is_stretch=target.is_stretch,
            baseline=target.baseline,
            deadline=deadline,
            deadline_text=target.deadline_text,
            progress_basis=target.progress_basis,
            source_document=target.source_document,
            quote=target.quote,
        )
        copy.full_clean()
        copy.save()
        summary.add("targets")
    return plan


def _demo_plans(summary: DemoSummary, only: list[str] | None) -> None:
    """南海区's towns get a 2026 plan from their latest document's targets."""
    towns = Town.objects.filter(region__slug="nanhai").order_by("slug")
    for town in towns if only is None else towns.filter(slug__in=only):
        if Plan.objects.filter(town=town, year=DEMO_YEAR).exists():
            continue
        source = (
            Plan.objects.filter(town=town, is_demo=False, targets__isnull=False)
            .distinct()
            .order_by("-year")
            .first()
        )
        if source is not None:
            _copy_plan(town, source, summary)


def _user(username: str, label: str, summary: DemoSummary, password_hash: list[str]):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        if not password_hash:  # hashed once: thirty hashes would take seconds
            password_hash.append(make_password(DEMO_PASSWORD))
        user = User(username=username, last_name=label, password=password_hash[0])
        user.save()
        _register(user)
        summary.add("users")
    return user


def _membership(summary: DemoSummary, **fields) -> None:
    if Membership.objects.filter(**fields).exists():
        return
    membership = Membership(**fields)
    membership.full_clean()
    membership.save()
    _register(membership)
    summary.add("memberships")


# ---------------------------------------------------------------- the story


@dataclass(frozen=True)
class _Profile:
    """How a department reports on one target through the year.

    Months up to `last_month` are reported and approved, except where `states`
    says otherwise (the month's report stays a draft, waits for review, or is
    returned and not sent again); later months are not reported at all.
    """

    pace: float  # reached ÷ what the time gone calls for
    last_month: int  # the last month reported (0: never)
    late: bool = False  # tends to submit after the due date
    states: dict = field(default_factory=dict)


PROFILES = {
    # green: steady, November sent in early and waiting for review
    "A": _Profile(pace=1.12, last_month=11, states={11: ReportState.SUBMITTED}),
    # yellow: slower than the time gone; November saved as a draft
    "B": _Profile(pace=0.88, last_month=11, states={11: ReportState.DRAFT}),
    # red: far behind, October's report returned and not sent again
    "C": _Profile(pace=0.45, last_month=10, late=True, states={10: ReportState.RETURNED}),
    # red: stopped reporting after June (overdue since August)
    "D": _Profile(pace=0.95, last_month=6),
    # red: never reported
    "E": _Profile(pace=0, last_month=0),
    # on pace, but mostly late
    "F": _Profile(pace=1.1, last_month=10, late=True),
    # achieved early
    "G": _Profile(pace=1.6, last_month=10),
}


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(parts).encode("utf-8")))


def _reading(target: Target, profile: _Profile, month: int, rng: random.Random):
    """(value, milestone done) reported for the month: plausible, at the profile's pace."""
    share = Decimal(month) / 12
    pace = Decimal(str(profile.pace)) * Decimal(str(rng.uniform(0.93, 1.07)))
    if target.kind == TargetKind.MILESTONE:
        # Done once three quarters of the way at its pace: on time or early.
        return None, share * pace >= Decimal("0.75")
    value = target.value or Decimal(0)
    if target.comparison in (Comparison.LE, Comparison.LT):
        # A cap (事故起数不超过…): good departments stay well under it.
        reached = value * share * (2 - pace) * Decimal("0.8")
    elif target.progress_basis == ProgressBasis.PERIOD or target.is_growth:
        reached = value * min(pace, Decimal("1.3"))  # a rate: where it stands this month
    else:
        reached = value * min(share * pace, Decimal("1.2"))
    places = (
        Decimal("1")
        if target.unit in ("家", "个", "所", "件", "名", "人", "条")
        else Decimal("0.01")
    )
    if target.progress_basis == ProgressBasis.PERIOD or target.is_growth:
        places = Decimal("0.1")
    return max(Decimal(0), reached.quantize(places, rounding=ROUND_HALF_UP)), None


def _note(target: Target, month: int, done: bool | None) -> str:
    if target.kind == TargetKind.MILESTONE:
        body = "已完成。" if done else "按计划推进中。"
    else:
        body = (
            f"截至{month}月底累计完成情况如上。"
            if target.progress_basis != ProgressBasis.PERIOD
            else f"{month}月当期数据。"
        )
    return f"{DEMO_NOTE}{body}"


def _tell(
    target: Target,
    habit: str,
    index: int,
    periods: list[ReportingPeriod],
    reporter,
    reviewer,
    summary: DemoSummary,
) -> None:
    """One target's year of reports, each written on the day it happened."""
    profile = PROFILES[habit[index % len(habit)]]
    rng = _rng(target.plan.town.slug, str(target.plan.year), target.title, str(index))
    for period in periods:
        month = period.starts_on.month
        if period.ends_on >= DEMO_DAY or month > profile.last_month:
            break
        value, done = _reading(target, profile, month, rng)
        state = profile.states.get(month, ReportState.APPROVED)
        late = profile.late and rng.random() < 0.7
        lateness = rng.randint(2, 9) if late else -rng.randint(0, 4)
        # Nothing happens on or after DEMO_DAY: November's report, due on 5
        # December, is in only if it was sent in the last days of November.
        submitted_on = min(period.due_on + datetime.timedelta(days=lateness), DEMO_DAY - DAY)
        with _clock(_at(submitted_on, 9)):
            report = report_save(
                user=reporter,
                target=target,
                period=period,
                value=value,
                milestone_done=done,
                as_of=period.ends_on,
                note=_note(target, month, done),
            )
        _register(report)
        summary.add("reports")
        if state == ReportState.DRAFT:
            continue
        with _clock(_at(submitted_on, 10)):
            report = report_submit(user=reporter, report=report)
        reviewed_on = submitted_on + datetime.timedelta(days=rng.randint(1, 4))
        if state == ReportState.SUBMITTED or reviewed_on >= DEMO_DAY:
            continue
        with _clock(_at(reviewed_on, 15)):
            if state == ReportState.RETURNED:
                report_return(user=reviewer, report=report, reason=RETURN_REASON)
            else:
                report = report_approve(user=reviewer, report=report)
                _register(report.update)
                summary.add("progress updates")


@transaction.atomic
def demo_add(*, towns: list[str] | None = None, tasks: bool | None = None) -> DemoSummary:
    """Add the demo layer (see the module doc); a second call adds nothing.

    `towns` (slugs) limits it to some towns: the tests tell a short story.
    `tasks`: whether 南海区 gives its towns a task (交办, `_assigned_task`); by
    default in the whole demo only, so that a short story's figures are its plans'.
    """
    tasks = towns is None if tasks is None else tasks
    summary = DemoSummary()
    password_hash: list[str] = []
    _demo_plans(summary, towns)
    chosen = Town.objects.filter(plans__status=PlanStatus.ACTIVE)
    if towns is not None:
        chosen = chosen.filter(slug__in=towns)
    towns = list(chosen.distinct().order_by("slug"))
    for town in towns:
        offices = _departments(town, summary)
        reviewer = _user(
            f"{town.slug}-reviewer", f"{town.name}督查室审核员（演示）", summary, password_hash
        )
        _membership(summary, user=reviewer, town=town, role=Role.REVIEWER)
        reporters = {}
        for key, department in offices.items():
            reporter = _user(
                f"{town.slug}-{key}",
                f"{town.name}{department.name}填报员（演示）",
                summary,
                password_hash,
            )
            _membership(
                summary, user=reporter, town=town, department=department, role=Role.REPORTER
            )
            reporters[department.pk] = reporter
        for plan in town.plans.filter(status=PlanStatus.ACTIVE).order_by("year"):
            before = {period.pk for period in plan.periods.all()}
            periods = periods_generate(plan=plan)
            for period in periods:
                if period.pk not in before:
                    _register(period)
                    summary.add("periods")
            sections = {section.pk: section for section in plan.sections.all()}
            targets = list(
                plan.targets.select_related("plan__town").order_by("section_id", "position")
            )
            habit = TOWN_HABITS.get(town.slug, DEFAULT_HABIT)
            for index, target in enumerate(targets):
                if target.assignment_id is not None:
                    continue  # a task's receipt: its town names its lead department on signing
                if target.lead_department_id is None:
                    department = offices[_office_for(target, town, sections)]
                    if not plan.is_demo:
                        _register(target, "lead_department", "")
                    # Not anyone's edit: kept out of the target's history, and
                    # put back by demo_remove.
                    Target.objects.filter(pk=target.pk).update(lead_department=department)
                    target.lead_department = department
                    summary.add("lead departments")
                if (
                    target.reports.exists()
                    or target.updates.filter(reported_by__isnull=False).exists()
                ):
                    continue  # told already (or someone real reported): leave it
                reporter = reporters.get(target.lead_department_id)
                if reporter is None:
                    continue  # led by a real department: no demo reporter speaks for it
                _tell(target, habit, index, periods, reporter, reviewer, summary)
    for region in Region.objects.filter(towns__in=towns).distinct().order_by("slug"):
        viewer = _user(
            f"{region.slug}-viewer", f"{region.name}督查室（演示）", summary, password_hash
        )
        _membership(summary, user=viewer, region=region, role=Role.VIEWER)
    if tasks:
        _assigned_task(summary, password_hash)
    freshness.bump()  # some writes above are .update() calls, which send no signal
    return summary


# 交办: 南海区 gives two of its towns a task on 10 November, to be signed for in 3 days.
TASK_DAY = datetime.date(DEMO_YEAR, 11, 10)
TASK_TOWNS = ("danzao", "xiqiao")  # 丹灶 signs and reports; 西樵 has not signed


def _assigned_task(summary: DemoSummary, password_hash: list[str]) -> None:
    """南海区's task to 丹灶镇 and 西樵镇, given through tracker.assignments as a district's
    editor would; 丹灶's office signs it the next day and reports November, 西樵 never signs."""
    region = Region.objects.filter(slug="nanhai").first()
    towns = list(
        Town.objects.filter(
            region=region,
            slug__in=TASK_TOWNS,
            plans__year=DEMO_YEAR,
            plans__status=PlanStatus.ACTIVE,
        ).order_by("slug")
    )
    if region is None or not towns or _registered(Assignment):
        return
    editor = _user("nanhai-jiaoban", "南海区政府督查室交办员（演示）", summary, password_hash)
    _membership(summary, user=editor, region=region, role=Role.EDITOR)
    with _clock(_at(TASK_DAY, 9)):
        assignment = assignment_create(
            user=editor,
            assignment=Assignment(
                title="开展岁末年初安全生产大检查（演示）",
                request=(
                    "对辖区内工贸企业、人员密集场所和在建工地开展安全生产隐患排查，"
                    "11月底前完成排查，12月25日前完成问题整改，整改情况按月报送。"
                ),
                source_kind=AssignmentSource.MEETING,
                source_title="2026年11月9日区政府常务会议（演示）",
                region=region,
                issued_on=TASK_DAY,
                deadline=datetime.date(DEMO_YEAR, 12, 31),
                sign_within_days=3,
                is_key=True,
            ),
            receivers=towns,
            nodes=[
                {"due_on": datetime.date(DEMO_YEAR, 11, 30), "name": "完成隐患排查"},
                {"due_on": datetime.date(DEMO_YEAR, 12, 25), "name": "完成问题整改"},
            ],
        )
    _register(assignment)
    summary.add("assigned tasks")
    town = towns[0]
    office = _user(
        f"{town.slug}-dangzheng", f"{town.name}党政办收文员（演示）", summary, password_hash
    )
    _membership(summary, user=office, town=town, role=Role.EDITOR)
    receipt = assignment.receipts.get(plan__town=town)
    lead = Department.objects.get(town=town, name="综合治理办公室")
    with _clock(_at(TASK_DAY + DAY, 15)):
        receipt_sign(user=office, receipt=receipt, lead_department=lead, owner_name="陈志强")
    reporter = Membership.objects.filter(town=town, department=lead, role=Role.REPORTER).first()
    reviewer = Membership.objects.filter(town=town, role=Role.REVIEWER).first()
    if reporter is None or reviewer is None:
        return
    november = ReportingPeriod.objects.get(
        plan=receipt.plan, starts_on=datetime.date(DEMO_YEAR, 11, 1)
    )
    with _clock(_at(datetime.date(DEMO_YEAR, 11, 30), 16)):
        report = report_save(
            user=reporter.user,
            target=Target.objects.get(pk=receipt.pk),
            period=november,
            milestone_done=False,
            as_of=datetime.date(DEMO_YEAR, 11, 30),
            note=f"{DEMO_NOTE}已排查企业126家，发现隐患43处，已整改31处，其余12处限期12月20日前整改。",
        )
        report = report_submit(user=reporter.user, report=report)
    with _clock(_at(datetime.date(DEMO_YEAR, 12, 1), 9)):
        report_approve(user=reviewer.user, report=report)
    # The demo's step "完成隐患排查" was done on time.
    receipt.nodes.filter(name="完成隐患排查").update(done_on=datetime.date(DEMO_YEAR, 11, 28))


def demo_logins() -> list[tuple[str, str]]:
    """(username, what the user is) of every demo user, in order."""
    User = get_user_model()
    return list(
        User.objects.filter(pk__in=_registered(User))
        .order_by("username")
        .values_list("username", "last_name")
    )


# ---------------------------------------------------------------- removal


def _delete_history(model: type[models.Model], ids: set[int]) -> None:
    if ids and hasattr(model, "history"):
        model.history.model.objects.filter(id__in=ids).delete()


@transaction.atomic
def demo_remove() -> DemoSummary:
    """Remove the demo layer and only it; what hangs off demo rows goes with them.

    Reports and progress updates of demo periods, targets, departments and
    users are demo data whoever wrote them (someone trying the demo). Seeded
    targets get their lead department back (none) and their latest update is
    worked out again from the updates that remain. Progress updates are
    otherwise never deleted: on PostgreSQL the append-only trigger is switched
    off for this one transaction.
    """
    summary = DemoSummary()
    User = get_user_model()
    users = set(_registered(User))
    plans = set(Plan.objects.filter(is_demo=True).values_list("pk", flat=True))
    departments = set(Department.objects.filter(is_demo=True).values_list("pk", flat=True))
    sections = set(GoalSection.objects.filter(plan__in=plans).values_list("pk", flat=True))
    targets = set(Target.objects.filter(plan__in=plans).values_list("pk", flat=True))
    periods = set(_registered(ReportingPeriod)) | set(
        ReportingPeriod.objects.filter(plan__in=plans).values_list("pk", flat=True)
    )
    reports = ProgressReport.objects.filter(
        models.Q(pk__in=_registered(ProgressReport))
        | models.Q(period__in=periods)
        | models.Q(target__in=targets)
        | models.Q(department__in=departments)
        | models.Q(created_by__in=users)
    )
    report_ids = set(reports.values_list("pk", flat=True))
    update_ids = (
        set(_registered(ProgressUpdate))
        | set(ProgressUpdate.objects.filter(target__in=targets).values_list("pk", flat=True))
        | set(ProgressUpdate.objects.filter(reported_by__in=users).values_list("pk", flat=True))
        | set(
            ProgressReport.objects.filter(pk__in=report_ids, update__isnull=False).values_list(
                "update_id", flat=True
            )
        )
    )
    touched = (
        set(ProgressUpdate.objects.filter(pk__in=update_ids).values_list("target_id", flat=True))
        - targets
    )
    # Month-end statuses judged on the demo (its readings, or its periods, which make
    # a report due) go too; `snapshot_statuses` keeps them again from what remains.
    judged = StatusSnapshot.objects.filter(
        models.Q(target__in=touched | targets) | models.Q(target__plan__periods__in=periods)
    )
    summary.add("status snapshots", judged.delete()[0])

    for evidence in EvidenceFile.objects.filter(report__in=report_ids):
        evidence.file.delete(save=False)
        evidence.delete()
    summary.add("reports", len(report_ids))
    ProgressReport.objects.filter(pk__in=report_ids).delete()
    _delete_history(ProgressReport, report_ids)
    ReminderLog.objects.filter(
        models.Q(department__in=departments) | models.Q(period__in=periods)
    ).delete()

    # Seeded targets: no pointer may reach a demo update while it is deleted.
    Target.objects.filter(pk__in=touched).update(latest_update=None)
    Target.objects.filter(pk__in=targets).update(latest_update=None)
    _delete_updates(update_ids)
    summary.add("progress updates", len(update_ids))
    _delete_history(ProgressUpdate, update_ids)
    _point_latest(touched)

    ReportingPeriod.objects.filter(pk__in=periods).delete()
    summary.add("periods", len(periods))
    Membership.objects.filter(
        models.Q(user__in=users) | models.Q(department__in=departments)
    ).delete()

    for record in DemoRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Target), changed_field="lead_department"
    ):
        previous = int(record.previous_value) if record.previous_value else None
        Target.objects.filter(pk=record.object_id).update(lead_department_id=previous)
        summary.add("lead departments")

    # Tasks the demo gave, with their receipts (in the demo's plans, deleted just below).
    assignments = set(_registered(Assignment))
    Plan.objects.filter(pk__in=plans).delete()  # with their sections and targets
    summary.add("plans", len(plans))
    for model, ids in ((Plan, plans), (GoalSection, sections), (Target, targets)):
        _delete_history(model, ids)
    Assignment.objects.filter(pk__in=assignments).delete()
    _delete_history(Assignment, assignments)
    summary.add("assigned tasks", len(assignments))
    Target.helping_departments.through.objects.filter(department__in=departments).delete()
    Department.objects.filter(pk__in=departments).delete()
    _delete_history(Department, departments)
    summary.add("departments", len(departments))
    User.objects.filter(pk__in=users).delete()
    summary.add("users", len(users))
    DemoRecord.objects.all().delete()
    freshness.bump()  # most of the removal is queryset .update()/.delete() and raw SQL
    return summary


def _delete_updates(ids: set[int]) -> None:
    if not ids:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # ALTER TABLE refuses while deferred foreign-key checks of this
            # transaction are pending: run them now, before each ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE tracker_progressupdate DISABLE TRIGGER tracker_progressupdate_append_only"
            )
            # Corrections among the demo updates point at each other: clear first.
            cursor.execute(
                "UPDATE tracker_progressupdate SET corrects_id = NULL WHERE id = ANY(%s)",
                [list(ids)],
            )
            cursor.execute("DELETE FROM tracker_progressupdate WHERE id = ANY(%s)", [list(ids)])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE tracker_progressupdate ENABLE TRIGGER tracker_progressupdate_append_only"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    # ProgressUpdate.delete() refuses (append-only); the demo's own rows go by SQL.
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"UPDATE tracker_progressupdate SET corrects_id = NULL WHERE id IN ({marks})", list(ids)
        )
        cursor.execute(f"DELETE FROM tracker_progressupdate WHERE id IN ({marks})", list(ids))


def _point_latest(target_ids: set[int]) -> None:
    """Each target's latest update again, by the rule of services.progress_record."""
    for target_id in target_ids:
        latest = (
            ProgressUpdate.objects.filter(target_id=target_id).order_by("-as_of", "-id").first()
        )
        Target.objects.filter(pk=target_id).update(latest_update=latest)
