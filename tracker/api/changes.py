"""The audit trail through the API: /api/{plans,sections,targets,departments}/{id}/changes/.

django-simple-history keeps a row for every save of these records (tracker.models);
this lists them newest first, each with when, who, what kind of change, and each
changed field's value before and after (`HistoricalRecord.diff_against`).

- What may be read: the object's own rule, since the action looks it up through
  the viewset's `get_queryset()` (a draft's changes are a 404 to outsiders).
- Who: the username only for users of the object's town or a region above it
  (`Scope.belongs_to`, as for `reported_by` of progress); anyone else sees null.
- Cost: a fixed number of queries per page whatever the number of records. The
  previous record of the page's last one is read in one query, and the
  many-to-many rows (a target's helping departments) in one more, instead of
  the two queries per record that `diff_against` makes for them.
"""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from tracker.access import scope_for
from tracker.api.pagination import PageNumberPagination
from tracker.filters import as_id

CHANGE_TYPES = [("+", _("created")), ("~", _("changed")), ("-", _("deleted"))]


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("The field's name, as the resource names it."))
    before = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "The value before (null on creation). Numbers with decimals and dates are "
            "strings, a foreign key is an id, a list of departments a list of ids."
        ),
    )
    after = serializers.JSONField(allow_null=True, help_text=_("The value after."))


class ChangeSerializer(serializers.Serializer):
    """One historical record of an object: a save, with what it changed."""

    id = serializers.IntegerField(help_text=_("The historical record's id."))
    at = serializers.DateTimeField(help_text=_("When the change was saved."))
    type = serializers.ChoiceField(
        choices=CHANGE_TYPES, help_text=_("+ created, ~ changed, - deleted.")
    )
    user = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Who made the change (a username); shown only to the town's own users and "
            "its region's, and null when it was not made by a signed-in user."
        ),
    )
    version = serializers.IntegerField(
        allow_null=True, help_text=_("The record's version after the change, if it has one.")
    )
    changes = FieldChangeSerializer(
        many=True,
        help_text=_(
            "The fields whose values differ from the previous record, by name; on creation, "
            "every field given a value."
        ),
    )


def plain(value):
    """A field value as JSON writes it without loss: decimals and dates as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _m2m_values(records: list, model) -> dict[str, dict[int, list[int]]]:
    """For each many-to-many field: historical record id → the related ids it held (sorted).

    One query per field for all the records, instead of two per record.
    """
    history = model.history.model
    found: dict[str, dict[int, list[int]]] = {}
    for field in history._history_m2m_fields:
        # simple-history names the historical through model "<historical model>_<field>".
        through = history._meta.get_field(f"{history._meta.model_name}_{field.name}").related_model
        target_column = f"{field.m2m_reverse_field_name()}_id"
        ids = {record.history_id: [] for record in records}
        rows = (
            through.objects.filter(history_id__in=list(ids))
            .order_by(target_column)
            .values_list("history_id", target_column)
        )
        for history_id, related_id in rows:
            ids[history_id].append(related_id)
        found[field.name] = ids
    return found


def record_changes(records: list, older, model) -> list[dict]:
    """Each record (newest first) with its differences from the record before it.

    `older` is the record before the last one of `records` (None if that one is
    the first). Makes one query per many-to-many field, none otherwise.
    """
    chain = [*records, older] if older is not None else list(records)
    m2m = _m2m_values(chain, model)
    m2m_names = set(m2m)
    found = []
    for index, record in enumerate(records):
        before = chain[index + 1] if index + 1 < len(chain) else None
        if before is None:
            # A creation (or the first record kept): every field given a value.
            names = {f.name for f in record.tracked_fields if f.editable} - m2m_names
            changes = [
                {
                    "field": name,
                    "before": None,
                    "after": plain(getattr(record, _attname(record, name))),
                }
                for name in sorted(names)
                if getattr(record, _attname(record, name)) not in (None, "")
            ]
            changes += [
                {"field": name, "before": None, "after": values[record.history_id]}
                for name, values in m2m.items()
                if values[record.history_id]
            ]
        else:
            delta = record.diff_against(before, excluded_fields=m2m_names)
            changes = [
                {"field": change.field, "before": plain(change.old), "after": plain(change.new)}
                for change in delta.changes
            ]
            changes += [
                {
                    "field": name,
                    "before": values[before.history_id],
                    "after": values[record.history_id],
                }
                for name, values in m2m.items()
                if values[before.history_id] != values[record.history_id]
            ]
        changes.sort(key=lambda change: change["field"])
        found.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "type": record.history_type,
                "user": record.history_user,
                "version": getattr(record, "version", None),
                "changes": changes,
            }
        )
    return found


def _attname(record, name: str) -> str:
    return record._meta.get_field(name).attname


class ChangesMixin:
    """Adds GET {id}/changes/ to a viewset: its object's audit trail, newest first.

    The viewset says how its model reaches its town (`changes_town`, for showing
    the user only to the town's side).
    """

    changes_town: str = "town"

    @extend_schema(
        responses=ChangeSerializer(many=True),
        summary=_("The record's audit trail: every change, who made it, before and after"),
    )
    @action(
        detail=True,
        filter_backends=[],
        pagination_class=PageNumberPagination,
        url_path="changes",
        url_name="changes",
    )
    def changes(self, request, pk=None):
        """Every saved change of this record, newest first, with the fields it changed.

        The user who made it is shown only to the town's own users and its region's.
        """
        obj = self.changes_object(pk)
        records = obj.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        page = list(self.paginate_queryset(records))
        older = None
        if page:
            last = page[-1]
            older = records.filter(
                Q(history_date__lt=last.history_date)
                | Q(history_date=last.history_date, history_id__lt=last.history_id)
            ).first()
        town = obj
        for part in self.changes_town.split("__") if self.changes_town else ():
            town = getattr(town, part)
        shows_users = scope_for(request.user).belongs_to(town)
        rows = record_changes(page, older, type(obj))
        for row in rows:
            user = row["user"]
            row["user"] = user.get_username() if (user is not None and shows_users) else None
        return self.get_paginated_response(ChangeSerializer(rows, many=True).data)

    def changes_object(self, pk):
        """The object, by the viewset's own reading rule, with its town and region joined."""
        readable = self.get_queryset().select_related(None).prefetch_related(None).defer(None)
        town = self.changes_town
        joins = f"{town}__region" if town else "region"
        return get_object_or_404(readable.select_related(joins), pk=_as_pk(pk))


def _as_pk(value) -> int:
    pk = as_id(str(value))
    return pk if pk is not None else 0  # not an id: no such object, a 404
