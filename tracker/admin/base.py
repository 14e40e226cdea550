"""What every admin screen stands on: the town scope, version checks and history."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import ROUTES, Action, may, restrict, scope_for
from tracker.formatting import plain_number
from tracker.models import SourceDocument, Town


class PlainDecimalField(forms.DecimalField):
    """A decimal form field that shows 2500, not the database's 2500.0000, in its input."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return plain_number(value)
        return super().prepare_value(value)


# Every admin form (and inline) shows decimals as people write them (tracker/formatting.py).
PLAIN_NUMBERS = {models.DecimalField: {"form_class": PlainDecimalField}}


def own_town_id(request) -> int | None:
    """The user's own town, to show first: the first (by name) they are a member of, if any."""
    own = scope_for(request.user).member_town_ids
    if not own:
        return None
    return Town.objects.filter(pk__in=own).order_by("name").values_list("pk", flat=True).first()


def chosen_town_id(request) -> int | None:
    """The town a list is showing: chosen in OwnTownFilter, or by default the user's own."""
    chosen = request.GET.get(OwnTownFilter.parameter_name)
    if chosen is None:
        return own_town_id(request)
    return int(chosen) if chosen.isdigit() else None


def _plain_display(name: str, label):
    @admin.display(description=label, ordering=name)
    def shown(obj) -> str:
        return plain_number(getattr(obj, name)) or "—"

    return shown


class PlainNumbers:
    """Read-only decimals as people write them: the stock admin writes 2500.0000.

    For each DecimalField `x` of the model the admin has a display `x_plain`;
    wherever `x` is read-only (a page the user may only view, a reporter's view
    of a target, a submitted report) `x_plain` is shown in its place. Lists use
    `x_plain` in list_display. An admin that overrides get_readonly_fields
    passes its answer through `plain_readonly`.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.decimal_names = {
            field.name: field.verbose_name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DecimalField)
        }
        for name, label in self.decimal_names.items():
            setattr(self, f"{name}_plain", _plain_display(name, label))

    def plain_readonly(self, names) -> list:
        return [f"{name}_plain" if name in self.decimal_names else name for name in names]

    def get_readonly_fields(self, request, obj=None):
        return self.plain_readonly(super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.decimal_names:
            return fieldsets
        if self.has_change_permission(request, obj):
            readonly = {
                name
                for name in self.decimal_names
                if f"{name}_plain" in self.get_readonly_fields(request, obj)
            }
        else:
            readonly = set(self.decimal_names)  # a page to view: every field is read-only

        def swap(names):
            return [
                swap(name)
                if isinstance(name, list | tuple)
                else (f"{name}_plain" if name in readonly else name)
                for name in names
            ]

        return [
            (title, {**options, "fields": swap(options["fields"])}) for title, options in fieldsets
        ]


class OwnTownFilter(admin.SimpleListFilter):
    """The town filter, preselected to the user's own town; "All" shows every town in scope.

    A town's staff open a list and see their town's rows first. Superusers and
    a region's staff, who belong to no one town, start from all of theirs.
    The choices are the towns the user may see (tracker.access).
    """

    title = _("town")
    parameter_name = "town"
    town_path = "plan__town"
    ALL = "all"

    def lookups(self, request, model_admin):
        towns = restrict(Town.objects.all(), request.user, Action.STAFF).order_by("name")
        return [(str(pk), name) for pk, name in towns.values_list("pk", "name")]

    def value(self):
        chosen = self.used_parameters.get(self.parameter_name)
        if chosen is None:
            own = own_town_id(self.request)
            return None if own is None else str(own)
        return chosen

    def choices(self, changelist):
        yield {
            "selected": self.value() in (None, self.ALL),
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen is None or not chosen.isdigit():
            return queryset  # "all", or a value that is not a town: every town in scope
        return queryset.filter(**{f"{self.town_path}_id": int(chosen)})


# Rows other rows point at without being changed by it: offered as choices to
# anyone who sees them (a source document shared by two towns is either's).
REFERENCED = {SourceDocument}


class ScopedChoices:
    """Foreign-key and many-to-many choices limited to the rows the user may write with.

    Also for inlines, whose form fields are not the parent admin's.
    """

    write_action = Action.EDIT

    def scoped_choices(self, request, model):
        if model not in ROUTES:
            return None
        action = Action.STAFF if model in REFERENCED else self.write_action
        return restrict(model._default_manager.all(), request.user, action)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TownScopedAdmin(ScopedChoices, PlainNumbers, admin.ModelAdmin):
    """Every screen asks tracker.access: which rows it lists, and who writes them.

    - lists, pages, autocomplete and history: `view_action` (STAFF: the rows of
      the towns the user belongs to); another town's row does not exist here;
    - add, change and the foreign-key choices of a form: `write_action` (EDIT:
      the town's editors), checked again on the row itself when it is saved,
      so nothing can be added or moved into a town the user does not write;
    - delete: EDIT, row by row, also for the "delete selected" action.
    Superusers may do everything.
    """

    view_action = Action.STAFF
    write_action = Action.EDIT
    delete_action = Action.EDIT
    formfield_overrides = PLAIN_NUMBERS

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, self.view_action)

    def has_add_permission(self, request):
        allowed = super().has_add_permission(request)
        return allowed and scope_for(request.user).anywhere(self.write_action)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return may(request.user, self.write_action, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return may(request.user, self.delete_action, obj)

    def save_model(self, request, obj, form, change):
        # The form's choices keep a row in the user's towns; this holds even if a
        # form or an action sets a field the choices do not cover.
        if not may(request.user, self.write_action, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        # "Delete selected" asks has_delete_permission without a row: ask per row.
        if queryset.exclude(pk__in=restrict(queryset, request.user, self.delete_action)).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    # simple-history's history pages fall back to an object's historical records
    # when the queryset does not hold it (meant for deleted objects), which would
    # show another town's records: the scope is asked first.
    def history_view(self, request, object_id, extra_context=None):
        self._check_history_in_scope(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_in_scope(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_history_in_scope(self, request, object_id: str) -> None:
        if scope_for(request.user).everything:
            return
        try:
            if self.get_queryset(request).filter(pk=object_id).exists():
                return
            if self.model._default_manager.filter(pk=object_id).exists():
                raise Http404  # another town's
        except (ValueError, ValidationError):
            raise Http404 from None
        history = getattr(self.model, "history", None)
        record = (
            history.filter(**{self.model._meta.pk.attname: object_id})
            .order_by("-history_date")
            .first()
            if history is not None
            else None
        )
        try:
            seen = record is not None and may(request.user, self.view_action, record.instance)
        except ObjectDoesNotExist:
            seen = False  # its town's rows are gone too
        if not seen:
            raise Http404


class SuperuserWritesAdmin(admin.ModelAdmin):
    """Rows no town owns (regions, users, groups, tokens): written by superusers only."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class SuperusersOnlyAdmin(SuperuserWritesAdmin):
    """Screens only superusers see at all."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class VersionCheckedForm(forms.ModelForm):
    """Refuses to save over a change someone else made after this form was opened."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(
                _(
                    "Someone else changed this record while you were editing it. "
                    "Reload the page to see their change, then make yours again."
                )
            )
        return cleaned


class VersionedAdmin(TownScopedAdmin, SimpleHistoryAdmin):
    """Stamps who changed a record and moves its version on with every save."""

    form = VersionCheckedForm

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # e.g. a reporter who only added progress on the target's page
        if change:
            obj.version += 1
            obj.updated_by = request.user
        else:
            obj.created_by = obj.updated_by = request.user
        super().save_model(request, obj, form, change)
