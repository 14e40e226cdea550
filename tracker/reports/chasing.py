"""The 督办 page's 催办 button: one POST, then back to the page with what happened."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.chasing import chase_send
from tracker.models import Target


@require_POST
def chase(request: HttpRequest, target_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    target = get_object_or_404(Target, pk=target_id)
    try:
        sent = chase_send(user=request.user, target=target)
    except PermissionDenied as error:
        raise Http404(_("No such target.")) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Chased %(department)s about “%(target)s”. %(deliveries)s")
            % {
                "department": sent.department.name,
                "target": target.title,
                "deliveries": sent.deliveries.replace("\n", "; "),
            },
        )
    return redirect("reports:duban")
