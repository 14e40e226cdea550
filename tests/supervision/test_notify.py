"""Notification channels (email, DingTalk, WeCom, JSON) with secrets and retries, and 催办.

Webhooks go to a local receiver (tests/supervision/receiver.py).
"""

import base64
import datetime
import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests import factories
from tests.supervision.receiver import Receiver
from tracker.chasing import chase_send
from tracker.choices import Role
from tracker.models import Chase, NotificationChannel, ReminderLog
from tracker.notify import Message, channel_send, json_signature, notify_department
from tracker.workflow import periods_generate

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture(autouse=True)
def _no_backoff(settings):
    settings.TRACKER_NOTIFY_BACKOFF = 0


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def town():
    plan = factories.PlanFactory(year=YEAR)
    department = factories.DepartmentFactory(
        town=plan.town, name="经济发展办公室", email="jingji@example.gov.cn"
    )
    target = factories.TargetFactory(
        section=factories.SectionFactory(plan=plan), lead_department=department
    )
    periods_generate(plan=plan)
    reviewer = factories.MembershipFactory(town=plan.town, role=Role.REVIEWER).user
    return {"plan": plan, "department": department, "target": target, "reviewer": reviewer}


def channel(town, kind, address="", secret="", attempts=3):
    return NotificationChannel.objects.create(
        town=town["plan"].town,
        name=kind,
        kind=kind,
        address=address,
        secret=secret,
        attempts=attempts,
    )


MESSAGE = Message(title="催办：引进优质企业", text="报告自 2024-02-05 起逾期", url="/targets/1/")


def test_dingtalk_is_signed_with_the_channels_secret(town, receiver):
    robot = channel(town, "dingtalk", receiver.url, secret="SEC-demo")
    delivery = channel_send(robot, town["department"], MESSAGE)
    assert delivery.ok
    (request,) = receiver.requests
    timestamp, sign = request.query["timestamp"][0], request.query["sign"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC-demo", f"{timestamp}\nSEC-demo".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected
    body = request.json()
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == MESSAGE.title
    assert "逾期" in body["markdown"]["text"]


def test_wecom_gets_its_markdown_and_a_refusal_counts_as_a_failure(town, receiver):
    receiver.answers = [(200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}')]
    robot = channel(town, "wecom", receiver.url, attempts=2)
    delivery = channel_send(robot, town["department"], MESSAGE)
    assert not delivery.ok
    assert delivery.attempts == 2
    assert "93000" in delivery.error
    assert "催办" in receiver.requests[0].json()["markdown"]["content"]


def test_json_webhook_carries_an_hmac_of_its_body(town, receiver):
    hook = channel(town, "json", receiver.url, secret="s3cret")
    assert channel_send(hook, town["department"], MESSAGE).ok
    (request,) = receiver.requests
    assert request.headers["x-signature"] == json_signature("s3cret", request.body)
    assert request.headers["x-signature"].startswith("sha256=")
    body = request.json()
    assert (body["department"], body["url"]) == ("经济发展办公室", "/targets/1/")


def test_a_failed_try_is_retried_and_the_attempts_are_counted(town, receiver):
    receiver.answers = [(500, b""), (502, b""), (200, b"{}")]
    hook = channel(town, "json", receiver.url, attempts=3)
    delivery = channel_send(hook, town["department"], MESSAGE)
    assert (delivery.ok, delivery.attempts) == (True, 3)
    assert len(receiver.requests) == 3


def test_an_unreachable_webhook_fails_without_raising(town):
    hook = channel(town, "json", "http://127.0.0.1:9/hook", attempts=2)
    delivery = channel_send(hook, town["department"], MESSAGE)
    assert not delivery.ok
    assert delivery.attempts == 2


def test_a_webhook_address_must_be_a_url(town):
    bad = NotificationChannel(town=town["plan"].town, name="x", kind="json", address="ftp://x")
    with pytest.raises(ValidationError, match="http"):
        bad.full_clean()


def test_without_channels_the_department_is_emailed(town):
    (delivery,) = notify_department(town["department"], MESSAGE)
    assert delivery.ok
    assert mail.outbox[0].to == ["jingji@example.gov.cn"]


def test_every_active_channel_gets_the_message(town, receiver):
    channel(town, "email", "office@example.gov.cn")
    channel(town, "json", receiver.url)
    NotificationChannel.objects.create(
        town=town["plan"].town, name="off", kind="json", address=receiver.url, is_active=False
    )
    deliveries = notify_department(town["department"], MESSAGE)
    assert [d.ok for d in deliveries] == [True, True]
    assert mail.outbox[0].to == ["jingji@example.gov.cn", "office@example.gov.cn"]
    assert len(receiver.requests) == 1


def test_a_reviewer_chases_an_overdue_target_and_the_webhook_hears_of_it(town, receiver):
    channel(town, "dingtalk", receiver.url, secret="SEC")
    chase = chase_send(
        user=town["reviewer"], target=town["target"], today=datetime.date(YEAR, 3, 10)
    )
    assert chase.sent_by == town["reviewer"]
    assert chase.department == town["department"]
    assert chase.period.starts_on == datetime.date(YEAR, 1, 1)  # the earliest report owed
    assert "2024-02-05" in chase.reason
    assert "ok (1 attempt(s))" in chase.deliveries
    text = receiver.requests[0].json()["markdown"]["text"]
    assert town["target"].title in text
    assert "经济发展办公室" in text
    assert Chase.objects.filter(target=town["target"]).count() == 1


def test_only_a_reviewer_of_the_town_chases(town):
    outsider = factories.MembershipFactory(role=Role.REVIEWER).user
    with pytest.raises(PermissionDenied):
        chase_send(user=outsider, target=town["target"], today=datetime.date(YEAR, 3, 10))
    assert not Chase.objects.exists()


def test_a_green_target_has_nothing_to_chase(town):
    with pytest.raises(ValidationError, match="nothing to chase"):
        chase_send(user=town["reviewer"], target=town["target"], today=datetime.date(YEAR, 1, 10))


def test_reminders_go_through_the_channels_and_a_failure_is_tried_again_next_run(town, receiver):
    receiver.answers = [(500, b"")]
    town["department"].email = ""
    town["department"].save()
    channel(town, "json", receiver.url, attempts=1)
    call_command("send_reminders", "--today", f"{YEAR}-03-10")
    assert not ReminderLog.objects.exists()  # nothing reached them
    receiver.answers = [(500, b""), (200, b"{}")]
    call_command("send_reminders", "--today", f"{YEAR}-03-10")
    assert ReminderLog.objects.count() == 1
    assert json.loads(receiver.requests[-1].body)["title"].startswith("[plan-tracker]")


def test_the_duban_page_has_a_chase_button_that_records_and_notifies(town, client, settings):
    settings.TRACKER_TODAY = datetime.date(YEAR, 3, 10)
    client.force_login(town["reviewer"])
    page = client.get("/duban/").content.decode()
    assert f'action="/duban/chase/{town["target"].pk}/"' in page
    response = client.post(f"/duban/chase/{town['target'].pk}/", follow=True)
    assert response.redirect_chain[-1][0] == "/duban/"
    assert Chase.objects.get().sent_by == town["reviewer"]
    assert mail.outbox[0].to == ["jingji@example.gov.cn"]  # no channel: the email fallback
    assert "经济发展办公室" in response.content.decode()


def test_the_chase_button_is_a_404_for_someone_who_does_not_review_the_town(town, client, settings):
    settings.TRACKER_TODAY = datetime.date(YEAR, 3, 10)
    client.force_login(factories.MembershipFactory(role=Role.REVIEWER).user)
    assert client.post(f"/duban/chase/{town['target'].pk}/").status_code == 404
    assert client.get(f"/duban/chase/{town['target'].pk}/").status_code == 405
    assert not Chase.objects.exists()


def test_the_reviewers_list_shows_the_numbers_to_weigh(town, client, settings):
    from decimal import Decimal

    from tracker.services import progress_record
    from tracker.workflow import report_save, report_submit

    settings.TRACKER_TODAY = datetime.date(YEAR, 3, 10)
    target = town["target"]
    progress_record(target=target, as_of=datetime.date(YEAR, 1, 31), value=Decimal("200"))
    reporter = factories.MembershipFactory(
        town=town["plan"].town, role=Role.REPORTER, department=town["department"]
    ).user
    period = town["plan"].periods.get(starts_on=datetime.date(YEAR, 2, 1))
    report = report_save(
        user=reporter,
        target=target,
        period=period,
        value=Decimal("500"),
        as_of=datetime.date(YEAR, 2, 29),
    )
    report_submit(user=reporter, report=report)
    client.force_login(town["reviewer"])
    html = client.get("/duban/").content.decode()
    row = html[html.index(f'data-report="{report.pk}"') :]
    row = row[: row.index("</tr>")]
    unit = target.unit
    assert f"500 {unit}" in row or f"500{unit}" in row  # the value reported, with its unit
    assert "2024-02-29" in row  # as of
    assert f"200 {unit}" in row or f"200{unit}" in row  # the value that counts now
    expected = (Decimal(500) / target.value * 100).quantize(Decimal("0.01")).normalize()
    assert f"{expected:f}%" in row  # what approving it would make of the target
    assert 'data-status="' in row  # and the status it would have
