"""Kept statuses (tracker/statuses.py) count exactly what the rule (tracker/progress.py) says.

Two properties, on SQLite and on PostgreSQL alike:
- whatever the targets, readings, node schedules, periods, day and thresholds,
  the counts read from the kept statuses by SQL equal the rule's, target by
  target and as totals and means (`test_counted_in_sql_as_the_rule_judges`);
- whatever writes happen between reads (progress, target edits, nodes, periods,
  the plan, the day, the thresholds), no stale status is ever counted
  (`test_no_write_leaves_a_stale_status_counted`).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests import factories
from tracker import selectors, statuses
from tracker.choices import Comparison, PlanStatus, TargetKind
from tracker.models import JudgedStatus, ProgressUpdate, ReportingPeriod, Target, TargetNode

pytestmark = pytest.mark.django_db

YEAR = 2024
IN_YEAR = st.dates(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
DAYS = st.dates(datetime.date(YEAR - 1, 12, 20), datetime.date(YEAR + 1, 1, 20))
AMOUNTS = st.decimals(0, 5000, places=2)
THRESHOLDS = st.sampled_from([("0.9", "0.7"), ("0.95", "0.5"), ("0.8", "0.8"), ("1", "0.9")])
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def targets(draw):
    """A target's columns, its reading (or none) and its node schedule."""
    kind = draw(st.sampled_from([TargetKind.QUANTITATIVE] * 3 + [TargetKind.MILESTONE]))
    open_ended = draw(st.booleans()) and draw(st.booleans())
    deadline = None if open_ended or draw(st.booleans()) else draw(IN_YEAR)
    columns = {
        "kind": kind,
        "deadline": deadline,
        "deadline_text": "3至5年内" if open_ended else "",
    }
    due = deadline or datetime.date(YEAR, 12, 31)
    nodes = []
    if kind == TargetKind.MILESTONE:
        columns.update(comparison="", value=None, unit="")
        reading = draw(st.none() | st.tuples(st.booleans(), DAYS))
        for due_on in sorted(set(draw(st.lists(IN_YEAR.filter(lambda d: d <= due), max_size=3)))):
            nodes.append({"due_on": due_on, "name": "开工", "done_on": draw(st.none() | DAYS)})
        reading = None if reading is None else {"milestone_done": reading[0], "as_of": reading[1]}
    else:
        comparison = draw(st.sampled_from(Comparison.values))
        value = draw(st.decimals(0, 3000, places=2))
        columns.update(
            comparison=comparison,
            value=value,
            value_max=value + draw(st.decimals("0.01", 500, places=2))
            if comparison == Comparison.RANGE
            else None,
            unit="亩",
            is_growth=draw(st.booleans()) and comparison not in statuses.progress.CAPS,
        )
        reading = draw(st.none() | st.tuples(AMOUNTS, DAYS))
        reading = None if reading is None else {"value": reading[0], "as_of": reading[1]}
        dates = sorted(set(draw(st.lists(IN_YEAR.filter(lambda d: d <= due), max_size=3))))
        shares = sorted(
            draw(st.lists(st.decimals(1, 100, places=2), min_size=len(dates), max_size=len(dates)))
        )
        for due_on, share in zip(dates, shares, strict=True):
            nodes.append({"due_on": due_on, "planned_percent": share})
    return columns, reading, nodes


def build(plan, section, drawn) -> list[Target]:
    """The drawn targets written as the app writes them (their reading as the latest update)."""
    made = []
    for position, (columns, reading, nodes) in enumerate(drawn, start=1):
        target = Target.objects.create(
            plan=plan, section=section, position=position, title=f"目标{position}", **columns
        )
        TargetNode.objects.bulk_create(TargetNode(target=target, **node) for node in nodes)
        if reading is not None:
            update = ProgressUpdate.objects.create(target=target, **reading)
            Target.objects.filter(pk=target.pk).update(latest_update=update)
        made.append(target)
    return made


def the_rule(target_ids, today) -> dict[int, tuple[str, Decimal | None]]:
    """Each target's status and capped percent as the read model judges it in Python."""
    rows = selectors.target_rows(Target.objects.filter(pk__in=target_ids), today)
    return {
        row.pk: (row.assessment.status, statuses.capped(row.assessment.percent)) for row in rows
    }


def counted(target_ids, today) -> dict[int, tuple[str, Decimal | None]]:
    """Each target's status and percent as counted from the kept statuses, one target a key."""
    found = statuses.tallies(Target.objects.filter(pk__in=target_ids), "pk", today)
    answer = {}
    for pk, tally in found.items():
        (status,) = [status for status, n in tally.counts.items() if n]
        assert tally.target_count == 1
        answer[pk] = (status, tally.mean_percent)
    return answer


@HYPOTHESIS
@given(
    drawn=st.lists(targets(), min_size=1, max_size=40),
    first_due=st.none() | IN_YEAR,
    today=DAYS,
    thresholds=THRESHOLDS,
)
def test_counted_in_sql_as_the_rule_judges(drawn, first_due, today, thresholds):
    on_track, at_risk = thresholds
    with (
        override_settings(TRACKER_ON_TRACK_RATIO=on_track, TRACKER_AT_RISK_RATIO=at_risk),
        transaction.atomic(),
    ):
        plan = factories.PlanFactory(year=YEAR)
        section = factories.SectionFactory(plan=plan)
        if first_due is not None:
            ReportingPeriod.objects.create(
                plan=plan, label="一月", starts_on=datetime.date(YEAR, 1, 1),
                ends_on=datetime.date(YEAR, 1, 31), due_on=max(first_due, datetime.date(YEAR, 1, 1)),
            )  # fmt: skip
        ids = [target.pk for target in build(plan, section, drawn)]
        assert statuses.judge_stale(Target.objects.filter(pk__in=ids), today) == len(ids)
        with CaptureQueriesContext(connection) as queries:
            kept = counted(ids, today)
        assert len(queries) == 1, "every status current: counted by one aggregate query"
        assert kept == the_rule(ids, today)
        # The plan's totals and mean, as the summary counts them, are the rule's too.
        rows = selectors.target_rows(Target.objects.filter(plan=plan), today)
        expected = statuses.tally_of(row.assessment for row in rows)
        (whole,) = statuses.tallies(Target.objects.filter(plan=plan), "plan_id", today).values()
        assert whole.counts == expected.counts
        assert whole.mean_percent == expected.mean_percent
        # And as a rollup counts it, from the kept statuses and their plans alone.
        with CaptureQueriesContext(connection) as queries:
            by_plan = statuses.plan_tallies([plan.pk], today)
        assert len(queries) == 2, "the targets' number by plan, the kept statuses' counts"
        assert by_plan[plan.pk].counts == expected.counts
        assert by_plan[plan.pk].mean_percent == expected.mean_percent
        transaction.set_rollback(True)


class Writes(RuleBasedStateMachine):
    """Reads (which judge and keep) between writes of every input; every read must be right."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.settings = override_settings(TRACKER_ON_TRACK_RATIO="0.9", TRACKER_AT_RISK_RATIO="0.7")
        self.settings.enable()
        self.today = datetime.date(YEAR, 6, 15)
        self.plan = factories.PlanFactory(year=YEAR)
        section = factories.SectionFactory(plan=self.plan)
        # Each with a reading and a node near today, so that most writes move a status.
        june = datetime.date(YEAR, 6, 1)
        self.targets = build(
            self.plan,
            section,
            [
                ({"kind": TargetKind.QUANTITATIVE, "comparison": c, "value": Decimal(100),
                  "unit": "亩", "deadline": None, "deadline_text": ""},
                 {"value": Decimal(40), "as_of": june},
                 [{"due_on": datetime.date(YEAR, 6, 30), "planned_percent": Decimal(50)}])
                for c in (Comparison.GE, Comparison.LE, Comparison.EQ)
            ] + [
                ({"kind": TargetKind.MILESTONE, "comparison": "", "value": None, "unit": "",
                  "deadline": None, "deadline_text": ""},
                 {"milestone_done": False, "as_of": june},
                 [{"due_on": datetime.date(YEAR, 3, 1), "name": "开工"}]),
            ],
        )  # fmt: skip
        self.ids = [target.pk for target in self.targets]

    def teardown(self):
        self.settings.disable()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @invariant()
    def counted_as_the_rule_judges(self):
        assert counted(self.ids, self.today) == the_rule(self.ids, self.today)
        rows = selectors.target_rows(Target.objects.filter(plan=self.plan), self.today)
        expected = statuses.tally_of(row.assessment for row in rows)
        by_plan = statuses.plan_tallies([self.plan.pk], self.today)
        assert by_plan[self.plan.pk].counts == expected.counts
        assert by_plan[self.plan.pk].mean_percent == expected.mean_percent

    @rule(i=st.integers(0, 3), value=AMOUNTS, done=st.booleans(), as_of=IN_YEAR)
    def progress_recorded(self, i, value, done, as_of):
        target = self.targets[i]
        reading = (
            {"milestone_done": done} if target.kind == TargetKind.MILESTONE else {"value": value}
        )
        update = ProgressUpdate.objects.create(target=target, as_of=as_of, **reading)
        Target.objects.filter(pk=target.pk).update(latest_update=update)

    @rule(i=st.integers(0, 2), value=st.decimals(1, 3000, places=2), deadline=st.none() | IN_YEAR)
    def target_edited(self, i, value, deadline):
        target = Target.objects.get(pk=self.ids[i])
        target.value, target.deadline = value, deadline
        target.save()

    @rule(i=st.integers(0, 3), due_on=IN_YEAR, share=st.decimals(1, 100, places=2))
    def node_added(self, i, due_on, share):
        target = self.targets[i]
        if target.nodes.filter(due_on=due_on).exists():
            return
        if target.kind == TargetKind.MILESTONE:
            TargetNode.objects.create(target=target, due_on=due_on, name="立项")
        else:
            TargetNode.objects.create(target=target, due_on=due_on, planned_percent=share)

    @rule(share=st.decimals(1, 100, places=2), done_on=st.none() | IN_YEAR)
    def node_edited(self, share, done_on):
        node = TargetNode.objects.filter(target__in=self.ids).order_by("?").first()
        if node is None:
            return
        if node.name:
            node.done_on = done_on
        else:
            node.planned_percent = share
        node.save()

    @rule()
    def node_deleted(self):
        node = TargetNode.objects.filter(target__in=self.ids).order_by("pk").first()
        if node is not None:
            node.delete()

    @rule(due_on=IN_YEAR)
    def period_added(self, due_on):
        if not self.plan.periods.filter(starts_on=due_on).exists():
            ReportingPeriod.objects.create(
                plan=self.plan, label="期", starts_on=due_on, ends_on=due_on, due_on=due_on
            )

    @rule()
    def periods_deleted(self):
        self.plan.periods.all().delete()

    @rule(status=st.sampled_from(PlanStatus.values))
    def plan_edited(self, status):
        self.plan.status = status
        self.plan.save()

    @rule(days=st.integers(-40, 40))
    def day_changed(self, days):
        self.today += datetime.timedelta(days=days)

    @rule(thresholds=THRESHOLDS)
    def thresholds_changed(self, thresholds):
        self.settings.disable()
        on_track, at_risk = thresholds
        self.settings = override_settings(
            TRACKER_ON_TRACK_RATIO=on_track, TRACKER_AT_RISK_RATIO=at_risk
        )
        self.settings.enable()

    @rule()
    def judged_by_the_command(self):
        statuses.judge_stale(Target.objects.filter(pk__in=self.ids), self.today)


@pytest.mark.slow  # a state machine of generated writes: fuzzing, left to `make test`
def test_no_write_leaves_a_stale_status_counted():
    run_state_machine_as_test(
        Writes,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_each_input_makes_a_kept_status_stale(target):
    """The database moves the stamp on: every write of an input, whatever writes it."""
    target.refresh_from_db()

    def stamp():
        return JudgedStatus.objects.get(pk=target.pk).stamp

    before = stamp()
    Target.objects.filter(pk=target.pk).update(value=Decimal(1))  # no signal, no save()
    assert stamp() == before + 1
    node = TargetNode.objects.create(target=target, due_on=datetime.date(2024, 6, 30),
                                     planned_percent=Decimal(50))  # fmt: skip
    assert stamp() == before + 2
    TargetNode.objects.filter(pk=node.pk).update(planned_percent=Decimal(60))
    assert stamp() == before + 4  # old and new target: the same one, twice
    node.delete()
    assert stamp() == before + 5
    period = ReportingPeriod.objects.create(
        plan=target.plan, label="一月", starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2024, 1, 31), due_on=datetime.date(2024, 2, 5),
    )  # fmt: skip
    assert stamp() == before + 6
    period.delete()
    assert stamp() == before + 7
    type(target.plan).objects.filter(pk=target.plan_id).update(title="改名")
    assert stamp() == before + 8


def test_the_triggers_are_installed_and_survive_a_migrate():
    assert statuses.installed_triggers(connection) == statuses.expected_triggers(connection.vendor)
    statuses.install_triggers(connection)  # what every migrate does again: idempotent
    assert statuses.installed_triggers(connection) == statuses.expected_triggers(connection.vendor)


@pytest.mark.parametrize("n", [1, 50])
def test_a_read_that_finds_stale_statuses_judges_them_in_a_fixed_number_of_queries(plan, n):
    section = factories.SectionFactory(plan=plan)
    drawn = [({"kind": TargetKind.QUANTITATIVE, "comparison": Comparison.GE,
               "value": Decimal(10), "unit": "亩"}, {"value": Decimal(i), "as_of":
               datetime.date(2024, 3, 1)}, [{"due_on": datetime.date(2024, 6, 30),
               "planned_percent": Decimal(50)}]) for i in range(n)]  # fmt: skip
    ids = [target.pk for target in build(plan, section, drawn)]
    today = datetime.date(2024, 7, 1)
    # the counts; the stale targets' columns, their nodes; in a savepoint (2 more): the
    # rows free to keep, their update
    with CaptureQueriesContext(connection) as queries:
        first = counted(ids, today)
    assert len(queries) == 7
    with CaptureQueriesContext(connection) as queries:
        again = counted(ids, today)
    assert len(queries) == 1  # kept: the counts alone
    assert first == again == the_rule(ids, today)


def test_a_status_judged_on_facts_older_than_its_stamp_is_not_counted(target):
    """A write between a reader's read and its keep leaves the status stale, not wrong."""
    today = datetime.date(2024, 7, 1)
    thresholds = statuses.progress.configured_thresholds()
    rule = statuses.rule_key(thresholds)
    judged = statuses.judge(Target.objects.filter(pk=target.pk), today, thresholds)
    Target.objects.filter(pk=target.pk).update(value=Decimal(3))  # a writer, in between
    assert statuses.keep_from_read(judged, today, rule) == 1
    assert not JudgedStatus.objects.filter(statuses.current(today, rule, prefix="")).exists()
    assert counted([target.pk], today) == the_rule([target.pk], today)


def plan_counts(plan, today) -> dict[str, int]:
    rows = selectors.target_rows(Target.objects.filter(plan=plan), today)
    return statuses.tally_of(row.assessment for row in rows).counts


def test_each_kept_status_carries_its_targets_plan_even_when_the_target_moves(target):
    """The triggers keep the plan beside the status: made with the target, moved with it."""
    assert JudgedStatus.objects.get(pk=target.pk).plan_id == target.plan_id
    other = factories.SectionFactory(plan=factories.PlanFactory(town=target.plan.town, year=2025))
    Target.objects.filter(pk=target.pk).update(plan=other.plan, section=other)
    assert JudgedStatus.objects.get(pk=target.pk).plan_id == other.plan_id
    today = datetime.date(2024, 7, 1)
    statuses.judge_stale(Target.objects.all(), today)
    by_plan = statuses.plan_tallies([target.plan_id, other.plan_id], today)
    assert set(by_plan) == {other.plan_id}
    assert by_plan[other.plan_id].counts == plan_counts(other.plan, today)


def test_a_plan_whose_kept_rows_are_missing_or_stale_is_counted_by_the_rule(plan):
    """A plan is counted from its kept rows only when they are all there and current."""
    section = factories.SectionFactory(plan=plan)
    drawn = [({"kind": TargetKind.QUANTITATIVE, "comparison": Comparison.GE,
               "value": Decimal(10), "unit": "亩"}, {"value": Decimal(i), "as_of":
               datetime.date(2024, 3, 1)}, []) for i in range(6)]  # fmt: skip
    ids = [target.pk for target in build(plan, section, drawn)]
    today = datetime.date(2024, 7, 1)
    statuses.judge_stale(Target.objects.filter(pk__in=ids), today)
    JudgedStatus.objects.filter(pk=ids[0]).delete()  # as if a trigger had been missing
    assert statuses.plan_tallies([plan.pk], today)[plan.pk].counts == plan_counts(plan, today)
    Target.objects.filter(pk=ids[1]).update(value=Decimal(1))  # its status now stale
    assert statuses.plan_tallies([plan.pk], today)[plan.pk].counts == plan_counts(plan, today)
    assert statuses.plan_tallies([], today) == {}
