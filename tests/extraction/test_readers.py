"""Word files and PDFs in: the same plan read from .txt, .docx and .pdf gives the same targets.

The .docx and .pdf inputs are written here from the seed text (python-docx,
reportlab), so no binary fixture is kept and the comparison is like for like.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter

import pytest

from tracker.extraction import ExtractionError, extract
from tracker.extraction.readers import _pdf_text

from .documents import make_docx, make_pdf, make_scanned_pdf, paragraphs_of
from .helpers import ROOT

pytest.importorskip("docx", reason="python-docx reads and writes .docx")
pytest.importorskip("reportlab", reason="reportlab writes the test PDFs")

XIQU = (ROOT / "fixtures" / "documents" / "003_03e3615bb415e432.txt").read_text(encoding="utf-8")
RUNNING_TITLE = "西区街道2026年工作计划"


def _targets(result) -> Counter:
    return Counter(
        (c.value, c.value_max, c.unit, c.comparison, c.growth)
        for c in result.candidates
        if c.kind == "target"
    )


@pytest.fixture(scope="module")
def as_text():
    return extract(XIQU.encode("utf-8"), "xiqu-2026.txt")


@pytest.fixture(scope="module")
def as_docx():
    return extract(make_docx(paragraphs_of(XIQU)), "xiqu-2026.docx")


@pytest.fixture(scope="module")
def as_pdf():
    return extract(make_pdf(paragraphs_of(XIQU), running_title=RUNNING_TITLE), "xiqu-2026.pdf")


@pytest.mark.parametrize("kind", ["as_docx", "as_pdf"])
def test_the_same_plan_as_docx_and_pdf_gives_the_same_targets(request, as_text, kind):
    other = request.getfixturevalue(kind)
    expected = _targets(as_text)
    assert sum(expected.values()) >= 15
    same = sum((expected & _targets(other)).values())
    assert same / sum(expected.values()) >= 0.9, (expected, _targets(other))
    spurious = sum((_targets(other) - expected).values())
    assert spurious <= 0.1 * sum(expected.values())


@pytest.mark.parametrize("kind", ["as_docx", "as_pdf"])
def test_quotes_point_into_the_extracted_text(request, kind):
    result = request.getfixturevalue(kind)
    assert result.format == kind.removeprefix("as_")
    for c in result.candidates:
        assert result.text[c.start : c.end] == c.quote


def test_the_docx_sections_are_the_texts(as_text, as_docx):
    def headings(result):
        return [s.heading for s in result.walk_sections()]

    assert headings(as_docx) == headings(as_text)


def test_pdf_running_title_and_page_numbers_are_removed(as_pdf):
    assert "- 2 -" not in as_pdf.text
    # The title stays once (it is the document's own headline), not once a page.
    assert as_pdf.text.count(RUNNING_TITLE) <= XIQU.count(RUNNING_TITLE)


def test_pdf_wrapped_lines_are_joined(as_pdf):
    assert "力争引进优质企业8家以上,签约项目15个,总投资额25亿元" in as_pdf.text


def test_pdf_text_is_unicode_normalised():
    # Kangxi radical ⼯ (U+2F2F) and a compatibility ideograph, as Chinese office PDFs carry them.
    text = _pdf_text(["⼀、稳增⻓\n新增就业岗位500个，推进⼯业园区改造。"])
    assert "一、稳增长" in text
    assert "工业园区" in text


def test_a_word_table_gives_one_candidate_per_row():
    table = [
        ["序号", "任务", "牵头单位", "完成时限"],
        ["1", "新增就业岗位500个", "经济发展局", "12月底"],
        ["2", "完成老旧小区改造12个", "建设局", "10月底"],
        ["3", "引进优质企业8家以上", "招商局", "12月底"],
    ]
    result = extract(make_docx(["2026年任务分解表"], table=table), "tasks.docx")
    found = [(c.value, c.unit, c.comparison) for c in result.candidates if c.kind == "target"]
    assert [str(v) for v, _, _ in found] == ["500", "12", "8"]
    assert "1 | 新增就业岗位500个 | 经济发展局 | 12月底" in result.text


def test_word_list_numbering_is_written_out():
    import docx

    document = docx.Document()
    for text in ("稳增长", "惠民生"):
        document.add_paragraph(text, style="List Number")
    out = io.BytesIO()
    document.save(out)
    from tracker.extraction.readers import read_docx

    assert read_docx(out.getvalue()).split() == ["1.稳增长", "2.惠民生"]


# --- bad files: a one-line reason, nothing read ---------------------------------


def _zip(members: dict[str, bytes], encrypted: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(out.getvalue())
    if encrypted:
        # zipfile cannot encrypt: set the "encrypted" flag in the local and central headers.
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            data[at + offset] |= 0x1
    return bytes(data)


def _pdf_encrypted() -> bytes:
    return make_pdf(["力争引进优质企业8家以上。"], password="secret")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "corrupt document"),
        (make_docx(["一、稳增长"])[:-200], "corrupt document"),
        (_zip({"word/document.xml": b"<x/>"}, encrypted=True), "encrypted document"),
        (_zip({"word/document.xml": b"\x00" * (20 * 1024 * 1024)}), "zip bomb"),
        (_zip({"OFD.xml": b"<ofd/>"}), "OFD"),
        (_zip({"xl/workbook.xml": b"<x/>"}), "spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "save it as .docx or PDF"),
        (b"%PDF-1.4\n" + b"garbage" * 50, "corrupt PDF"),
        (make_scanned_pdf(), "scanned PDF"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "too large"),
    ],
    ids=[
        "zip-header-only",
        "truncated-docx",
        "encrypted-zip",
        "zip-bomb",
        "ofd",
        "xlsx",
        "wps-or-doc",
        "corrupt-pdf",
        "scanned-pdf",
        "over-10-mb",
    ],
)
def test_bad_files_are_refused_with_one_line(data, reason):
    with pytest.raises(ExtractionError) as raised:
        extract(data, "plan.bin")
    message = str(raised.value)
    assert reason in message
    assert "\n" not in message


def test_an_encrypted_pdf_is_refused():
    pytest.importorskip("reportlab.lib.pdfencrypt")
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        extract(_pdf_encrypted(), "plan.pdf")
