"""Document-wide unique edge ids, handed out without remembering every id in full.

In a multigraph an edge key is unique only between the same two nodes, while GEXF and GraphML
want each edge id unique in the whole document. Keeping every id handed out in a set would
cost memory in proportion to the edges, the one thing a streamed export must not do; a Bloom
filter remembers them in a fixed bit array instead (16 bits per edge, at least 128 KiB).

An id the filter has certainly not seen is used as is. One it may have seen (a real repeat,
or for fewer than one edge in a thousand a false positive) gets the edge's position in the
document as a suffix, ``key#7``: no two such ids can be equal, so even a graph whose keys all
repeat (networkx's default keys are 0, 1, ...) costs one extra check per edge, not a search.
Should ``key#7`` be taken by a real key, ``key#7-2``, ``key#7-3``... are tried. Every id handed
out was certainly new, so the ids are unique; they are also deterministic, since the hash is
not Python's salted one.
"""

from __future__ import annotations

import hashlib

__all__ = ["EdgeIds"]

_BITS_PER_EDGE = 16
_MIN_BITS = 1 << 20
_HASHES = 8


class EdgeIds:
    """Call with each edge's key, in document order, to get its id."""

    __slots__ = ("_bits", "_mask", "_position")

    def __init__(self, expected_edges: int) -> None:
        size = _MIN_BITS
        while size < _BITS_PER_EDGE * expected_edges:
            size <<= 1
        self._bits = bytearray(size // 8)
        self._mask = size - 1
        self._position = 0

    def __call__(self, key: str) -> str:
        self._position += 1
        candidate, attempt = key, 0
        positions = self._positions(candidate)
        while self._may_have_seen(positions):
            attempt += 1
            candidate = f"{key}#{self._position}"
            if attempt > 1:
                candidate += f"-{attempt}"
            positions = self._positions(candidate)
        for position in positions:
            self._bits[position >> 3] |= 1 << (position & 7)
        return candidate

    def _positions(self, text: str) -> list[int]:
        # Double hashing: _HASHES positions from two 64-bit halves of one digest.
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        first = int.from_bytes(digest[:8], "little")
        step = int.from_bytes(digest[8:], "little") | 1
        return [(first + i * step) & self._mask for i in range(_HASHES)]

    def _may_have_seen(self, positions: list[int]) -> bool:
        bits = self._bits
        return all(bits[p >> 3] & (1 << (p & 7)) for p in positions)
