"""Selecting part of the knowledge graph: by node kind, by relation type, around a node.

The exports and the GraphQL API (``egoNetwork``, ``subgraph``) select through these functions, so
a filter means the same thing everywhere. The result is always a **read-only view** of the graph
it was taken from: nothing is copied, node and edge attribute dicts are shared with the original,
and ``.copy()`` gives an independent graph when one is needed. Views iterate nodes and edges in
the order of the original graph, so the same graph and the same arguments give the same result.

How the filters combine:

1. ``center`` and ``radius`` keep the nodes within ``radius`` hops of ``center`` in the *whole*
   graph, ignoring edge direction (characters linked through a shared event are two hops apart
   even when events are filtered out afterwards).
2. ``kinds`` keeps the nodes whose ``kind`` is one of those given. The center of an ego network
   is kept whatever its kind: an ego network without its ego answers nothing.
3. ``relation_types`` keeps the edges whose ``type`` is one of those given (relation types such
   as ``kills`` and participant roles such as ``agent`` alike), and only the nodes that one of
   those edges joins to another node kept (and the center of an ego network): a filter keeps
   what matches. ``keep_isolated=True`` keeps the nodes left without edges too.
4. ``max_nodes`` keeps at most that many nodes: the nearest to the center first, then those with
   the highest ``pagerank``, then by id. :class:`Selection` says whether this truncated anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import networkx as nx

from graph import walk
from graph.errors import (
    InvalidMaxNodes,
    InvalidRadius,
    RadiusTooLarge,
    RadiusWithoutCenter,
    UnknownKind,
    UnknownNode,
    UnknownRelationType,
)
from graph.model import KINDS, RELATION_TYPES, ROLES
from graph.names import Names

__all__ = ["Selection", "ego_distances", "select", "selection"]

N = TypeVar("N", bound=Hashable)

#: Radius of an ego network when a center is given without one.
DEFAULT_RADIUS = 1


@dataclass(frozen=True, slots=True)
class Selection(Generic[N]):
    """The outcome of :func:`selection`: the selected view and how much the size cap cut."""

    #: Read-only view of the original graph.
    graph: nx.MultiDiGraph[N]
    #: Nodes that matched the filters, before ``max_nodes`` was applied.
    matched: int
    #: The selected nodes (what ``graph`` iterates, in no particular order): asking this
    #: instead of the view costs nothing, where counting or iterating a filtered view walks
    #: every node of the original graph.
    nodes: Collection[N] = ()

    @property
    def truncated(self) -> bool:
        return len(self.nodes) < self.matched


def select(
    G: nx.MultiDiGraph[N],
    *,
    kinds: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    center: N | None = None,
    radius: int | None = None,
    max_nodes: int | None = None,
    max_radius: int | None = None,
    names: Names | None = None,
    keep_isolated: bool = False,
) -> nx.MultiDiGraph[N]:
    """Return a read-only view of the part of ``G`` the filters keep (see the module docstring).

    ``None`` means "no filter" for every argument; an empty ``kinds`` or ``relation_types``
    keeps no node or no edge. ``max_radius`` bounds ``radius`` (:class:`RadiusTooLarge`).
    A ``center`` that is no node id is looked up in ``names`` (:mod:`graph.names`: a name,
    alias or description), if given.

    Raises :class:`~graph.errors.UnknownNode`, :class:`~graph.errors.UnknownKind`,
    :class:`~graph.errors.UnknownRelationType`, :class:`~graph.errors.InvalidRadius`,
    :class:`~graph.errors.RadiusTooLarge`, :class:`~graph.errors.RadiusWithoutCenter` or
    :class:`~graph.errors.InvalidMaxNodes`, each carrying the value at fault.
    """
    return selection(
        G,
        kinds=kinds,
        relation_types=relation_types,
        center=center,
        radius=radius,
        max_nodes=max_nodes,
        max_radius=max_radius,
        names=names,
        keep_isolated=keep_isolated,
    ).graph


def selection(
    G: nx.MultiDiGraph[N],
    *,
    kinds: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    center: N | None = None,
    radius: int | None = None,
    max_nodes: int | None = None,
    max_radius: int | None = None,
    names: Names | None = None,
    keep_isolated: bool = False,
) -> Selection[N]:
    """Like :func:`select`, but also report how many nodes matched before ``max_nodes``."""
    kind_set = None if kinds is None else _checked_kinds(G, kinds)
    type_set = None if relation_types is None else _checked_relation_types(G, relation_types)
    _check_max_nodes(max_nodes)

    distances: dict[N, int] | None = None
    if center is not None:
        radius = DEFAULT_RADIUS if radius is None else radius
        _check_radius(radius, max_radius)
        if center not in G:
            center = _named(G, center, names)
        distances = ego_distances(G, center, radius)
    elif radius is not None:
        raise RadiusWithoutCenter(radius)

    keep_node = _node_filter(G, kind_set, distances, center)
    keep_edge = None if type_set is None else _edge_filter(G, type_set)

    chosen: Collection[N]
    if keep_node is None:
        chosen = G.nodes
    elif distances is not None:
        # An ego network looks only at what the breadth-first search reached, never at the
        # whole graph: its cost follows the size of the neighbourhood, not of the graph.
        chosen = {n for n in distances if keep_node(n)}
    else:
        chosen = {n for n in G if keep_node(n)}
    if type_set is not None and not keep_isolated:
        chosen = _joined(G, chosen, type_set, center)
        keep_node = chosen.__contains__
    matched = len(chosen)
    if max_nodes is not None and matched > max_nodes:
        chosen = set(sorted(chosen, key=_priority(G, distances))[:max_nodes])
        keep_node = chosen.__contains__

    return Selection(graph=_view(G, keep_node, keep_edge), matched=matched, nodes=chosen)


def _joined(
    G: nx.MultiDiGraph[N], nodes: Collection[N], types: Collection[str], center: N | None
) -> set[N]:
    """Those of ``nodes`` that an edge of one of ``types`` joins to another of ``nodes`` (and
    ``center``). Walks the edges leaving ``nodes``: all of the graph's when no center narrowed
    them."""
    joined: set[N] = set() if center is None else {center}
    for u in nodes:
        for v, keyed in G.adj[u].items():
            if v in nodes and any(_among(d.get("type"), types) for d in keyed.values()):
                joined.update((u, v))
    return joined


def _named(G: nx.MultiDiGraph[N], name: N, names: Names | None) -> N:
    """The one node a name, alias or description names (see :mod:`graph.names`):
    :class:`UnknownNode` if none, :class:`graph.names.AmbiguousName` if several."""
    node = None if names is None or not isinstance(name, str) else names.require(name, G)
    if node is None:
        raise UnknownNode(name)
    return node  # type: ignore[return-value]  # a node of G: Names holds G's node ids


def ego_distances(G: nx.MultiDiGraph[N], center: N, radius: int) -> dict[N, int]:
    """Hop distance from ``center`` of every node within ``radius`` hops, ignoring direction.

    Breadth-first, successors before predecessors, each in the graph's order: the dict's order
    is the same for the same graph.
    """
    if center not in G:
        raise UnknownNode(center)

    def neighbours(node: N) -> Iterator[N]:
        yield from G.adj[node]
        if G.is_directed():
            yield from G.pred[node]

    return walk.distances(G, center, neighbours, radius)


def _checked_kinds(G: nx.MultiDiGraph[N], kinds: Iterable[str]) -> frozenset[str]:
    # The vocabulary's terms in either case: GraphQL spells them as enum values (CHARACTER).
    wanted = frozenset(_vocabulary_term(k, KINDS) for k in _as_set(kinds))
    unknown = sorted(k for k in wanted if k not in KINDS)
    if unknown:
        # Rare path: the graph may use a kind the vocabulary lacks; only then pay a scan.
        kinds_present = (data.get("kind") for _, data in G.nodes(data=True))
        present = {kind for kind in kinds_present if isinstance(kind, str)}
        for kind in unknown:
            if kind not in present:
                raise UnknownKind(kind)
    return wanted


def _checked_relation_types(G: nx.MultiDiGraph[N], types: Iterable[str]) -> frozenset[str]:
    terms = {**RELATION_TYPES, **ROLES}
    wanted = frozenset(_vocabulary_term(t, terms) for t in _as_set(types))
    unknown = sorted(t for t in wanted if t not in RELATION_TYPES and t not in ROLES)
    if unknown:
        types_present = (data.get("type") for _, _, data in G.edges(data=True))
        present = {t for t in types_present if isinstance(t, str)}
        for relation_type in unknown:
            if relation_type not in present:
                raise UnknownRelationType(relation_type)
    return wanted


def _vocabulary_term(value: str, vocabulary: Collection[str]) -> str:
    """``value``, or the vocabulary term it spells in other case ("KILLS", "Co_Agent")."""
    if value in vocabulary or not isinstance(value, str):
        return value
    lower = value.lower()
    return lower if lower in vocabulary else value


def _as_set(values: Iterable[str]) -> frozenset[str]:
    # A bare string is one value, not a collection of one-letter values.
    if isinstance(values, str):
        return frozenset((values,))
    return frozenset(values)


def _check_radius(radius: object, max_radius: int | None) -> None:
    if not isinstance(radius, int) or isinstance(radius, bool) or radius < 0:
        raise InvalidRadius(radius)
    if max_radius is not None and radius > max_radius:
        raise RadiusTooLarge(radius, max_radius)


def _check_max_nodes(max_nodes: object) -> None:
    if max_nodes is None:
        return
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 0:
        raise InvalidMaxNodes(max_nodes)


def _node_filter(
    G: nx.MultiDiGraph[N],
    kinds: Collection[str] | None,
    distances: dict[N, int] | None,
    center: N | None,
) -> Callable[[N], bool] | None:
    attrs = G.nodes
    if kinds is None:
        return None if distances is None else distances.__contains__
    if distances is None:
        return lambda n: _among(attrs[n].get("kind"), kinds)
    return lambda n: n in distances and (n == center or _among(attrs[n].get("kind"), kinds))


def _edge_filter(G: nx.MultiDiGraph[N], types: Collection[str]) -> Callable[[N, N, Any], bool]:
    adjacency = G.adj
    return lambda u, v, k: _among(adjacency[u][v][k].get("type"), types)


def _among(value: object, names: Collection[str]) -> bool:
    # Attributes may hold anything, lists included, which a set cannot even be asked about.
    return isinstance(value, str) and value in names


def _priority(
    G: nx.MultiDiGraph[N], distances: dict[N, int] | None
) -> Callable[[N], tuple[int, float, str]]:
    attrs = G.nodes

    def key(n: N) -> tuple[int, float, str]:
        hops = 0 if distances is None else distances[n]
        rank = attrs[n].get("pagerank")
        if not isinstance(rank, int | float) or not math.isfinite(rank):
            rank = 0.0
        return (hops, -rank, str(n))

    return key


def _view(
    G: nx.MultiDiGraph[N],
    keep_node: Callable[[N], bool] | None,
    keep_edge: Callable[[N, N, Any], bool] | None,
) -> nx.MultiDiGraph[N]:
    if keep_node is None and keep_edge is None:
        # A plain view avoids the per-element cost of filters on large exports. (The stubs bound
        # its argument to graphs of Hashable nodes, which a graph of N is not, invariantly.)
        return nx.graphviews.generic_graph_view(G)  # type: ignore[type-var]
    view: nx.MultiDiGraph[N] = nx.subgraph_view(
        G,
        filter_node=keep_node or nx.filters.no_filter,
        filter_edge=keep_edge or nx.filters.no_filter,
    )
    return view
