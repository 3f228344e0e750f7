"""The typed attribute columns the XML exports declare, and how graph values become them.

GEXF and GraphML both declare every attribute once, with one type, before any node. Graph
values are looser than that (the contract lets any attribute be missing, ``None``, a list or a
dict), so each column reads its value through a converter that returns either a value of the
column's type or ``None``, meaning "write nothing for this element":

- ``string``: strings as they are, numbers written out; empty strings, lists and dicts give
  ``None``.
- ``integer`` / ``double``: ints and finite floats (an integral float is accepted as an
  integer); booleans, NaN, infinities and anything else give ``None``.
- ``list``: a tuple of strings from a list, tuple or set (sets sorted), or from a lone string;
  ``None`` items and nested lists or dicts are dropped, and an empty list gives ``None``.

``citations`` is exported as a count, ``documents`` as the sorted ids of the documents cited and
``quotes`` as the citations themselves (``document: quote``), beside the claim's ``certainty``
(a co-occurrence edge, which cites no quote, has its own ``documents``); ``community`` is the
node's Louvain community in the whole network exported from (the knowledge graph, as the build
partitioned it, or the co-occurrence network), not recomputed for a selection;
the ``mentions`` dict is left to the JSON export, which keeps it whole (``mention_total`` sums
it up here).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "Column", "as_double"]

ColumnType = Literal["string", "integer", "double", "list"]
Value = str | int | float | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    #: Attribute name in the exported file.
    name: str
    type: ColumnType
    #: Reads the raw value from an element's attribute dict.
    read: Callable[[Mapping[str, Any]], object]

    def value(self, attrs: Mapping[str, Any]) -> Value | None:
        """The element's value for this column, or ``None`` when there is none to write."""
        return _CONVERTERS[self.type](self.read(attrs))


def _get(name: str) -> Callable[[Mapping[str, Any]], object]:
    return lambda attrs: attrs.get(name)


def citation_count(attrs: Mapping[str, Any]) -> int | None:
    citations = attrs.get("citations")
    if isinstance(citations, list | tuple | set | frozenset):
        return len(citations)
    if isinstance(citations, int) and not isinstance(citations, bool):
        return citations
    return None


def cited_documents(attrs: Mapping[str, Any]) -> tuple[str, ...] | None:
    citations = attrs.get("citations")
    if not isinstance(citations, list | tuple | set | frozenset):
        # An edge of a co-occurrence network cites no quote but names its documents.
        return _list(attrs.get("documents"))
    documents = set()
    for citation in citations:
        if isinstance(citation, Mapping):
            document = citation.get("document")
        else:
            document = getattr(citation, "document", None)
        if isinstance(document, str):
            documents.add(document)
    return tuple(sorted(documents))


def cited_quotes(attrs: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Each citation as ``document: quote``, so that a claim's receipts travel with it."""
    citations = attrs.get("citations")
    if not isinstance(citations, list | tuple):
        return None
    quotes = []
    for citation in citations:
        document = getattr(citation, "document", None)
        quote = getattr(citation, "quote", None)
        if isinstance(document, str) and isinstance(quote, str):
            quotes.append(f"{document}: {quote}")
    return tuple(quotes)


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    return None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_double(value: object) -> float | None:
    """``value`` as a finite float; ``None`` for booleans, NaN, infinities and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, set | frozenset):
        items = sorted(value, key=str)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    strings = tuple(s for s in map(_string, items) if s is not None)
    return strings or None


_CONVERTERS: dict[str, Callable[[object], Value | None]] = {
    "string": _string,
    "integer": _integer,
    "double": as_double,
    "list": _list,
}

NODE_COLUMNS: tuple[Column, ...] = (
    Column("kind", "string", _get("kind")),
    Column("aliases", "list", _get("aliases")),
    Column("description", "string", _get("description")),
    Column("citations", "integer", citation_count),
    Column("documents", "list", cited_documents),
    Column("mention_total", "integer", _get("mention_total")),
    Column("degree", "integer", _get("degree")),
    Column("betweenness", "double", _get("betweenness")),
    Column("pagerank", "double", _get("pagerank")),
    Column("story_order", "integer", _get("story_order")),
    Column("narrative_order", "integer", _get("narrative_order")),
    Column("narrative", "string", _get("narrative")),
    Column("certainty", "string", _get("certainty")),
    Column("certainty_reason", "string", _get("reason")),
    Column("quotes", "list", cited_quotes),
    Column("community", "integer", _get("community")),
)

EDGE_COLUMNS: tuple[Column, ...] = (
    Column("type", "string", _get("type")),
    Column("kind", "string", _get("kind")),
    Column("dispute", "string", _get("dispute")),
    Column("claim", "string", _get("claim")),
    Column("note", "string", _get("note")),
    Column("citations", "integer", citation_count),
    Column("documents", "list", cited_documents),
    Column("certainty", "string", _get("certainty")),
    Column("certainty_reason", "string", _get("reason")),
    Column("quotes", "list", cited_quotes),
    # Co-occurrence edges: the sentences that mention both ends, and the same as a weight.
    Column("sentences", "integer", _get("sentences")),
    Column("weight", "double", _get("weight")),
)
