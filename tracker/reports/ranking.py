"""晾晒 pages: towns of a region, and departments of a town, ranked (figures: tracker/ranking.py).

Sorted by any figure with plain links (no script), each unit's red targets
one click away further down the page, an XLSX download of the same table,
and an A4 print layout (print.css). Readable by whoever may read the plans
(tracker.access); the figures are the API's, built by the same selectors.
"""

import io
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tracker import ranking
from tracker.access import scope_for
from tracker.exports import XLSX_TYPE
from tracker.models import Plan, Region, ReportingPeriod, Town
from tracker.reports import presenters
from tracker.spreadsheets import safe_xlsx_set
from tracker.today import reporting_today


def _columns() -> list[tuple[str, str]]:
    """(figure, heading) of the table, in order; the page and the workbook share them."""
    return [
        ("rank", _("Rank")),
        ("name", _("Unit")),
        ("completion_rate", _("Completion (%)")),
        ("on_pace_share", _("On pace (%)")),
        ("red_count", _("Red")),
        ("reporting_rate", _("Reporting rate (%)")),
        ("on_time_rate", _("On-time rate (%)")),
        ("turnaround_days", _("Review time (days)")),
    ]


def _query(request: HttpRequest) -> tuple[str, bool, int | None]:
    sort = request.GET.get("sort", "rank")
    if sort not in ranking.SORTS:
        sort = "rank"
    descending = request.GET.get("dir") == "desc"
    period = request.GET.get("period", "")
    return sort, descending, int(period) if period.isdigit() else None


def _readable(request: HttpRequest):
    return Plan.objects.filter(scope_for(request.user).readable())


def _year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))


def _periods(result: ranking.Ranking) -> list[ReportingPeriod]:
    """The periods to choose from: those of the first ranked unit's plan that are due by today."""
    plan_ids = [s.plan_id for s in result.standings if s.plan_id]
    if not plan_ids:
        return []
    return list(
        ReportingPeriod.objects.filter(plan_id=plan_ids[0], due_on__lt=result.today).order_by(
            "starts_on"
        )
    )


def _page(request, result: ranking.Ranking, *, title: str, unit_heading: str, xlsx_url: str):
    sort, descending, period_id = _query(request)
    base = {"period": period_id} if period_id else {}
    if result.by == ranking.BY_LEADER:
        base["by"] = ranking.BY_LEADER
    headings = []
    for figure, heading in _columns():
        # A click sorts by the figure, best first; a second click turns it round.
        best_first = figure not in ("rank", "name", "red_count", "turnaround_days")
        next_desc = (not descending) if figure == sort else best_first
        headings.append(
            {
                "figure": figure,
                "heading": unit_heading if figure == "name" else heading,
                "href": "?"
                + urlencode({**base, "sort": figure, "dir": "desc" if next_desc else "asc"}),
                "current": figure == sort,
                "descending": descending,
            }
        )
    standings = ranking.sort_standings(result.standings, sort, descending)
    return render(
        request,
        "tracker/reports/ranking.html",
        {
            "title": title,
            "result": result,
            "standings": standings,
            "headings": headings,
            "periods": _periods(result),
            "period_id": period_id,
            "xlsx_url": xlsx_url + ("?" + urlencode(base) if base else ""),
            "is_towns": result.region is not None,
            "by_leader": result.by == ranking.BY_LEADER,
            "statuses": presenters.status_labels(),
            "legend": presenters.legend(),
            "today": result.today,
        },
    )


def region_ranking(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The towns below a region, ranked on their plans for the year."""
    _year(year)
    region = get_object_or_404(Region, slug=slug)
    _sort, _desc, period_id = _query(request)
    result = ranking.region_ranking(region, year, reporting_today(), _readable(request), period_id)
    name = presenters.place_name(region)
    return _page(
        request,
        result,
        title=_("%(place)s %(year)s: towns ranked") % {"place": name, "year": year},
        unit_heading=_("Town"),
        xlsx_url=reverse("reports:region-ranking-xlsx", args=[region.slug, year]),
    )


def _by(request: HttpRequest) -> str:
    return (
        ranking.BY_LEADER if request.GET.get("by") == ranking.BY_LEADER else ranking.BY_DEPARTMENT
    )


def _town_titles(town: Town, year: int, by: str) -> tuple[str, str]:
    """(title, unit heading) of a town's ranking, by department or by leader in charge."""
    if by == ranking.BY_LEADER:
        return (
            _("%(place)s %(year)s: leaders in charge ranked") % {"place": town.name, "year": year},
            _("Leader in charge"),
        )
    return (
        _("%(place)s %(year)s: departments ranked") % {"place": town.name, "year": year},
        _("Department"),
    )


def town_ranking(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The departments of a town (or its leaders in charge, `?by=leader`), ranked."""
    _year(year)
    town = get_object_or_404(Town, slug=slug)
    _sort, _desc, period_id = _query(request)
    by = _by(request)
    result = ranking.town_ranking(
        town, year, reporting_today(), _readable(request), period_id, by=by
    )
    title, unit = _town_titles(town, year, by)
    xlsx = reverse("reports:town-ranking-xlsx", args=[town.slug, year])  # _page adds ?by=
    return _page(
        request,
        result,
        title=title,
        unit_heading=unit,
        xlsx_url=xlsx,
    )


def _workbook(result: ranking.Ranking, title: str, unit_heading: str) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = str(result.year)
    sheet.append([None])
    safe_xlsx_set(sheet["A1"], title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("As on %(day)s") % {"day": result.today.isoformat()}])
    headings = [unit_heading if figure == "name" else heading for figure, heading in _columns()]
    headings += [_("Targets"), _("Reported"), _("Reports owed"), _("Reports in"), _("On time")]
    headings += [_("Assigned tasks"), _("Not signed in time")]
    sheet.append(headings)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for s in result.standings:
        # Numbers as numbers; text as text.
        sheet.append(
            [
                s.rank,
                s.name,
                s.completion_rate,
                s.on_pace_share,
                s.red_count if s.target_count else None,
                s.reporting_rate,
                s.on_time_rate,
                s.turnaround_days,
                s.target_count,
                s.reported_count,
                s.owed,
                s.submitted,
                s.on_time,
                s.assigned_count,
                s.unsigned_late_count,
            ]
        )
        # A unit's name is text, quote-prefixed if it reads as a formula (tracker.spreadsheets).
        safe_xlsx_set(sheet.cell(row=sheet.max_row, column=2), s.name)
    sheet.column_dimensions["B"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)


def _download(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def region_ranking_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    _year(year)
    region = get_object_or_404(Region, slug=slug)
    _sort, _desc, period_id = _query(request)
    result = ranking.region_ranking(region, year, reporting_today(), _readable(request), period_id)
    title = _("%(place)s %(year)s: towns ranked") % {"place": region.name, "year": year}
    return _download(_workbook(result, title, _("Town")), f"{region.slug}-{year}-ranking.xlsx")


def town_ranking_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    _year(year)
    town = get_object_or_404(Town, slug=slug)
    _sort, _desc, period_id = _query(request)
    by = _by(request)
    result = ranking.town_ranking(
        town, year, reporting_today(), _readable(request), period_id, by=by
    )
    title, unit = _town_titles(town, year, by)
    return _download(_workbook(result, title, unit), f"{town.slug}-{year}-ranking-{by}.xlsx")
