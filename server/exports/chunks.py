"""Grouping the many small strings a writer produces into chunks worth sending."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

__all__ = ["CHUNK_SIZE", "chunked"]

#: Characters gathered before a chunk is encoded and handed on (a chunk of UTF-8 can be longer).
CHUNK_SIZE = 64 * 1024


def chunked(pieces: Iterable[str], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Encode ``pieces`` as UTF-8, yielding a chunk whenever ``size`` characters have gathered.

    Only one chunk is held in memory at a time. Writers remove what their format cannot hold
    beforehand; ``errors="replace"`` is the last guard against lone surrogates.
    """
    buffer: list[str] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(buffer).encode("utf-8", "replace")
            buffer.clear()
            held = 0
    if buffer:
        yield "".join(buffer).encode("utf-8", "replace")
