"""Load the seed data in fixtures/seed/ (format: fixtures/README.md) into the database.

Every record is found by its natural key (a slug, a town and year, a position
in its parent) and changed only where the file says something else, so a
second load changes nothing. The whole load is one transaction: a bad file
leaves the database as it was.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from tracker.models import GoalSection, Plan, ProgressUpdate, Region, SourceDocument, Target, Town
from tracker.models.plans import text_digest
from tracker.models.targets import default_basis
from tracker.services import progress_record

FIXTURES_DIR = Path(settings.RESOURCES_DIR) / "fixtures"  # the checkout's, or the wheel's


class SeedError(Exception):
    """A seed file is malformed or breaks a rule; the message says where."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: type[models.Model]) -> None:
        name = model._meta.model_name
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _decimal(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as error:
        raise SeedError(f"{where}: {raw!r} is not a number") from error


def _date(raw: Any, where: str) -> datetime.date | None:
    if raw is None or isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError as error:
        raise SeedError(f"{where}: {raw!r} is not a date (YYYY-MM-DD)") from error


def _require(data: dict, key: str, where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise SeedError(f"{where}: missing {key!r}")
    return data[key]


class Loader:
    def __init__(self, fixtures_dir: Path):
        self.dir = fixtures_dir
        self.report = SeedReport()

    def upsert(
        self, model: type[models.Model], lookup: dict, values: dict, where: str
    ) -> models.Model:
        """Find a record by its natural key; create it, or change only what differs."""
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            bucket = self.report.created
        else:
            changed = {k: v for k, v in values.items() if getattr(instance, k) != v}
            if not changed:
                return instance
            for key, value in changed.items():
                setattr(instance, key, value)
            bucket = self.report.updated
        try:
            instance.full_clean()
        except ValidationError as error:
            raise SeedError(f"{where}: {'; '.join(_messages(error))}") from error
        instance.save()
        self.report.count(bucket, model)
        return instance

    def read_yaml(self, path: Path) -> dict:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise SeedError(f"{path.name}: cannot read: {error}".splitlines()[0]) from error
        if not isinstance(data, dict):
            raise SeedError(f"{path.name}: expected a mapping at the top")
        return data

    def load_regions(self, path: Path) -> None:
        data = self.read_yaml(path)

        def walk(nodes: list, parent: Region | None, where: str) -> None:
            for index, node in enumerate(nodes or []):
                here = f"{where}[{index}]"
                region = self.upsert(
                    Region,
                    {"slug": _require(node, "slug", here)},
                    {
                        "name": _require(node, "name", here),
                        "name_en": node.get("name_en", ""),
                        "level": _require(node, "level", here),
                        "parent": parent,
                    },
                    here,
                )
                walk(node.get("children"), region, f"{here}.children")

        walk(_require(data, "regions", path.name), None, f"{path.name}: regions")
        for index, node in enumerate(_require(data, "towns", path.name)):
            here = f"{path.name}: towns[{index}]"
            region_slug = _require(node, "region", here)
            region = Region.objects.filter(slug=region_slug).first()
            if region is None:
                raise SeedError(f"{here}: no region {region_slug!r}")
            self.upsert(
                Town,
                {"slug": _require(node, "slug", here)},
                {
                    "name": _require(node, "name", here),
                    "name_en": node.get("name_en", ""),
                    "kind": _require(node, "kind", here),
                    "region": region,
                },
                here,
            )

    def load_plan(self, path: Path) -> None:
        data = self.read_yaml(path)
        where = path.name
        doc_data = _require(data, "document", where)
        doc_file = self.dir / "documents" / _require(doc_data, "file", f"{where}: document")
        try:
            text = doc_file.read_text(encoding="utf-8")
        except OSError as error:
            raise SeedError(f"{where}: cannot read document {doc_file.name}") from error
        document = self.upsert(
            SourceDocument,
            {"digest": text_digest(text)},
            {
                "text": text,
                "title": _require(doc_data, "title", f"{where}: document"),
                "publisher": doc_data.get("publisher") or "",
                "published_on": _date(doc_data.get("published_on"), f"{where}: document"),
                "url": doc_data.get("url") or "",
                "filename": doc_file.name,
            },
            f"{where}: document",
        )
        plan_data = _require(data, "plan", where)
        town_slug = _require(plan_data, "town", f"{where}: plan")
        town = Town.objects.filter(slug=town_slug).first()
        if town is None:
            raise SeedError(f"{where}: plan: no town {town_slug!r}")
        plan = self.upsert(
            Plan,
            {"town": town, "year": _require(plan_data, "year", f"{where}: plan")},
            {
                "title": _require(plan_data, "title", f"{where}: plan"),
                "theme": plan_data.get("theme") or "",
                "theme_quote": plan_data.get("theme_quote") or "",
                "status": plan_data.get("status", "active"),
            },
            f"{where}: plan",
        )
        if plan.theme_quote and plan.theme_quote not in text:
            raise SeedError(f"{where}: plan: theme_quote is not in the document")
        if not plan.documents.filter(pk=document.pk).exists():
            plan.documents.add(document)
            self.report.count(self.report.updated, Plan)
        self.load_sections(
            _require(data, "sections", where), plan, None, document, f"{where}: sections"
        )

    def load_sections(
        self,
        nodes: list,
        plan: Plan,
        parent: GoalSection | None,
        document: SourceDocument,
        where: str,
    ) -> None:
        for index, node in enumerate(nodes or []):
            here = f"{where}[{index}]"
            section = self.upsert(
                GoalSection,
                {"plan": plan, "parent": parent, "position": index + 1},
                {
                    "label": node.get("label") or "",
                    "title": _require(node, "title", here),
                    "grouping": node.get("grouping") or "",
                    "summary": node.get("summary") or "",
                    "source_document": document,
                    "quote": node.get("quote") or "",
                },
                here,
            )
            for t_index, target_data in enumerate(node.get("targets") or []):
                self.load_target(
                    target_data, section, t_index + 1, document, f"{here}.targets[{t_index}]"
                )
            self.load_sections(node.get("children"), plan, section, document, f"{here}.children")

    def load_target(
        self, data: dict, section: GoalSection, position: int, document: SourceDocument, where: str
    ) -> None:
        target = self.upsert(
            Target,
            {"section": section, "position": position},
            {
                "plan": section.plan,
                "title": _require(data, "title", where),
                "metric": data.get("metric") or "",
                "kind": _require(data, "kind", where),
                "comparison": data.get("comparison") or "",
                "value": _decimal(data.get("value"), where),
                "value_max": _decimal(data.get("value_max"), where),
                "unit": data.get("unit") or "",
                "is_growth": bool(data.get("growth", False)),
                "is_stretch": bool(data.get("stretch", False)),
                "baseline": _decimal(data.get("baseline"), where),
                "deadline": _date(data.get("deadline"), where),
                "deadline_text": data.get("deadline_text") or "",
                "progress_basis": data.get("basis")
                or default_basis(
                    kind=_require(data, "kind", where),
                    unit=data.get("unit") or "",
                    is_growth=bool(data.get("growth", False)),
                ),
                "source_document": document,
                "quote": _require(data, "quote", where),
            },
            where,
        )
        for index, entry in enumerate(data.get("progress") or []):
            here = f"{where}.progress[{index}]"
            key = f"seed:{index + 1}"
            if target.updates.filter(client_key=key).exists():
                continue
            try:
                progress_record(
                    target=target,
                    as_of=_date(_require(entry, "as_of", here), here),
                    value=_decimal(entry.get("value"), here),
                    milestone_done=entry.get("done"),
                    note=entry.get("note") or "",
                    source_document=document,
                    quote=entry.get("quote") or "",
                    client_key=key,
                )
            except ValidationError as error:
                raise SeedError(f"{here}: {'; '.join(_messages(error))}") from error
            self.report.count(self.report.created, ProgressUpdate)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [
            f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in error.message_dict.items()
        ]
    return [str(m) for m in error.messages]


@transaction.atomic
def seed_load(*, fixtures_dir: Path = FIXTURES_DIR) -> SeedReport:
    """Load regions, towns and every plan file; all or nothing."""
    loader = Loader(fixtures_dir)
    seed_dir = fixtures_dir / "seed"
    regions = seed_dir / "regions.yaml"
    if not regions.is_file():
        raise SeedError(f"no {regions}")
    loader.load_regions(regions)
    for path in sorted(seed_dir.glob("*.yaml")):
        if path != regions:
            loader.load_plan(path)
    return loader.report
