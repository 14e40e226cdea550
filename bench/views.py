"""The framework baseline: plain Django views that read the same rows as our endpoints.

Each reads, with `.values()`, the rows its endpoint reads (the same tables,
joins, filters and order) and returns them as JsonResponse: no DRF, no
serializer, no status rule, no template. The gap between one of these and its
endpoint is what our own code costs over the framework's.
"""

from django.http import JsonResponse

from tracker.choices import PUBLISHED_PLAN_STATUSES
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    Target,
    Town,
)
from tracker.selectors import FACT_FIELDS, ROW_FIELDS, with_first_due
from tracker.today import reporting_today

# What a rollup shows of each target it compares.
ROLLUP_FIELDS = (
    *FACT_FIELDS,
    "title", "metric", "unit", "plan__town_id", "plan__town__slug", "plan__town__name",
)  # fmt: skip
# The export's columns (and the rule's), as the export read them before it read
# the read model's rows: kept so that runs before and after compare.
EXPORT_VALUES = (
    *FACT_FIELDS,
    "plan__town__name", "section__label", "section__title", "position", "title", "unit",
    "lead_department__name", "quote",
)  # fmt: skip
# The columns the list reads are the read model's (ROW_FIELDS); a plan page reads
# targets with their whole context: these.
TARGET_COLUMNS = (
    "id", "plan_id", "section_id", "position", "title", "metric", "kind", "comparison",
    "value", "value_max", "unit", "is_growth", "is_stretch", "baseline", "deadline",
    "lead_department_id", "source_document_id", "quote", "version", "created_at", "updated_at",
    "plan__town_id", "plan__town__slug", "plan__town__name", "plan__year",
    "section__label", "section__title",
    "latest_update__value", "latest_update__milestone_done", "latest_update__as_of",
    "lead_department__name", "source_document__title", "source_document__publisher",
    "source_document__published_on", "source_document__url",
)  # fmt: skip
FACT_COLUMNS = (
    "id", "section_id", "kind", "comparison", "value", "value_max", "is_growth", "deadline",
    "plan__year", "latest_update__value", "latest_update__milestone_done", "latest_update__as_of",
)  # fmt: skip
ORDER = ("plan_id", "section_id", "position", "id")


def annotated_targets():
    """Targets as the read model reads them: with their first report's due date."""
    return with_first_due(Target.objects.all())


def published_targets():
    return annotated_targets().filter(plan__status__in=PUBLISHED_PLAN_STATUSES)


def helping(target_ids: list[int]) -> list[dict]:
    return list(
        Target.helping_departments.through.objects.filter(target_id__in=target_ids).values(
            "target_id", "department_id", "department__name"
        )
    )


def sections_of(plan_ids) -> list[dict]:
    return list(
        GoalSection.objects.filter(plan_id__in=list(plan_ids)).values(
            "id", "plan_id", "parent_id", "position", "label", "title"
        )
    )


def trivial(request):
    """The least a JSON view can be, for the throughput ratio."""
    return JsonResponse({"ok": True})


def target_list(request):
    targets = published_targets().filter(
        plan__town__slug=request.GET["town"], plan__year=int(request.GET["year"])
    )
    size = int(request.GET.get("page_size", 50))
    count = targets.count()
    rows = list(targets.order_by(*ORDER).values(*ROW_FIELDS)[:size])
    return JsonResponse(
        {
            "count": count,
            "results": rows,
            "helping": helping([row["pk"] for row in rows]),
            "sections": sections_of({row["plan_id"] for row in rows}),
            # The reporting periods started, for each target's 督办 warning.
            "periods": list(
                ReportingPeriod.objects.filter(
                    plan_id__in={row["plan_id"] for row in rows},
                    starts_on__lte=reporting_today(),
                )
                .order_by("plan_id", "starts_on")
                .values()
            ),
        }
    )


def plan_summary(request, pk):
    plan = Plan.objects.filter(pk=pk, status__in=PUBLISHED_PLAN_STATUSES).values(
        "id", "year", "title", "status", "town_id", "town__slug", "town__name"
    )[0]
    return JsonResponse(
        {
            "plan": plan,
            "sections": sections_of([pk]),
            "targets": list(annotated_targets().filter(plan_id=pk).values(*FACT_COLUMNS)),
        }
    )


def region_rollup(request, slug):
    region = Region.objects.filter(slug=slug).values()[0]
    towns = list(
        Town.objects.filter(region__path__startswith=region["path"]).values(
            "id", "slug", "name", "name_en", "region__slug"
        )
    )
    plans = list(
        Plan.objects.filter(
            status__in=PUBLISHED_PLAN_STATUSES,
            year=int(request.GET["year"]),
            town__in=[town["id"] for town in towns],
        ).values("id", "year", "title", "status", "town_id")
    )
    targets = list(
        annotated_targets()
        .filter(plan__in=[plan["id"] for plan in plans])
        .order_by("plan__town__name", "section_id", "position", "id")
        .values(*ROLLUP_FIELDS)
    )
    return JsonResponse({"region": region, "towns": towns, "plans": plans, "targets": targets})


def target_history(request, pk):
    target = published_targets().filter(pk=pk).values("id", "title", "kind", "value", "unit")[0]
    updates = list(
        ProgressUpdate.objects.filter(target_id=pk)
        .order_by("as_of", "id")
        .values("id", "as_of", "value", "milestone_done")
    )
    return JsonResponse({"target": target, "points": updates})


def plan_page(request, slug, year):
    plan = Plan.objects.filter(
        town__slug=slug, year=year, status__in=PUBLISHED_PLAN_STATUSES
    ).values("id", "year", "title", "theme", "status", "town_id", "town__name", "town__region_id")[
        0
    ]
    targets = list(
        annotated_targets().filter(plan_id=plan["id"]).order_by(*ORDER).values(*TARGET_COLUMNS)
    )
    region_path = Region.objects.filter(pk=plan["town__region_id"]).values_list("path", flat=True)[
        0
    ]
    return JsonResponse(
        {
            "plan": plan,
            "sections": sections_of([plan["id"]]),
            "documents": list(
                Plan.documents.through.objects.filter(plan_id=plan["id"]).values(
                    "sourcedocument_id", "sourcedocument__title"
                )
            ),
            "departments": list(
                Department.objects.filter(town_id=plan["town_id"]).values("id", "name")
            ),
            "targets": targets,
            "helping": helping([row["id"] for row in targets]),
            "other_years": list(
                Plan.objects.filter(town_id=plan["town_id"], status__in=PUBLISHED_PLAN_STATUSES)
                .exclude(pk=plan["id"])
                .values_list("year", flat=True)
            ),
            "regions": list(
                Region.objects.filter(slug__in=region_path.strip("/").split("/")).values(
                    "id", "slug", "name", "name_en"
                )
            ),
        }
    )


def export(request):
    path = Region.objects.filter(slug=request.GET["region"]).values_list("path", flat=True)[0]
    rows = list(
        published_targets()
        .filter(plan__town__region__path__startswith=path)
        .order_by(*ORDER)
        .values(*EXPORT_VALUES)
    )
    return JsonResponse({"results": rows})
