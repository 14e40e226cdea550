"""What a file's bytes say it is: the content checks behind the evidence types.

The extension is the uploader's word; the bytes are the file's. A check
reads a few bytes, or a ZIP's directory (never decompressing a member):

| extensions | the file must be |
|---|---|
| pdf, png, jpg/jpeg, gif | its format's signature |
| webp | RIFF whose form type is WEBP (an AVI or WAV is RIFF too) |
| docx / xlsx / pptx | a ZIP with `[Content_Types].xml` and members under word/ / xl/ / ppt/ |
| ofd (GB/T 33190, China's fixed-layout format) | a ZIP with `OFD.xml` at its root |
| doc / xls / ppt, and WPS Office's wps / et / dps | an OLE2 compound file |
"""

import zipfile
from collections.abc import Callable
from typing import BinaryIO

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound files: legacy Office and WPS
ZIP = b"PK\x03\x04"


def _starts_with(*magics: bytes) -> Callable[[BinaryIO], bool]:
    def check(file: BinaryIO) -> bool:
        file.seek(0)
        head = file.read(16)
        return any(head.startswith(magic) for magic in magics)

    return check


def _webp(file: BinaryIO) -> bool:
    file.seek(0)
    head = file.read(12)
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _zip_members(file: BinaryIO) -> list[str] | None:
    """The member names of a ZIP, or None if the file is not a readable ZIP."""
    if not _starts_with(ZIP)(file):
        return None
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None


def _ooxml(folder: str) -> Callable[[BinaryIO], bool]:
    def check(file: BinaryIO) -> bool:
        names = _zip_members(file)
        return (
            bool(names)
            and "[Content_Types].xml" in names
            and any(name.startswith(folder) for name in names)
        )

    return check


def _ofd(file: BinaryIO) -> bool:
    names = _zip_members(file)
    return bool(names) and "OFD.xml" in names


# Extension: (content type served back, the check the bytes must pass).
TYPES: dict[str, tuple[str, Callable[[BinaryIO], bool]]] = {
    "pdf": ("application/pdf", _starts_with(b"%PDF-")),
    "png": ("image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    "gif": ("image/gif", _starts_with(b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", _webp),
    "doc": ("application/msword", _starts_with(OLE)),
    "xls": ("application/vnd.ms-excel", _starts_with(OLE)),
    "ppt": ("application/vnd.ms-powerpoint", _starts_with(OLE)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml("word/"),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/")),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ooxml("ppt/"),
    ),
    "ofd": ("application/ofd", _ofd),
    # WPS Office's own formats (文字, 表格, 演示), with the types WPS registers for them.
    "wps": ("application/wps-office.wps", _starts_with(OLE)),
    "et": ("application/wps-office.et", _starts_with(OLE)),
    "dps": ("application/wps-office.dps", _starts_with(OLE)),
}


def content_matches(extension: str, file: BinaryIO) -> bool:
    """Whether the file's content is what its extension claims (False for an unknown one)."""
    known = TYPES.get(extension)
    if known is None:
        return False
    try:
        return known[1](file)
    finally:
        file.seek(0)
