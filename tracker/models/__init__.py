"""The plan database: where things are, what is planned, and what was reported."""

from tracker.models.geography import Department, Region, Town
from tracker.models.membership import Membership
from tracker.models.plans import GoalSection, Plan, SourceDocument
from tracker.models.reporting import EvidenceFile, ProgressReport, ReminderLog, ReportingPeriod
from tracker.models.targets import Target
from tracker.models.updates import ProgressUpdate

__all__ = [
    "Department",
    "EvidenceFile",
    "GoalSection",
    "Membership",
    "Plan",
    "ProgressReport",
    "ProgressUpdate",
    "ReminderLog",
    "ReportingPeriod",
    "Region",
    "SourceDocument",
    "Target",
    "Town",
]
