"""GEXF 1.3, written as a stream, ready to open in Gephi and to read with graphology.

The document follows the official 1.3 RELAX NG schema (``gexf.rnc``, ``viz.rnc``,
``dynamics.rnc``) and is what ``check-gexf`` verifies:

- ``<meta>`` with ``lastmodifieddate``, ``creator``, ``keywords`` and ``description`` (the
  graph's ``name``); ``<graph>`` has no ``name`` attribute, which no GEXF schema allows.
- Typed attribute columns (:mod:`server.exports.columns`); list values use the 1.3 list syntax,
  ``["a", "b \\"c\\""]``: brackets, comma-separated items, each item double-quoted with ``\\``
  and ``"`` backslash-escaped, so that items may themselves hold commas, brackets or quotes.
  The literal is also JSON: networkx's reader (3.6), which reads ``liststring`` as ``str``,
  returns it whole, and ``json.loads(value, strict=False)`` gives the list back.
- Each edge has its relation type (``kills``) or participant role (``agent``) as its 1.3
  ``kind``, which tells parallel edges apart, and as its ``label``. The contract's edge ``kind``
  (``relation`` or ``participation``) becomes the column ``edge_kind``: readers such as
  graphology store an element's ``kind`` and its attribute columns under the same names, so a
  column called ``kind`` would overwrite the relation type.
- ``viz:color`` by node kind (:data:`graph.model.KIND_COLORS`), ``viz:size`` from 5 to 40 by
  PageRank (square root, so that areas follow rank), ``viz:position`` from ``x`` and ``y``.
- When there are events with an integer ``story_order``, the graph is dynamic with integer
  time, and its edges are timed as well as its events, so that Gephi's timeline shows the
  relations appearing as the story goes:

  - an event exists only at its story order (``start`` = ``end``), and so does every edge to
    or from it (a participation); an edge between two events of different story orders,
    which no moment holds both ends of, has no time;
  - an edge between two entities appears (``start``, no ``end``: it stays) when the later of
    its two ends first takes part in an event of the file, in story order;
  - a node that is not an event, and an edge with an end that takes part in no event of the
    file, have no time and are there throughout.

  Times come from the events in the file itself, so a selection times its edges by the events
  it keeps.
- A graph that is not directed (a co-occurrence network) is written
  ``defaultedgetype="undirected"``; an edge's numeric ``weight`` is GEXF's own edge ``weight``
  (not a column: NetworKit reads a column of that name as weights changing over time).
- ``numeric_ids=True`` numbers the nodes 0, 1, 2 ... in the graph's node order, for readers
  that accept nothing else (NetworKit's ``GEXFReader`` on a dynamic graph); each node's own id
  is then kept in a ``slug`` column, and its ``label`` is its name as always.

Strings are escaped for XML and stripped of the characters XML 1.0 cannot hold; ``None``,
empty and mistyped values are left out. Node ids are ``str(node)``; edge ids are the edge keys,
which :mod:`graph.validate` makes sure are unique in the knowledge graph.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph import model
from server.exports import escape
from server.exports.chunks import chunked
from server.exports.columns import EDGE_COLUMNS, NODE_COLUMNS, Column, Value, as_double

__all__ = ["KIND_COLORS", "MEDIA_TYPE", "iter_bytes", "iter_text"]

MEDIA_TYPE = "application/gexf+xml"
CREATOR = "ballerina-kg"
KEYWORDS = "Ballerina (2023), film, knowledge graph"


def rgb(color: str) -> tuple[int, int, int]:
    """``"#e15759"`` as ``(225, 87, 89)``."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


#: Node colour by kind, as :data:`graph.model.KIND_COLORS` gives it.
KIND_COLORS: Mapping[str, tuple[int, int, int]] = MappingProxyType(
    {kind: rgb(color) for kind, color in model.KIND_COLORS.items()}
)
OTHER_COLOR = rgb(model.OTHER_COLOR)
MIN_SIZE, MAX_SIZE = 5.0, 40.0
#: Size of every node when all ranks are equal, and nothing tells them apart.
EVEN_SIZE = 10.0

_GEXF_TYPES = {"string": "string", "integer": "integer", "double": "double", "list": "liststring"}
# Column names that differ from the graph attribute names, per class (see the module docstring).
_EDGE_TITLES = {"kind": "edge_kind"}
# Written as the edge element's own weight instead (see the module docstring).
_EDGE_COLUMNS = tuple(c for c in EDGE_COLUMNS if c.name != "weight")
SLUG = "slug"


def iter_bytes(
    G: nx.MultiDiGraph[Any], *, modified: date | None = None, numeric_ids: bool = False
) -> Iterator[bytes]:
    """Stream ``G`` as a GEXF 1.3 document, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G, modified=modified, numeric_ids=numeric_ids))


def iter_text(
    G: nx.MultiDiGraph[Any], *, modified: date | None = None, numeric_ids: bool = False
) -> Iterator[str]:
    """The document as many small strings; ``modified`` defaults to today."""
    sizes = _SizeScale.of(G)
    times = _EdgeTimes.of(G)
    ids: Mapping[Hashable, str] = (
        {node: str(i) for i, node in enumerate(G)} if numeric_ids else _OwnIds()
    )
    yield from _header(G, modified or date.today(), times.dynamic, numeric_ids)
    yield f'    <nodes count="{G.number_of_nodes()}">\n'
    for node, attrs in G.nodes(data=True):
        yield _node(node, ids[node], attrs, sizes, numeric_ids)
    yield "    </nodes>\n    <edges>\n"
    for source, target, key, attrs in G.edges(keys=True, data=True):
        time = times(source, target)
        yield _edge(escape.xml_safe(str(key)), ids[source], ids[target], attrs, time)
    yield "    </edges>\n  </graph>\n</gexf>\n"


class _OwnIds(dict[Hashable, str]):
    """Each node's id as itself (``str(node)``), without a table of them."""

    def __missing__(self, node: Hashable) -> str:
        return str(node)


def _header(G: nx.MultiDiGraph[Any], modified: date, dynamic: bool, slugs: bool) -> Iterator[str]:
    name = G.graph.get("name")
    description = name if isinstance(name, str) and name.strip() else "Knowledge graph"
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"'
        ' version="1.3">\n'
        f'  <meta lastmodifieddate="{modified.isoformat()}">\n'
        f"    <creator>{CREATOR}</creator>\n"
        f"    <keywords>{escape.text(KEYWORDS)}</keywords>\n"
        f"    <description>{escape.text(description)}</description>\n"
        "  </meta>\n"
    )
    time = ' mode="dynamic" timeformat="integer"' if dynamic else ' mode="static"'
    direction = "directed" if G.is_directed() else "undirected"
    yield f'  <graph defaultedgetype="{direction}"{time}>\n'
    slug = Column(SLUG, "string", lambda _: None)  # declared here, written by _attvalues
    yield from _declarations("node", (*NODE_COLUMNS, slug) if slugs else NODE_COLUMNS, {})
    yield from _declarations("edge", _EDGE_COLUMNS, _EDGE_TITLES)


def _declarations(
    cls: str, columns: tuple[Column, ...], titles: Mapping[str, str]
) -> Iterator[str]:
    yield f'    <attributes class="{cls}">\n'
    for column in columns:
        title = titles.get(column.name, column.name)
        yield (
            f'      <attribute id="{title}" title="{title}" type="{_GEXF_TYPES[column.type]}"/>\n'
        )
    yield "    </attributes>\n"


def _node(
    node: Hashable, node_id: str, attrs: Mapping[str, Any], sizes: _SizeScale, slug: bool
) -> str:
    label = _label(attrs.get("name"), node)
    parts = [f'      <node id="{escape.attribute(node_id)}" label="{label}"']
    time = _event_time(attrs)
    if time is not None:
        parts.append(f' start="{time}" end="{time}"')
    parts.append(">\n")
    parts.extend(_attvalues(attrs, NODE_COLUMNS, {}, slug=str(node) if slug else None))
    kind = attrs.get("kind")
    r, g, b = KIND_COLORS.get(kind, OTHER_COLOR) if isinstance(kind, str) else OTHER_COLOR
    parts.append(f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
    parts.append(f'        <viz:size value="{sizes(attrs.get("pagerank"))}"/>\n')
    x, y = as_double(attrs.get("x")), as_double(attrs.get("y"))
    if x is not None and y is not None:
        parts.append(f'        <viz:position x="{x!r}" y="{y!r}" z="0.0"/>\n')
    parts.append("      </node>\n")
    return "".join(parts)


def _edge(
    edge_id: str,
    source: str,
    target: str,
    attrs: Mapping[str, Any],
    time: tuple[int, int | None] | None,
) -> str:
    parts = [
        f'      <edge id="{escape.attribute(edge_id)}"'
        f' source="{escape.attribute(source)}" target="{escape.attribute(target)}"'
    ]
    relation = attrs.get("type")
    if isinstance(relation, str) and relation.strip():
        relation = escape.token(relation)
        parts.append(f' kind="{relation}" label="{relation}"')
    weight = as_double(attrs.get("weight"))
    if weight is not None:
        parts.append(f' weight="{weight!r}"')
    if time is not None:
        start, end = time
        parts.append(f' start="{start}"' if end is None else f' start="{start}" end="{end}"')
    values = _attvalues(attrs, _EDGE_COLUMNS, _EDGE_TITLES)
    if not values:
        parts.append("/>\n")
    else:
        parts.append(">\n")
        parts.extend(values)
        parts.append("      </edge>\n")
    return "".join(parts)


def _attvalues(
    attrs: Mapping[str, Any],
    columns: tuple[Column, ...],
    titles: Mapping[str, str],
    *,
    slug: str | None = None,
) -> list[str]:
    values = []
    for column in columns:
        value = column.value(attrs)
        if value is None:
            continue
        title = titles.get(column.name, column.name)
        values.append(f'          <attvalue for="{title}" value="{_format(value)}"/>\n')
    if slug is not None:
        values.append(f'          <attvalue for="{SLUG}" value="{_format(slug)}"/>\n')
    if not values:
        return []
    return ["        <attvalues>\n", *values, "        </attvalues>\n"]


def _format(value: Value) -> str:
    if isinstance(value, tuple):
        return escape.attribute(liststring(value))
    if isinstance(value, float):
        return repr(value)
    return escape.attribute(str(value))


def liststring(items: tuple[str, ...]) -> str:
    """A GEXF 1.3 list value: ``["a", "b"]``, before XML escaping."""
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return "[" + ", ".join(quoted) + "]"


def _label(name: object, node: Hashable) -> str:
    if isinstance(name, str):
        label = escape.token(name)
        if label:
            return label
    return escape.token(str(node))


def _event_time(attrs: Mapping[str, Any]) -> int | None:
    order = attrs.get("story_order")
    if attrs.get("kind") != "event" or isinstance(order, bool) or not isinstance(order, int):
        return None
    return order


class _EdgeTimes:
    """When each edge appears on the story's timeline (the rules are in the module docstring)."""

    __slots__ = ("_events", "_first")

    def __init__(self, events: Mapping[Hashable, int], first: Mapping[Hashable, int]) -> None:
        #: Event node -> its story order.
        self._events = events
        #: Other node -> the earliest story order of an event it is joined to.
        self._first = first

    @classmethod
    def of(cls, G: nx.MultiDiGraph[Any]) -> _EdgeTimes:
        events = {}
        for node, attrs in G.nodes(data=True):
            time = _event_time(attrs)
            if time is not None:
                events[node] = time
        first: dict[Hashable, int] = {}
        if events:
            for u, v in G.edges():
                for event, other in ((v, u), (u, v)):
                    time = events.get(event)
                    if time is not None and other not in events:
                        first[other] = min(first.get(other, time), time)
        return cls(events, first)

    @property
    def dynamic(self) -> bool:
        return bool(self._events)

    def __call__(self, source: Hashable, target: Hashable) -> tuple[int, int | None] | None:
        """``(start, end)`` of the edge (``end`` None: it stays), or None: it has no time."""
        at_source, at_target = self._events.get(source), self._events.get(target)
        if at_source is not None and at_target is not None:
            # Two events exist together only if they share a story order.
            return (at_source, at_source) if at_source == at_target else None
        time = at_source if at_source is not None else at_target
        if time is not None:
            return time, time
        if source in self._first and target in self._first:
            return max(self._first[source], self._first[target]), None
        return None


class _SizeScale:
    """Maps PageRank onto node sizes from MIN_SIZE to MAX_SIZE over the exported nodes."""

    __slots__ = ("_low", "_span")

    def __init__(self, low: float, high: float) -> None:
        self._low = low
        self._span = high - low

    @classmethod
    def of(cls, G: nx.MultiDiGraph[Any]) -> _SizeScale:
        low, high = math.inf, -math.inf
        for _, attrs in G.nodes(data=True):
            rank = as_double(attrs.get("pagerank"))
            if rank is not None:
                low, high = min(low, rank), max(high, rank)
        return cls(low, high) if low <= high else cls(0.0, 0.0)

    def __call__(self, rank: object) -> float:
        value = as_double(rank)
        if value is None:
            return MIN_SIZE
        if self._span <= 0:
            return EVEN_SIZE
        share = math.sqrt((value - self._low) / self._span)
        return round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * share, 2)
