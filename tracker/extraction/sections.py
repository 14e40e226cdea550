"""The section tree, numbered and nested the way the document writes it.

Block sections start a paragraph: "一、", "（一）", "1.", "1、", "(1)", "●",
a heading (by markup or layout), or a line that starts with the keyword of a
named grouping (五个“聚焦” → "聚焦空间再造…"). Nesting follows the order in
which numbering styles first appear, as in any outline: a style already open
closes everything below it; a new style opens a level.

Inline sections live inside a paragraph: "一是…；二是…", "首先是…其次是…
第三张牌是…最后一张牌是…", or "包括坚持…；坚持…；…" after “六个坚持”.

A sequence of sibling sections takes its grouping name from a mention of a
set of the same size just before it: 七大重点领域 before 一…七.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .grouping import Mention
from .normalise import NUMBERED_RE, NormalisedText, Paragraph
from .numerals import parse_chinese_int


@dataclass
class Section:
    label: str  # the numbering as written: "一、", "（一）", "●", "首先", "" …
    title: str
    grouping: str  # the named set this section belongs to, e.g. 七大重点领域, or ""
    start: int  # offsets into the original text
    end: int
    children: list[Section] = field(default_factory=list)
    summary: str = ""  # a subheading line under the heading, if any
    clean_start: int = field(default=0, repr=False, compare=False)
    clean_end: int = field(default=0, repr=False, compare=False)
    style: str = field(default="", repr=False, compare=False)

    @property
    def heading(self) -> str:
        """label + title, the way a candidate names its section."""
        return f"{self.label}{self.title}"

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "title": self.title,
            "grouping": self.grouping,
            "summary": self.summary,
            "start": self.start,
            "end": self.end,
            "children": [child.to_json() for child in self.children],
        }

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


_TITLE_TRIM = "，,。；;：:、 "
_CN = "一二三四五六七八九十"


def _style_of(label: str) -> str:
    """A numbering style name: labels of one style are siblings."""
    if label[0] in "●•◆○▶☆★":
        return "bullet"
    if label.startswith("第"):
        return "第" + label[-1]
    shape = re.sub(f"[{_CN}]+", "N", label)
    shape = re.sub(r"\d+", "D", shape)
    return shape.replace("（", "(").replace("）", ")")


def _numbered_title(text: str) -> str:
    """The heading part of a numbered paragraph: up to its first full stop."""
    cut = re.search(r"[。！？!?]", text)
    if cut and text[cut.end() :].strip():
        text = text[: cut.start()]
    return text.strip().rstrip(_TITLE_TRIM)


class _Builder:
    def __init__(self, doc: NormalisedText, mentions: list[Mention]) -> None:
        self.doc = doc
        self.text = doc.text
        self.mentions = mentions
        self.roots: list[Section] = []
        # For grouping_before: mentions by where they end, searched by bisection.
        self.mentions_by_end = sorted(mentions, key=lambda m: m.end)
        self.mention_ends = [m.end for m in self.mentions_by_end]

    # -- helpers --

    def make(self, label_span: tuple[int, int] | None, title: str, cstart: int, style: str):
        label = ""
        if label_span and label_span[1] > label_span[0]:
            label = self.text[label_span[0] : label_span[1]].strip()
        return Section(label, title, "", 0, 0, clean_start=cstart, clean_end=cstart, style=style)

    def paragraph_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    # -- block sections --

    def block_items(self) -> list[Section]:
        items: list[Section] = []
        keyword_paragraphs = self.keyword_paragraphs()
        last_heading: Section | None = None
        for para in self.doc.paragraphs:
            text = self.text[para.start : para.end]
            if para.kind in ("title", "caption") or not text:
                continue
            if para.kind == "subheading":
                if last_heading is not None:
                    extra = text.strip()
                    last_heading.summary = (
                        f"{last_heading.summary} {extra}" if last_heading.summary else extra
                    )
                continue
            if para.kind == "heading":
                sec = self.make(None, text.strip(), para.start, f"H{para.level}")
                items.append(sec)
                last_heading = sec
                continue
            last_heading = None
            if para.start in keyword_paragraphs:
                sec = self.make(None, _numbered_title(text), para.start, "keyword")
                sec.grouping = keyword_paragraphs[para.start]
                items.append(sec)
                continue
            m = NUMBERED_RE.match(text)
            if not m:
                continue
            if text[0] in "●•◆○▶☆★":
                items.extend(self.bullets(para, text))
                continue
            label_end = para.start + m.end()
            title = _numbered_title(text[m.end() :])
            items.append(
                self.make((para.start, label_end), title, para.start, _style_of(m.group()))
            )
        return items

    def bullets(self, para: Paragraph, text: str) -> list[Section]:
        """Several ● items may share a line: "●全面构筑… ●全面推进…"."""
        out = []
        marks = [i for i, ch in enumerate(text) if ch in "●•◆○▶☆★"]
        for k, i in enumerate(marks):
            j = marks[k + 1] if k + 1 < len(marks) else len(text)
            title = text[i + 1 : j].strip().rstrip(_TITLE_TRIM)
            if title:
                start = para.start + i
                out.append(self.make((start, start + 1), title, start, "bullet"))
        return out

    def keyword_paragraphs(self) -> dict[int, str]:
        """Paragraph starts that begin with a grouping keyword, when counts agree."""
        found: dict[int, str] = {}
        opening: dict[str, list[int]] = {}  # keyword → starts of paragraphs it opens
        for mention in self.mentions:
            kw = mention.keyword
            if not kw:
                continue
            if kw not in opening:
                opening[kw] = [
                    p.start
                    for p in self.doc.paragraphs
                    if p.kind == "text" and self.text.startswith(kw, p.start)
                ]
            hits = [start for start in opening[kw] if start > mention.end]
            if len(hits) == mention.count:
                for start in hits:
                    found.setdefault(start, mention.text)
        return found

    def nest(self, items: list[Section]) -> None:
        stack: list[Section] = []
        for sec in items:
            if sec.style.startswith("H"):
                # Headings nest by level, whatever numbering sits between them.
                level = int(sec.style[1:])
                depth = next(
                    (
                        d
                        for d, open_sec in enumerate(stack)
                        if not open_sec.style.startswith("H") or int(open_sec.style[1:]) >= level
                    ),
                    len(stack),
                )
                for closing in stack[depth:]:
                    closing.clean_end = sec.clean_start
                del stack[depth:]
                (stack[-1].children if stack else self.roots).append(sec)
                stack.append(sec)
                continue
            for depth, open_sec in enumerate(stack):
                if open_sec.style == sec.style:
                    for closing in stack[depth:]:
                        closing.clean_end = sec.clean_start
                    del stack[depth:]
                    break
            (stack[-1].children if stack else self.roots).append(sec)
            stack.append(sec)
        for open_sec in stack:
            open_sec.clean_end = len(self.text)

    # -- inline sections --

    _ORDINAL = re.compile(
        r"(?:^|(?<=[\n。；;，,：:！？!?”]))"
        r"(?P<label>首先|其次|再次|最后(?:一张牌|一点|一个|一项)?|第(?P<dn>[一二三四五六七八九十]{1,2})(?:张牌|个|项|点|条|方面)?"
        r"|(?P<n>[一二三四五六七八九十]{1,2})(?=是))"
        r"(?P<copula>是|[，,])",
        re.M,
    )

    def inline_ordinals(self) -> list[tuple[list[re.Match], str]]:
        marks = list(self._ORDINAL.finditer(self.text))
        sequences: list[list[re.Match]] = []
        current: list[re.Match] = []
        expected = 1
        for m in marks:
            value = self.ordinal_value(m)
            if value == 1:
                if len(current) >= 2:
                    sequences.append(current)
                current, expected = [m], 2
                continue
            if not current or m.start() - current[-1].end() > 800:
                if len(current) >= 2:
                    sequences.append(current)
                current, expected = [], 1
                continue
            if value == expected or (value == -1 and expected >= 3):
                current.append(m)
                expected += 1
                if value == -1:
                    sequences.append(current)
                    current, expected = [], 1
            else:
                if len(current) >= 2:
                    sequences.append(current)
                current, expected = [], 1
        if len(current) >= 2:
            sequences.append(current)
        return [(seq, self.grouping_before(seq[0].start(), len(seq))) for seq in sequences]

    @staticmethod
    def ordinal_value(m: re.Match) -> int:
        label = m.group("label")
        if label == "首先":
            return 1
        if label == "其次":
            return 2
        if label == "再次":
            return 3
        if label.startswith("最后"):
            return -1
        digits = m.group("dn") or m.group("n")
        return parse_chinese_int(digits) or 0

    def grouping_before(self, pos: int, count: int, window: int = 300) -> str:
        """The last mention counting `count` things that ends in the window before pos."""
        ends = self.mention_ends
        k = bisect.bisect_right(ends, pos)
        while k > 0 and ends[k - 1] >= pos - window:
            k -= 1
            if self.mentions_by_end[k].count == count:
                return self.mentions_by_end[k].text
        return ""

    def add_inline(self) -> None:
        for seq, grouping in self.inline_ordinals():
            for k, m in enumerate(seq):
                body_start = m.end()
                end = seq[k + 1].start() if k + 1 < len(seq) else self.paragraph_end(m.start())
                title = self.inline_title(self.text[body_start:end])
                label_end = m.end() if m.group("n") else m.start("copula")  # "一是", "首先"
                sec = self.make((m.start(), label_end), title, m.start(), "inline")
                sec.clean_end = end
                sec.grouping = grouping
                self.attach(sec)
        for mention in self.mentions:
            kw = mention.keyword
            if not kw:
                continue
            para_end = self.paragraph_end(mention.end)
            region = self.text[mention.end : para_end]
            # The first member follows shortly ("…”和“四个提升”，包括聚焦…"); the
            # others each follow a semicolon.
            first = region.find(kw, 0, 40)
            offsets = [first] if first >= 0 else []
            offsets += [m.end() for m in re.finditer(r"[；;]", region) if m.end() > first]
            starts = [mention.end + o for o in offsets if region.startswith(kw, o)]
            if len(starts) != mention.count:
                continue
            clause_counts: list[int] = []
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else para_end
                seg = self.text[start:end]
                seg = re.split(r"[；;。！？!?]", seg, maxsplit=1)[0]
                parts = re.split(r"[，,]", seg)
                if k + 1 == len(starts) and clause_counts:
                    # The last member runs on into the closing sentence; keep as many
                    # clauses as its siblings have.
                    parts = parts[: max(clause_counts)]
                clause_counts.append(len(parts))
                title = self.text[start : start + len("，".join(parts))].rstrip(_TITLE_TRIM)
                sec = self.make(None, title, start, "inline")
                sec.clean_end = end
                sec.grouping = mention.text
                self.attach(sec)

    @staticmethod
    def inline_title(body: str) -> str:
        body = body.lstrip("是")
        title = re.split(r"[。；;！？!?\n]", body, maxsplit=1)[0]
        if len(title) > 30:
            title = re.split(r"[，,]", title, maxsplit=1)[0]
        return title.strip().rstrip(_TITLE_TRIM)

    def attach(self, sec: Section) -> None:
        siblings = self.roots
        while True:
            holder = next(
                (s for s in siblings if s.clean_start <= sec.clean_start < s.clean_end), None
            )
            if holder is None or holder.style == "inline":
                break
            siblings = holder.children
        siblings.append(sec)
        siblings.sort(key=lambda s: s.clean_start)

    # -- groupings of numbered siblings --

    def assign_groupings(self, siblings: list[Section], floor: int) -> None:
        runs: dict[str, list[Section]] = {}
        for sec in siblings:
            runs.setdefault(sec.style, []).append(sec)
        for style, run in runs.items():
            if style.startswith("H") or style in ("inline", "keyword") or len(run) < 2:
                continue
            if any(sec.grouping for sec in run):
                continue
            first = run[0].clean_start
            name = ""
            for mention in self.mentions:
                if mention.count == len(run) and floor <= mention.start < first:
                    name = mention.text
            for sec in run:
                sec.grouping = name
        for sec in siblings:
            self.assign_groupings(sec.children, sec.clean_start)

    def finish(self, sections: list[Section]) -> None:
        mapped = self.doc.mapped
        for sec in sections:
            end = sec.clean_end
            while end > sec.clean_start and self.text[end - 1] in "\n ":
                end -= 1
            end = max(end, sec.clean_start + 1)
            sec.start, sec.end = mapped.original_span(sec.clean_start, min(end, len(self.text)))
            self.finish(sec.children)


def build_sections(doc: NormalisedText, mentions: list[Mention]) -> list[Section]:
    if not doc.text:
        return []
    builder = _Builder(doc, mentions)
    builder.nest(builder.block_items())
    builder.add_inline()
    builder.assign_groupings(builder.roots, 0)
    builder.finish(builder.roots)
    return builder.roots


def innermost(sections: list[Section], clean_pos: int) -> Section | None:
    """The deepest section whose clean span holds the position."""
    found = None
    siblings = sections
    while siblings:
        # Siblings are in document order and do not overlap: the holder is the last
        # one starting at or before the position, if it reaches that far.
        k = bisect.bisect_right(siblings, clean_pos, key=lambda sec: sec.clean_start) - 1
        if k < 0 or not clean_pos < siblings[k].clean_end:
            return found
        found = siblings[k]
        siblings = found.children
    return found
