"""The report pages: what officials and the public read, server-rendered.

Every page asks `scope_for(request.user)` which plans its reader may see
(anonymous readers see published plans only), reads through the selectors,
and gets percentages and statuses from tracker.progress; nothing here
decides a status. Targets are read as the read model's rows
(tracker.selectors.TargetRow). "Today" is tracker.today.reporting_today(): the
calendar date, or TRACKER_TODAY in a demo, so that statuses and the reporting
warnings are judged on the same day. Each view's queries are fixed in number,
whatever the number of targets (tests/reports/test_queries.py lists them).
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker import progress, selectors, statuses, workflow
from tracker.access import scope_for
from tracker.choices import Status, TargetKind
from tracker.exports import csv_response, xlsx_response
from tracker.filters import TargetFilterSet
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    Region,
    SourceDocument,
    Target,
    Town,
)
from tracker.reports import card_html, charts, presenters
from tracker.reports.widgets import MenuSelect
from tracker.today import reporting_today

# The filters the plan page offers; the rest of TargetFilterSet works from the URL too.
PAGE_FILTERS = ("section", "status", "department")


def _readable_plans(request: HttpRequest) -> QuerySet[Plan]:
    return Plan.objects.filter(scope_for(request.user).readable())


def _breadcrumb(region: Region) -> list[Region]:
    """The regions from the root down to `region` (one query)."""
    return [*region.ancestors(), region]


# ---------------------------------------------------------------------------
# Home: the region tree, each town's latest plan and how it stands


@dataclass
class TownEntry:
    town: Town
    name: str
    plan: Plan | None = None
    tally: presenters.StatusTally | None = None
    other_years: list[int] = field(default_factory=list)


@dataclass
class RegionNode:
    region: Region
    name: str
    years: list[int] = field(default_factory=list)
    children: list["RegionNode"] = field(default_factory=list)
    towns: list[TownEntry] = field(default_factory=list)


def home(request: HttpRequest) -> HttpResponse:
    """The region tree with each town's latest readable plan and its overall progress."""
    today = reporting_today()
    regions = list(Region.objects.all())
    towns = list(Town.objects.select_related("region"))
    plans = list(_readable_plans(request).order_by("town_id", "-year"))

    latest: dict[int, Plan] = {}
    years: dict[int, list[int]] = {}
    for plan in plans:
        latest.setdefault(plan.town_id, plan)
        years.setdefault(plan.town_id, []).append(plan.year)

    # Every latest plan counted at once: two aggregate queries (tracker/statuses.py).
    by_plan = statuses.plan_tallies([plan.pk for plan in latest.values()], today)

    nodes = {
        region.pk: RegionNode(region=region, name=presenters.place_name(region))
        for region in regions
    }
    roots = []
    for region in regions:
        node = nodes[region.pk]
        if region.parent_id in nodes:
            nodes[region.parent_id].children.append(node)
        else:
            roots.append(node)

    for town in towns:
        plan = latest.get(town.pk)
        entry = TownEntry(town=town, name=presenters.place_name(town), plan=plan)
        if plan is not None:
            found = by_plan.get(plan.pk, statuses.Tally())
            entry.tally = presenters.tally(found.counts, found.mean_percent)
            entry.other_years = years[town.pk][1:]
        if town.region_id in nodes:
            nodes[town.region_id].towns.append(entry)
        # A region offers the years that some town below it has a plan for.
        for year in years.get(town.pk, []):
            for region in regions:
                if town.region.path.startswith(region.path):
                    node = nodes[region.pk]
                    if year not in node.years:
                        node.years.append(year)
    for node in nodes.values():
        node.years.sort(reverse=True)

    return render(
        request,
        "tracker/reports/home.html",
        {
            "roots": roots,
            "today": today,
            "legend": presenters.legend(),
            "rule_summary": progress.rule_summary(),
        },
    )


# ---------------------------------------------------------------------------
# A town's plan for a year


def _plan_or_404(request: HttpRequest, slug: str, year: int) -> Plan:
    return get_object_or_404(
        _readable_plans(request)
        .select_related("town__region")
        # A document's text runs to tens of thousands of characters: the page shows its title.
        .prefetch_related("sections", Prefetch("documents", SourceDocument.objects.defer("text"))),
        town__slug=slug,
        year=year,
    )


IDEOGRAPHIC_SPACE = "\u3000"


def _indented(section: GoalSection, depth: int) -> str:
    return IDEOGRAPHIC_SPACE * depth + presenters.section_heading(section)


def plan_filterset(request: HttpRequest, plan: Plan, tree) -> TargetFilterSet:
    """The API's TargetFilterSet over this plan's targets, its page fields as menus.

    The section and department menus offer this plan's own, so a value from
    another plan is a form error rather than an empty page. One query (the
    town's departments).
    """
    filterset = TargetFilterSet(
        request.GET or None,
        queryset=Target.objects.filter(plan=plan),
        request=request,
    )
    form = filterset.form
    form.fields["section"] = forms.TypedChoiceField(
        label=_("Section"),
        required=False,
        coerce=int,
        widget=MenuSelect,
        choices=[("", _("All sections"))]
        + [(section.pk, _indented(section, depth)) for section, depth in tree],
    )
    form.fields["department"] = forms.TypedChoiceField(
        label=_("Lead or helping department"),
        required=False,
        coerce=int,
        widget=MenuSelect,
        choices=[("", _("All departments"))]
        + [(d.pk, d.name) for d in Department.objects.filter(town_id=plan.town_id)],
    )
    form.fields["status"] = forms.ChoiceField(
        label=_("Status"),
        required=False,
        widget=MenuSelect,
        choices=[("", _("All statuses")), *Status.choices],
    )
    return filterset


def _form_errors(form: forms.Form) -> list[tuple[str, str]]:
    """Each bad filter's label (its name when it has none) and what is wrong with it."""
    found = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        found.append((label, " ".join(str(error) for error in errors)))
    return found


def _document_order(rows: list[selectors.TargetRow], tree) -> list[selectors.TargetRow]:
    """Targets in the order the document has them: by section in the tree, then position."""
    place = {section.pk: index for index, (section, _depth) in enumerate(tree)}
    return sorted(rows, key=lambda row: (place.get(row.section_id, len(place)), row.position))


def _filtered_rows(filterset: TargetFilterSet, tree, today) -> list[selectors.TargetRow]:
    # With a bad value the form shows its error and the good filters still apply.
    return _document_order(selectors.target_rows(filterset.qs, today), tree)


@dataclass
class SectionBlock:
    section: GoalSection
    depth: int
    heading_level: int
    tally: presenters.StatusTally | None
    cards: SafeString  # the section's own targets, drawn (tracker/reports/card_html.py)


def plan_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A town's plan for a year: its sections as the document numbers them, and their targets."""
    plan = _plan_or_404(request, slug, year)
    today = reporting_today()
    # The plan's rows, read once: the summary counts them all, the page shows the filtered.
    sections = list(plan.sections.all())  # prefetched
    every = selectors.target_rows(Target.objects.filter(plan=plan).order_by(), today, sections)
    summary = selectors.summarize(plan, every, sections)
    tree = [(s.section, s.depth) for s in summary.sections]
    filterset = plan_filterset(request, plan, tree)
    filtering = any(request.GET.get(name) for name in filterset.form.fields)
    rows = every
    if filtering:
        # With a bad value the form shows its error and the good filters still apply.
        shown_ids = set(filterset.qs.values_list("pk", flat=True))
        rows = [row for row in every if row.pk in shown_ids]
    rows = _document_order(rows, tree)

    warned = any(row.warning is not None for row in rows)
    by_section: dict[int, list[presenters.TargetCard]] = {}
    for row in rows:
        by_section.setdefault(row.section_id, []).append(
            presenters.card(row, flag=presenters.warning_badge(row.warning))
        )
    # With filters, show only the sections that hold a match, and the sections above them.
    parent_of = {section.pk: section.parent_id for section, _depth in tree}
    shown: set[int] = set()
    for section_id in by_section:
        while section_id is not None and section_id not in shown:
            shown.add(section_id)
            section_id = parent_of.get(section_id)
    words = card_html.card_words()
    blocks = [
        SectionBlock(
            section=s.section,
            depth=s.depth,
            heading_level=min(s.depth + 3, 6),
            # Only a top section shows its tally (a strip and counts: worth skipping for 30).
            tally=presenters.tally(s.counts, s.mean_percent) if s.depth == 0 else None,
            cards=mark_safe(
                "".join(
                    card_html.card_html(c, min(s.depth + 4, 6), words)
                    for c in by_section.get(s.section.pk, [])
                )
            ),
        )
        for s in summary.sections
        if not filtering or s.section.pk in shown
    ]
    other_years = list(
        _readable_plans(request)
        .filter(town_id=plan.town_id)
        .exclude(pk=plan.pk)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    query = request.GET.urlencode()
    return render(
        request,
        "tracker/reports/plan.html",
        {
            "plan": plan,
            "town_name": presenters.place_name(plan.town),
            "breadcrumb": [
                (region, presenters.place_name(region)) for region in _breadcrumb(plan.town.region)
            ],
            "documents": list(plan.documents.all()),
            "summary": summary,
            "tally": presenters.tally(summary.counts, summary.mean_percent),
            "blocks": blocks,
            "form": filterset.form,
            "form_errors": _form_errors(filterset.form),
            "page_fields": [filterset.form[name] for name in PAGE_FILTERS],
            "filtering": filtering,
            "shown_count": len(rows),
            "query": query,
            "other_years": other_years,
            "today": today,
            "legend": presenters.legend(),
            "rule_summary": progress.rule_summary(),
            "warning_rule": workflow.warning_rule() if warned else "",
        },
    )


def _export(request: HttpRequest, slug: str, year: int, fmt: str) -> HttpResponse:
    plan = _plan_or_404(request, slug, year)
    today = reporting_today()
    tree = selectors.section_tree(plan.sections.all())
    filterset = plan_filterset(request, plan, tree)
    if filterset.form.errors:
        lines = [f"{label}: {errors}" for label, errors in _form_errors(filterset.form)]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    rows = _filtered_rows(filterset, tree, today)
    filename = f"{plan.town.slug}-{plan.year}-targets"
    if fmt == "xlsx":
        return xlsx_response(rows, filename)
    return csv_response(rows, filename)


def plan_csv(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The plan page's targets, with its filters, as CSV."""
    return _export(request, slug, year, "csv")


def plan_xlsx(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The plan page's targets, with its filters, as an Excel workbook."""
    return _export(request, slug, year, "xlsx")


# ---------------------------------------------------------------------------
# A target: its history, its pace, and where it was written


@dataclass(frozen=True)
class HistoryLine:
    update: object
    shown: str
    percent: str
    badge: presenters.Badge
    corrected: bool


@dataclass(frozen=True)
class NodeLine:
    """A node of the target's schedule as the page lists it."""

    due_on: datetime.date
    planned: str  # "20%", "1250亩", or a step's name
    done_on: datetime.date | None
    is_step: bool


def _node_lines(row: selectors.TargetRow) -> list[NodeLine]:
    lines = []
    for node in row.nodes:
        if node.name:
            planned = node.name
        elif node.planned_percent is not None:
            planned = presenters.percent_text(node.planned_percent)
        else:
            planned = presenters.with_unit(presenters.num(node.planned_value), row.unit)
        lines.append(NodeLine(node.due_on, planned, node.done_on, bool(node.name)))
    return lines


@dataclass(frozen=True)
class Excerpt:
    """A quote in its document: the text before it, the quote, the text after it."""

    before: str
    quote: str
    after: str
    found: bool


def _excerpt(text: str, quote: str, margin: int | None = None) -> Excerpt:
    at = text.find(quote) if quote else -1
    if at < 0:
        return Excerpt(before="", quote=quote, after="", found=False)
    end = at + len(quote)
    if margin is None:
        return Excerpt(before=text[:at], quote=quote, after=text[end:], found=True)
    # The paragraph around the quote, at most `margin` characters either side.
    start = text.rfind("\n", 0, at) + 1
    stop = text.find("\n", end)
    stop = len(text) if stop < 0 else stop
    start, stop = max(start, at - margin), min(stop, end + margin)
    before = ("…" if start > 0 and text[start - 1] != "\n" else "") + text[start:at]
    after = text[end:stop] + ("…" if stop < len(text) and text[stop] != "\n" else "")
    return Excerpt(before=before, quote=quote, after=after, found=True)


def _pace(row: selectors.TargetRow) -> charts.Pace:
    thresholds = progress.configured_thresholds()
    facts = row.facts  # with the node schedule: the pace line is the rule's own
    return charts.Pace(
        shape=presenters.pace_shape(row),
        on_track=thresholds.on_track,
        at_risk=thresholds.at_risk,
        points=tuple(progress.pace_points(facts)) if progress.follows_nodes(facts) else (),
        steps=tuple((node.due_on, node.name) for node in facts.nodes if node.name),
    )


def _pace_note(pace: charts.Pace) -> str:
    """The chart's caption: how its pace line and bands are drawn (tracker.progress)."""
    if pace.points:
        return progress.pace_bands_summary("nodes")
    if pace.steps:
        return progress.pace_bands_summary("steps")
    return progress.pace_bands_summary(pace.shape) if pace.shape != "milestone" else ""


def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One target: how it stands, its full history against the pace, and its source."""
    target = get_object_or_404(
        Target.objects.select_related(
            "plan__town__region", "lead_department", "source_document"
        ).filter(scope_for(request.user).readable("plan")),
        pk=pk,
    )
    return render(request, "tracker/reports/target.html", target_story(target, reporting_today()))


def target_story(target: Target, today) -> dict:
    """A target's story for a template: how it stands, its history and chart, its quote.

    The report page shows it to readers and the admin's target page to staff
    (tracker/admin/targets.py), from this one function. `target` needs its plan's
    town and region, lead department and source document loaded.
    """
    row = selectors.target_row(target.pk, today)
    updates = list(target.updates.order_by("as_of", "id"))
    entries = progress.history(
        row.facts, [(u.pk, u.as_of, u.value, u.milestone_done, u.corrects_id) for u in updates]
    )
    history = []
    for update, entry in zip(updates, entries, strict=True):
        if target.kind == TargetKind.MILESTONE:
            shown = _("done") if entry.done else _("not done")
        else:
            shown = presenters.with_unit(presenters.num(entry.value), target.unit)
        history.append(
            HistoryLine(
                update=update,
                shown=shown,
                percent=presenters.percent_text(entry.assessment.percent),
                badge=presenters.badge(entry.assessment.status),
                corrected=entry.corrected,
            )
        )
    pace = _pace(row)
    chart = charts.history_chart(
        starts_on=target.plan.starts_on,
        due_on=row.due_on,
        today=today,
        points=[
            charts.Point(
                as_of=entry.as_of,
                percent=entry.assessment.percent,
                status=entry.assessment.status,
            )
            for entry in progress.series(entries)
        ],
        pace=pace,
        title=_("Progress of “%(title)s” over time against the expected pace")
        % {"title": target.title},
    )
    document = target.source_document
    return {
        "target": target,
        "plan": target.plan,
        "town_name": presenters.place_name(target.plan.town),
        "breadcrumb": [
            (region, presenters.place_name(region))
            for region in _breadcrumb(target.plan.town.region)
        ],
        "card": presenters.card(row, flag=presenters.warning_badge(row.warning)),
        "section_path": row.section_path,
        "helping": row.helping,
        "baseline": (
            presenters.with_unit(presenters.num(target.baseline), target.unit)
            if target.baseline is not None
            else ""
        ),
        "history": list(reversed(history)),
        "chart": chart,
        "pace_shape": pace.shape,
        "pace_note": _pace_note(pace),
        "row": row,
        "nodes": _node_lines(row),
        "document": document,
        "excerpt": _excerpt(document.text, target.quote, 160) if document else None,
        "in_document": _excerpt(document.text, target.quote) if document else None,
        "today": today,
        "legend": presenters.legend(),
        "rule_summary": progress.rule_summary(),
    }


# ---------------------------------------------------------------------------
# A region for a year: its towns side by side, and like targets compared


@dataclass(frozen=True)
class ComparedTarget:
    card: presenters.TargetCard
    town_name: str
    bar: str


@dataclass(frozen=True)
class ComparedGroup:
    unit: str
    is_growth: bool
    towns: int
    rows: list[ComparedTarget]


def region_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Every town below a region for one year, side by side; like targets compared."""
    region = get_object_or_404(Region, slug=slug)
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))
    today = reporting_today()
    readable = _readable_plans(request)
    try:
        page = int(request.GET.get("page", "1"))
        rollup = selectors.region_rollup(region, year, today, readable, page=page)
    except (ValueError, selectors.NoSuchPage):
        raise Http404(_("No such page.")) from None
    years = sorted(
        set(
            readable.filter(town__region__path__startswith=region.path).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
    towns = [
        {
            "entry": entry,
            "name": presenters.place_name(entry.town),
            "tally": presenters.tally(entry.counts, entry.mean_percent),
        }
        for entry in rollup.towns
    ]
    groups = []
    for comparable in rollup.comparables:
        if not comparable.rows:
            continue  # the group's targets are on other pages
        cards = [presenters.card(row) for row in comparable.rows]
        bars = charts.comparison_bars(
            [(row.value, row.current_value, row.assessment.status) for row in comparable.rows]
        )
        groups.append(
            ComparedGroup(
                unit=comparable.unit,
                is_growth=comparable.is_growth,
                towns=comparable.town_count,
                rows=[
                    ComparedTarget(
                        card=card,
                        town_name=presenters.place_name(card.target.town),
                        bar=bar,
                    )
                    for card, bar in zip(cards, bars, strict=True)
                ],
            )
        )
    return render(
        request,
        "tracker/reports/region.html",
        {
            "region": region,
            "region_name": presenters.place_name(region),
            "year": year,
            "years": years,
            "breadcrumb": [(r, presenters.place_name(r)) for r in region.ancestors()],
            "towns": towns,
            "planned_towns": sum(1 for entry in rollup.towns if entry.plan is not None),
            "tally": presenters.tally(rollup.counts, None),
            "groups": groups,
            "page": rollup.page,
            "page_count": rollup.page_count,
            "previous_page": rollup.page - 1 if rollup.page > 1 else None,
            "next_page": rollup.page + 1 if rollup.page < rollup.page_count else None,
            "statuses": presenters.legend(),
            "today": today,
            "legend": presenters.legend(),
            "rule_summary": progress.rule_summary(),
        },
    )
