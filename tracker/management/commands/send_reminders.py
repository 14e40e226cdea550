import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.models import Department, ReminderLog
from tracker.notify import Message, notify_department
from tracker.workflow import reporting_today, reports_owed


class Command(BaseCommand):
    help = (
        "Remind each department of the reports it owes (due or overdue) through its town's "
        "notification channels (email by default), once per period per department; running it "
        "twice sends nothing new. Meant for cron, e.g. daily at 08:00."
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
            lines = [
                f"{'逾期 OVERDUE' if chase.overdue else '待报 due'} {chase.period.due_on}  "
                f"{chase.period.label}  {chase.target.title}"
                for chase in chases
            ]
            message = Message(
                title=f"[plan-tracker] {department.name}: {len(chases)} 项进度待填报 reports owed",
                text="\n".join(lines),
            )
            with transaction.atomic():
                log, created = ReminderLog.objects.get_or_create(
                    department=department,
                    period=current,
                    defaults={"recipients": "", "report_count": len(chases)},
                )
                if not created:
                    continue
                deliveries = notify_department(department, message)
                if not any(delivery.ok for delivery in deliveries):
                    # Nothing reached them: no log, so the next run tries again.
                    transaction.set_rollback(True)
                    outcome = "; ".join(str(delivery) for delivery in deliveries)
                    self.stderr.write(f"{department}: not reminded ({outcome})")
                    skipped += 1
                    continue
                log.recipients = "; ".join(str(d) for d in deliveries if d.ok)[:500]
                log.save(update_fields=["recipients"])
                sent += 1
        self.stdout.write(f"{sent} reminder(s) sent, {skipped} department(s) not reached")
