"""The ledgers over the API: template, upload (201, 200 on a replay, 400 by row), plan breakdown."""

import io

from openpyxl import load_workbook

from tests.ledgers.conftest import upload
from tests.ledgers.test_progress_sheet import filled
from tracker.ledgers.workbooks import XLSX_TYPE
from tracker.models import ProgressReport


def test_the_template_downloads_for_a_town_and_a_period(xiqiao, november):
    client = xiqiao.client("dept_reporter")
    response = client.get(
        f"/api/reports/template.xlsx?town={xiqiao.town.slug}&period={november.pk}"
        f"&department={xiqiao.economy.pk}"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].max_row == 3  # the heading and the economic office's two targets


def test_the_template_for_another_department_lists_nothing_the_user_reports_on(xiqiao, november):
    response = xiqiao.client("dept_reporter").get(
        f"/api/reports/template.xlsx?town={xiqiao.town.slug}&period={november.pk}"
        f"&department={xiqiao.planning.pk}"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_template_parameters_are_checked(xiqiao, november):
    client = xiqiao.client("dept_reporter")
    assert client.get("/api/reports/template.xlsx").status_code == 400
    assert client.get(
        f"/api/reports/template.xlsx?town={xiqiao.town.slug}&period=999999"
    ).json() == {"period": ["No such period of this town."]}
    unknown = client.get(f"/api/reports/template.xlsx?town=nowhere&period={november.pk}")
    assert (unknown.status_code, unknown.json()) == (400, {"town": ["No such town."]})


def test_an_upload_answers_201_then_200_when_nothing_is_new(xiqiao, november):
    client = xiqiao.client("dept_reporter")
    data = filled(xiqiao, november)
    first = client.post("/api/reports/import/", {"file": upload(data)}, format="multipart")
    assert first.status_code == 201
    assert first.json()["created"] == 2
    assert first.json()["held"] == 2
    assert len(first.json()["reports"]) == 2
    again = client.post("/api/reports/import/", {"file": upload(data)}, format="multipart")
    assert again.status_code == 200
    assert again.json()["replayed"] == 2
    assert ProgressReport.objects.count() == 2


def test_an_upload_with_errors_answers_400_keyed_by_row_and_column(xiqiao, november):
    data = filled(xiqiao, november, G2="abc", H3="32/13/2024", G3="已完成")
    response = xiqiao.client("dept_reporter").post(
        "/api/reports/import/", {"file": upload(data)}, format="multipart"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"2", "3"}
    assert list(errors["2"]) == ["value reached"]
    assert list(errors["3"]) == ["as of"]
    assert not ProgressReport.objects.exists()


def test_a_file_refused_whole_answers_400_on_file(xiqiao):
    response = xiqiao.client("dept_reporter").post(
        "/api/reports/import/", {"file": upload(b"a,b\n1,2\n", "x.csv")}, format="multipart"
    )
    assert response.status_code == 400
    assert "not an Excel workbook" in response.json()["file"][0]
    missing = xiqiao.client("dept_reporter").post("/api/reports/import/", {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()


def test_the_schema_types_the_downloads_as_binary(db, client):
    schema = client.get("/api/schema/?format=json").json()
    binary = {"type": "string", "format": "binary"}
    # The workbook's own type, and application/octet-stream for generated clients.
    for path in ("/api/reports/template.xlsx", "/api/plans/{id}/export.xlsx"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {XLSX_TYPE, "application/octet-stream"}, path
        assert all(body["schema"] == binary for body in content.values()), path
    upload_body = schema["paths"]["/api/reports/import/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
