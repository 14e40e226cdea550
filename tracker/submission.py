"""One submission policy: every way progress comes in asks this module what becomes of it.

The API's /api/progress-updates/ and its bulk form, the admin's progress
form on a target's page, the report pages' form, and later the grid and the
Excel upload call `progress_submit` (one item) or `progress_submit_many` (a
batch). The report workflow's own steps (a draft saved through /api/reports/
or the admin, then submitted) apply the same two rules: who reports
(`access.may_report`, which `check_reporter` words as a field error) and
whether it waits for review (`workflow.review_needed`). Each submission is either

- **recorded**: it counts at once, as a ProgressUpdate (and, where it was made
  for a reporting period, as that period's report, approved); or
- **held for review**: saved and submitted as the target's ProgressReport for
  its period, counted only when a reviewer approves it (tracker/workflow.py).

The rule, in the order it is applied:

| step | rule |
|---|---|
| who | the sender reports for the target's town and, if their membership names a department, that department leads the target (`access.may_report`); else a field error on `target` |
| held or recorded | held when the town reviews progress (`Town.review_required`) and the sender is not one of its reviewers (`workflow.review_needed`); a reviewer's own entry, a superuser's, and every entry in a town that does not review are recorded |
| period | the one given (a page, the grid), else the one containing `as_of`; a held submission needs one (a field error on `as_of` if no period covers it) |
| held content | a value or milestone state, as-of, note and evidence link; corrections and source quotes are for entries that are recorded (field errors) |
| same client key, same content | a replay: the first result, nothing new (`replayed`) |
| a client key starting with `report:` | a field error on `client_key`: the prefix keys approved reports' updates |
| same client key, other content | `KeyReused`: refused, nothing changes (the API's 422) |
| another key or none, the period's report already submitted or approved | the same content is a replay; other content is `InvalidTransition` (the API's 409): a counted report is never replaced |
| a batch | all items or none: any refused item refuses the batch, and the errors come back keyed by the item's index (`SubmissionsRefused`) |
| drafts of a batch | `progress_save_drafts`: each item's period report saved as a draft (the grid's "save"), all or none, the same who rule and the same errors by index; a draft counts for nothing until submitted |

"Content" is the as-of date, the value or milestone state, the note and the
evidence link. Client keys are per target. A submission locks its target's
row first, so identical submissions sent at once queue, and each after the
first finds the first's result: a replay, never a second record or a false
conflict. A batch locks all its targets in one statement, then reads what
judging its items needs once and writes what they make together
(tracker/reporting_batch.py): a fixed number of queries, whatever its size.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracker.access import report_refusal
from tracker.choices import ReportState
from tracker.models import (
    ProgressReport,
    ProgressUpdate,
    ReportingPeriod,
    SourceDocument,
    Target,
)
from tracker.reporting_batch import APPROVAL_KEY_PREFIX, ReportingBatch
from tracker.services import full_clean_in_memory
from tracker.workflow import (
    COUNTED,
    OPEN,
    InvalidTransition,
    period_covering,
    review_needed,
    save_step,
    submit_step,
)

HELD_ONLY_FIELDS = ("corrects", "source_document", "quote")


class Outcome(StrEnum):
    RECORDED = "recorded"
    HELD = "held"


class KeyReused(Exception):
    """The client key was used before for this target with other content; nothing changed."""

    def __init__(self):
        super().__init__(_("This key was already used for a different update of this target."))


class SubmissionsRefused(Exception):
    """Some items of a batch were refused, so none was kept: a ValidationError per item index.

    A conflict (KeyReused, InvalidTransition) is given as a ValidationError
    too, with the code "key_reused" or "conflict", so a caller can show every
    item's problem in one place (a grid's cells, a spreadsheet's rows).
    """

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(f"{len(errors)} item(s) refused")
        self.errors = errors


@dataclass(frozen=True)
class ProgressItem:
    """One submission: a target's value (or milestone state) as of a day, with what backs it."""

    target: Target
    as_of: datetime.date | None = None
    value: Decimal | None = None
    milestone_done: bool | None = None
    period: ReportingPeriod | None = None
    note: str = ""
    evidence_url: str = ""
    client_key: str = ""
    corrects: ProgressUpdate | None = None
    source_document: SourceDocument | None = None
    quote: str = ""

    def fields(self) -> dict:
        """Its content, as keyword arguments (CONTENT)."""
        return {name: getattr(self, name) for name in CONTENT}

    def content(self) -> tuple:
        return tuple(self.fields().values())


# What a submission says: the fields compared for replays, and passed on to the writes.
CONTENT = ("as_of", "value", "milestone_done", "note", "evidence_url")


def content_of(data: Mapping) -> dict:
    """A submission's content from a form's cleaned data: absent text is "", absent values None.

    Every form that submits progress (the admin's, the report page's, the grid's)
    passes its data through here, so that none forgets a field.
    """
    return {
        "as_of": data.get("as_of"),
        "value": data.get("value"),
        "milestone_done": data.get("milestone_done"),
        "note": data.get("note") or "",
        "evidence_url": data.get("evidence_url") or "",
    }


@dataclass(frozen=True)
class Submission:
    """What became of a submission: recorded (an update) or held (a report), and if a replay."""

    outcome: Outcome
    update: ProgressUpdate | None  # the update that counts, when recorded
    report: ProgressReport | None  # the period's report, when held or made for a period
    replayed: bool = False  # an earlier submission's result; nothing new was written

    @property
    def held(self) -> bool:
        return self.outcome == Outcome.HELD


def progress_held(*, user, target: Target) -> bool:
    """Whether progress `user` submits on `target` waits for a reviewer before it counts."""
    return review_needed(user=user, town=target.plan.town)


def check_reporter(*, user, target: Target) -> None:
    """A field error on `target` unless `user` reports on it (its town, and their department)."""
    refusal = report_refusal(user, target)
    if refusal is not None:
        raise ValidationError({"target": [refusal]}, code="not_reporter")


@transaction.atomic
def progress_submit(
    *,
    user,
    target: Target,
    as_of: datetime.date | None = None,
    value: Decimal | None = None,
    milestone_done: bool | None = None,
    period: ReportingPeriod | None = None,
    note: str = "",
    evidence_url: str = "",
    client_key: str = "",
    corrects: ProgressUpdate | None = None,
    source_document: SourceDocument | None = None,
    quote: str = "",
) -> Submission:
    """Submit one target's progress: recorded or held for review (the rule is the module's doc).

    Raises ValidationError (field errors), KeyReused or InvalidTransition, and
    then writes nothing.
    """
    item = ProgressItem(
        target=target,
        as_of=as_of,
        value=value,
        milestone_done=milestone_done,
        period=period,
        note=note,
        evidence_url=evidence_url,
        client_key=client_key,
        corrects=corrects,
        source_document=source_document,
        quote=quote,
    )
    batch, (item,) = _read(user, [item])
    submission = _submit(batch, item)
    batch.write()
    return submission


@transaction.atomic
def progress_submit_many(*, user, items: Sequence[ProgressItem]) -> list[Submission]:
    """Submit many items, all or none: their submissions in order, or SubmissionsRefused.

    Each item is judged as `progress_submit` judges it; items may mix recorded
    and held ones. The errors of a refused batch are keyed by the item's index.
    """
    batch, items = _read(user, items)
    errors: dict[int, ValidationError] = {}
    results: list[Submission] = []
    for index, item in enumerate(items):
        try:
            with batch.item():
                results.append(_submit(batch, item))
        except ValidationError as error:
            errors[index] = error
        except KeyReused as error:
            errors[index] = ValidationError(
                {"client_key": ValidationError(str(error), code="key_reused")}
            )
        except InvalidTransition as error:
            errors[index] = ValidationError(str(error), code="conflict")
    if errors:
        # Nothing was written: the batch writes only once every item passed.
        raise SubmissionsRefused(errors)
    batch.write()
    return results


@transaction.atomic
def progress_save_drafts(*, user, items: Sequence[ProgressItem]) -> list[ProgressReport]:
    """Save each item as its period's draft report, all or none (SubmissionsRefused by index).

    Every item needs a period. A report already submitted or approved is not
    a draft any more: that item is refused with the code "conflict".
    """
    batch, items = _read(user, items)
    errors: dict[int, ValidationError] = {}
    drafts: list[ProgressReport] = []
    for index, item in enumerate(items):
        target = item.target
        try:
            with batch.item():
                check_reporter(user=user, target=target)
                if item.period is None or item.period.plan_id != target.plan_id:
                    raise ValidationError({"period": [_("Choose a period of the target's plan.")]})
                existing = batch.report(target.pk, item.period.pk)
                if existing is not None and existing.state not in OPEN:
                    raise InvalidTransition(
                        _("The report for %(period)s is already %(state)s; it cannot be replaced.")
                        % {"period": item.period.label, "state": existing.get_state_display()}
                    )
                drafts.append(
                    save_step(
                        batch,
                        target=target,
                        period=item.period,
                        **item.fields(),
                        client_key=item.client_key,
                    )
                )
        except ValidationError as error:
            errors[index] = error
        except InvalidTransition as error:
            errors[index] = ValidationError(str(error), code="conflict")
    if errors:
        raise SubmissionsRefused(errors)
    batch.write()
    return drafts


# ----------------------------------------------------------------- the steps


class _Batch(ReportingBatch):
    """A batch of submissions: what it reads and writes, and each plan's periods in order."""

    def __init__(self, user, periods: dict[int, list[ReportingPeriod]]):
        super().__init__(user)
        self.periods = periods


def _read(user, items: Sequence[ProgressItem]) -> tuple[_Batch, list[ProgressItem]]:
    """Lock the items' targets, then read once what judging them needs (a fixed number of
    queries): the items, with their targets locked, and the batch that holds what was read."""
    # Lock every target row in id order (one order for all writers, so two
    # batches cannot deadlock): identical submissions sent at once queue here,
    # and each, after the lock, reads what the one before it committed.
    ids = sorted({item.target.pk for item in items})
    locked = (
        Target.objects.select_for_update(of=("self",))
        .select_related("plan__town__region")
        .order_by("pk")
        .in_bulk(ids)
    )
    items = [replace(item, target=locked[item.target.pk]) for item in items]
    # The periods of the plans of the items that name none (the one containing as_of).
    plans = {item.target.plan_id for item in items if item.period is None and item.as_of}
    periods: dict[int, list[ReportingPeriod]] = {plan: [] for plan in plans}
    if plans:
        for period in ReportingPeriod.objects.filter(plan_id__in=plans).order_by(
            "plan_id", "starts_on"
        ):
            periods[period.plan_id].append(period)
    batch = _Batch(user, periods)
    batch.targets_locked(ids)
    reports = []
    for item in items:
        period = item.period or (_covering(batch, item) if item.as_of else None)
        if period is not None:
            reports.append((item.target.pk, period.pk))
    batch.read_reports(reports)
    batch.read_keyed_updates(
        (item.target.pk, item.client_key) for item in items if item.period is None
    )
    return batch, items


def _covering(batch: _Batch, item: ProgressItem) -> ReportingPeriod | None:
    return period_covering(batch.periods[item.target.plan_id], item.as_of)


def _submit(batch: _Batch, item: ProgressItem) -> Submission:
    check_reporter(user=batch.user, target=item.target)
    if item.client_key.startswith(APPROVAL_KEY_PREFIX):
        raise ValidationError(
            {"client_key": [_("Keys starting with “report:” are kept for approved reports.")]}
        )
    if item.period is not None and item.period.plan_id != item.target.plan_id:
        raise ValidationError({"period": [_("The period belongs to another plan.")]})
    if progress_held(user=batch.user, target=item.target):
        return _hold(batch, item)
    if item.period is not None:
        return _record_for_period(batch, item)
    return _record(batch, item)


def _record(batch: _Batch, item: ProgressItem) -> Submission:
    """A submission that counts at once, with no period: a progress update."""
    if item.as_of is None:
        raise ValidationError({"as_of": [_("Give the date the value is as of.")]})
    if item.client_key:
        earlier = batch.keyed_update(item.target.pk, item.client_key)
        if earlier is not None:
            if _content_of_update(earlier) != item.content():
                raise KeyReused()
            return Submission(Outcome.RECORDED, update=earlier, report=None, replayed=True)
    update = ProgressUpdate(
        target=item.target,
        reported_by=batch.user if batch.user.is_authenticated else None,
        **item.fields(),
        corrects=item.corrects,
        source_document=item.source_document,
        quote=item.quote,
        client_key=item.client_key,
    )
    full_clean_in_memory(update)
    return Submission(Outcome.RECORDED, update=batch.append(update), report=None)


def _hold(batch: _Batch, item: ProgressItem) -> Submission:
    """A submission that waits for review: its period's report, submitted."""
    extra = [name for name in HELD_ONLY_FIELDS if getattr(item, name)]
    if extra:
        message = _(
            "A report waiting for review carries a value, a date, a note and an evidence link; "
            "corrections and source quotes are recorded by the town's reviewers."
        )
        raise ValidationError({name: [message] for name in extra})
    period = _period_of(batch, item)
    report, replay = _existing_report(batch, item, period)
    if replay:
        return Submission(Outcome.HELD, update=None, report=report, replayed=True)
    report = _save_and_submit(batch, item, period)
    return Submission(Outcome.HELD, update=None, report=report)


def _record_for_period(batch: _Batch, item: ProgressItem) -> Submission:
    """A submission for a period that counts at once: the period's report, approved."""
    period = item.period
    report, replay = _existing_report(batch, item, period)
    if not replay:
        report = _save_and_submit(batch, item, period)
    # A replay may find the period's report still waiting for review (someone
    # else submitted it): it is held, whoever sends it again.
    outcome = Outcome.RECORDED if report.state == ReportState.APPROVED else Outcome.HELD
    return Submission(outcome, update=report.update, report=report, replayed=replay)


def _period_of(batch: _Batch, item: ProgressItem) -> ReportingPeriod:
    if item.period is not None:
        return item.period
    period = _covering(batch, item) if item.as_of else None
    if period is None:
        raise ValidationError(
            {
                "as_of": [
                    _(
                        "This town reviews progress by reporting period, and no period of the "
                        "plan covers this date. Its editors can add the periods "
                        "(POST /api/plans/{id}/periods/generate/)."
                    )
                ]
            }
        )
    return period


def _existing_report(
    batch: _Batch, item: ProgressItem, period: ReportingPeriod
) -> tuple[ProgressReport | None, bool]:
    """The period's report and whether this submission replays it; raises on a conflict."""
    report = batch.report(item.target.pk, period.pk)
    if report is None:
        return None, False
    same = _content_of_report(report, period) == _content_with_period(item, period)
    if item.client_key and report.client_key == item.client_key:
        if not same:
            raise KeyReused()
        return report, True
    if report.state in COUNTED:
        if same:
            return report, True
        raise InvalidTransition(
            _("The report for %(period)s is already %(state)s; it cannot be replaced.")
            % {"period": period.label, "state": report.get_state_display()}
        )
    return report, False  # a draft or a returned report: this submission rewrites it


def _save_and_submit(batch: _Batch, item: ProgressItem, period: ReportingPeriod) -> ProgressReport:
    report = save_step(
        batch,
        target=item.target,
        period=period,
        **item.fields(),
        client_key=item.client_key,
    )
    # submit_step approves at once where no review is needed (the same rule).
    return submit_step(batch, report)


def _content_of_update(update: ProgressUpdate) -> tuple:
    return (update.as_of, update.value, update.milestone_done, update.note, update.evidence_url)


def _content_of_report(report: ProgressReport, period: ReportingPeriod) -> tuple:
    return (
        report.as_of or period.ends_on,
        report.value,
        report.milestone_done,
        report.note,
        report.evidence_url,
    )


def _content_with_period(item: ProgressItem, period: ReportingPeriod) -> tuple:
    # A report without an as-of date speaks for its period's end (workflow._approve).
    return (item.as_of or period.ends_on, *item.content()[1:])
