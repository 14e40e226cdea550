"""Small helpers shared by the extraction tests (plain functions, no fixtures)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tracker.extraction import Candidate, Extraction, extract

ROOT = Path(__file__).resolve().parents[2]


def seed_documents() -> list[Path]:
    """The five source documents: fixtures/documents, else the shared seeds beside the repo."""
    for folder in (ROOT / "fixtures" / "documents", ROOT.parent / "shared" / "seeds"):
        found = sorted(folder.glob("*.txt"))
        if found:
            return found
    return []


def read(text: str, filename: str = "") -> Extraction:
    return extract(text.encode("utf-8"), filename)


def candidates(text: str, kind: str | None = None) -> list[Candidate]:
    found = read(text).candidates
    return [c for c in found if kind is None or c.kind == kind]


def quantities(text: str) -> list[Candidate]:
    return [c for c in read(text).candidates if c.value is not None]


def only(text: str) -> Candidate:
    """The single quantity in text (fails if there are none or several)."""
    found = quantities(text)
    assert len(found) == 1, [(c.kind, c.value, c.unit, c.quote) for c in found]
    return found[0]


def D(value: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(value)
