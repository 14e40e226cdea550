"""The admin's upload page and review screen for plan imports."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.importing.conftest import PLAN_NAME, PLAN_TEXT, SMALL_TEXT, document, staff_of
from tracker.admin.imports import Mark, document_with_marks
from tracker.choices import Role
from tracker.importing import candidates_accept, plan_import_create
from tracker.models import Decision, GoalSection, PlanImport, SourceDocument, Target

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("admin:tracker_planimport_add")


def review_url(plan_import, page=None) -> str:
    url = reverse("admin:tracker_planimport_change", args=[plan_import.pk])
    return f"{url}?candidates_page={page}" if page else url


def upload(client, town, data: bytes, name="plan.txt", year=2026):
    document = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(UPLOAD_URL, {"document": document, "town": town.pk, "year": year})


def review_form(response) -> dict:
    """The review page's form as the browser would post it back, nothing ticked."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if name == "selected" or (isinstance(value, bool) and not value):
                    continue
                key = form.add_prefix(name)
                if name == form._meta.model._meta.pk.name or name == formset.formset.fk.name:
                    data[key] = value if value is not None else ""
                elif value is not None:
                    data[key] = "on" if value is True else value
    return data


def tick(data: dict, response, model_name: str, positions: list[int]) -> dict:
    for formset in response.context["inline_admin_formsets"]:
        if formset.formset.model._meta.model_name != model_name:
            continue
        for form in formset.formset.forms:
            if form.instance.position in positions:
                data[form.add_prefix("selected")] = "on"
    return data


def test_upload_page_renders_for_an_editor(client, editor, town, other_town):
    client.force_login(editor)
    response = client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert set(response.context["form"].fields["town"].queryset) == {town}


def test_upload_creates_an_import_and_opens_its_review(client, editor, town):
    client.force_login(editor)
    response = upload(client, town, PLAN_TEXT, name=PLAN_NAME)
    plan_import = PlanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == review_url(plan_import)
    assert plan_import.created_by == editor
    assert plan_import.target_candidates.count() == 39
    assert not Target.objects.exists()


def test_uploading_the_same_document_again_opens_the_same_import(client, editor, town):
    client.force_login(editor)
    upload(client, town, PLAN_TEXT)
    response = upload(client, town, PLAN_TEXT, name="again.txt")
    assert response["Location"] == review_url(PlanImport.objects.get())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (bytes(range(128, 256)) * 100, "cannot decode"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not a text document"),
    ],
)
def test_a_bad_upload_shows_one_line_and_writes_nothing(client, editor, town, data, message):
    client.force_login(editor)
    response = upload(client, town, data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["document"]
    assert message in error
    assert not PlanImport.objects.exists()
    assert not SourceDocument.objects.exists()


def test_an_upload_over_10_mb_is_refused_before_it_is_read(client, editor, town):
    client.force_login(editor)
    response = upload(client, town, b"a" * (10 * 1024 * 1024 + 1))
    (error,) = response.context["form"].errors["document"]
    assert "too large" in error
    assert not PlanImport.objects.exists()


def test_staff_cannot_upload_for_a_town_they_do_not_edit(client, editor, other_town):
    client.force_login(editor)
    response = upload(client, other_town, SMALL_TEXT.encode())
    assert "town" in response.context["form"].errors
    assert not PlanImport.objects.exists()


def test_a_reporter_has_no_upload_page(client, town):
    client.force_login(staff_of(town, Role.REPORTER))
    assert client.get(UPLOAD_URL).status_code == 403


def test_review_page_shows_each_quote_marked_in_the_escaped_document(client, editor, town):
    text = "一、稳增长<b>\n\n力争引进优质企业8家以上，完成拆除2500亩。\n"
    plan_import = plan_import_create(data=text.encode(), filename="a.txt", town=town, year=2026)
    client.force_login(editor)
    response = client.get(review_url(plan_import))
    assert response.status_code == 200
    html = response.content.decode()
    assert "稳增长&lt;b&gt;" in html
    for candidate in plan_import.target_candidates.all():
        assert f'id="quote-t-{candidate.pk}"' in html
        assert f'href="#quote-t-{candidate.pk}"' in html


def test_marks_follow_offsets_and_may_overlap():
    text = "<a>引进企业8家，拆除2500亩。"
    html = document_with_marks(
        text,
        [
            Mark(3, 10, "one", "pt-target", "#1"),
            Mark(3, 10, "two", "pt-past", "#2"),
            Mark(8, 16, "three", "pt-target", "#3"),
        ],
    )
    assert html.startswith("&lt;a&gt;")
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == text
    for anchor in ("one", "two", "three"):
        assert html.count(f'id="{anchor}"') == 1
    assert "pt-overlap" in html


def test_accepting_ticked_candidates_in_the_admin_creates_targets(client, editor, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = tick(review_form(page), page, "targetcandidate", [1, 2])
    data["_accept_selected"] = "Accept"
    response = client.post(review_url(plan_import), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Target.objects.count() == 2
    assert GoalSection.objects.count() == 2  # (一) and 一、 above it
    for target in Target.objects.all():
        assert target.quote in plan_import.source_document.text
        assert target.created_by == editor
    assert plan_import.target_candidates.filter(decision=Decision.ACCEPTED).count() == 2


def test_edits_are_saved_before_accepting(client, editor, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    first = plan_import.target_candidates.get(position=1)
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = tick(review_form(page), page, "targetcandidate", [1])
    index = next(
        form.prefix
        for fs in page.context["inline_admin_formsets"]
        for form in fs.formset.forms
        if form.instance == first
    )
    data[f"{index}-title"] = "地区生产总值"
    data[f"{index}-quote"] = "地区生产总值增长5%左右"
    data["_accept_selected"] = "Accept"
    client.post(review_url(plan_import), data)
    target = Target.objects.get()
    assert target.title == "地区生产总值"
    assert target.quote == "地区生产总值增长5%左右"
    first.refresh_from_db()
    assert plan_import.source_document.text[first.start : first.end] == first.quote


def test_a_quote_not_in_the_document_is_a_form_error(client, editor, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = review_form(page)
    prefix = page.context["inline_admin_formsets"][1].formset.forms[0].prefix
    data[f"{prefix}-quote"] = "文件里没有这句话"
    response = client.post(review_url(plan_import), data)
    assert response.status_code == 200
    assert "copied exactly" in str(response.context["errors"])


def test_a_candidate_that_fails_validation_is_named_and_nothing_is_created(client, editor, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = tick(review_form(page), page, "targetcandidate", [1, 2])
    prefix = page.context["inline_admin_formsets"][1].formset.forms[1].prefix
    data[f"{prefix}-unit"] = ""  # a quantitative target needs a unit
    data["_accept_selected"] = "Accept"
    response = client.post(review_url(plan_import), data, follow=True)
    (message,) = [str(m) for m in response.context["messages"]]
    assert "#2" in message
    assert "unit" in message
    assert not Target.objects.exists()


def test_rejecting_ticked_candidates_in_the_admin(client, editor, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = tick(review_form(page), page, "targetcandidate", [3])
    data["_reject_selected"] = "Reject"
    client.post(review_url(plan_import), data)
    assert plan_import.target_candidates.get(position=3).decision == Decision.REJECTED
    assert not Target.objects.exists()


def test_another_towns_staff_cannot_see_the_import(client, town, outsider):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(outsider)
    listing = client.get(reverse("admin:tracker_planimport_changelist"))
    assert list(listing.context["cl"].result_list) == []
    response = client.get(review_url(plan_import))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert reverse("admin:index") in response["Location"]


def test_a_viewer_of_the_town_sees_the_review_without_the_buttons(client, town):
    plan_import = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(staff_of(town, Role.VIEWER))
    response = client.get(review_url(plan_import))
    assert response.status_code == 200
    assert b"_accept_selected" not in response.content


def test_the_list_counts_candidates(client, editor, town):
    plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    client.force_login(editor)
    response = client.get(reverse("admin:tracker_planimport_changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.targets, row.pending, row.accepted) == (39, 39, 0)


def review_queries(client, plan_import) -> int:
    ContentType.objects.clear_cache()  # so that each page looks its content type up alike
    with CaptureQueriesContext(connection) as queries:
        assert client.get(review_url(plan_import)).status_code == 200
    return len(queries)


def test_review_page_queries_do_not_grow_with_candidates(
    client, editor, town, django_assert_num_queries
):
    small = plan_import_create(data=SMALL_TEXT.encode(), filename="s.txt", town=town, year=2025)
    large = plan_import_create(data=PLAN_TEXT, filename=PLAN_NAME, town=town, year=2026)
    assert (small.target_candidates.count(), large.target_candidates.count()) == (3, 39)
    client.force_login(editor)
    # 13: the request's savepoint and its release (ATOMIC_REQUESTS); session;
    # user; the user's memberships (scope); the import (town, creator, document
    # and plan joined); the user's permissions and group permissions; each
    # inline's page of candidates (parent or section joined): 2; the offsets of
    # all section and of all target candidates for the marks: 2; the content type.
    assert review_queries(client, small) == 13
    ContentType.objects.clear_cache()
    with django_assert_num_queries(13):
        client.get(review_url(large))


def test_a_multiline_quote_sent_back_with_crlf_is_not_an_edit(client, editor, town):
    plan_import = plan_import_create(
        data=document("000_93c13e1d1dd147af.txt"), filename="000.txt", town=town, year=2022
    )
    candidate = plan_import.target_candidates.get()
    assert "\n" in candidate.quote
    candidates_accept(plan_import=plan_import, target_candidates=[candidate])
    client.force_login(editor)
    page = client.get(review_url(plan_import))
    data = review_form(page)
    prefix = page.context["inline_admin_formsets"][1].formset.forms[0].prefix
    data[f"{prefix}-quote"] = candidate.quote.replace("\n", "\r\n")  # as browsers send it
    data["_save"] = "Save"
    response = client.post(review_url(plan_import), data)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.quote in plan_import.source_document.text


def test_uploading_a_word_file_stores_it_and_its_text(client, editor, town, settings, tmp_path):
    from tests.extraction.documents import make_docx, paragraphs_of

    settings.MEDIA_ROOT = tmp_path / "media"
    data = make_docx(paragraphs_of(PLAN_TEXT.decode("utf-8")))
    client.force_login(editor)
    response = upload(client, town, data, name="xiqu-2026.docx")
    plan_import = PlanImport.objects.get()
    assert response.status_code == 302
    assert plan_import.source_document.original.read() == data
    assert plan_import.target_candidates.count() >= 35


def test_a_damaged_word_file_is_a_form_error_and_writes_nothing(
    client, editor, town, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(editor)
    response = upload(client, town, b"PK\x03\x04" + b"\x00" * 64, name="plan.docx")
    (error,) = response.context["form"].errors["document"]
    assert "corrupt document" in error
    assert not PlanImport.objects.exists()
    assert not SourceDocument.objects.exists()
