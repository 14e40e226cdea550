"""A broken seed loads nothing (in a module of its own: tests/test_seed.py shares the seed data)."""

import pytest

from tracker.models import Plan, Town
from tracker.seeding import FIXTURES_DIR, SeedError, seed_load


def test_a_broken_seed_file_loads_nothing(tmp_path, db):
    (tmp_path / "seed").mkdir()
    (tmp_path / "documents").mkdir()
    (tmp_path / "seed" / "regions.yaml").write_text(
        (FIXTURES_DIR / "seed" / "regions.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "documents" / "a.txt").write_text("力争引进优质企业8家以上。", encoding="utf-8")
    (tmp_path / "seed" / "a-2024.yaml").write_text(
        "document: {file: a.txt, title: T}\n"
        "plan: {town: xiqu, year: 2024, title: T}\n"
        "sections:\n"
        "  - {label: '一、', title: S, quote: '', targets: [{title: X, kind: milestone, value: '8', quote: '引进'}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedError, match=r"a-2024.yaml: sections\[0\].targets\[0\]"):
        seed_load(fixtures_dir=tmp_path)
    assert not Town.objects.exists()
    assert not Plan.objects.exists()
