"""GraphML, written as a stream, that ``networkx.read_graphml`` reads back with its types.

networkx's own GraphML writer builds the whole document in memory, so this one writes it
element by element. Keys are declared once with ``attr.type`` ``string``, ``int`` or
``double``; ``networkx.read_graphml(path, edge_key_type=str, force_multigraph=True)`` returns
ints and floats where the graph had them, and each edge's key from its ``id`` (the edge keys of
the knowledge graph are unique in it, which :mod:`graph.validate` makes sure of).

GraphML has no list type: lists (``aliases``, ``documents``) are written as JSON arrays in a
string key. Columns are those of :mod:`server.exports.columns`, plus the node's ``name`` and
its layout position ``x``/``y``; the graph's ``name`` is a graph-level key. Strings are
escaped for XML and stripped of the characters XML 1.0 cannot hold; ``None``, empty and
mistyped values are left out (networkx reads an empty ``<data>`` as no value anyway).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import networkx as nx

from server.exports import escape
from server.exports.chunks import chunked
from server.exports.columns import EDGE_COLUMNS, NODE_COLUMNS, Column, Value

__all__ = ["MEDIA_TYPE", "iter_bytes", "iter_text"]

MEDIA_TYPE = "application/graphml+xml"

_GRAPHML_TYPES = {"string": "string", "integer": "int", "double": "double", "list": "string"}
_NODE_COLUMNS: tuple[Column, ...] = (
    Column("name", "string", lambda attrs: attrs.get("name")),
    *NODE_COLUMNS,
    Column("x", "double", lambda attrs: attrs.get("x")),
    Column("y", "double", lambda attrs: attrs.get("y")),
)
_GRAPH_COLUMNS: tuple[Column, ...] = (Column("name", "string", lambda attrs: attrs.get("name")),)


def iter_bytes(G: nx.MultiDiGraph[Any]) -> Iterator[bytes]:
    """Stream ``G`` as a GraphML document, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G))


def iter_text(G: nx.MultiDiGraph[Any]) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
        ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for prefix, cls, columns in (
        ("g", "graph", _GRAPH_COLUMNS),
        ("n", "node", _NODE_COLUMNS),
        ("e", "edge", EDGE_COLUMNS),
    ):
        for column in columns:
            yield (
                f'  <key id="{prefix}_{column.name}" for="{cls}" attr.name="{column.name}"'
                f' attr.type="{_GRAPHML_TYPES[column.type]}"/>\n'
            )
    direction = "directed" if G.is_directed() else "undirected"
    yield f'  <graph id="G" edgedefault="{direction}">\n'
    yield "".join(_data("g", G.graph, _GRAPH_COLUMNS, "    "))
    for node, attrs in G.nodes(data=True):
        yield _node(node, attrs)
    for source, target, key, attrs in G.edges(keys=True, data=True):
        yield _edge(escape.xml_safe(str(key)), source, target, attrs)
    yield "  </graph>\n</graphml>\n"


def _node(node: Hashable, attrs: Mapping[str, Any]) -> str:
    data = _data("n", attrs, _NODE_COLUMNS, "      ")
    head = f'    <node id="{escape.attribute(str(node))}"'
    if not data:
        return head + "/>\n"
    return "".join([head, ">\n", *data, "    </node>\n"])


def _edge(edge_id: str, source: Hashable, target: Hashable, attrs: Mapping[str, Any]) -> str:
    head = (
        f'    <edge id="{escape.attribute(edge_id)}" source="{escape.attribute(str(source))}"'
        f' target="{escape.attribute(str(target))}"'
    )
    data = _data("e", attrs, EDGE_COLUMNS, "      ")
    if not data:
        return head + "/>\n"
    return "".join([head, ">\n", *data, "    </edge>\n"])


def _data(
    prefix: str, attrs: Mapping[str, Any], columns: tuple[Column, ...], indent: str
) -> list[str]:
    out = []
    for column in columns:
        value = column.value(attrs)
        if value is not None:
            out.append(f'{indent}<data key="{prefix}_{column.name}">{_format(value)}</data>\n')
    return out


def _format(value: Value) -> str:
    if isinstance(value, tuple):
        return escape.text(json.dumps(list(value), ensure_ascii=False))
    if isinstance(value, float):
        return repr(value)
    return escape.text(str(value))
