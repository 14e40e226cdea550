"""The workflow on the seed data, with a simulated date.

The seed has no departments (the documents name none), so each test adds one
(test data only) and makes it the lead of a seeded target.
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from tracker.models import Department, Plan, ProgressReport, ReminderLog, Target

pytestmark = pytest.mark.django_db

XIQU_TARGET = "引进优质企业"  # 西区街道 2026, active, nothing reported yet
DANZAO_LAND = "村级工业园土地拆除整理（年度任务）"  # 丹灶镇 2020: 1641.72 亩 as of 2020-06-30


@pytest.fixture(scope="module")
def seeded(seeded, django_db_blocker):
    """The seed data (once per module) with monthly periods for 西区 2026 and 丹灶 2020."""
    with django_db_blocker.unblock():
        call_command("generate_periods", "--town", "xiqu", "--year", "2026", stdout=io.StringIO())
        call_command("generate_periods", "--town", "danzao", "--year", "2020", stdout=io.StringIO())


def led_by_a_new_department(town_slug: str, title: str, email: str = "") -> Target:
    target = Target.objects.select_related("plan__town").get(
        plan__town__slug=town_slug, title=title
    )
    department, _created = Department.objects.get_or_create(
        town=target.plan.town, name="测试用经济发展办公室", defaults={"email": email}
    )
    target.lead_department = department
    target.save()
    return target


def warning_on_plan_page(client, settings, day: datetime.date, target: Target) -> str:
    settings.TRACKER_TODAY = day
    plan = target.plan
    html = client.get(f"/towns/{plan.town.slug}/{plan.year}/").content.decode()
    card = html.split(f'id="target-{target.pk}"')[1].split("</li>")[0]
    found = card.split('data-warning="')
    return found[1].split('"')[0] if len(found) > 1 else ""


def test_periods_are_generated_for_the_seed_plans_and_twice_adds_nothing(seeded, capsys):
    assert Plan.objects.get(town__slug="xiqu", year=2026).periods.count() == 12
    call_command("generate_periods", "--active")  # 西区 2026 is the only active plan
    assert "0 period(s) added, 12 in all" in capsys.readouterr().out


def test_warning_colours_follow_the_due_date_on_the_seed_data(seeded, client, settings):
    target = led_by_a_new_department("xiqu", XIQU_TARGET)
    # January's report is due on 5 February.
    assert warning_on_plan_page(client, settings, datetime.date(2026, 1, 20), target) == "green"
    assert warning_on_plan_page(client, settings, datetime.date(2026, 2, 3), target) == "yellow"
    assert warning_on_plan_page(client, settings, datetime.date(2026, 2, 6), target) == "red"
    # Before any period has started there is no warning at all.
    assert warning_on_plan_page(client, settings, datetime.date(2025, 12, 31), target) == ""
    # Nobody owes a report on a target without a lead department: only its status counts.
    orphan = Target.objects.filter(plan=target.plan, lead_department=None).first()
    assert warning_on_plan_page(client, settings, datetime.date(2026, 2, 6), orphan) == "green"


def test_seeded_progress_counts_as_reported(seeded, client, settings):
    land = led_by_a_new_department("danzao", DANZAO_LAND)
    other = Target.objects.filter(plan=land.plan).exclude(pk=land.pk).first()
    other = led_by_a_new_department("danzao", other.title)
    day = datetime.date(2020, 7, 3)
    # The seeded 1641.72 亩 (65.67%, ahead of the pace) settles June and the months before it;
    # July's report is due on 5 August.
    assert warning_on_plan_page(client, settings, day, land) == "green"
    # A target with nothing reported owes January to June: overdue since 5 February.
    assert warning_on_plan_page(client, settings, day, other) == "red"
    assert not ProgressReport.objects.exists()  # nothing had to be re-entered


def test_reminders_on_the_seed_data_go_once_per_period(seeded, settings):
    led_by_a_new_department("xiqu", XIQU_TARGET, email="jingji@xiqu.example.gov.cn")
    led_by_a_new_department("danzao", DANZAO_LAND, email="jingji@danzao.example.gov.cn")
    settings.TRACKER_TODAY = datetime.date(2026, 2, 6)
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 1  # 丹灶's plan is closed: it is not chased
    message = mail.outbox[0]
    assert message.to == ["jingji@xiqu.example.gov.cn"]
    assert XIQU_TARGET in message.body
    assert "逾期 OVERDUE 2026-02-05" in message.body
    assert ReminderLog.objects.count() == 1
    settings.TRACKER_TODAY = datetime.date(2026, 3, 2)  # February's period: a new reminder
    call_command("send_reminders")
    assert len(mail.outbox) == 2
