"""Evidence is checked by its content for every accepted type (issue 15, finding 9).

Before: a .webp passed if it began with RIFF (an AVI does), any ZIP passed
as .docx/.xlsx/.pptx, and OFD and WPS files, which offices use, were refused.
"""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tracker.evidence import evidence_check
from tracker.filetypes import OLE


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def riff(form: bytes) -> bytes:
    return b"RIFF" + (1000).to_bytes(4, "little") + form + b"\x00" * 32


OLE_FILE = OLE + b"\x00" * 504
DOCX = zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = zipped("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
PPTX = zipped("[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml")
OFD = zipped("OFD.xml", "Doc_0/Document.xml")

ACCEPTED = [
    ("photo.webp", riff(b"WEBPVP8 "), "image/webp"),
    ("报告.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "汇报.pptx",
        PPTX,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("通知.ofd", OFD, "application/ofd"),
    ("材料.wps", OLE_FILE, "application/wps-office.wps"),
    ("台账.et", OLE_FILE, "application/wps-office.et"),
    ("汇报.dps", OLE_FILE, "application/wps-office.dps"),
    ("旧版.doc", OLE_FILE, "application/msword"),
    ("扫描件.pdf", b"%PDF-1.7\n...", "application/pdf"),
]

REFUSED = [
    ("clip.webp", riff(b"AVI LIST"), "an AVI video is RIFF too"),
    ("sound.webp", riff(b"WAVEfmt "), "so is a WAV"),
    ("any.docx", zipped("readme.txt"), "a ZIP that is no document"),
    ("sheet.docx", XLSX, "a workbook named as a Word document"),
    ("doc.xlsx", DOCX, "a Word document named as a workbook"),
    ("slides.pptx", zipped("ppt/presentation.xml"), "no [Content_Types].xml"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 60, "a ZIP signature with no ZIP behind it"),
    ("通知.ofd", zipped("Doc_0/Document.xml"), "a ZIP without OFD.xml"),
    ("通知.ofd", b"%PDF-1.7", "a PDF named .ofd"),
    ("材料.wps", DOCX, "a ZIP named .wps"),
    ("台账.et", b"plain text", "text named .et"),
]


@pytest.mark.parametrize(
    ("name", "content", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
def test_a_file_whose_content_matches_its_type_is_accepted(name, content, content_type):
    assert evidence_check(SimpleUploadedFile(name, content))[0] == content_type


@pytest.mark.parametrize(("name", "content", "why"), REFUSED, ids=[r[2] for r in REFUSED])
def test_a_file_whose_content_does_not_match_is_refused(name, content, why):
    with pytest.raises(ValidationError, match="content"):
        evidence_check(SimpleUploadedFile(name, content))


def test_the_check_leaves_the_upload_at_its_start():
    upload = SimpleUploadedFile("通知.ofd", OFD)
    evidence_check(upload)
    assert upload.read() == OFD
