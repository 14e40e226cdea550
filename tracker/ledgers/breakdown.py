"""A plan's task breakdown (任务分解表) as Excel: exported, and imported with a dry run first.

The sheet, one row per target (and one per section that has no target, with
工作任务 empty, so the section tree survives):

| column | holds | read back as |
|---|---|---|
| 序号 | 1, 2, … | (ignored: rows are read in order) |
| 章节 | the section path, levels joined by " / ": 一、… / (一)… | the section tree; each level's numbering label (一、 (一) （一） 1. ● ①) split from its title |
| 工作任务 | the target's title | |
| 目标值 | 2500; a range 2—3; empty for a milestone | |
| 单位 | 亩 | |
| 比较 | the comparison's name (≥ 不低于…) | its name in either language, or its code (ge) |
| 完成时限 | a date; empty for the end of the plan year | a date (shifted by whole years when a plan's own export is imported as another year) |
| 牵头单位 / 配合单位 | department names; helpers joined by 、 | the town's departments by name |
| 责任人 | the person responsible, with their post: 张伟（经济发展办公室主任） | a name, and a post in brackets (or after a space); empty clears it |
| 出处原文 | the source quote | kept when one of the town's documents contains it, else left out with a warning |
| 指标类型 | 定量 / 增长率 / 节点 | |
| 分管领导 | the leader in charge: 李明副镇长 | empty clears it |

Columns are found by their headings (Chinese or English), so an office's own
sheet with these headings, in any order, can be imported, and later columns
(nodes) can be added without breaking older files: a sheet without the 责任人
or 分管领导 column leaves those of its targets as they are. A workbook marked as
another template (a progress ledger) is refused.

`breakdown_preview` reads a sheet against a town and year and says what an
import would do: sections and targets created, targets changed (field by
field), rows refused (errors by row and column), departments the town does
not have. Targets are matched by section path and title. Nothing is written.
`breakdown_apply` does it, all or nothing: refused while any row is refused,
or while unknown departments are not confirmed (`create_departments`); they
are never created silently. Targets the sheet does not list are left alone.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tracker.access import Action, may_in_town
from tracker.choices import Comparison, PlanStatus, TargetKind
from tracker.formatting import plain_number
from tracker.ledgers.progress_sheet import parse_date, parse_number
from tracker.ledgers.workbooks import (
    MARKER_SHEET,
    WRAP,
    CellError,
    SheetRefused,
    marker_read,
    marker_write,
    open_upload,
    structure_problems,
    style_header,
)
from tracker.models import Department, GoalSection, Plan, SourceDocument, Target, Town
from tracker.services import next_position, record_create, record_edit
from tracker.spreadsheets import safe_xlsx_set

KIND = "breakdown"
MAX_ROWS = 3000
PATH_SEPARATOR = " / "
HELPER_SEPARATORS = re.compile(r"[、,，;；]")
LABEL = re.compile(
    r"^\s*(?P<label>[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[)）]|\d+[.．、]|[●○■◆]|[①-⑳])"
)
RANGE = re.compile(r"^\s*(?P<low>[\d.．０-９]+)\s*[—–\-~～至到]+\s*(?P<high>[\d.．０-９]+)\s*$")

# (key, Chinese heading, English heading); the order of the export.
COLUMNS = (
    ("number", "序号", "No."),
    ("section", "章节", "Section"),
    ("title", "工作任务", "Task"),
    ("value", "目标值", "Target value"),
    ("unit", "单位", "Unit"),
    ("comparison", "比较", "Comparison"),
    ("deadline", "完成时限", "Deadline"),
    ("lead", "牵头单位", "Lead department"),
    ("helping", "配合单位", "Helping departments"),
    ("owner", "责任人", "Person responsible"),
    ("quote", "出处原文", "Source quote"),
    ("kind", "指标类型", "Kind"),
    ("leader", "分管领导", "Leader in charge"),
)
WIDTHS = [6, 40, 48, 10, 8, 12, 12, 18, 24, 16, 60, 10, 12]
OWNER = re.compile(r"^(?P<name>[^（(\s]+)\s*(?:[（(](?P<bracketed>[^）)]*)[）)]|(?P<spaced>.*))$")
KIND_WORDS = {
    "quantitative": ("定量", "quantitative"),
    "growth": ("增长率", "growth rate"),
    "milestone": ("节点", "milestone"),
}


def _heading(key: str) -> str:
    zh = translation.get_language() or ""
    for column_key, chinese, english in COLUMNS:
        if column_key == key:
            return chinese if zh.startswith("zh") else english
    return key


def _comparison_names() -> dict[str, str]:
    """Every way a comparison may be written: its code, its name in each language, its sign."""
    names = {}
    for code, label in Comparison.choices:
        names[code] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = code
    signs = {"=": "eq", "≥": "ge", ">": "gt", "≤": "le", "<": "lt", "≈": "approx", "—": "range"}
    names.update(signs)
    return names


def _kind_word(target: Target) -> str:
    key = "milestone" if target.kind == TargetKind.MILESTONE else "quantitative"
    if target.is_growth:
        key = "growth"
    zh = (translation.get_language() or "").startswith("zh")
    return KIND_WORDS[key][0 if zh else 1]


def _plain(value: Decimal | None):
    return plain_number(value) or None


def _owner_text(target: Target) -> str | None:
    if target.owner_name and target.owner_title:
        return f"{target.owner_name}（{target.owner_title}）"
    return target.owner_name or None


def _owner_fields(text: str) -> dict[str, str]:
    """张伟（经济发展办公室主任）, 张伟(主任), 张伟 主任 or 张伟: the name and the post."""
    match = OWNER.match(text.strip())
    if match is None:
        return {"owner_name": text.strip(), "owner_title": ""}
    post = match.group("bracketed") or match.group("spaced") or ""
    return {"owner_name": match.group("name"), "owner_title": post.strip()}


def _section_paths(sections: list[GoalSection]) -> tuple[list[GoalSection], dict[int, str]]:
    """The sections in document order (depth first) and each one's written path."""
    children: dict[int | None, list[GoalSection]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    ordered, paths = [], {}

    def walk(parent_id, prefix):
        for section in sorted(children.get(parent_id, []), key=lambda s: (s.position, s.pk)):
            paths[section.pk] = f"{prefix}{section.label}{section.title}"
            ordered.append(section)
            walk(section.pk, paths[section.pk] + PATH_SEPARATOR)

    walk(None, "")
    return ordered, paths


def breakdown_export(plan: Plan) -> bytes:
    """The plan as a 任务分解表 (see the module doc)."""
    sections = list(GoalSection.objects.filter(plan=plan))
    ordered, paths = _section_paths(sections)
    targets: dict[int, list[Target]] = {}
    for target in (
        Target.objects.filter(plan=plan)
        .select_related("lead_department")
        .prefetch_related("helping_departments")
        .order_by("position", "pk")
    ):
        targets.setdefault(target.section_id, []).append(target)
    comparison_names = dict(Comparison.choices)
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", f"{plan.town.name}{plan.year}{_('breakdown')}")[:31]
    book.properties.title = f"{plan.title} {_('task breakdown')}"
    book.properties.creator = "plan-tracker"
    style_header(sheet, [_heading(key) for key, *_names in COLUMNS], WIDTHS)
    number = 0
    for section in ordered:
        rows = targets.get(section.pk) or [None]
        for target in rows:
            values = [None, paths[section.pk]] + [None] * (len(COLUMNS) - 2)
            if target is not None:
                number += 1
                values[0] = number
                values[2] = target.title
                if target.value_max is not None:
                    values[3] = f"{_plain(target.value)}—{_plain(target.value_max)}"
                elif target.value is not None:
                    values[3] = _plain(target.value)
                values[4] = target.unit
                values[5] = str(comparison_names[target.comparison]) if target.comparison else None
                values[6] = target.deadline
                values[7] = target.lead_department.name if target.lead_department else None
                values[8] = "、".join(d.name for d in target.helping_departments.all()) or None
                values[9] = _owner_text(target)
                values[10] = target.quote or None
                values[11] = _kind_word(target)
                values[12] = target.leader_name or None
            row = sheet.max_row + 1
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                safe_xlsx_set(cell, value)
                cell.alignment = WRAP
                if isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    marker_write(book, {"kind": KIND, "plan": plan.pk, "year": plan.year, "title": plan.title})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading a breakdown ---------------------------------------------------------------------


@dataclass
class SectionSpec:
    path: tuple[tuple[str, str], ...]  # (label, title) per level, root first


@dataclass
class TargetSpec:
    row: int
    path: tuple[tuple[str, str], ...]
    fields: dict  # Target fields (lead_department and helping_departments as names)
    lead: str = ""
    helping: list[str] = field(default_factory=list)


@dataclass
class Change:
    row: int
    title: str
    section: str
    fields: dict[str, tuple]  # field -> (before, after), as written

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "title": self.title,
            "section": self.section,
            "fields": {name: [str(a), str(b)] for name, (a, b) in self.fields.items()},
        }


@dataclass
class Preview:
    """What importing the sheet would do (nothing is written to make it)."""

    town: Town
    year: int
    plan: Plan | None
    source_year: int | None
    sections: list[SectionSpec] = field(default_factory=list)
    targets: list[TargetSpec] = field(default_factory=list)
    created_sections: list[str] = field(default_factory=list)
    created: list[TargetSpec] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    refused: list[CellError] = field(default_factory=list)
    unknown_departments: list[str] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    plan_title: str = ""

    def as_dict(self) -> dict:
        return {
            "town": self.town.slug,
            "year": self.year,
            "plan": self.plan.pk if self.plan else None,
            "created_sections": self.created_sections,
            "created": [
                {"row": t.row, "title": t.fields["title"], "section": _path_text(t.path)}
                for t in self.created
            ],
            "changed": [change.as_dict() for change in self.changed],
            "unchanged": self.unchanged,
            "refused": [_error_dict(error) for error in self.refused],
            "unknown_departments": self.unknown_departments,
            "warnings": [_error_dict(error) for error in self.warnings],
        }


def _error_dict(error: CellError) -> dict:
    return {"row": error.row, "column": error.column, "message": error.message}


def _path_text(path) -> str:
    return PATH_SEPARATOR.join(f"{label}{title}" for label, title in path)


def _split_path(text: str) -> tuple[tuple[str, str], ...]:
    levels = []
    for part in text.split(PATH_SEPARATOR.strip()):
        part = part.strip()
        if not part:
            continue
        match = LABEL.match(part)
        label = match.group("label") if match else ""
        levels.append((label, part[len(match.group(0)) :].strip() if match else part))
    return tuple(levels)


def _find_columns(sheet) -> tuple[dict[str, int], int]:
    """The columns by key from the heading row (the first row naming 工作任务 in its first 5)."""
    names = {}
    for key, chinese, english in COLUMNS:
        names[chinese] = key
        names[english.lower()] = key
    for row in sheet.iter_rows(min_row=1, max_row=5):
        found = {}
        for cell in row:
            text = str(cell.value).strip().lower() if cell.value is not None else ""
            if text in names:
                found[names[text]] = cell.column
        if "title" in found and "section" in found:
            return found, row[0].row
    raise SheetRefused(
        _("No heading row naming 章节 and 工作任务 was found in the first five rows.")
    )


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def breakdown_preview(*, user, upload, town: Town, year: int) -> Preview:
    """What importing the sheet into `town`'s plan for `year` would do (see the module doc)."""
    if not may_in_town(user, Action.EDIT, town):
        raise PermissionDenied(_("You do not edit this town's plans."))
    book = open_upload(upload, max_rows=MAX_ROWS + 5)
    source_year = None
    if MARKER_SHEET in book.sheetnames:
        payload = marker_read(book, KIND)
        source_year = payload.get("year")
    sheet = book.worksheets[0]
    columns, heading_row = _find_columns(sheet)
    plan = Plan.objects.filter(town=town, year=year).first()
    preview = Preview(town=town, year=year, plan=plan, source_year=source_year)
    preview.refused += structure_problems(sheet, sheet.max_column)
    if preview.refused:
        return preview
    _read(sheet, columns, heading_row, preview)
    _compare(preview)
    return preview


def _read(sheet, columns: dict[str, int], heading_row: int, preview: Preview) -> None:
    comparisons = _comparison_names()
    departments = {d.name: d for d in Department.objects.filter(town=preview.town)}
    documents = list(
        SourceDocument.objects.filter(plans__town=preview.town).distinct().order_by("pk")
    )
    heading_of = {
        key: sheet.cell(row=heading_row, column=col).value for key, col in columns.items()
    }
    seen_sections: set = set()
    seen_targets: dict = {}
    unknown: list[str] = []
    for cells in sheet.iter_rows(min_row=heading_row + 1):
        row = cells[0].row
        by_key = {}
        formula = False
        for cell in cells:
            if cell.data_type == "f":
                preview.refused.append(
                    CellError(row, cell.coordinate, _("A formula: enter the value itself."))
                )
                formula = True
        if formula:
            continue
        for key, column in columns.items():
            value = cells[column - 1].value if column - 1 < len(cells) else None
            by_key[key] = value.strip() if isinstance(value, str) else value
        if all(value in (None, "") for value in by_key.values()):
            continue

        def refuse(key, message, row=row):
            preview.refused.append(CellError(row, str(heading_of.get(key) or key), message))

        path = _split_path(str(by_key.get("section") or ""))
        if not path:
            refuse("section", _("Every row names its section (章节)."))
            continue
        for depth in range(1, len(path) + 1):
            if path[:depth] not in seen_sections:
                seen_sections.add(path[:depth])
                preview.sections.append(SectionSpec(path=path[:depth]))
        title = str(by_key.get("title") or "").strip()
        if not title:
            continue  # a section with no target
        if (path, title) in seen_targets:
            refuse("title", _("The same task is listed twice in this section (row %(row)s).")
                   % {"row": seen_targets[(path, title)]})  # fmt: skip
            continue
        seen_targets[(path, title)] = row
        spec = _target_spec(row, path, title, by_key, comparisons, refuse, preview)
        if spec is None:
            continue
        for name in [spec.lead, *spec.helping]:
            if name and name not in departments and name not in unknown:
                unknown.append(name)
        quote = spec.fields.pop("quote", "")
        if quote:
            document = next((d for d in documents if quote in d.text), None)
            if document is None:
                preview.warnings.append(
                    CellError(
                        row,
                        str(heading_of.get("quote")),
                        _("The quote is not in any of the town's documents; it is left out."),
                    )
                )
            else:
                spec.fields.update(quote=quote, source_document=document)
        preview.targets.append(spec)
    preview.unknown_departments = unknown


def _target_spec(row, path, title, by_key, comparisons, refuse, preview) -> TargetSpec | None:
    errors_before = len(preview.refused)
    kind_text = str(by_key.get("kind") or "").strip().lower()
    raw_value = by_key.get("value")
    fields = {
        "title": title,
        "unit": str(by_key.get("unit") or "").strip(),
        "value": None,
        "value_max": None,
        "comparison": "",
        "is_growth": kind_text in {word.lower() for word in KIND_WORDS["growth"]},
        "deadline": None,
        "quote": str(by_key.get("quote") or "").strip(),
    }
    # Only where the sheet has the column: an older sheet leaves them as they are.
    if "owner" in by_key:
        fields.update(_owner_fields(str(by_key["owner"] or "")))
    if "leader" in by_key:
        fields["leader_name"] = str(by_key["leader"] or "").strip()
    milestone = kind_text in {w.lower() for w in KIND_WORDS["milestone"]} or (
        not kind_text and raw_value in (None, "")
    )
    fields["kind"] = TargetKind.MILESTONE if milestone else TargetKind.QUANTITATIVE
    if raw_value not in (None, ""):
        match = RANGE.match(str(raw_value)) if isinstance(raw_value, str) else None
        try:
            if match:
                fields["value"] = parse_number(match.group("low"))
                fields["value_max"] = parse_number(match.group("high"))
            else:
                fields["value"] = parse_number(raw_value)
        except (ValueError, TypeError):
            refuse("value", _("“%(text)s” is not a number or a range (2—3).") % {"text": raw_value})
    raw_comparison = str(by_key.get("comparison") or "").strip()
    if raw_comparison:
        code = comparisons.get(raw_comparison.lower()) or comparisons.get(raw_comparison[:1])
        if code is None:
            refuse("comparison", _("Unknown comparison “%(text)s”.") % {"text": raw_comparison})
        else:
            fields["comparison"] = code
    elif fields["value_max"] is not None:
        fields["comparison"] = Comparison.RANGE
    raw_deadline = by_key.get("deadline")
    if raw_deadline not in (None, ""):
        try:
            deadline = parse_date(raw_deadline)
        except ValueError:
            refuse("deadline", _("“%(text)s” is not a date.") % {"text": raw_deadline})
        else:
            if preview.source_year and preview.source_year != preview.year:
                deadline = _shift_year(deadline, preview.year - preview.source_year)
            if deadline.year < preview.year:
                refuse("deadline", _("The deadline cannot be before the plan year begins."))
            fields["deadline"] = deadline
    candidate = Target(**{k: v for k, v in fields.items() if k != "quote"})
    try:
        candidate.full_clean(
            exclude=["plan", "section", "position", "lead_department", "source_document"]
        )
    except ValidationError as error:
        field_key = {"value": "value", "value_max": "value", "unit": "unit",
                     "comparison": "comparison", "title": "title", "deadline": "deadline",
                     "owner_name": "owner", "owner_title": "owner",
                     "leader_name": "leader"}  # fmt: skip
        for name, messages in error.message_dict.items():
            for message in messages:
                refuse(field_key.get(name, "kind"), message)
    if len(preview.refused) > errors_before:
        return None
    helping = [
        name.strip()
        for name in HELPER_SEPARATORS.split(str(by_key.get("helping") or ""))
        if name.strip()
    ]
    return TargetSpec(
        row=row,
        path=path,
        fields=fields,
        lead=str(by_key.get("lead") or "").strip(),
        helping=helping,
    )


COMPARED = ("kind", "value", "value_max", "unit", "comparison", "is_growth", "deadline", "quote")
# Compared where the sheet has their column (`_target_spec`).
COMPARED_IF_GIVEN = ("owner_name", "owner_title", "leader_name")


def _existing(plan: Plan | None):
    if plan is None:
        return {}, {}
    sections = list(GoalSection.objects.filter(plan=plan))
    by_id = {s.pk: s for s in sections}
    paths = {}
    for section in sections:
        path, at = [], section
        while at is not None:
            path.append((at.label, at.title))
            at = by_id.get(at.parent_id)
        paths[tuple(reversed(path))] = section
    targets = {}
    section_path = {s.pk: p for p, s in paths.items()}
    for target in (
        Target.objects.filter(plan=plan)
        .select_related("lead_department")
        .prefetch_related("helping_departments")
    ):
        targets[(section_path[target.section_id], target.title)] = target
    return paths, targets


def _compare(preview: Preview) -> None:
    sections, targets = _existing(preview.plan)
    preview.created_sections = [
        _path_text(spec.path) for spec in preview.sections if spec.path not in sections
    ]
    for spec in preview.targets:
        existing = targets.get((spec.path, spec.fields["title"]))
        if existing is None:
            preview.created.append(spec)
            continue
        changes = {}
        given = [name for name in COMPARED_IF_GIVEN if name in spec.fields]
        for name in (*COMPARED, *given):
            before, after = getattr(existing, name), spec.fields.get(name, "")
            if (before or None) != (after or None):
                changes[name] = (before, after)
        lead = existing.lead_department.name if existing.lead_department else ""
        if lead != spec.lead:
            changes["lead_department"] = (lead, spec.lead)
        helping = sorted(d.name for d in existing.helping_departments.all())
        if helping != sorted(spec.helping):
            changes["helping_departments"] = ("、".join(helping), "、".join(sorted(spec.helping)))
        if changes:
            preview.changed.append(
                Change(spec.row, spec.fields["title"], _path_text(spec.path), changes)
            )
        else:
            preview.unchanged += 1


@transaction.atomic
def breakdown_apply(*, user, preview: Preview, create_departments: bool = False) -> Plan:
    """Write what the preview says, all or nothing; ValidationError (nothing written) if refused."""
    if not may_in_town(user, Action.EDIT, preview.town):
        raise PermissionDenied(_("You do not edit this town's plans."))
    if preview.refused:
        raise ValidationError(_("Some rows are refused; correct them and import again."))
    if preview.unknown_departments and not create_departments:
        raise ValidationError(
            _(
                "These departments are not the town's: %(names)s. Correct their names, or confirm "
                "that they are to be created."
            )
            % {"names": "、".join(preview.unknown_departments)},
            code="unknown_departments",
        )
    plan = preview.plan
    if plan is None:
        plan = record_create(
            model=Plan,
            fields={
                "town": preview.town,
                "year": preview.year,
                "title": f"{preview.town.name}{preview.year}年工作计划",
                "status": PlanStatus.DRAFT,
            },
            user=user,
        )
    departments = {d.name: d for d in Department.objects.filter(town=preview.town)}
    for name in preview.unknown_departments:
        departments[name] = record_create(
            model=Department, fields={"town": preview.town, "name": name}, user=user
        )
    sections, targets = _existing(plan)
    for spec in preview.sections:
        if spec.path in sections:
            continue
        parent = sections.get(spec.path[:-1]) if len(spec.path) > 1 else None
        siblings = GoalSection.objects.filter(plan=plan, parent=parent)
        label, title = spec.path[-1]
        sections[spec.path] = record_create(
            model=GoalSection,
            fields={
                "plan": plan,
                "parent": parent,
                "label": label,
                "title": title,
                "position": next_position(siblings),
            },
            user=user,
        )
    changed_rows = {change.row for change in preview.changed}
    for spec in preview.targets:
        fields = dict(spec.fields)
        fields["lead_department"] = departments.get(spec.lead) if spec.lead else None
        fields["helping_departments"] = [departments[name] for name in spec.helping]
        existing = targets.get((spec.path, fields["title"]))
        if existing is None:
            section = sections[spec.path]
            position = next_position(Target.objects.filter(section=section))
            fields.update(plan=plan, section=section, position=position)
            record_create(model=Target, fields=fields, user=user)
        elif spec.row in changed_rows:  # an unchanged target keeps its version
            fields.setdefault("quote", "")
            fields.setdefault("source_document", None)
            record_edit(instance=existing, changes=fields, expected_version=None, user=user)
    return plan
