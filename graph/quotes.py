"""Find a quote in a document, tolerating only whitespace and typographic-quote differences.

Annotators type straight quotes and may wrap lines; the articles use curly quotes. Both sides are
normalised the same way, and offsets are mapped back to the original text so that a citation
points at the exact characters of the document.
"""

from __future__ import annotations

from dataclasses import dataclass

_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """Straighten typographic quotes and collapse every run of whitespace to one space."""
    return " ".join(text.translate(_QUOTE_MARKS).split())


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A document's text in normalised form, with the original offset of each character."""

    original: str
    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> NormalizedText:
        chars: list[str] = []
        offsets: list[int] = []
        pending_space = False
        for i, ch in enumerate(original):
            if ch.isspace():
                pending_space = bool(chars)
                continue
            if pending_space:
                chars.append(" ")
                offsets.append(i - 1)
                pending_space = False
            chars.append(ch)
            offsets.append(i)
        return cls(original, "".join(chars).translate(_QUOTE_MARKS), tuple(offsets))

    def locate(self, quote: str) -> tuple[int, int] | None:
        """The ``(start, end)`` of the first occurrence of ``quote`` in the original text."""
        needle = normalize(quote)
        if not needle:
            return None
        at = self.text.find(needle)
        if at < 0:
            return None
        return self.offsets[at], self.offsets[at + len(needle) - 1] + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back to the original."""
        return self.offsets[start], self.offsets[end - 1] + 1
