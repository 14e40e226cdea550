"""Invariants: each is refused by clean() with a field error, and by the database itself."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories
from tracker.choices import Comparison, RegionLevel, TargetKind
from tracker.models import Plan, ProgressUpdate, Region, Target

pytestmark = pytest.mark.django_db


def field_errors(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def refused_by_database(instance) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_milestone_with_a_value_is_a_field_error_and_a_database_error(milestone):
    milestone.value = Decimal("5")
    assert "value" in field_errors(milestone)
    refused_by_database(milestone)


def test_quantitative_target_without_unit_is_refused(target):
    target.unit = ""
    assert "unit" in field_errors(target)
    refused_by_database(target)


def test_range_whose_upper_value_is_below_its_lower_is_refused(target):
    target.comparison = Comparison.RANGE
    target.value, target.value_max = Decimal("3"), Decimal("2")
    assert "value_max" in field_errors(target)
    refused_by_database(target)


def test_upper_value_outside_a_range_is_refused(target):
    target.value_max = Decimal("3000")
    assert "value_max" in field_errors(target)
    refused_by_database(target)


def test_negative_area_is_refused(target):
    target.value = Decimal("-10")
    assert "value" in field_errors(target)
    refused_by_database(target)


def test_negative_growth_rate_is_allowed(target):
    target.is_growth, target.unit, target.value = True, "%", Decimal("-2")
    target.full_clean()
    target.save()


def test_second_plan_for_the_same_town_and_year_is_refused(plan):
    twin = Plan(town=plan.town, year=plan.year, title="重复")
    assert "__all__" in field_errors(twin)
    refused_by_database(twin)


def test_plan_year_out_of_range_is_refused(plan):
    plan.year = 1999
    field_errors(plan)
    refused_by_database(plan)


def test_section_from_another_plan_is_a_field_error(target):
    other = factories.SectionFactory()
    target.section = other
    assert "section" in field_errors(target)


def test_lead_department_of_another_town_is_a_field_error(target):
    target.lead_department = factories.DepartmentFactory()
    assert "lead_department" in field_errors(target)


def test_quote_must_be_verbatim_from_its_document(target):
    document = factories.SourceDocumentFactory()
    target.source_document = document
    target.quote = "完成拆除2500亩"
    target.full_clean()
    target.quote = "完成拆除2600亩"
    assert "quote" in field_errors(target)


def test_update_with_both_value_and_state_is_refused_by_the_database(target):
    update = ProgressUpdate(
        target=target, as_of=datetime.date(2024, 3, 1), value=1, milestone_done=True
    )
    assert "milestone_done" in field_errors(update)
    refused_by_database(update)


def test_numeric_value_on_a_milestone_update_is_a_field_error(milestone):
    update = ProgressUpdate(target=milestone, as_of=datetime.date(2024, 3, 1), value=Decimal("1"))
    assert "value" in field_errors(update)


def test_as_of_date_outside_the_plan_year_is_a_field_error(target):
    update = ProgressUpdate(target=target, as_of=datetime.date(2023, 12, 31), value=Decimal("1"))
    assert "as_of" in field_errors(update)


def test_negative_value_reached_is_a_field_error(target):
    update = ProgressUpdate(target=target, as_of=datetime.date(2024, 3, 1), value=Decimal("-1"))
    assert "value" in field_errors(update)


def test_progress_update_cannot_be_changed_or_deleted(target):
    update = ProgressUpdate.objects.create(
        target=target, as_of=datetime.date(2024, 3, 1), value=Decimal("1")
    )
    update.note = "rewritten"
    with pytest.raises(ValidationError):
        update.save()
    with pytest.raises(ValidationError):
        update.delete()
    assert ProgressUpdate.objects.get(pk=update.pk).note == ""


def test_region_path_follows_the_tree():
    province = Region.objects.create(name="广东省", slug="gd", level=RegionLevel.PROVINCE)
    city = Region.objects.create(name="佛山市", slug="fs", level=RegionLevel.CITY, parent=province)
    district = Region.objects.create(
        name="南海区", slug="nh", level=RegionLevel.DISTRICT, parent=city
    )
    assert district.path == "gd/fs/nh/"
    assert [r.slug for r in district.ancestors()] == ["gd", "fs"]


def test_city_without_a_province_is_refused_by_the_database():
    refused_by_database(Region(name="佛山市", slug="fs", level=RegionLevel.CITY))


def test_district_directly_under_a_province_is_a_field_error():
    province = Region.objects.create(name="广东省", slug="gd", level=RegionLevel.PROVINCE)
    district = Region(name="南海区", slug="nh", level=RegionLevel.DISTRICT, parent=province)
    assert "parent" in field_errors(district)


def test_assess_uses_the_latest_update(target):
    ProgressUpdate.objects.create(
        target=target, as_of=datetime.date(2024, 6, 30), value=Decimal("1641.72")
    )
    target.latest_update = target.updates.get()
    assessment = target.assess(today=datetime.date(2024, 6, 30))
    assert assessment.percent == Decimal("65.67")
    assert Target.objects.get(pk=target.pk).kind == TargetKind.QUANTITATIVE
