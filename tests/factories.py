"""factory_boy factories for the tracker's models, with sensible Chinese defaults."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from tracker.choices import Comparison, PlanStatus, RegionLevel, TargetKind, TownKind
from tracker.models import (
    Department,
    GoalSection,
    Membership,
    Plan,
    Region,
    SourceDocument,
    Target,
    Town,
)
from tracker.models.targets import default_basis


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区域{n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    level = RegionLevel.PROVINCE
    parent = None


class DistrictFactory(RegionFactory):
    level = RegionLevel.DISTRICT
    parent = factory.SubFactory(
        RegionFactory, level=RegionLevel.CITY, parent=factory.SubFactory(RegionFactory)
    )


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    name = factory.Sequence(lambda n: f"测试{n}镇")
    slug = factory.Sequence(lambda n: f"town-{n}")
    kind = TownKind.TOWN
    region = factory.SubFactory(DistrictFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"经济发展办公室{n}")


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDocument

    title = "2024年工作计划"
    text = factory.Sequence(lambda n: f"第{n}号文件。力争引进优质企业8家以上，完成拆除2500亩。")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    town = factory.SubFactory(TownFactory)
    year = 2024
    title = factory.LazyAttribute(lambda o: f"{o.town.name}{o.year}年工作计划")
    status = PlanStatus.ACTIVE


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalSection

    plan = factory.SubFactory(PlanFactory)
    parent = None
    position = factory.Sequence(lambda n: n + 1)
    label = "一、"
    title = "稳增长"


class TargetFactory(factory.django.DjangoModelFactory):
    """A quantitative target: complete 2500 亩 by the end of the plan year."""

    class Meta:
        model = Target

    section = factory.SubFactory(SectionFactory)
    plan = factory.LazyAttribute(lambda o: o.section.plan)
    position = factory.Sequence(lambda n: n + 1)
    title = "村级工业园攻坚拆除"
    kind = TargetKind.QUANTITATIVE
    comparison = Comparison.EQ
    value = Decimal("2500")
    unit = "亩"
    # As Target.clean() fills it in for targets made through the services and forms.
    progress_basis = factory.LazyAttribute(
        lambda o: default_basis(kind=o.kind, unit=o.unit, is_growth=getattr(o, "is_growth", False))
    )


class MilestoneFactory(TargetFactory):
    title = "确保实验室年内开园"
    kind = TargetKind.MILESTONE
    comparison = ""
    value = None
    unit = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    town = factory.SubFactory(TownFactory)
    role = "reporter"


def a_day_in(year: int) -> datetime.date:
    return datetime.date(year, 6, 30)
