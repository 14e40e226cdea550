"""The floor: the same rows as each endpoint reads, by hand-written SQL through psycopg.

No Django, no HTTP, no JSON: the statements are executed and their rows
fetched, and that is all. Nothing can answer faster than the database does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg

PUBLISHED = ["active", "closed"]


def today() -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()


# Each endpoint's columns, as it reads them (see the constants named beside each).
TARGET_COLUMNS = """
    t.id, t.plan_id, t.section_id, t.position, t.title, t.metric, t.kind, t.comparison,
    t.value, t.value_max, t.unit, t.is_growth, t.is_stretch, t.baseline, t.deadline,
    t.lead_department_id, t.source_document_id, t.quote, t.version, t.created_at, t.updated_at,
    w.id, w.slug, w.name, p.year, s.label, s.title,
    u.value, u.milestone_done, u.as_of,
    d.name, doc.title, doc.publisher, doc.published_on, doc.url
"""  # a page's targets with their context (Target.objects.with_context())
TARGET_JOINS = """
    tracker_target t
    JOIN tracker_plan p ON p.id = t.plan_id
    JOIN tracker_town w ON w.id = p.town_id
    JOIN tracker_goalsection s ON s.id = t.section_id
    LEFT JOIN tracker_progressupdate u ON u.id = t.latest_update_id
    LEFT JOIN tracker_department d ON d.id = t.lead_department_id
    LEFT JOIN tracker_sourcedocument doc ON doc.id = t.source_document_id
"""
LIST_COLUMNS = """
    t.id, t.kind, t.comparison, t.value, t.value_max, t.is_growth, t.deadline, p.year,
    u.value, u.milestone_done, u.as_of, t.plan_id, t.section_id, t.position, t.title,
    t.metric, t.unit, t.is_stretch, t.baseline, t.lead_department_id, d.name, t.quote,
    t.version, t.created_at, t.updated_at, w.id, w.slug, w.name,
    t.source_document_id, doc.title, doc.publisher, doc.published_on, doc.url
"""  # tracker.selectors.ROW_FIELDS
LIST_JOINS = """
    tracker_target t
    JOIN tracker_plan p ON p.id = t.plan_id
    JOIN tracker_town w ON w.id = p.town_id
    LEFT JOIN tracker_progressupdate u ON u.id = t.latest_update_id
    LEFT JOIN tracker_department d ON d.id = t.lead_department_id
    LEFT JOIN tracker_sourcedocument doc ON doc.id = t.source_document_id
"""
ROLLUP_COLUMNS = """
    t.id, t.kind, t.comparison, t.value, t.value_max, t.is_growth, t.deadline, p.year,
    u.value, u.milestone_done, u.as_of, t.title, t.metric, t.unit, w.id, w.slug, w.name
"""  # selectors.ROLLUP_FIELDS
EXPORT_COLUMNS = """
    t.id, p.year, w.name, s.label, s.title, t.position, t.title, t.kind, t.comparison,
    t.value, t.value_max, t.unit, t.is_growth, t.deadline, d.name,
    u.value, u.milestone_done, u.as_of, t.quote
"""  # exports.EXPORT_FIELDS
EXPORT_JOINS = """
    tracker_target t
    JOIN tracker_plan p ON p.id = t.plan_id
    JOIN tracker_town w ON w.id = p.town_id
    JOIN tracker_goalsection s ON s.id = t.section_id
    LEFT JOIN tracker_progressupdate u ON u.id = t.latest_update_id
    LEFT JOIN tracker_department d ON d.id = t.lead_department_id
"""
FACT_COLUMNS = """
    t.id, t.section_id, t.kind, t.comparison, t.value, t.value_max, t.is_growth, t.deadline,
    p.year, u.value, u.milestone_done, u.as_of
"""
HELPING = """
    SELECT h.target_id, h.department_id, d.name
    FROM tracker_target_helping_departments h JOIN tracker_department d ON d.id = h.department_id
    WHERE h.target_id = ANY(%s)
"""
SECTIONS = """
    SELECT id, plan_id, parent_id, position, label, title
    FROM tracker_goalsection WHERE plan_id = ANY(%s)
"""


@dataclass
class Floor:
    """A psycopg connection that counts its statements."""

    connection: psycopg.Connection
    statements: int = 0

    def rows(self, query: str, params=()) -> list[tuple]:
        self.statements += 1
        return self.connection.execute(query, params).fetchall()


def target_list(db: Floor, town: str, year: int, size: int) -> None:
    where = "w.slug = %s AND p.year = %s AND p.status = ANY(%s)"
    db.rows(
        f"SELECT count(*) FROM tracker_target t JOIN tracker_plan p ON p.id = t.plan_id "
        f"JOIN tracker_town w ON w.id = p.town_id WHERE {where}",
        [town, year, PUBLISHED],
    )
    rows = db.rows(
        f"SELECT {LIST_COLUMNS} FROM {LIST_JOINS} WHERE {where} "
        "ORDER BY t.plan_id, t.section_id, t.position, t.id LIMIT %s",
        [town, year, PUBLISHED, size],
    )
    plans = list({row[11] for row in rows})
    db.rows(HELPING, [[row[0] for row in rows]])
    db.rows(SECTIONS, [plans])
    db.rows(
        "SELECT * FROM tracker_reportingperiod WHERE plan_id = ANY(%s) AND starts_on <= %s "
        "ORDER BY plan_id, starts_on",
        [plans, today()],
    )


def plan_summary(db: Floor, plan_id: int) -> None:
    db.rows(
        "SELECT p.id, p.year, p.title, p.status, w.id, w.slug, w.name FROM tracker_plan p "
        "JOIN tracker_town w ON w.id = p.town_id WHERE p.id = %s AND p.status = ANY(%s)",
        [plan_id, PUBLISHED],
    )
    db.rows(SECTIONS, [[plan_id]])
    db.rows(
        f"SELECT {FACT_COLUMNS} FROM tracker_target t JOIN tracker_plan p ON p.id = t.plan_id "
        "LEFT JOIN tracker_progressupdate u ON u.id = t.latest_update_id WHERE t.plan_id = %s",
        [plan_id],
    )


def region_rollup(db: Floor, region: str, year: int) -> None:
    ((path,),) = db.rows("SELECT path FROM tracker_region WHERE slug = %s", [region])
    towns = db.rows(
        "SELECT w.id, w.slug, w.name, w.name_en, r.slug FROM tracker_town w "
        "JOIN tracker_region r ON r.id = w.region_id WHERE r.path LIKE %s",
        [path + "%"],
    )
    plans = db.rows(
        "SELECT id, year, title, status, town_id FROM tracker_plan "
        "WHERE status = ANY(%s) AND year = %s AND town_id = ANY(%s)",
        [PUBLISHED, year, [town[0] for town in towns]],
    )
    db.rows(
        f"SELECT {ROLLUP_COLUMNS} FROM tracker_target t JOIN tracker_plan p ON p.id = t.plan_id "
        "JOIN tracker_town w ON w.id = p.town_id "
        "LEFT JOIN tracker_progressupdate u ON u.id = t.latest_update_id "
        "WHERE t.plan_id = ANY(%s) ORDER BY w.name, t.section_id, t.position, t.id",
        [[plan[0] for plan in plans]],
    )


def target_history(db: Floor, target_id: int) -> None:
    db.rows(
        "SELECT t.id, t.title, t.kind, t.value, t.unit, p.year FROM tracker_target t "
        "JOIN tracker_plan p ON p.id = t.plan_id WHERE t.id = %s AND p.status = ANY(%s)",
        [target_id, PUBLISHED],
    )
    db.rows(
        "SELECT id, as_of, value, milestone_done FROM tracker_progressupdate "
        "WHERE target_id = %s ORDER BY as_of, id",
        [target_id],
    )


def plan_page(db: Floor, town: str, year: int) -> None:
    ((plan_id, town_id, region_id),) = db.rows(
        "SELECT p.id, p.town_id, w.region_id FROM tracker_plan p "
        "JOIN tracker_town w ON w.id = p.town_id "
        "WHERE w.slug = %s AND p.year = %s AND p.status = ANY(%s)",
        [town, year, PUBLISHED],
    )
    db.rows(SECTIONS, [[plan_id]])
    db.rows(
        "SELECT d.id, d.title FROM tracker_plan_documents pd "
        "JOIN tracker_sourcedocument d ON d.id = pd.sourcedocument_id WHERE pd.plan_id = %s",
        [plan_id],
    )
    db.rows("SELECT id, name FROM tracker_department WHERE town_id = %s", [town_id])
    rows = db.rows(
        f"SELECT {TARGET_COLUMNS} FROM {TARGET_JOINS} WHERE t.plan_id = %s "
        "ORDER BY t.plan_id, t.section_id, t.position, t.id",
        [plan_id],
    )
    db.rows(HELPING, [[row[0] for row in rows]])
    db.rows(
        "SELECT year FROM tracker_plan WHERE town_id = %s AND status = ANY(%s) AND id <> %s",
        [town_id, PUBLISHED, plan_id],
    )
    ((path,),) = db.rows("SELECT path FROM tracker_region WHERE id = %s", [region_id])
    db.rows(
        "SELECT id, slug, name, name_en FROM tracker_region WHERE slug = ANY(%s)",
        [path.strip("/").split("/")],
    )


def export(db: Floor, region: str) -> None:
    ((path,),) = db.rows("SELECT path FROM tracker_region WHERE slug = %s", [region])
    db.rows(
        f"SELECT {EXPORT_COLUMNS} FROM {EXPORT_JOINS} "
        "JOIN tracker_region r ON r.id = w.region_id "
        "WHERE r.path LIKE %s AND p.status = ANY(%s) "
        "ORDER BY t.plan_id, t.section_id, t.position, t.id",
        [path + "%", PUBLISHED],
    )


FLOORS: dict[str, Callable] = {
    "target_list": target_list,
    "plan_summary": plan_summary,
    "region_rollup": region_rollup,
    "target_history": target_history,
    "plan_page": plan_page,
    "export": export,
}
