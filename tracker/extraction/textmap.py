"""A cleaned text that remembers where each character came from.

The extractor reads a normalised copy of the document (tags gone, spaced-out
characters closed up, hard line breaks joined, full-width digits made ASCII),
but every candidate must point into the document *as stored*, because the app
highlights the quote there. So each clean character carries the half-open
span [start, end) of original characters it stands for: usually one
character, several for an HTML entity, none for a character we inserted.
"""

from __future__ import annotations

from dataclasses import dataclass


class MapBuilder:
    """Collects clean characters with their original spans, in order."""

    __slots__ = ("chars", "ends", "starts")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, ch: str, start: int, end: int) -> None:
        self.chars.append(ch)
        self.starts.append(start)
        self.ends.append(end)

    def extend(self, chars: list[str], starts: list[int], ends: list[int]) -> None:
        self.chars.extend(chars)
        self.starts.extend(starts)
        self.ends.extend(ends)

    def __len__(self) -> int:
        return len(self.chars)

    def build(self, original: str) -> MappedText:
        return MappedText(original, "".join(self.chars), self.starts, self.ends)


@dataclass(frozen=True)
class MappedText:
    original: str
    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering clean [start, end); end > start required."""
        if not 0 <= start < end <= len(self.text):
            raise IndexError(f"clean span {start}:{end} outside 0:{len(self.text)}")
        return self.starts[start], self.ends[end - 1]
