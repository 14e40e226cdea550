"""Named groupings: 五个“聚焦”, “四张牌”, 七大重点领域, “四个坚持”, 四个方面.

A plan names a set of things by counting them. Such a count is a label, not a
quantity to reach, and the set's members are usually the sections that follow.
This module only finds the mentions; sections.py matches them to members and
quantities.py drops their numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numerals import parse_chinese_int

_N = r"(?P<n>[两二三四五六七八九十]{1,2}|\d{1,2})"
_OPEN = "“\"‘'「"
_CLOSE = "”\"’'」"

# Nouns that make "N个X" a set of headings rather than a count of things.
LABEL_NOUNS = (
    "方面", "维度", "层面", "领域", "方向", "原则", "坚持", "聚焦", "提升", "统筹",
    "必须", "导向", "抓手", "着力点", "转变",
)  # fmt: skip

# "N大" before an abstract noun names a set of policies (七大领域, 三大战役,
# 三大行动); before a concrete one it counts things (三大连片示范区, 十大项目).
_ABSTRACT_SET = re.compile(
    r"(?:重点|专项|主要|核心|攻坚)?(?:领域|方面|行动|战役|战略|板块|任务|体系|举措|攻坚|工程建设)"
)

_PATTERNS = (
    # 五个“聚焦”, 两个“点线面”, 五个“最”: the quoted word names each member.
    re.compile(_N + r"(?P<cls>个|张|项|大)[“\"‘'「](?P<kw>[^”\"’'」\n]{1,8})[”\"’'」]"),
    # “四个坚持”, “四张牌”, “六个维度”: the whole name in quotes.
    re.compile(r"[“\"‘'「]" + _N + r"(?P<cls>个|张|项|大|条)(?P<kw>[\u4e00-\u9fff]{1,6})[”\"’'」]"),
    # 七大重点领域, 三大行动: "the N major X".
    re.compile(_N + r"(?P<cls>大)(?P<kw>[\u4e00-\u9fff]{2,6}?)(?=[，,。；;、：:的”\"\s]|$)"),
    # 四个方面, 三个方面
    re.compile(_N + r"(?P<cls>个)(?P<kw>" + "|".join(LABEL_NOUNS) + ")"),
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    number_start: int
    number_end: int
    count: int
    classifier: str
    noun: str
    text: str  # as written, without enclosing quotes: 五个“聚焦”, 四张牌

    @property
    def names_a_set(self) -> bool:
        """ "七大领域", "三大战役": a label whatever the sections say."""
        return self.classifier != "大" or bool(_ABSTRACT_SET.match(self.noun))

    @property
    def keyword(self) -> str:
        """The word each member starts with, when the noun is such a word.

        "五个“聚焦”" → 聚焦: the members read "聚焦空间再造…", "聚焦产业重塑…".
        A noun like 牌 or 重点领域 is not repeated by the members.
        """
        if self.classifier == "个" and 1 <= len(self.noun) <= 4 and self.noun not in ("方面",):
            return self.noun
        return ""


# Every mention holds a count word right before its classifier. One pass finds
# those; the patterns are then tried only in the few places around them, not
# four times over the whole text.
_CLASSIFIER = re.compile(r"[个张项大条]")
_COUNT_CHARS = set("两二三四五六七八九十0123456789")
_REACH = 24  # the longest a mention runs around its count word


def _windows(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    # Scanning for one character class is what the regex engine does fastest.
    for m in _CLASSIFIER.finditer(text):
        at = m.start()
        if at == 0 or text[at - 1] not in _COUNT_CHARS:
            continue
        a, b = max(0, at - 4), min(len(text), at + 1 + _REACH)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def find_mentions(text: str) -> list[Mention]:
    found: dict[int, Mention] = {}
    windows = _windows(text)
    for pattern in _PATTERNS:
        for m in (m for a, b in windows for m in pattern.finditer(text, a, b)):
            count = _count(m.group("n"))
            if count is None or count < 2:
                continue
            start, end = m.start(), m.end()
            whole = m.group()
            if whole[0] in _OPEN and whole[-1] in _CLOSE:
                shown = whole[1:-1]
            else:
                shown = whole
            mention = Mention(
                start, end, m.start("n"), m.end("n"), count, m.group("cls"), m.group("kw"), shown
            )
            # The first pattern to claim a number wins: patterns go from most to least specific.
            found.setdefault(m.start("n"), mention)
    return sorted(found.values(), key=lambda mn: mn.start)


def _count(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    return parse_chinese_int(raw)
