"""Bytes to text: size and binary checks, then UTF-8 or GB18030/GBK.

Town documents reach us as UTF-8 (web pages, WeChat exports, often with a
BOM from Windows editors) or as GBK/GB18030 (older Office and CMS exports).
Anything else is refused with a one-line reason rather than guessed at: a
wrong guess would store mojibake as the document of record.
"""

from __future__ import annotations

import codecs
import re

from .errors import ExtractionError

MAX_BYTES = 10 * 1024 * 1024

# Signatures of formats people upload by mistake. They are rejected by name,
# which is more helpful than "not text".
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx or .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF file"),
)


# C0/C1 controls other than whitespace, surrogates, private use, noncharacters.
_SUSPECT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\uf8ff\ufdd0-\ufdef\ufffe\uffff]")


def check_size(data: bytes) -> bytes:
    """The bytes, or ExtractionError if they are not bytes, empty, or over the 10 MB limit."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ExtractionError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) == 0:
        raise ExtractionError("empty document: the file has no content")
    if len(data) > MAX_BYTES:
        raise ExtractionError(
            f"document too large: {len(data):,} bytes, the limit is {MAX_BYTES:,} bytes (10 MB)"
        )
    return data


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ExtractionError.

    The text is the document as stored, less any byte-order mark: offsets of
    candidates point into exactly this string.
    """
    data = check_size(data)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ExtractionError(f"not a text document: this looks like {what}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ExtractionError("unsupported encoding UTF-16: save the document as UTF-8 or GB18030")
    if b"\x00" in data:
        raise ExtractionError(
            "binary file: it contains NUL bytes (UTF-16 without a byte-order mark, or not text)"
        )

    if data.startswith(codecs.BOM_UTF8):
        text = _try(data[len(codecs.BOM_UTF8) :], "utf-8")
        if text is None:
            raise ExtractionError("cannot decode document: it has a UTF-8 mark but is not UTF-8")
        _check_plausible(text, "UTF-8")
        return _non_empty(text), "utf-8-sig"

    text = _try(data, "utf-8")
    if text is not None:
        _check_plausible(text, "UTF-8")
        return _non_empty(text), "utf-8"

    text = _try(data, "gb18030")
    if text is not None and _looks_like_gb_chinese(data, text):
        _check_plausible(text, "GB18030")
        # GBK is a subset of GB18030, so one name covers both.
        return _non_empty(text), "gb18030"

    raise ExtractionError(
        "cannot decode document: it is neither UTF-8 nor GB18030/GBK Chinese text"
    )


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ExtractionError("empty document: the file contains only whitespace")
    return text


def _check_plausible(text: str, encoding: str) -> None:
    """Reject text full of control or private-use characters.

    Both codecs accept some byte soups; a real document has essentially no
    C0/C1 controls (other than line breaks and tabs) and no private-use code points.
    """
    bad = len(_SUSPECT.findall(text))
    if bad > max(2, len(text) // 1000):
        raise ExtractionError(
            f"not a text document: decoding as {encoding} gives {bad} control or unassigned characters"
        )


def _looks_like_gb_chinese(data: bytes, text: str) -> bool:
    """Is a GB18030 decoding plausibly Chinese rather than an accident?

    GB18030 maps almost every byte pair to some character, so a successful
    decode proves little. Real Chinese text uses overwhelmingly the GB2312
    core (lead byte 0xA1-0xF7, trail byte 0xA1-0xFE); random bytes or UTF-16
    land there about a quarter of the time or never.
    """
    pairs = core = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        if i + 1 < n and 0x30 <= data[i + 1] <= 0x39:  # four-byte GB18030 sequence
            pairs += 1
            i += 4
            continue
        pairs += 1
        if i + 1 < n and 0xA1 <= b <= 0xF7 and 0xA1 <= data[i + 1] <= 0xFE:
            core += 1
        i += 2
    if pairs == 0:
        return True  # pure ASCII would have decoded as UTF-8 already
    return core / pairs >= 0.8
