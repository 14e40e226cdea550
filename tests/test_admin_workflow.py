"""Reviewing reports in the admin: the approve and return buttons, and evidence uploads."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tracker.choices import ReportState, Role
from tracker.models import EvidenceFile, ProgressReport
from tracker.workflow import periods_generate, report_save, report_submit

pytestmark = pytest.mark.django_db


def staff_with_role(town, role):
    user = factories.UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    user.memberships.create(town=town, role=role)
    return user


@pytest.fixture
def submitted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = factories.PlanFactory(year=2024)
    target = factories.TargetFactory(section=factories.SectionFactory(plan=plan))
    period = periods_generate(plan=plan)[0]
    reporter = staff_with_role(plan.town, Role.REPORTER)
    report = report_save(
        user=reporter,
        target=target,
        period=period,
        value=Decimal("10"),
        as_of=datetime.date(2024, 1, 31),
    )
    return report_submit(user=reporter, report=report), reporter


def test_reviewer_approves_from_the_report_page(client, submitted):
    report, _ = submitted
    client.force_login(staff_with_role(report.target.plan.town, Role.REVIEWER))
    url = reverse("admin:tracker_progressreport_change", args=[report.pk])
    assert b"_approve_report" in client.get(url).content
    response = client.post(
        url, {"_approve_report": "1", "files-TOTAL_FORMS": "0", "files-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.APPROVED


def test_reviewer_returns_with_a_reason(client, submitted):
    report, _ = submitted
    client.force_login(staff_with_role(report.target.plan.town, Role.REVIEWER))
    url = reverse("admin:tracker_progressreport_change", args=[report.pk])
    client.post(
        url,
        {
            "_return_report": "1",
            "return_reason": "请补充佐证材料",
            "files-TOTAL_FORMS": "0",
            "files-INITIAL_FORMS": "0",
        },
    )
    report.refresh_from_db()
    assert (report.state, report.return_reason) == (ReportState.RETURNED, "请补充佐证材料")


def test_reporter_cannot_approve_own_report(client, submitted):
    report, reporter = submitted
    client.force_login(reporter)
    url = reverse("admin:tracker_progressreport_change", args=[report.pk])
    client.post(url, {"_approve_report": "1", "files-TOTAL_FORMS": "0", "files-INITIAL_FORMS": "0"})
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def upload_to_draft(client, report, reporter, upload):
    report.state = ReportState.DRAFT
    report.save()
    client.force_login(reporter)
    url = reverse("admin:tracker_progressreport_change", args=[report.pk])
    data = {
        "target": report.target_id, "period": report.period_id, "value": "10", "as_of": "2024-01-31",
        "note": "", "evidence_url": "", "milestone_done": "unknown",
        "files-TOTAL_FORMS": "1", "files-INITIAL_FORMS": "0", "files-0-file": upload,
    }  # fmt: skip
    return client.post(url, data)


def test_evidence_pdf_is_stored(client, submitted):
    report, reporter = submitted
    upload = SimpleUploadedFile("佐证.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    response = upload_to_draft(client, report, reporter, upload)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert (evidence.name, evidence.content_type) == ("佐证.pdf", "application/pdf")
    download = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minimal"


def test_evidence_with_a_false_extension_is_a_form_error(client, submitted):
    report, reporter = submitted
    upload = SimpleUploadedFile(
        "report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = upload_to_draft(client, report, reporter, upload)
    assert response.status_code == 200
    assert "not a .pdf file" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_evidence_of_another_town_is_not_served(client, submitted):
    report, reporter = submitted
    upload_to_draft(
        client, report, reporter, SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n....", "image/png")
    )
    evidence = EvidenceFile.objects.get()
    client.force_login(factories.MembershipFactory(role=Role.REPORTER).user)
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
