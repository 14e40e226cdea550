"""One FilterSet per model, shared by the API (tracker/api) and the report pages."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tracker.choices import PlanStatus, RegionLevel, ReportState, Status, TargetKind, TownKind
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressReport,
    ProgressUpdate,
    Region,
    ReportingPeriod,
    Target,
    Town,
)
from tracker.selectors import target_ids_with_status
from tracker.today import reporting_today

# The largest id a BigAutoField holds; a bigger number matches nothing (and
# would overflow the database driver rather than simply not match).
MAX_ID = 2**63 - 1


def as_id(value: str) -> int | None:
    """A row id written in ASCII or full-width digits, or None if `value` is not one."""
    value = value.strip()
    if not value.isdecimal():
        return None
    number = int(value)
    return number if number <= MAX_ID else 0


class OrderingFilter(django_filters.OrderingFilter):
    """`ordering=` as django-filter reads it, with pages that stay stable.

    An empty choice (`ordering=,`) keeps the model's default order instead of
    clearing it, and the primary key breaks ties: a page never repeats or
    skips a row that ties with its neighbour.
    """

    def filter(self, qs, value):
        value = [choice for choice in value or () if choice]
        if not value:
            return qs
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "pk")


class PlaceField(forms.CharField):
    """A town or region given by id or by slug (clients know one or the other).

    Cleaned to what the filters match on (a town's id, a region's path); one
    that does not exist is a form error, so the API answers 400 naming the
    filter instead of an empty list that reads as "no targets there". Towns
    and regions are public, so saying that one does not exist tells nothing.
    """

    def __init__(self, *, model, key: str, message, **kwargs):
        self.model, self.key, self.message = model, key, message
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)  # refuses a NUL character before the database sees it
        if value in self.empty_values:
            return None
        pk = as_id(value)
        lookup = {"pk": pk} if pk is not None else {"slug": value}
        found = self.model.objects.filter(**lookup).values_list(self.key, flat=True).first()
        if found is None:
            raise forms.ValidationError(self.message, code="invalid_choice")
        return found


class TownFilter(django_filters.CharFilter):
    """A town by id or slug, cleaned to its id.

    A slug is looked up once (on its unique index) so that the filter is on the
    town's id: joined on the slug instead, PostgreSQL read a town-year's
    targets by walking every plan in id order, a cost that grows with the
    number of plans (docs/performance.md).
    """

    field_class = PlaceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("town (id or slug)"))
        super().__init__(
            *args, model=Town, key="pk", message=_("No town has this id or slug."), **kwargs
        )

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}_id": value})


class RegionFilter(django_filters.CharFilter):
    """A region by id or slug, with everything below it (one prefix match on its path)."""

    field_class = PlaceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("region (id or slug), with everything below"))
        super().__init__(
            *args, model=Region, key="path", message=_("No region has this id or slug."), **kwargs
        )

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value})


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number in range, so "1.5" or a 30-digit number is a form error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    """A calendar year: a whole number, so "2024.5" or "abc" is a form error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class StrictBooleanWidget(BooleanWidget):
    def value_from_datadict(self, data, files, name):
        # Keep a value that is neither true nor false, for the field to refuse.
        raw = data.get(name)
        parsed = super().value_from_datadict(data, files, name)
        return raw if parsed is None and raw not in (None, "") else parsed


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0); any other value is a form error instead of no filter at all."""

    widget = StrictBooleanWidget

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def section_subtree_ids(section_id: int) -> list[int]:
    """A section and every section below it (one query for the plan's sections)."""
    plan_id = GoalSection.objects.filter(pk=section_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        return []
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in GoalSection.objects.filter(plan_id=plan_id).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [section_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


class RegionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = django_filters.CharFilter(method="filter_parent", label=_("parent (id or slug)"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    ordering = OrderingFilter(fields=["path", "name", "id"])

    class Meta:
        model = Region
        fields = ["level", "parent"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(
            Q(parent_id=as_id(value)) if as_id(value) is not None else Q(parent__slug=value)
        )

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(slug__icontains=value)
        )


class TownFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TownKind.choices)
    region = RegionFilter(field_name="region")
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    ordering = OrderingFilter(fields=["name", "slug", "id"])

    class Meta:
        model = Town
        fields = ["kind", "region"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(slug__icontains=value)
        )


class DepartmentFilterSet(django_filters.FilterSet):
    town = TownFilter(field_name="town")
    region = RegionFilter(field_name="town__region")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("search"))
    ordering = OrderingFilter(fields=["name", "id"])

    class Meta:
        model = Department
        fields = ["town"]


class PlanFilterSet(django_filters.FilterSet):
    town = TownFilter(field_name="town")
    region = RegionFilter(field_name="town__region")
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    ordering = OrderingFilter(fields=["year", "id", ("town__name", "town")])

    class Meta:
        model = Plan
        fields = ["town", "region", "year", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(theme__icontains=value))


class SectionFilterSet(django_filters.FilterSet):
    town = TownFilter(field_name="plan__town")
    region = RegionFilter(field_name="plan__town__region")
    year = YearFilter(field_name="plan__year")
    plan = IdFilter(field_name="plan_id")
    parent = IdFilter(field_name="parent_id")
    top_level = StrictBooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("top level only")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    ordering = OrderingFilter(fields=["position", "id", ("plan__year", "year")])

    class Meta:
        model = GoalSection
        fields = ["town", "year", "plan", "parent"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(grouping__icontains=value) | Q(summary__icontains=value)
        )


class TargetFilterSet(django_filters.FilterSet):
    town = TownFilter(field_name="plan__town")
    region = RegionFilter(field_name="plan__town__region")
    year = YearFilter(field_name="plan__year", label=_("year"))
    plan = IdFilter(field_name="plan_id", label=_("plan"))
    section = IdFilter(method="filter_section", label=_("section, with its subsections"))
    kind = django_filters.ChoiceFilter(choices=TargetKind.choices, label=_("kind"))
    unit = django_filters.CharFilter(field_name="unit", label=_("unit"))
    department = IdFilter(method="filter_department", label=_("department (lead or helping)"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))
    owner = django_filters.CharFilter(
        field_name="owner_name", lookup_expr="icontains", label=_("person responsible (责任人)")
    )
    leader = django_filters.CharFilter(
        field_name="leader_name", label=_("leader in charge (分管领导), exactly")
    )
    # Last, so the rule runs over the rows the other filters left.
    status = django_filters.ChoiceFilter(
        choices=Status.choices, method="filter_status", label=_("status")
    )
    ordering = OrderingFilter(
        fields=[
            ("id", "id"),
            ("plan__year", "year"),
            ("deadline", "deadline"),
            ("title", "title"),
            ("latest_update__as_of", "as_of"),
            ("position", "position"),
        ]
    )

    class Meta:
        model = Target
        fields: list[str] = []  # all declared above, in the order they apply

    def filter_section(self, queryset, name, value):
        return queryset.filter(section_id__in=section_subtree_ids(int(value)))

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            Q(lead_department_id=value) | Q(helping_departments__id=value)
        ).distinct()

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(metric__icontains=value)
            | Q(quote__icontains=value)
            | Q(section__title__icontains=value)
        )

    def filter_status(self, queryset: QuerySet, name, value):
        # Status depends on today's date, so it is computed by the rule in
        # tracker/progress.py over the rows that the other filters left.
        return queryset.filter(pk__in=target_ids_with_status(queryset, value, reporting_today()))


class ProgressUpdateFilterSet(django_filters.FilterSet):
    target = IdFilter(field_name="target_id")
    town = TownFilter(field_name="target__plan__town")
    region = RegionFilter(field_name="target__plan__town__region")
    year = YearFilter(field_name="target__plan__year")
    plan = IdFilter(field_name="target__plan_id")
    section = IdFilter(method="filter_section", label=_("section, with its subsections"))
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte")
    q = django_filters.CharFilter(field_name="note", lookup_expr="icontains", label=_("search"))
    ordering = OrderingFilter(
        fields=[("as_of", "as_of"), ("reported_at", "reported_at"), ("id", "id")]
    )

    class Meta:
        model = ProgressUpdate
        fields = ["target", "town", "year", "plan"]

    def filter_section(self, queryset, name, value):
        return queryset.filter(target__section_id__in=section_subtree_ids(int(value)))


class ReportingPeriodFilterSet(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label=_("plan"))
    town = TownFilter(field_name="plan__town")
    region = RegionFilter(field_name="plan__town__region")
    year = YearFilter(field_name="plan__year", label=_("year"))
    ordering = OrderingFilter(
        fields=[("starts_on", "starts_on"), ("due_on", "due_on"), ("id", "id")]
    )

    class Meta:
        model = ReportingPeriod
        fields: list[str] = []


class ProgressReportFilterSet(django_filters.FilterSet):
    target = IdFilter(field_name="target_id", label=_("target"))
    period = IdFilter(field_name="period_id", label=_("period"))
    plan = IdFilter(field_name="target__plan_id", label=_("plan"))
    town = TownFilter(field_name="target__plan__town")
    region = RegionFilter(field_name="target__plan__town__region")
    year = YearFilter(field_name="target__plan__year", label=_("year"))
    department = IdFilter(field_name="department_id", label=_("reporting department"))
    state = django_filters.ChoiceFilter(choices=ReportState.choices, label=_("state"))
    ordering = OrderingFilter(
        fields=[
            ("period__due_on", "due_on"),
            ("submitted_at", "submitted_at"),
            ("updated_at", "updated_at"),
            ("id", "id"),
        ]
    )

    class Meta:
        model = ProgressReport
        fields: list[str] = []
