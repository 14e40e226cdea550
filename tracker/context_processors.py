"""What every page's frame shows: the day statuses are judged on (tracker.today).

A view that judges on another day (a past month's overview) passes its own
`today`, which wins over this one.
"""

from tracker.today import reporting_today


def today(request) -> dict:
    return {"today": reporting_today()}
