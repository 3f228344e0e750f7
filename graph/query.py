"""Questions the API asks of the graph, as functions of a built :class:`KnowledgeGraph`.

They read only what :func:`graph.build.build_graph` built, never scan the whole graph and never
run a whole-graph algorithm: look-ups go through dicts, neighbourhoods and paths through
breadth-first searches bounded by a depth or length the caller states.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from graph.errors import OutOfBounds, UnknownNode
from graph.filters import cited_documents
from graph.indexes import Selection
from graph.knowledge import EdgeKey, KnowledgeGraph
from graph.model import MEASURES
from graph.search import DESCRIPTION_SCORE
from graph.walk import distances

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
        return str(self.data["type"])

    def other(self, node: str) -> str:
        return self.target if node == self.source else self.source


# --- look-up ------------------------------------------------------------------------------------


def resolve(K: KnowledgeGraph, ref: str) -> list[str]:
    """The nodes ``ref`` names, best first: itself if it is an id, else every node with that
    name, alias or description (case, spacing, hyphens, quotes and leading articles aside: see
    :mod:`graph.names`). Several: ``ref`` is ambiguous."""
    return K.search.names.resolve(ref, K.graph)


def require(K: KnowledgeGraph, ref: str) -> str:
    """The one node ``ref`` names; :class:`UnknownNode` if it names none,
    :class:`graph.names.AmbiguousName` (with the candidates) if it names several."""
    node = K.search.names.require(ref, K.graph)
    if node is None:
        raise UnknownNode(ref)
    return node


# --- edges and neighbours -----------------------------------------------------------------------


def edges_of(
    K: KnowledgeGraph,
    node: str,
    *,
    direction: Direction = "both",
    types: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
    edge_kind: str | None = None,
) -> list[Edge]:
    """Edges at ``node``, filtered by edge type, the kind of the node at the other end, and
    ``edge_kind`` ("relation" or "participation"). Outgoing edges first, each side in key order."""
    G = K.graph
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
    K: KnowledgeGraph,
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

    def neighbours(current: str) -> Iterator[str]:
        for edge in edges_of(K, current, direction=direction, types=types):
            yield edge.other(current)

    seen = distances(K.graph, node, neighbours, depth)
    nodes = K.graph.nodes
    return [
        (n, d) for n, d in seen.items() if d > 0 and (kinds is None or nodes[n]["kind"] in kinds)
    ]


# --- paths --------------------------------------------------------------------------------------


def shortest_paths(
    K: KnowledgeGraph,
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

    G = K.graph
    # The nodes one edge away either way, read from the adjacency (keys only, unless types
    # filter) rather than through edges_of, whose Edge per edge was two thirds of a path
    # query's time; each node's asked once, as the walk back asks again about nodes the search
    # expanded. Sorted, so the order is the same as before whatever the adjacency's order.
    known: dict[str, list[str]] = {}

    def neighbours(current: str) -> list[str]:
        found = known.get(current)
        if found is None:
            if types is None:
                others = {*G.succ[current], *G.pred[current]}
            else:
                others = {
                    other
                    for adjacency in (G.succ[current], G.pred[current])
                    for other, keyed in adjacency.items()
                    if any(d["type"] in types for d in keyed.values())
                }
            found = known[current] = sorted(others)
        return found

    level = distances(K.graph, source, neighbours, max_length, until=target)
    if target not in level:
        return []
    paths: list[list[str]] = []

    def walk(node: str, suffix: list[str]) -> None:
        # The walk reached every node of the steps before the target's: a node's predecessors
        # on shortest paths are its neighbours one step nearer the source.
        if len(paths) >= limit:
            return
        if node == source:
            paths.append([source, *suffix])
            return
        for pred in neighbours(node):
            if level.get(pred) == level[node] - 1:
                walk(pred, [node, *suffix])

    walk(target, [])
    return paths


def edges_between(
    K: KnowledgeGraph, a: str, b: str, types: Collection[str] | None = None
) -> list[Edge]:
    """Every edge joining ``a`` and ``b``, either way."""
    G = K.graph
    found = [Edge(a, b, str(k), d) for k, d in (G.get_edge_data(a, b) or {}).items()]
    if a != b:
        found += [Edge(b, a, str(k), d) for k, d in (G.get_edge_data(b, a) or {}).items()]
    return [e for e in found if types is None or e.data["type"] in types]


# --- events -------------------------------------------------------------------------------------


def timeline(
    K: KnowledgeGraph,
    *,
    order: Literal["story", "narrative"] = "story",
    participant: str | None = None,
    place: str | None = None,
    certainty: Collection[str] | None = None,
    documents: Collection[str] | None = None,
) -> list[str]:
    """Event ids in story order (or in the order the film tells them, for the events whose place
    in the telling the articles give), optionally only those ``participant`` takes part in,
    those located at ``place``, those of one of the ``certainty`` values and those cited from
    one of the ``documents`` (the events that article tells)."""
    events: Iterator[str] = iter(K.timeline if order == "story" else K.narrative)
    nodes = K.graph.nodes
    if certainty is not None:
        events = (e for e in events if nodes[e].get("certainty", "stated") in certainty)
    if documents is not None:
        events = (e for e in events if any(d in documents for d in cited_documents(nodes[e])))
    if participant is not None:
        involved = {
            e.target for e in edges_of(K, participant, direction="out", edge_kind="participation")
        }
        events = (e for e in events if e in involved)
    if place is not None:
        located = {
            e.target
            for e in edges_of(
                K, place, direction="out", types={"location"}, edge_kind="participation"
            )
        }
        events = (e for e in events if e in located)
    return list(events)


def participants(K: KnowledgeGraph, event: str, role: str | None = None) -> list[Edge]:
    """The participation edges of ``event`` (entity → event), optionally of one role."""
    return edges_of(
        K, event, direction="in", edge_kind="participation", types=None if role is None else {role}
    )


def adjacent_events(K: KnowledgeGraph, event: str) -> tuple[str | None, str | None]:
    """The events just before and just after ``event`` in story order."""
    order = K.timeline
    at = K.timeline_position[event]
    return (order[at - 1] if at > 0 else None, order[at + 1] if at + 1 < len(order) else None)


# --- disputes, rankings -------------------------------------------------------------------------


def dispute_edges(K: KnowledgeGraph, dispute: str, claim: str | None = None) -> list[Edge]:
    """The relations and participations that stand for one side of ``dispute``."""
    edges = K.graph.edges
    return [
        Edge(u, v, k, edges[u, v, k])
        for u, v, k in K.dispute_edges.get(dispute, ())
        if claim is None or edges[u, v, k]["claim"] == claim
    ]


def ranking(K: KnowledgeGraph, measure: str, kind: str | None = None) -> Iterator[str]:
    """Node ids from the highest ``measure`` down (ranked at build time), optionally of one kind."""
    if measure not in MEASURES:
        raise OutOfBounds("measure", measure, f"one of {', '.join(MEASURES)}")
    if kind is None:
        return iter(K.rankings[measure])
    return iter(K.node_index.select([kind], None, measure))


# --- filtered lists -----------------------------------------------------------------------------

#: The least search score at which ``text`` counts as naming a node, in :func:`select_nodes`.
TEXT_MATCH = 0.5


def select_nodes(
    K: KnowledgeGraph,
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
    index = K.node_index
    if text is None:
        return index.select(kinds, relation, order)
    # Description-only matches score below TEXT_MATCH: no need to look for them.
    described = TEXT_MATCH <= DESCRIPTION_SCORE
    # Every node the text names: the search leaves out the forms that cannot score TEXT_MATCH
    # (most of a common word's fuzzy candidates) before looking at them.
    hits = K.search.search(text, limit=len(K.graph), descriptions=described, at_least=TEXT_MATCH)
    return index.among({h.node for h in hits}, kinds, relation, order)


def select_edges(
    K: KnowledgeGraph,
    *,
    types: Collection[str] | None = None,
    edge_kind: str | None = None,
    disputed: bool | None = None,
    certainty: Collection[str] | None = None,
    documents: Collection[str] | None = None,
) -> Selection[EdgeKey]:
    """Edges ``(source, target, key)`` of any of ``types``, of ``edge_kind``, that are
    (``disputed=True``) or are not one side of a dispute, of any of the ``certainty`` values
    and cited from any of the ``documents``, in ``G.edges`` order. A page costs its size and a
    few binary searches per type; with ``documents``, a look at every edge the other filters
    keep (an edge cites several documents: they cannot be disjoint groups of the index)."""
    found = K.edge_index.select(
        (edge_kind, t, disputed, c)
        for t in ((None,) if types is None else types)
        for c in ((None,) if certainty is None else certainty)
    )
    if documents is None:
        return found
    edges = K.graph.edges
    cited = tuple(key for key in found if any(d in documents for d in cited_documents(edges[key])))
    return Selection(cited, [range(len(cited))])


def edge(K: KnowledgeGraph, source: str, target: str, key: str) -> Edge:
    return Edge(source, target, key, K.graph.edges[source, target, key])


def edge_by_key(K: KnowledgeGraph, key: str) -> Edge | None:
    """The edge whose key is ``key`` (keys are unique: :mod:`graph.validate`), or ``None``."""
    found = K.edges_by_key.get(key)
    return None if found is None else edge(K, *found)
