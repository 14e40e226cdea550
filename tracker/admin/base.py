"""What every admin screen stands on: the town scope, version checks and history."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.access import ROUTES, Action, may, restrict, scope_for
from tracker.models import SourceDocument

admin.site.site_header = _("Plan tracker")
admin.site.site_title = _("Plan tracker")
admin.site.index_title = _("Data entry")

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


class TownScopedAdmin(ScopedChoices, admin.ModelAdmin):
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
