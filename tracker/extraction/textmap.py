"""A cleaned text that remembers where each character came from.

The extractor reads a normalised copy of the document (tags gone, spaced-out
characters closed up, hard line breaks joined, full-width digits made ASCII),
but every candidate must point into the document *as stored*, because the app
highlights the quote there. So each clean character carries the half-open
span [start, end) of original characters it stands for: usually one
character, several for an HTML entity, none for a character we inserted.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass


def positions(values=()) -> array:
    """Offsets as a compact array: 4 bytes each, not a Python int object each."""
    return array("i", values)  # a document is at most 10 MB, far below 2**31


class MapBuilder:
    """Collects clean text with the original span of each character, in order.

    The text is kept as pieces (a line at a time), the spans as arrays, so a
    10 MB document costs a few bytes a character rather than a Python object each.
    """

    __slots__ = ("ends", "length", "pieces", "starts")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.starts = positions()
        self.ends = positions()
        self.length = 0

    def add(self, ch: str, start: int, end: int) -> None:
        self.pieces.append(ch)
        self.starts.append(start)
        self.ends.append(end)
        self.length += 1

    def extend(self, chars: str, starts, ends) -> None:
        self.pieces.append(chars)
        self.starts.extend(starts)
        self.ends.extend(ends)
        self.length += len(chars)

    def __len__(self) -> int:
        return self.length

    def build(self, original: str) -> MappedText:
        return MappedText(original, "".join(self.pieces), self.starts, self.ends)


@dataclass(frozen=True)
class MappedText:
    original: str
    text: str
    starts: array
    ends: array

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering clean [start, end); end > start required."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"clean span {start}:{end} outside 0:{len(self.text)}")
        return self.starts[start], self.ends[end - 1]
