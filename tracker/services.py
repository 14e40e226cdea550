"""Writes that touch more than one row: each is atomic and validates before it saves."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import Error as DatabaseFault
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from tracker import freshness
from tracker.models import ProgressUpdate, SourceDocument, Target, TargetNode
from tracker.models.nodes import schedule_validate


class VersionConflict(Exception):
    """The record changed since the editor read it; their edit would overwrite another's."""

    def __init__(self, current_version: int):
        super().__init__(f"stale version; current version is {current_version}")
        self.current_version = current_version


def full_clean(instance: models.Model, **kwargs: Any) -> None:
    """`instance.full_clean(**kwargs)`, except that a database error is raised, never read as an answer.

    Django checks a CheckConstraint, and a UniqueConstraint with a condition,
    with `Q.check()`, which logs a database error and answers True: for a
    unique constraint that reads as "a row with this key exists". During a
    database fault a progress update was refused as already recorded though
    nothing was stored (issue 15, finding 5). Every query run while validating
    is watched; if one failed, that error is raised instead of the result, and
    the API answers 503 (tracker.api.exceptions).
    """
    failures: list[DatabaseFault] = []

    def watch(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except DatabaseFault as error:
            failures.append(error)
            raise

    with connection.execute_wrapper(watch):
        try:
            instance.full_clean(**kwargs)
        except ValidationError as error:
            if failures:
                raise failures[0] from error
            raise
    if failures:
        raise failures[0]


def _is_later(update: ProgressUpdate, than: ProgressUpdate | None) -> bool:
    # The latest report is the one with the latest as-of date; on the same
    # date, the one recorded last (a correction recorded after it wins).
    return than is None or (update.as_of, update.pk) > (than.as_of, than.pk)


def full_clean_in_memory(instance: models.Model) -> None:
    """`full_clean` of a row whose related rows the caller holds and whose keys it looked up.

    The fields' rules and the model's `clean()`, without the queries
    `full_clean` adds for each row: one per foreign key (does the related row
    exist), per unique key and per check constraint. A batch reads the related
    rows (locking the targets) and its keys once, and its writes keep the check
    constraints by construction (an approved report has its update; the clean()
    of an update already refuses a value and a state together); the database
    still enforces every key and constraint.
    """
    held = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and getattr(instance, field.attname) is not None
    ]
    full_clean(instance, exclude=held, validate_unique=False, validate_constraints=False)


@transaction.atomic
def progress_record(
    *,
    target: Target,
    as_of: datetime.date,
    value: Decimal | None = None,
    milestone_done: bool | None = None,
    reported_by: AbstractBaseUser | None = None,
    note: str = "",
    evidence_url: str = "",
    corrects: ProgressUpdate | None = None,
    source_document: SourceDocument | None = None,
    quote: str = "",
    client_key: str = "",
) -> ProgressUpdate:
    """Append a progress update to a target and make it current if it is the latest.

    With a client key, a retry of the same submission returns the update
    recorded the first time instead of recording it twice.
    """
    update = ProgressUpdate(
        target=target,
        as_of=as_of,
        value=value,
        milestone_done=milestone_done,
        reported_by=reported_by if reported_by and reported_by.is_authenticated else None,
        note=note,
        evidence_url=evidence_url,
        corrects=corrects,
        source_document=source_document,
        quote=quote,
        client_key=client_key,
    )
    (recorded,) = progress_record_many(updates=[update])
    if recorded is update and update.target.latest_update_id == update.pk:
        target.latest_update = update
    return recorded


@transaction.atomic
def progress_record_many(
    *, updates: Sequence[ProgressUpdate], by: AbstractBaseUser | None = None
) -> list[ProgressUpdate]:
    """Append progress updates (unsaved rows), in order, and move each target's latest pointer.

    An update whose client key its target already has (recorded before, or
    earlier in the list) is not recorded again: the first one stands in its
    place. Every update is validated before anything is written (the first
    ValidationError is raised). A fixed number of queries whatever the number
    of updates. `by` is who makes the change, for the history (by default the
    request's user).
    """
    if not updates:
        return []
    # Lock the target rows, in id order as every writer does: concurrent
    # reports for one target queue here, so the latest-update pointer is
    # always the true latest.
    locked = (
        Target.objects.select_for_update(of=("self",))
        .select_related("plan")
        .order_by("pk")
        .in_bulk({update.target_id for update in updates})
    )
    # Read the current latest in a statement of its own, after the lock: a row
    # joined into the locking statement comes from that statement's snapshot,
    # which misses an update committed by the writer we waited for.
    current = ProgressUpdate.objects.in_bulk(
        {target.latest_update_id for target in locked.values() if target.latest_update_id}
    )
    latest = {pk: current.get(target.latest_update_id) for pk, target in locked.items()}
    keys = {(update.target_id, update.client_key) for update in updates if update.client_key}
    keyed = {}
    if keys:
        keyed = {
            (earlier.target_id, earlier.client_key): earlier
            for earlier in ProgressUpdate.objects.filter(
                target_id__in={target for target, _key in keys},
                client_key__in={key for _target, key in keys},
            )
        }
    recorded, new = [], []
    for update in updates:
        earlier = keyed.get((update.target_id, update.client_key))
        if update.client_key and earlier is not None:
            recorded.append(earlier)
            continue
        update.target = locked[update.target_id]
        full_clean_in_memory(update)
        if update.client_key:
            keyed[(update.target_id, update.client_key)] = update
        recorded.append(update)
        new.append(update)
    if not new:
        return recorded
    # In list order, so that ids grow as they would with one save after another.
    bulk_create_with_history(new, ProgressUpdate, default_user=by)
    moved = {}
    for update in new:
        if _is_later(update, latest[update.target_id]):
            latest[update.target_id] = update
            moved[update.target_id] = locked[update.target_id]
            moved[update.target_id].latest_update = update
    Target.objects.bulk_update(moved.values(), ["latest_update"])
    freshness.bump()  # bulk writes send no signal
    return recorded


def _changes_anything(record: models.Model, changes: dict[str, Any]) -> bool:
    for name, value in changes.items():
        field = record._meta.get_field(name)
        if field.many_to_many:
            if {item.pk for item in getattr(record, name).all()} != {item.pk for item in value}:
                return True
        elif getattr(record, field.attname) != field.get_prep_value(
            value.pk if field.is_relation and isinstance(value, models.Model) else value
        ):
            return True
    return False


@transaction.atomic
def record_edit(
    *,
    instance: models.Model,
    changes: dict[str, Any],
    expected_version: int | None,
    user: AbstractBaseUser | None,
    touch: bool = False,
) -> models.Model:
    """Apply field changes to a versioned record, refusing a stale edit.

    `expected_version` is the version the editor read (None skips the check,
    for callers that hold the row already). `touch`: something that belongs to
    the record changes with it (a target's node schedule, `target_edit`), so
    the version moves on even when no column does. Raises VersionConflict or
    ValidationError and saves nothing in either case.
    """
    model = type(instance)
    current = model.objects.select_for_update().get(pk=instance.pk)
    expected = current.version if expected_version is None else expected_version
    if not touch and not _changes_anything(current, changes):
        # Nothing to record: the version (the ETag clients hold) and the history stay.
        if expected != current.version:
            raise VersionConflict(current.version)
        return current
    # A conditional UPDATE is the compare-and-swap: of two editors holding the
    # same version only one moves it on, on SQLite as on PostgreSQL.
    if not model.objects.filter(pk=instance.pk, version=expected).update(version=expected + 1):
        raise VersionConflict(model.objects.values_list("version", flat=True).get(pk=instance.pk))
    locked = model.objects.get(pk=instance.pk)
    m2m = {}
    for name, value in changes.items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(locked, name, value)
    full_clean(locked)
    if user is not None and user.is_authenticated:
        locked.updated_by = user
    locked.save()
    for name, value in m2m.items():
        getattr(locked, name).set(value)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def record_create(
    *,
    model: type[models.Model],
    fields: dict[str, Any],
    user: AbstractBaseUser | None,
) -> models.Model:
    """Create a record from field values, validated as a whole and stamped with its author.

    Many-to-many values are set after the row exists. Raises ValidationError
    and saves nothing if the record breaks a rule.
    """
    instance = model()
    m2m = {}
    for name, value in fields.items():
        field = model._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(instance, name, value)
    if user is not None and user.is_authenticated:
        instance.created_by = user
        instance.updated_by = user
    full_clean(instance)
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
    return instance


NODE_FIELDS = ("due_on", "planned_value", "planned_percent", "name", "done_on")


def _node_key(fields: dict[str, Any]) -> tuple:
    return tuple(fields.get(name, "" if name == "name" else None) for name in NODE_FIELDS)


def _schedule_changes(target: Target, nodes: list[dict[str, Any]]) -> bool:
    """Whether `nodes` differ from the target's schedule (amounts compared as numbers)."""
    current = [
        _node_key({name: getattr(node, name) for name in NODE_FIELDS})
        for node in TargetNode.objects.filter(target=target).order_by("due_on", "pk")
    ]
    return sorted(map(_node_key, nodes), key=lambda key: key[0]) != current


@transaction.atomic
def target_create(
    *, fields: dict[str, Any], nodes: list[dict[str, Any]] | None, user: AbstractBaseUser | None
) -> Target:
    """Create a target (record_create) and its node schedule (`target_schedule_set`), or nothing."""
    target = record_create(model=Target, fields=fields, user=user)
    if nodes:
        target_schedule_set(target=target, nodes=nodes, user=user)
    return target


@transaction.atomic
def target_edit(
    *,
    target: Target,
    changes: dict[str, Any],
    nodes: list[dict[str, Any]] | None,
    expected_version: int | None,
    user: AbstractBaseUser | None,
) -> Target:
    """Edit a target (record_edit) and, when `nodes` is given, replace its node schedule.

    The schedule is part of the target: a new one moves the target's version on
    (once, with any column changes), so the If-Match that guards the target
    guards its nodes too, and a stale version changes neither. A schedule the
    same as the old one changes nothing. All or nothing: a refused schedule
    leaves the target as it was.
    """
    touch = nodes is not None and _schedule_changes(target, nodes)
    edited = record_edit(
        instance=target, changes=changes, expected_version=expected_version, user=user, touch=touch
    )
    if touch:
        target_schedule_set(target=edited, nodes=nodes, user=user)
    return edited


@transaction.atomic
def target_schedule_set(
    *, target: Target, nodes: list[dict[str, Any]], user: AbstractBaseUser | None
) -> list[TargetNode]:
    """Replace a target's node schedule (节点目标) with `nodes`, checked whole: all or nothing.

    The schedule is part of the target: callers move the target's version on in
    the same transaction (`target_edit`), so an If-Match read covers its nodes too.
    Each node is checked by its model's rules, then the schedule as a whole
    (tracker.progress.schedule_errors); raises ValidationError under "nodes",
    each message numbered by the node's place in the list, and saves nothing.
    """
    stamp = user if user is not None and user.is_authenticated else None
    built, errors = [], []
    for number, fields in enumerate(nodes, start=1):
        node = TargetNode(target=target, created_by=stamp, updated_by=stamp)
        for name in NODE_FIELDS:
            setattr(node, name, fields.get(name, "" if name == "name" else None))
        try:
            # Uniqueness is the schedule's check below: the old nodes are being replaced.
            full_clean(node, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors += [f"{number}: {message}" for message in error.messages]
        built.append(node)
    if not errors:
        try:
            schedule_validate(target, built)
        except ValidationError as error:
            errors += error.messages
    if errors:
        raise ValidationError({"nodes": errors})
    target.nodes.all().delete()
    for node in built:
        node._history_user = stamp  # outside a request (a command, the demo) too
        node.save()  # one by one, so each node's history is kept
    return built


def next_position(siblings: models.QuerySet) -> int:
    """The position after the last of `siblings` (sections of a parent, targets of a
    section): where a row added at the end goes."""
    return (siblings.aggregate(models.Max("position"))["position__max"] or 0) + 1


def validate_version_header(value: str | None) -> int | None:
    """Read an If-Match / version value given by a client, or raise a field error."""
    if value in (None, ""):
        return None
    text = str(value).strip().strip('"').removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ValidationError({"version": _("The version must be a whole number.")})
    return int(text)
