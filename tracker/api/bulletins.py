"""The monthly bulletin (通报) as a .docx download, for a region or a town.

The figures are tracker/bulletins/sources.py's, over the plans the user may
read; the document is tracker/bulletins/document.py's. Errors stay JSON.
"""

import datetime

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer

from tracker.api.renderers import BytesRenderer
from tracker.bulletins.document import bulletin_document
from tracker.bulletins.sources import region_figures, town_figures
from tracker.models import Region
from tracker.today import reporting_today

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocxRenderer(BaseRenderer):
    media_type = DOCX_TYPE
    format = "docx"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Not reached for the document, which is a response already; JSON for errors.
        return JSONRenderer().render(data, renderer_context=renderer_context)


class BulletinQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)

    def validate(self, attrs):
        today = reporting_today()
        if datetime.date(attrs["year"], attrs["month"], 1) > today:
            raise serializers.ValidationError(
                {"month": _("This month has not begun; there is nothing to report yet.")}
            )
        return attrs


def _schema(summary: str, operation_id: str):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[
            OpenApiParameter("id_or_slug", OpenApiTypes.STR, OpenApiParameter.PATH),
            BulletinQuerySerializer,
            OpenApiParameter("format", exclude=True),
        ],
        responses={
            (200, DOCX_TYPE): OpenApiTypes.BINARY,
            (200, BytesRenderer.media_type): OpenApiTypes.BINARY,
        },
    )


class BulletinMixin:
    """A `bulletin` view on the region and town viewsets (routed in tracker/api/urls.py)."""

    def get_renderers(self):
        if self.action == "bulletin":
            return [JSONRenderer(), DocxRenderer(), BytesRenderer()]
        return super().get_renderers()

    def handle_exception(self, exc):
        if self.action == "bulletin":
            # A download that fails says why in JSON, whatever format it asked for.
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def _bulletin(self, request):
        scope = self.get_object()
        query = BulletinQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, month = query.validated_data["year"], query.validated_data["month"]
        build = region_figures if isinstance(scope, Region) else town_figures
        figures = build(scope, year, month, today=reporting_today(), user=request.user)
        response = HttpResponse(bulletin_document(figures), content_type=DOCX_TYPE)
        filename = f"bulletin-{scope.slug}-{year}-{month:02d}.docx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def bulletin_action(operation_id: str):
    """The viewset's `bulletin` view, one function per viewset so each has its operation id."""

    @_schema(_("The monthly bulletin (通报) as a Word document"), operation_id)
    def bulletin(self, request, id_or_slug=None):
        """The month's 重点工作推进情况通报: overall figures, ranking, red items, examples.

        Judged on the month's last day (today while the month runs), over the plans
        the user may read.
        """
        return self._bulletin(request)

    return bulletin
