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
        (b"%PDF-1.7\n", "corrupt PDF"),
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


# --- Word files and PDFs ------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_a_word_file_or_pdf_is_imported_and_the_original_kept(tmp_path, town, media, suffix):
    from tests.extraction.documents import make_docx, make_pdf, paragraphs_of

    paragraphs = paragraphs_of(PLAN_TEXT.decode("utf-8"))
    data = make_docx(paragraphs) if suffix == "docx" else make_pdf(paragraphs)
    path = tmp_path / f"xiqu-2026.{suffix}"
    path.write_bytes(data)
    output = run(str(path), "--town", "xiqu", "--year", "2026")
    assert f"xiqu-2026.{suffix}: imported for xiqu 2026" in output
    document = SourceDocument.objects.get()
    assert document.original.name.endswith(f".{suffix}")
    assert document.original.read() == data
    # The text stored is what was read from the file: every quote is in it.
    for candidate in TargetCandidate.objects.all():
        assert document.text[candidate.start : candidate.end] == candidate.quote
    assert TargetCandidate.objects.count() >= 35


def test_a_text_import_keeps_no_separate_original(plan_file, town, media):
    run(str(plan_file), "--town", "xiqu", "--year", "2026")
    assert not SourceDocument.objects.get().original


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04" + b"\x00" * 64, "corrupt document"),
        (b"%PDF-1.4\n" + b"x" * 64, "corrupt PDF"),
    ],
)
def test_a_bad_office_file_exits_with_one_line_and_writes_nothing(
    tmp_path, town, media, data, reason
):
    path = tmp_path / "plan.docx"
    path.write_bytes(data)
    with pytest.raises(CommandError) as raised:
        run(str(path), "--town", "xiqu", "--year", "2026")
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)
    assert nothing_written()
    assert not (media.exists() and any(media.rglob("*")))
