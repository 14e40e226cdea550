import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.models import Department, ReminderLog
from tracker.workflow import reporting_today, reports_owed


class Command(BaseCommand):
    help = (
        "Email each department the reports it owes (due or overdue), once per period per "
        "department; running it twice sends nothing new. Meant for cron, e.g. daily at 08:00."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            help="Simulate another day (YYYY-MM-DD), for testing a schedule; default: today, "
            "or TRACKER_TODAY where it is set.",
        )

    def handle(self, *args, today: str | None = None, **options) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else reporting_today()
        except ValueError as error:
            raise CommandError(f"--today must be a date like 2026-03-04, not {today!r}") from error
        owed = reports_owed(day)
        departments = Department.objects.in_bulk(list(owed))
        sent = skipped = 0
        for department_id, chases in owed.items():
            department = departments[department_id]
            current = max((chase.period for chase in chases), key=lambda period: period.starts_on)
            if not department.email:
                self.stderr.write(f"{department}: no email address; not reminded")
                skipped += 1
                continue
            with transaction.atomic():
                log, created = ReminderLog.objects.get_or_create(
                    department=department,
                    period=current,
                    defaults={"recipients": department.email, "report_count": len(chases)},
                )
                if not created:
                    continue
                lines = [
                    f"{'逾期 OVERDUE' if chase.overdue else '待报 due'} {chase.period.due_on}  "
                    f"{chase.period.label}  {chase.target.title}"
                    for chase in chases
                ]
                send_mail(
                    subject=f"[plan-tracker] {department.name}: {len(chases)} 项进度待填报 reports owed",
                    message="\n".join(lines),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[department.email],
                )
                sent += 1
        self.stdout.write(
            f"{sent} reminder(s) sent, {skipped} department(s) without an email address"
        )
