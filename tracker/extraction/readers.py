"""Word files and PDFs to the text the extractor reads (and the reviewer sees).

Towns publish plans as .docx and .pdf as often as on web pages. This module
turns such a file into plain text laid out like the text documents the rest
of the pipeline knows: one paragraph a line, a blank line between paragraphs,
a table row as one line with its cells separated by " | " (a 任务分解表 in a
Word table gives one candidate per row). The text is what is stored and
shown; quotes and offsets point into it.

- .docx (python-docx): body paragraphs and tables in document order; list
  numbering that Word generates (一、 (一) 1.) is written out, since the section
  tree reads those labels; headers and footers are left out.
- .pdf with a text layer (pypdf): lines in the order the page draws them,
  wrapped lines joined, running headers, footers and page numbers removed, and
  Unicode normalised (NFKC): PDFs from Chinese office software often carry
  Kangxi radicals and compatibility ideographs ("⼯" U+2F2F for 工).
- A scanned PDF (no text layer) is refused with a message that says so.
- .wps, .doc and .ofd: no maintained Python library reads their text (see the
  README); they are refused with the advice to save as .docx or PDF.

Bad files are refused with one line and nothing read past the check: a
corrupt or encrypted archive, a ZIP whose parts unpack to more than
MAX_UNPACKED bytes or at a suspicious ratio (a zip bomb), an encrypted PDF.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import Counter

from .errors import ExtractionError

# A .docx of 10 MB (the upload limit) unpacks to a few times that; plans are text.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member: XML compresses ~10×
MAX_PDF_PAGES = 2000

DOCX = "docx"
PDF = "pdf"


def kind_of(data: bytes, filename: str = "") -> str | None:
    """ "docx", "pdf", or None for text; raises for office formats we cannot read."""
    head = bytes(data[:8])
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        what = "a WPS or old Word file (.wps/.doc)"
        if filename.lower().endswith((".xls", ".et")):
            what = "an old spreadsheet (.xls/.et)"
        raise ExtractionError(
            f"cannot read {what}: no maintained library reads its text; "
            "save it as .docx or PDF and import that"
        )
    return None


def read(kind: str, data: bytes) -> str:
    text = read_docx(data) if kind == DOCX else read_pdf(data)
    if not text.strip():
        raise ExtractionError(f"empty document: the {kind} file holds no text")
    return text


# --- .docx --------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("corrupt document: the file is a damaged ZIP archive") from None
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise ExtractionError("encrypted document: remove the password and import it again")
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ExtractionError(
                "refused: a part of the archive unpacks to "
                f"{info.file_size // max(info.compress_size, 1):,} times its size (a zip bomb?)"
            )
    if total > MAX_UNPACKED:
        raise ExtractionError(
            f"refused: the archive unpacks to {total:,} bytes, more than "
            f"{MAX_UNPACKED:,} (a zip bomb?)"
        )
    return archive


def _zip_kind(data: bytes) -> str:
    archive = _open_zip(data)
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return DOCX
    if "OFD.xml" in names:
        raise ExtractionError(
            "cannot read an OFD file: no maintained library reads its text; "
            "save it as PDF or .docx and import that"
        )
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        raise ExtractionError("encrypted document: remove the password and import it again")
    if any(n.startswith("xl/") for n in names):
        raise ExtractionError("not a plan document: this is a spreadsheet (.xlsx)")
    raise ExtractionError("not a document the importer reads: a ZIP archive that is not .docx")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Word's list number formats that plans use, as the extractor expects to read them.
_CHINESE = "〇一二三四五六七八九"


def _chinese_count(n: int) -> str:
    if n < 10:
        return _CHINESE[n]
    if n < 20:
        return "十" + (_CHINESE[n % 10] if n % 10 else "")
    if n < 100:
        return _CHINESE[n // 10] + "十" + (_CHINESE[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting", "japaneseCounting"):  # fmt: skip
        return _chinese_count(n)
    if fmt == "ideographDigital":
        return "".join(_CHINESE[int(d)] for d in str(n))
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "bullet":
        return "●"
    return str(n)


def _numpr(paragraph):
    """The paragraph's list numbering, its own or its style's (List Number, 标题 1…)."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return ppr.numPr
    style = paragraph.style
    while style is not None:
        sppr = style.element.pPr
        if sppr is not None and sppr.numPr is not None:
            return sppr.numPr
        style = style.base_style
    return None


class _Numbering:
    """Renders the labels Word draws for numbered paragraphs ("%1、" with chineseCounting → 一、)."""

    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            part = document.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return
        root = part.element
        abstract = {}
        for node in root.iter(_W + "abstractNum"):
            levels = {}
            for lvl in node.iter(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0"))
                fmt = lvl.find(_W + "numFmt")
                text = lvl.find(_W + "lvlText")
                start = lvl.find(_W + "start")
                levels[ilvl] = (
                    fmt.get(_W + "val") if fmt is not None else "decimal",
                    text.get(_W + "val") if text is not None else "",
                    int(start.get(_W + "val")) if start is not None else 1,
                )
            abstract[node.get(_W + "abstractNumId")] = levels
        for num in root.iter(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            levels = abstract.get(ref.get(_W + "val")) if ref is not None else None
            for ilvl, spec in (levels or {}).items():
                self.levels[(num.get(_W + "numId"), ilvl)] = spec

    def label(self, paragraph) -> str:
        numpr = _numpr(paragraph)
        if numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else spec[2]
        fmt, text, _ = spec

        def level_value(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            k_spec = self.levels.get((num_id, k), spec)
            return _format_number(counters[k] or k_spec[2], k_spec[0])

        if fmt == "bullet":
            return "● "
        return re.sub(r"%(\d)", level_value, text)


def read_docx(data: bytes) -> str:
    _open_zip(data)  # the checks above, before python-docx unpacks anything
    try:
        import docx
        from docx.table import Table
    except ImportError:  # pragma: no cover - a declared dependency
        raise ExtractionError("cannot read .docx: python-docx is not installed") from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a broken file
        raise ExtractionError(
            f"corrupt document: cannot read the .docx ({type(error).__name__})"
        ) from None
    numbering = _Numbering(document)
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
            continue
        text = _clean(item.text)
        if text:
            label = numbering.label(item)
            blocks.append(label + text if label and not text.startswith(label) else text)
    return "\n\n".join(blocks) + "\n"


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans: read it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            inner = [_table_rows(t) for t in cell.tables]
            text = " ".join(_clean(p.text) for p in cell.paragraphs if p.text.strip())
            text = " ".join([text, *(r for rs in inner for r in rs)]).strip()
            cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _clean(text: str) -> str:
    # Soft line breaks and tabs inside a paragraph are layout, not structure.
    return re.sub(r"[\t\v\r\n\u2028\u2029]+", " ", text).strip()


# --- .pdf ---------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$"
)
_SENTENCE_END = tuple("。！？!?；;：:…")


def read_pdf(data: bytes) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ExtractionError("cannot read PDF: pypdf is not installed") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError("encrypted PDF: remove the password and import it again")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(
                f"refused: the PDF has {len(reader.pages):,} pages, more than {MAX_PDF_PAGES:,}"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as error:
        raise ExtractionError(f"corrupt PDF: cannot read it ({type(error).__name__})") from None
    if not any(p.strip() for p in pages):
        raise ExtractionError(
            "scanned PDF: it has no text layer (only images); run OCR on it or import the "
            "document's .docx or text instead"
        )
    return _pdf_text(pages)


def _pdf_text(pages: list[str]) -> str:
    """Pages' text to paragraphs: normalised, running heads and page numbers out, lines joined."""
    page_lines = [[line.strip() for line in _normalise(page).splitlines()] for page in pages]
    page_lines = [[line for line in lines if line] for lines in page_lines]
    repeated = _running_lines(page_lines)
    paragraphs: list[str] = []
    current = ""
    widths = Counter(len(line) for lines in page_lines for line in lines if len(line) >= 10)
    # Lines as long as the page's usual line are wrapped; a shorter one ends its paragraph.
    full = widths.most_common(1)[0][0] if widths else 0
    for lines in page_lines:
        for k, line in enumerate(lines):
            edge = k < 2 or k >= len(lines) - 2
            if edge and (_PAGE_NUMBER.match(line) or _strip_digits(line) in repeated):
                continue
            current += line
            if line.endswith(_SENTENCE_END) or len(line) < full - 2:
                paragraphs.append(current)
                current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs) + "\n"


# CJK Radicals Supplement forms that NFKC leaves alone but PDF fonts use for
# the ordinary character (the Kangxi radicals U+2F00… NFKC maps itself).
_RADICALS = str.maketrans(
    "⻓⻔⻅⻋⻢⻛⻜⻚⻄⻝⻘⻉⻆⻥⻩⻬⻮⻰⻳⺠⺟⻤",
    "长门见车马风飞页西食青贝角鱼黄齐齿龙龟民母鬼",
)


def _normalise(page: str) -> str:
    return unicodedata.normalize("NFKC", page).translate(_RADICALS)


def _strip_digits(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def _running_lines(page_lines: list[list[str]]) -> set[str]:
    """Lines at the top or bottom of most pages (a running title, a footer with a page number)."""
    if len(page_lines) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in page_lines:
        edges = {_strip_digits(line) for line in lines[:2] + lines[-2:]}
        counts.update(edges)
    return {line for line, n in counts.items() if n >= max(3, len(page_lines) // 2)}
