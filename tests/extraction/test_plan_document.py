"""A whole plan written for this test (not from the seed): review, targets, tasks.

The extractor was tuned while reading the five seed documents; this document
checks the rules on text they have not seen.
"""

from decimal import Decimal

from tests.extraction.helpers import read

DOCUMENT = """某某镇2024年工作要点

一、2023年工作回顾

过去一年，全镇实现地区生产总值86.3亿元，同比增长5.1%；规上工业总产值突破210亿元。新引进项目17个，完成固定资产投资32亿元。新建公园5个，改造老旧小区12个。

二、2024年主要目标

全镇地区生产总值增长6%左右，固定资产投资增长8%以上，一般公共预算收入不低于4.5亿元，城镇登记失业率控制在3%以内。

三、重点工作

（一）抓招商。全年引进亿元以上项目不少于10个，其中10亿元以上项目2个。确保智能制造产业园一期年底前建成投产。

（二）抓民生。新增公办学位1200个，建成镇卫生院综合楼。启动镇文化中心建设。为60岁以上老人提供免费体检。

（三）抓治理。建立网格员队伍，开展“一网统管”试点，安全生产事故起数下降10%。
"""


def _rows(kind):
    return [
        (c.value, c.unit, c.comparison, c.growth)
        for c in read(DOCUMENT).candidates
        if c.kind == kind
    ]


def test_the_review_section_gives_past_facts_only():
    result = read(DOCUMENT)
    review = [c for c in result.candidates if c.section == "一、2023年工作回顾"]
    assert len(review) == 7
    assert {c.kind for c in review} == {"past"}


def test_targets_with_their_comparisons_and_growth_rates():
    assert _rows("target") == [
        (Decimal("6"), "%", "approx", True),
        (Decimal("8"), "%", "ge", True),
        (Decimal("4.5"), "亿元", "ge", False),
        (Decimal("3"), "%", "le", False),
        (Decimal("10"), "个", "ge", False),
        (Decimal("2"), "个", "eq", False),  # 10亿元以上 only says which projects
        (Decimal("1200"), "个", "eq", False),
        (Decimal("-10"), "%", "eq", True),  # 下降10%: a growth rate of −10
    ]


def test_milestones():
    quotes = [c.quote for c in read(DOCUMENT).candidates if c.kind == "milestone"]
    assert quotes == [
        "确保智能制造产业园一期年底前建成投产",
        "建成镇卫生院综合楼",
        "启动镇文化中心建设",
        "建立网格员队伍",
        "开展“一网统管”试点",
    ]


def test_sections_and_title():
    result = read(DOCUMENT)
    assert result.title == "某某镇2024年工作要点"
    assert [s.label + s.title for s in result.sections] == [
        "一、2023年工作回顾",
        "二、2024年主要目标",
        "三、重点工作",
    ]
    assert [s.label for s in result.sections[2].children] == ["（一）", "（二）", "（三）"]
