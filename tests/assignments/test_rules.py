"""交办: giving tasks, signing for them, and how receipts are judged, chased and ranked."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.assignments.conftest import DEADLINE, ISSUED, YEAR, task
from tracker import progress
from tracker.access import assignments_readable, receipts_readable
from tracker.assignments import assignment_create, receipt_sign
from tracker.choices import PlanStatus, ReceiptState, Status, TargetKind, WarningLevel
from tracker.models import Assignment, GoalSection, Plan, ReportingPeriod, Target
from tracker.ranking import region_ranking, reporting_tallies, warning
from tracker.selectors import target_row, target_rows
from tracker.workflow import (
    InvalidTransition,
    cycle_for,
    receipt_state,
    report_approve,
    report_save,
    report_submit,
)

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(YEAR, 12, 1)


def give(world, *receivers, user="district_editor", **fields):
    return assignment_create(
        user=world.users[user], assignment=task(world, **fields), receivers=receivers
    )


def receipt_of(assignment, town) -> Target:
    return Target.objects.get(assignment=assignment, plan__town=town)


# --------------------------------------------------------------- the start date


def test_a_target_starting_in_november_is_paced_from_its_start_not_from_january():
    def facts(start):
        return progress.facts_of(
            kind=TargetKind.QUANTITATIVE, comparison="ge", value=progress.HUNDRED,
            value_max=None, is_growth=False, deadline=D(YEAR, 12, 31), year=YEAR, start=start,
        )  # fmt: skip

    reading = progress.Reading(value=30, done=None, as_of=D(YEAR, 11, 20))
    year_long = progress.assess(facts(None), reading, D(YEAR, 11, 20))
    from_november = progress.assess(facts(D(YEAR, 11, 10)), reading, D(YEAR, 11, 20))
    assert year_long.status == Status.BEHIND  # 30% where 88% of the year has gone
    assert from_november.status == Status.ON_TRACK  # 11 of 52 days gone: 21% expected
    assert from_november.expected_share == progress.expected_share(
        D(YEAR, 11, 10), D(YEAR, 12, 31), D(YEAR, 11, 20)
    )


# --------------------------------------------------------------------- assigning


def test_a_district_editor_gives_a_task_to_two_towns_a_receipt_each(world):
    assignment = give(world, world.a, world.b)
    receipts = Target.objects.filter(assignment=assignment).order_by("plan__town__slug")
    assert [r.plan.town for r in receipts] == [world.a, world.b]
    for receipt in receipts:
        assert receipt.plan.year == YEAR
        assert receipt.section.holds_assignments
        assert receipt.section.title == "上级交办事项"
        assert receipt.starts_on == ISSUED
        assert receipt.deadline == DEADLINE
        assert receipt.sign_due == ISSUED + datetime.timedelta(days=3)
        assert receipt.signed_at is None
        assert receipt.lead_department is None
        assert receipt.history.first().history_user == world.users["district_editor"]
    # A second task lands in the same section, after the first.
    second = give(world, world.a, title="整治“散乱污”场所")
    first_receipt, second_receipt = receipt_of(assignment, world.a), receipt_of(second, world.a)
    assert second_receipt.section_id == first_receipt.section_id
    assert second_receipt.position == first_receipt.position + 1


@pytest.mark.parametrize(
    "user", ["district_viewer", "a_editor", "a_reviewer", "a_town_reporter", "outsider"]
)
def test_only_the_regions_editors_give_its_tasks(world, user):
    with pytest.raises(PermissionDenied):
        give(world, world.a, user=user)
    assert not Assignment.objects.exists()
    assert not Target.objects.exists()


def test_the_superuser_may_give_a_districts_task(world):
    assert give(world, world.a, user="superuser").receipts.count() == 1


@pytest.mark.parametrize(
    ("case", "fields", "message"),
    [
        ("outside", {}, "不是"),
        ("no receiver", {}, ""),
        ("twice", {}, ""),
        ("next year", {"deadline": D(YEAR + 1, 3, 31)}, ""),
        ("before issue", {"deadline": D(YEAR, 11, 1)}, ""),
        ("number without unit", {"kind": TargetKind.QUANTITATIVE, "value": 5}, ""),
    ],
)
def test_a_wrong_task_is_refused_whole_and_writes_nothing(world, case, fields, message):
    receivers = {
        "outside": (world.a, world.c),
        "no receiver": (),
        "twice": (world.a, world.a),
    }.get(case, (world.a, world.b))
    with pytest.raises(ValidationError):
        give(world, *receivers, **fields)
    assert not Assignment.objects.exists()
    assert not Target.objects.exists()
    assert not GoalSection.objects.filter(holds_assignments=True).exists()


def test_a_town_without_an_active_plan_for_the_year_cannot_take_a_task(world):
    Plan.objects.filter(town=world.b).update(status=PlanStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        give(world, world.a, world.b)
    assert "乙镇" in str(refused.value)
    assert not Target.objects.exists()


def test_a_town_editor_gives_tasks_to_its_own_departments_only(world):
    assignment = assignment_create(
        user=world.users["a_editor"],
        assignment=task(world, region=None, town=world.a),
        receivers=[world.a_economy, world.a_planning],
    )
    receipts = Target.objects.filter(assignment=assignment)
    assert {r.lead_department for r in receipts} == {world.a_economy, world.a_planning}
    assert {r.section.title for r in receipts} == {"镇（街道）交办事项"}
    with pytest.raises(ValidationError):  # another town's department
        assignment_create(
            user=world.users["a_editor"],
            assignment=task(world, region=None, town=world.a),
            receivers=[world.b_office],
        )
    with pytest.raises(PermissionDenied):  # not its editor
        assignment_create(
            user=world.users["b_editor"],
            assignment=task(world, region=None, town=world.a),
            receivers=[world.a_economy],
        )


def test_nodes_given_with_the_task_become_each_receipts_schedule(world):
    assignment = assignment_create(
        user=world.users["district_editor"],
        assignment=task(world, kind=TargetKind.MILESTONE),
        receivers=[world.a, world.b],
        nodes=[
            {"due_on": D(YEAR, 11, 20), "name": "排查"},
            {"due_on": D(YEAR, 12, 20), "name": "整改"},
        ],
    )
    for receipt in assignment.receipts.all():
        assert [n.name for n in receipt.nodes.order_by("due_on")] == ["排查", "整改"]
    with pytest.raises(ValidationError):  # a node before the task's year
        assignment_create(
            user=world.users["district_editor"],
            assignment=task(world, title="另一项"),
            receivers=[world.a],
            nodes=[{"due_on": D(YEAR - 1, 12, 1), "name": "排查"}],
        )
    assert Assignment.objects.count() == 1


# ----------------------------------------------------------------------- signing


def test_the_receiving_town_signs_naming_its_lead_department(world):
    assignment = give(world, world.a, world.b)
    receipt = receipt_sign(
        user=world.users["a_editor"],
        receipt=receipt_of(assignment, world.a),
        lead_department=world.a_economy,
        owner_name="张伟",
        owner_title="经济发展办公室主任",
    )
    assert receipt.signed_by == world.users["a_editor"]
    assert receipt.signed_at is not None
    assert receipt.lead_department == world.a_economy
    assert receipt.owner_name == "张伟"
    assert receipt_state(receipt, DAY) == ReceiptState.SIGNED
    assert receipt.history.first().history_user == world.users["a_editor"]
    with pytest.raises(InvalidTransition):  # once
        receipt_sign(user=world.users["a_editor"], receipt=receipt, lead_department=world.a_economy)


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("a_editor", True),
        ("a_town_reporter", True),
        ("superuser", True),
        ("a_dept_reporter", False),  # reports for one department: not the town's receipt
        ("a_reviewer", False),
        ("b_editor", False),
        ("district_editor", False),  # the assigner does not sign for its receiver
        ("district_viewer", False),
        ("outsider", False),
    ],
)
def test_who_signs_for_a_towns_receipt(world, user, allowed):
    receipt = receipt_of(give(world, world.a), world.a)
    if allowed:
        receipt_sign(user=world.users[user], receipt=receipt, lead_department=world.a_economy)
        assert Target.objects.get(pk=receipt.pk).signed_at is not None
    else:
        with pytest.raises(PermissionDenied):
            receipt_sign(user=world.users[user], receipt=receipt, lead_department=world.a_economy)
        assert Target.objects.get(pk=receipt.pk).signed_at is None


def test_a_department_signs_for_its_own_receipt_only(world):
    assignment = assignment_create(
        user=world.users["a_editor"],
        assignment=task(world, region=None, town=world.a),
        receivers=[world.a_economy, world.a_planning],
    )
    economy = assignment.receipts.get(lead_department=world.a_economy)
    planning = assignment.receipts.get(lead_department=world.a_planning)
    receipt_sign(user=world.users["a_dept_reporter"], receipt=economy)
    with pytest.raises(PermissionDenied):
        receipt_sign(user=world.users["a_dept_reporter"], receipt=planning)


def test_signing_for_a_town_needs_a_department_of_that_town(world):
    receipt = receipt_of(give(world, world.a), world.a)
    with pytest.raises(ValidationError) as refused:
        receipt_sign(user=world.users["a_editor"], receipt=receipt)
    assert "lead_department" in refused.value.message_dict
    with pytest.raises(ValidationError):
        receipt_sign(user=world.users["a_editor"], receipt=receipt, lead_department=world.b_office)
    assert Target.objects.get(pk=receipt.pk).signed_at is None


def test_a_receipt_awaiting_signature_takes_no_report(world):
    receipt = receipt_of(give(world, world.a), world.a)
    period = ReportingPeriod.objects.get(plan=receipt.plan, starts_on=D(YEAR, 11, 1))
    with pytest.raises(InvalidTransition):
        report_save(
            user=world.users["a_editor"], target=receipt, period=period, milestone_done=False
        )


# ------------------------------------------------------- judged, chased, ranked


def test_a_receipt_not_signed_by_its_date_turns_yellow_and_says_why(world):
    assignment = give(world, world.a, world.b)
    receipt_sign(
        user=world.users["a_editor"],
        receipt=receipt_of(assignment, world.a),
        lead_department=world.a_economy,
    )
    a_row = target_row(receipt_of(assignment, world.a).pk, DAY)
    b_row = target_row(receipt_of(assignment, world.b).pk, DAY)
    assert receipt_state(b_row, DAY) == ReceiptState.LATE
    assert warning(b_row, DAY).level == WarningLevel.YELLOW
    assert any("2026-11-13" in str(reason) for reason in warning(b_row, DAY).reasons)
    assert not any("2026-11-13" in str(reason) for reason in warning(a_row, DAY).reasons)
    # On its sign-by date it is not late yet.
    on_the_day = target_row(receipt_of(assignment, world.b).pk, D(YEAR, 11, 13))
    assert receipt_state(on_the_day, D(YEAR, 11, 13)) == ReceiptState.AWAITING
    assert warning(on_the_day, D(YEAR, 11, 13)).level == WarningLevel.GREEN


def test_a_receipt_owes_reports_only_for_periods_from_its_start(world):
    receipt = receipt_of(give(world, world.a), world.a)
    receipt_sign(user=world.users["a_editor"], receipt=receipt, lead_department=world.a_economy)
    receipt = Target.objects.select_related("plan").get(pk=receipt.pk)
    owed = cycle_for([receipt], D(YEAR, 12, 20)).owed(receipt)
    assert [chase.period.starts_on for chase in owed] == [D(YEAR, 11, 1), D(YEAR, 12, 1)]
    # Its first report is November's, due in December: nothing is overdue on 1 December.
    row = target_row(receipt.pk, DAY)
    assert row.facts.first_due_on == D(YEAR, 12, 5)
    assert row.assessment.status == Status.NO_DATA
    tallies = reporting_tallies([row], D(YEAR, 12, 20), key=lambda row: row.town.id)
    assert tallies[world.a.pk].owed == 1  # November's only: January to October are not its


def test_signed_and_reported_receipts_count_in_the_ranking_and_the_unsigned_one_is_flagged(world):
    assignment = give(world, world.a, world.b)
    receipt = receipt_of(assignment, world.a)
    receipt_sign(user=world.users["a_editor"], receipt=receipt, lead_department=world.a_economy)
    period = ReportingPeriod.objects.get(plan=receipt.plan, starts_on=D(YEAR, 11, 1))
    report = report_save(
        user=world.users["a_dept_reporter"],
        target=Target.objects.get(pk=receipt.pk),
        period=period,
        milestone_done=True,
        as_of=D(YEAR, 11, 28),
    )
    report = report_submit(user=world.users["a_dept_reporter"], report=report)
    report_approve(user=world.users["a_reviewer"], report=report)
    ranking = region_ranking(world.district, YEAR, DAY, Plan.objects.all())
    standings = {s.name: s for s in ranking.standings}
    assert standings["甲镇"].assigned_count == 1
    assert standings["甲镇"].unsigned_late_count == 0
    assert standings["乙镇"].assigned_count == 1
    assert standings["乙镇"].unsigned_late_count == 1
    assert standings["甲镇"].reported_count == 1
    assert standings["甲镇"].completion_rate == 100
    assert standings["乙镇"].reported_count == 0


# -------------------------------------------------------------------- who reads


def test_a_town_reads_the_task_with_its_own_receipt_the_district_with_all(world):
    assignment = give(world, world.a, world.b)
    readable = Assignment.objects.filter

    def receipts(user):
        q = receipts_readable(world.users[user], assignment)
        return {t.plan.town.name for t in assignment.receipts.filter(q)}

    for user in ("district_editor", "district_viewer", "superuser"):
        assert readable(assignments_readable(world.users[user])).distinct().count() == 1
        assert receipts(user) == {"甲镇", "乙镇"}
    for user in ("a_editor", "a_dept_reporter", "a_reviewer"):
        assert readable(assignments_readable(world.users[user])).distinct().count() == 1
        assert receipts(user) == {"甲镇"}
    assert receipts("b_editor") == {"乙镇"}
    assert not readable(assignments_readable(world.users["outsider"])).exists()
    rows = target_rows(Target.objects.filter(assignment=assignment), DAY)
    assert all(row.assignment_id == assignment.pk for row in rows)
