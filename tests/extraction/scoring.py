"""Scoring the extractor's candidates against hand-made labels (precision and recall).

Used by test_seed_quality.py (truth from fixtures/seed/*.yaml) and by
test_devset_quality.py (truth from devset/*.yaml). A label is found when a
candidate agrees with it:

- quantitative target → a "target" candidate with the same value, unit and comparison;
- progress → a "progress" candidate with that value and unit;
- milestone → a "milestone" candidate whose quote overlaps the label's quote
  (milestones have no value to compare).

Candidates of kind "past" are facts the extractor reports but does not propose,
so they never count against precision. A candidate inside an *optional*
passage (where either reading is defensible) is left out of the count; so are
milestone candidates in a document whose milestones were not labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tracker.extraction import Candidate

GROUPS = ("quantitative", "milestone")


@dataclass
class Truth:
    kind: str  # target | progress | milestone
    value: Decimal | None
    unit: str
    comparison: str | None
    quote: str
    span: tuple[int, int] | None = None


@dataclass
class Score:
    document: str
    truths: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    proposed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def precision(self, group: str) -> float | None:
        if self.proposed[group]:
            return self.correct[group] / self.proposed[group]
        # Nothing proposed where something was expected is a recall failure;
        # nothing proposed where nothing was expected is exactly right.
        return 1.0 if self.truths[group] == 0 and self.scored(group) else None

    def recall(self, group: str) -> float | None:
        return self.found[group] / self.truths[group] if self.truths[group] else None

    def scored(self, group: str) -> bool:
        return group != "milestone" or self.milestones_scored

    milestones_scored: bool = True

    def add(self, other: Score) -> None:
        for attr in ("truths", "found", "proposed", "correct"):
            for group in GROUPS:
                getattr(self, attr)[group] += getattr(other, attr)[group]


def group_of(kind: str) -> str:
    return "milestone" if kind == "milestone" else "quantitative"


def locate(truths: list[Truth], text: str) -> list[Truth]:
    for truth in truths:
        at = text.find(truth.quote) if truth.quote else -1
        truth.span = (at, at + len(truth.quote)) if at >= 0 else None
    return truths


def _overlaps(span: tuple[int, int] | None, cand: Candidate) -> bool:
    return span is not None and cand.start < span[1] and span[0] < cand.end


def _agrees(truth: Truth, cand: Candidate) -> bool:
    if truth.kind != cand.kind:
        return False
    if truth.kind == "milestone":
        return _overlaps(truth.span, cand)
    if cand.value is None or cand.value != truth.value or cand.unit != truth.unit:
        return False
    return truth.kind == "progress" or cand.comparison == truth.comparison


def _describe(kind, value, unit, comparison, quote) -> str:
    return f"{kind} {value} {unit} {comparison}: {quote[:40]!r}"


def score(
    name: str,
    text: str,
    truths: list[Truth],
    candidates: list[Candidate],
    optional: list[str] = (),
    milestones_scored: bool = True,
) -> Score:
    """Match candidates to truths one to one: first pairs whose quotes overlap, then anywhere."""
    locate(truths, text)
    optional_spans = []
    for quote in optional:
        at = text.find(quote)
        if at >= 0:
            optional_spans.append((at, at + len(quote)))
    proposed = [
        c for c in candidates if c.kind != "past" and (milestones_scored or c.kind != "milestone")
    ]
    result = Score(name, milestones_scored=milestones_scored)
    taken: set[int] = set()
    matched: set[int] = set()
    for need_overlap in (True, False):
        for ti, truth in enumerate(truths):
            if ti in matched:
                continue
            for ci, cand in enumerate(proposed):
                if ci in taken or not _agrees(truth, cand):
                    continue
                if need_overlap and not _overlaps(truth.span, cand):
                    continue
                taken.add(ci)
                matched.add(ti)
                break
    for ti, truth in enumerate(truths):
        group = group_of(truth.kind)
        result.truths[group] += 1
        if ti in matched:
            result.found[group] += 1
        else:
            result.missed.append(
                _describe(truth.kind, truth.value, truth.unit, truth.comparison, truth.quote)
            )
    for ci, cand in enumerate(proposed):
        if ci not in taken and any(_overlaps(span, cand) for span in optional_spans):
            continue
        group = group_of(cand.kind)
        result.proposed[group] += 1
        if ci in taken:
            result.correct[group] += 1
        else:
            result.spurious.append(
                _describe(cand.kind, cand.value, cand.unit, cand.comparison, cand.quote)
            )
    return result


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.2f}"


def quality_table(scores: list[Score]) -> str:
    """One line per document and a total line ("ALL"), quantitative and milestone apart."""
    lines = [
        f"{'document':34} | quantitative P    R  (truth/proposed) | milestone P    R  (truth/proposed)",
        "-" * 110,
    ]
    total = Score("ALL")
    for s in scores:
        total.add(s)
    for s in [*scores, total]:
        cells = []
        for group in GROUPS:
            if not s.scored(group):
                cells.append(f"{'(not labelled)':36}")
                continue
            cells.append(
                f"{_fmt(s.precision(group))} {_fmt(s.recall(group))} "
                f"({s.truths[group]:3}/{s.proposed[group]:3})"
            )
        lines.append(f"{s.document:34} | {cells[0]:36} | {cells[1]}")
    return "\n".join(lines)


def total(scores: list[Score]) -> Score:
    out = Score("ALL")
    for s in scores:
        out.add(s)
    return out
