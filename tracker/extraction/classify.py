"""What a quantity is: a target, a progress report, or a past fact; and milestones.

A plan mixes three tenses. "力争引进优质企业8家以上" is a target;
"截至目前，已完成土地拆除整理1641.72亩" reports progress on this year's
target; "累计复工企业4751家", "有23栋亿元楼", "连续两年位居…" are results
and facts. The rule reads the markers in the sentence before the number:

1. progress words (已完成, 截至目前, 年度任务量的) → progress, unless the
   sentence is about an earlier year (去年, 过去);
2. the latest *past* marker (累计, 以来, 已, 有23…, 位居, 同比, 过去 …) wins
   unless a *future* marker (将, 要, 力争, 计划, 确保, 目标 …) comes after it;
   a clause that puts existing assets to use (用好桂城63公里…) is a fact too;
3. any future marker or plan verb (新增, 启动, 推进, 建设, 引进, 完成…任务 …)
   → target;
4. nothing either way → past: a bare number in a report is a fact, and a
   wrong "target" costs a reviewer more than a missed one.

Ages (3岁) and anniversaries (99周年) are always facts.

Milestones are clauses without a quantity that promise a thing done:
确保…开园/建成/达标, 启动…建设/工程/工作, 完成…项目/征收/改造, 成功创建…,
加快…开工建设 — unless the sentence reports it as done.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .quantities import Quantity

_PROGRESS = re.compile(
    r"已完成|已经完成|已累计完成|截至目前|截止目前|截至\d{1,2}月|截至今年|目前已"
    # "目前主体完成约70%": how far a project has got.
    r"|目前[^，,。；;\d]{0,8}完成|已于[^，,。；;]{1,8}完成"
    r"|年度任务量的|年度任务的|全年任务的|完成年度任务|完成全年任务|完成年度目标|完成全年目标"
)
_EARLIER_YEAR = re.compile(r"去年|过去|上年|前年|上一年")
_PAST = re.compile(
    r"过去|去年|上年|前年|以来|至今|累计|连续|已经|已(?!将)|曾经|先后|共有|拥有"
    r"|(?<![没具所])有(?=\d|[两二三四五六七八九十])|位居|位列|推选出|评选出|获评|荣获|复工"
    # A dated event ("19日，…启动") is a report of what happened that day.
    r"|\d{1,2}月\d{1,2}[日号](?![前内起])|(?<![\d月])\d{1,2}[日号][,，]|\d{1,2}月(?:中旬|上旬|下旬|初|底)?[,，]"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_YEAR_ON_YEAR = re.compile(r"同比|比上年|比去年")
# Verbs that put something that already exists to use: the number describes it.
_EXISTING = re.compile(r"用好|用足|用活|利用|依托|借助|现有|拥有")
_FUTURE = re.compile(
    # 计划 as a noun names a programme (国家级人才计划项目, 年度计划): no intention.
    r"将(?!近)|(?<![需主重只首必纪摘概纲])要(?![求素点害闻件])|力争|争取|力求"
    r"|(?<!人才|引才|工作|行动|年度)计划(?!项目|单列|生育)|确保|预计|拟"
    r"|目标|努力|年内|全年|明年|今后|未来"
)
# Words that look ahead in a plan but not in a review: there "全年" is the year
# just past, "预计" an estimate of its result ("全年预计实现规上工业产值增长3%").
_WEAK_FUTURE = re.compile(r"预计|全年|年内|目标")
_ESTIMATE = re.compile(r"预计")
_PLAN_VERB = re.compile(
    r"新增|新建|建设|建成|启动|推进|推动|加快|打造|实施|开发|引进|签约|完成|实现|增加|投入"
    r"|盘活|拓展|布局|办好|提升|提高|增长|培育|创建|改造|拆除|开展|扩大|落实|达到|突破|腾挪|规划"
    # Verbs of livelihood lists and party-building plans (新增120张护理床位, 公推40名…).
    r"|推出|改建|扩建|开办|开设|交付|新辟|创办|招聘|援助|布建|整治|栽植|种植|举办|招引|招募"
    r"|配备|修缮|维修|创成|争创|申报|吸纳|安置|公推|发展(?=\d|新)|建立|组建|打通"
)
_STRETCH = re.compile(r"力争|争取|力求")
_GROWTH = re.compile(r"(?:增长|提高|提升|增加|上升|增速|增幅|下降|降低|减少)(?:了)?$")
_SHARE_OF_PLAN = re.compile(r"(?:年度|全年)?(?:任务量|任务|计划|目标)的?$")

# Words before the metric that are not part of it.
_LEAD_VERBS = re.compile(
    r"力争|争取|力求|努力|确保|计划|预计|还将|将|要|实现|完成|达到|新增|新建|增加|引进|推动|推进"
    r"|加快|启动|开发|打造|布局|办好|投入|盘活|拓展|建设|提升|改造|累计|其中|已经|已|共|用好|位居|规划"
    r"|建成|推出|改建|扩建|开办|开设|交付|新辟|创办|招聘|布建|栽植|种植|举办|招引|配备|公推"
)
_DATE_WORDS = re.compile(r"^(?:\d{4}年度?|今年|明年|年内|全年|上半年|下半年|目前|截至目前)")
_ORDINAL_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+是|首先是?|其次是?|第[一二三四五六七八九十]+批)"
)
_NOISE = re.compile(r"^(?:一批|一个|一些|若干|等|使|把|让)|等$")

SENTENCE_BREAKS = "。！？!?\n"
CLAUSE_BREAKS = "，,；;。！？!?\n：:|"  # | : a table cell
_SENTENCE_BREAK_RE = re.compile("[" + re.escape(SENTENCE_BREAKS) + "]")
_CLAUSE_BREAK_RE = re.compile("[" + re.escape(CLAUSE_BREAKS) + "]")
_OPENERS = "“‘「『《（("
_CLOSERS = "”’」』》）)"


class Segments:
    """Sentence and clause boundaries of the clean text, for lookups by position."""

    def __init__(self, text: str, plan_year: int | None = None) -> None:
        self.text = text
        # The year the document plans for (from its title), when known: a
        # sentence about an earlier year reports results.
        self.plan_year = plan_year
        self.sentence_breaks = [m.start() for m in _SENTENCE_BREAK_RE.finditer(text)]
        self.clause_breaks = [m.start() for m in _CLAUSE_BREAK_RE.finditer(text)]

    @staticmethod
    def _around(breaks: list[int], pos: int, length: int) -> tuple[int, int]:
        k = bisect.bisect_right(breaks, pos - 1)
        start = breaks[k - 1] + 1 if k > 0 else 0
        end = breaks[k] if k < len(breaks) else length
        return start, end

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._around(self.sentence_breaks, pos, len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        return self._around(self.clause_breaks, pos, len(self.text))

    def clauses(self, start: int, end: int):
        """(start, end) of each clause inside [start, end)."""
        k = bisect.bisect_left(self.clause_breaks, start)
        cur = start
        while k < len(self.clause_breaks) and self.clause_breaks[k] < end:
            yield cur, self.clause_breaks[k]
            cur = self.clause_breaks[k] + 1
            k += 1
        if cur < end:
            yield cur, end

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """Drop spaces and dangling quote marks at the edges of a span."""
        text = self.text
        while start < end and (text[start] in " " or text[start] in _CLOSERS):
            start += 1
        while end > start and (text[end - 1] in " " or text[end - 1] in _OPENERS):
            end -= 1
        return start, end


@dataclass
class Reading:
    kind: str
    growth: bool
    stretch: bool
    metric: str
    quote_start: int
    quote_end: int
    sign: int = 1


def _last_end(pattern: re.Pattern, text: str) -> int:
    last = -1
    for m in pattern.finditer(text):
        last = m.end()
    return last


def tense(text: str, seg: Segments, pos: int, review: bool = False) -> str:
    """ "target", "progress", "past", or "" (no marker) for clean position pos.

    review: the position lies in a section that looks back (工作回顾, 总结, 成效),
    so plan verbs there (新建公园5个) report what was done, and 全年/预计 speak
    of the year just past.

    A sentence can hold several statements: a semicolon ends one, and within
    one the latest marker wins, so "截至目前已引进5个，确保全年引进12个项目"
    reports progress and then sets a target.
    """
    s_start, s_end = seg.sentence(pos)
    c_start, _ = seg.clause(pos)
    before = text[s_start:pos]
    future_re = _FUTURE
    past = _last_end(_PAST, before)
    if seg.plan_year:
        for m in _YEAR.finditer(before):
            if int(m.group(1)) < seg.plan_year:
                past = max(past, m.end())
    progress = _last_end(_PROGRESS, before)
    future = _last_end(future_re, before)
    if review or max(past, progress) >= 0:
        # An estimate (预计) in a report is a result, not a commitment.
        weak = _WEAK_FUTURE if review else _ESTIMATE
        future = max(
            (m.end() for m in future_re.finditer(before) if not weak.fullmatch(m.group())),
            default=-1,
        )
    # ">=": in "完成年度目标38.5%" the progress phrase holds the word 目标.
    estimate = _last_end(_ESTIMATE, before)
    if max(past, progress) >= 0 and estimate > max(past, progress, future):
        return "past"  # "截至目前已引进…；…预计投资金额3亿元": a forecast inside a report
    if progress >= 0 and progress >= future and not _EARLIER_YEAR.search(before):
        return "progress"
    if past >= 0 and past > future:
        return "past"
    if future < 0 and _YEAR_ON_YEAR.search(text, s_start, s_end):
        return "past"  # "实现地区生产总值125.6亿元，同比增长6.2%": a result
    if future < 0 and (review or _looks_back(text, seg, pos)):
        return "past"
    clause_before = text[c_start:pos]
    existing = _last_end(_EXISTING, clause_before)
    if existing >= 0 and existing > _last_end(_PLAN_VERB, clause_before):
        return "past"
    if future >= 0 or _PLAN_VERB.search(before):
        return "target"
    # Nothing before the number: the governing verb may come after it
    # ("以十大教育重点项目为抓手，推动…"). The first marker after decides.
    after = text[pos:s_end]
    # At one position a progress phrase beats the 已 inside it: sort by position, then kind.
    firsts = [
        (m.start(), kind != "progress", kind)
        for pattern, kind in (
            (_PROGRESS, "progress"),
            (_PAST, "past"),
            (future_re, "target"),
            (_PLAN_VERB, "target"),
        )
        if (m := pattern.search(after))
    ]
    return min(firsts)[2] if firsts else ""


_LOOKING_BACK = re.compile(r"^(?:过去(?:的)?一年|一年来|去年|上一年|上年|过去\d+年|近年来|过去)")
# Sections that state where things stand (发展现状, 基本情况) report facts, as reviews do.
REVIEW_TITLE = re.compile(r"回顾|总结|成效|成绩|取得|完成情况|工作情况|(?:现状|基本情况|发展基础)$")


def _looks_back(text: str, seg: Segments, pos: int) -> bool:
    """Does the paragraph open by looking back ("过去一年，…", "2025年，…" in a 2026 plan)?"""
    p_start = text.rfind("\n", 0, pos) + 1
    opening = text[p_start : p_start + 16].lstrip("“ ")
    if _LOOKING_BACK.match(opening):
        return True
    year = re.match(r"((?:19|20)\d{2})年", opening)
    return bool(year and seg.plan_year and int(year.group(1)) < seg.plan_year)


def read_quantity(
    text: str, seg: Segments, q: Quantity, pieces: tuple[int, int], review: bool = False
) -> Reading:
    if q.unit in ("岁", "周年"):
        kind = "past"
    else:
        # No marker either way: a bare number in a report is a fact.
        kind = tense(text, seg, q.number_start, review) or "past"
    s_start, _ = seg.sentence(q.number_start)
    scope_start = max(
        s_start, text.rfind("；", s_start, q.start) + 1, text.rfind(";", s_start, q.start) + 1
    )
    stretch = kind == "target" and bool(_STRETCH.search(text, scope_start, q.start))
    piece_start, piece_end = pieces
    head = text[piece_start : q.start]
    rate = _GROWTH.search(head) if q.unit in ("%", "个百分点", "百分点") else None
    growth = rate is not None
    # 下降10% is a growth rate of −10: stored signed, so "met" compares the right way.
    sign = -1 if rate and rate.group().startswith(("下降", "降低", "减少")) else 1
    metric = _metric(text, head, q, growth)
    return Reading(kind, growth, stretch, metric, piece_start, piece_end, sign)


_CLAUSE_END = re.compile(r"[，,。；;\n]")


def _metric(text: str, head: str, q: Quantity, growth: bool) -> str:
    """The phrase the number measures: "地区生产总值", "优质企业", "中小学公办学位"."""
    head = head.strip()
    if growth:
        head = re.sub(r"(?:同比|比上年|比去年)$", "", _GROWTH.sub("", head))
    verbs = list(_LEAD_VERBS.finditer(head))
    phrase = head
    if verbs:
        phrase = head[verbs[-1].end() :]
        if len(phrase) == 1:
            # "规上工业增加值": a verb inside a noun leaves a stub; cut at the verb before.
            phrase = head[verbs[-2].end() :] if len(verbs) > 1 else head
    for pattern in (_ORDINAL_LEAD, _DATE_WORDS, _NOISE):
        phrase = pattern.sub("", phrase)
    phrase = phrase.strip(" ")
    if len(phrase) >= 2 and not head.endswith(("等", "的")):
        return phrase  # the number follows what it counts: 引进优质企业8家
    phrase = phrase.strip("的")
    if not phrase and verbs and _LEAD_VERBS.match(text, q.end):
        return verbs[-1].group()  # 投入约7亿元完成…: the money is what is put in
    tail = re.match(
        r"(?:内|以内|之内)?的?(?:实现|完成|达到)?([^，,。；;、（(\n：:]{1,16})",
        text[q.end : q.end + 24],
    )
    if tail:
        noun = re.split(r"的", tail.group(1), maxsplit=1)[0]
        noun = re.split(r"(?:为抓手|为重点|为核心)", noun, maxsplit=1)[0].strip()
        if len(noun) >= 2 and not _LEAD_VERBS.match(noun):
            return noun
    # "建设一批500万平方米以上、平均容积率超3.0的工业载体": the noun closes the clause.
    # Searched in place: slicing text[q.end:] would copy the rest of the document.
    clause_end = _CLAUSE_END.search(text, q.end)
    rest = text[q.end : clause_end.start()] if clause_end else text[q.end :]
    if "的" in rest:
        noun = rest.rsplit("的", 1)[1].strip()
        if 2 <= len(noun) <= 12:
            return noun
    if phrase:
        return phrase
    return verbs[-1].group() if verbs else head


def quote_pieces(text: str, seg: Segments, quantities: list[Quantity]) -> list[tuple[int, int]]:
    """The verbatim span to quote for each quantity: its clause, or its part of a list.

    "力争实现地区生产总值增长5%左右、规上工业增加值增长6%、…" holds four
    targets in one clause; each gets its own piece, the first keeping the lead-in.
    """
    spans = [seg.clause(q.number_start) for q in quantities]
    out = list(spans)
    by_clause: dict[tuple[int, int], list[int]] = {}
    for i, span in enumerate(spans):
        by_clause.setdefault(span, []).append(i)
    for (c_start, c_end), idx in by_clause.items():
        if len(idx) < 2:
            continue
        cuts = []
        ok = True
        for prev, cur in zip(idx, idx[1:], strict=False):
            gap = text.rfind("、", quantities[prev].end, quantities[cur].start)
            head = text[gap + 1 : quantities[cur].start] if gap >= 0 else ""
            if gap < 0 or len(head.strip()) < 2 or head.rstrip().endswith("等"):
                ok = False
                break
            cuts.append(gap)
        if not ok:
            continue
        bounds = [c_start, *[c + 1 for c in cuts]]
        ends = [*cuts, c_end]
        for k, i in enumerate(idx):
            out[i] = (bounds[k], ends[k])
    return [seg.trim(*span) for span in out]


# --- milestones ---------------------------------------------------------------

_DONE_VERBS = (
    "开园|开业|建成|投产|完工|竣工|落成|通车|投用|投入使用|运营|开工|封顶|达标|交付|验收|挂牌"
)
_MILESTONE_PATTERNS = (
    re.compile(
        r"确保(?P<obj>[^，,；;。]{0,30}?)(?:年内|今年|当年|按期|如期|按时|正式|顺利|全面|尽快|早日)*"
        r"(?P<verb>" + _DONE_VERBS + ")$"
    ),
    re.compile(
        r"启动(?:实施)?(?P<obj>[^，,；;。]{2,30}?)(?P<verb>建设|工程|工作|改造|开发|计划|行动|项目|试点|招商)"
    ),
    re.compile(
        r"完成(?P<obj>[^，,；;。\d]{2,30}?)(?P<verb>项目|工程|建设|征收|收尾|改造|提升|搬迁|验收|整治|修缮)$"
    ),
    # "力争在2023年完成…等在建工程建设并投入使用": a list of works to finish and open.
    re.compile(r"完成(?P<obj>[^，,；;。\d]{2,60}?)(?P<verb>并?投入使用|并?投用|并?交付使用)$"),
    re.compile(r"(?:成功创建|创建成功|创成|争创)(?P<obj>[^，,；;。]{2,30})(?P<verb>)"),
)
_OPENING = re.compile(
    r"(?P<obj>[^，,；;。]{2,30}?)"
    r"(?P<verb>开工建设|建成投用|建成投产|建成|竣工|开业运营|开业|开园|投产|通车|封顶|挂牌|收尾|收官战|收官)$"
)
# A date to be done by: 年内, 年底前, 7月底, 5月1日前.
_DEADLINE = (
    r"(?:年内|今年内?|年底前?|上半年|下半年"
    r"|\d{1,2}月(?:\d{1,2}日)?(?:底|末|中旬|上旬|下旬)?前|\d{1,2}月(?:底|末))"
)
_OPENING_CONTEXT = re.compile(r"加快|推动|保障|确保|力争|争取|将|要|实现|推进|打好|" + _DEADLINE)

# Setting something up that will then exist: a team, a centre, a plan document.
# The object must be a concrete deliverable for the verb; "探索设立…" is not a promise.
_ADVERBS = r"(?:高标准|高质量|高水平|系统|全面|加快|积极|创新|依法|率先|着力|全力|重点|深入|同步|稳步|大力|尽快|持续|规范)?"
_DELIVERABLES = (
    (r"组建|成立|建成|建好", r""),
    (r"设立|建立|创建", r"队伍|队|团|中心|站|名单|平台|机构|基金|专班|委员会|联盟|区|园|基地"),
    (r"制定|出台|编制", r"方案|规划|政策|办法|意见|清单|计划"),
    (r"建设|打造", r"中心|阵地|大楼|医院|学校|馆"),
    (r"开展|启动", r"试点"),
)
_SETUP_PATTERNS = tuple(
    re.compile(
        r"^"
        + _DEADLINE
        + r"?"
        + _ADVERBS
        + r"(?:"
        + verbs
        + r")(?P<obj>[^，,；;。]{2,30}?"
        + (r"(?:" + nouns + r")" if nouns else r"")
        + r")[”’」]?(?P<verb>)$"
    )
    for verbs, nouns in _DELIVERABLES
)
_GENERIC_OBJECT = re.compile(r"整改|目标|决策部署|任务$")


@dataclass
class Milestone:
    start: int
    end: int
    metric: str


def find_milestones(
    text: str,
    seg: Segments,
    paragraphs,
    quantity_spans: list[tuple[int, int]],
    in_review=lambda pos: False,
) -> list[Milestone]:
    found: list[Milestone] = []
    qstarts = sorted(s for s, _ in quantity_spans)
    for para in paragraphs:
        # Headlines and headings restate the body; the body is the statement of record.
        if para.kind != "text":
            continue
        prev_clause: tuple[int, int] | None = None
        for c_start, c_end in seg.clauses(para.start, para.end):
            c_start, c_end = seg.trim(c_start, c_end)
            if c_end - c_start < 4:
                prev_clause = (c_start, c_end)
                continue
            k = bisect.bisect_left(qstarts, c_start)
            has_quantity = k < len(qstarts) and qstarts[k] < c_end
            clause = text[c_start:c_end]
            hit = None if has_quantity else _match_milestone(clause)
            if hit is None and "、" in clause and _MILESTONE_TRIGGER.search(clause):
                # "确保“一横两纵”7月底通车、330国道湍口段12月底建成、城际铁路4个站点
                # 完成主体结构": a list of things to finish, each its own milestone.
                for p_start, p_end in _list_items(clause, c_start, qstarts, quantity_spans):
                    piece = _match_milestone(text[p_start:p_end], context=clause)
                    if piece is not None:
                        at = p_start + piece.start()
                        if tense(text, seg, at, in_review(at)) != "past":
                            metric = (piece.group("obj") + piece.group("verb")).strip()
                            found.append(Milestone(p_start, p_end, metric))
                prev_clause = (c_start, c_end)
                continue
            at = c_start + (hit.start() if hit else 0)
            if hit is not None and tense(text, seg, at, in_review(at)) != "past":
                obj = hit.group("obj")
                obj = re.sub(r"^(?:[一二三四五六七八九十]+是|首先|其次|全力|加快|推动)", "", obj)
                metric = (obj + hit.group("verb")).strip()
                start = c_start
                if len(obj.strip()) < 2 and prev_clause is not None:
                    # "全力支持佛山仙湖实验室建设，确保今年正式开园": the thing is named before.
                    start = prev_clause[0]
                    metric = re.sub(
                        r"^(?:[一二三四五六七八九十]+是)?(?:全力支持|支持|推进|推动|加快)?",
                        "",
                        text[prev_clause[0] : prev_clause[1]],
                    )
                if not _GENERIC_OBJECT.search(obj.strip()):
                    found.append(Milestone(start, c_end, metric))
            prev_clause = (c_start, c_end)
    return found


_MILESTONE_TRIGGER = re.compile(
    r"确保|启动|完成|创建|创成|争创|组建|成立|设立|建立|制定|出台|编制|建设|打造|开展"
    r"|开工|建成|竣工|开业|开园|投产|通车|封顶|挂牌|收尾|收官"
)


def _list_items(clause: str, offset: int, qstarts: list[int], spans) -> list[tuple[int, int]]:
    """The items of a 、-list in a clause that hold no quantity, as (start, end) in the text."""
    items = []
    start = 0
    for part in clause.split("、"):
        a, b = offset + start, offset + start + len(part)
        start += len(part) + 1
        k = bisect.bisect_left(qstarts, a)
        if len(part) >= 4 and not (k < len(qstarts) and qstarts[k] < b):
            items.append((a, b))
    return items


def _match_milestone(clause: str, context: str | None = None) -> re.Match | None:
    """A milestone in clause; context is where words like 确保 or a deadline may stand."""
    if not _MILESTONE_TRIGGER.search(clause):
        return None  # most clauses: one cheap search instead of a dozen
    for pattern in _MILESTONE_PATTERNS:
        m = pattern.search(clause)
        if m:
            return m
    m = _OPENING.search(clause)
    if m and _OPENING_CONTEXT.search(context or clause):
        return m
    for pattern in _SETUP_PATTERNS:
        m = pattern.search(clause)
        if m:
            return m
    return None
