"""Find a quote in a document, tolerating only whitespace and typographic-quote differences.

Annotators type straight quotes and may wrap lines; the articles use curly quotes. Both sides are
normalised the same way, and offsets are mapped back to the original text so that a citation
points at the exact characters of the document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_LEADING_SPACE = re.compile(r"\s+")
_LONG_SPACE = re.compile(r"\s{2,}")
_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """Straighten typographic quotes and collapse every run of whitespace to one space."""
    return " ".join(text.translate(_QUOTE_MARKS).split())


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A document's text in normalised form, and how to map its offsets back to the original.

    Normalising shifts characters left only where a run of whitespace is longer than one
    character (or leads the text), so the map is kept as the few places where the shift
    changes (``starts``, ascending, and the ``shifts`` from there on) rather than one offset
    per character: a document of megabytes costs a few short lists, not a tuple of ints
    several times its size.
    """

    original: str
    text: str
    #: Normalised offsets where a new shift begins; the first is 0.
    starts: tuple[int, ...]
    #: ``original offset - normalised offset`` from each start on.
    shifts: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> NormalizedText:
        text = " ".join(original.split()).translate(_QUOTE_MARKS)
        leading = _LEADING_SPACE.match(original)
        shift = leading.end() if leading else 0
        starts, shifts = [0], [shift]
        for run in _LONG_SPACE.finditer(original):
            a, b = run.span()
            if a == 0 or b == len(original):
                continue  # leading (counted above) or trailing (dropped)
            # The run becomes one space, at the run's last character.
            starts.append(a - shift)
            shift += b - a - 1
            shifts.append(shift)
        return cls(original, text, tuple(starts), tuple(shifts))

    def offset(self, at: int) -> int:
        """The original offset of the character at ``at`` in the normalised text."""
        return at + self.shifts[bisect_right(self.starts, at) - 1]

    def locate(self, quote: str) -> tuple[int, int] | None:
        """The ``(start, end)`` of the first occurrence of ``quote`` in the original text that
        neither begins nor ends inside a word: "ill Choi" is not a quote of "kill Choi"."""
        needle = normalize(quote)
        if not needle:
            return None
        at = self.text.find(needle)
        while at >= 0:
            end = at + len(needle)
            if not self._cuts_word(at, end):
                return self.span(at, end)
            at = self.text.find(needle, at + 1)
        return None

    def _cuts_word(self, start: int, end: int) -> bool:
        text = self.text
        return (start > 0 and text[start].isalnum() and text[start - 1].isalnum()) or (
            end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
        )

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back to the original."""
        return self.offset(start), self.offset(end - 1) + 1
