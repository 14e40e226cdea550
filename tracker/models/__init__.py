"""The plan database: where things are, what is planned, and what was reported."""

from tracker.models.assignments import Assignment
from tracker.models.demo import DemoRecord
from tracker.models.freshness import DataVersion
from tracker.models.geography import Department, Region, Town
from tracker.models.imports import (
    CandidateKind,
    Decision,
    ImportState,
    PlanImport,
    SectionCandidate,
    TargetCandidate,
)
from tracker.models.judged import JudgedStatus
from tracker.models.membership import Membership
from tracker.models.nodes import TargetNode
from tracker.models.notifications import ChannelKind, Chase, NotificationChannel
from tracker.models.plans import GoalSection, Plan, SourceDocument
from tracker.models.reporting import EvidenceFile, ProgressReport, ReminderLog, ReportingPeriod
from tracker.models.snapshots import StatusSnapshot
from tracker.models.targets import Target
from tracker.models.updates import ProgressUpdate

__all__ = [
    "Assignment",
    "CandidateKind",
    "ChannelKind",
    "Chase",
    "DataVersion",
    "Decision",
    "DemoRecord",
    "Department",
    "EvidenceFile",
    "GoalSection",
    "ImportState",
    "JudgedStatus",
    "Membership",
    "NotificationChannel",
    "Plan",
    "PlanImport",
    "ProgressReport",
    "ProgressUpdate",
    "ReminderLog",
    "ReportingPeriod",
    "Region",
    "SectionCandidate",
    "SourceDocument",
    "StatusSnapshot",
    "Target",
    "TargetCandidate",
    "TargetNode",
    "Town",
]
