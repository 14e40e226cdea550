"""The one "today" of the application: the day every status, warning and deadline is judged on.

It is the local date (Asia/Shanghai), or TRACKER_TODAY where a demo or a
training deployment sets one, so that the API, the pages, the admin, the
reminders and the exports all judge the same day.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def reporting_today() -> datetime.date:
    """TRACKER_TODAY if it is set, else the local date."""
    fixed = getattr(settings, "TRACKER_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, datetime.date) else datetime.date.fromisoformat(fixed)
    return timezone.localdate()
