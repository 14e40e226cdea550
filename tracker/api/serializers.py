"""What the API reads and writes: one serializer per resource, plus the report shapes.

Foreign keys a client may write are limited to rows that client may read
(anything else "does not exist"), then checked against the client's rights
in the row's town (anything else is a field error naming the field). Owners,
reporters, timestamps, versions and everything computed are read-only.
"""

import datetime
import decimal
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.access import Scope, may_in_town, scope_for
from tracker.api.permissions import EDIT, REPORT
from tracker.choices import Status, WarningLevel
from tracker.filters import MAX_ID
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressUpdate,
    Region,
    SourceDocument,
    Target,
    Town,
)
from tracker.selectors import FACT_FIELDS, PlanSummary, RegionRollup, assess_rows
from tracker.workflow import Flag, flags_for

QUANTITY = {"max_digits": 20, "decimal_places": 4}


def id_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    """A foreign key given by id: a whole number (not 1.5, not true), in range.

    Its queryset is set per request in `get_fields()` to what the client may read.
    """
    kwargs.setdefault("queryset", None if kwargs.get("read_only") else Plan.objects.none())
    return serializers.PrimaryKeyRelatedField(
        pk_field=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs
    )


class ScopedSerializerMixin:
    """Access to the requesting user's Scope and to "today" for the status rule."""

    @property
    def scope(self) -> Scope:
        request = self.context.get("request")
        return scope_for(request.user if request else None)

    @property
    def user(self):
        request = self.context.get("request")
        return request.user if request else None

    @property
    def today(self) -> datetime.date:
        return self.context.get("today") or timezone.localdate()

    def check_town(self, town_id: int, needed: str, message) -> None:
        if not may_in_town(self.user, needed, town_id):
            raise serializers.ValidationError(message)


# --- small read-only shapes used inside the resources ---------------------------------


class TownRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class SourceDocumentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["id", "title", "publisher", "published_on", "url"]
        read_only_fields = fields


class SectionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    title = serializers.CharField()


class DepartmentRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=[("lead", _("lead")), ("helping", _("helping"))])


class ProvenanceSerializer(serializers.Serializer):
    document = SourceDocumentRefSerializer(allow_null=True)
    quote = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    """A target's 督办 colour and why (the rule: tracker/workflow.py, `warning_rule`)."""

    level = serializers.ChoiceField(choices=WarningLevel.choices)
    reasons = serializers.ListField(child=serializers.CharField())


def warning_data(flag: Flag | None) -> dict | None:
    return None if flag is None else {"level": str(flag.level), "reasons": list(flag.reasons)}


class StatusCountsSerializer(serializers.Serializer):
    """How many targets have each status (every status present, zeros included)."""

    achieved = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    behind = serializers.IntegerField()
    not_started = serializers.IntegerField()
    no_data = serializers.IntegerField()


# --- geography ----------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "slug", "name", "name_en", "level", "parent", "path"]
        read_only_fields = fields


class TownSerializer(serializers.ModelSerializer):
    region_slug = serializers.CharField(source="region.slug", read_only=True)

    class Meta:
        model = Town
        fields = ["id", "slug", "name", "name_en", "kind", "region", "region_slug"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "town", "name", "name_en", "email"]
        read_only_fields = fields


# --- plans, sections, targets (editors write) -------------------------------------------


class PlanSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    town = id_field(help_text=_("The town (id); set when the plan is created, fixed after."))
    town_slug = serializers.CharField(source="town.slug", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    documents = SourceDocumentRefSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "town", "town_slug", "town_name", "year", "title", "theme", "theme_quote",
            "status", "documents", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at"]
        validators = []  # the model's constraints are checked by full_clean() in services

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, Plan):
            fields["town"] = id_field(read_only=True)
        else:
            fields["town"].queryset = Town.objects.all()
        return fields

    def validate_town(self, town: Town) -> Town:
        self.check_town(town.pk, EDIT, _("You may not create plans for this town."))
        return town


class SectionSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    plan = id_field(help_text=_("The plan (id); set when the section is created, fixed after."))
    parent = id_field(allow_null=True, required=False)
    source_document = id_field(allow_null=True, required=False)
    town = TownRefSerializer(source="plan.town", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)

    class Meta:
        model = GoalSection
        fields = [
            "id", "plan", "town", "year", "parent", "position", "label", "title", "grouping",
            "summary", "source_document", "quote", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        scope = self.scope
        if isinstance(self.instance, GoalSection):
            fields["plan"] = id_field(read_only=True)
        else:
            fields["plan"].queryset = Plan.objects.filter(scope.readable())
        fields["parent"].queryset = GoalSection.objects.filter(
            scope.readable("plan")
        ).select_related("plan")
        fields["source_document"].queryset = readable_documents(scope)
        return fields

    def validate_plan(self, plan: Plan) -> Plan:
        self.check_town(plan.town_id, EDIT, _("You may not edit this town's plans."))
        return plan

    def validate_parent(self, parent: GoalSection | None) -> GoalSection | None:
        if parent is not None:
            self.check_town(parent.plan.town_id, EDIT, _("The section belongs to another town."))
        return parent

    def validate(self, attrs: dict) -> dict:
        plan = attrs.get("plan") or getattr(self.instance, "plan", None)
        check_document_of_plan(attrs, plan)
        return attrs


class TargetSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """A target with where it sits, its progress and status today, and where it came from."""

    section = id_field(help_text=_("The section (id); the target belongs to its plan."))
    lead_department = id_field(allow_null=True, required=False)
    helping_departments = id_field(many=True, required=False)
    source_document = id_field(allow_null=True, required=False, write_only=True)
    town = TownRefSerializer(source="plan.town", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    section_path = serializers.SerializerMethodField(
        help_text=_("The sections from the top of the plan down to this target's own.")
    )
    departments = serializers.SerializerMethodField()
    due_on = serializers.DateField(read_only=True, help_text=_("The deadline, or year end."))
    current_value = serializers.DecimalField(
        source="latest_update.value", read_only=True, allow_null=True, **QUANTITY
    )
    milestone_done = serializers.BooleanField(
        source="latest_update.milestone_done", read_only=True, allow_null=True
    )
    as_of = serializers.DateField(
        source="latest_update.as_of",
        read_only=True,
        allow_null=True,
        help_text=_("The date the latest progress update is as of."),
    )
    percent_complete = serializers.DecimalField(
        source="assessment.percent",
        read_only=True,
        allow_null=True,
        max_digits=None,
        decimal_places=2,
    )
    status = serializers.ChoiceField(
        source="assessment.status", choices=Status.choices, read_only=True
    )
    provenance = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField(
        help_text=_(
            "The 督办 warning while the plan's reporting runs (null before its first period, "
            "or without periods): red, yellow or green, and why."
        )
    )

    class Meta:
        model = Target
        fields = [
            "id", "town", "year", "plan", "section", "section_path", "position", "title",
            "metric", "kind", "comparison", "value", "value_max", "unit", "is_growth",
            "is_stretch", "baseline", "deadline", "due_on", "lead_department",
            "helping_departments", "departments", "current_value", "milestone_done", "as_of",
            "percent_complete", "status", "warning", "source_document", "quote", "provenance",
            "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {"quote": {"write_only": True}}
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        scope = self.scope
        fields["section"].queryset = GoalSection.objects.filter(
            scope.readable("plan")
        ).select_related("plan")
        fields["lead_department"].queryset = Department.objects.all()
        fields["helping_departments"].child_relation.queryset = Department.objects.all()
        fields["source_document"].queryset = readable_documents(scope)
        return fields

    def to_representation(self, instance: Target) -> dict:
        # The rule of tracker/progress.py, once per target, on rows loaded with
        # Target.objects.with_context() so that it costs no query.
        instance.assessment = instance.assess(self.today)
        return super().to_representation(instance)

    def validate_section(self, section: GoalSection) -> GoalSection:
        self.check_town(section.plan.town_id, EDIT, _("You may not edit this town's targets."))
        return section

    def validate(self, attrs: dict) -> dict:
        if self.instance is None:
            attrs["plan"] = attrs["section"].plan
        plan = attrs.get("plan") or self.instance.plan
        helping = attrs.get("helping_departments") or []
        if any(department.town_id != plan.town_id for department in helping):
            raise serializers.ValidationError(
                {"helping_departments": _("A helping department belongs to another town.")}
            )
        check_document_of_plan(attrs, plan)
        return attrs

    @extend_schema_field(SectionRefSerializer(many=True))
    def get_section_path(self, target: Target) -> list[dict]:
        return section_paths(target.plan, self.context).get(target.section_id, [])

    @extend_schema_field(DepartmentRoleSerializer(many=True))
    def get_departments(self, target: Target) -> list[dict]:
        lead = target.lead_department
        found = [{"id": lead.pk, "name": lead.name, "role": "lead"}] if lead else []
        found += [
            {"id": department.pk, "name": department.name, "role": "helping"}
            for department in target.helping_departments.all()
        ]
        return found

    @extend_schema_field(WarningSerializer(allow_null=True))
    def get_warning(self, target: Target) -> dict | None:
        # Worked out once for the whole page (tracker.workflow.flags_for), not per target.
        flags = self.context.setdefault("warnings", {})
        if target.pk not in flags:
            page = getattr(self.parent, "instance", None) or [target]
            found = flags_for(page, lambda t, day: t.assess(day).status)
            flags.update({t.pk: found.get(t.pk) for t in page})
            flags.setdefault(target.pk, None)
        return warning_data(flags[target.pk])

    @extend_schema_field(ProvenanceSerializer)
    def get_provenance(self, target: Target) -> dict:
        document = target.source_document
        return {
            "document": SourceDocumentRefSerializer(document).data if document else None,
            "quote": target.quote,
        }


def readable_documents(scope: Scope):
    """Source documents of plans the user may read."""
    return SourceDocument.objects.filter(
        pk__in=Plan.objects.filter(scope.readable()).values("documents")
    )


def check_document_of_plan(attrs: dict, plan: Plan | None) -> None:
    """Provenance must point at one of the plan's own source documents."""
    document = attrs.get("source_document")
    if document is not None and plan is not None:
        if not plan.documents.filter(pk=document.pk).exists():
            raise serializers.ValidationError(
                {"source_document": _("This is not one of the plan's source documents.")}
            )


def section_paths(plan: Plan, context: dict) -> dict[int, list[dict]]:
    """Each section of a plan with the path from the top down to it, worked out once per plan.

    Reads `plan.sections.all()`, which the target list prefetches in one query.
    """
    cache = context.setdefault("section_paths", {})
    if plan.pk not in cache:
        cache[plan.pk] = paths_of(
            (section.pk, section.parent_id, section.label, section.title)
            for section in plan.sections.all()
        )
    return cache[plan.pk]


def paths_of(sections: Iterable[tuple[int, int | None, str, str]]) -> dict[int, list[dict]]:
    """For (id, parent id, label, title) of a plan's sections: each one's path from the top."""
    by_pk = {section[0]: section for section in sections}
    paths: dict[int, list[dict]] = {}

    def path_of(pk: int) -> list[dict]:
        if pk not in paths:
            _pk, parent_id, label, title = by_pk[pk]
            above = path_of(parent_id) if parent_id in by_pk else []
            paths[pk] = [*above, {"id": pk, "label": label, "title": title}]
        return paths[pk]

    for pk in by_pk:
        path_of(pk)
    return paths


# --- the target list, lean -------------------------------------------------------------

# What a target list row needs, read as one `.values()` query: the list is the
# API's hottest read, and building model instances and running every field of
# TargetSerializer for each row cost several times the query itself.
TARGET_ROW_FIELDS = (
    *FACT_FIELDS,
    "plan_id", "section_id", "position", "title", "metric", "unit", "is_stretch", "baseline",
    "lead_department_id", "lead_department__name", "quote", "version", "created_at",
    "updated_at", "plan__town_id", "plan__town__slug", "plan__town__name",
    "source_document_id", "source_document__title", "source_document__publisher",
    "source_document__published_on", "source_document__url",
)  # fmt: skip

# What DRF's DecimalField and DateTimeField do with a value, done directly (they
# cost more than the rest of a lean row: a context copy per number, a
# thread-local time zone lookup per date). tests/api/test_lean.py holds the
# output to the serializers' to the character.
_FOUR_PLACES, _TWO_PLACES = Decimal("0.0001"), Decimal("0.01")
_QUANTITY_CONTEXT = decimal.Context(prec=QUANTITY["max_digits"])


def _quantity(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{value.quantize(_FOUR_PLACES, context=_QUANTITY_CONTEXT):f}"


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(_TWO_PLACES):f}"


def _date(value):
    return None if value is None else value.isoformat()


def _datetime(value: datetime.datetime, zone) -> str:
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _row_warnings(rows: list[dict], today: datetime.date, assessments: dict) -> dict[int, Flag]:
    """TargetSerializer's `warning` for lean rows: the same tracker.workflow.flags_for."""

    def status_on(target, day: datetime.date) -> str:
        if day == today:
            return assessments[target.pk].status
        return assess_rows([target.row], day)[target.pk].status

    return flags_for(
        (
            SimpleNamespace(
                pk=row["pk"],
                plan_id=row["plan_id"],
                lead_department_id=row["lead_department_id"],
                row=row,
            )
            for row in rows
        ),
        status_on,
    )


def target_rows_data(rows: list[dict], today: datetime.date) -> list[dict]:
    """TargetSerializer's output for `.values(*TARGET_ROW_FIELDS)` rows, without its per-field cost.

    Three queries whatever the number of rows: the helping departments, the
    sections of the rows' plans (for the section paths), and the periods of
    those plans that have started (for the warnings; two more once one has).
    tests/api pin that the JSON is the serializer's, field for field.
    """
    ids = [row["pk"] for row in rows]
    helping: dict[int, list[tuple[int, str]]] = {}
    for target_id, department_id, name in (
        Target.helping_departments.through.objects.filter(target_id__in=ids)
        .order_by(*(f"department__{field}" for field in Department._meta.ordering))
        .values_list("target_id", "department_id", "department__name")
    ):
        helping.setdefault(target_id, []).append((department_id, name))
    sections: dict[int, list[tuple]] = {}
    for pk, plan_id, parent_id, label, title in GoalSection.objects.filter(
        plan_id__in={row["plan_id"] for row in rows}
    ).values_list("pk", "plan_id", "parent_id", "label", "title"):
        sections.setdefault(plan_id, []).append((pk, parent_id, label, title))
    paths = {plan_id: paths_of(members) for plan_id, members in sections.items()}
    assessments = assess_rows(rows, today)
    zone = timezone.get_current_timezone()
    warnings = _row_warnings(rows, today, assessments)
    data = []
    for row in rows:
        pk, year = row["pk"], row["plan__year"]
        assessment = assessments[pk]
        lead_id = row["lead_department_id"]
        helpers = helping.get(pk, [])
        departments = [{"id": lead_id, "name": row["lead_department__name"], "role": "lead"}]
        if lead_id is None:
            departments = []
        departments += [{"id": d, "name": name, "role": "helping"} for d, name in helpers]
        document = None
        if row["source_document_id"] is not None:
            document = {
                "id": row["source_document_id"],
                "title": row["source_document__title"],
                "publisher": row["source_document__publisher"],
                "published_on": _date(row["source_document__published_on"]),
                "url": row["source_document__url"],
            }
        percent = assessment.percent
        data.append(
            {
                "id": pk,
                "town": {
                    "id": row["plan__town_id"],
                    "slug": row["plan__town__slug"],
                    "name": row["plan__town__name"],
                },
                "year": year,
                "plan": row["plan_id"],
                "section": row["section_id"],
                "section_path": paths.get(row["plan_id"], {}).get(row["section_id"], []),
                "position": row["position"],
                "title": row["title"],
                "metric": row["metric"],
                "kind": row["kind"],
                "comparison": row["comparison"],
                "value": _quantity(row["value"]),
                "value_max": _quantity(row["value_max"]),
                "unit": row["unit"],
                "is_growth": row["is_growth"],
                "is_stretch": row["is_stretch"],
                "baseline": _quantity(row["baseline"]),
                "deadline": _date(row["deadline"]),
                "due_on": (row["deadline"] or datetime.date(year, 12, 31)).isoformat(),
                "lead_department": lead_id,
                "helping_departments": [d for d, _name in helpers],
                "departments": departments,
                "current_value": _quantity(row["latest_update__value"]),
                "milestone_done": row["latest_update__milestone_done"],
                "as_of": _date(row["latest_update__as_of"]),
                "percent_complete": None if percent is None else _percent(percent),
                "status": str(assessment.status.value),
                "warning": warning_data(warnings.get(pk)),
                "provenance": {"document": document, "quote": row["quote"]},
                "version": row["version"],
                "created_at": _datetime(row["created_at"], zone),
                "updated_at": _datetime(row["updated_at"], zone),
            }
        )
    return data


# --- progress (reporters write) ----------------------------------------------------------


class ProgressUpdateSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """One report of a target's progress. Append-only: a mistake is put right by a correction."""

    target = id_field()
    corrects = id_field(
        allow_null=True,
        required=False,
        help_text=_("The earlier update (of the same target) this one corrects."),
    )
    source_document = id_field(allow_null=True, required=False)
    town = TownRefSerializer(source="target.plan.town", read_only=True)
    reported_by = serializers.SerializerMethodField(
        help_text=_("Who reported it; shown only to the town's own users and its region's.")
    )
    client_key = serializers.CharField(
        max_length=90,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_(
            "A key of the client's choosing: a retry with the same key records nothing new "
            "and returns the first result. The Idempotency-Key header does the same."
        ),
    )

    class Meta:
        model = ProgressUpdate
        fields = [
            "id", "target", "town", "as_of", "value", "milestone_done", "note", "evidence_url",
            "corrects", "source_document", "quote", "client_key", "reported_by", "reported_at",
        ]  # fmt: skip
        read_only_fields = ["reported_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        scope = self.scope
        fields["target"].queryset = Target.objects.filter(scope.readable("plan")).select_related(
            "plan"
        )
        fields["corrects"].queryset = ProgressUpdate.objects.filter(scope.readable("target__plan"))
        fields["source_document"].queryset = readable_documents(scope)
        return fields

    def validate_target(self, target: Target) -> Target:
        self.check_town(
            target.plan.town_id, REPORT, _("You may not report progress on this town's targets.")
        )
        return target

    def validate(self, attrs: dict) -> dict:
        check_document_of_plan(attrs, attrs["target"].plan)
        return attrs

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reported_by(self, update: ProgressUpdate) -> str | None:
        if update.reported_by is None or not self.scope.belongs_to(update.target.plan.town):
            return None
        return update.reported_by.get_username()


# --- reports --------------------------------------------------------------------------


class PlanRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "year", "title", "status"]
        read_only_fields = fields


class SectionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="section.pk")
    parent = serializers.IntegerField(source="section.parent_id", allow_null=True)
    label = serializers.CharField(source="section.label")
    title = serializers.CharField(source="section.title")
    depth = serializers.IntegerField(help_text=_("0 at the top of the plan."))
    target_count = serializers.IntegerField(help_text=_("Targets in it and its subsections."))
    mean_percent = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    counts = StatusCountsSerializer()


class PlanSummarySerializer(serializers.Serializer):
    plan = PlanRefSerializer()
    town = TownRefSerializer(source="plan.town")
    target_count = serializers.IntegerField()
    mean_percent = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        allow_null=True,
        help_text=_("Mean percent complete, each target counted at most 100."),
    )
    counts = StatusCountsSerializer()
    sections = SectionSummarySerializer(many=True)


class TownYearSerializer(serializers.Serializer):
    town = TownRefSerializer()
    plan = PlanRefSerializer(allow_null=True)
    target_count = serializers.IntegerField()
    mean_percent = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    counts = StatusCountsSerializer()


class ComparedTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="target.pk")
    town = TownRefSerializer(source="target.plan.town")
    title = serializers.CharField(source="target.title")
    metric = serializers.CharField(source="target.metric")
    comparison = serializers.CharField(source="target.comparison")
    value = serializers.DecimalField(source="target.value", allow_null=True, **QUANTITY)
    value_max = serializers.DecimalField(source="target.value_max", allow_null=True, **QUANTITY)
    current_value = serializers.DecimalField(
        source="target.current_value", allow_null=True, **QUANTITY
    )
    percent_complete = serializers.DecimalField(
        source="assessment.percent", max_digits=None, decimal_places=2, allow_null=True
    )
    status = serializers.ChoiceField(source="assessment.status", choices=Status.choices)


class ComparableSerializer(serializers.Serializer):
    unit = serializers.CharField()
    is_growth = serializers.BooleanField()
    targets = ComparedTargetSerializer(source="rows", many=True)


class RegionRollupSerializer(serializers.Serializer):
    region = RegionSerializer()
    year = serializers.IntegerField()
    counts = StatusCountsSerializer()
    towns = TownYearSerializer(many=True)
    comparables = ComparableSerializer(
        many=True,
        help_text=_("Quantitative targets of the same unit, in more than one town, side by side."),
    )


def _counts(counts: dict[str, int]) -> dict[str, int]:
    return {status: counts[status] for status in StatusCountsSerializer._declared_fields}


def rollup_data(rollup: RegionRollup) -> dict:
    """RegionRollupSerializer's output for a rollup made with `lean=True`, built directly.

    A district's rollup compares thousands of targets; a serializer per target
    cost several times the query that read them.
    """
    return {
        "region": RegionSerializer(rollup.region).data,
        "year": rollup.year,
        "counts": _counts(rollup.counts),
        "towns": TownYearSerializer(rollup.towns, many=True).data,
        "comparables": [
            {
                "unit": comparable.unit,
                "is_growth": comparable.is_growth,
                "targets": [
                    {
                        "id": row.values["pk"],
                        "town": {
                            "id": row.values["plan__town_id"],
                            "slug": row.values["plan__town__slug"],
                            "name": row.values["plan__town__name"],
                        },
                        "title": row.values["title"],
                        "metric": row.values["metric"],
                        "comparison": row.values["comparison"],
                        "value": _quantity(row.values["value"]),
                        "value_max": _quantity(row.values["value_max"]),
                        "current_value": _quantity(row.values["latest_update__value"]),
                        "percent_complete": _percent(row.assessment.percent),
                        "status": str(row.assessment.status.value),
                    }
                    for row in comparable.rows
                ],
            }
            for comparable in rollup.comparables
        ],
    }


def plan_summary_data(summary: PlanSummary) -> dict:
    """PlanSummarySerializer's output, built directly (a plan has dozens of sections)."""
    plan = summary.plan
    return {
        "plan": {"id": plan.pk, "year": plan.year, "title": plan.title, "status": plan.status},
        "town": {"id": plan.town.pk, "slug": plan.town.slug, "name": plan.town.name},
        "target_count": summary.target_count,
        "mean_percent": _percent(summary.mean_percent),
        "counts": _counts(summary.counts),
        "sections": [
            {
                "id": section.section.pk,
                "parent": section.section.parent_id,
                "label": section.section.label,
                "title": section.section.title,
                "depth": section.depth,
                "target_count": section.target_count,
                "mean_percent": _percent(section.mean_percent),
                "counts": _counts(section.counts),
            }
            for section in summary.sections
        ],
    }


class RollupQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class HistoryPointSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    value = serializers.DecimalField(allow_null=True, **QUANTITY)
    milestone_done = serializers.BooleanField(allow_null=True)
    percent_complete = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    update = serializers.IntegerField(help_text=_("The progress update that counts for the date."))


class TargetHistorySerializer(serializers.Serializer):
    target = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.DecimalField(allow_null=True, **QUANTITY)
    unit = serializers.CharField()
    points = HistoryPointSerializer(
        many=True,
        help_text=_(
            "One point per date, oldest first; where a date has several updates the one "
            "recorded last (a correction) counts."
        ),
    )
