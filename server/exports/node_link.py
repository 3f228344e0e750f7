"""JSON node-link, written as a stream, that ``networkx.node_link_graph`` reads back.

The document is what ``networkx.node_link_data(G, edges="edges")`` would give, so
``networkx.node_link_graph(json.load(f), edges="edges")`` rebuilds the same nodes, edges and
keys. Unlike the XML formats it keeps every attribute whole, made JSON-ready by
:func:`plain`: citations become objects ``{"document", "quote", "start", "end"}``, tuples and
sets become arrays (sets sorted), dict keys become strings, NaN and infinities become
``null``, and anything else becomes its ``str()``. Graph-level attributes (the knowledge
graph's are only its ``name``) are written the same way.

A node attribute called ``id``, or an edge attribute called ``source``, ``target`` or ``key``,
would collide with the node-link structure and is left out.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from server.exports.chunks import chunked

__all__ = ["MEDIA_TYPE", "iter_bytes", "iter_text", "plain"]

MEDIA_TYPE = "application/json"

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_NODE_RESERVED = frozenset({"id"})
_EDGE_RESERVED = frozenset({"source", "target", "key"})


def iter_bytes(G: nx.MultiDiGraph) -> Iterator[bytes]:
    """Stream ``G`` as node-link JSON, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G))


def iter_text(G: nx.MultiDiGraph) -> Iterator[str]:
    directed = "true" if G.is_directed() else "false"
    multigraph = "true" if G.is_multigraph() else "false"
    graph = _encode(plain(G.graph))
    yield f'{{"directed":{directed},"multigraph":{multigraph},"graph":{graph},\n"nodes":['
    separator = "\n"
    for node, attrs in G.nodes(data=True):
        record = {"id": plain(node)}
        record.update(_attributes(attrs, _NODE_RESERVED))
        yield separator + _encode(record)
        separator = ",\n"
    yield '\n],\n"edges":['
    separator = "\n"
    for source, target, key, attrs in G.edges(keys=True, data=True):
        record = {"source": plain(source), "target": plain(target), "key": plain(key)}
        record.update(_attributes(attrs, _EDGE_RESERVED))
        yield separator + _encode(record)
        separator = ",\n"
    yield "\n]}\n"


def _attributes(attrs: Mapping[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in attrs.items() if str(k) not in reserved}


def plain(value: object) -> Any:
    """``value`` as plain JSON data (see the module docstring for the conversions)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [plain(v) for v in sorted(value, key=repr)]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)
