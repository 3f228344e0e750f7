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

The edges are listed in an order that rebuilds the graph's adjacency exactly (see
:func:`rebuild_order`): a graph read back answers every query that walks a node's edges, incoming
ones too, in the same order as the graph exported.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import deque
from collections.abc import Hashable, Iterator, Mapping
from itertools import chain
from typing import Any, cast

import networkx as nx

from server.exports.chunks import chunked

__all__ = ["MEDIA_TYPE", "iter_bytes", "iter_text", "plain", "rebuild_order"]

MEDIA_TYPE = "application/json"

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_NODE_RESERVED = frozenset({"id"})
_EDGE_RESERVED = frozenset({"source", "target", "key"})


def iter_bytes(G: nx.MultiDiGraph[Any]) -> Iterator[bytes]:
    """Stream ``G`` as node-link JSON, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G))


def iter_text(G: nx.MultiDiGraph[Any]) -> Iterator[str]:
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
    for source, target, key, attrs in rebuild_order(G):
        record = {"source": plain(source), "target": plain(target), "key": plain(key)}
        record.update(_attributes(attrs, _EDGE_RESERVED))
        yield separator + _encode(record)
        separator = ",\n"
    yield "\n]}\n"


def rebuild_order(G: nx.Graph[Any]) -> Iterator[tuple[Any, ...]]:
    """Every edge ``(u, v, key, data)`` of ``G`` (``(u, v, data)`` if not a multigraph), in an
    order that, added edge by edge to a graph holding ``G``'s nodes in order (as
    ``networkx.node_link_graph`` does), gives each node the same successors *and predecessors*
    in the same order, each pair's keys in the same order.

    ``G.edges()`` lists edges by source, so a graph rebuilt from it orders a node's
    predecessors by their place in the node order, not by when their edges were added. Here
    each source's successors are walked in order, and a pair ``(u, v)`` is listed only once
    ``u`` is next among ``v``'s predecessors; until then ``u``'s walk waits for it (a
    topological order of the two chains, which the order the edges were added in satisfies).
    All keys of a pair follow at once. Only nodes part-way through their predecessors and the
    waiting walks are held, so the export still streams.
    """
    if not G.is_directed():
        if G.is_multigraph():
            # networkx's multigraphs are its MultiGraph and MultiDiGraph, and their subclasses.
            yield from cast("nx.MultiGraph[Any]", G).edges(keys=True, data=True)
        else:
            yield from G.edges(data=True)
        return
    # networkx's directed graphs are its DiGraph and MultiDiGraph, and their subclasses.
    directed = cast("nx.DiGraph[Any]", G)
    succ, pred = directed.succ, directed.pred
    multigraph = G.is_multigraph()
    # v -> (iterator over the rest of v's predecessors, the predecessor v expects next)
    part_way: dict[Hashable, tuple[Iterator[Hashable], Hashable]] = {}
    waiting: dict[tuple[Hashable, Hashable], Iterator[Hashable]] = {}  # (u, v) -> u's walk
    # (u, the target its walk stopped at or None, the rest of u's successors)
    walks: deque[tuple[Hashable, Hashable | None, Iterator[Hashable]]] = deque()
    for start in G:
        walks.append((start, None, iter(succ[start])))
        while walks:
            u, resumed_at, targets = walks.popleft()
            for v in targets if resumed_at is None else chain((resumed_at,), targets):
                expected = part_way[v][1] if v in part_way else next(iter(pred[v]))
                if expected != u:
                    waiting[u, v] = targets
                    break
                if multigraph:
                    for key, data in succ[u][v].items():
                        yield u, v, key, data
                else:
                    yield u, v, succ[u][v]
                if v in part_way:
                    rest = part_way.pop(v)[0]
                else:
                    rest = iter(pred[v])
                    next(rest)
                following = next(rest, None)
                if following is not None:
                    part_way[v] = (rest, following)
                    blocked = waiting.pop((following, v), None)
                    if blocked is not None:
                        walks.append((following, v, blocked))
    if waiting:
        raise RuntimeError("the adjacency of the graph has no consistent edge order")


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
