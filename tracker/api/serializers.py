"""What the API reads and writes: one serializer per resource, plus the report shapes.

Foreign keys a client may write are limited to rows that client may read
(anything else "does not exist"), then checked against the client's rights
in the row's town (anything else is a field error naming the field). Owners,
reporters, timestamps, versions and everything computed are read-only.
"""

import datetime
import decimal
import operator
from contextvars import ContextVar
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from tracker.access import Scope, may_in_town, scope_for
from tracker.api.permissions import EDIT, REPORT
from tracker.api.strict import RejectUnknownFieldsMixin
from tracker.choices import Comparison, PlanStatus, Status, TargetKind, WarningLevel
from tracker.filters import MAX_ID
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    ProgressUpdate,
    Region,
    SourceDocument,
    Target,
    TargetNode,
    Town,
)
from tracker.selectors import TargetRow
from tracker.today import reporting_today
from tracker.workflow import Flag

QUANTITY = {"max_digits": 20, "decimal_places": 4}


def id_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    """A foreign key given by id: a whole number (not 1.5, not true), in range.

    Its queryset is set per request in `get_fields()` to what the client may read.
    """
    kwargs.setdefault("queryset", None if kwargs.get("read_only") else Plan.objects.none())
    return serializers.PrimaryKeyRelatedField(
        pk_field=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs
    )


class ScopedSerializerMixin(RejectUnknownFieldsMixin):
    """Access to the requesting user's Scope and to "today" for the status rule.

    (And a 400 naming any field the resource does not have: tracker/api/strict.py.)
    """

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
        return self.context.get("today") or reporting_today()

    def check_town(self, town_id: int, needed: str, message) -> None:
        if not may_in_town(self.user, needed, town_id):
            raise serializers.ValidationError(message)


# --- fast reads ---------------------------------------------------------------------------

# What DRF's DecimalField, DateField and DateTimeField do with a value, done
# directly: on a list of thousands of numbers and dates their own work (a
# decimal context copy per number, a settings lookup per date) cost more than
# the rest of a row. tests/api/test_fields.py holds them to DRF's output.
_FOUR_PLACES, _TWO_PLACES = Decimal("0.0001"), Decimal("0.01")
_QUANTITY_CONTEXT = decimal.Context(prec=QUANTITY["max_digits"])


class QuantityField(serializers.DecimalField):
    """A quantity (20 digits, 4 places), written as DecimalField writes it."""

    def __init__(self, **kwargs):
        super().__init__(**QUANTITY, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value.quantize(_FOUR_PLACES, context=_QUANTITY_CONTEXT):f}"


class PercentField(serializers.DecimalField):
    """A percentage (two places), written as DecimalField writes it."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=2, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value.quantize(_TWO_PLACES):f}"


class FastDateField(serializers.DateField):
    def to_representation(self, value: datetime.date) -> str:
        return value.isoformat()


# The current time zone, looked up once per list rather than once per value (the lookup
# goes through a context-local that costs more than the formatting).
_LIST_ZONE: ContextVar[datetime.tzinfo | None] = ContextVar("list_zone", default=None)


class FastDateTimeField(serializers.DateTimeField):
    def to_representation(self, value: datetime.datetime) -> str:
        zone = _LIST_ZONE.get() or timezone.get_current_timezone()
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class FastBooleanField(serializers.BooleanField):
    def to_representation(self, value) -> bool:
        return bool(value)


_ROW_PLANS: dict[type, list[tuple]] = {}
# Fields whose output is the row's value itself (str, int, bool columns): not called.
_AS_IS = {
    serializers.CharField,
    serializers.SlugField,
    serializers.URLField,
    serializers.IntegerField,
    FastBooleanField,
}


class RowListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list:
        token = _LIST_ZONE.set(timezone.get_current_timezone())
        try:
            return super().to_representation(data)
        finally:
            _LIST_ZONE.reset(token)


class RowSerializer(serializers.Serializer):
    """A read-only Serializer for the read model's rows and the reports built from them.

    The same declared fields, schema and output as a Serializer, but it reads
    each field with a getter prepared once per class (on a prototype: no copy
    of the fields per request, no general lookup per value). So its fields must
    not depend on the request's context. `from_mappings` serializers read
    dicts (counts by status).
    """

    from_mappings = False

    class Meta:
        list_serializer_class = RowListSerializer

    @classmethod
    def _plan(cls) -> list[tuple]:
        plan = _ROW_PLANS.get(cls)
        if plan is None:
            getter_of = operator.itemgetter if cls.from_mappings else operator.attrgetter
            plan = [
                (
                    field.field_name,
                    None if field.source == "*" else getter_of(field.source),
                    None if type(field) in _AS_IS else field.to_representation,
                )
                for field in cls().fields.values()
                if not field.write_only
            ]
            _ROW_PLANS[cls] = plan
        return plan

    def to_representation(self, instance) -> dict:
        data = {}
        for name, getter, represent in self._plan():
            value = instance if getter is None else getter(instance)
            if value is None or represent is None:
                data[name] = value
            else:
                data[name] = represent(value)
        return data


# --- small read-only shapes used inside the resources ---------------------------------


class TownRefSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class SourceDocumentRefSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    publisher = serializers.CharField(read_only=True)
    published_on = FastDateField(read_only=True, allow_null=True)
    url = serializers.URLField(read_only=True)


class SectionRefSerializer(RowSerializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    title = serializers.CharField()


class DepartmentRoleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=[("lead", _("lead")), ("helping", _("helping"))])


class ProvenanceSerializer(RowSerializer):
    document = SourceDocumentRefSerializer(source="source_document", allow_null=True)
    quote = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    """A target's 督办 colour and why (the rule: tracker/workflow.py, `warning_rule`)."""

    level = serializers.ChoiceField(choices=WarningLevel.choices)
    reasons = serializers.ListField(child=serializers.CharField())


def warning_data(flag: Flag | None) -> dict | None:
    return None if flag is None else {"level": str(flag.level), "reasons": list(flag.reasons)}


class StatusCountsSerializer(RowSerializer):
    """How many targets have each status (every status present, zeros included)."""

    from_mappings = True

    achieved = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    behind = serializers.IntegerField()
    unmet = serializers.IntegerField(help_text=_("The deadline passed unmet (未完成)."))
    overdue = serializers.IntegerField(
        help_text=_("Nothing reported though the first report was due (逾期未报).")
    )
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


class TargetNodeSerializer(serializers.ModelSerializer):
    """One node of a target's schedule (节点目标): by a date, a cumulative amount or share,
    or a milestone's named step; exactly one of the three."""

    class Meta:
        model = TargetNode
        fields = ["due_on", "planned_value", "planned_percent", "name", "done_on"]
        validators = []  # the schedule is checked whole (tracker.services.target_schedule_set)


class TargetSerializer(RowSerializer):
    """A target with where it sits, its progress and status today, and where it came from.

    Reads tracker.selectors.TargetRow: the list, a target, and what a write returns.
    """

    id = serializers.IntegerField(source="pk", read_only=True)
    town = TownRefSerializer(read_only=True)
    year = serializers.IntegerField(read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    section = serializers.IntegerField(source="section_id", read_only=True)
    section_path = SectionRefSerializer(
        many=True,
        read_only=True,
        help_text=_("The sections from the top of the plan down to this target's own."),
    )
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    metric = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=TargetKind.choices, read_only=True)
    comparison = serializers.ChoiceField(choices=[("", ""), *Comparison.choices], read_only=True)
    value = QuantityField(read_only=True, allow_null=True)
    value_max = QuantityField(read_only=True, allow_null=True)
    unit = serializers.CharField(read_only=True)
    is_growth = FastBooleanField(read_only=True)
    is_stretch = FastBooleanField(read_only=True)
    baseline = QuantityField(read_only=True, allow_null=True)
    deadline = FastDateField(read_only=True, allow_null=True)
    due_on = FastDateField(read_only=True, help_text=_("The deadline, or year end."))
    lead_department = serializers.IntegerField(
        source="lead_department_id", read_only=True, allow_null=True
    )
    helping_departments = serializers.ListField(
        source="helping_department_ids", child=serializers.IntegerField(), read_only=True
    )
    departments = serializers.SerializerMethodField()
    current_value = QuantityField(read_only=True, allow_null=True)
    milestone_done = FastBooleanField(read_only=True, allow_null=True)
    as_of = FastDateField(
        read_only=True,
        allow_null=True,
        help_text=_("The date the latest progress update is as of."),
    )
    percent_complete = PercentField(source="assessment.percent", read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        source="assessment.status", choices=Status.choices, read_only=True
    )
    warning = serializers.SerializerMethodField(
        help_text=_(
            "The 督办 warning while the plan's reporting runs (null before its first period, "
            "or without periods): red, yellow or green, and why."
        )
    )
    provenance = ProvenanceSerializer(source="*", read_only=True)
    owner_name = serializers.CharField(
        read_only=True, help_text=_("The person responsible (责任人).")
    )
    owner_title = serializers.CharField(read_only=True)
    owner_user = serializers.IntegerField(source="owner_user_id", read_only=True, allow_null=True)
    leader_name = serializers.CharField(
        read_only=True, help_text=_("The leader in charge (分管领导).")
    )
    nodes = TargetNodeSerializer(
        many=True,
        read_only=True,
        help_text=_(
            "The node schedule (节点目标) the expected pace follows, in date order; "
            "empty: the straight line from 1 January to the deadline."
        ),
    )
    starts_on = FastDateField(
        read_only=True,
        allow_null=True,
        help_text=_("Its start, when it starts after 1 January (a task given during the year)."),
    )
    is_key = FastBooleanField(read_only=True, help_text=_("A key item (重点)."))
    assignment = serializers.IntegerField(
        source="assignment_id",
        read_only=True,
        allow_null=True,
        help_text=_("The assigned task (交办) this target is a receipt of, if any."),
    )
    version = serializers.IntegerField(read_only=True)
    created_at = FastDateTimeField(read_only=True)
    updated_at = FastDateTimeField(read_only=True)

    @extend_schema_field(DepartmentRoleSerializer(many=True))
    def get_departments(self, row: TargetRow) -> list[dict]:
        lead = row.lead_department
        found = [{"id": lead.id, "name": lead.name, "role": "lead"}] if lead else []
        found += [{"id": d.id, "name": d.name, "role": "helping"} for d in row.helping]
        return found

    @extend_schema_field(WarningSerializer(allow_null=True))
    def get_warning(self, row: TargetRow) -> dict | None:
        return warning_data(row.warning)


@extend_schema_serializer(component_name="Target")  # in the schema: TargetRequest
class TargetWriteSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """What an editor sends to create or change a target (the answer is a TargetSerializer's)."""

    section = id_field(help_text=_("The section (id); the target belongs to its plan."))
    lead_department = id_field(allow_null=True, required=False)
    helping_departments = id_field(many=True, required=False)
    source_document = id_field(allow_null=True, required=False)
    nodes = TargetNodeSerializer(
        many=True,
        required=False,
        help_text=_(
            "The whole node schedule: replaces the target's nodes (an empty list removes "
            "them); left out, they stay as they are. Written with the target's If-Match."
        ),
    )

    class Meta:
        model = Target
        fields = [
            "section", "position", "title", "metric", "kind", "comparison", "value", "value_max",
            "unit", "is_growth", "is_stretch", "baseline", "deadline", "lead_department",
            "helping_departments", "source_document", "quote", "nodes",
            "owner_name", "owner_title", "owner_user", "leader_name", "starts_on", "is_key",
        ]  # fmt: skip
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


def readable_documents(scope: Scope):
    """Source documents of plans the user may read."""
    return SourceDocument.objects.filter(
        pk__in=Plan.objects.filter(scope.readable()).values("documents")
    )


def readable_targets(scope: Scope):
    """Targets of plans the user may read: what a progress update or report may name."""
    return Target.objects.filter(scope.readable("plan")).select_related("plan")


def check_document_of_plan(attrs: dict, plan: Plan | None) -> None:
    """Provenance must point at one of the plan's own source documents."""
    document = attrs.get("source_document")
    if document is not None and plan is not None:
        if not plan.documents.filter(pk=document.pk).exists():
            raise serializers.ValidationError(
                {"source_document": _("This is not one of the plan's source documents.")}
            )


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
        fields["target"].queryset = readable_targets(scope)
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


class PlanRefSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=PlanStatus.choices, read_only=True)


class SectionSummarySerializer(RowSerializer):
    id = serializers.IntegerField(source="section.pk")
    parent = serializers.IntegerField(source="section.parent_id", allow_null=True)
    label = serializers.CharField(source="section.label")
    title = serializers.CharField(source="section.title")
    depth = serializers.IntegerField(help_text=_("0 at the top of the plan."))
    target_count = serializers.IntegerField(help_text=_("Targets in it and its subsections."))
    mean_percent = PercentField(allow_null=True)
    counts = StatusCountsSerializer()


class PlanSummarySerializer(RowSerializer):
    plan = PlanRefSerializer()
    town = TownRefSerializer(source="plan.town")
    target_count = serializers.IntegerField()
    mean_percent = PercentField(
        allow_null=True, help_text=_("Mean percent complete, each target counted at most 100.")
    )
    counts = StatusCountsSerializer()
    sections = SectionSummarySerializer(many=True)


class TownYearSerializer(RowSerializer):
    town = TownRefSerializer()
    plan = PlanRefSerializer(allow_null=True)
    target_count = serializers.IntegerField()
    mean_percent = PercentField(allow_null=True)
    counts = StatusCountsSerializer()


class ComparedTargetSerializer(RowSerializer):
    """A target beside others of its unit: a TargetSerializer's fields that compare."""

    id = serializers.IntegerField(source="pk")
    town = TownRefSerializer()
    title = serializers.CharField()
    metric = serializers.CharField()
    comparison = serializers.CharField()
    value = QuantityField(allow_null=True)
    value_max = QuantityField(allow_null=True)
    current_value = QuantityField(allow_null=True)
    percent_complete = PercentField(source="assessment.percent", allow_null=True)
    status = serializers.ChoiceField(source="assessment.status", choices=Status.choices)


class ComparableSerializer(RowSerializer):
    unit = serializers.CharField()
    is_growth = serializers.BooleanField()
    target_count = serializers.IntegerField(help_text=_("Targets of the group, on every page."))
    town_count = serializers.IntegerField(help_text=_("Towns with a target in the group."))
    targets = ComparedTargetSerializer(
        source="rows", many=True, help_text=_("The group's targets on this page.")
    )


class RegionRollupSerializer(RowSerializer):
    region = RegionSerializer()
    year = serializers.IntegerField()
    counts = StatusCountsSerializer()
    towns = TownYearSerializer(many=True)
    comparables = ComparableSerializer(
        many=True,
        help_text=_("Quantitative targets of the same unit, in more than one town, side by side."),
    )
    comparable_count = serializers.IntegerField(
        help_text=_("Comparable targets in all groups, on every page.")
    )
    page = serializers.IntegerField()
    page_count = serializers.IntegerField()


class RegionRollupPageSerializer(RegionRollupSerializer):
    """The rollup as the API answers it: with links to the other pages of comparable targets."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class RollupQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    page = serializers.IntegerField(
        min_value=1,
        default=1,
        help_text=_("The page of comparable targets (50 a page); every page has all towns."),
    )


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
            "One point per date, oldest first: an update that a later one corrects is left "
            "out, and where a date has several updates the one recorded last counts."
        ),
    )
