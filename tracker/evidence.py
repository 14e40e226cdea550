"""Evidence files on progress reports: what is accepted, how it is stored, who may fetch it."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from tracker.access import may_report, may_see
from tracker.filetypes import TYPES, content_matches
from tracker.models import EvidenceFile, ProgressReport
from tracker.workflow import OPEN, InvalidTransition


def evidence_check(upload: UploadedFile) -> tuple[str, str]:
    """The (content type, SHA-256) of an acceptable upload, or a ValidationError saying why not."""
    limit = getattr(settings, "TRACKER_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}}
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in TYPES:
        raise ValidationError(
            {
                "file": _("Attach a PDF, an image or an office document (%(types)s).")
                % {"types": ", ".join(TYPES)}
            }
        )
    content_type = TYPES[extension][0]
    if not content_matches(extension, upload):
        raise ValidationError(
            {"file": _("The file's content is not a .%(ext)s file.") % {"ext": extension}}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


@transaction.atomic
def evidence_attach(*, report: ProgressReport, upload: UploadedFile, user) -> EvidenceFile:
    """Store an upload as evidence of a report that its author may still change."""
    if not may_report(user, report.target):
        raise PermissionDenied(_("You do not report for this target."))
    if report.state not in OPEN:
        raise InvalidTransition(_("Evidence is attached to a draft or a returned report."))
    content_type, digest = evidence_check(upload)
    evidence = EvidenceFile(
        report=report,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        digest=digest,
        uploaded_by=user if user.is_authenticated else None,
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    return evidence


def requester(request):
    """The signed-in user, or the API client whose token the request carries.

    The API gives this URL in each evidence file's `url`; its clients send a
    token, not a session cookie. A wrong token is no one.
    """
    if request.user.is_authenticated:
        return request.user
    from tracker.api.authentication import TokenAuthentication  # the API's: Token or Bearer

    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    return found[0] if found else request.user


def evidence_download(request, pk: int) -> FileResponse:
    """Serve an evidence file to those who may see its report; others get a 404."""
    evidence = get_object_or_404(EvidenceFile.objects.select_related("report__target__plan"), pk=pk)
    report = evidence.report
    published = report.update_id is not None and report.target.plan.is_published
    if not (published or may_see(requester(request), report)):
        raise Http404
    # Always a download, never rendered inline: an uploaded file is not our page.
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.name,
    )
