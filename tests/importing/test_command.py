"""python manage.py import_plan FILE --town SLUG --year YYYY."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.importing.conftest import PLAN_NAME, PLAN_TEXT
from tracker.models import GoalSection, Plan, PlanImport, SourceDocument, Target, TargetCandidate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


def nothing_written() -> bool:
    return not (
        PlanImport.objects.exists()
        or SourceDocument.objects.exists()
        or Plan.objects.exists()
        or GoalSection.objects.exists()
        or Target.objects.exists()
    )


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / PLAN_NAME
    path.write_bytes(PLAN_TEXT)
    return path


def test_import_prints_counts_and_the_review_path_and_creates_no_targets(plan_file, town):
    output = run(str(plan_file), "--town", "xiqu", "--year", "2026")
    plan_import = PlanImport.objects.get()
    assert f"{PLAN_NAME}: imported for xiqu 2026" in output
    assert "39 target candidates (39 to review)" in output
    assert f"/admin/tracker/planimport/{plan_import.pk}/change/" in output
    assert (Plan.objects.count(), GoalSection.objects.count(), Target.objects.count()) == (0, 0, 0)


def test_running_it_twice_changes_nothing(plan_file, town):
    run(str(plan_file), "--town", "xiqu", "--year", "2026")
    output = run(str(plan_file), "--town", "xiqu", "--year", "2026")
    assert "already imported" in output
    assert PlanImport.objects.count() == 1
    assert TargetCandidate.objects.count() == 39


def test_a_document_with_no_numbers_is_an_empty_import(tmp_path, town):
    path = tmp_path / "words.txt"
    path.write_text("一、总体要求\n\n坚持稳中求进。\n", encoding="utf-8")
    output = run(str(path), "--town", "xiqu", "--year", "2026")
    assert "0 target candidates" in output
    assert PlanImport.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "binary file"),
        (bytes(range(128, 256)) * 100, "cannot decode"),
        (b"%PDF-1.7\n", "not a text document"),
        (b"a" * (10 * 1024 * 1024 + 1), "too large"),
    ],
)
def test_a_bad_file_is_one_line_and_writes_nothing(tmp_path, town, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        run(str(path), "--town", "xiqu", "--year", "2026")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert nothing_written()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--town", "nowhere", "--year", "2026"], "no town with the slug 'nowhere'"),
        (["--town", "xiqu", "--year", "1899"], "between 2000 and 2100"),
        (["--town", "xiqu", "--year", "next"], "invalid int value"),
    ],
)
def test_an_unknown_town_or_a_bad_year_is_one_line_and_writes_nothing(
    plan_file, town, args, message
):
    with pytest.raises(CommandError) as caught:
        run(str(plan_file), *args)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert nothing_written()


def test_a_missing_file_or_a_directory_is_one_line(tmp_path, town):
    for path, message in ((tmp_path / "nope.txt", "no such file"), (tmp_path, "is a directory")):
        with pytest.raises(CommandError, match=message):
            run(str(path), "--town", "xiqu", "--year", "2026")
    assert nothing_written()
