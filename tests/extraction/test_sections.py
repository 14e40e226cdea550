"""The section tree: numbering styles, nesting, inline enumerations, groupings."""

from tests.extraction.helpers import read, seed_documents
from tracker.extraction import extract


def _tree(sections, depth=0):
    out = []
    for s in sections:
        out.append(("  " * depth) + f"{s.label}|{s.title}|{s.grouping}")
        out.extend(_tree(s.children, depth + 1))
    return out


PLAN = """西区街道2026年工作计划

  聚焦经济提质、产业升级、城乡融合三大重点领域，谱写新篇章。

  一、在稳增长上勇争先，全力夯实经济底盘

  坚持稳中求进工作总基调。

  （一）精准调度稳住基本盘。力争实现地区生产总值增长5%左右。

  1.加强监测。建立监测体系。

  2.强化调度。确保经济运行在合理区间。

  （二）项目攻坚积蓄新势能。力争引进优质企业8家以上。

  二、在强实体上勇争先，加快构建现代化产业体系

  (一)做强先进制造核心引擎。开展数字化转型。

  三、在促融合上勇争先，绘就城乡新画卷

  ●推进城市更新 ●推进乡村振兴
"""


def test_numbering_styles_nest_in_order_of_first_appearance():
    assert _tree(read(PLAN).sections) == [
        "一、|在稳增长上勇争先，全力夯实经济底盘|三大重点领域",
        "  （一）|精准调度稳住基本盘|",
        "    1.|加强监测|",
        "    2.|强化调度|",
        "  （二）|项目攻坚积蓄新势能|",
        "二、|在强实体上勇争先，加快构建现代化产业体系|三大重点领域",
        "  (一)|做强先进制造核心引擎|",
        "三、|在促融合上勇争先，绘就城乡新画卷|三大重点领域",
        "  ●|推进城市更新|",
        "  ●|推进乡村振兴|",
    ]


def test_candidates_name_their_innermost_section():
    result = read(PLAN)
    by_value = {str(c.value): c.section for c in result.candidates if c.value is not None}
    assert by_value["5"] == "（一）精准调度稳住基本盘"
    assert by_value["8"] == "（二）项目攻坚积蓄新势能"


def test_section_offsets_point_into_the_original_text():
    result = read(PLAN)
    for root in result.sections:
        for section in root.walk():
            assert result.text[section.start : section.end].lstrip().startswith(section.label)
    first = result.sections[0]
    assert first.start < first.children[0].start < first.children[-1].end <= first.end


def test_arabic_numbering_with_dun_comma():
    result = read("工作要点\n\n1、抓好招商引资。新增项目10个。\n\n2、抓好项目建设。\n")
    assert [(s.label, s.title) for s in result.sections] == [
        ("1、", "抓好招商引资"),
        ("2、", "抓好项目建设"),
    ]


def test_first_second_last_card_is_an_inline_sequence_under_its_grouping():
    text = (
        "西樵的产业发展需要打好“四张牌”。首先是“人才牌”，要打造人才强镇。"
        "其 次 是 打 好 文 旅 牌。要继续打造旅游线路。第三张牌是产业转型升级。"
        "要加大上市企业的培育。最后一张牌是培育大健康产业。西樵要打造大健康产业集聚区。\n"
    )
    result = read(text)
    assert _tree(result.sections) == [
        "首先|“人才牌”，要打造人才强镇|四张牌",
        "其次|打好文旅牌|四张牌",
        "第三张牌|产业转型升级|四张牌",
        "最后一张牌|培育大健康产业|四张牌",
    ]


def test_one_is_two_is_members_take_their_grouping():
    text = (
        "对此，岑灼雄提出“四个坚持”，一是坚持“创空间”，向存量要增量；二是坚持“强产业”，"
        "向质量要份量；三是坚持“强中心”，向品质要能级；四是坚持“强党建”，向改革要效能。\n"
    )
    assert _tree(read(text).sections) == [
        "一是|坚持“创空间”，向存量要增量|四个坚持",
        "二是|坚持“强产业”，向质量要份量|四个坚持",
        "三是|坚持“强中心”，向品质要能级|四个坚持",
        "四是|坚持“强党建”，向改革要效能|四个坚持",
    ]


def test_keyword_members_inline_after_the_grouping():
    text = (
        "突出“四个聚焦”，包括聚焦产业做大增强，着力提升质量；聚焦城乡融合发展，着力提升品质；"
        "聚焦民生持续改善，着力提升幸福感；聚焦基层共治共享，着力提升治理能力，努力跑出新姿态。\n"
    )
    titles = [(s.title, s.grouping) for s in read(text).sections]
    assert titles == [
        ("聚焦产业做大增强，着力提升质量", "四个聚焦"),
        ("聚焦城乡融合发展，着力提升品质", "四个聚焦"),
        ("聚焦民生持续改善，着力提升幸福感", "四个聚焦"),
        ("聚焦基层共治共享，着力提升治理能力", "四个聚焦"),
    ]


def test_keyword_members_as_lines_with_bullets_beneath():
    text = "抓实五个“聚焦”\n\n2022年，西樵镇将抓实五个“聚焦”。\n\n" + "".join(
        f"聚焦第{n}项工作，全面激发新活力\n●做法甲{n} ●做法乙{n}\n\n" for n in "一二三四五"
    )
    result = read(text)
    assert [s.grouping for s in result.sections] == ["五个“聚焦”"] * 5
    assert [len(s.children) for s in result.sections] == [2] * 5
    assert result.sections[0].children[0].title == "做法甲一"


def test_plain_text_headings_and_their_subheadings():
    text = (
        "丹灶 聚力打好“四张牌”\n\n开篇第一段话，介绍背景。\n\n作风建设\n\n凝聚党员干部“精气神”\n\n"
        "如何推进作风建设，张应统有独到的见解。\n\n产业发展\n\n确保实验室年内开园\n\n面向下半年，丹灶将发展氢能。\n"
    )
    result = read(text)
    assert [(s.title, s.summary) for s in result.sections] == [
        ("作风建设", "凝聚党员干部“精气神”"),
        ("产业发展", "确保实验室年内开园"),
    ]
    assert result.title == "丹灶 聚力打好“四张牌”"


def test_html_bold_paragraphs_are_headings():
    html = (
        "<p>开头一段，说明背景。</p>\n<p><strong>下最大决心</strong></p>\n"
        "<p><strong>让产业高地成为新名片</strong></p>\n<p>桂城将完成500亩拆旧复垦任务。</p>"
    )
    result = extract(html.encode(), "a.html")
    (section,) = result.sections
    assert (section.title, section.summary) == ("下最大决心", "让产业高地成为新名片")
    (c,) = result.candidates
    assert c.section == "下最大决心"


def test_markdown_headings():
    text = "# 总体要求\n\n坚持稳中求进。\n\n## 主要目标\n\n力争新增学位1000个。\n"
    result = extract(text.encode(), "plan.md")
    assert _tree(result.sections) == ["|总体要求|", "  |主要目标|"]


def test_every_seed_document_has_sections_with_verbatim_offsets():
    for path in seed_documents():
        result = extract(path.read_bytes(), path.name)
        assert result.sections, path.name
        for root in result.sections:
            for section in root.walk():
                assert 0 <= section.start < section.end <= len(result.text), section
