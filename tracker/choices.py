"""The fixed vocabularies of the domain: levels, kinds, comparisons, statuses, roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class TownKind(models.TextChoices):
    TOWN = "town", _("Town")
    SUBDISTRICT = "subdistrict", _("Sub-district")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


# Plans the public may read: a draft is work in progress of the town's staff.
PUBLISHED_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.CLOSED)


class TargetKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    MILESTONE = "milestone", _("Milestone")


class Comparison(models.TextChoices):
    """How a quantitative target's value is to be read (see DOMAIN.md)."""

    # Labels are words first (a list of choices reads "完成", "以上", "左右"), the
    # sign after them; how a target is written out is tracker/wording.py.
    EQ = "eq", _("complete (=)")
    GE = "ge", _("or more (≥)")
    GT = "gt", _("more than (>)")
    LE = "le", _("at most (≤)")
    LT = "lt", _("less than (<)")
    APPROX = "approx", _("about (≈)")
    RANGE = "range", _("range (—)")


class ProgressBasis(models.TextChoices):
    """Whether a reported value is the total so far (累计) or the period's own (当期)."""

    CUMULATIVE = "cumulative", _("Cumulative")
    PERIOD = "period", _("Per period")


class Status(models.TextChoices):
    """A target's standing against the expected pace; rule in tracker/progress.py."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BEHIND = "behind", _("Behind")
    UNMET = "unmet", _("Not achieved")
    OVERDUE = "overdue", _("Overdue, not reported")
    NOT_STARTED = "not_started", _("Not started")
    NO_DATA = "no_data", _("No data")


# The statuses that show red (督查's 红灯); the warnings of tracker/workflow.py agree.
RED_STATUSES = frozenset({Status.BEHIND, Status.UNMET, Status.OVERDUE})


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    REPORTER = "reporter", _("Reporter")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")


# Units the documents use; a target may use another, these are suggestions.
COMMON_UNITS = (
    "亩", "万亩", "个", "家", "所", "件", "名", "人", "%", "亿元", "万元",
    "万平方米", "平方米", "公里", "条", "栋", "项", "倍",
)  # fmt: skip


class ReportState(models.TextChoices):
    """Where a department's periodic report stands; transitions in tracker/workflow.py."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ENDORSED = "endorsed", _("Approved by the town, awaiting the region")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class AssignmentSource(models.TextChoices):
    """Where an assigned task (交办事项) comes from."""

    DOCUMENT = "document", _("Document (文件)")
    MEETING = "meeting", _("Meeting (会议)")
    INSTRUCTION = "instruction", _("Leader's instruction (批示)")


class ReceiptState(models.TextChoices):
    """Where a receiver stands with an assigned task; rule in tracker/workflow.py."""

    AWAITING = "awaiting", _("Awaiting signature")
    LATE = "late", _("Not signed for in time")
    SIGNED = "signed", _("Signed for")


class WarningLevel(models.TextChoices):
    """督办 colours; the rule is in tracker/workflow.py (warning_for)."""

    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")
