"""The extract_targets management command (runs only where the Django project exists).

It needs settings but never the database; under `-p no:django` the module
configures Django itself.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from tests.extraction.helpers import ROOT, seed_documents
from tracker.extraction import JSON_KEYS

if not (ROOT / "planning" / "settings.py").is_file():
    pytest.skip("planning/settings.py does not exist yet", allow_module_level=True)

django = pytest.importorskip("django")


@pytest.fixture(scope="module", autouse=True)
def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planning.settings")
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _run(*args: str) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("extract_targets", *args, stdout=out)
    return out.getvalue()


def test_json_output_is_a_list_of_candidates_with_the_documented_keys(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text(
        "力争引进优质企业8家以上，签约项目15个。确保实验室年内开园。\n", encoding="utf-8"
    )
    rows = json.loads(_run(str(doc), "--format", "json"))
    assert [tuple(row) for row in rows] == [JSON_KEYS] * 3
    assert [(r["kind"], r["value"], r["unit"], r["comparison"]) for r in rows] == [
        ("target", "8", "家", "ge"),
        ("target", "15", "个", "eq"),
        ("milestone", None, "", None),
    ]
    assert rows[0]["stretch"] is True


def test_table_output_lists_each_candidate(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text("计划新增中小学公办学位超1000个。\n", encoding="utf-8")
    out = _run(str(doc))
    assert "target" in out
    assert "1000" in out
    assert "1 candidates" in out


def test_document_without_numbers_prints_an_empty_list(tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text("深入贯彻新发展理念。\n", encoding="utf-8")
    assert json.loads(_run(str(doc), "--format", "json")) == []


@pytest.mark.skipif(not seed_documents(), reason="no seed documents found")
def test_seed_document_quotes_match_offsets(tmp_path):
    path = seed_documents()[1]
    text = path.read_bytes().decode("utf-8-sig")
    for row in json.loads(_run(str(path), "--format", "json")):
        assert text[row["start"] : row["end"]] == row["quote"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"\x00\x01binary", "binary"), ("中文".encode("utf-16-le"), "cannot decode")],
)
def test_bad_input_is_a_one_line_command_error(tmp_path, content, reason):
    from django.core.management import CommandError

    doc = tmp_path / "bad.txt"
    doc.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        _run(str(doc))
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_command_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "nope.txt"))


def test_command_has_help():
    from tracker.management.commands.extract_targets import Command

    assert "database" in Command.help


def test_bad_input_exits_non_zero_without_a_traceback(tmp_path):
    doc = tmp_path / "bad.bin"
    doc.write_bytes(b"\x00" * 10)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planning.settings"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "extract_targets", str(doc)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "binary" in proc.stderr
