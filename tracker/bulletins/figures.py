"""What a bulletin says, as plain data: built by sources.py, written by document.py."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from tracker import ranking


@dataclass(frozen=True)
class Overall:
    """The whole scope's figures on one day (or as a month-end snapshot had them)."""

    target_count: int
    achieved: int
    on_pace: int  # achieved or on track
    red: int | None  # red on the 督办 board (tracker.ranking); None: not kept (a snapshot)
    unreported: int  # nothing reported
    completion_rate: Decimal | None = None
    reporting_rate: Decimal | None = None  # 填报率, percent
    on_time_rate: Decimal | None = None  # 及时率, percent


@dataclass(frozen=True)
class Item:
    """A red or overdue target, as the bulletin names it."""

    title: str
    where: str  # the town
    lead_unit: str  # the lead department, or "" when none is set
    owner: str  # a named person responsible, or ""
    status: str  # the status's label
    percent: Decimal | None
    reason: str  # the note of the latest report
    as_of: datetime.date | None
    why_red: str = ""  # its 督办 warning's reasons (tracker.ranking.warning), joined
    assigned: bool = False  # a receipt of an assigned task (交办)


@dataclass(frozen=True)
class Unsigned:
    """A task assigned to a unit that it has not signed for by its sign-by date."""

    title: str
    where: str  # the town (and the department, when the task was given to one)
    sign_due: datetime.date


@dataclass(frozen=True)
class BulletinFigures:
    scope_name: str
    scope_is_region: bool  # a region ranks towns; a town ranks its departments
    year: int
    month: int
    judged_on: datetime.date
    overall: Overall
    previous: Overall | None  # last month's snapshot; None where none was kept
    standings: list[ranking.Standing] = field(default_factory=list)
    red_items: list[Item] = field(default_factory=list)
    unsigned: list[Unsigned] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.overall.target_count > 0 and self.overall.unreported < self.overall.target_count

    @property
    def ahead(self) -> list[ranking.Standing]:
        """Good examples: the first ranked with something on pace and nothing red (at most three)."""
        ranked = [
            s for s in self.standings if s.rank is not None and s.on_pace_share and not s.red_count
        ]
        return ranked[:3]

    @property
    def behind(self) -> list[ranking.Standing]:
        """Lagging: the last ranked with red targets or nothing on pace (at most three)."""
        ranked = [s for s in self.standings if s.rank is not None and s not in self.ahead]
        lagging = [s for s in ranked if s.red_count or not s.on_pace_share]
        return list(reversed(lagging))[:3]
