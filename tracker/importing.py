"""Importing a plan document: store what the extractor proposes, then accept or reject it.

    plan_import = plan_import_create(data=..., filename=..., town=town, year=2026, user=user)
    candidates_accept(plan_import=plan_import, target_candidates=[...], user=user)

`plan_import_create` writes only the document and the candidates, never live
sections or targets. `candidates_accept` turns candidates into GoalSections and
Targets of the town's plan for that year (a draft plan is made if there is
none), with the source document and the verbatim quote as provenance. Both are
idempotent: the same document for the same town and year is one import, and a
candidate accepted twice creates one row.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tracker import freshness
from tracker.choices import PlanStatus, TargetKind
from tracker.extraction import Candidate, Extraction, ExtractionError, Section, extract
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
from tracker.models.plans import text_digest

BINARY_FORMATS = ("docx", "pdf")

# Past facts ("复工企业4751家") describe last year: stored so the reviewer sees
# them, but decided against unless someone says otherwise.
DEFAULT_DECISION = {CandidateKind.PAST: Decision.REJECTED}

_QUANTUM = Decimal("0.0001")
_LIMIT = Decimal(10) ** 16  # QUANTITY: 20 digits, 4 of them decimals


def _stamp(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _one_line(error: ValidationError) -> str:
    """A ValidationError as one line: "field: message; other: message"."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            if name != "__all__"
            else " ".join(str(m) for m in messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


def _fit(value: Decimal | None) -> Decimal | None:
    """A value as a QUANTITY field stores it: four decimals, or nothing if it is absurd."""
    if value is None:
        return None
    if value.as_tuple().exponent < -4:
        value = value.quantize(_QUANTUM)
    return value if abs(value) < _LIMIT else None


def _loose(text: str) -> str:
    # Documents break lines inside headings ("推\n\n进连片改造"): match across whitespace.
    return r"\s*".join(re.escape(ch) for ch in text if not ch.isspace())


def heading_span(text: str, section: Section) -> tuple[int, int]:
    """Where a section's heading is written in the text: its label and title, verbatim.

    Inline sections put a copula between them ("首先是“人才牌”"), so a few
    characters may sit between label and title. Falls back to the first line
    of the section when the heading cannot be found as written.
    """
    start, end = section.start, max(section.start, section.end)
    pattern = re.compile(_loose(section.label) + r"\s*(?:\S\s*){0,3}?" + _loose(section.title))
    found = pattern.match(text, start, end) or re.compile(_loose(section.title)).search(
        text, start, end
    )
    if found and found.end() > found.start():
        return found.start(), found.end()
    line_end = text.find("\n", start, end)
    line_end = end if line_end < 0 else line_end
    line_end = min(line_end, start + 300)
    while line_end > start and text[line_end - 1].isspace():
        line_end -= 1
    return start, line_end


@dataclass
class _Node:
    section: Section
    candidate: SectionCandidate
    children: list["_Node"] = field(default_factory=list)


def _innermost(roots: list[_Node], position: int) -> _Node | None:
    """The deepest section whose span holds a position (siblings are in document order)."""
    found = None
    siblings = roots
    while siblings:
        index = bisect_right([node.section.start for node in siblings], position) - 1
        if index < 0 or position >= siblings[index].section.end:
            break
        found = siblings[index]
        siblings = found.children
    return found


def _section_of(roots: list[_Node], parents: dict[int, _Node], candidate: Candidate):
    """The section a candidate names, found by where its quote is in the text."""
    if not candidate.section:
        return None
    for position in (candidate.start, max(candidate.start, candidate.end - 1)):
        node = _innermost(roots, position)
        while node is not None:
            if node.section.heading == candidate.section:
                return node
            node = parents.get(id(node))
    return _innermost(roots, candidate.start)


def _title_for(candidate: Candidate) -> str:
    text = candidate.metric or " ".join(candidate.quote.split())
    return text[:300] or str(candidate.value or "")


def _store_candidates(plan_import: PlanImport, result: Extraction) -> None:
    """Section and target candidates in document order; a lead section holds any before the first."""
    text = result.text
    roots: list[_Node] = []
    parents: dict[int, _Node] = {}
    sections: list[SectionCandidate] = []

    def add(section: Section, parent: _Node | None) -> _Node:
        start, end = heading_span(text, section)
        candidate = SectionCandidate(
            plan_import=plan_import,
            position=len(sections) + 1,
            label=section.label[:20],
            title=(section.title or text[start:end] or section.label or "—")[:300],
            grouping=section.grouping[:100],
            summary=section.summary,
            quote=text[start:end],
            start=start,
            end=end,
        )
        sections.append(candidate)
        node = _Node(section, candidate)
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
            parents[id(node)] = parent
        for child in section.children:
            add(child, node)
        return node

    for section in result.sections:
        add(section, None)

    placed = [(c, _section_of(roots, parents, c)) for c in result.candidates]
    lead = None
    if any(node is None for _, node in placed):
        # Target.section is required: what precedes the first heading (a
        # lead paragraph) goes under a section named after the document.
        title = (result.title or PurePath(plan_import.filename).stem or _("Introduction"))[:300]
        start = text.find(title)
        lead = SectionCandidate(
            plan_import=plan_import,
            position=0,
            title=title,
            quote=title if start >= 0 else "",
            start=max(start, 0),
            end=start + len(title) if start >= 0 else 0,
        )
        sections.insert(0, lead)

    for candidate in sections:
        candidate.full_clean(
            exclude=["plan_import", "parent", "section"],
            validate_unique=False,
            validate_constraints=False,
        )
    # Parents before children: bulk inserts by depth, so each row knows its parent's id.
    by_depth: list[list[tuple[SectionCandidate, _Node | None]]] = []

    def collect(node: _Node, depth: int) -> None:
        while len(by_depth) <= depth:
            by_depth.append([])
        by_depth[depth].append((node.candidate, parents.get(id(node))))
        for child in node.children:
            collect(child, depth + 1)

    for root in roots:
        collect(root, 0)
    if lead is not None:
        by_depth.insert(0, [(lead, None)])
    for level in by_depth:
        for candidate, parent in level:
            candidate.parent = parent.candidate if parent is not None else None
        SectionCandidate.objects.bulk_create([candidate for candidate, _ in level])

    targets = []
    for position, (candidate, node) in enumerate(placed, start=1):
        milestone = candidate.kind == CandidateKind.MILESTONE
        target = TargetCandidate(
            plan_import=plan_import,
            section_candidate=node.candidate if node is not None else lead,
            position=position,
            kind=candidate.kind,
            title=_title_for(candidate),
            metric=candidate.metric[:200],
            target_kind=TargetKind.MILESTONE if milestone else TargetKind.QUANTITATIVE,
            comparison=candidate.comparison or "",
            value=_fit(candidate.value),
            value_max=_fit(candidate.value_max),
            unit=candidate.unit[:20],
            is_growth=candidate.growth,
            is_stretch=candidate.stretch,
            quote=candidate.quote,
            start=candidate.start,
            end=candidate.end,
            decision=DEFAULT_DECISION.get(candidate.kind, Decision.PENDING),
        )
        target.full_clean(
            exclude=["plan_import", "section_candidate", "target"],
            validate_unique=False,
            validate_constraints=False,
        )
        targets.append(target)
    TargetCandidate.objects.bulk_create(targets, batch_size=500)


def _document_for(
    *, text: str, title: str, filename: str, user, original: bytes | None = None
) -> SourceDocument:
    """The stored document with this text, made if new; a Word file or PDF is kept beside it."""
    digest = text_digest(text)
    document = SourceDocument.objects.filter(digest=digest).first()
    if document is not None:
        return document
    document = SourceDocument(
        text=text,
        digest=digest,
        title=(title or PurePath(filename).stem or _("Imported document"))[:300],
        filename=filename,
        created_by=user,
        updated_by=user,
    )
    if original is not None:
        # save=False: the row is saved below, once, with the file's name in it.
        document.original.save(filename or "document", ContentFile(original), save=False)
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Another upload of the same text won the race; theirs is ours.
        return SourceDocument.objects.get(digest=digest)
    return document


@transaction.atomic
def plan_import_create(
    *,
    data: bytes,
    filename: str,
    town: Town,
    year: int,
    user: AbstractBaseUser | None = None,
) -> PlanImport:
    """Read a document and store its section and target candidates for review.

    Returns the existing import when the same text was already imported for
    this town and year; `.created` on the result says which it is. Raises ValidationError with a one-line message for a
    document the extractor cannot read, and writes nothing then. Creates no
    live section or target; a document with no numbers is an import with no
    target candidates, not an error.
    """
    try:
        result = extract(data, filename=filename)
    except ExtractionError as error:
        raise ValidationError(str(error), code="unreadable") from None
    user = _stamp(user)
    filename = PurePath(filename or "").name[:200]
    document = _document_for(
        text=result.text,
        title=result.title,
        filename=filename,
        user=user,
        # The text is the file for text formats; a .docx or .pdf is kept as uploaded.
        original=data if result.format in BINARY_FORMATS else None,
    )
    existing = PlanImport.objects.filter(source_document=document, town=town, year=year).first()
    if existing is not None:
        existing.created = False
        return existing
    plan_import = PlanImport(
        source_document=document,
        town=town,
        year=year,
        plan=Plan.objects.filter(town=town, year=year).first(),
        filename=filename,
        created_by=user,
        updated_by=user,
    )
    try:
        plan_import.full_clean()
    except ValidationError as error:
        raise ValidationError(_one_line(error), code="invalid") from None
    try:
        with transaction.atomic():
            plan_import.save()
    except IntegrityError:
        existing = PlanImport.objects.get(source_document=document, town=town, year=year)
        existing.created = False
        return existing
    _store_candidates(plan_import, result)
    plan_import.created = True
    return plan_import


@dataclass
class Acceptance:
    """What one accept created (rows linked to candidates that already had one are not here)."""

    sections: list[GoalSection] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def _locked(plan_import: PlanImport) -> PlanImport:
    # One reviewer at a time per import: two accepting the same candidate
    # would otherwise both create its target.
    return (
        PlanImport.objects.select_for_update(of=("self",))
        .select_related("source_document", "town")
        .get(pk=plan_import.pk)
    )


def _chosen(model, plan_import: PlanImport, given: Iterable) -> list:
    ids = {item.pk if hasattr(item, "pk") else int(item) for item in given}
    if not ids:
        return []
    found = list(model.objects.filter(plan_import=plan_import, pk__in=ids).order_by("position"))
    if len(found) != len(ids):
        raise ValidationError(
            _("Some of the chosen candidates are not part of this import."), code="foreign"
        )
    return found


def _plan_for(plan_import: PlanImport, user) -> Plan:
    plan = (
        plan_import.plan
        or Plan.objects.filter(town=plan_import.town, year=plan_import.year).first()
    )
    if plan is None:
        plan = Plan(
            town=plan_import.town,
            year=plan_import.year,
            title=f"{plan_import.town.name}{plan_import.year}年工作计划",
            status=PlanStatus.DRAFT,
            created_by=user,
            updated_by=user,
        )
        plan.full_clean()
        plan.save()
    if plan_import.plan_id != plan.pk:
        plan_import.plan = plan
        plan_import.save(update_fields=["plan"])
    plan.documents.add(plan_import.source_document)
    return plan


def _free_position(wanted: int, taken: set[int]) -> int:
    """The document's own position if it is free among the siblings; else after the last."""
    position = wanted if wanted not in taken and wanted > 0 else max(taken, default=0) + 1
    taken.add(position)
    return position


def _refuse(candidate, error: ValidationError) -> ValidationError:
    kind = _("Section candidate") if isinstance(candidate, SectionCandidate) else _("Candidate")
    return ValidationError(
        _("%(kind)s %(candidate)s cannot be accepted: %(errors)s")
        % {"kind": kind, "candidate": candidate, "errors": _one_line(error)},
        code="invalid_candidate",
    )


def _target_key(row, section_id: int, kind: str) -> tuple:
    """What makes two targets of one document the same: where, what kind, the number, the words."""
    return (section_id, kind, row.value, row.unit, row.quote)


def _update_state(plan_import: PlanImport, user) -> None:
    pending = plan_import.target_candidates.filter(decision=Decision.PENDING).exists()
    plan_import.state = ImportState.OPEN if pending else ImportState.FINISHED
    plan_import.updated_by = user
    plan_import.save(update_fields=["state", "updated_by", "updated_at"])


@transaction.atomic
def candidates_accept(
    *,
    plan_import: PlanImport,
    target_candidates: Iterable = (),
    section_candidates: Iterable = (),
    user: AbstractBaseUser | None = None,
) -> Acceptance:
    """Make sections and targets of the plan from accepted candidates, all or nothing.

    A target's section and the sections above it are accepted with it. Each
    new row is validated (full_clean) and carries the source document and the
    quote; a candidate whose values break a rule raises a ValidationError that
    names it, and nothing is created. A candidate that already has its row is
    left alone; a section written the same way under the same parent in the
    plan, or a target with the same quote, kind, value and unit from the same
    document in that section (seeded, or imported before) is linked rather
    than repeated.
    """
    user = _stamp(user)
    plan_import = _locked(plan_import)
    document = plan_import.source_document
    targets = _chosen(TargetCandidate, plan_import, target_candidates)
    chosen_sections = _chosen(SectionCandidate, plan_import, section_candidates)
    acceptance = Acceptance()
    if not targets and not chosen_sections:
        return acceptance
    plan = _plan_for(plan_import, user)

    all_sections = {s.pk: s for s in plan_import.section_candidates.all()}
    needed: set[int] = set()
    for pk in [s.pk for s in chosen_sections] + [t.section_candidate_id for t in targets]:
        while pk is not None and pk not in needed:
            needed.add(pk)
            pk = all_sections[pk].parent_id

    # Sibling order in the document, and what the plan already has.
    sibling_rank: dict[int, int] = {}
    counters: dict[int | None, int] = {}
    for candidate in sorted(all_sections.values(), key=lambda s: s.position):
        counters[candidate.parent_id] = counters.get(candidate.parent_id, 0) + 1
        sibling_rank[candidate.pk] = counters[candidate.parent_id]
    live = {section.pk: section for section in GoalSection.objects.filter(plan=plan)}
    existing: dict[tuple, GoalSection] = {}
    taken: dict[int | None, set[int]] = {}
    for section in live.values():
        existing.setdefault((section.parent_id, section.label, section.title), section)
        taken.setdefault(section.parent_id, set()).add(section.position)

    for candidate in sorted((all_sections[pk] for pk in needed), key=lambda s: s.position):
        if candidate.section_id in live:
            section = live[candidate.section_id]
        else:
            parent = all_sections[candidate.parent_id].section if candidate.parent_id else None
            parent_id = parent.pk if parent is not None else None
            section = existing.get((parent_id, candidate.label, candidate.title))
            if section is None:
                section = GoalSection(
                    plan=plan,
                    parent=parent,
                    position=_free_position(
                        sibling_rank[candidate.pk], taken.setdefault(parent_id, set())
                    ),
                    label=candidate.label,
                    title=candidate.title,
                    grouping=candidate.grouping,
                    summary=candidate.summary,
                    source_document=document,
                    quote=candidate.quote,
                    created_by=user,
                    updated_by=user,
                )
                try:
                    section.full_clean()
                except ValidationError as error:
                    raise _refuse(candidate, error) from None
                section.save()
                acceptance.sections.append(section)
                existing[(parent_id, section.label, section.title)] = section
                live[section.pk] = section
        candidate.section = section
        candidate.decision = Decision.ACCEPTED
        candidate.save(update_fields=["section", "decision"])

    if targets:
        rank: dict[int, int] = {}
        counters = {}
        for pk, section_pk in plan_import.target_candidates.order_by("position").values_list(
            "pk", "section_candidate_id"
        ):
            counters[section_pk] = counters.get(section_pk, 0) + 1
            rank[pk] = counters[section_pk]
        sections_used = {all_sections[t.section_candidate_id].section_id for t in targets}
        target_taken: dict[int, set[int]] = {}
        same: dict[tuple, Target] = {}
        for target in Target.objects.filter(section__in=sections_used):
            target_taken.setdefault(target.section_id, set()).add(target.position)
            if target.source_document_id == document.pk:
                same.setdefault(_target_key(target, target.section_id, target.kind), target)
        for candidate in targets:
            if candidate.target_id is not None:
                continue  # accepted before; a deleted target would have cleared the link
            section = all_sections[candidate.section_candidate_id].section
            # The plan may hold this very target already (seeded from this document).
            target = same.get(_target_key(candidate, section.pk, candidate.target_kind))
            if target is not None:
                candidate.target = target
                candidate.decision = Decision.ACCEPTED
                candidate.save(update_fields=["target", "decision"])
                continue
            target = Target(
                plan=plan,
                section=section,
                position=_free_position(
                    rank[candidate.pk], target_taken.setdefault(section.pk, set())
                ),
                title=candidate.title,
                metric=candidate.metric,
                kind=candidate.target_kind,
                comparison=candidate.comparison,
                value=candidate.value,
                value_max=candidate.value_max,
                unit=candidate.unit,
                is_growth=candidate.is_growth,
                is_stretch=candidate.is_stretch,
                deadline=candidate.deadline,
                source_document=document,
                quote=candidate.quote,
                created_by=user,
                updated_by=user,
            )
            try:
                target.full_clean()
            except ValidationError as error:
                raise _refuse(candidate, error) from None
            target.save()
            acceptance.targets.append(target)
            candidate.target = target
            candidate.decision = Decision.ACCEPTED
            candidate.save(update_fields=["target", "decision"])

    _update_state(plan_import, user)
    return acceptance


@transaction.atomic
def candidates_reject(
    *,
    plan_import: PlanImport,
    target_candidates: Iterable = (),
    section_candidates: Iterable = (),
    user: AbstractBaseUser | None = None,
) -> int:
    """Mark candidates rejected; returns how many. All or nothing.

    A candidate whose section or target was already created cannot be
    rejected (that row is live; delete it in the admin to undo), and the
    whole call is refused naming it.
    """
    user = _stamp(user)
    plan_import = _locked(plan_import)
    chosen = _chosen(TargetCandidate, plan_import, target_candidates) + _chosen(
        SectionCandidate, plan_import, section_candidates
    )
    for candidate in chosen:
        linked = (
            candidate.target_id if isinstance(candidate, TargetCandidate) else candidate.section_id
        )
        if linked:
            raise ValidationError(
                _("%(candidate)s was accepted already: delete what it created to undo that.")
                % {"candidate": candidate},
                code="accepted",
            )
    for model in (TargetCandidate, SectionCandidate):
        model.objects.filter(pk__in=[c.pk for c in chosen if isinstance(c, model)]).update(
            decision=Decision.REJECTED
        )
    freshness.bump()  # .update() sends no signal (tracker.freshness)
    _update_state(plan_import, user)
    return len(chosen)


def candidate_quote_relocate(*, candidate, quote: str, text: str) -> None:
    """Point an edited quote at its place in the document: the occurrence nearest the old one.

    Raises ValidationError (on "quote") if the quote is not written in the
    document exactly so. Sets quote, start and end; the caller saves.
    """
    quote = quote.strip()
    if not quote:
        raise ValidationError({"quote": _("A candidate needs its quote from the document.")})
    best = None
    index = text.find(quote)
    while index >= 0:
        if best is None or abs(index - candidate.start) < abs(best - candidate.start):
            best = index
        index = text.find(quote, index + 1)
    if best is None:
        raise ValidationError(
            {"quote": _("The quote must be copied exactly from the source document.")}
        )
    candidate.quote, candidate.start, candidate.end = quote, best, best + len(quote)
