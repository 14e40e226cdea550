"""From the stored document to clean paragraphs, keeping the offset map.

Three passes, each keeping every character's original span (see textmap):

1. markup: drop YAML front matter, HTML tags and comments, URLs and Markdown
   link targets; decode entities; note which spans are headings in the markup.
2. characters: full-width digits/letters to ASCII, odd spaces to plain ones.
3. lines: close up characters spaced out for typesetting ("其 次 是 打 好"),
   then join lines that were broken mid-sentence by a newspaper column or a
   PDF copy, and keep the breaks that are real: after a full stop, around
   headings, before numbered items.

The result is a list of paragraphs in a clean text, each one a line there.
"""

from __future__ import annotations

import bisect
import html
import re
from array import array
from dataclasses import dataclass, field

from .grouping import find_mentions
from .textmap import MapBuilder, MappedText, positions

# Sentence-final punctuation: a line ending in one of these ends a paragraph.
TERMINAL = set("。！？!?；;：:…")
CLOSERS = set("”’」』)）》】\"'")
PROSE_PUNCT = set("，,。；;！？!?")

NUMBERED_RE = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|\d{1,2}(?:[.、](?!\d)|[）)])"
    r"|[（(]\d{1,2}[）)]"
    r"|第[一二三四五六七八九十]{1,3}[章节部分篇]"
    r"|[●•◆○▶☆★☑✓✔√])"
)
BULLET_CHARS = "●•◆○▶☆★☑✓✔√"  # ☑: checklists of 民生实事 in progress reports
# How a table row is written in the text: cells joined by " | " (readers.py writes them so).
TABLE_CELL = " | "
CAPTION_RE = re.compile(r"^[■▲△□▼※]")
BYLINE_RE = re.compile(r"记者|通讯员|来源|编辑|摄影|供图|[/:：]")

BLOCK_TAGS = {
    "p", "div", "section", "article", "header", "footer", "aside", "nav", "main",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "td", "th", "blockquote", "pre", "hr",
    "figure", "figcaption", "title", "body", "html", "head",
}  # fmt: skip

_HTML_HINT = re.compile(
    r"<(?:p|div|br|span|strong|b|h[1-6]|li|ul|ol|table|tr|td|body|html|section|article)\b[^>]*>",
    re.I,
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_TOKENS = {
    "comment": r"(?P<comment><!--.*?-->)",
    "script": r"(?P<script><(script|style)\b.*?</\3\s*>)",
    "autolink": r"(?P<autolink><(?:https?:)?//[^\s<>]+>)",
    "tag": r"(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>)",
    "entity": r"(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)",
    "mdlink": r"(?P<mdlink>!?\[(?P<linktext>[^\]\n]{0,300})\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\))",
    "url2": r"(?P<url2>(?:https?:)?//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>()\[\]（）\u3000-\u9fff\uff00-\uffef]*)",
    # ASCII only: \w would match every run of Chinese characters, and the engine
    # would walk each run to its end at every position looking for an @.
    "email": r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)",
}
_MARKUP_TOKEN = re.compile("|".join(_TOKENS.values()), re.S)
# Plain text and Markdown: tags and entities are ordinary characters there, so
# the scanner need not look for them.
_TEXT_TOKEN = re.compile(
    "|".join(v for k, v in _TOKENS.items() if k not in ("tag", "entity")), re.S
)
_HTML_HEADING = re.compile(r"<(h[1-6])\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_HTML_BOLD_PARA = re.compile(
    r"<(p|div)\b[^>]*>\s*<(strong|b)\b[^>]*>(.*?)</\2\s*>\s*</\1\s*>", re.S | re.I
)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+", re.M)
_MD_EMPHASIS = re.compile(r"\*\*|__")


@dataclass
class Paragraph:
    """One line of the clean text.

    kind: "text", "title" (the headline block at the top), "heading" (a
    heading by markup or by layout), "subheading" (a heading line right under
    another one, kept as its summary) or "caption" (photo captions, ■ ▲).
    """

    start: int
    end: int
    kind: str = "text"
    level: int = 0


@dataclass
class NormalisedText:
    mapped: MappedText
    paragraphs: list[Paragraph]
    format: str
    metadata: dict = field(default_factory=dict)
    title: str = ""
    wrapped: bool = False

    @property
    def text(self) -> str:
        return self.mapped.text


def normalise(original: str, filename: str = "") -> NormalisedText:
    fmt, metadata, body_start = _detect_format(original, filename)
    atoms, heading_spans = _strip_markup(original, fmt, body_start)
    atoms = _normalise_chars(atoms, html_mode=fmt == "html")
    lines = _split_lines(atoms)
    return _assemble(original, lines, heading_spans, fmt, metadata)


# --- pass 1: markup ---------------------------------------------------------


def _detect_format(original: str, filename: str) -> tuple[str, dict, int]:
    metadata: dict = {}
    body_start = 0
    m = _FRONT_MATTER.match(original)
    if m:
        metadata = _parse_front_matter(m.group(1))
        body_start = m.end()
    lower = filename.lower()
    if lower.endswith((".html", ".htm", ".xhtml")) or _HTML_HINT.search(original, body_start):
        fmt = "html"
    elif m or lower.endswith((".md", ".markdown")):
        fmt = "markdown"
    else:
        fmt = "text"
    return fmt, metadata, body_start


def _parse_front_matter(block: str) -> dict:
    """YAML front matter as a dict; PyYAML when installed, else key: value lines."""
    try:
        import yaml  # optional: the extractor works without it

        data = yaml.safe_load(block)
        if isinstance(data, dict):
            return {str(k): v for k, v in data.items()}
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - bad front matter must not stop extraction
        pass
    data = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            data[key.strip()] = value.strip().strip("\"'")
    return data


# The text so far, and each character's original [start, end).
Atoms = tuple[str, array, array]


# Where a markup token can start: one cheap character class tried at each
# position, and the full alternation only where it may match.
_TOKEN_START = re.compile(r"[<&!\[/]|[A-Za-z0-9._%+-]+@")


def _tokens(pattern: re.Pattern, text: str, pos: int):
    """pattern.finditer(text, pos), the same matches, found faster in a long text."""
    end = pos
    for hit in _TOKEN_START.finditer(text, pos):
        at = hit.start()
        if at < end:
            continue
        # "https://…" starts with h: step back over a scheme before the slashes.
        if text.startswith("//", at) and text[max(0, at - 6) : at].endswith(("http:", "https:")):
            at -= 6 if text[at - 6 : at] == "https:" else 5
            if at < end:
                continue
        m = pattern.match(text, at)
        if m is not None and m.end() > m.start():
            yield m
            end = m.end()


def _strip_markup(
    original: str, fmt: str, body_start: int
) -> tuple[Atoms, list[tuple[int, int, int]]]:
    chars: list[str] = []  # pieces of text, each as long as the spans it adds
    starts = positions()
    ends = positions()
    identity = positions(range(len(original) + 1))  # the span of an unchanged character
    html_mode = fmt == "html"
    markdown = fmt in ("markdown", "html")  # Jekyll posts mix the two
    # (start, end, level) of heading text in the original. A paragraph that is all
    # bold is a heading below any <h1>…<h6>.
    headings: list[tuple[int, int, int]] = []
    if html_mode:
        for m in _HTML_HEADING.finditer(original, body_start):
            headings.append((m.start(2), m.end(2), int(m.group(1)[1])))
        for m in _HTML_BOLD_PARA.finditer(original, body_start):
            headings.append((m.start(3), m.end(3), 7))
    md_heading_marks: set[int] = set()
    if markdown:
        for m in _MD_HEADING.finditer(original, body_start):
            line_end = original.find("\n", m.end())
            end = len(original) if line_end < 0 else line_end
            headings.append((m.end(), end, len(m.group(1))))
            md_heading_marks.update(range(m.start(), m.end()))

    def emit_text(start: int, end: int) -> None:
        if md_heading_marks:
            for i in range(start, end):
                if i not in md_heading_marks:
                    chars.append(original[i])
                    starts.append(i)
                    ends.append(i + 1)
            return
        chars.append(original[start:end])
        starts.extend(identity[start:end])  # a copy of memory, not an int at a time
        ends.extend(identity[start + 1 : end + 1])

    pos = body_start
    tokens = _MARKUP_TOKEN if html_mode else _TEXT_TOKEN
    for m in _tokens(tokens, original, body_start):
        kind = m.lastgroup
        if kind in ("tag", "entity") and not html_mode:
            continue  # "<" and "&" are ordinary characters in plain text
        emit_text(pos, m.start())
        if kind == "tag":
            name = m.group("name").lower()
            if name == "br":
                chars.append("\n")
                starts.append(m.start())
                ends.append(m.end())
            elif name in BLOCK_TAGS:
                # A paragraph boundary: a blank line, so that joining never crosses it.
                for _ in range(2):
                    chars.append("\n")
                    starts.append(m.start())
                    ends.append(m.end())
        elif kind == "entity":
            decoded = html.unescape(m.group())
            for ch in decoded:
                chars.append(ch)
                starts.append(m.start())
                ends.append(m.end())
        elif kind == "mdlink":
            text_start = m.start("linktext")
            emit_text(text_start, m.end("linktext"))
        # comments, scripts, autolinks, bare URLs and e-mail addresses vanish:
        # their digits are never quantities.
        pos = m.end()
    emit_text(pos, len(original))
    text = "".join(chars)
    if markdown:
        text, starts, ends = _drop_emphasis(text, starts, ends)
    return (text, starts, ends), headings


def _drop_emphasis(text: str, starts: array, ends: array) -> Atoms:
    """Remove Markdown ** and __ markers, keeping everything else."""
    if "**" not in text and "__" not in text:
        return text, starts, ends
    return _drop_spans(text, starts, ends, [m.span() for m in _MD_EMPHASIS.finditer(text)])


def _drop_spans(text: str, starts: array, ends: array, spans: list[tuple[int, int]]) -> Atoms:
    """The atoms without the characters in spans (sorted, not overlapping)."""
    pieces, out_s, out_e = [], positions(), positions()
    pos = 0
    for a, b in spans:
        pieces.append(text[pos:a])
        out_s.extend(starts[pos:a])
        out_e.extend(ends[pos:a])
        pos = b
    pieces.append(text[pos:])
    out_s.extend(starts[pos:])
    out_e.extend(ends[pos:])
    return "".join(pieces), out_s, out_e


# --- pass 2: characters -----------------------------------------------------

_SPACES = set("\u3000\xa0\t\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f")
_INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\r")
_FULLWIDTH_PUNCT = {"％": "%", "＋": "+", "．": ".", "－": "-", "／": "/"}


_TRANSLATE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_TRANSLATE.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_TRANSLATE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_TRANSLATE.update({ord(k): v for k, v in _FULLWIDTH_PUNCT.items()})
_TRANSLATE.update({ord(k): " " for k in _SPACES})


_TO_NARROW = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "]+")
_INVISIBLE_RE = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]+")


def _normalise_chars(atoms: Atoms, html_mode: bool) -> Atoms:
    text, starts, ends = atoms
    if any(ch in text for ch in _INVISIBLE):
        text, starts, ends = _drop_spans(
            text, starts, ends, [m.span() for m in _INVISIBLE_RE.finditer(text)]
        )
    # Every change now is one character for one, so the spans stay. (A substitution
    # where needed: str.translate walks every character of a CJK text slowly.)
    text = _TO_NARROW.sub(lambda m: m.group().translate(_TRANSLATE), text)
    if html_mode and "\n" in text:
        # A newline in HTML source is only whitespace; the tags made our breaks (their
        # "\n" stands for a whole tag, so its span is longer than one character).
        pieces = []
        pos = 0
        at = text.find("\n")
        while at >= 0:
            if ends[at] - starts[at] == 1:
                pieces.append(text[pos:at])
                pieces.append(" ")
                pos = at + 1
            at = text.find("\n", at + 1)
        pieces.append(text[pos:])
        text = "".join(pieces)
    return text, starts, ends


# --- pass 3: lines ----------------------------------------------------------


def _is_wide(ch: str) -> bool:
    return bool(ch) and ord(ch) > 0x7F


@dataclass
class _Line:
    chars: str  # the line's text
    starts: array
    ends: array
    text: str = ""
    kind: str = "text"  # text, title, heading, caption
    level: int = 0
    numbered: bool = False
    bullet: bool = False
    keyword: bool = False
    terminal: bool = False
    blank_before: int = 0


def _split_lines(atoms: Atoms) -> list[_Line]:
    text, starts, ends = atoms
    lines: list[_Line] = []
    begin = 0
    while True:
        at = text.find("\n", begin)
        stop = len(text) if at < 0 else at
        lines.append(_tidy_line(text[begin:stop], starts[begin:stop], ends[begin:stop]))
        if at < 0:
            return lines
        begin = at + 1


_SPACE_RUN = re.compile(" +")


def _tidy_line(chars: str, starts: array, ends: array) -> _Line:
    """Trim, and close up spaces between two wide (CJK) characters."""
    if " " not in chars:
        line = _Line(chars, starts, ends)
        line.text = chars
        return line
    inner = chars.strip(" ")
    if " " not in inner:
        # Only indentation or trailing spaces: a slice, no character-level work.
        a = len(chars) - len(chars.lstrip(" "))
        b = a + len(inner)
        line = _Line(inner, starts[a:b], ends[a:b])
        line.text = inner
        return line
    n = len(chars)
    drops: list[tuple[int, int]] = []  # spans of spaces to remove
    for m in _SPACE_RUN.finditer(chars):
        i, j = m.span()
        if i == 0 or j == n:
            drops.append((i, j))  # leading and trailing spaces go
            continue
        left, right = chars[i - 1], chars[j]
        closable = (_is_wide(left) or left.isdigit()) and (_is_wide(right) or right.isdigit())
        if closable and (_is_wide(left) or _is_wide(right)):
            drops.append((i, j))  # "其 次 是", "2026 年"
        elif j - i > 1:
            drops.append((i + 1, j))  # one space between words that need it: "ART 文创园"
    if drops:
        chars, starts, ends = _drop_spans(chars, starts, ends, drops)
    line = _Line(chars, starts, ends)
    line.text = chars
    return line


def _ends_terminal(text: str) -> bool:
    text = text.rstrip()
    while text and text[-1] in CLOSERS:
        if len(text) >= 2 and text[-2] in TERMINAL:
            return True
        text = text[:-1]
    return bool(text) and text[-1] in TERMINAL


def _balanced(text: str) -> bool:
    pairs = ("“”", "《》", "（）", "()", "「」", "‘’")
    return all(text.count(a) == text.count(b) for a, b in pairs)


def _first_clause_len(text: str) -> int:
    m = re.search(r"[，,。；;！？!?：:、]", text)
    return len(text) if m is None else m.start()


def _assemble(
    original: str,
    lines: list[_Line],
    heading_spans: list[tuple[int, int, int]],
    fmt: str,
    metadata: dict,
) -> NormalisedText:
    html_mode = fmt == "html"
    content: list[_Line] = []
    blanks = 0
    for line in lines:
        if not line.text:
            blanks += 1
            continue
        line.blank_before = blanks
        blanks = 0
        content.append(line)
    blank_after = [content[i + 1].blank_before for i in range(len(content) - 1)] + [1]

    heading_spans.sort()

    heading_starts = [a for a, _, _ in heading_spans]

    def markup_heading_level(line: _Line) -> int:
        s = line.starts[0]
        # Headings do not nest in the markup: the last one starting at or before s holds it, if any.
        k = bisect.bisect_right(heading_starts, s) - 1
        while k >= 0:
            a, b, level = heading_spans[k]
            if s < b:
                return level
            if k == 0 or heading_spans[k - 1][1] <= a:
                break  # earlier headings end before this one starts
            k -= 1
        return 0

    for line in content:
        text = line.text
        line.numbered = bool(NUMBERED_RE.match(text))
        line.bullet = text[0] in BULLET_CHARS
        line.terminal = _ends_terminal(text)
        if CAPTION_RE.match(text):
            line.kind = "caption"
        elif level := markup_heading_level(line):
            line.kind = "heading"
            line.level = level

    # The headline block: lines above the first sentence of prose.
    title = ""
    if not html_mode or not metadata:
        block: list[_Line] = []
        for line in content:
            if line.kind != "text" or line.numbered or any(c in PROSE_PUNCT for c in line.text):
                break
            if line.text[-1].isdigit() or line.text[-1] in "的和与及、":
                break  # a sentence broken mid-way, not a headline
            block.append(line)
        if 0 < len(block) <= 6 and len(block) < len(content):
            for line in block:
                line.kind = "title"
            named = [ln for ln in block if ":" not in ln.text and "：" not in ln.text]
            best = max(named or block[:1], key=lambda ln: len(ln.text))
            # As written, spaces and all, but on one line.
            title = " ".join(original[best.starts[0] : best.ends[-1]].split())
    if metadata.get("title"):
        title = str(metadata["title"])

    body = [ln for ln in content if ln.kind == "text" and not ln.numbered and len(ln.text) >= 6]
    open_lines = sum(1 for ln in body if not ln.terminal)
    wrapped = bool(body) and open_lines / len(body) > 0.5

    # Grouping keywords whose members start lines (五个“聚焦” → lines "聚焦…").
    joined = "".join(ln.text for ln in content)
    opening: dict[str, list[_Line]] = {}
    for mention in find_mentions(joined):
        keyword = mention.keyword
        if not keyword:
            continue
        if keyword not in opening:
            opening[keyword] = [
                ln for ln in content if ln.kind == "text" and ln.text.startswith(keyword)
            ]
        members = opening[keyword]
        if len(members) == mention.count:
            for ln in members:
                ln.keyword = True

    if fmt == "text" and not wrapped:
        _mark_layout_headings(content, blank_after)

    # Consecutive headings: the first is the heading, the rest its summary.
    for prev, line in zip(content, content[1:], strict=False):
        if line.kind == "heading" and prev.kind in ("heading", "subheading"):
            line.kind = "subheading"

    return _join(original, content, fmt, metadata, title, wrapped)


def _mark_layout_headings(content: list[_Line], blank_after: list[int]) -> None:
    """Headings in plain text: short stand-alone lines without sentence punctuation.

    Only for documents that are not column-wrapped: there every line is a
    short fragment and layout says nothing about headings.
    """
    for i, line in enumerate(content):
        if line.kind != "text" or line.numbered or line.keyword:
            continue
        text = line.text.replace(" ", "")
        if not 2 <= len(text) <= 30 or any(c in PROSE_PUNCT for c in text):
            continue
        if not _balanced(text) or BYLINE_RE.search(text):
            continue
        if i + 1 >= len(content) or (line.blank_before == 0 and i > 0) or blank_after[i] == 0:
            continue
        prev = content[i - 1] if i > 0 else None
        if prev is not None and prev.kind == "text" and not prev.terminal:
            continue
        nxt = content[i + 1]
        # A line broken mid-word continues with a stub: "窗" / "口，桂城…".
        if nxt.kind == "text" and _first_clause_len(nxt.text) < 2:
            continue
        line.kind = "heading"
        line.level = 1


# A line that is a whole list item: it opens with a verb of doing and counts
# something ("新增120张护理床位" / "完成260户适老化改造"). Lists of 民生实事 are
# written so, one item a line, with no full stops.
_ITEM_LINE = re.compile(
    r"^(?:新增|新建|改建|扩建|建成|完成|实施|推出|开办|开设|交付|打造|改造|提供|培训|举办|招聘|配备|创建|引进)"
    r"[^，,。；;]{0,20}?\d"
)
_CONTINUES = "的和与及、，,“（(《"


def _is_item_line(line: _Line) -> bool:
    return len(line.text) <= 40 and bool(_ITEM_LINE.match(line.text))


def _hard_break(a: _Line, b: _Line, html_mode: bool) -> bool:
    if html_mode and b.blank_before:
        return True  # a block tag lies between them
    if a.kind != "text" or b.kind != "text":
        return True
    if b.numbered or b.keyword:
        return True
    if a.terminal or a.bullet:
        return True
    if _is_item_line(b) and len(a.text) <= 40 and a.text[-1] not in _CONTINUES:
        return True
    if TABLE_CELL in a.text or TABLE_CELL in b.text:
        return True  # a table row (from a .docx, or typed with |) is a line of its own
    if a.numbered or a.keyword:
        # A numbered heading that ran over into the next line has no blank between.
        return not (b.blank_before == 0 and len(a.text) >= 15)
    return False


def _join(
    original: str,
    content: list[_Line],
    fmt: str,
    metadata: dict,
    title: str,
    wrapped: bool,
) -> NormalisedText:
    out = MapBuilder()
    paragraphs: list[Paragraph] = []
    html_mode = fmt == "html"
    para_start = 0
    # A paragraph takes the kind of its first line.
    para_kind, para_level = "text", 0
    prev: _Line | None = None
    for line in content:
        starts_paragraph = prev is None or _hard_break(prev, line, html_mode)
        if prev is not None:
            if starts_paragraph:
                paragraphs.append(Paragraph(para_start, len(out), para_kind, para_level))
                out.add("\n", prev.ends[-1], prev.ends[-1])
                para_start = len(out)
            elif prev.chars[-1].isascii() and prev.chars[-1].isalpha() and line.chars[0].isascii():
                # Two English words broken by the wrap need their space back;
                # Chinese and digits ("10" / "00个") join directly.
                out.add(" ", prev.ends[-1], line.starts[0])
        if starts_paragraph:
            para_kind, para_level = line.kind, line.level
        out.extend(line.chars, line.starts, line.ends)
        # The builder has the spans now; the previous line's go, so that a large
        # document does not hold two copies of them at once.
        if prev is not None:
            prev.starts = prev.ends = positions(prev.ends[-1:] * 2)
        prev = line
    if prev is not None:
        paragraphs.append(Paragraph(para_start, len(out), para_kind, para_level))
    mapped = out.build(original)
    for para in paragraphs:
        # A long run with no punctuation at all is a strip of headlines or captions
        # (newspaper sidebars), not prose: "西樵集中拆除三大千亩“工改工”项目就地过大年…".
        text = mapped.text[para.start : para.end]
        if (
            para.kind == "text"
            and len(text) >= 30
            and not any(c in PROSE_PUNCT for c in text)
            and not NUMBERED_RE.match(text)
            and TABLE_CELL not in text
        ):
            para.kind = "caption"
    return NormalisedText(mapped, paragraphs, fmt, metadata, title, wrapped)
