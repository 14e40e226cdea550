"""The seed data: loaded whole, idempotent, and every item traceable to its document."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from tracker.choices import Status, TargetKind
from tracker.models import GoalSection, Plan, ProgressUpdate, SourceDocument, Target, Town
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db

NUMBERED_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、(?P<title>[^\n]+)$", re.M)
NUMBERED_ITEM = re.compile(r"[（(][一二三四五六七八九十]+[)）](?P<title>[^。\n]+)。")
BULLET = re.compile(r"●(?P<title>[^\s●]+)")


def test_seed_loads_the_five_documents_and_their_plans(seeded):
    assert SourceDocument.objects.count() == 5
    assert set(Town.objects.values_list("slug", flat=True)) == {
        "xiqiao",
        "guicheng",
        "danzao",
        "xiqu",
    }
    assert set(Plan.objects.values_list("town__slug", "year")) == {
        ("xiqiao", 2022),
        ("guicheng", 2022),
        ("guicheng", 2021),
        ("danzao", 2020),
        ("xiqu", 2026),
    }
    assert Target.objects.filter(kind=TargetKind.QUANTITATIVE).count() > 25
    assert Target.objects.filter(kind=TargetKind.MILESTONE).exists()


def test_seeding_twice_changes_nothing(seeded):
    counts = [m.objects.count() for m in (Plan, GoalSection, Target, ProgressUpdate)]
    report = seed_load()
    assert not report.changed
    assert [m.objects.count() for m in (Plan, GoalSection, Target, ProgressUpdate)] == counts


def test_seed_command_reports_nothing_changed_the_second_time(seeded, capsys):
    call_command("seed")
    assert "nothing changed" in capsys.readouterr().out


def test_every_quote_is_verbatim_from_its_document(seeded):
    quoted = [
        *Target.objects.select_related("source_document"),
        *GoalSection.objects.select_related("source_document"),
        *ProgressUpdate.objects.select_related("source_document"),
    ]
    assert quoted
    for item in quoted:
        assert item.quote, f"{item} has no quote"
        assert item.quote in item.source_document.text, f"{item}: quote not in its document"
    for plan in Plan.objects.exclude(theme_quote=""):
        assert any(plan.theme_quote in doc.text for doc in plan.documents.all())


def test_every_numbered_section_of_each_document_is_seeded(seeded):
    for document in SourceDocument.objects.prefetch_related("plans__sections"):
        titles = [section.title for plan in document.plans.all() for section in plan.sections.all()]
        text = document.text
        headings = [
            m["title"]
            for pattern in (NUMBERED_HEADING, NUMBERED_ITEM, BULLET)
            for m in pattern.finditer(text)
        ]
        for heading in headings:
            assert any(heading.strip() in title or title in heading for title in titles), (
                f"{document.filename}: section {heading!r} is not seeded"
            )


def test_xiqu_has_its_seven_areas_in_order(seeded):
    plan = Plan.objects.get(town__slug="xiqu", year=2026)
    top = list(plan.sections.filter(parent=None).order_by("position"))
    assert [s.label for s in top] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert {s.grouping for s in top} == {"七大重点领域"}
    assert top[0].children.count() == 4


def test_seeded_targets_read_as_the_domain_examples(seeded):
    def one(**lookup):
        return Target.objects.get(**lookup)

    land = one(plan__town__slug="xiqiao", unit="亩", value=Decimal("2500"))
    assert land.comparison == "eq"
    firms = one(plan__town__slug="xiqu", quote__contains="引进优质企业8家以上")
    assert (firms.comparison, firms.value, firms.unit) == ("ge", Decimal("8"), "家")
    gdp = one(plan__town__slug="xiqu", quote__contains="地区生产总值增长5%左右")
    assert (gdp.comparison, gdp.is_growth, gdp.is_stretch) == ("approx", True, True)
    apps = one(plan__town__slug="xiqu", quote__contains="2—3个")
    assert (apps.comparison, apps.value, apps.value_max) == ("range", Decimal("2"), Decimal("3"))
    lab = one(plan__town__slug="danzao", quote__contains="开园")
    assert lab.kind == TargetKind.MILESTONE


def test_danzao_reported_progress_is_65_67_percent(seeded):
    target = Target.objects.select_related("latest_update", "plan").get(
        plan__town__slug="danzao", latest_update__value=Decimal("1641.72")
    )
    assessment = target.assess(today=datetime.date(2020, 6, 30))
    assert target.value == Decimal("2500")
    assert assessment.percent == Decimal("65.67")
    assert assessment.status == Status.ON_TRACK
