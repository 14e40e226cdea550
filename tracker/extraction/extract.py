"""The pipeline: bytes → text → clean paragraphs → sections and candidates."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import readers
from .classify import REVIEW_TITLE, Segments, find_milestones, quote_pieces, read_quantity
from .decoding import check_size, decode
from .grouping import find_mentions
from .normalise import NormalisedText, normalise
from .numerals import format_decimal
from .quantities import find_quantities
from .sections import Section, build_sections, innermost

KINDS = ("target", "milestone", "progress", "past")
COMPARISONS = ("eq", "ge", "gt", "le", "lt", "approx", "range")
JSON_KEYS = (
    "kind", "value", "value_max", "unit", "comparison", "growth", "stretch",
    "metric", "section", "quote", "start", "end",
)  # fmt: skip


@dataclass
class Candidate:
    """One thing the document may be asking for (or reporting).

    value/value_max are Decimals as written; a milestone has neither, and its
    comparison is None. start/end index the original decoded text, and
    quote == text[start:end] always.
    """

    kind: str  # target | milestone | progress | past
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    comparison: str | None  # eq | ge | gt | le | lt | approx | range; None for milestones
    growth: bool
    stretch: bool
    metric: str
    section: str
    quote: str
    start: int
    end: int
    # True when the value is worked out rather than written: the annual target
    # implied by "完成…1641.72亩，实现年度任务量的65.67%". Not part of the JSON.
    implied: bool = False

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "value": format_decimal(self.value),
            "value_max": format_decimal(self.value_max),
            "unit": self.unit,
            "comparison": self.comparison,
            "growth": self.growth,
            "stretch": self.stretch,
            "metric": self.metric,
            "section": self.section,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class Extraction:
    text: str  # the decoded document as stored; offsets point here
    encoding: str
    format: str  # text | markdown | html | docx | pdf
    title: str
    metadata: dict
    sections: list[Section]
    candidates: list[Candidate]
    clean_text: str = field(repr=False, default="")

    def to_json(self) -> dict:
        return {
            "encoding": self.encoding,
            "format": self.format,
            "title": self.title,
            "sections": [s.to_json() for s in self.sections],
            "candidates": [c.to_json() for c in self.candidates],
        }

    def walk_sections(self):
        """Every section, depth first (the readers' tests and the extraction benchmark)."""
        for section in self.sections:
            yield from section.walk()


def extract(data: bytes, filename: str = "") -> Extraction:
    """Read a plan document (bytes) into sections and candidate targets.

    Text (UTF-8 or GB18030/GBK, plain, Markdown or HTML), .docx and .pdf with a
    text layer. For a .docx or .pdf, `text` is the text read from it (what the
    reviewer sees and offsets point into), `encoding` and `format` name the kind.
    Raises ExtractionError (one-line message) for input that is empty, binary,
    too large, damaged, encrypted, scanned, or in another encoding.
    """
    check_size(data)
    kind = readers.kind_of(data, filename)
    if kind is None:
        text, encoding = decode(data)
        return extract_text(text, filename, encoding)
    result = extract_text(readers.read(kind, data), "", kind)
    result.format = kind
    return result


def extract_text(text: str, filename: str = "", encoding: str = "utf-8") -> Extraction:
    doc = normalise(text, filename)
    clean = doc.text
    mentions = find_mentions(clean)
    sections = build_sections(doc, mentions)
    candidates = _candidates(doc, mentions, sections, _plan_year(doc.title))
    return Extraction(
        text=text,
        encoding=encoding,
        format=doc.format,
        title=doc.title,
        metadata=doc.metadata,
        sections=sections,
        candidates=candidates,
        clean_text=clean,
    )


_QUALIFIED_NOUN = re.compile(r"的?(?:项目|企业|工业企业|园区|工程|楼宇)")


def _is_qualifier(text: str, seg: Segments, q, later) -> bool:
    """ "10亿元以上项目2个": the money only says which projects; the count is the target.

    later: the quantity after q (or none).
    """
    if not _QUALIFIED_NOUN.match(text, q.end):
        return False
    _, clause_end = seg.clause(q.number_start)
    # Quantities are in order: the next one is in the clause if any is.
    return bool(later) and later[0].number_start < clause_end


_COUNT_UNITS = ("个", "家", "所", "户", "名", "人", "处", "座", "条", "项", "宗", "批")


def _is_threshold(text: str, seg: Segments, q, earlier) -> bool:
    """earlier: the quantity before q (or none)."""
    """ "新增3个村集体收入超过10万元": the money says which villages count; 3个 is the target.

    A bound (超过, 以上) that follows a count in the same clause, with only the
    counted thing's attribute between them, is the criterion for what is counted.
    """
    if q.comparison not in ("gt", "ge") or not earlier:
        return False
    prev = earlier[-1]
    if prev.unit not in _COUNT_UNITS or seg.clause(prev.number_start) != seg.clause(q.number_start):
        return False
    gap = text[prev.end : q.start]
    return 0 < len(gap) <= 10 and not re.search(r"[、和及与并]|以上|以下", gap)


def _earlier_year(title: str, plan_year: int | None) -> bool:
    m = re.search(r"(?<!\d)((?:19|20)\d{2})年", title)
    return bool(m and plan_year and int(m.group(1)) < plan_year)


def _is_deadline(text: str, q) -> bool:
    """ "3至5年内", "3年内": a time limit for the target beside it, not a target."""
    return q.unit in ("年", "个月", "天") and text.startswith(("内", "以内", "之内"), q.end)


def _implied_annual_target(progress: Candidate, share) -> Candidate | None:
    """The annual target a progress report implies: 1641.72亩 is 65.67% of → 2500亩.

    The share is rounded as printed, so the target lies in an interval; we
    take the roundest number in it (targets are set in round numbers) and
    only if one exists at a step of 1 or coarser.
    """
    if progress.value is None or share.value <= 0:
        return None
    exponent = share.value.as_tuple().exponent
    half = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal(0)
    low = progress.value * 100 / (share.value + half)
    high = progress.value * 100 / (share.value - half) if share.value > half else low * 2
    for k in range(7, -1, -1):
        for multiple in (5, 1):
            step = Decimal(multiple).scaleb(k)
            n = (low / step).to_integral_value(rounding="ROUND_CEILING") * step
            if n <= high and n > 0:
                return Candidate(
                    kind="target",
                    value=Decimal(int(n)) if n == n.to_integral_value() else n,
                    value_max=None,
                    unit=progress.unit,
                    comparison="eq",
                    growth=False,
                    stretch=False,
                    metric=progress.metric,
                    section=progress.section,
                    quote="",
                    start=0,
                    end=0,
                    implied=True,
                )
    return None


def _section_name(sections: list[Section], pos: int) -> str:
    sec = innermost(sections, pos)
    return sec.heading if sec else ""


def _plan_year(title: str) -> int | None:
    """The year in the document's title ("西区街道2026年工作计划" → 2026), if any."""
    m = re.search(r"(?<!\d)((?:19|20)\d{2})年", title)
    return int(m.group(1)) if m else None


def _candidates(
    doc: NormalisedText, mentions, sections: list[Section], plan_year: int | None
) -> list[Candidate]:
    clean = doc.text
    mapped = doc.mapped
    seg = Segments(clean, plan_year)
    # Headlines and photo captions repeat the body; their numbers are not read twice.
    skipped = [(p.start, p.end) for p in doc.paragraphs if p.kind in ("title", "caption")]
    skipped_starts = [a for a, _ in skipped]

    def in_title(pos: int) -> bool:
        k = bisect.bisect_right(skipped_starts, pos) - 1
        return k >= 0 and pos < skipped[k][1]

    # "N大X" names a set when sections bear it out (七大重点领域 over 一…七) or
    # X is abstract (七大领域, 三大战役); otherwise 三大连片示范区 is a count like any other. The other mention
    # forms (五个“聚焦”, “四个坚持”, 四个方面) are always labels.
    used = {sec.grouping for root in sections for sec in root.walk() if sec.grouping}
    labels = [m for m in mentions if m.names_a_set or m.text in used]
    quantities = [
        q
        for q in find_quantities(clean, labels)
        if not in_title(q.number_start) and not _is_deadline(clean, q)
    ]
    quantities = [
        q
        for i, q in enumerate(quantities)
        if not _is_qualifier(clean, seg, q, quantities[i + 1 : i + 2])
        and not _is_threshold(clean, seg, q, quantities[max(0, i - 1) : i])
    ]

    parents = {id(c): sec for root in sections for sec in root.walk() for c in sec.children}

    def in_review(pos: int) -> bool:
        """Inside a section that looks back: 一、2023年工作回顾."""
        sec = innermost(sections, pos)
        while sec is not None:
            if REVIEW_TITLE.search(sec.title) or _earlier_year(sec.title, plan_year):
                return True
            sec = parents.get(id(sec))
        return False

    pieces = quote_pieces(clean, seg, quantities)
    found: list[tuple[int, int, Candidate]] = []
    previous_progress: list[int] = []
    for q, piece in zip(quantities, pieces, strict=True):
        reading = read_quantity(clean, seg, q, piece, in_review(q.number_start))
        qs, qe = reading.quote_start, max(reading.quote_end, q.end)
        if reading.kind == "progress" and q.unit == "%" and previous_progress:
            # "…1641.72亩，实现年度任务量的65.67%": the share restates the figure
            # before it; fold it into that progress statement's quote.
            last = found[previous_progress[-1]]
            same_sentence = seg.sentence(last[0]) == seg.sentence(q.number_start)
            if same_sentence and re.search(r"(?:任务量?|计划|目标)的?$", clean[qs : q.start]):
                found[previous_progress[-1]] = (last[0], qe, last[2])
                implied = _implied_annual_target(last[2], q)
                if implied is not None:
                    found.append((last[0], qe, implied))
                continue
        cand = Candidate(
            kind=reading.kind,
            value=q.value * reading.sign,
            value_max=None if q.value_max is None else q.value_max * reading.sign,
            unit=q.unit,
            comparison=q.comparison,
            growth=reading.growth,
            stretch=reading.stretch,
            metric=reading.metric,
            section=_section_name(sections, q.number_start),
            quote="",
            start=0,
            end=0,
        )
        if reading.kind == "progress":
            previous_progress.append(len(found))
        found.append((qs, qe, cand))

    quantity_spans = [(q.start, q.end) for q in quantities]
    for ms in find_milestones(clean, seg, doc.paragraphs, quantity_spans, in_review):
        cand = Candidate(
            kind="milestone",
            value=None,
            value_max=None,
            unit="",
            comparison=None,
            growth=False,
            stretch=False,
            metric=ms.metric,
            section=_section_name(sections, ms.start),
            quote="",
            start=0,
            end=0,
        )
        found.append((ms.start, ms.end, cand))

    out: list[Candidate] = []
    for qs, qe, cand in sorted(found, key=lambda item: (item[0], item[1])):
        cand.start, cand.end = mapped.original_span(qs, qe)
        cand.quote = mapped.original[cand.start : cand.end]
        out.append(cand)
    return _without_restatements(out)


# Words that stand where a metric would but name none ("林牧渔业…比重:年均增长5%").
_NOT_A_METRIC = {"年均", "同比", "比上年", "全年", "今年", "其中", "累计"}


def _same_metric(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    if a in _NOT_A_METRIC or b in _NOT_A_METRIC:
        return False
    return len(a) >= 2 and len(b) >= 2 and (a in b or b in a)


def _without_restatements(candidates: list[Candidate]) -> list[Candidate]:
    """A target said twice (a lead paragraph's summary, then the body) is proposed once.

    The same value, unit, comparison and growth for the same metric is one
    target; the later statement is kept, since the body is where a target
    sits in its section with the work around it.
    """
    keep = [True] * len(candidates)
    last: dict[tuple, list[int]] = {}
    for i, cand in enumerate(candidates):
        if cand.kind != "target" or cand.implied:
            continue
        key = (cand.value, cand.value_max, cand.unit, cand.comparison, cand.growth)
        earlier = last.setdefault(key, [])
        # The last few statements with these figures suffice (and keep a long
        # document linear): a summary restates what follows it.
        for j in earlier[-8:]:
            if keep[j] and _same_metric(candidates[j].metric, cand.metric):
                keep[j] = False
        earlier.append(i)
    return [c for c, k in zip(candidates, keep, strict=True) if k]
