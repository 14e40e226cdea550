"""plan_import_create, candidates_accept and candidates_reject (tracker/importing.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories
from tests.importing.conftest import PLAN_NAME, PLAN_TEXT, SEED_DOCUMENTS, SMALL_TEXT, document
from tracker.choices import PlanStatus, TargetKind
from tracker.importing import candidates_accept, candidates_reject, plan_import_create
from tracker.models import (
    CandidateKind,
    Decision,
    GoalSection,
    ImportState,
    Plan,
    PlanImport,
    SectionCandidate,
    SourceDocument,
    Target,
    TargetCandidate,
    Town,
)
from tracker.seeding import seed_load

pytestmark = pytest.mark.django_db


def small_import(town, year=2026, text=SMALL_TEXT):
    return plan_import_create(data=text.encode(), filename="plan.txt", town=town, year=year)


def live_counts() -> tuple[int, int, int]:
    return Plan.objects.count(), GoalSection.objects.count(), Target.objects.count()


@pytest.mark.parametrize("name", SEED_DOCUMENTS)
def test_import_of_each_seed_document_stores_candidates_and_no_live_rows(name, editor):
    slug, year = SEED_DOCUMENTS[name]
    town = factories.TownFactory(slug=f"{slug}-{year}")
    plan_import = plan_import_create(
        data=document(name), filename=name, town=town, year=year, user=editor
    )
    candidates = list(plan_import.target_candidates.all())
    assert candidates
    assert plan_import.section_candidates.exists()
    assert live_counts() == (0, 0, 0)
    text = plan_import.source_document.text
    for candidate in [*candidates, *plan_import.section_candidates.all()]:
        assert text[candidate.start : candidate.end] == candidate.quote
    assert plan_import.created_by == editor
    assert plan_import.state == ImportState.OPEN


def test_every_target_candidate_sits_in_a_section_of_its_import(town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    assert not plan_import.target_candidates.filter(section_candidate__isnull=True).exists()
    first = plan_import.target_candidates.get(position=1)
    assert first.section_candidate.title == "精准调度稳住基本盘"
    assert first.section_candidate.parent.label == "一、"
    assert (first.value, first.unit, first.comparison, first.is_growth) == (
        Decimal("5"),
        "%",
        "approx",
        True,
    )


def test_candidates_before_the_first_heading_go_under_a_lead_section(town):
    plan_import = plan_import_create(
        data=document("000_93c13e1d1dd147af.txt"),
        filename="000.txt",
        town=town,
        year=2022,
    )
    lead = plan_import.section_candidates.get(position=0)
    assert lead.parent is None
    assert plan_import.target_candidates.filter(section_candidate=lead).exists()


def test_past_facts_are_stored_rejected_and_progress_figures_pending(town):
    plan_import = plan_import_create(
        data=document("002_250589f18239bff2.txt"), filename="002.txt", town=town, year=2020
    )
    decisions = {c.kind: set() for c in plan_import.target_candidates.all()}
    for candidate in plan_import.target_candidates.all():
        decisions[candidate.kind].add(candidate.decision)
    assert decisions[CandidateKind.PAST] == {Decision.REJECTED}
    assert decisions[CandidateKind.PROGRESS] == {Decision.PENDING}
    assert decisions[CandidateKind.TARGET] == {Decision.PENDING}


def test_reimporting_the_same_document_returns_the_same_import(town):
    first = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    counts = (TargetCandidate.objects.count(), SectionCandidate.objects.count())
    again = plan_import_create(data=PLAN_TEXT, filename="renamed.txt", town=town, year=2026)
    assert again == first
    assert (TargetCandidate.objects.count(), SectionCandidate.objects.count()) == counts
    assert SourceDocument.objects.count() == 1


def test_the_same_document_for_another_year_is_another_import_of_one_document(town):
    first = small_import(town, 2026)
    second = small_import(town, 2025)
    assert first != second
    assert first.source_document == second.source_document


def test_an_existing_document_is_found_by_its_text(town):
    seeded = factories.SourceDocumentFactory(text=SMALL_TEXT, title="已入库")
    assert small_import(town).source_document == seeded


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (b"%PDF-1.4 binary", "corrupt PDF"),
        (b"\x00\x01\x02" * 10, "binary file"),
        (bytes(range(128, 256)) * 100, "cannot decode"),
        (b"x" * (10 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_an_unreadable_document_is_one_line_error_and_writes_nothing(town, data, message):
    with pytest.raises(ValidationError) as caught:
        plan_import_create(data=data, filename="bad.txt", town=town, year=2026)
    (text,) = caught.value.messages
    assert message in text
    assert "\n" not in text
    assert not PlanImport.objects.exists()
    assert not SourceDocument.objects.exists()


def test_a_document_with_no_numbers_is_an_empty_import_not_an_error(town):
    plan_import = small_import(town, text="这是一份没有任何数字的说明。")
    assert not plan_import.target_candidates.exists()
    assert live_counts() == (0, 0, 0)


def test_a_year_out_of_range_is_refused_and_writes_nothing(town):
    with pytest.raises(ValidationError, match="between 2000 and 2100"):
        small_import(town, year=1999)
    assert not SourceDocument.objects.exists()


def test_accept_creates_sections_and_targets_with_provenance(town, editor):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    chosen = list(plan_import.target_candidates.filter(position__in=[1, 2]))
    acceptance = candidates_accept(plan_import=plan_import, target_candidates=chosen, user=editor)

    plan = Plan.objects.get(town=town, year=2026)
    assert plan.status == PlanStatus.DRAFT
    assert list(plan.documents.all()) == [plan_import.source_document]
    # (一) under 一、: the target's section and the one above it.
    assert [(s.label, s.parent_id is None) for s in acceptance.sections] == [
        ("一、", True),
        ("(一)", False),
    ]
    assert len(acceptance.targets) == 2
    text = plan_import.source_document.text
    for row in [*acceptance.sections, *acceptance.targets]:
        assert row.source_document == plan_import.source_document
        assert row.quote
        assert row.quote in text
        assert row.created_by == editor
    growth = acceptance.targets[0]
    assert (growth.kind, growth.value, growth.unit, growth.comparison, growth.is_growth) == (
        TargetKind.QUANTITATIVE,
        Decimal("5"),
        "%",
        "approx",
        True,
    )
    assert [t.position for t in acceptance.targets] == [1, 2]
    for candidate in chosen:
        candidate.refresh_from_db()
        assert candidate.decision == Decision.ACCEPTED
        assert candidate.target in acceptance.targets
    plan_import.refresh_from_db()
    assert plan_import.plan == plan


def test_accepting_twice_creates_nothing_new(town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    chosen = list(plan_import.target_candidates.filter(position__in=[1, 2, 3]))
    candidates_accept(plan_import=plan_import, target_candidates=chosen)
    counts = live_counts()
    again = candidates_accept(
        plan_import=plan_import,
        target_candidates=[c.pk for c in chosen],
        section_candidates=[c.section_candidate_id for c in chosen],
    )
    assert (again.sections, again.targets) == ([], [])
    assert live_counts() == counts


def test_one_bad_candidate_means_nothing_is_created(town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    good, bad = plan_import.target_candidates.filter(position__in=[1, 2])
    bad.comparison, bad.value_max = "range", bad.value - 1  # an upper value below the lower
    bad.save()
    with pytest.raises(ValidationError) as caught:
        candidates_accept(plan_import=plan_import, target_candidates=[good, bad])
    (message,) = caught.value.messages
    assert str(bad) in message
    assert "value_max" in message
    assert live_counts() == (0, 0, 0)
    good.refresh_from_db()
    assert (good.decision, good.target) == (Decision.PENDING, None)


def test_a_milestone_with_a_number_is_refused_naming_the_candidate(town):
    plan_import = small_import(town)
    candidate = plan_import.target_candidates.filter(kind=CandidateKind.TARGET).first()
    candidate.target_kind = TargetKind.MILESTONE
    candidate.save()
    with pytest.raises(ValidationError, match=str(candidate)):
        candidates_accept(plan_import=plan_import, target_candidates=[candidate])
    assert live_counts() == (0, 0, 0)


def test_accepted_targets_keep_document_order_across_separate_accepts(town):
    plan_import = small_import(town)
    first, second, milestone = plan_import.target_candidates.all()
    candidates_accept(plan_import=plan_import, target_candidates=[second])
    candidates_accept(plan_import=plan_import, target_candidates=[first, milestone])
    section = GoalSection.objects.get(title="稳增长")
    assert [t.quote for t in section.targets.order_by("position")] == [first.quote, second.quote]
    assert Target.objects.get(kind=TargetKind.MILESTONE).section.title == "惠民生"
    assert list(GoalSection.objects.order_by("position").values_list("title", flat=True)) == [
        "稳增长",
        "惠民生",
    ]


def test_accepting_a_section_alone_creates_it_and_its_ancestors(town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    child = plan_import.section_candidates.filter(parent__isnull=False).first()
    acceptance = candidates_accept(plan_import=plan_import, section_candidates=[child])
    assert [s.title for s in acceptance.sections] == [child.parent.title, child.title]
    assert not Target.objects.exists()


def test_accept_reuses_a_section_the_plan_already_has(town):
    plan = factories.PlanFactory(town=town, year=2026)
    existing = factories.SectionFactory(plan=plan, label="一、", title="稳增长", position=1)
    plan_import = small_import(town)
    first = plan_import.target_candidates.first()
    acceptance = candidates_accept(plan_import=plan_import, target_candidates=[first])
    assert acceptance.sections == []
    assert acceptance.targets[0].section == existing
    assert acceptance.targets[0].plan == plan
    assert plan.status == PlanStatus.ACTIVE  # an existing plan is fed, not replaced


def test_candidates_of_another_import_are_refused(town, other_town):
    mine, theirs = small_import(town), small_import(other_town)
    with pytest.raises(ValidationError, match="not part of this import"):
        candidates_accept(plan_import=mine, target_candidates=list(theirs.target_candidates.all()))


def test_reject_marks_candidates_and_finishes_the_import_when_none_is_pending(town):
    plan_import = small_import(town)
    candidates = list(plan_import.target_candidates.all())
    candidates_accept(plan_import=plan_import, target_candidates=candidates[:1])
    assert candidates_reject(plan_import=plan_import, target_candidates=candidates[1:]) == 2
    assert set(plan_import.target_candidates.values_list("decision", flat=True)) == {
        Decision.ACCEPTED,
        Decision.REJECTED,
    }
    plan_import.refresh_from_db()
    assert plan_import.state == ImportState.FINISHED
    assert Target.objects.count() == 1


def test_an_accepted_candidate_cannot_be_rejected(town):
    plan_import = small_import(town)
    accepted, other = list(plan_import.target_candidates.all())[:2]
    candidates_accept(plan_import=plan_import, target_candidates=[accepted])
    with pytest.raises(ValidationError, match="accepted already"):
        candidates_reject(plan_import=plan_import, target_candidates=[other, accepted])
    other.refresh_from_db()
    assert other.decision == Decision.PENDING


def test_a_rejected_candidate_can_still_be_accepted(town):
    plan_import = small_import(town)
    candidate = plan_import.target_candidates.first()
    candidates_reject(plan_import=plan_import, target_candidates=[candidate])
    candidates_accept(plan_import=plan_import, target_candidates=[candidate])
    candidate.refresh_from_db()
    assert candidate.decision == Decision.ACCEPTED
    assert candidate.target is not None


def test_the_database_refuses_a_second_import_of_one_document_for_one_town_year(town):
    plan_import = small_import(town)
    duplicate = PlanImport(source_document=plan_import.source_document, town=town, year=2026)
    with pytest.raises(ValidationError, match="already imported"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_database_refuses_a_created_target_on_a_pending_candidate(town):
    plan_import = small_import(town)
    candidate = plan_import.target_candidates.first()
    candidates_accept(plan_import=plan_import, target_candidates=[candidate])
    candidate.refresh_from_db()
    candidate.decision = Decision.PENDING
    with pytest.raises(ValidationError, match="Only an accepted candidate"):
        candidate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        candidate.save()


def test_accepting_a_seeded_documents_candidates_links_the_seeded_rows(db):
    seed_load()
    town = Town.objects.get(slug="xiqu")
    seeded = Target.objects.filter(plan__town=town).count()
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    first = plan_import.target_candidates.get(position=1)  # 地区生产总值增长5%左右, seeded
    acceptance = candidates_accept(
        plan_import=plan_import, target_candidates=plan_import.target_candidates.all()
    )
    first.refresh_from_db()
    assert first.target.quote == "力争实现地区生产总值增长5%左右"
    assert first.target not in acceptance.targets
    assert acceptance.sections == []  # every heading is seeded already
    assert Target.objects.filter(plan__town=town).count() == seeded + len(acceptance.targets)
    keys = list(
        Target.objects.filter(plan__town=town).values_list(
            "section", "kind", "value", "unit", "quote"
        )
    )
    assert len(keys) == len(set(keys))
