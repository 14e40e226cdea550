"""Target, milestone, progress or past: the tense of what is said."""

import pytest

from tests.extraction.helpers import D, candidates, only, quantities


@pytest.mark.parametrize(
    "sentence",
    [
        "西樵镇将攻坚拆除村级工业园2500亩。",
        "我们要新增学位1000个。",
        "力争引进优质企业8家以上。",
        "计划新增中小学公办学位超1000个。",
        "确保全年完成村改1000亩。",
        "坚决完成2022年村级工业园攻坚拆除2500亩的任务。",
        "新增普惠托育机构6个。",
        "启动第四批29个老旧小区改造。",
        "推动4个重点“工改”项目融资落地。",
        "以十大教育重点项目为抓手，推动教育更加优质均衡。",
    ],
)
def test_forward_looking_numbers_are_targets(sentence):
    assert only(sentence).kind == "target"


@pytest.mark.parametrize(
    "sentence",
    [
        "过去一年，全镇地区生产总值增长3.6%。",
        "楼宇经济中虽然有23栋亿元楼，但写字楼存在一定空置率。",
        "疫情发生以来，丹灶镇累计复工企业4751家。",
        "税收总量连续两年位居全市32个镇街榜首。",
        "辖区内上市企业有7家。",
        "去年新增就业2000人。",
        "结合庆祝中国共产党成立99周年开展活动。",
        "加强3岁以下婴幼儿照护服务。",
        "22个农村社区之间的经济水平有较大差距。",
        "充分用好桂城63公里滨河生态走廊等生态资源。",
        "同比增长12.5%。",
    ],
)
def test_results_and_facts_are_past(sentence):
    found = quantities(sentence)
    assert found, sentence
    assert {c.kind for c in found} == {"past"}, [(c.value, c.kind) for c in found]


def test_a_growth_rate_reported_for_last_year_is_past_and_still_a_growth_rate():
    c = only("过去一年，全镇地区生产总值增长3.6%。")
    assert (c.kind, c.growth, c.value) == ("past", True, D("3.6"))


def test_progress_this_year_is_progress_and_the_share_is_folded_in():
    found = quantities("截至目前，丹灶已完成土地拆除整理1641.72亩，实现年度任务量的65.67%。")
    progress = [c for c in found if c.kind == "progress"]
    assert [(c.value, c.unit) for c in progress] == [(D("1641.72"), "亩")]
    assert progress[0].quote == "丹灶已完成土地拆除整理1641.72亩，实现年度任务量的65.67%"


def test_progress_with_its_share_implies_the_annual_target():
    found = quantities("截至目前，丹灶已完成土地拆除整理1641.72亩，实现年度任务量的65.67%。")
    (implied,) = [c for c in found if c.kind == "target"]
    assert (implied.value, implied.unit, implied.comparison) == (2500, "亩", "eq")
    assert implied.implied is True
    assert implied.to_json()["value"] == "2500"


def test_a_share_alone_is_progress():
    (c,) = quantities("目前已完成年度任务的48%。")
    assert (c.kind, c.value, c.unit) == ("progress", D("48"), "%")


def test_progress_of_an_earlier_year_is_past():
    assert only("去年已完成拆除整理800亩。").kind == "past"


@pytest.mark.parametrize(
    ("sentence", "quote"),
    [
        ("确保佛山仙湖实验室年内开园。", "确保佛山仙湖实验室年内开园"),
        ("二是启动联合国氢能学院建设；", "二是启动联合国氢能学院建设"),
        ("完成南海儿童公园、半月岛公园等项目。", "完成南海儿童公园、半月岛公园等项目"),
        ("依法完成马山旧城改造项目剩余产权征收。", "依法完成马山旧城改造项目剩余产权征收"),
        ("推动隆平社区成功创建第三批省级典型村。", "推动隆平社区成功创建第三批省级典型村"),
        ("加快排水单元雨污分流改造工程开工建设。", "加快排水单元雨污分流改造工程开工建设"),
        ("组建街道经济发展顾问团。", "组建街道经济发展顾问团"),
        ("系统制定旅游业专项方案。", "系统制定旅游业专项方案"),
    ],
)
def test_milestones_are_things_to_be_done_without_a_number(sentence, quote):
    (m,) = candidates(sentence, "milestone")
    assert m.quote == quote
    assert (m.value, m.unit, m.comparison) == (None, "", None)
    assert m.to_json()["value"] is None


def test_a_milestone_named_in_the_clause_before_keeps_its_subject():
    (m,) = candidates("一是全力支持佛山仙湖实验室建设，确保今年正式开园；", "milestone")
    assert m.quote == "一是全力支持佛山仙湖实验室建设，确保今年正式开园"
    assert "佛山仙湖实验室" in m.metric


@pytest.mark.parametrize(
    "sentence",
    [
        "19日，仙湖氢谷十大项目启动暨佛山仙湖实验室工程建设启动。",
        "去年已完成南海儿童公园项目。",
        "保质保量按时完成攻坚目标。",
        "探索设立产业投资基金。",
        "深入贯彻新发展理念。",
    ],
)
def test_reports_and_generic_aims_are_not_milestones(sentence):
    assert candidates(sentence, "milestone") == []


def test_a_milestone_with_a_number_is_a_target_instead():
    found = candidates("启动第四批29个老旧小区改造。")
    assert [c.kind for c in found] == ["target"]


def test_a_result_with_year_on_year_growth_is_past():
    found = quantities("全镇实现地区生产总值125.6亿元，同比增长6.2%。")
    assert [(c.kind, c.value) for c in found] == [("past", D("125.6")), ("past", D("6.2"))]


def test_sentences_about_a_year_before_the_plan_year_are_past():
    text = "西区街道2026年工作计划\n\n2025年，全街道新增学位800个。2026年，计划新增学位1000个。\n"
    found = quantities(text)
    assert [(c.kind, c.value) for c in found] == [("past", 800), ("target", 1000)]


def test_a_decrease_is_a_negative_growth_rate():
    c = only("要使安全生产事故起数下降10%。")
    assert (c.value, c.growth, c.kind) == (D("-10"), True, "target")


def test_a_money_threshold_that_only_qualifies_projects_is_not_a_target():
    found = quantities("全年引进10亿元以上项目2个。")
    assert [(c.value, c.unit) for c in found] == [(D("2"), "个")]
