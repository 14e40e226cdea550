"""The leaders' overview (领导驾驶舱) of a region or a town: one screen, the whole picture.

The figures are the bulletin's (tracker.bulletins.sources, the rollup's reads
on today), the trend is the status history (tracker.snapshots), so the screen,
the bulletin and the API say the same numbers. Charts are inline SVG
(tracker.reports.charts); no script.
"""

import datetime
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from tracker.access import scope_for
from tracker.bulletins.figures import BulletinFigures
from tracker.bulletins.sources import region_figures, town_figures
from tracker.models import Plan, Region, Target, Town
from tracker.reports import charts, presenters
from tracker.snapshots import monthly_counts
from tracker.today import reporting_today


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    tone: str  # a CSS tone: achieved, on-track, behind, no-data, plain
    change: str  # "+2" / "−1" / "" against last month's snapshot


def _change(now: int, before: int | None) -> str:
    if before is None or now == before:
        return "" if before is None else _("unchanged")
    return f"+{now - before}" if now > before else f"−{before - now}"


def _tiles(figures: BulletinFigures) -> list[Tile]:
    o, p = figures.overall, figures.previous
    return [
        Tile(_("Targets"), str(o.target_count), "plain", ""),
        Tile(_("Achieved"), str(o.achieved), "achieved", _change(o.achieved, p and p.achieved)),
        Tile(_("On pace"), str(o.on_pace), "on-track", _change(o.on_pace, p and p.on_pace)),
        Tile(_("Red"), str(o.red), "behind", _change(o.red, p and p.red)),
        Tile(_("Unreported"), str(o.unreported), "no-data", _change(o.unreported, p and p.unreported)),
        Tile(_("Mean completion"), presenters.percent_text(o.completion_rate) or "—", "plain", ""),
    ]  # fmt: skip


def _month(year: int, today: datetime.date) -> int:
    if year == today.year:
        return today.month
    if year < today.year:
        return 12
    raise Http404(_("No such year."))


def _render(request, *, figures, plans, year, scope_kind, scope, name) -> HttpResponse:
    labels = presenters.status_labels()
    months = monthly_counts(Target.objects.filter(plan__in=plans), year)
    trend_rows = [(_("M%(month)s") % {"month": m.month}, counts) for m, counts in months]
    return render(
        request,
        "tracker/reports/overview.html",
        {
            "scope": scope,
            "scope_kind": scope_kind,
            "name": name,
            "year": year,
            "figures": figures,
            "tiles": _tiles(figures),
            "trend": charts.status_trend(trend_rows, labels) if months else None,
            "trend_rows": [(label, [counts[s] for s in labels]) for label, counts in trend_rows],
            "statuses": presenters.legend(),
            # The last month that is over: the bulletin a leader asks for.
            "bulletin_month": figures.month - 1
            if figures.month > 1 and year == reporting_today().year
            else figures.month,
        },
    )


def region_overview(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    today = reporting_today()
    figures = region_figures(region, year, _month(year, today), today=today, user=request.user)
    plans = Plan.objects.filter(
        scope_for(request.user).readable(), year=year, town__region__path__startswith=region.path
    )
    return _render(
        request, figures=figures, plans=plans, year=year, scope_kind="region", scope=region,
        name=presenters.place_name(region),
    )  # fmt: skip


def town_overview(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    town = get_object_or_404(Town, slug=slug)
    today = reporting_today()
    figures = town_figures(town, year, _month(year, today), today=today, user=request.user)
    plans = Plan.objects.filter(scope_for(request.user).readable(), year=year, town=town)
    return _render(
        request, figures=figures, plans=plans, year=year, scope_kind="town", scope=town,
        name=presenters.place_name(town),
    )  # fmt: skip
