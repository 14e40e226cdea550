"""Writing test inputs: a plan text as a .docx (python-docx) and as a PDF (reportlab).

Only tests use these writers; the app reads with python-docx and pypdf. The PDF
is laid out as office software prints a plan: a CJK font (the CID font
STSong-Light, which reportlab ships, so no font file is needed), lines wrapped
at the margin, a running title at the top of each page and "- N -" at the foot.
"""

from __future__ import annotations

import io


def paragraphs_of(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n") if p.strip()]


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(
    paragraphs: list[str],
    running_title: str = "",
    password: str | None = None,
    font_size: float = 11,
) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    encrypt = None
    if password is not None:
        from reportlab.lib import pdfencrypt

        encrypt = pdfencrypt.StandardEncryption(password, canPrint=0)
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt)
    width, height = A4
    left, right, top, bottom = 72, width - 72, height - 72, 72
    leading = font_size * 1.6
    page = 1

    def furniture() -> None:
        pdf.setFont(font, 9)
        if running_title:
            pdf.drawCentredString(width / 2, height - 40, running_title)
        pdf.drawCentredString(width / 2, 40, f"- {page} -")
        pdf.setFont(font, font_size)

    furniture()
    y = top
    for text in paragraphs:
        line = ""
        lines = []
        for ch in text:
            if pdfmetrics.stringWidth(line + ch, font, font_size) > right - left:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
        for line in lines:
            if y < bottom:
                pdf.showPage()
                page += 1
                furniture()
                y = top
            pdf.drawString(left, y, line)
            y -= leading
        y -= leading / 2
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_scanned_pdf() -> bytes:
    """A PDF whose page is only a picture (here: filled shapes), with no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for k in range(20):
        pdf.rect(72, 700 - k * 30, 400, 12, fill=1)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
