"""Finding quantities: a number, its unit, and the words that bound it.

A quantity is a number with a unit (2500亩, 25亿元, 5%, 十件, 2—3个), read
with the comparison words around it (超1000个, 8家以上, 约7亿元, 5%左右,
控制在…以内). Most digits in a plan are *not* quantities, and this module's
main work is saying no: dates, years, ordinals (第四批), document and plan
names (“十五五”, “1+5”, 《…十条政策意见》), road names (36米路), product
names (5G), clock times (24小时), phone numbers, counts that only label a
list (“产业发展、环境建设…四张牌”) or a named set (五个“聚焦”).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .grouping import Mention
from .numerals import CHINESE_NUMERAL_CHARS, parse_number

# Units as written after a number. 万/亿 scales stay inside the unit
# ("25亿元" is 25 with unit 亿元) so that the value reads as the document does.
BASE_UNITS = (
    "平方公里", "平方千米", "平方米", "立方米", "个百分点", "百分点", "千瓦时", "千瓦", "兆瓦",
    "公顷", "公里", "千米", "人次", "周年", "个月", "标准箱", "亩", "米", "吨", "元", "美元",
    "个", "家", "所", "件", "名", "人", "户", "套", "栋", "幢", "座", "条", "项", "宗", "场",
    "次", "批", "处", "间", "台", "辆", "张", "床", "支", "类", "款", "部", "株", "棵", "艘",
    "架", "篇", "份", "倍", "岁", "天", "年", "%", "‰",
    # Farm, retail and service counts seen in plans from other provinces:
    # 食用菌900万袋, 生猪3000头, 路灯478盏, 建筑面积21.9万m2 (㎡ after NFKC).
    "课时", "袋", "头", "箱", "盏", "只", "块", "组", "m2", "㎡",
)  # fmt: skip
_UNIT_RE = re.compile(
    r"(?P<approx>[余多])?(?P<unit>(?:千万|百万|万亿|万|亿)?(?:"
    + "|".join(re.escape(u) for u in sorted(BASE_UNITS, key=len, reverse=True))
    + r")|千万|百万|万|亿)"
)
# A unit followed by one of these characters is the start of a word, not a unit.
_UNIT_NOT_BEFORE = {
    "米": "路道街巷桥",
    "人": "民大",
    "名": "单称义片字",
    "条": "例件",
    "家": "庭长乡",
    "所": "以有长在",
    "场": "所景地馆",
    "处": "理置室长",
    "部": "门署分",
    "项": "目",
    "张": "牌",
    "支": "持付部",
    "类": "型似",
    "宗": "祠旨教",
    "间": "隔接",
    "户": "籍外口",
    "台": "湾",
    "次": "会",
    "年": "度级",
    "头": "号部脑条版雁羊牛",
    "组": "织建成合团长",
    "块": "钱",
    "只": "有要是能",
}
# Durations count as quantities only when bounded: 3至5年, 3年内, 连续两年, 近十年.
_DURATION_UNITS = ("年", "个月", "天")
_DURATION_BEFORE = re.compile(r"(?:连续|近|过去|未来|用|历时|经过)$")
_DURATION_AFTER = re.compile(r"^(?:内|以内|之内|来|以来|间)")

# 大 starting a word of its own: 三大会, 两大家, 十大力 are not "N major X".
_NOT_MAJOR = set("会学道街桥厦楼赛力幅约概多家众量批大") | {""}

_NUMBER = re.compile(
    r"百分之(?:\d+(?:\.\d+)?|[" + CHINESE_NUMERAL_CHARS + r"]+)"
    r"|\d+(?:\.\d+)?"
    r"|[" + CHINESE_NUMERAL_CHARS + r"]+"
)
_RANGE_SEP = re.compile(r"\s*[—–\-~～至到]{1,2}\s*")

_PREFIX = re.compile(
    r"(?P<word>不少于|不低于|不超过|不高于|不到|超过|突破|高于|低于|至少|最多|大约|将近|接近|逾|超|近|约|控制在)$"
)
_PREFIX_COMPARISON = {
    "不少于": "ge", "不低于": "ge", "至少": "ge",
    "超过": "gt", "突破": "gt", "超": "gt", "逾": "gt", "高于": "gt",
    "不超过": "le", "不高于": "le", "最多": "le", "控制在": "le",
    "低于": "lt", "不到": "lt",
    "约": "approx", "大约": "approx", "近": "approx", "将近": "approx", "接近": "approx",
}  # fmt: skip
# 约 and 近 inside words: 节约, 制约, 签约, 最近, 附近.
_PREFIX_FALSE = {"约": "节制签预合公条", "近": "最附就"}
# A short parenthetical may stand between the unit and the word: 6000套(间)以上.
_SUFFIX = re.compile(
    r"^(?P<aside>[（(][^（()）\n]{1,4}[)）])?(?P<word>以上|以下|以内|之内|左右|上下)"
)
_SUFFIX_COMPARISON = {
    "以上": "ge", "以下": "le", "以内": "le", "之内": "le", "左右": "approx", "上下": "approx",
}  # fmt: skip

# Spans where digits are never quantities.
_MASKS = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"  # 2026-02-09
    r"|\d{4}年\d{1,2}月(?:\d{1,2}[日号])?"  # 2022年1月22日
    r"|\d{1,2}月\d{1,2}[日号]"  # 1月22日
    r"|\d{1,2}[:：]\d{2}"  # 09:30
    r"|\(?0\d{2,3}\)?[-\s]?\d{7,8}|1[3-9]\d{9}"  # phone numbers
    r"|[A-Za-z0-9]*\d[A-Za-z0-9]*(?:\+[A-Za-z0-9]+)+"  # 1+5, 2+3+4, 1+6+N
    r"|[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号"  # document numbers 〔2022〕5号
    # Names that hold a number: 党的二十大, 二十届三中全会, 抓好三支队伍建设.
    r"|党的[一二三四五六七八九十]{1,3}大|[一二三四五六七八九十]中全会"
    r"|[两二三四五六七八九十]支队伍(?=建设)"
)
_QUOTES = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))
_RATIO_METRIC = re.compile(r"[\u4e00-\u9fff]{1,2}(?:率|比|比重|指数|系数|强度|密度)$")
_RATIO_VERB = re.compile(r"(?:超过|超|达到|达|不低于|不少于|提高到|提升到|控制在|保持在|为)$")


@dataclass
class Quantity:
    start: int  # clean offsets: from the comparison word (if any) …
    end: int  # … to the end of the unit and any 以上/左右
    number_start: int
    number_end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    comparison: str


def name_spans(text: str) -> list[tuple[int, int]]:
    """Short quoted names and book titles: 《…十条政策意见》, “三千党员进党校”, “十五五”.

    A long quotation (a speech) is not a name: its numbers count.
    """
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"《[^《》\n]{0,80}》", text):
        spans.append((m.start(), m.end()))
    for opening, closing in _QUOTES:
        pattern = (
            re.escape(opening)
            + r"([^"
            + re.escape(opening + closing)
            + r"\n]{0,15})"
            + re.escape(closing)
        )
        for m in re.finditer(pattern, text):
            if not re.search(r"[，,。；;！？!?]", m.group(1)):
                spans.append((m.start(), m.end()))
    for m in re.finditer(r'"([^"\n]{0,15})"', text):
        if not re.search(r"[，,。；;！？!?]", m.group(1)):
            spans.append((m.start(), m.end()))
    return spans


# Every mask holds a digit or one of these words; the masks are sought only
# near them (a mask is at most ~30 characters long).
_MASK_ANCHOR = re.compile(r"\d|党的|中全会|支队伍")


def _mask_windows(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _MASK_ANCHOR.finditer(text):
        a, b = max(0, m.start() - 30), min(len(text), m.end() + 30)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _masked(text: str, mentions: list[Mention]) -> bytearray:
    mask = bytearray(len(text))
    for a, b in _mask_windows(text):
        for m in _MASKS.finditer(text, a, b):
            mask[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for start, end in name_spans(text):
        mask[start:end] = b"\x01" * (end - start)
    for mention in mentions:
        mask[mention.number_start : mention.number_end] = b"\x01" * (
            mention.number_end - mention.number_start
        )
    return mask


# "实现产值倍增" is a target of ×2 (DOMAIN: at least double); 倍增计划 is a programme's name.
_DOUBLING = re.compile(r"(?P<word>倍增|翻一番|翻番|翻两番)(?!计划|行动|工程|战略|专项|政策)")
_DOUBLING_VALUE = {"倍增": 2, "翻一番": 2, "翻番": 2, "翻两番": 4}


def find_quantities(text: str, mentions: list[Mention]) -> list[Quantity]:
    """Quantities in the clean text, in order.

    mentions: named groupings whose numbers are labels, not quantities.
    """
    mask = _masked(text, mentions)
    found: list[Quantity] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        if m.start() < pos:
            continue
        q = _read_quantity(text, m, mask)
        if q is not None:
            found.append(q)
            pos = q.end
    for m in _DOUBLING.finditer(text):
        if not any(mask[m.start() : m.end()]):
            value = Decimal(_DOUBLING_VALUE[m.group("word")])
            found.append(Quantity(m.start(), m.end(), m.start(), m.end(), value, None, "倍", "ge"))
    found.sort(key=lambda q: q.start)
    return [q for q in found if not _counts_a_list(text, q) and not _is_capacity(text, q)]


_CAPACITY_BEFORE = re.compile(r"(?:年产(?!值)|年出栏|年存栏|年处理|日处理|日产|年吞吐|年加工)$")
_RATE_AFTER = re.compile(r"^/(?:日|天|年|小时|时)")


def _is_capacity(text: str, q: Quantity) -> bool:
    """ "年产10亿件电子元器件项目", "30万吨/日取水泵站": the size of a plant, which names it."""
    return bool(
        _CAPACITY_BEFORE.search(text, max(0, q.start - 4), q.start)
        or _RATE_AFTER.match(text[q.end : q.end + 4])
    )


_ONE_AT_CLAUSE_END = re.compile(r"(?:处|个|座|所|家|条|项|批)(?:[，,。；;、）)]|$)")


def _counts_one(text: str, after: int) -> bool:
    """一 is a number before a scale (一万人次) or as a count that ends its clause
    (新增优质蔬菜繁育基地一处,); before a noun it is an article (一个学段, 一批)."""
    return text.startswith(("万", "亿"), after) or bool(_ONE_AT_CLAUSE_END.match(text, after))


def _read_quantity(text: str, m: re.Match, mask: bytearray) -> Quantity | None:
    token = m.group()
    a, b = m.start(), m.end()
    if any(mask[a:b]):
        return None
    # A space stands for "nothing there" at the edges, so that `in` tests stay honest.
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    percent_words = token.startswith("百分之")
    if percent_words:
        token = token[3:]
    arabic = token[0].isdigit()

    # Ordinals, sessions, parts of codes and identifiers.
    if before in "第届" or before.isalnum() and before.isascii() or before in "+./-_#":
        return None
    if after.isascii() and (after.isalpha() or after in "+_") and not text.startswith("m2", b):
        return None  # 5G, 3D, 4K (but 500m2 is an area)
    if arabic:
        integer = token.split(".")[0]
        if (len(integer) > 1 and integer[0] == "0") or len(integer) > 9:
            return None
        if len(integer) == 4 and 1900 <= int(integer) <= 2100 and text.startswith("年", b):
            return None  # a year
    else:
        if (token == "一" and not _counts_one(text, b)) or before in "几数" or after in "几是":
            return None  # 一 is an article far more often than a number; 十几; 一是
    value = parse_number(token)
    if value is None:
        return None

    if percent_words:
        return _finish(text, a, b, b, value, None, "%", "", arabic)

    # A range: 2—3个, 3至5年, 3亿元至5亿元.
    unit_m = _UNIT_RE.match(text, b)
    after_first = unit_m.end() if unit_m else b
    sep = _RANGE_SEP.match(text, after_first)
    if sep:
        second = _NUMBER.match(text, sep.end())
        if (
            second
            and second.group()[0].isdigit() == arabic
            and not any(mask[second.start() : second.end()])
        ):
            high = parse_number(second.group())
            unit2 = _UNIT_RE.match(text, second.end())
            if (
                high is not None
                and high > value
                and unit2
                and (unit_m is None or unit_m.group("unit") == unit2.group("unit"))
                and _unit_allowed(text, a, unit2, in_range=True)
            ):
                return _finish(
                    text, a, second.end(), unit2.end(), value, high, unit2.group("unit"), "", arabic
                )

    if not arabic and text.startswith("大", b) and text[b + 1 : b + 2] not in _NOT_MAJOR:
        # 三大连片示范区, 十大教育重点项目: "the N major X" counts X; its classifier is 个.
        return _finish(text, a, b, b + 1, value, None, "个", "", arabic)

    if unit_m and _unit_allowed(text, a, unit_m, in_range=False):
        return _finish(
            text,
            a,
            b,
            unit_m.end(),
            value,
            None,
            _unit_named_before(text, a, unit_m.group("unit")),
            unit_m.group("approx") or "",
            arabic,
        )

    # A ratio without a unit: 平均容积率超3.0.
    if arabic and not after.isdigit():
        head = text[max(0, a - 12) : a]
        verb = _RATIO_VERB.search(head)
        rest = head[: verb.start()] if verb else head
        ratio = _RATIO_METRIC.search(rest)
        if ratio and (verb or "." in token):
            # No unit is written; the ratio's own name serves: 3.0 容积率.
            return _finish(text, a, b, b, value, None, ratio.group(), "", arabic)
    return None


# "服务人次达200万": the unit is named before the number, which carries only its scale.
_UNIT_BEFORE = re.compile(
    r"(?P<unit>人次|人数|户数)(?:达到|达|超过|突破|超|逾|为|约|近|不少于|不低于)?$"
)
_UNIT_OF_COUNT = {"人次": "人次", "人数": "人", "户数": "户"}


def _unit_named_before(text: str, number_start: int, unit: str) -> str:
    if unit not in ("万", "亿", "千万", "百万"):
        return unit
    named = _UNIT_BEFORE.search(text, max(0, number_start - 8), number_start)
    return unit + _UNIT_OF_COUNT[named.group("unit")] if named else unit


def _unit_allowed(text: str, number_start: int, unit_m: re.Match, in_range: bool) -> bool:
    unit = unit_m.group("unit")
    end = unit_m.end()
    nxt = text[end] if end < len(text) else ""
    base = unit.lstrip("千百万亿") or unit
    if nxt and nxt in _UNIT_NOT_BEFORE.get(base, ""):
        return False
    if base in _DURATION_UNITS:
        head = text[max(0, number_start - 4) : number_start]
        if not (_DURATION_BEFORE.search(head) or _DURATION_AFTER.match(text[end : end + 2])):
            return False
    return True


def _finish(
    text: str,
    number_start: int,
    number_end: int,
    end: int,
    value: Decimal,
    value_max: Decimal | None,
    unit: str,
    approx: str,
    arabic: bool,
) -> Quantity:
    start = number_start
    comparison = "range" if value_max is not None else ""
    prefix = _PREFIX.search(text, max(0, number_start - 3), number_start)
    if prefix and not comparison:
        word = prefix.group("word")
        lead = text[prefix.start() - 1] if prefix.start() > 0 else ""
        if not (len(word) == 1 and lead and lead in _PREFIX_FALSE.get(word, "")):
            comparison = _PREFIX_COMPARISON[word]
            start = prefix.start()
    suffix = _SUFFIX.match(text[end : end + 8])
    if suffix:
        if not comparison:
            comparison = _SUFFIX_COMPARISON[suffix.group("word")]
        end += suffix.end()
    if not comparison and approx:
        comparison = "gt"  # 500余亩, 1000多个: more than
    return Quantity(
        start, end, number_start, number_end, value, value_max, unit, comparison or "eq"
    )


_LIST_SEP = re.compile(r"[、]")
_LIST_LAST = re.compile(r"[和及与]")


def _counts_a_list(text: str, q: Quantity) -> bool:
    """True for a count that totals the items just listed before it.

    "实施产业大转型、土地大整治、生态大提升三大行动", "政治、思想、作风、态度和
    能力等5个方面": the number names the list; it is not something to reach.
    """
    if q.value_max is not None or q.value != q.value.to_integral_value() or not 2 <= q.value <= 12:
        return False
    # A list that names a count is short; looking further back would cost a scan
    # of the whole text per quantity for a mark the text never uses.
    window = max(0, q.start - 200)
    clause_start = max(
        max(text.rfind(ch, window, q.start) for ch in "，,；;。！？!?\n：:") + 1, window
    )
    head = text[clause_start : q.start].rstrip()
    head = head.removesuffix("等").rstrip("”\"’'」")
    if not head or "、" not in head:
        return False
    if re.search(r"\d", head):
        return False  # 重大项目4个、重点项目2个: the items carry their own counts
    # The list must end right here: the last item runs into the number.
    last = head.rsplit("、", 1)[1]
    if len(last) > 12:
        return False
    items = len(_LIST_SEP.findall(head)) + 1
    if _LIST_LAST.search(last):
        items += 1
    return items == int(q.value)
