"""The reporting workflow's forms: a department's report on a target for a period."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.choices import TargetKind
from tracker.evidence import evidence_check
from tracker.models import Target


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files at once, each checked by tracker.evidence.evidence_check."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                evidence_check(upload)
            except ValidationError as error:
                raise ValidationError(
                    f"{upload.name}: {' '.join(error.message_dict['file'])}"
                ) from error
            cleaned.append(upload)
        return cleaned


DONE_CHOICES = [("", "—"), ("yes", gettext_lazy("done")), ("no", gettext_lazy("not done"))]


class ReportForm(forms.Form):
    """A department's report on one target for one period."""

    value = forms.DecimalField(
        label=gettext_lazy("Value reached"), required=False, max_digits=20, decimal_places=4
    )
    milestone_done = forms.TypedChoiceField(
        label=gettext_lazy("Milestone"),
        choices=DONE_CHOICES,
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    files = EvidenceFilesField(
        label=gettext_lazy("Evidence files"),
        required=False,
        help_text=gettext_lazy("PDF, images or office documents."),
    )

    def __init__(self, *args, target: Target, **kwargs):
        super().__init__(*args, **kwargs)
        # A milestone is done or not; a quantitative target takes a number.
        del self.fields["value" if target.kind == TargetKind.MILESTONE else "milestone_done"]
        if target.unit and "value" in self.fields:
            self.fields["value"].label = _("Value reached (%(unit)s)") % {"unit": target.unit}
