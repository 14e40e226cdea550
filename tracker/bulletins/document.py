"""The bulletin as a Word document (python-docx), laid out as a 公文: A4, official fonts.

Fonts are named as government offices have them (仿宋_GB2312 for the body,
黑体 for headings, 楷体_GB2312 for sub-headings). Word picks a run's Chinese
font from w:eastAsia, so each style sets it there as well as the Latin name;
the font table names a fallback for each (w:altName: 仿宋, 楷体, SimHei) for a
machine without the GB2312 fonts. Pages are numbered by a PAGE field in the
footer, so Word and LibreOffice count them, not this code.
"""

import io
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from tracker.bulletins.figures import BulletinFigures, Overall

BODY_FONT, HEADING_FONT, SUBHEADING_FONT = "仿宋_GB2312", "黑体", "楷体_GB2312"
LATIN_FONT = "Times New Roman"
FALLBACKS = {BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", HEADING_FONT: "SimHei"}
SIZE_2, SIZE_3, SIZE_4, SIZE_5 = Pt(22), Pt(16), Pt(14), Pt(10.5)  # 二号 三号 四号 五号
NUMERALS = "一二三四五六七八九十"


def _set_font(font, east_asian: str, size=None, bold: bool | None = None) -> None:
    font.name = LATIN_FONT
    rpr = (
        font.element.get_or_add_rPr()
        if hasattr(font, "element")
        else font._element.get_or_add_rPr()
    )
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold


def _run(paragraph, text: str, east_asian: str = BODY_FONT, size=SIZE_3, bold=None):
    run = paragraph.add_run(text)
    _set_font(run.font, east_asian, size, bold)
    return run


def _add_fallbacks(document) -> None:
    """Name a fallback for each official font in the font table (w:altName)."""
    part = next(
        p for p in document.part.package.iter_parts() if p.partname.endswith("fontTable.xml")
    )
    table = parse_xml(part.blob)
    for name, alternative in FALLBACKS.items():
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternative}"/>'
                '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            )
        )
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(section) -> None:
    """ "— 3 —" centred in the footer, the number a PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "— ", BODY_FONT, SIZE_4)
    run = _run(paragraph, "", BODY_FONT, SIZE_4)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _run(paragraph, " —", BODY_FONT, SIZE_4)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _set_font(normal.font, BODY_FONT, SIZE_3)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    _add_fallbacks(document)
    _page_number(section)


def _paragraph(document, text: str = "", indent: bool = True):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    if text:
        _run(paragraph, text)
    return paragraph


def _heading(document, text: str, font: str = HEADING_FONT) -> None:
    paragraph = _paragraph(document)
    paragraph.paragraph_format.keep_with_next = True  # never alone at a page's foot
    _run(paragraph, text, font)


def _subheading(document, text: str) -> None:
    _heading(document, text, SUBHEADING_FONT)


def _pct(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.1'))}%"


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _change(now: int, before: int) -> str:
    if now > before:
        return f"增加{now - before}项"
    if now < before:
        return f"减少{before - now}项"
    return "持平"


def overall_sentences(figures: BulletinFigures) -> list[str]:
    """总体情况, in sentences built from the figures."""
    o, day = figures.overall, _date(figures.judged_on)
    scope = f"{figures.scope_name}{figures.year}年度"
    if o.target_count == 0:
        return [f"截至{day}，{scope}尚未录入重点工作目标任务，本期无推进情况可通报。"]
    if not figures.has_data:
        return [
            f"截至{day}，{scope}共有重点工作目标任务{o.target_count}项，"
            f"均未填报推进情况，本期无进度数据可通报。请各责任单位抓紧填报。"
        ]
    sentences = [
        f"截至{day}，{scope}共有重点工作目标任务{o.target_count}项。其中，已完成{o.achieved}项；"
        f"按序时进度推进（含已完成）{o.on_pace}项，占{_pct(_ratio(o.on_pace, o.target_count))}；"
        f"亮红灯（进度滞后、逾期未报或到期未完成）{o.red}项；未填报{o.unreported}项。"
        f"全部目标任务平均完成率{_pct(o.completion_rate)}。"
    ]
    if o.reporting_rate is not None:
        sentences.append(
            f"已到期各期进度填报率{_pct(o.reporting_rate)}，"
            f"按时填报率（及时率）{_pct(o.on_time_rate)}。"
        )
    sentences.append(_month_on_month(o, figures.previous))
    return sentences


def _ratio(part: int, whole: int) -> Decimal | None:
    return None if not whole else Decimal(part) * 100 / Decimal(whole)


def _month_on_month(now: Overall, before: Overall | None) -> str:
    if before is None:
        return "上月末未留存状态记录，暂不作环比。"
    # Last month's red is not kept (a snapshot keeps statuses, not 督办 warnings).
    return (
        f"与上月末相比，已完成{_change(now.achieved, before.achieved)}，"
        f"按序时进度推进{_change(now.on_pace, before.on_pace)}，"
        f"未填报{_change(now.unreported, before.unreported)}。"
    )


def _table(document, figures: BulletinFigures) -> None:
    rates = any(s.reporting_rate is not None for s in figures.standings)
    unit = "镇（街）" if figures.scope_is_region else "责任单位"
    header = ["排名", unit, "目标数", "已填报", "平均完成率", "按进度占比", "红灯项数"]
    if rates:
        header += ["填报率", "及时率"]
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Widths in mm over the 156 mm between the margins: the unit's name gets the room.
    widths = (12, 40, 15, 15, 25, 25, 24) if not rates else (10, 32, 13, 13, 20, 20, 16, 16, 16)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice reads; Word reads the cells'
    rows = [header]
    for s in figures.standings:
        row = [
            str(s.rank) if s.rank is not None else "—",
            s.name,
            str(s.target_count),
            str(s.reported_count),
            _pct(s.completion_rate),
            _pct(s.on_pace_share),
            str(s.red_count),
        ]
        if rates:
            row += [_pct(s.reporting_rate), _pct(s.on_time_rate)]
        rows.append(row)
    for index, values in enumerate(rows):
        cells = table.rows[0].cells if index == 0 else table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.first_line_indent = Pt(0)
            paragraph.paragraph_format.line_spacing = Pt(20)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, value, HEADING_FONT if index == 0 else BODY_FONT, SIZE_5)
    header_row = table.rows[0]._tr.get_or_add_trPr()
    header_row.append(OxmlElement("w:tblHeader"))  # the header repeats on each page


def _red_items(document, figures: BulletinFigures) -> None:
    if not figures.red_items:
        _paragraph(document, "本月无亮红灯事项。")
        return
    for number, item in enumerate(figures.red_items, start=1):
        who = [item.where] if figures.scope_is_region else []
        who.append(f"牵头单位：{item.lead_unit or '未明确'}")
        if item.owner:
            who.append(f"责任人：{item.owner}")
        progress = "尚未填报" if item.percent is None else f"完成{_pct(item.percent)}"
        title = f"【交办】{item.title}" if item.assigned else item.title
        text = f"{number}. {title}（{'；'.join(who)}）。{item.status}，{progress}"
        if item.as_of:
            text += f"（截至{_date(item.as_of)}）"
        text += f"；{item.why_red}。" if item.why_red else "。"
        text += f"填报说明：{item.reason}" if item.reason else "未说明滞后原因。"
        _paragraph(document, text)


def _unsigned(document, figures: BulletinFigures) -> None:
    # Named after the red items: a task not signed for is yellow, and is chased by name.
    if not figures.unsigned:
        return
    names = "；".join(
        f"{item.where}“{item.title}”（应于{_date(item.sign_due)}前签收）"
        for item in figures.unsigned
    )
    _paragraph(
        document,
        f"交办事项逾期未签收{len(figures.unsigned)}项：{names}。请抓紧签收并明确承办科室。",
    )


def _examples(document, figures: BulletinFigures) -> None:
    def names(standings) -> str:
        return "、".join(f"{s.name}（平均完成率{_pct(s.completion_rate)}）" for s in standings)

    ahead, behind = figures.ahead, figures.behind
    _subheading(document, "（一）进度较快的单位")
    _paragraph(document, f"{names(ahead)}推进较快，值得肯定。" if ahead else "本月暂无。")
    _subheading(document, "（二）进度滞后的单位")
    if behind:
        _paragraph(
            document, f"{names(behind)}进度相对滞后，请对照目标任务查找原因，倒排工期，加快推进。"
        )
    else:
        _paragraph(document, "本月暂无。")


def bulletin_document(figures: BulletinFigures, *, issuer: str = "") -> bytes:
    """The bulletin as .docx bytes."""
    document = Document()
    _setup(document)
    core = document.core_properties
    core.title = f"{figures.scope_name}{figures.month}月份重点工作推进情况通报"
    core.language = "zh-CN"

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    _run(title, f"{figures.scope_name}{figures.month}月份", HEADING_FONT, SIZE_2)
    title.add_run().add_break()
    _run(title, "重点工作推进情况通报", HEADING_FONT, SIZE_2)
    issuing = document.add_paragraph()
    issuing.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = issuer or f"{figures.scope_name}重点工作督查办公室"
    _run(issuing, f"{issuer}　　{_date(figures.judged_on)}", SUBHEADING_FONT)
    _paragraph(document, indent=False)

    unit = "镇（街）" if figures.scope_is_region else "责任单位"
    overall = ("总体情况", lambda: [_paragraph(document, s) for s in overall_sentences(figures)])
    sections = [
        overall,
        (f"各{unit}推进情况排名", lambda: _ranking(document, figures)),
        ("亮红灯事项", lambda: [_red_items(document, figures), _unsigned(document, figures)]),
        ("典型经验和工作短板", lambda: _examples(document, figures)),
        ("下步工作要求", lambda: _requirements(document)),
    ]
    if not figures.has_data:  # nothing to rank or name: say so, and ask for the reports
        sections = [overall, sections[-1]]
    for number, (heading, write) in enumerate(sections):
        _heading(document, f"{NUMERALS[number]}、{heading}")
        write()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ranking(document, figures: BulletinFigures) -> None:
    if not figures.standings:
        _paragraph(document, "本期无可排名的单位。")
        return
    _paragraph(
        document,
        "按全部目标任务平均完成率排序（未填报的按0计）；平均完成率相同的，"
        "以按序时进度推进的目标任务占比排序。",
    )
    _table(document, figures)


def _requirements(document) -> None:
    for text in (
        "（一）压实工作责任。各牵头单位要对照年度目标任务，逐项梳理推进情况，"
        "对进度滞后的事项明确责任人和完成时限。",
        "（二）按时如实填报。各责任单位要在每月填报截止日前如实填报进度和佐证材料，"
        "对逾期未报的事项，督查办公室将予以催办。",
        "（三）加强跟踪督办。督查办公室将持续跟踪滞后事项，推进情况纳入下月通报。",
    ):
        _paragraph(document, text)
