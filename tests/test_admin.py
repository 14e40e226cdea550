"""The staff's data entry in the admin: lists, progress entry, and bad input refused."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tracker.models import ProgressUpdate, Target

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def this_years_target():
    plan = factories.PlanFactory(year=YEAR)
    return factories.TargetFactory(section=factories.SectionFactory(plan=plan))


def change_form_data(target: Target, **progress) -> dict:
    """The POST of the target's change page, unchanged but for a new progress update."""
    data = {
        "plan": target.plan_id,
        "section": target.section_id,
        "position": target.position,
        "title": target.title,
        "metric": target.metric,
        "kind": target.kind,
        "comparison": target.comparison,
        "value": str(target.value) if target.value is not None else "",
        "value_max": "",
        "unit": target.unit,
        "baseline": "",
        "deadline": "",
        "lead_department": "",
        "quote": "",
        "source_document": "",
        "seen_version": target.version,
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1",
        "updates-0-as_of": "",
        "updates-0-value": "",
        "updates-0-milestone_done": "unknown",
        "updates-0-note": "",
        "updates-0-evidence_url": "",
        "nodes-TOTAL_FORMS": "0",
        "nodes-INITIAL_FORMS": "0",
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
        "updates-2-TOTAL_FORMS": "0",
        "updates-2-INITIAL_FORMS": "0",
        "updates-2-MIN_NUM_FORMS": "0",
        "updates-2-MAX_NUM_FORMS": "0",
    }
    data.update({f"updates-0-{key}": value for key, value in progress.items()})
    return data


def test_target_change_page_offers_a_progress_form(admin_client, this_years_target):
    response = admin_client.get(reverse("admin:tracker_target_change", args=[this_years_target.pk]))
    assert response.status_code == 200
    assert b"updates-0-as_of" in response.content


def test_staff_records_progress_from_the_target_page(admin_client, staff, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    response = admin_client.post(
        url, change_form_data(this_years_target, as_of=TODAY.isoformat(), value="1200")
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    update = ProgressUpdate.objects.get()
    assert (update.value, update.reported_by) == (Decimal("1200"), staff)
    assert Target.objects.get(pk=this_years_target.pk).latest_update == update


def test_negative_progress_is_a_form_error_and_saves_nothing(admin_client, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    response = admin_client.post(
        url, change_form_data(this_years_target, as_of=TODAY.isoformat(), value="-5")
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_progress_dated_outside_the_plan_year_is_a_form_error(admin_client, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    response = admin_client.post(
        url, change_form_data(this_years_target, as_of=f"{YEAR - 1}-12-31", value="5")
    )
    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()


def test_range_with_upper_below_lower_is_a_form_error(admin_client, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    data = change_form_data(this_years_target)
    data.update(comparison="range", value="3", value_max="2")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert Target.objects.get(pk=this_years_target.pk).comparison == "eq"


def test_numeric_value_on_a_milestone_is_a_form_error(admin_client, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    data = change_form_data(this_years_target)
    data.update(kind="milestone")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert Target.objects.get(pk=this_years_target.pk).kind == "quantitative"


def test_edit_over_someone_elses_change_is_a_form_error(admin_client, this_years_target):
    url = reverse("admin:tracker_target_change", args=[this_years_target.pk])
    stale = change_form_data(this_years_target)
    fresh = change_form_data(this_years_target)
    fresh["title"] = "第一位编辑"
    assert admin_client.post(url, fresh).status_code == 302
    stale["title"] = "第二位编辑"
    response = admin_client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert Target.objects.get(pk=this_years_target.pk).title == "第一位编辑"


def test_progress_updates_cannot_be_changed_or_deleted_in_the_admin(
    admin_client, this_years_target
):
    update = ProgressUpdate.objects.create(
        target=this_years_target, as_of=TODAY, value=Decimal("1")
    )
    delete = admin_client.post(
        reverse("admin:tracker_progressupdate_delete", args=[update.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def make_targets(count: int, reached: str = "100") -> None:
    plan = factories.PlanFactory(year=YEAR)
    section = factories.SectionFactory(plan=plan)
    for _ in range(count):
        target = factories.TargetFactory(section=section)
        update = ProgressUpdate.objects.create(target=target, as_of=TODAY, value=Decimal(reached))
        Target.objects.filter(pk=target.pk).update(latest_update=update)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_target_list_query_count_does_not_grow_with_rows(admin_client):
    url = reverse("admin:tracker_target_changelist")
    make_targets(1)
    # session, user, the count, the page's rows (plan, town, section and latest
    # update joined in), and one query for each filter's choices: constant.
    one_row = count_queries(admin_client, url)
    one_row_filtered = count_queries(admin_client, url, {"status": "on_track", "q": "拆除"})
    make_targets(29)
    assert count_queries(admin_client, url) == one_row
    assert count_queries(admin_client, url, {"status": "on_track", "q": "拆除"}) == one_row_filtered


def test_target_list_filters_by_status(admin_client):
    make_targets(2, reached="2500")
    url = reverse("admin:tracker_target_changelist")
    assert admin_client.get(url, {"status": "achieved"}).context["cl"].result_count == 2
    assert admin_client.get(url, {"status": "behind"}).context["cl"].result_count == 0
