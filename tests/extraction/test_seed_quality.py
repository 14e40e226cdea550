"""How well the extractor reads the five seed documents, against the hand-built seed.

The hand-built fixtures (fixtures/seed/*.yaml) are the truth. A YAML target
is found when a candidate agrees with it:

- quantitative target → a "target" candidate with the same value, unit and comparison;
- progress entry with a value → a "progress" candidate with that value and
  the target's unit;
- milestone → a "milestone" candidate whose quote overlaps the YAML quote
  (milestones have no value to compare).

Candidates of kind "past" are facts the extractor reports but does not
propose, so they are not counted against precision. Progress entries that only
say done: true/false for a milestone carry no figure and are left out.

Run with -s to see the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.extraction import Candidate, extract

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seed"
DOCUMENTS = ROOT / "fixtures" / "documents"

if not SEED.is_dir() or not any(SEED.glob("*.yaml")):
    pytest.skip(
        "fixtures/seed/*.yaml is missing: no hand-built truth to compare with",
        allow_module_level=True,
    )
yaml = pytest.importorskip("yaml", reason="PyYAML reads the seed fixtures")

# Floors this extractor reaches on the seed. Measured: quantitative 1.00/1.00 in
# every document; milestones 1.00 precision, 0.93 recall over all documents.
# Be honest about what these numbers are: the rules were written while reading
# these five documents, and the milestone rules were widened (组建/设立/制定…
# + a concrete deliverable) after seeing which seed milestones they missed, so
# the seed scores are optimistic. test_plan_document.py checks unseen text.
QUANTITATIVE_FLOOR = 0.95  # precision and recall, per document
MILESTONE_FLOOR = 0.8  # precision and recall, over all documents


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
    truths: dict[str, int] = field(default_factory=lambda: {"quantitative": 0, "milestone": 0})
    found: dict[str, int] = field(default_factory=lambda: {"quantitative": 0, "milestone": 0})
    proposed: dict[str, int] = field(default_factory=lambda: {"quantitative": 0, "milestone": 0})
    correct: dict[str, int] = field(default_factory=lambda: {"quantitative": 0, "milestone": 0})
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def precision(self, group: str) -> float | None:
        return self.correct[group] / self.proposed[group] if self.proposed[group] else None

    def recall(self, group: str) -> float | None:
        return self.found[group] / self.truths[group] if self.truths[group] else None


def _group(kind: str) -> str:
    return "milestone" if kind == "milestone" else "quantitative"


def _truths(plan: dict, text: str) -> list[Truth]:
    out: list[Truth] = []

    def walk(sections: list[dict]) -> None:
        for section in sections or []:
            for target in section.get("targets") or []:
                quote = str(target.get("quote") or "")
                if target.get("kind") == "milestone":
                    out.append(Truth("milestone", None, "", None, quote))
                else:
                    out.append(
                        Truth(
                            "target",
                            Decimal(str(target["value"])),
                            str(target.get("unit") or ""),
                            target.get("comparison") or "eq",
                            quote,
                        )
                    )
                for update in target.get("progress") or []:
                    if update.get("value") is None:
                        continue  # done: true/false carries no figure to find
                    out.append(
                        Truth(
                            "progress",
                            Decimal(str(update["value"])),
                            str(target.get("unit") or ""),
                            None,
                            str(update.get("quote") or ""),
                        )
                    )
            walk(section.get("children") or [])

    walk(plan.get("sections") or [])
    for truth in out:
        at = text.find(truth.quote) if truth.quote else -1
        truth.span = (at, at + len(truth.quote)) if at >= 0 else None
    return out


def _overlaps(truth: Truth, cand: Candidate) -> bool:
    return truth.span is not None and cand.start < truth.span[1] and truth.span[0] < cand.end


def _agrees(truth: Truth, cand: Candidate) -> bool:
    if truth.kind != cand.kind:
        return False
    if truth.kind == "milestone":
        return _overlaps(truth, cand)
    if cand.value is None or cand.value != truth.value or cand.unit != truth.unit:
        return False
    return truth.kind == "progress" or cand.comparison == truth.comparison


def score_document(plan: dict, text: str, name: str) -> Score:
    result = extract(text.encode("utf-8"), name)
    truths = _truths(plan, text)
    proposed = [c for c in result.candidates if c.kind != "past"]
    score = Score(name)
    taken: set[int] = set()
    matched: set[int] = set()
    # First pairs whose quotes overlap, then pairs that agree anywhere in the document.
    for need_overlap in (True, False):
        for ti, truth in enumerate(truths):
            if ti in matched:
                continue
            for ci, cand in enumerate(proposed):
                if ci in taken or not _agrees(truth, cand):
                    continue
                if need_overlap and not _overlaps(truth, cand):
                    continue
                taken.add(ci)
                matched.add(ti)
                break
    for ti, truth in enumerate(truths):
        group = _group(truth.kind)
        score.truths[group] += 1
        if ti in matched:
            score.found[group] += 1
        else:
            score.missed.append(
                f"{truth.kind} {truth.value} {truth.unit} {truth.comparison}: {truth.quote[:40]!r}"
            )
    for ci, cand in enumerate(proposed):
        group = _group(cand.kind)
        score.proposed[group] += 1
        if ci in taken:
            score.correct[group] += 1
        else:
            score.spurious.append(
                f"{cand.kind} {cand.value} {cand.unit} {cand.comparison}: {cand.quote[:40]!r}"
            )
    return score


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.2f}"


def quality_table(scores: list[Score]) -> str:
    lines = [
        "document                     | quantitative P    R  (truth/proposed) | milestone P    R  (truth/proposed)",
        "-" * 104,
    ]
    total = Score("ALL")
    for s in scores:
        for group in ("quantitative", "milestone"):
            for attr in ("truths", "found", "proposed", "correct"):
                getattr(total, attr)[group] += getattr(s, attr)[group]
    for s in [*scores, total]:
        q = f"{_fmt(s.precision('quantitative'))} {_fmt(s.recall('quantitative'))} ({s.truths['quantitative']:3}/{s.proposed['quantitative']:3})"
        m = f"{_fmt(s.precision('milestone'))} {_fmt(s.recall('milestone'))} ({s.truths['milestone']:3}/{s.proposed['milestone']:3})"
        lines.append(f"{s.document:28} | {q:36} | {m}")
    return "\n".join(lines)


def _all_scores() -> list[Score]:
    scores = []
    for path in sorted(SEED.glob("*.yaml")):
        plan = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(plan, dict) or "document" not in plan:
            continue  # regions.yaml
        doc = DOCUMENTS / plan["document"]["file"]
        if not doc.is_file():
            pytest.fail(f"{path.name} names {doc.name}, which is not in fixtures/documents")
        text = doc.read_bytes().decode("utf-8-sig")
        scores.append(score_document(plan, text, doc.name[:3] + " " + path.stem))
    return scores


@pytest.fixture(scope="module")
def scores() -> list[Score]:
    result = _all_scores()
    if not result:
        pytest.skip("fixtures/seed has no plan files yet")
    return result


def test_quality_table_is_printed_and_meets_the_floors(scores):
    table = quality_table(scores)
    print("\n" + table)
    for s in scores:
        for line in s.missed:
            print(f"  missed   {s.document}: {line}")
        for line in s.spurious:
            print(f"  spurious {s.document}: {line}")
    assert table.splitlines()[-1].startswith("ALL")
    for s in scores:
        precision = s.precision("quantitative")
        recall = s.recall("quantitative")
        if precision is not None:
            assert precision >= QUANTITATIVE_FLOOR, f"{s.document} precision\n{table}"
        if recall is not None:
            assert recall >= QUANTITATIVE_FLOOR, f"{s.document} recall\n{table}"
    truths = sum(s.truths["milestone"] for s in scores)
    found = sum(s.found["milestone"] for s in scores)
    proposed = sum(s.proposed["milestone"] for s in scores)
    correct = sum(s.correct["milestone"] for s in scores)
    if truths:
        assert found / truths >= MILESTONE_FLOOR, f"milestone recall\n{table}"
    if proposed:
        assert correct / proposed >= MILESTONE_FLOOR, f"milestone precision\n{table}"


def test_quality_table_names_every_plan_file(scores):
    table = quality_table(scores)
    for s in scores:
        assert s.document in table
