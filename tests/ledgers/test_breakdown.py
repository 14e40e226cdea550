"""A plan's task breakdown: exported, and imported as a new year, reproduces the plan."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from tests import factories
from tests.conftest import rolled_back
from tests.ledgers.conftest import upload
from tracker.choices import Role
from tracker.ledgers.breakdown import breakdown_apply, breakdown_export, breakdown_preview
from tracker.models import Department, GoalSection, Membership, Plan, Target
from tracker.seeding import seed_load


@pytest.fixture(scope="module")
def _shared_xiqu(django_db_setup, django_db_blocker):
    """The seed, with departments leading and helping 西区's targets, once for the module
    (in a transaction rolled back after it; each test's own is a savepoint inside)."""
    with rolled_back(django_db_blocker):
        seed_load()
        plan = Plan.objects.get(town__slug="xiqu", year=2026)
        office = Department.objects.create(town=plan.town, name="经济发展局")
        helper = Department.objects.create(town=plan.town, name="统计办")
        for number, target in enumerate(plan.targets.order_by("pk")):
            target.lead_department = office if number % 2 else None
            target.save()
            if number % 3 == 0:
                target.helping_departments.set([helper, office])
        yield plan.pk


@pytest.fixture
def xiqu(_shared_xiqu, db):
    return Plan.objects.select_related("town").get(pk=_shared_xiqu)


@pytest.fixture
def editor(xiqu):
    user = factories.UserFactory(username="xiqu_office")
    Membership.objects.create(user=user, town=xiqu.town, role=Role.EDITOR)
    return user


def section_tree(plan) -> list:
    by_id = {s.pk: s for s in GoalSection.objects.filter(plan=plan)}

    def path(section):
        out = []
        while section is not None:
            out.append((section.label, section.title))
            section = by_id.get(section.parent_id)
        return tuple(reversed(out))

    return sorted(path(s) for s in by_id.values())


def targets_of(plan) -> list:
    rows = []
    for t in Target.objects.filter(plan=plan).select_related("section", "lead_department"):
        rows.append(
            (
                t.section.label,
                t.section.title,
                t.title,
                t.kind,
                t.value,
                t.value_max,
                t.unit,
                t.comparison,
                t.is_growth,
                t.deadline.replace(year=2026) if t.deadline else None,
                t.lead_department.name if t.lead_department else None,
                tuple(sorted(d.name for d in t.helping_departments.all())),
                t.quote,
            )  # fmt: skip
        )
    return sorted(rows, key=repr)


def test_exporting_xiqu_2026_and_importing_it_as_2027_reproduces_the_plan(xiqu, editor):
    data = breakdown_export(xiqu)
    preview = breakdown_preview(user=editor, upload=upload(data), town=xiqu.town, year=2027)
    assert preview.refused == []
    assert preview.unknown_departments == []
    assert len(preview.created) == xiqu.targets.count()
    assert preview.changed == []
    assert not Plan.objects.filter(town=xiqu.town, year=2027).exists()  # a dry run writes nothing
    new = breakdown_apply(user=editor, preview=preview)
    assert new.year == 2027
    assert section_tree(new) == section_tree(xiqu)
    assert targets_of(new) == targets_of(xiqu)


def test_importing_the_export_into_its_own_plan_changes_nothing(xiqu, editor):
    data = breakdown_export(xiqu)
    preview = breakdown_preview(user=editor, upload=upload(data), town=xiqu.town, year=2026)
    assert (len(preview.created), len(preview.changed)) == (0, 0)
    assert preview.unchanged == xiqu.targets.count()


def edited(data: bytes, **cells) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for coordinate, value in cells.items():
        book.worksheets[0][coordinate] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def first_target_row(data: bytes) -> int:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 3).value)


def test_a_changed_value_and_an_unknown_department_are_previewed(xiqu, editor):
    data = breakdown_export(xiqu)
    row = first_target_row(data)
    data = edited(data, **{f"D{row}": "7", f"H{row}": "新成立的专班"})
    preview = breakdown_preview(user=editor, upload=upload(data), town=xiqu.town, year=2026)
    (change,) = preview.changed
    assert change.row == row
    assert set(change.fields) == {"value", "lead_department"}
    assert preview.unknown_departments == ["新成立的专班"]
    with pytest.raises(ValidationError, match="新成立的专班"):
        breakdown_apply(user=editor, preview=preview)
    assert not Department.objects.filter(name="新成立的专班").exists()
    breakdown_apply(user=editor, preview=preview, create_departments=True)
    target = Target.objects.get(plan=xiqu, title=change.title)
    assert target.value == 7
    assert target.lead_department.name == "新成立的专班"


def test_owners_go_out_and_come_back_and_an_older_sheet_leaves_them_alone(xiqu, editor):
    target = xiqu.targets.order_by("pk").first()
    target.owner_name, target.owner_title, target.leader_name = "张伟", "经济发展局局长", "李明"
    target.save()
    data = breakdown_export(xiqu)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == target.title)
    assert row[headings.index("Person responsible")] == "张伟（经济发展局局长）"
    assert row[headings.index("Leader in charge")] == "李明"
    preview = breakdown_preview(user=editor, upload=upload(data), town=xiqu.town, year=2027)
    new = breakdown_apply(user=editor, preview=preview)
    copied = new.targets.get(title=target.title)
    owners = (copied.owner_name, copied.owner_title, copied.leader_name)
    assert owners == ("张伟", "经济发展局局长", "李明")

    # An office's own way of writing it: a name and a post after a space.
    number = first_target_row(data)
    owner = f"{'ABCDEFGHIJKLM'[headings.index('Person responsible')]}{number}"
    preview = breakdown_preview(
        user=editor, upload=upload(edited(data, **{owner: "王芳 统计办主任"})), town=xiqu.town,
        year=2026,
    )  # fmt: skip
    (change,) = preview.changed
    assert set(change.fields) >= {"owner_name", "owner_title"}

    # A sheet without the 分管领导 column (an older export) leaves the leader as it is.
    book = load_workbook(io.BytesIO(data))
    book.worksheets[0].delete_cols(headings.index("Leader in charge") + 1)
    out = io.BytesIO()
    book.save(out)
    preview = breakdown_preview(
        user=editor, upload=upload(out.getvalue()), town=xiqu.town, year=2026
    )
    assert preview.changed == []


def test_bad_rows_are_refused_by_row_and_column_and_nothing_is_written(xiqu, editor):
    data = breakdown_export(xiqu)
    row = first_target_row(data)
    data = edited(data, **{f"D{row}": "很多", f"F{row}": "差不多", f"G{row + 1}": "=TODAY()"})
    preview = breakdown_preview(user=editor, upload=upload(data), town=xiqu.town, year=2027)
    places = {(e.row, e.column) for e in preview.refused}
    assert (row, "Target value") in places
    assert (row, "Comparison") in places
    assert (row + 1, f"G{row + 1}") in places
    with pytest.raises(ValidationError):
        breakdown_apply(user=editor, preview=preview)
    assert not Plan.objects.filter(town=xiqu.town, year=2027).exists()


def test_the_api_previews_then_imports(xiqu, editor):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    exported = client.get(f"/api/plans/{xiqu.pk}/export.xlsx")
    assert exported.status_code == 200
    body = {"town": "xiqu", "year": 2027, "dry_run": "true"}
    dry = client.post(
        "/api/plans/import/", {**body, "file": upload(exported.content)}, format="multipart"
    )
    assert dry.status_code == 200
    assert len(dry.json()["created"]) == xiqu.targets.count()
    assert not Plan.objects.filter(town=xiqu.town, year=2027).exists()
    body["dry_run"] = "false"
    done = client.post(
        "/api/plans/import/", {**body, "file": upload(exported.content)}, format="multipart"
    )
    assert done.status_code == 201
    assert Target.objects.filter(plan_id=done.json()["plan"]).count() == xiqu.targets.count()


def test_the_page_offers_the_download_and_the_preview(xiqu, editor, client):
    client.force_login(editor)
    page = client.get("/towns/xiqu/2026/breakdown/")
    assert page.status_code == 200
    download = client.get("/towns/xiqu/2026/breakdown/?download=1")
    assert download.status_code == 200
    preview = client.post(
        "/towns/xiqu/2026/breakdown/", {"file": upload(download.content), "year": 2027}
    )
    assert preview.status_code == 200
    assert "targets created" in preview.content.decode()
    assert not Plan.objects.filter(town=xiqu.town, year=2027).exists()


def test_the_admin_downloads_one_plans_breakdown_and_links_to_the_import(xiqu, editor, client):
    from django.contrib.auth.models import Permission

    editor.is_staff = True
    editor.save()
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="tracker"))
    client.force_login(editor)
    response = client.post(
        "/admin/tracker/plan/",
        {"action": "export_breakdown", "_selected_action": [xiqu.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get(f"/admin/tracker/plan/{xiqu.pk}/change/").content.decode()
    assert "/towns/xiqu/2026/breakdown/" in page


def test_cells_that_would_read_as_formulas_are_written_as_text(xiqu):
    target = xiqu.targets.filter(comparison="eq").first()
    target.title = '=HYPERLINK("http://evil.example","点击")'
    target.save()
    sheet = load_workbook(io.BytesIO(breakdown_export(xiqu))).worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert risky  # the title, and "= exactly" comparisons
    assert all(c.data_type == "s" for c in risky)
    assert all(c.quotePrefix for c in risky)
