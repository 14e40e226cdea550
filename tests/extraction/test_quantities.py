"""Reading a number with its unit and comparison words, from short sentences."""

from decimal import Decimal

import pytest

from tests.extraction.helpers import D, only, quantities, read
from tracker.extraction.quantities import find_quantities


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("今年将攻坚拆除2500亩。", "2500", "亩"),
        ("计划引进优质企业8家。", "8", "家"),
        ("新增学位4180个。", "4180", "个"),
        ("将建成社区体育公园40个。", "40", "个"),
        ("将新建道路12公里。", "12", "公里"),
        ("完成整治河涌9条。", "9", "条"),
        ("计划总投资额25亿元。", "25", "亿元"),
        ("将建设厂房500万平方米。", "500", "万平方米"),
        ("计划流转土地3万亩。", "3", "万亩"),
        ("将完成6所学校建设。", "6", "所"),
        ("将培训新型职业农民300名。", "300", "名"),
        ("要新增就业2000人。", "2000", "人"),
    ],
)
def test_arabic_numbers_with_units_as_written(sentence, value, unit):
    c = only(sentence)
    assert (c.value, c.unit, c.comparison) == (D(value), unit, "eq")


def test_full_width_digits_are_read():
    c = only("计划新增学位１０００个。")
    assert (c.value, c.unit) == (D("1000"), "个")


def test_full_width_decimal_point_and_percent_are_read():
    c = only("力争地区生产总值增长５．５％。")
    assert (c.value, c.unit, c.growth) == (D("5.5"), "%", True)


def test_decimals_keep_their_written_precision():
    c = only("截至目前，已完成土地拆除整理1641.72亩。")
    assert c.to_json()["value"] == "1641.72"


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("办好十件民生实事。", "10", "件"),
        ("将启动第四批二十九个老旧小区改造。", "29", "个"),
        ("要培训三千名党员。", "3000", "名"),
        ("将建设两所中学。", "2", "所"),
        ("将打造两大产业集聚区。", "2", "个"),
        ("以十大教育重点项目为抓手，推动教育均衡。", "10", "个"),
    ],
)
def test_chinese_numerals(sentence, value, unit):
    c = only(sentence)
    assert (c.kind, c.value, c.unit) == ("target", D(value), unit)


@pytest.mark.parametrize(
    ("sentence", "comparison", "value"),
    [
        ("力争引进优质企业8家以上。", "ge", "8"),
        ("新增就业岗位不少于500个。", "ge", "500"),
        ("森林覆盖率将不低于40%。", "ge", "40"),
        ("计划新增中小学公办学位超1000个。", "gt", "1000"),
        ("计划新增学位超过1000个。", "gt", "1000"),
        ("将引进人才逾200名。", "gt", "200"),
        ("将盘活近500亩连片土地。", "approx", "500"),
        ("计划投入约7亿元。", "approx", "7"),
        ("力争地区生产总值增长5%左右。", "approx", "5"),
        ("计划投入大约3亿元。", "approx", "3"),
        ("将新建停车位500个以内。", "le", "500"),
        ("单位能耗增幅要不超过2%。", "le", "2"),
        ("要把失业率控制在3.5%以内。", "le", "3.5"),
        ("要使空置率低于10%。", "lt", "10"),
        ("要新建学校5所。", "eq", "5"),
    ],
)
def test_comparison_words(sentence, comparison, value):
    c = only(sentence)
    assert (c.comparison, c.value) == (comparison, D(value))


@pytest.mark.parametrize(
    ("sentence", "low", "high", "unit"),
    [
        ("开发2—3个实战微应用。", "2", "3", "个"),
        ("开发2-3个实战微应用。", "2", "3", "个"),
        ("计划建设3至5个示范村。", "3", "5", "个"),
        ("将培育3到5家龙头企业。", "3", "5", "家"),
        ("计划新增就业2~3万人。", "2", "3", "万人"),
    ],
)
def test_ranges(sentence, low, high, unit):
    c = only(sentence)
    assert (c.value, c.value_max, c.unit, c.comparison) == (D(low), D(high), unit, "range")
    assert c.to_json()["value_max"] == high


def test_range_of_years_is_read_as_a_quantity():
    (q,) = find_quantities("争取3至5年内实现产值倍增", [])[:1]
    assert (q.value, q.value_max, q.unit, q.comparison) == (3, 5, "年", "range")


def test_a_deadline_in_years_is_not_proposed_the_doubling_is():
    (c,) = quantities("争取3至5年内实现产值倍增。")
    assert (c.kind, c.value, c.unit, c.comparison, c.stretch) == ("target", 2, "倍", "ge", True)
    assert c.metric == "产值"


def test_a_doubling_programme_name_is_not_a_target():
    assert quantities("实施生产性服务业倍增计划。") == []


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        ("力争实现地区生产总值增长5%左右。", "地区生产总值"),
        ("力争规上工业增加值增长6%。", "规上工业增加值"),
        ("要使社会消费品零售总额提高5%。", "社会消费品零售总额"),
    ],
)
def test_growth_rates_are_marked_and_the_metric_is_the_measure(sentence, metric):
    c = only(sentence)
    assert c.growth is True
    assert c.metric == metric


def test_a_level_in_percent_is_not_a_growth_rate():
    c = only("要使森林覆盖率达到40%。")
    assert c.growth is False


def test_stretch_targets_are_marked_by_li_zheng():
    first, second, third = quantities("力争引进优质企业8家以上，签约项目15个，总投资额25亿元。")
    assert all(c.stretch for c in (first, second, third))
    assert [c.metric for c in (first, second, third)] == ["优质企业", "签约项目", "总投资额"]
    assert only("计划新增学位1000个。").stretch is False


def test_each_target_in_a_list_gets_its_own_quote():
    text = "力争实现地区生产总值增长5%左右、规上工业增加值增长6%、进出口总额增长5%。"
    quotes = [c.quote for c in quantities(text)]
    assert quotes == ["力争实现地区生产总值增长5%左右", "规上工业增加值增长6%", "进出口总额增长5%"]


def test_a_unitless_ratio_takes_the_ratio_as_its_unit():
    c = only("将建设平均容积率超3.0的工业载体。")
    assert (c.value, c.unit, c.comparison) == (D("3.0"), "容积率", "gt")
    assert c.to_json()["value"] == "3.0"


def test_percent_in_words():
    c = only("力争研发投入增长百分之十。")
    assert (c.value, c.unit, c.growth) == (D("10"), "%", True)


@pytest.mark.parametrize(
    "sentence",
    [
        "1月22日，西樵镇召开第八届人民代表大会第二次会议。",
        "2022年，西樵镇将围绕镇委的工作主线推进工作。",
        "2026年是“十五五”规划开局起步的奠基之年。",
        "根据南府〔2022〕5号文件要求推进工作。",
        "探索推广“1+5”党建引领基层治理新模式。",
        "重点推进“2+3+4”全域土地综合整治示范项目。",
        "一、在稳增长上勇争先\n（一）精准调度稳住基本盘。\n1.加强调度。\n2、强化监测。",
        "推动隆平社区成功创建第三批省级典型村，靠前谋划第四批典型村培育工作。",
        "推进广珠西高速匝道、隆平36米路等交通路网建设。",
        "推进5G网联无人机智能化城市网格管理项目。",
        "提升规上企业R&D经费投入强度。",
        "提供24小时便民服务。",
        "咨询电话：0760-88223344，手机13800138000。",
        "一是坚持创空间；二是坚持强产业。",
        "发布日期:2026-02-09 分享。",
        "打造“10分钟体育休闲生活圈”。",
        "高标准实施“三千党员进党校”深化工程。",
        "现场发布了《丹灶镇加快科技企业加速器发展十条政策意见》。",
        "全面落实省委十三届四次全会部署要求。",
        "启动1.5级开发与业态招商。",
        "充分发挥一线干部作用，一件件促成、一件件干成。",
        "做实“万企兴万村”，办好慈善万人行等特色活动。",
        "围绕千灯湖片区，推进三龙湾科技城建设。",
        "十几二十年前，昆山都来南海学习。",
        "推进街道专职消防队营房一期建设。",
        "打好安全生产治本攻坚三年行动收官战。",
    ],
)
def test_things_that_are_not_quantities(sentence):
    found = quantities(sentence)
    assert found == [], [(c.value, c.unit, c.quote) for c in found]


def test_counts_that_only_total_a_list_are_not_quantities():
    assert quantities("实施产业大转型、土地大整治、生态大提升三大行动。") == []
    assert quantities("重点从政治、思想、作风、态度和能力等5个方面查找问题。") == []
    assert quantities("打好产业发展、环境建设、城乡融合、基层治理“四张牌”。") == []


def test_counts_that_name_a_grouping_are_not_quantities():
    assert quantities("抓实五个“聚焦”，推动高质量发展。") == []
    assert quantities("岑灼雄提出“四个坚持”。") == []
    assert quantities("丹灶将着力做好四个方面。") == []


def test_a_partial_list_does_not_hide_its_count():
    c = only("将完成映月四小、文翰二小等6所学校建设。")
    assert (c.value, c.unit) == (6, "所")


def test_values_are_decimals():
    c = only("计划投入约7亿元。")
    assert isinstance(c.value, Decimal)


def test_a_document_with_no_numbers_has_no_candidates():
    assert read("深入贯彻新发展理念，推动高质量发展，谱写新篇章。").candidates == []
