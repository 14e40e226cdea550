"""Node schedules (节点目标): the pace they set, their constraints, and the 西区 2026 case."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import factories
from tests.test_admin import change_form_data
from tests.test_admin_scope import town_staff
from tracker import progress
from tracker.choices import Role, Status, TargetKind, WarningLevel
from tracker.models import ProgressUpdate, StatusSnapshot, Target, TargetNode
from tracker.ranking import is_red, warning
from tracker.reports import charts
from tracker.seeding import seed_load
from tracker.selectors import target_ids_with_status, target_row
from tracker.services import progress_record
from tracker.snapshots import snapshot_take
from tracker.workflow import warning_for

D = datetime.date
YEAR = 2026


def facts(*nodes: progress.Node, kind=TargetKind.QUANTITATIVE, comparison="ge", growth=False):
    return progress.TargetFacts(
        kind=kind,
        comparison="" if kind == TargetKind.MILESTONE else comparison,
        value=None if kind == TargetKind.MILESTONE else Decimal(100),
        value_max=None,
        is_growth=growth,
        starts_on=D(YEAR, 1, 1),
        due_on=D(YEAR, 12, 31),
        nodes=nodes,
    )


QUARTERS = (
    progress.Node(D(YEAR, 3, 31), share=Decimal("0.1")),
    progress.Node(D(YEAR, 6, 30), share=Decimal("0.2")),
    progress.Node(D(YEAR, 9, 30), share=Decimal("0.6")),
)


# ------------------------------------------------------------ the pure rule


def test_without_nodes_the_planned_share_is_the_straight_line():
    for day in (D(YEAR, 1, 1), D(YEAR, 3, 15), D(YEAR, 7, 1), D(YEAR, 12, 31), D(YEAR + 1, 1, 5)):
        assert progress.planned_share(facts(), day) == progress.expected_share(
            D(YEAR, 1, 1), D(YEAR, 12, 31), day
        )


def test_on_a_nodes_date_the_share_is_the_nodes():
    scheduled = facts(*QUARTERS)
    assert progress.planned_share(scheduled, D(YEAR, 3, 31)) == Decimal("0.1")
    assert progress.planned_share(scheduled, D(YEAR, 6, 30)) == Decimal("0.2")
    assert progress.planned_share(scheduled, D(YEAR, 9, 30)) == Decimal("0.6")
    assert progress.planned_share(scheduled, D(YEAR, 12, 31)) == Decimal(1)


def test_between_nodes_the_share_is_interpolated_from_the_previous_node():
    scheduled = facts(*QUARTERS)
    # 1 July to 30 September is 92 days; on 15 August 46 of them have gone: halfway.
    assert progress.planned_share(scheduled, D(YEAR, 8, 15)) == Decimal("0.4")
    # Before the first node: from 0 on 31 December of the year before.
    assert progress.planned_share(scheduled, D(YEAR, 1, 1)) == (Decimal("0.1") / 90).quantize(
        Decimal("0.0001")
    )
    assert progress.planned_share(scheduled, D(YEAR - 1, 12, 1)) == 0


def test_the_pace_points_run_from_nothing_through_the_nodes_to_the_whole_target():
    assert progress.pace_points(facts(*QUARTERS)) == [
        (D(YEAR - 1, 12, 31), Decimal(0)),
        (D(YEAR, 3, 31), Decimal("0.1")),
        (D(YEAR, 6, 30), Decimal("0.2")),
        (D(YEAR, 9, 30), Decimal("0.6")),
        (D(YEAR, 12, 31), Decimal(1)),
    ]


def test_the_same_progress_is_behind_by_the_line_and_on_track_by_back_loaded_nodes():
    reading = progress.Reading(value=Decimal(25), done=None, as_of=D(YEAR, 6, 30))
    day = D(YEAR, 7, 1)
    assert progress.assess(facts(), reading, day).status == Status.BEHIND  # 25% of ~50%
    assert progress.assess(facts(*QUARTERS), reading, day).status == Status.ON_TRACK


def test_growth_rates_and_caps_ignore_nodes():
    reading = progress.Reading(value=Decimal(50), done=None)
    day = D(YEAR, 7, 1)
    for kwargs in ({"growth": True}, {"comparison": "le"}):
        plain = progress.assess(facts(**kwargs), reading, day)
        scheduled = progress.assess(facts(*QUARTERS, **kwargs), reading, day)
        assert plain == scheduled


def test_a_milestone_step_passed_undone_puts_it_behind_and_is_listed():
    steps = (
        progress.Node(D(YEAR, 3, 31), name="立项", done_on=D(YEAR, 3, 20)),
        progress.Node(D(YEAR, 6, 30), name="开工"),
        progress.Node(D(YEAR, 11, 30), name="竣工"),
    )
    reading = progress.Reading(value=None, done=False)
    milestone = facts(*steps, kind=TargetKind.MILESTONE)
    assert progress.assess(milestone, reading, D(YEAR, 6, 30)).status == Status.ON_TRACK
    late = progress.assess(milestone, reading, D(YEAR, 7, 1))
    assert late.status == Status.BEHIND
    assert [step.name for step in late.missed_steps] == ["开工"]
    # Without steps the same milestone is on track until its last quarter.
    plain = facts(kind=TargetKind.MILESTONE)
    assert progress.assess(plain, reading, D(YEAR, 7, 1)).status == Status.ON_TRACK
    # Done: achieved, and no step is chased any more.
    done = progress.assess(milestone, progress.Reading(value=None, done=True), D(YEAR, 7, 1))
    assert (done.status, done.missed_steps) == (Status.ACHIEVED, ())


def test_a_missed_step_is_a_red_warning_of_its_own():
    step = progress.Node(D(YEAR, 6, 30), name="开工")
    flag = warning_for(
        status=Status.NO_DATA, period=None, report_state=None, today=D(YEAR, 7, 1),
        missed_steps=[step],
    )  # fmt: skip
    assert flag.level == WarningLevel.RED
    assert flag.reasons == ("step 开工 was due on 2026-06-30 and is not done",)


def test_schedule_errors_name_what_is_wrong_with_the_whole():
    falling = facts(
        progress.Node(D(YEAR, 3, 31), share=Decimal("0.5")),
        progress.Node(D(YEAR, 6, 30), share=Decimal("0.4")),
    )
    assert progress.schedule_errors(falling) == [progress.SCHEDULE_DECREASING]
    twice = facts(
        progress.Node(D(YEAR, 3, 31), share=Decimal("0.1")),
        progress.Node(D(YEAR, 3, 31), share=Decimal("0.2")),
        progress.Node(D(YEAR + 1, 1, 31), share=Decimal("0.3")),
    )
    assert progress.schedule_errors(twice) == [
        progress.SCHEDULE_SAME_DATE,
        progress.SCHEDULE_OUTSIDE,
    ]
    assert progress.schedule_errors(facts(*QUARTERS)) == []


def test_the_chart_draws_the_pace_through_the_nodes():
    pace = charts.Pace(
        "linear",
        Decimal("0.9"),
        Decimal("0.7"),
        points=tuple(progress.pace_points(facts(*QUARTERS))),
    )
    svg = charts.history_chart(
        starts_on=D(YEAR, 1, 1), due_on=D(YEAR, 12, 31), today=D(YEAR, 7, 1),
        points=[], pace=pace, title="t",
    )  # fmt: skip
    assert svg.count('<polyline class="pace-line"') == 1
    polyline = svg.split('<polyline class="pace-line" points="')[1].split('"')[0]
    assert len(polyline.split()) == 5  # start, three nodes, deadline


# ------------------------------------------------------- the model's rules


def node(target: Target, **fields) -> TargetNode:
    fields.setdefault("due_on", D(target.plan.year, 6, 30))
    return TargetNode(target=target, **fields)


BAD_NODES = {
    "tracker_targetnode_one_plan": {"planned_percent": Decimal(50), "name": "开工"},
    "tracker_targetnode_percent_range": {"planned_percent": Decimal(120)},
    "tracker_targetnode_value_not_negative": {"planned_value": Decimal(-1)},
    "tracker_targetnode_done_only_steps": {"planned_value": Decimal(1), "done_on": D(2024, 6, 1)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("constraint", BAD_NODES)
def test_bad_nodes_are_refused_by_clean_and_by_the_database(target, constraint):
    bad = node(target, **BAD_NODES[constraint])
    with pytest.raises(ValidationError):
        bad.full_clean()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        bad.save()


@pytest.mark.django_db
def test_two_nodes_on_one_date_are_refused(target):
    node(target, planned_percent=Decimal(20)).save()
    with pytest.raises(ValidationError):
        node(target, planned_percent=Decimal(30)).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        node(target, planned_percent=Decimal(30)).save()


@pytest.mark.django_db
def test_nodes_fit_their_target(target, milestone):
    with pytest.raises(ValidationError, match="not steps"):
        node(target, name="开工").full_clean()
    with pytest.raises(ValidationError, match="named steps"):
        node(milestone, planned_percent=Decimal(50)).full_clean()
    with pytest.raises(ValidationError, match="deadline"):
        node(target, due_on=D(target.plan.year + 1, 1, 1), planned_percent=Decimal(50)).full_clean()
    target.is_growth, target.comparison = True, "ge"
    target.save()
    with pytest.raises(ValidationError, match="cumulative"):
        node(target, planned_percent=Decimal(50)).full_clean()
    node(milestone, name="开工").full_clean()  # a milestone's step is fine


# --------------------------------------------- a target of 西区 2026, seeded


@pytest.fixture
def xiqu_target(db):
    seed_load()
    return Target.objects.get(plan__town__name="西区街道", plan__year=YEAR, title="引进优质企业")


def _status_everywhere(target: Target, day: datetime.date) -> set[str]:
    """The status by the read model, the status filter and the model: one rule, one answer."""
    target = Target.objects.with_context().get(pk=target.pk)
    status = target_row(target.pk, day).assessment.status
    assert target_ids_with_status(Target.objects.filter(pk=target.pk), status, day) == [target.pk]
    return {status, target.assess(day).status}


@pytest.mark.django_db
def test_a_xiqu_target_follows_its_nodes_not_the_straight_line(xiqu_target):
    # 引进优质企业8家以上: 2 家 by the end of June.
    assert xiqu_target.value == Decimal(8)
    progress_record(target=xiqu_target, as_of=D(YEAR, 6, 30), value=Decimal(2))
    day = D(YEAR, 7, 1)
    assert _status_everywhere(xiqu_target, day) == {Status.BEHIND}  # 25% against ~50% of time

    # The office's schedule: 一季度1家, 上半年2家, 三季度5家 (the rest by the year's end).
    for due_on, value in ((D(YEAR, 3, 31), 1), (D(YEAR, 6, 30), 2), (D(YEAR, 9, 30), 5)):
        node(xiqu_target, due_on=due_on, planned_value=Decimal(value)).full_clean()
        node(xiqu_target, due_on=due_on, planned_value=Decimal(value)).save()
    assert _status_everywhere(xiqu_target, day) == {Status.ON_TRACK}
    # By mid-August the schedule asks for about 3.5 家: 2 is behind again.
    assert _status_everywhere(xiqu_target, D(YEAR, 8, 15)) == {Status.BEHIND}


@pytest.mark.django_db
def test_a_xiqu_milestone_with_a_step_passed_undone_is_behind(db):
    seed_load()
    milestone = Target.objects.filter(
        plan__town__name="西区街道", plan__year=YEAR, kind=TargetKind.MILESTONE
    ).first()
    progress_record(target=milestone, as_of=D(YEAR, 5, 31), milestone_done=False)
    day = D(YEAR, 7, 1)
    assert _status_everywhere(milestone, day) == {Status.ON_TRACK}  # half the year: not late
    node(milestone, due_on=D(YEAR, 6, 30), name="开工").save()
    assert _status_everywhere(milestone, day) == {Status.BEHIND}
    TargetNode.objects.filter(target=milestone).update(done_on=D(YEAR, 6, 28))
    assert _status_everywhere(milestone, day) == {Status.ON_TRACK}


@pytest.mark.django_db
def test_the_month_end_snapshot_judges_by_the_nodes(xiqu_target):
    # Reported on 30 June: 2 家 of 8. By the straight line that is behind on 1 July.
    moment = datetime.datetime(YEAR, 6, 30, 12, tzinfo=datetime.UTC)
    ProgressUpdate.objects.create(
        target=xiqu_target, as_of=D(YEAR, 6, 30), value=Decimal(2), reported_at=moment
    )
    snapshot_take(month=D(YEAR, 7, 1), today=D(YEAR, 7, 1))
    assert StatusSnapshot.objects.get(target=xiqu_target).status == Status.BEHIND
    node(xiqu_target, due_on=D(YEAR, 6, 30), planned_value=Decimal(2)).save()
    snapshot_take(month=D(YEAR, 7, 1), today=D(YEAR, 7, 1))  # provisional: taken again
    assert StatusSnapshot.objects.get(target=xiqu_target).status == Status.ON_TRACK


@pytest.mark.django_db
def test_a_missed_step_is_red_in_the_ranking_without_a_reporting_cycle(db):
    seed_load()
    milestone = Target.objects.filter(
        plan__town__name="西区街道", plan__year=YEAR, kind=TargetKind.MILESTONE
    ).first()
    day = D(YEAR, 7, 1)
    assert not is_red(target_row(milestone.pk, day), day)
    node(milestone, due_on=D(YEAR, 6, 30), name="开工").save()
    row = target_row(milestone.pk, day)
    assert row.warning is None  # the plan has no reporting periods
    assert is_red(row, day)
    assert warning(row, day).reasons == ("step 开工 was due on 2026-06-30 and is not done",)


# ----------------------------------------------------------------- the admin


@pytest.mark.django_db
def test_the_target_page_shows_the_schedule_and_the_pace_through_it(client, xiqu_target):
    node(xiqu_target, due_on=D(YEAR, 6, 30), planned_percent=Decimal(25)).save()
    response = client.get(reverse("reports:target", args=[xiqu_target.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="nodes-table"' in page
    assert '<polyline class="pace-line"' in page


def _with_nodes(data: dict, *rows: dict) -> dict:
    data = {**data, "nodes-TOTAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        data.update({f"nodes-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.mark.django_db
def test_an_editor_plans_nodes_on_the_target_page_and_a_falling_schedule_is_refused(client):

    plan = factories.PlanFactory(year=YEAR)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    editor = town_staff(plan.town, Role.EDITOR)
    client.force_login(editor)
    url = reverse("admin:tracker_target_change", args=[target.pk])
    falling = _with_nodes(
        change_form_data(target),
        {"due_on": f"{YEAR}-03-31", "planned_percent": "50"},
        {"due_on": f"{YEAR}-06-30", "planned_percent": "40"},
    )
    response = client.post(url, falling)
    assert response.status_code == 200
    assert "a later node cannot plan less" in response.content.decode()
    assert not target.nodes.exists()

    rising = _with_nodes(
        change_form_data(target),
        {"due_on": f"{YEAR}-03-31", "planned_percent": "20"},
        {"due_on": f"{YEAR}-06-30", "planned_value": "1250"},
    )
    response = client.post(url, rising)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert [(n.planned_percent, n.planned_value, n.created_by) for n in target.nodes.all()] == [
        (Decimal(20), None, editor),
        (None, Decimal(1250), editor),
    ]
    # The schedule is part of the target: its version (the API's ETag) moved on, once.
    assert Target.objects.get(pk=target.pk).version == target.version + 1


@pytest.mark.django_db
def test_a_reporter_sees_the_nodes_but_cannot_change_them(client):

    plan = factories.PlanFactory(year=YEAR)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    node(target, planned_percent=Decimal(20)).save()
    client.force_login(town_staff(plan.town, Role.REPORTER))
    response = client.get(reverse("admin:tracker_target_change", args=[target.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "nodes-TOTAL_FORMS" in page
    assert 'name="nodes-0-planned_percent"' not in page  # shown read-only
