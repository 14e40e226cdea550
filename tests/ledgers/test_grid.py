"""The grid: a department fills every target of a period at once, all rows or none."""

import pytest
from django.test import Client

from tests.ledgers.conftest import upload
from tests.ledgers.test_progress_sheet import filled
from tracker.choices import ReportState
from tracker.models import ProgressReport


@pytest.fixture
def browser(xiqiao):
    client = Client()
    client.force_login(xiqiao.users["dept_reporter"])
    return client


def url(period) -> str:
    return f"/tasks/grid/{period.pk}/"


def grid_data(xiqiao, action="submit", land="1500", lab="yes", as_of=None, **extra) -> dict:
    land_id, lab_id = xiqiao.land.pk, xiqiao.lab.pk
    data = {
        f"t{land_id}-value": land,
        f"t{land_id}-as_of": as_of or "2024-11-30",
        f"t{land_id}-note": "十一月",
        f"t{land_id}-evidence_url": "",
        f"t{lab_id}-milestone_done": lab,
        f"t{lab_id}-as_of": "2024-11-30",
        f"t{lab_id}-note": "",
        f"t{lab_id}-evidence_url": "",
        action: "1",
    }
    data.update(extra)
    return data


def test_the_grid_lists_the_departments_targets_with_the_period_end_prefilled(
    xiqiao, november, browser
):
    page = browser.get(url(november))
    assert page.status_code == 200
    html = page.content.decode()
    assert xiqiao.land.title in html
    assert xiqiao.lab.title in html
    assert xiqiao.roads.title not in html  # the planning office's
    assert f'name="t{xiqiao.land.pk}-as_of" value="2024-11-30"' in html


def test_the_tasks_page_links_to_the_grid(xiqiao, browser):
    assert 'href="/tasks/grid/"' in browser.get("/tasks/").content.decode()
    periods = browser.get("/tasks/grid/")
    assert periods.status_code == 200


def test_submit_all_submits_every_filled_row_at_once(xiqiao, november, browser):
    response = browser.post(url(november), grid_data(xiqiao))
    assert response.status_code == 302
    reports = list(ProgressReport.objects.order_by("target_id"))
    assert [r.state for r in reports] == [ReportState.SUBMITTED, ReportState.SUBMITTED]
    assert reports[0].value == 1500
    assert reports[1].milestone_done is True


def test_one_wrong_row_saves_nothing_and_shows_its_error_on_its_cell(xiqiao, november, browser):
    response = browser.post(url(november), grid_data(xiqiao, as_of="2023-05-01"))
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()
    html = response.content.decode()
    # A figure as of a day outside the period is refused (ProgressReport.clean).
    assert "must lie within the period" in html
    assert "Nothing was saved" in html


def test_a_negative_value_is_an_error_from_the_policy_and_nothing_is_saved(
    xiqiao, november, browser
):
    response = browser.post(url(november), grid_data(xiqiao, land="-3"))
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()
    assert "cannot be negative" in response.content.decode()


def test_save_all_as_drafts_and_then_submit(xiqiao, november, browser):
    assert browser.post(url(november), grid_data(xiqiao, action="save")).status_code == 302
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.DRAFT}
    page = browser.get(url(november)).content.decode()
    assert f'name="t{xiqiao.land.pk}-value" value="1500' in page  # the draft is shown
    assert browser.post(url(november), grid_data(xiqiao)).status_code == 302
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}


def test_rows_left_empty_are_skipped_and_an_empty_grid_saves_nothing(xiqiao, november, browser):
    response = browser.post(url(november), grid_data(xiqiao, land="", lab=""))
    assert response.status_code == 400
    assert "fill in at least one row" in response.content.decode()
    assert browser.post(url(november), grid_data(xiqiao, lab="")).status_code == 302
    assert ProgressReport.objects.count() == 1


def test_submitted_rows_are_shown_but_not_editable(xiqiao, november, browser):
    browser.post(url(november), grid_data(xiqiao))
    html = browser.get(url(november)).content.decode()
    assert f'name="t{xiqiao.land.pk}-value"' not in html
    assert "Submitted" in html


def test_the_grid_and_the_upload_give_the_same_reports(xiqiao, november, browser):
    browser.post(url(november), grid_data(xiqiao, **{f"t{xiqiao.land.pk}-note": ""}))
    by_grid = list(
        ProgressReport.objects.order_by("target_id").values_list(
            "target_id", "value", "milestone_done", "as_of", "note", "evidence_url", "state"
        )
    )
    ProgressReport.objects.all().delete()
    data = filled(xiqiao, november, G2=1500, G3="已完成")
    response = browser.post(f"/tasks/grid/{november.pk}/upload/", {"file": upload(data)})
    assert response.status_code == 302
    by_upload = list(
        ProgressReport.objects.order_by("target_id").values_list(
            "target_id", "value", "milestone_done", "as_of", "note", "evidence_url", "state"
        )
    )
    assert by_upload == by_grid


def test_an_upload_with_errors_lists_them_by_row_and_column(xiqiao, november, browser):
    data = filled(xiqiao, november, G2="很多")
    response = browser.post(f"/tasks/grid/{november.pk}/upload/", {"file": upload(data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>2</td><td>value reached</td>" in html
    assert not ProgressReport.objects.exists()


def test_the_template_downloads_from_the_grid(xiqiao, november, browser):
    response = browser.get(f"/tasks/grid/{november.pk}/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_someone_who_does_not_report_in_the_town_gets_403(xiqiao, november):
    client = Client()
    client.force_login(xiqiao.users["outsider"])
    assert client.get(url(november)).status_code in (403, 404)
    client.force_login(xiqiao.users["reviewer"])
    assert client.get(url(november)).status_code == 403


def test_the_grid_reads_the_same_number_of_queries_for_more_targets(xiqiao, november, browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url(november)).status_code == 200
        return len(queries)

    two = count()
    for _ in range(10):
        factories.TargetFactory(section=xiqiao.land.section, lead_department=xiqiao.economy)
    # The session and the user, the period, the memberships, the targets (one .values()
    # query), their helping departments, sections and reporting cycle (tracker.selectors),
    # the period's reports; none per row.
    assert count() == two
    assert two <= 16


def test_every_rows_problem_shows_at_once_even_when_a_cell_is_not_a_date(xiqiao, november, browser):
    data = grid_data(xiqiao, land="-3")
    data[f"t{xiqiao.lab.pk}-as_of"] = "2024-13-40"
    response = browser.post(url(november), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be negative" in html  # the policy's, on the valid row
    assert "Enter a valid date" in html  # the form's, on the other
    assert not ProgressReport.objects.exists()
