"""The bounds every query runs within. Each is named in the error a query gets for crossing it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    #: Deepest an operation's fields with selections may nest, through fragments (counted as
    #: strawberry's QueryDepthLimiter counts, introspection aside).
    max_depth: int = 12
    #: Most field aliases in one document, a fragment's counted each time it is spread.
    max_aliases: int = 30
    #: Most lexical tokens in one document: graphql-core's parser stops there, so it also
    #: bounds the parser's work.
    max_tokens: int = 2_000
    #: Largest ``first`` or ``last`` a list accepts, and the most ids ``nodes`` takes.
    max_page_size: int = 100
    #: Longest path ``path(from, to)`` searches for, in edges.
    max_path_length: int = 6
    #: Most paths ``path`` returns.
    max_paths: int = 10
    #: Largest radius of ``egoNetwork``, of ``neighbors(depth)`` and of an export's ``center``.
    max_radius: int = 3
    #: Largest ``maxNodes`` of ``egoNetwork``/``subgraph``: the most nodes they return
    #: (``truncated`` says when they cut some).
    max_subgraph_nodes: int = 300
    #: Most objects one answer may hold (counted as they are resolved; a query asking for more
    #: is refused with OBJECT_LIMIT_EXCEEDED). Nested lists multiply: this bounds what the
    #: static limits above cannot, e.g. 100 nodes × their neighbours × theirs.
    max_objects: int = 20_000
    #: Largest answer, in bytes of JSON. Counted as objects are resolved (texts at their
    #: length), so that an answer growing past it is refused with RESPONSE_TOO_LARGE before it
    #: is built, then checked exactly once encoded.
    max_response_bytes: int = 8_000_000
    #: Longest ``text`` of ``search``, ``passages`` and ``entities``, in characters.
    max_search_length: int = 200
