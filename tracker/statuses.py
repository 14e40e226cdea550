"""Statuses kept in the database (JudgedStatus), so that summaries and rollups count in SQL.

The rule is tracker/progress.py's and lives only there: a kept status is what
`progress.assess` said of the target, judged in Python on the same rows as the
read model reads (`selectors.fact_rows`). What this module adds is when a kept
status may be counted, and the counting.

A kept status is current (`current()`) when all three hold; anything else is
stale and never counted as it stands:
  - it was judged on the day asked about (`judged_on`): when the day changes,
    every status is stale until it is judged again (the daily command
    `judge_statuses` does it before readers ask);
  - by this rule (`rule`): a digest of the rule's code (tracker/progress.py, and
    the code that reads a target's facts for it) and of the thresholds in
    settings, so a new release or a changed setting makes every status stale;
  - on the inputs as they are now (`judged_stamp == stamp`): the database moves
    `stamp` on (triggers, `install_triggers`) whenever the target's row changes
    (any column: its facts, its latest update), one of its nodes or progress
    updates is written or deleted, or its plan's row or reporting periods change
    (the first report's due date). Triggers, because they see every write: a
    service, the admin, a queryset's update(), raw SQL, a future feature.

Counting (`tallies`): one aggregate query counts the current statuses by a key
(section, town, plan); if some were stale, they are judged then, in bulk, counted
in from memory, and kept for the next reader. The stamp is read in the same
statement as the facts, so a status is never kept with a stamp newer than the
facts it was judged on: a write committed in between leaves it stale.

Keeping from a read never waits and never inserts: it locks the stale rows it
can (`SKIP LOCKED`), updates those, and leaves the rest to the next reader. A
writer's triggers may thus wait for a reader's transaction, never the reverse,
so readers and writers cannot deadlock; and a read failing to keep anything
still answers rightly. `judge_stale` (the daily command) keeps every status,
making any missing row.
"""

import hashlib
import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When

from tracker import progress
from tracker.choices import Status
from tracker.models import JudgedStatus, Target

logger = logging.getLogger(__name__)

# Rows judged and kept per batch by `judge_stale` (the daily command).
BATCH = 2000
# In Status order (Status.values builds its list anew at every call).
STATUSES = tuple(Status.values)


@cache
def _rule_code() -> str:
    """A digest of the code the status is computed by: the rule and the facts it reads."""
    from tracker import selectors  # selectors counts through this module
    from tracker.models import TargetNode

    parts = [progress, selectors.facts_of, selectors.reading_of, TargetNode.as_progress_node]
    digest = hashlib.sha256()
    for part in parts:
        try:
            digest.update(inspect.getsource(part).encode())
        except (OSError, TypeError):  # no source at hand: the module's name at least
            digest.update(getattr(part, "__qualname__", repr(part)).encode())
    return digest.hexdigest()[:32]


def rule_key(thresholds: progress.Thresholds) -> str:
    """The rule a status is judged by: its code's digest and the thresholds."""
    return f"{_rule_code()}:{thresholds.on_track}:{thresholds.at_risk}"


def capped(percent: Decimal | None) -> Decimal | None:
    """A percent as the means count it: at most 100, so one overshoot hides no laggard."""
    return None if percent is None else min(percent, progress.HUNDRED)


def current(today, rule: str, prefix: str = "judged__") -> Q:
    """Targets (or, with prefix "", JudgedStatus rows) whose kept status is current."""
    return Q(
        **{
            f"{prefix}judged_on": today,
            f"{prefix}rule": rule,
            f"{prefix}judged_stamp": F(f"{prefix}stamp"),
        }
    )


def stale(targets: QuerySet[Target], today, rule: str) -> QuerySet[Target]:
    """The targets of `targets` whose kept status is not current (or missing)."""
    # A Case, not ~Q(...): a missing row (NULLs) must read as stale, not as unknown.
    return targets.alias(
        _current=Case(When(current(today, rule), then=Value(True)), default=Value(False))
    ).filter(_current=False)


# --- judging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """A target judged now: its row (fact_rows), its assessment and the stamp its facts had."""

    row: dict
    assessment: progress.Assessment

    @property
    def stamp(self) -> int | None:
        return self.row["judged__stamp"]


def judge(
    targets: QuerySet[Target], today, thresholds: progress.Thresholds, *extra: str
) -> list[Judged]:
    """`targets` judged by the rule on `today`, with their stamps (and `extra` columns).

    Two queries (`selectors.fact_rows`). The stamp is read in the rows' own
    statement: never newer than the facts it goes with.
    """
    from tracker import selectors

    rows = selectors.fact_rows(targets, "judged__stamp", *extra)
    return [
        Judged(
            row,
            progress.assess(selectors.facts_of(row), selectors.reading_of(row), today, thresholds),
        )
        for row in rows
    ]


UPDATE = (
    "UPDATE tracker_judgedstatus SET judged_stamp = %s, judged_on = %s, rule = %s, "
    "status = %s, percent = %s WHERE target_id = %s"
)
UPSERT = (
    "INSERT INTO tracker_judgedstatus "
    "(target_id, plan_id, judged_stamp, judged_on, rule, status, percent) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (target_id) DO UPDATE SET "
    "judged_stamp = excluded.judged_stamp, judged_on = excluded.judged_on, "
    "rule = excluded.rule, status = excluded.status, percent = excluded.percent"
)


def _values(connection, judged: Judged, today, rule: str) -> tuple:
    ops = connection.ops
    return (
        -1 if judged.stamp is None else judged.stamp,
        ops.adapt_datefield_value(today),
        rule,
        judged.assessment.status,
        ops.adapt_decimalfield_value(capped(judged.assessment.percent), 5, 2),
    )


def keep_from_read(judged: list[Judged], today, rule: str) -> int:
    """Keep statuses judged by a read, as far as it can without waiting; how many were kept.

    Two queries (none for nothing judged): the rows it may take (those no writer
    holds: SKIP LOCKED on PostgreSQL), and their update. A row missing is left to
    `judge_stale`: inserting could wait for a writer's new target. A database
    error (a locked SQLite file) keeps nothing and is only logged.
    """
    by_pk = {j.row["pk"]: j for j in judged if j.stamp is not None}
    if not by_pk:
        return 0
    alias = router.db_for_write(JudgedStatus)
    connection = connections[alias]
    try:
        with transaction.atomic(using=alias):
            free = (
                JudgedStatus.objects.using(alias)
                .select_for_update(skip_locked=True)
                .filter(pk__in=sorted(by_pk))
                .order_by()
                .values_list("pk", flat=True)
            )
            params = [(*_values(connection, by_pk[pk], today, rule), pk) for pk in sorted(free)]
            if params:
                with connection.cursor() as cursor:
                    cursor.executemany(UPDATE, params)
            return len(params)
    except DatabaseError:
        logger.warning("judged statuses not kept (%d rows); the next read judges them again",
                       len(by_pk), exc_info=True)  # fmt: skip
        return 0


def keep(judged: list[Judged], today, rule: str) -> None:
    """Keep statuses, making missing rows (the daily command; it may wait for writers)."""
    if not judged:
        return
    alias = router.db_for_write(JudgedStatus)
    connection = connections[alias]
    params = [
        (j.row["pk"], j.row["plan_id"], *_values(connection, j, today, rule))
        for j in sorted(judged, key=lambda j: j.row["pk"])
    ]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.executemany(UPSERT, params)


def judge_stale(targets: QuerySet[Target], today) -> int:
    """Judge and keep every status of `targets` not current on `today`; how many there were.

    In batches of BATCH targets (three queries each).
    """
    thresholds = progress.configured_thresholds()
    rule = rule_key(thresholds)
    ids = list(stale(targets, today, rule).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = Target.objects.filter(pk__in=ids[start : start + BATCH])
        keep(judge(batch, today, thresholds), today, rule)
    return len(ids)


# --- counting --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Targets counted by status, and their mean percent complete (each counted at most 100)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    percent_sum: Decimal = Decimal(0)
    percent_count: int = 0

    @property
    def target_count(self) -> int:
        return sum(self.counts.values())

    @property
    def mean_percent(self) -> Decimal | None:
        if not self.percent_count:
            return None
        return (self.percent_sum / self.percent_count).quantize(progress.CENT)

    def add(self, status: str, percent: Decimal | None, n: int = 1) -> None:
        self.counts[status] += n
        if percent is not None:
            self.percent_sum += percent
            self.percent_count += n

    def add_tally(self, other: "Tally") -> None:
        for status, n in other.counts.items():
            self.counts[status] += n
        self.percent_sum += other.percent_sum
        self.percent_count += other.percent_count


def tally_of(assessments: Iterable[progress.Assessment]) -> Tally:
    """The tally of assessments at hand (rows the read model has judged)."""
    tally = Tally()
    for assessment in assessments:
        tally.add(assessment.status, capped(assessment.percent))
    return tally


def tallies(targets: QuerySet[Target], by: str, today) -> dict[Any, Tally]:
    """`targets` counted by status and by the column `by` ("section_id", "plan_id", ...).

    One aggregate query while every status is current; when some are stale,
    three or four more (`judge`, `keep_from_read`), whatever the number of rows.
    Keys without targets are absent.
    """
    thresholds = progress.configured_thresholds()
    rule = rule_key(thresholds)
    found: dict[Any, Tally] = {}
    stale_count = 0
    grouped = targets.order_by().values(by, "judged__status").annotate(**_aggregates(today, rule))
    for group in grouped:
        stale_count += group["n"] - group["fresh_n"]
        _count_in(found, group[by], group["judged__status"], group)
    if stale_count:
        judged = judge(stale(targets, today, rule), today, thresholds, by)
        for each in judged:
            found.setdefault(each.row[by], Tally()).add(
                each.assessment.status, capped(each.assessment.percent)
            )
        keep_from_read(judged, today, rule)
    return found


def _aggregates(today, rule: str, prefix: str = "judged__") -> dict[str, Any]:
    """What `_count_in` reads of a group of kept statuses (reached from the rows grouped
    by `prefix`, "" for JudgedStatus's own): all of them, the current ones, and the
    current ones' percents."""
    fresh = current(today, rule, prefix)
    return {
        "n": Count("pk"),
        "fresh_n": Count("pk", filter=fresh),
        "percent_n": Count(f"{prefix}percent", filter=fresh),
        "percent_sum": Sum(f"{prefix}percent", filter=fresh),
    }


def _count_in(found: dict[Any, Tally], key, status: str, group: dict) -> None:
    """A group of an aggregate over kept statuses (n, fresh_n, percent_n, percent_sum)
    counted into `found[key]`: its current statuses only."""
    if not group["fresh_n"]:
        return
    tally = found.setdefault(key, Tally())
    tally.counts[status] += group["fresh_n"]
    if group["percent_n"]:
        # SQLite sums decimals as floats: back to cents (every percent has two places).
        tally.percent_sum += Decimal(group["percent_sum"]).quantize(progress.CENT)
        tally.percent_count += group["percent_n"]


def plan_tallies(plan_ids: Iterable[int], today) -> dict[int, Tally]:
    """Every target of these plans counted by plan and status, from the kept statuses alone.

    Each kept status carries its target's plan (JudgedStatus.plan, kept by the
    triggers), so the count reads one narrow table by its (plan, status) index
    rather than joining every target: a province's 250,000 targets, 330 ms
    joined, 60 ms so. Two queries while every status is current: the targets'
    number by plan (an index-only count), then the statuses' counts. A plan with
    a stale status, or with fewer or more kept rows than targets (a row missing
    or a plan not yet moved), is counted by `tallies`, which judges what it must.
    Plans without targets are absent.
    """
    plan_ids = list(plan_ids)
    if not plan_ids:
        return {}
    rule = rule_key(progress.configured_thresholds())
    targets = dict(
        Target.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values_list("plan_id")
        .annotate(n=Count("pk"))
    )
    found: dict[int, Tally] = {}
    kept: dict[int, int] = {}
    unsure: set[int] = set()
    for group in (
        JudgedStatus.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values("plan_id", "status")
        .annotate(**_aggregates(today, rule, prefix=""))
    ):
        plan_id = group["plan_id"]
        kept[plan_id] = kept.get(plan_id, 0) + group["n"]
        if group["fresh_n"] != group["n"]:
            unsure.add(plan_id)
        _count_in(found, plan_id, group["status"], group)
    unsure |= {
        plan_id
        for plan_id in targets.keys() | kept.keys()
        if targets.get(plan_id) != kept.get(plan_id)
    }
    for plan_id in unsure:
        found.pop(plan_id, None)
    if unsure:
        found.update(tallies(Target.objects.filter(plan_id__in=sorted(unsure)), "plan_id", today))
    return found


# --- the triggers that move the stamp on ----------------------------------------------------

BUMP = "UPDATE tracker_judgedstatus SET stamp = stamp + 1 WHERE target_id"
BUMP_PLAN = f"{BUMP} IN (SELECT id FROM tracker_target WHERE plan_id = {{}})"
# A target's own row changed: its stamp, and the plan kept beside it (it may have moved).
BUMP_TARGET = (
    "UPDATE tracker_judgedstatus SET stamp = stamp + 1, plan_id = NEW.plan_id "
    "WHERE target_id = NEW.id"
)

# (name, table, events, statements per row: NEW/OLD as the event has them).
# PostgreSQL skips an update that changed nothing (Django saves every column).
SQLITE_TRIGGERS = [
    ("tracker_judged_target_made", "tracker_target", "INSERT",
     ["INSERT OR IGNORE INTO tracker_judgedstatus (target_id, plan_id) VALUES (NEW.id, NEW.plan_id)"]),
    ("tracker_judged_target_changed", "tracker_target", "UPDATE", [BUMP_TARGET]),
    ("tracker_judged_node_made", "tracker_targetnode", "INSERT", [f"{BUMP} = NEW.target_id"]),
    ("tracker_judged_node_changed", "tracker_targetnode", "UPDATE",
     [f"{BUMP} = OLD.target_id", f"{BUMP} = NEW.target_id"]),
    ("tracker_judged_node_deleted", "tracker_targetnode", "DELETE", [f"{BUMP} = OLD.target_id"]),
    ("tracker_judged_update_changed", "tracker_progressupdate", "UPDATE",
     [f"{BUMP} = OLD.target_id", f"{BUMP} = NEW.target_id"]),
    ("tracker_judged_update_deleted", "tracker_progressupdate", "DELETE",
     [f"{BUMP} = OLD.target_id"]),
    ("tracker_judged_period_made", "tracker_reportingperiod", "INSERT",
     [BUMP_PLAN.format("NEW.plan_id")]),
    ("tracker_judged_period_changed", "tracker_reportingperiod", "UPDATE",
     [BUMP_PLAN.format("OLD.plan_id"), BUMP_PLAN.format("NEW.plan_id")]),
    ("tracker_judged_period_deleted", "tracker_reportingperiod", "DELETE",
     [BUMP_PLAN.format("OLD.plan_id")]),
    ("tracker_judged_plan_changed", "tracker_plan", "UPDATE", [BUMP_PLAN.format("NEW.id")]),
]  # fmt: skip

POSTGRESQL_FUNCTIONS = {
    "tracker_judged_target_made": """
        INSERT INTO tracker_judgedstatus (target_id, plan_id) VALUES (NEW.id, NEW.plan_id)
            ON CONFLICT (target_id) DO NOTHING;""",
    "tracker_judged_target_changed": f"{BUMP_TARGET};",
    "tracker_judged_part_changed": f"""
        IF TG_OP <> 'INSERT' THEN {BUMP} = OLD.target_id; END IF;
        IF TG_OP <> 'DELETE' THEN {BUMP} = NEW.target_id; END IF;""",
    "tracker_judged_period_changed": f"""
        IF TG_OP <> 'INSERT' THEN {BUMP_PLAN.format("OLD.plan_id")}; END IF;
        IF TG_OP <> 'DELETE' THEN {BUMP_PLAN.format("NEW.plan_id")}; END IF;""",
    "tracker_judged_plan_changed": f"{BUMP_PLAN.format('NEW.id')};",
}
# (trigger and its function, table, events, condition)
POSTGRESQL_TRIGGERS = [
    ("tracker_judged_target_made", "tracker_target", "INSERT", ""),
    ("tracker_judged_target_changed", "tracker_target", "UPDATE",
     "WHEN (OLD.* IS DISTINCT FROM NEW.*)"),
    ("tracker_judged_part_changed", "tracker_targetnode", "INSERT OR UPDATE OR DELETE", ""),
    ("tracker_judged_part_changed", "tracker_progressupdate", "UPDATE OR DELETE", ""),
    ("tracker_judged_period_changed", "tracker_reportingperiod", "INSERT OR UPDATE OR DELETE",
     ""),
    ("tracker_judged_plan_changed", "tracker_plan", "UPDATE", "WHEN (OLD.* IS DISTINCT FROM NEW.*)"),
]  # fmt: skip


def _statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            statement
            for name, table, event, body in SQLITE_TRIGGERS
            for statement in (
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                + " ".join(f"{line};" for line in body)
                + " END",
            )
        ]
    if vendor == "postgresql":
        functions = [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
            for name, body in POSTGRESQL_FUNCTIONS.items()
        ]
        triggers = [
            statement
            for name, table, events, condition in POSTGRESQL_TRIGGERS
            for trigger in [f"{name}_{table.removeprefix('tracker_')}"]
            for statement in (
                f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
                f"CREATE TRIGGER {trigger} AFTER {events} ON {table} FOR EACH ROW {condition} "
                f"EXECUTE FUNCTION {name}()",
            )
        ]
        return functions + triggers
    raise NotImplementedError(f"judged statuses need triggers for {vendor}")


# Between migrations 0016 and 0017 (or migrated back) the table has no plan column:
# the same triggers without it.
WITHOUT_PLAN = {
    "(target_id, plan_id) VALUES (NEW.id, NEW.plan_id)": "(target_id) VALUES (NEW.id)",
    BUMP_TARGET: f"{BUMP} = NEW.id",
}


def keeps_plan(connection) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "tracker_judgedstatus")
    return any(column.name == "plan_id" for column in columns)


def install_triggers(connection) -> None:
    """Install (again) the triggers that move the stamps on, and make any missing row.

    Run by migrations 0016 and 0017 (back and forth) and after every `migrate`
    (tracker/apps.py): SQLite drops a table's triggers when a migration remakes
    the table.
    """
    with_plan = keeps_plan(connection)
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor):
            if not with_plan:
                for old, new in WITHOUT_PLAN.items():
                    statement = statement.replace(old, new)
            cursor.execute(statement)
        if not with_plan:
            cursor.execute(
                "INSERT INTO tracker_judgedstatus (target_id) SELECT id FROM tracker_target t "
                "WHERE NOT EXISTS (SELECT 1 FROM tracker_judgedstatus j WHERE j.target_id = t.id)"
            )
            return
        cursor.execute(
            "INSERT INTO tracker_judgedstatus (target_id, plan_id) SELECT id, plan_id "
            "FROM tracker_target t "
            "WHERE NOT EXISTS (SELECT 1 FROM tracker_judgedstatus j WHERE j.target_id = t.id)"
        )
        # Rows made before their plan was kept beside them (migration 0017).
        cursor.execute(
            "UPDATE tracker_judgedstatus SET plan_id = (SELECT t.plan_id FROM tracker_target t "
            "WHERE t.id = tracker_judgedstatus.target_id) WHERE plan_id IS NULL"
        )


def installed_triggers(connection) -> set[str]:
    """The names of the stamps' triggers present in the database (for the tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'tracker_judged_%%'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgname LIKE 'tracker_judged_%%'"
            )
        return {name for (name,) in cursor.fetchall()}


def expected_triggers(vendor: str) -> set[str]:
    if vendor == "sqlite":
        return {name for name, *_rest in SQLITE_TRIGGERS}
    return {
        f"{name}_{table.removeprefix('tracker_')}" for name, table, *_rest in POSTGRESQL_TRIGGERS
    }


def remove_triggers(connection) -> None:
    """Drop the stamps' triggers (migration 0015 unapplied)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in expected_triggers("sqlite"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return
        for name, table, *_rest in POSTGRESQL_TRIGGERS:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {name}_{table.removeprefix('tracker_')} ON {table}"
            )
        for name in POSTGRESQL_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def reinstall_after_migrate(using: str = "default", **kwargs) -> None:
    """post_migrate: the triggers again, if the table is there (see `install_triggers`)."""
    connection = connections[using]
    if "tracker_judgedstatus" in connection.introspection.table_names():
        install_triggers(connection)
