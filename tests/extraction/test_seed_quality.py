"""How well the extractor reads the five seed documents, against the hand-built seed.

The hand-built fixtures (fixtures/seed/*.yaml) are the truth, scored by
tests/extraction/scoring.py (how a candidate agrees with a label is said
there). Progress entries that only say done: true/false for a milestone carry
no figure and are left out.

Run with -s to see the table.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tracker.extraction import extract

from .scoring import Score, Truth, quality_table, score

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


def _truths(plan: dict) -> list[Truth]:
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
    return out


def score_document(plan: dict, text: str, name: str) -> Score:
    result = extract(text.encode("utf-8"), name)
    return score(name, text, _truths(plan), result.candidates)


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
