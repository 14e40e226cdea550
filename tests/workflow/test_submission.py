"""The one submission policy (tracker/submission.py), tested directly: recorded or held.

The town is 西樵镇 of tests/workflow/conftest.py: it reviews progress, with
monthly periods in 2024; dept_reporter reports for the economic office, which
leads the land target and the milestone.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from tests.workflow.conftest import YEAR
from tracker.choices import ReportState, Role
from tracker.models import ProgressReport, ProgressUpdate, Target
from tracker.submission import (
    KeyReused,
    Outcome,
    ProgressItem,
    SubmissionsRefused,
    progress_held,
    progress_submit,
    progress_submit_many,
)
from tracker.workflow import InvalidTransition

pytestmark = pytest.mark.django_db

MARCH = datetime.date(YEAR, 3, 31)


def submit(xiqiao, actor="dept_reporter", **fields):
    fields = {"target": xiqiao.land, "as_of": MARCH, "value": Decimal("600"), **fields}
    return progress_submit(user=xiqiao.users[actor], **fields)


def no_review(xiqiao):
    xiqiao.town.review_required = False
    xiqiao.town.save()


# --- recorded or held -----------------------------------------------------------------


def test_a_reporters_entry_in_a_reviewing_town_is_held_as_its_periods_report(xiqiao):
    done = submit(xiqiao, note="三月")
    assert (done.outcome, done.replayed, done.update) == (Outcome.HELD, False, None)
    report = done.report
    assert (report.state, report.period, report.value) == (
        ReportState.SUBMITTED,
        xiqiao.periods[2],
        Decimal("600"),
    )
    assert report.submitted_by == xiqiao.users["dept_reporter"]
    assert not ProgressUpdate.objects.exists()
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update is None


def test_an_entry_in_a_town_that_does_not_review_is_recorded_at_once(xiqiao):
    no_review(xiqiao)
    done = submit(xiqiao)
    assert (done.outcome, done.report) == (Outcome.RECORDED, None)
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update == done.update
    assert done.update.reported_by == xiqiao.users["dept_reporter"]
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("actor", ["reviewer", "superuser"])
def test_a_reviewers_own_entry_is_recorded_at_once(xiqiao, actor):
    xiqiao.users["reviewer"].memberships.create(town=xiqiao.town, role=Role.REPORTER)
    assert not progress_held(user=xiqiao.users[actor], target=xiqiao.land)
    done = submit(xiqiao, actor)
    assert done.outcome == Outcome.RECORDED
    assert Target.objects.get(pk=xiqiao.land.pk).latest_update == done.update


def test_an_entry_for_a_period_that_needs_no_review_is_the_periods_report_approved(xiqiao):
    no_review(xiqiao)
    done = submit(xiqiao, period=xiqiao.periods[1], as_of=None)
    assert done.outcome == Outcome.RECORDED
    assert done.report.state == ReportState.APPROVED
    assert done.update == Target.objects.get(pk=xiqiao.land.pk).latest_update
    assert (
        done.update.as_of == xiqiao.periods[1].ends_on
    )  # a report without a date: its period's end


def test_a_held_entry_names_the_date_no_period_covers(xiqiao):
    with pytest.raises(ValidationError) as error:
        submit(xiqiao, as_of=datetime.date(YEAR - 1, 12, 31))
    assert "as_of" in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_a_held_entry_carries_no_correction_or_quote(xiqiao):
    with pytest.raises(ValidationError) as error:
        submit(xiqiao, quote="上半年完成")
    assert set(error.value.message_dict) == {"quote"}


def test_a_period_of_another_plan_is_refused(xiqiao):
    from tests import factories
    from tracker.workflow import periods_generate

    elsewhere = periods_generate(plan=factories.PlanFactory(year=YEAR))[0]
    with pytest.raises(ValidationError) as error:
        submit(xiqiao, period=elsewhere)
    assert "period" in error.value.message_dict


# --- who ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "target", "message"),
    [
        ("other_reporter", "land", "department leads"),  # the planning office's reporter
        ("dept_reporter", "roads", "department leads"),
        ("outsider", "land", "may not report"),
        ("region_viewer", "land", "may not report"),
    ],
)
def test_only_the_lead_departments_reporters_submit(xiqiao, actor, target, message):
    for review in (True, False):  # the department rule holds whether or not the town reviews
        xiqiao.town.review_required = review
        xiqiao.town.save()
        with pytest.raises(ValidationError) as error:
            submit(xiqiao, actor, target=getattr(xiqiao, target))
        assert message in " ".join(error.value.message_dict["target"])
    assert not ProgressReport.objects.exists()
    assert not ProgressUpdate.objects.exists()


# --- idempotency ----------------------------------------------------------------------


def test_the_same_key_and_content_is_a_replay_and_other_content_is_refused(xiqiao):
    no_review(xiqiao)
    first = submit(xiqiao, client_key="k1")
    again = submit(xiqiao, client_key="k1")
    assert (again.update, again.replayed) == (first.update, True)
    with pytest.raises(KeyReused):
        submit(xiqiao, client_key="k1", value=Decimal("700"))
    with pytest.raises(KeyReused):
        submit(xiqiao, client_key="k1", note="another note")
    assert ProgressUpdate.objects.count() == 1


def test_a_held_entry_sent_again_is_a_replay_and_other_content_a_conflict(xiqiao):
    first = submit(xiqiao, client_key="q1")
    again = submit(xiqiao, client_key="q1")
    assert (again.report, again.replayed, again.outcome) == (first.report, True, Outcome.HELD)
    without_key = submit(xiqiao)
    assert (without_key.report, without_key.replayed) == (first.report, True)
    with pytest.raises(KeyReused):  # the same key with other content
        submit(xiqiao, client_key="q1", value=Decimal("700"))
    with pytest.raises(InvalidTransition):  # another submission for a submitted period
        submit(xiqiao, client_key="q2", value=Decimal("700"))
    assert ProgressReport.objects.get().value == Decimal("600")


def test_a_returned_report_is_rewritten_and_submitted_again(xiqiao):
    from tracker.workflow import report_return

    first = submit(xiqiao)
    report_return(user=xiqiao.users["reviewer"], report=first.report, reason="数据有误")
    again = submit(xiqiao, value=Decimal("650"))
    assert (again.report.pk, again.report.state, again.replayed) == (
        first.report.pk,
        ReportState.SUBMITTED,
        False,
    )
    assert again.report.value == Decimal("650")


# --- batches --------------------------------------------------------------------------


def items(xiqiao, *changes):
    base = {"target": xiqiao.land, "value": Decimal("100")}
    return [ProgressItem(**{**base, **change}) for change in changes]


def test_a_batch_is_all_or_nothing_with_errors_keyed_by_index(xiqiao):
    batch = items(
        xiqiao,
        {"as_of": datetime.date(YEAR, 1, 31)},
        {"as_of": datetime.date(YEAR - 1, 6, 30)},  # no period covers it
        {"target": xiqiao.roads, "as_of": datetime.date(YEAR, 2, 29)},  # not the department's
        {"target": xiqiao.lab, "as_of": datetime.date(YEAR, 2, 29), "milestone_done": True},
    )
    with pytest.raises(SubmissionsRefused) as refused:
        progress_submit_many(user=xiqiao.users["dept_reporter"], items=batch)
    errors = refused.value.errors
    assert set(errors) == {1, 2, 3}
    assert "as_of" in errors[1].message_dict
    assert "target" in errors[2].message_dict
    assert "value" in errors[3].message_dict  # a milestone takes done, not a number
    assert not ProgressReport.objects.exists()


def test_a_batch_reports_conflicts_by_index_with_their_codes(xiqiao):
    submit(xiqiao, client_key="k")  # March, held
    batch = items(
        xiqiao,
        {"as_of": datetime.date(YEAR, 1, 31)},
        {"as_of": MARCH, "value": Decimal("999"), "client_key": "k"},
        {"as_of": MARCH, "value": Decimal("999"), "target": xiqiao.land},
    )
    with pytest.raises(SubmissionsRefused) as refused:
        progress_submit_many(user=xiqiao.users["dept_reporter"], items=batch)
    errors = refused.value.errors
    assert (errors[1].error_dict["client_key"][0].code, errors[2].code) == (
        "key_reused",
        "conflict",
    )
    assert ProgressReport.objects.count() == 1


def test_a_batch_may_mix_held_and_recorded_items_and_a_retry_replays_it(xiqiao):
    xiqiao.users["reviewer"].memberships.create(town=xiqiao.town, role=Role.REPORTER)
    from tests import factories

    open_plan = factories.PlanFactory(year=YEAR)
    open_plan.town.review_required = False
    open_plan.town.save()
    open_target = factories.TargetFactory(section=factories.SectionFactory(plan=open_plan))
    reporter = xiqiao.users["town_reporter"]
    reporter.memberships.create(town=open_plan.town, role=Role.REPORTER)
    batch = [
        ProgressItem(target=xiqiao.land, as_of=MARCH, value=Decimal("600"), client_key="a"),
        ProgressItem(target=open_target, as_of=MARCH, value=Decimal("5"), client_key="b"),
    ]
    done = progress_submit_many(user=reporter, items=batch)
    assert [result.outcome for result in done] == [Outcome.HELD, Outcome.RECORDED]
    again = progress_submit_many(user=reporter, items=batch)
    assert all(result.replayed for result in again)
    assert (ProgressReport.objects.count(), ProgressUpdate.objects.count()) == (1, 1)


# --- a database fault is never an answer about the data --------------------------------


def test_a_database_error_while_looking_the_key_up_is_raised_not_read_as_an_answer(
    xiqiao, monkeypatch
):
    """A fault is raised, never read as "already recorded" (issue 15, finding 5: Django's
    Q.check(), which validated the unique key then, logged the error and answered True).
    The batch now looks its keys up in a query of its own."""
    no_review(xiqiao)
    real = CursorWrapper._execute

    def cut_on_key_lookup(self, sql, params, *args):
        if '"tracker_progressupdate"."client_key" IN' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, sql, params, *args)

    monkeypatch.setattr(CursorWrapper, "_execute", cut_on_key_lookup)
    with pytest.raises(OperationalError):
        submit(xiqiao, client_key="during-the-fault")
    monkeypatch.undo()
    assert not ProgressUpdate.objects.exists()
    done = submit(xiqiao, client_key="during-the-fault")
    assert (done.outcome, done.replayed) == (Outcome.RECORDED, False)


def test_a_client_key_may_not_take_the_prefix_of_approved_reports(xiqiao):
    # A review found it: an entry keyed "report:<id>" stood in for that report's update
    # when it was approved (before the batches, silently; after them, a crash).
    no_review(xiqiao)
    with pytest.raises(ValidationError) as refused:
        submit(xiqiao, client_key="report:1")
    assert "client_key" in refused.value.message_dict
    assert not ProgressUpdate.objects.exists()
    assert submit(xiqiao, client_key="reports-2026-03").outcome == Outcome.RECORDED
