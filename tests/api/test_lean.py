"""The lean reads give the serializers' JSON to the character.

The target list, the plan summary and the region rollup build their JSON
directly (tracker/api/serializers.py: target_rows_data, plan_summary_data,
rollup_data) because serializing row by row cost several times the query.
These tests hold them to what the serializers would have said, on targets of
every shape: quantities, ranges, caps, growth rates and milestones, with and
without progress, departments and a source document.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from tests import factories
from tracker import exports
from tracker.api import serializers as api
from tracker.choices import Comparison
from tracker.models import Plan, Target
from tracker.selectors import assessed, plan_summary, region_rollup
from tracker.services import progress_record

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 7, 1)
QUOTE = "力争引进优质企业8家以上"


def as_json(data) -> object:
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def district():
    """Two towns of one district, each with a plan of targets of every shape."""
    district = factories.DistrictFactory(slug="nanhai")
    for n, name in enumerate(["西樵镇", "桂城街道"]):
        town = factories.TownFactory(name=name, slug=f"town-{n}", region=district)
        plan = factories.PlanFactory(town=town, year=2024)
        document = factories.SourceDocumentFactory()
        plan.documents.add(document)
        top = factories.SectionFactory(plan=plan, label="一、", title="稳增长")
        child = factories.SectionFactory(plan=plan, parent=top, label="（一）", title="招商")
        lead, helper, other = (
            factories.DepartmentFactory(town=town, name=f"{label}办{n}") for label in "乙甲丙"
        )
        plain = factories.TargetFactory(
            section=child, lead_department=lead, baseline=Decimal("12.5")
        )
        plain.helping_departments.set([other, helper])
        sourced = factories.TargetFactory(
            section=child,
            title="引进优质企业",
            comparison=Comparison.GE,
            value=Decimal("8"),
            unit="家",
            source_document=document,
            quote=QUOTE,
            deadline=datetime.date(2024, 9, 30),
            is_stretch=True,
        )
        ranged = factories.TargetFactory(
            section=top, comparison=Comparison.RANGE, value=Decimal("2"), value_max=Decimal("3"),
            unit="个",
        )  # fmt: skip
        cap = factories.TargetFactory(
            section=top, comparison=Comparison.LE, value=Decimal("3"), unit="起"
        )
        growth = factories.TargetFactory(
            section=top, comparison=Comparison.APPROX, value=Decimal("-1.5"), unit="%",
            is_growth=True,
        )  # fmt: skip
        milestone = factories.MilestoneFactory(section=child)
        factories.MilestoneFactory(section=top)  # nothing reported
        for target, value in [
            (plain, Decimal("1641.72")),
            (sourced, Decimal("9")),
            (ranged, Decimal("1")),
            (cap, Decimal("4")),
            (growth, Decimal("0.3333")),
        ]:
            progress_record(target=target, as_of=datetime.date(2024, 6, 30), value=value)
        progress_record(target=milestone, as_of=datetime.date(2024, 5, 31), milestone_done=True)
    return district


def test_the_target_list_is_the_target_serializer_s_json(district, settings, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    response = APIClient().get("/api/targets/", {"page_size": 200})
    assert response.status_code == 200
    targets = (
        Target.objects.with_context()
        .select_related("plan__town")
        .prefetch_related("plan__sections")
        .order_by("plan_id", "section_id", "position", "id")
    )
    expected = api.TargetSerializer(targets, many=True, context={"today": TODAY}).data
    assert len(expected) == 14
    assert as_json(response.data["results"]) == as_json(expected)
    # The bytes too: the same keys in the same order.
    assert json.dumps(json.loads(response.content)["results"]) == json.dumps(as_json(expected))


def test_the_plan_summary_is_the_summary_serializer_s_json(district):
    plan = Plan.objects.select_related("town").first()
    summary = plan_summary(plan, TODAY)
    assert summary.target_count == 7
    expected = api.PlanSummarySerializer(summary).data
    assert json.dumps(as_json(api.plan_summary_data(summary))) == json.dumps(as_json(expected))


def test_the_lean_rollup_is_the_rollup_serializer_s_json(district):
    plans = Plan.objects.all()
    full = region_rollup(district, 2024, TODAY, plans)
    lean = region_rollup(district, 2024, TODAY, plans, lean=True)
    assert len(lean.comparables) >= 2  # 亩, 家, 个 … in both towns
    expected = api.RegionRollupSerializer(full).data
    assert json.dumps(as_json(api.rollup_data(lean))) == json.dumps(as_json(expected))


@pytest.mark.parametrize(
    "value",
    ["0", "0.0000", "-1.5", "2500", "1641.72", "1E+2", "0.00005", "12345678901234.5678", "-0"],
)
def test_numbers_are_written_as_drf_writes_them(value):
    number = Decimal(value)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=4)
    percent = serializers.DecimalField(max_digits=None, decimal_places=2)
    assert api._quantity(number) == quantity.to_representation(number)
    assert api._percent(number) == percent.to_representation(number)


def test_times_are_written_as_drf_writes_them():
    field = serializers.DateTimeField()
    zone = timezone.get_current_timezone()
    for value in [
        datetime.datetime(2024, 6, 30, 16, 0, 0, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2024, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    ]:
        assert api._datetime(value, zone) == field.to_representation(value)


def test_the_api_s_csv_is_the_one_model_instances_give(district, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)
    response = APIClient().get("/api/targets/export.csv")
    body = b"".join(response.streaming_content)
    targets = Target.objects.with_context().order_by("plan_id", "section_id", "position", "id")
    expected = exports.csv_response(assessed(targets, TODAY), "targets")
    assert body == b"".join(expected.streaming_content)
    assert body.count(b"\n") == 1 + 14
