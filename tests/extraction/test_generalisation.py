"""The cause classes issue 17 found on plans from other provinces, one rule each.

The examples are made up in the shapes the held-out documents showed; each
test names the rule of the language it checks, not a sentence it patches.
"""

from __future__ import annotations

import pytest

from .helpers import D, candidates, only, read


def _targets(text: str):
    return [(c.value, c.unit, c.comparison) for c in candidates(text, "target")]


def test_list_items_on_lines_of_their_own_are_targets_not_headings():
    text = "民生实事\n\n新增120张护理床位\n\n完成260户适老化改造\n\n推出10个便民服务点"
    assert _targets(text) == [(D("120"), "张", "eq"), (D("260"), "户", "eq"), (D("10"), "个", "eq")]


def test_list_items_between_prose_paragraphs_are_targets():
    text = (
        "2024年，街道将抓好以下民生实事。\n\n新增120张护理床位\n\n完成260户适老化改造\n\n"
        "各社区要认真组织实施，确保按期完成。"
    )
    assert _targets(text) == [(D("120"), "张", "eq"), (D("260"), "户", "eq")]


def test_year_on_year_inside_a_target_list_does_not_make_the_list_past():
    text = "今年主要目标是：地区生产总值增长6%，规上工业产值同比增长9%，引进项目10个。"
    assert _targets(text) == [(D("6"), "%", "eq"), (D("9"), "%", "eq"), (D("10"), "个", "eq")]
    assert candidates(text, "target")[1].metric == "规上工业产值"


def test_year_on_year_in_a_report_is_a_result():
    found = read("1-8月完成财税收入1687万元，同比增长14.5%。").candidates
    assert [c.kind for c in found] == ["past", "past"]


def test_an_estimate_in_a_review_section_is_last_years_result():
    text = (
        "一、2023年工作回顾\n\n全年预计实现规上工业产值增长3%，完成固定资产投资390亿元。\n\n"
        "二、2024年工作安排\n\n预计全年地区生产总值增长5%。"
    )
    found = [(c.kind, c.value) for c in read(text).candidates]
    assert found == [("past", D("3")), ("past", D("390")), ("target", D("5"))]


def test_whole_year_in_a_review_section_is_the_year_just_past():
    text = "一、2023年工作回顾\n\n全年共申报通过国家级人才计划项目4个。"
    assert only(text).kind == "past"


def test_an_estimate_inside_a_progress_report_is_not_a_target():
    text = "截至目前，已引进企业1家；与某公司达成合作意向，预计投资金额3亿元。"
    kinds = [(c.kind, c.value) for c in read(text).candidates]
    assert kinds == [("progress", D("1")), ("past", D("3"))]


@pytest.mark.parametrize(
    ("text", "value", "unit", "comparison"),
    [
        ("种植食用菌900万袋。", "900", "万袋", "eq"),
        ("建设年出栏30万头生猪养殖项目。", None, None, None),  # 年出栏 names a farm's size
        ("力争生猪出栏3000头。", "3000", "头", "eq"),
        ("新增农产品外销5000箱。", "5000", "箱", "eq"),
        ("新建温室10000㎡。", "10000", "㎡", "eq"),
        ("新增护理床位120张。", "120", "张", "eq"),
        ("完成适老化改造260户。", "260", "户", "eq"),
        ("举办文体活动30场。", "30", "场", "eq"),
        ("开展培训200课时。", "200", "课时", "eq"),
        ("推出精品剧目3部。", "3", "部", "eq"),
        ("改造路灯478盏。", "478", "盏", "eq"),
        ("新建保障房6000套(间)以上。", "6000", "套", "ge"),
        ("全年助餐服务人次达200万以上。", "200", "万人次", "ge"),
        ("满足年一万人次以上助餐需求，新建助餐点3个。", "1", "万人次", "ge"),
        ("力求实现市外到位资金突破2亿元。", "2", "亿元", "gt"),
    ],
)
def test_units_of_farms_shops_and_services(text, value, unit, comparison):
    found = [c for c in read(text).candidates if c.value is not None]
    if value is None:
        assert found == []
        return
    first = found[0]
    assert (first.value, first.unit, first.comparison) == (D(value), unit, comparison)


def test_each_item_of_an_enumeration_is_a_candidate():
    assert _targets("全年实施重大项目4个、重点项目2个。") == [
        (D("4"), "个", "eq"),
        (D("2"), "个", "eq"),
    ]
    assert _targets("培育亿元企业3家、千万元企业5家。") == [
        (D("3"), "家", "eq"),
        (D("5"), "家", "eq"),
    ]


def test_a_count_that_totals_named_items_is_still_a_label():
    assert candidates("实施产业大转型、土地大整治、生态大提升三大行动。") == []


def test_progress_then_target_in_one_sentence():
    found = [
        (c.kind, c.value)
        for c in read("截至目前，已引进项目5个，确保全年引进12个项目。").candidates
    ]
    assert found == [("progress", D("5")), ("target", D("12"))]


def test_share_of_the_annual_target_reached_is_progress():
    assert only("全年完成年度目标38.5%。").kind == "progress"


@pytest.mark.parametrize(
    "text",
    [
        "深入学习贯彻党的二十大精神。",
        "全面贯彻党的二十届三中全会精神。",
        "抓好三支队伍建设。",
        "集中力量在七大领域进行攻坚。",
        "积极打好三大战役，认真实施三大行动。",
        "智利电子“年产10亿件电子元器件技术改造及芯片封装”等项目加快建设。",
        "开工建设德胜河30万吨/日取水泵站。",
        "将托育服务年龄向下延伸至6-18个月。",
        "2024年，要打造基层治理、营商环境、共同缔造、平安建设四个示范区。",
    ],
)
def test_numbers_inside_names_are_not_quantities(text):
    assert candidates(text, "target") == []


def test_a_concrete_major_n_still_counts():
    assert _targets("打造三大连片示范区。") == [(D("3"), "个", "eq")]


def test_a_bound_after_a_count_says_what_is_counted():
    assert _targets("新增3个村集体收入超过10万元。") == [(D("3"), "个", "eq")]
    assert _targets("引进企业5家，产值超过10亿元。") == [
        (D("5"), "家", "eq"),
        (D("10"), "亿元", "gt"),
    ]


def test_a_target_restated_in_the_body_is_proposed_once():
    text = (
        "2024年工作计划\n\n今年要新增就业岗位500个，引进项目8个以上。\n\n"
        "一、经济发展\n\n全年引进项目8个以上，力争实现税收增长10%。"
    )
    found = candidates(text, "target")
    assert [(c.value, c.unit) for c in found] == [(D("500"), "个"), (D("8"), "个"), (D("10"), "%")]
    assert found[1].section  # the one kept is the body's, under its heading


def test_dated_items_of_a_list_are_milestones():
    text = "确保“一横两纵”7月底通车、330国道湍口段12月底建成、城际铁路4个站点完成主体结构。"
    milestones = [c.quote for c in candidates(text, "milestone")]
    assert milestones == ["确保“一横两纵”7月底通车", "330国道湍口段12月底建成"]


def test_a_list_of_works_to_finish_and_open_is_a_milestone():
    text = "力争在2023年完成职业学院二期、污水处理厂等在建工程建设并投入使用。"
    assert len(candidates(text, "milestone")) == 1


def test_a_date_to_start_by_makes_a_milestone():
    assert len(candidates("5月1日前正式开工建设；年内完成投资5亿元。", "milestone")) == 1


def test_a_section_on_where_things_stand_reports_facts():
    text = (
        "一、发展现状\n\n全镇完成造林面积241公顷，新修农村危桥5座。\n\n"
        "二、发展目标\n\n力争2012年全镇农民人均纯收入达到7800元以上。"
    )
    found = [(c.kind, c.value) for c in read(text).candidates]
    assert found == [("past", D("241")), ("past", D("5")), ("target", D("7800"))]


def test_one_that_ends_its_clause_is_a_count_not_an_article():
    assert _targets("新增优质蔬菜繁育基地一处，新增无公害蔬菜生产基地两个。") == [
        (D("1"), "处", "eq"),
        (D("2"), "个", "eq"),
    ]
    assert candidates("探索学前教育向下延伸一个学段试点。", "target") == []


def test_the_same_rate_for_two_metrics_is_two_targets():
    text = "——林牧渔业占农业产值的比重:年均增长5%；\n——农村二三产业占农业总产值的比重:年均增长5%；"
    assert len(candidates(text, "target")) == 2
