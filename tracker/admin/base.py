"""What every admin screen stands on: the town scope, version checks and history."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import scope_for
from tracker.models import (
    Department,
    GoalSection,
    Plan,
    PlanImport,
    ProgressReport,
    ProgressUpdate,
    ReportingPeriod,
    Target,
    Town,
)

admin.site.site_header = _("Plan tracker")
admin.site.site_title = _("Plan tracker")
admin.site.index_title = _("Data entry")

# How each model reaches its town: the admin shows staff only their towns' rows.
TOWN_FIELD = {
    Town: None,
    Department: "town",
    Plan: "town",
    GoalSection: "plan__town",
    Target: "plan__town",
    ProgressUpdate: "target__plan__town",
    ReportingPeriod: "plan__town",
    ProgressReport: "target__plan__town",
    PlanImport: "town",
}


def town_id_of(obj) -> int | None:
    path = TOWN_FIELD.get(type(obj), "")
    if path is None:
        return obj.pk
    for part in path.split("__"):
        obj = getattr(obj, part, None)
    return obj.pk if obj is not None else None


class TownScopedAdmin(admin.ModelAdmin):
    """Staff see their own towns' records, and change them only as the town's editors.

    The same scoping applies to foreign-key choices and to autocomplete (which
    reads the related model admin's get_queryset). Superusers see everything.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(scope_for(request.user).towns(TOWN_FIELD[self.model]))

    def scoped_choices(self, request, model):
        if model not in TOWN_FIELD:
            return None
        return model._default_manager.filter(scope_for(request.user).towns(TOWN_FIELD[model]))

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

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_edit(town_id_of(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return scope_for(request.user).can_edit(town_id_of(obj))

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
        scope = scope_for(request.user)
        if scope.everything:
            return
        try:
            if self.get_queryset(request).filter(pk=object_id).exists():
                return
            if self.model._default_manager.filter(pk=object_id).exists():
                raise Http404  # another town's
        except (ValueError, ValidationError):
            raise Http404 from None
        record = (
            self.model.history.filter(**{self.model._meta.pk.attname: object_id})
            .order_by("-history_date")
            .first()
        )
        try:
            town_id = town_id_of(record.instance) if record is not None else None
        except ObjectDoesNotExist:
            town_id = None  # its town's rows are gone too
        if town_id is None or not Town.objects.filter(scope.towns(), pk=town_id).exists():
            raise Http404


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
