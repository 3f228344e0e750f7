"""Questions the API asks of the graph, as functions of a built graph (see :mod:`graph.build`).

They read only what :func:`graph.build.build_graph` stored, never scan the whole graph and never
run a whole-graph algorithm: look-ups go through dicts, neighbourhoods and paths through
breadth-first searches bounded by a depth or length the caller states.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from graph.errors import OutOfBounds, UnknownNode
from graph.indexes import Grouped, NodeIndex, Selection
from graph.search import DESCRIPTION_SCORE

Direction = Literal["out", "in", "both"]


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge of the multigraph, with its attribute dict (shared with the graph: read-only)."""

    source: str
    target: str
    key: str
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return self.data["type"]

    def other(self, node: str) -> str:
        return self.target if node == self.source else self.source


# --- look-up ------------------------------------------------------------------------------------


def resolve(G: nx.MultiDiGraph, ref: str) -> list[str]:
    """The nodes ``ref`` names, best first: itself if it is an id, else every node with that
    name, alias or description (case, spacing, hyphens, quotes and leading articles aside: see
    :mod:`graph.names`). Several: ``ref`` is ambiguous."""
    return G.graph["search"].names.resolve(ref, G)


def require(G: nx.MultiDiGraph, ref: str) -> str:
    """The one node ``ref`` names; :class:`UnknownNode` if it names none,
    :class:`graph.names.AmbiguousName` (with the candidates) if it names several."""
    node = G.graph["search"].names.require(ref, G)
    if node is None:
        raise UnknownNode(ref)
    return node


# --- edges and neighbours -----------------------------------------------------------------------


def edges_of(
    G: nx.MultiDiGraph,
    node: str,
    *,
    direction: Direction = "both",
    types: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
    edge_kind: str | None = None,
) -> list[Edge]:
    """Edges at ``node``, filtered by edge type, the kind of the node at the other end, and
    ``edge_kind`` ("relation" or "participation"). Outgoing edges first, each side in key order."""
    found: list[Edge] = []
    if direction in ("out", "both"):
        for _, v, key, data in G.out_edges(node, keys=True, data=True):
            found.append(Edge(node, v, key, data))
    if direction in ("in", "both"):
        for u, _, key, data in G.in_edges(node, keys=True, data=True):
            if u == node and direction == "both":
                continue  # a self-loop is already listed among the outgoing edges
            found.append(Edge(u, node, key, data))
    return [
        e
        for e in found
        if (types is None or e.data["type"] in types)
        and (edge_kind is None or e.data["kind"] == edge_kind)
        and (kinds is None or G.nodes[e.other(node)]["kind"] in kinds)
    ]


def neighbourhood(
    G: nx.MultiDiGraph,
    node: str,
    *,
    depth: int = 1,
    direction: Direction = "both",
    types: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
    max_depth: int,
) -> list[tuple[str, int]]:
    """Nodes reachable from ``node`` in 1..``depth`` steps along the filtered edges, with their
    distance, nearest first. ``kinds`` filters what is returned, not what is walked through."""
    if not 1 <= depth <= max_depth:
        raise OutOfBounds("depth", depth, f"between 1 and {max_depth}")
    seen = {node: 0}
    frontier = [node]
    for distance in range(1, depth + 1):
        following = []
        for current in frontier:
            for edge in edges_of(G, current, direction=direction, types=types):
                other = edge.other(current)
                if other not in seen:
                    seen[other] = distance
                    following.append(other)
        frontier = following
    return [
        (n, d) for n, d in seen.items() if d > 0 and (kinds is None or G.nodes[n]["kind"] in kinds)
    ]


# --- paths --------------------------------------------------------------------------------------


def shortest_paths(
    G: nx.MultiDiGraph,
    source: str,
    target: str,
    *,
    max_length: int,
    limit: int,
    types: Collection[str] | None = None,
) -> list[list[str]]:
    """Up to ``limit`` shortest paths from ``source`` to ``target`` of at most ``max_length``
    edges, ignoring direction; ``[]`` if there is none that short. Deterministic order."""
    if source == target:
        return [[source]]
    # Breadth-first from the source, recording every shortest-path predecessor.
    preds: dict[str, list[str]] = {source: []}
    level = {source: 0}
    frontier = [source]
    while frontier and target not in level:
        depth = level[frontier[0]] + 1
        if depth > max_length:
            return []
        following: list[str] = []
        for current in frontier:
            for other in sorted({e.other(current) for e in edges_of(G, current, types=types)}):
                if other not in level:
                    level[other] = depth
                    preds[other] = [current]
                    following.append(other)
                elif level[other] == depth:
                    preds[other].append(current)
        frontier = following
    if target not in level:
        return []
    paths: list[list[str]] = []

    def walk(node: str, suffix: list[str]) -> None:
        if len(paths) >= limit:
            return
        if node == source:
            paths.append([source, *suffix])
            return
        for pred in sorted(preds[node]):
            walk(pred, [node, *suffix])

    walk(target, [])
    return paths


def edges_between(
    G: nx.MultiDiGraph, a: str, b: str, types: Collection[str] | None = None
) -> list[Edge]:
    """Every edge joining ``a`` and ``b``, either way."""
    found = [Edge(a, b, k, d) for k, d in (G.get_edge_data(a, b) or {}).items()]
    if a != b:
        found += [Edge(b, a, k, d) for k, d in (G.get_edge_data(b, a) or {}).items()]
    return [e for e in found if types is None or e.data["type"] in types]


# --- events -------------------------------------------------------------------------------------


def timeline(
    G: nx.MultiDiGraph,
    *,
    order: Literal["story", "narrative"] = "story",
    participant: str | None = None,
    place: str | None = None,
) -> list[str]:
    """Event ids in story order (or in the order the film tells them, for the events whose place
    in the telling the articles give), optionally only those ``participant`` takes part in and
    those located at ``place``."""
    events: Iterator[str] = iter(G.graph["timeline" if order == "story" else "narrative"])
    if participant is not None:
        involved = {
            e.target for e in edges_of(G, participant, direction="out", edge_kind="participation")
        }
        events = (e for e in events if e in involved)
    if place is not None:
        located = {
            e.target
            for e in edges_of(
                G, place, direction="out", types={"location"}, edge_kind="participation"
            )
        }
        events = (e for e in events if e in located)
    return list(events)


def participants(G: nx.MultiDiGraph, event: str, role: str | None = None) -> list[Edge]:
    """The participation edges of ``event`` (entity → event), optionally of one role."""
    return edges_of(
        G, event, direction="in", edge_kind="participation", types=None if role is None else {role}
    )


def adjacent_events(G: nx.MultiDiGraph, event: str) -> tuple[str | None, str | None]:
    """The events just before and just after ``event`` in story order."""
    order = G.graph["timeline"]
    at = G.graph["timeline_position"][event]
    return (order[at - 1] if at > 0 else None, order[at + 1] if at + 1 < len(order) else None)


# --- disputes, rankings -------------------------------------------------------------------------


def dispute_edges(G: nx.MultiDiGraph, dispute: str, claim: str | None = None) -> list[Edge]:
    """The relations and participations that stand for one side of ``dispute``."""
    return [
        Edge(u, v, k, G.edges[u, v, k])
        for u, v, k in G.graph["dispute_edges"].get(dispute, ())
        if claim is None or G.edges[u, v, k]["claim"] == claim
    ]


MEASURES = ("pagerank", "betweenness", "degree", "mention_total")


def ranking(G: nx.MultiDiGraph, measure: str, kind: str | None = None) -> Iterator[str]:
    """Node ids from the highest ``measure`` down (ranked at build time), optionally of one kind."""
    if measure not in MEASURES:
        raise OutOfBounds("measure", measure, f"one of {', '.join(MEASURES)}")
    if kind is None:
        return iter(G.graph["rankings"][measure])
    index: NodeIndex = G.graph["node_index"]
    return iter(index.select([kind], None, measure))


def by_kind(G: nx.MultiDiGraph, kind: str | None = None) -> tuple[Hashable, ...]:
    """Every node id (of one kind), sorted by id."""
    index = G.graph["by_kind"]
    return index["*"] if kind is None else index.get(kind, ())


# --- filtered lists -----------------------------------------------------------------------------

#: The least search score at which ``text`` counts as naming a node, in :func:`select_nodes`.
TEXT_MATCH = 0.5


def select_nodes(
    G: nx.MultiDiGraph,
    *,
    kinds: Collection[str] | None = None,
    relation: str | None = None,
    text: str | None = None,
    order: str | None = None,
) -> Selection[str]:
    """Nodes of any of ``kinds``, with an edge of type ``relation`` (either way) and named by
    ``text`` (a search score of at least :data:`TEXT_MATCH`), by id or by the measure ``order``,
    highest first. From the indexes of :mod:`graph.indexes`: a page costs its size and a few
    binary searches, with ``text`` the search and the nodes it finds."""
    if order is not None and order not in MEASURES:
        raise OutOfBounds("measure", order, f"one of {', '.join(MEASURES)}")
    index: NodeIndex = G.graph["node_index"]
    if text is None:
        return index.select(kinds, relation, order)
    # Description-only matches score below TEXT_MATCH: no need to look for them.
    described = TEXT_MATCH <= DESCRIPTION_SCORE
    hits = G.graph["search"].search(text, limit=len(G), descriptions=described)
    return index.among({h.node for h in hits if h.score >= TEXT_MATCH}, kinds, relation, order)


def select_edges(
    G: nx.MultiDiGraph,
    *,
    types: Collection[str] | None = None,
    edge_kind: str | None = None,
    disputed: bool | None = None,
) -> Selection[tuple[str, str, str]]:
    """Edges ``(source, target, key)`` of any of ``types``, of ``edge_kind``, and that are
    (``disputed=True``) or are not one side of a dispute, in ``G.edges`` order. A page costs its
    size and a few binary searches per type."""
    index: Grouped[tuple[str, str, str]] = G.graph["edge_index"]
    return index.select((edge_kind, t, disputed) for t in ((None,) if types is None else types))


def edge(G: nx.MultiDiGraph, source: str, target: str, key: str) -> Edge:
    return Edge(source, target, key, G.edges[source, target, key])
