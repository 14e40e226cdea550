"""The reports and progress updates of one transaction: read once, changed in memory, written together.

The submission policy (tracker/submission.py) and the report workflow
(tracker/workflow.py) decide what becomes of each item, and take the
workflow's steps (save, submit, approve) on a `ReportingBatch`; the batch
makes them cost a fixed number of queries whatever the number of items:

- it reads once: the reports of the items' (target, period) pairs, locked,
  and the progress updates recorded with the items' client keys;
- it locks in one order, targets (by id) before reports, as every writer of
  progress does: an approval and a batch touching the same target queue on
  the target instead of deadlocking (each waiting for a row the other holds);
- each step is taken on a copy of the report and kept in order, so a later
  item sees what an earlier one did, as it would after the earlier one's
  writes; `item()` keeps an item's steps only if all of them pass (a
  savepoint in memory), so a refused item leaves nothing for the ones after;
- `write()` writes what was kept: the new reports (one INSERT) and the
  changed ones (one UPDATE) as they stand before any approval; the progress
  updates, in the order they were made (services.progress_record_many), an
  approval's keyed by its report ("report:<id>") so that it is appended
  once; the approved reports; and the reports' history, a record per step
  with who took it, as a save per step would have left it.

SQLite takes at most 999 parameters a statement, so there Django splits a
bulk INSERT every few dozen rows. Bulk writes send no signals: `write()`
moves the data version on itself (tracker.freshness.bump).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from tracker import freshness
from tracker.choices import ReportState
from tracker.models import ProgressReport, ProgressUpdate, Target
from tracker.services import progress_record_many

Pair = tuple[int, int]  # (target id, period id): one report

# What the workflow's steps change on a report.
STEP_FIELDS = [
    "department",
    "state",
    "value",
    "milestone_done",
    "as_of",
    "note",
    "evidence_url",
    "client_key",
    "submitted_at",
    "submitted_by",
    "return_reason",
    "endorsed_at",
    "endorsed_by",
    "reviewed_at",
    "reviewed_by",
    "update",
    "updated_by",
    "updated_at",
]


@dataclass
class _Changes:
    steps: dict[Pair, list[ProgressReport]] = field(default_factory=dict)
    updates: list[ProgressUpdate] = field(default_factory=list)
    keyed: dict[tuple[int, str], ProgressUpdate] = field(default_factory=dict)  # of `updates`


def lock_targets(ids: Iterable[int]) -> None:
    """Lock target rows in id order: what every writer of progress does before it locks
    a report (the module's docstring), so that two writers never wait on each other."""
    locking = Target.objects.select_for_update(of=("self",)).filter(pk__in=sorted(set(ids)))
    list(locking.order_by("pk").values_list("pk", flat=True))


# An approval's progress update is keyed by its report: `report:<id>`. Clients may not
# use the prefix (tracker/submission.py refuses it), or their key would take the place
# of an approval's update.
APPROVAL_KEY_PREFIX = "report:"


def _approving(report: ProgressReport) -> bool:
    # Approved in memory, its update not written yet (the database refuses an
    # approved report without one).
    return report.state == ReportState.APPROVED and report.update_id is None


class ReportingBatch:
    """What one user's writes to reports and progress updates do in one transaction (module doc)."""

    def __init__(self, user):
        self.user = user
        self._found: dict[Pair, ProgressReport | None] = {}
        self._keyed: dict[tuple[int, str], ProgressUpdate | None] = {}
        self._kept = _Changes()
        self._pending: _Changes | None = None
        self._locked_targets: set[int] = set()

    # --- reads -------------------------------------------------------------------------

    def targets_locked(self, ids: Iterable[int]) -> None:
        """Note target rows the caller has locked already (in id order), so none is locked twice."""
        self._locked_targets.update(ids)

    def lock_targets(self, ids: Iterable[int]) -> None:
        """Lock these target rows, in id order, unless locked already: one query at most."""
        wanted = set(ids) - self._locked_targets
        if wanted:
            lock_targets(wanted)
            self._locked_targets.update(wanted)

    def read_reports(self, pairs: Iterable[Pair]) -> None:
        """Read (and lock) the reports of these (target id, period id) pairs, their targets
        locked first: one query, and one more where the targets were not locked yet."""
        wanted = set(pairs) - self._found.keys()
        if not wanted:
            return
        self.lock_targets(target for target, _period in wanted)
        self._found.update(dict.fromkeys(wanted))
        exactly = Q()
        for target, period in wanted:  # the pairs only, not every target x period
            exactly |= Q(target_id=target, period_id=period)
        found = (
            ProgressReport.objects.select_for_update(of=("self",))
            .select_related("target__plan__town__region", "period", "update")
            .filter(exactly)
            .order_by("pk")
        )
        for report in found:
            pair = (report.target_id, report.period_id)
            if pair in wanted:
                self._found[pair] = report

    def read_keyed_updates(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Read the progress updates recorded with these (target id, client key) pairs: one query."""
        wanted = {pair for pair in pairs if pair[1]} - self._keyed.keys()
        if not wanted:
            return
        self._keyed.update(dict.fromkeys(wanted))
        for update in ProgressUpdate.objects.filter(
            target_id__in={target for target, _key in wanted},
            client_key__in={key for _target, key in wanted},
        ):
            pair = (update.target_id, update.client_key)
            if pair in wanted:
                self._keyed[pair] = update

    def report(self, target_id: int, period_id: int) -> ProgressReport | None:
        """The report of a target for a period as the batch has it so far, or None."""
        pair = (target_id, period_id)
        for changes in (self._pending, self._kept):
            if changes is not None and changes.steps.get(pair):
                return changes.steps[pair][-1]
        if pair not in self._found:
            self.read_reports([pair])
        return self._found[pair]

    def keyed_update(self, target_id: int, client_key: str) -> ProgressUpdate | None:
        """The progress update recorded (or to be recorded) with a target's client key, or None."""
        pair = (target_id, client_key)
        for changes in (self._pending, self._kept):
            if changes is not None and pair in changes.keyed:
                return changes.keyed[pair]
        if pair not in self._keyed:
            self.read_keyed_updates([pair])
        return self._keyed.get(pair)

    # --- changes, in memory ------------------------------------------------------------

    @contextmanager
    def item(self) -> Iterator[None]:
        """One item's changes: kept if it passes, forgotten if it raises (a savepoint in memory)."""
        self._pending = _Changes()
        try:
            yield
            for pair, steps in self._pending.steps.items():
                self._kept.steps.setdefault(pair, []).extend(steps)
            self._kept.updates += self._pending.updates
            self._kept.keyed.update(self._pending.keyed)
        finally:
            self._pending = None

    def step(self, report: ProgressReport) -> ProgressReport:
        """Keep a new state of a report: a copy a workflow step made and checked."""
        # What save() would stamp (auto_now), and when the history says it happened.
        report.updated_at = report._history_date = timezone.now()
        changes = self._kept if self._pending is None else self._pending
        changes.steps.setdefault((report.target_id, report.period_id), []).append(report)
        return report

    def append(self, update: ProgressUpdate) -> ProgressUpdate:
        """Keep a progress update to record (checked by its maker), after those kept before it."""
        changes = self._kept if self._pending is None else self._pending
        changes.updates.append(update)
        if update.client_key:
            changes.keyed.setdefault((update.target_id, update.client_key), update)
        return update

    # --- writes ------------------------------------------------------------------------

    def write(self) -> None:
        """Write what the batch kept (module doc); then it is empty again."""
        kept, self._kept = self._kept, _Changes()
        if not kept.steps and not kept.updates:
            return
        rows = {}  # each report as it stands before its approval, if it changed before it
        for pair, steps in kept.steps.items():
            before = [report for report in steps if not _approving(report)]
            if before:
                rows[pair] = before[-1]
        new = [pair for pair, row in rows.items() if row.pk is None]  # in the order made
        added = set(new)
        # Their history is written below: a record per step, not one per write.
        ProgressReport.objects.bulk_create([rows[pair] for pair in new])
        ProgressReport.objects.bulk_update(
            [row for pair, row in rows.items() if pair not in added], STEP_FIELDS
        )
        for pair in new:  # every step's copy is now of the row written
            row = rows[pair]
            for report in kept.steps[pair]:
                report.pk, report.created_at = row.pk, row.created_at
                report._state.adding, report._state.db = False, row._state.db
        approved = [steps[-1] for steps in kept.steps.values() if _approving(steps[-1])]
        for report in approved:
            report.update.client_key = f"{APPROVAL_KEY_PREFIX}{report.pk}"
        if kept.updates:
            progress_record_many(updates=kept.updates, by=self.user)
        for report in approved:
            report.update = report.update  # its id, now that it is written (and kept cached)
        ProgressReport.objects.bulk_update(approved, STEP_FIELDS)
        # A record per step: the first step of a new report added it, every other changed it.
        history = ProgressReport.history
        history.bulk_history_create([kept.steps[pair][0] for pair in new], default_user=self.user)
        history.bulk_history_create(
            [
                report
                for pair, steps in kept.steps.items()
                for report in (steps[1:] if pair in added else steps)
            ],
            update=True,
            default_user=self.user,
        )
        freshness.bump()  # bulk writes send no signal
