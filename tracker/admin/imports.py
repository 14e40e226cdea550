"""Plan imports: upload a document, review what it proposes, accept or reject."""

from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tracker.access import Action, may, restrict
from tracker.admin.base import PLAIN_NUMBERS, TownScopedAdmin
from tracker.extraction.decoding import MAX_BYTES as MAX_DOCUMENT_BYTES
from tracker.importing import (
    candidate_quote_relocate,
    candidates_accept,
    candidates_reject,
    plan_import_create,
)
from tracker.models import (
    Decision,
    PlanImport,
    SectionCandidate,
    TargetCandidate,
    Town,
)
from tracker.today import reporting_today

# Candidates per page on the review screen, each kind: a page of rows must stay
# under DATA_UPLOAD_MAX_NUMBER_FIELDS (1000) when it is posted back.
REVIEW_PAGE_SIZE = 40
REVIEW_PAGE_PARAM = "candidates_page"


class Mark(NamedTuple):
    start: int
    end: int
    id: str
    css: str
    title: str


def document_with_marks(text: str, marks: list[Mark]) -> str:
    """The document as safe HTML with each quote in a <mark>, placed by its offsets.

    Every piece of text is escaped. Quotes may overlap (two figures in one
    sentence, a milestone inside a heading): the text is cut at every start
    and end, and each piece is marked for every quote that covers it. A
    quote's id sits on the mark where it starts, so "#quote-t-12" scrolls to it.
    """
    size = len(text)
    opening: dict[int, list[Mark]] = {}
    points = {0, size}
    for mark in marks:
        start, end = min(max(mark.start, 0), size), min(max(mark.end, 0), size)
        mark = mark._replace(start=start, end=max(start, end))
        opening.setdefault(start, []).append(mark)
        points.update((start, mark.end))
    cuts = sorted(points)
    active: list[Mark] = []
    pieces: list[str] = []
    for here, following in zip(cuts, cuts[1:] + [size], strict=True):
        active = [mark for mark in active if mark.end > here]
        starting = sorted(opening.get(here, []), key=lambda m: -m.end)
        # A quote of no length still gets its anchor.
        for mark in starting:
            if mark.end == mark.start:
                pieces.append(format_html('<mark id="{}" class="{}"></mark>', mark.id, mark.css))
        starting = [mark for mark in starting if mark.end > mark.start]
        for mark in starting[1:]:
            pieces.append(format_html('<mark id="{}" class="{}"></mark>', mark.id, mark.css))
        active += starting
        piece = text[here:following]
        if not piece:
            continue
        if not active:
            pieces.append(escape(piece))
            continue
        innermost = min(active, key=lambda m: m.end - m.start)
        css = innermost.css + (" pt-overlap" if len(active) > 1 else "")
        pieces.append(
            format_html(
                '<mark{} class="{}" title="{}">{}</mark>',
                format_html(' id="{}"', starting[0].id) if starting else "",
                css,
                " · ".join(mark.title for mark in active),
                piece,
            )
        )
    return mark_safe("".join(pieces))  # every piece is escaped above


def review_page(request) -> int:
    raw = request.GET.get(REVIEW_PAGE_PARAM, "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


class CandidateForm(forms.ModelForm):
    """A candidate's row: what the reviewer may correct, and a box to choose it."""

    selected = forms.BooleanField(label=_("choose"), required=False)
    document_text = ""  # set per import by CandidateInline.get_formset

    def clean(self):
        cleaned = super().clean()
        edited = [name for name in self.changed_data if name != "selected"]
        if edited and self.instance.pk and self.instance.created_id:
            raise ValidationError(_("This candidate was accepted: change what it created instead."))
        return cleaned


def _as_typed(quote: str | None) -> str:
    return (quote or "").replace("\r\n", "\n").strip()


class QuoteField(forms.CharField):
    """A quote in a textarea. Browsers send its line breaks back as CRLF: not an edit."""

    def has_changed(self, initial, data):
        return _as_typed(initial) != _as_typed(self.to_python(data))


class TargetCandidateForm(CandidateForm):
    quote = QuoteField(
        label=_("source quote"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 16}),
    )

    class Meta:
        model = TargetCandidate
        fields = [
            "title", "metric", "target_kind", "comparison", "value", "value_max", "unit",
            "is_growth", "is_stretch", "deadline", "quote",
        ]  # fmt: skip
        # Widths come from admin.css's fixed table layout (no inline style: CSP).
        widgets = {
            "title": forms.TextInput(attrs={"size": 12}),
            "metric": forms.TextInput(attrs={"size": 12}),
            "unit": forms.TextInput(attrs={"size": 3}),
        }

    def clean_quote(self):
        quote = self.cleaned_data["quote"]
        if not self.fields["quote"].has_changed(self.instance.quote, quote):
            return self.instance.quote
        # As typed, or with the browser's CRLF line breaks put back to the document's LF.
        for variant in dict.fromkeys((quote, quote.replace("\r\n", "\n"))):
            try:
                candidate_quote_relocate(
                    candidate=self.instance, quote=variant, text=self.document_text
                )
            except ValidationError as error:
                refused = error
            else:
                return self.instance.quote
        raise ValidationError(refused.message_dict["quote"])


class SectionCandidateForm(CandidateForm):
    class Meta:
        model = SectionCandidate
        fields = ["label", "title", "grouping"]
        widgets = {
            "label": forms.TextInput(attrs={"size": 4}),
            "title": forms.TextInput(attrs={"size": 36}),
            "grouping": forms.TextInput(attrs={"size": 10}),
        }


class CandidateInline(admin.TabularInline):
    """One page of an import's candidates, editable by the town's editors until accepted."""

    extra = 0
    can_delete = False
    formfield_overrides = PLAIN_NUMBERS
    related: list[str] = []
    created_admin = ""  # the admin of what an accepted candidate created
    anchor = ""  # the id prefix of its quote's <mark>

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related(*self.related)
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        if object_id is None or not str(object_id).isdigit():
            return queryset
        first = (review_page(request) - 1) * REVIEW_PAGE_SIZE
        page = (
            self.model.objects.filter(plan_import_id=int(object_id))
            .order_by("position", "id")
            .values("pk")[first : first + REVIEW_PAGE_SIZE]
        )
        return queryset.filter(pk__in=page)

    def get_formset(self, request, obj=None, **kwargs):
        text = obj.source_document.text if obj is not None else ""
        kwargs["form"] = type(self.form.__name__, (self.form,), {"document_text": text})
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return may(request.user, Action.EDIT, obj)

    @admin.display(description=_("in the document"))
    def in_document(self, obj) -> str:
        if obj.end <= obj.start:
            return "—"
        return format_html('<a href="#{}-{}">{}</a>', self.anchor, obj.pk, _("show"))

    @admin.display(description=_("created"))
    def created(self, obj) -> str:
        if not obj.created_id:
            return "—"
        url = reverse(f"admin:tracker_{self.created_admin}_change", args=[obj.created_id])
        return format_html('<a href="{}">{}</a>', url, _("open"))


class SectionCandidateInline(CandidateInline):
    model = SectionCandidate
    form = SectionCandidateForm
    related = ["parent"]
    created_admin = "goalsection"
    anchor = "quote-s"
    fields = [
        "selected", "position", "decision", "under", "label", "title", "grouping",
        "in_document", "created",
    ]  # fmt: skip
    readonly_fields = ["position", "decision", "under", "in_document", "created"]

    @admin.display(description=_("under"))
    def under(self, obj: SectionCandidate) -> str:
        return str(obj.parent) if obj.parent_id else "—"


class TargetCandidateInline(CandidateInline):
    model = TargetCandidate
    form = TargetCandidateForm
    related = ["section_candidate"]
    created_admin = "target"
    anchor = "quote-t"
    fields = [
        "selected", "position", "kind", "decision", "in_section", "title", "metric", "target_kind",
        "comparison", "value", "value_max", "unit", "is_growth", "is_stretch", "deadline",
        "quote", "in_document", "created",
    ]  # fmt: skip
    readonly_fields = ["position", "kind", "decision", "in_section", "in_document", "created"]

    @admin.display(description=_("section"))
    def in_section(self, obj: TargetCandidate) -> str:
        section = obj.section_candidate
        if section is None:
            return "—"
        # The label keeps the column narrow; the heading is in the tooltip.
        return format_html(
            '<span title="{}">{}</span>', section, section.label or section.title[:8]
        )


class PlanImportUploadForm(forms.Form):
    document = forms.FileField(
        label=_("document"),
        allow_empty_file=True,  # the extractor says what is wrong with an empty file
        help_text=_(
            "Word (.docx), PDF with a text layer, or plain text, Markdown or HTML in UTF-8 "
            "or GB18030; at most 10 MB."
        ),
    )
    town = forms.ModelChoiceField(label=_("town"), queryset=Town.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["year"].initial = reporting_today().year

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_DOCUMENT_BYTES:
            # Refused before it is read into memory.
            raise ValidationError(
                _("The document is too large: %(size)s bytes; the limit is 10 MB.")
                % {"size": f"{upload.size:,}"}
            )
        return upload


@admin.register(PlanImport)
class PlanImportAdmin(TownScopedAdmin):
    """Upload a document (the add page), then review its candidates on the import's page."""

    list_display = [
        "__str__", "town", "year", "state", "target_count", "pending_count", "accepted_count",
        "created_by", "created_at",
    ]  # fmt: skip
    list_select_related = ["town", "created_by"]
    list_filter = ["state", "year", "town"]
    search_fields = ["filename", "town__name", "source_document__title"]
    fields = ["source_document", "town", "year", "plan", "filename", "state", "created_by"]
    readonly_fields = fields
    inlines = [SectionCandidateInline, TargetCandidateInline]
    change_form_template = "admin/tracker/planimport/change_form.html"
    upload_template = "admin/tracker/planimport/upload.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("town", "created_by")
        match = request.resolver_match
        if match and match.url_name == "tracker_planimport_changelist":
            pending, accepted = (
                Q(target_candidates__decision=decision)
                for decision in (Decision.PENDING, Decision.ACCEPTED)
            )
            return queryset.annotate(
                targets=Count("target_candidates"),
                pending=Count("target_candidates", filter=pending),
                accepted=Count("target_candidates", filter=accepted),
            )
        return queryset.select_related("source_document", "plan")

    @admin.display(description=_("target candidates"), ordering="targets")
    def target_count(self, obj) -> int:
        return obj.targets

    @admin.display(description=_("to review"), ordering="pending")
    def pending_count(self, obj) -> int:
        return obj.pending

    @admin.display(description=_("accepted"), ordering="accepted")
    def accepted_count(self, obj) -> int:
        return obj.accepted

    def add_view(self, request, form_url="", extra_context=None):
        """The upload page: a document, a town and a year become an import to review."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        towns = restrict(Town.objects.all(), request.user, Action.EDIT)
        if request.method == "POST":
            form = PlanImportUploadForm(request.POST, request.FILES, towns=towns)
        else:
            form = PlanImportUploadForm(towns=towns)
        if form.is_valid():
            upload = form.cleaned_data["document"]
            try:
                plan_import = plan_import_create(
                    data=upload.read(),
                    filename=upload.name,
                    town=form.cleaned_data["town"],
                    year=form.cleaned_data["year"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error("document", " ".join(error.messages))
            else:
                if plan_import.created:
                    self.log_addition(request, plan_import, [{"added": {}}])
                    messages.success(request, _("Imported: review the candidates below."))
                else:
                    messages.info(
                        request,
                        _("This document was imported for that town and year before: here it is."),
                    )
                return HttpResponseRedirect(
                    reverse("admin:tracker_planimport_change", args=[plan_import.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a plan document"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.upload_template, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.review_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_context(self, request, obj: PlanImport) -> dict:
        marks = [
            Mark(start, end, f"quote-s-{pk}", f"pt-section pt-{decision}", f"§{position}")
            for pk, position, start, end, decision in obj.section_candidates.values_list(
                "pk", "position", "start", "end", "decision"
            )
        ]
        sections = len(marks)
        decisions: dict[str, int] = {}
        for pk, position, start, end, kind, decision in obj.target_candidates.values_list(
            "pk", "position", "start", "end", "kind", "decision"
        ):
            marks.append(
                Mark(start, end, f"quote-t-{pk}", f"pt-{kind} pt-{decision}", f"#{position}")
            )
            decisions[decision] = decisions.get(decision, 0) + 1
        targets = len(marks) - sections
        pages = max(1, -(-max(sections, targets) // REVIEW_PAGE_SIZE))
        return {
            "document_html": document_with_marks(obj.source_document.text, marks),
            "review_page": review_page(request),
            "review_pages": range(1, pages + 1),
            "review_page_param": REVIEW_PAGE_PARAM,
            "review_counts": {
                "sections": sections,
                "targets": targets,
                **{decision: decisions.get(decision, 0) for decision in Decision.values},
            },
        }

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # Remember the ticked rows for response_change, which runs after every save.
        chosen = request.__dict__.setdefault("_chosen_candidates", {})
        chosen[formset.model] = [
            row.instance for row in formset.forms if row.cleaned_data.get("selected")
        ]

    def response_change(self, request, obj):
        for button, verb in (("_accept_selected", "accept"), ("_reject_selected", "reject")):
            if button not in request.POST:
                continue
            chosen = getattr(request, "_chosen_candidates", {})
            targets = chosen.get(TargetCandidate, [])
            sections = chosen.get(SectionCandidate, [])
            if not targets and not sections:
                messages.warning(request, _("Tick the candidates to accept or reject first."))
                return HttpResponseRedirect(request.get_full_path())
            try:
                if verb == "accept":
                    done = candidates_accept(
                        plan_import=obj,
                        target_candidates=targets,
                        section_candidates=sections,
                        user=request.user,
                    )
                    messages.success(
                        request,
                        _("Accepted: %(sections)s section(s) and %(targets)s target(s) created.")
                        % {"sections": len(done.sections), "targets": len(done.targets)},
                    )
                else:
                    count = candidates_reject(
                        plan_import=obj,
                        target_candidates=targets,
                        section_candidates=sections,
                        user=request.user,
                    )
                    messages.success(
                        request, _("%(count)s candidate(s) rejected.") % {"count": count}
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)
