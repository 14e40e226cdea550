"""Media types of the downloads, so that a client asking for them by Accept is not refused.

The export views build their own responses (tracker.exports); these renderers
only take part in content negotiation and document the media types. Errors
are always JSON (TargetViewSet.handle_exception).
"""

from rest_framework.renderers import BaseRenderer, JSONRenderer

from tracker.exports import XLSX_TYPE


class _DownloadRenderer(BaseRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Not reached for downloads, which are responses already; JSON for anything else.
        return JSONRenderer().render(data, renderer_context=renderer_context)


class CSVRenderer(_DownloadRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(_DownloadRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None


class BytesRenderer(_DownloadRenderer):
    """Any file as bytes: a client that asks for application/octet-stream gets the workbook.

    Generated clients know this media type (and not the workbook's), so the
    schema lists it beside the workbook's: a download is then typed as a file.
    """

    media_type = "application/octet-stream"
    format = "bin"
    charset = None
