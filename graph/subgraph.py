"""Selecting part of the knowledge graph: by node kind, by relation type, by the documents and
the certainty of the claims, around a node.

The exports, the command line and the GraphQL API (``egoNetwork``, ``subgraph``) select through
these functions, with filters read and checked by :mod:`graph.filters`, so a filter means the
same thing everywhere. The result is always a **read-only view** of the graph it was taken from:
nothing is copied, node and edge attribute dicts are shared with the original, and ``.copy()``
gives an independent graph when one is needed. Views iterate nodes and edges in the order of
the original graph, so the same graph and the same arguments give the same result.

How the filters combine:

1. ``center`` and ``radius`` keep the nodes within ``radius`` hops of ``center`` in the *whole*
   graph, ignoring edge direction (characters linked through a shared event are two hops apart
   even when events are filtered out afterwards).
2. ``kinds`` keeps the nodes whose ``kind`` is one of those given. The center of an ego network
   is kept whatever its kind: an ego network without its ego answers nothing.
3. The edge filters keep the edges that match them all: ``relation_types`` those whose ``type``
   is one of those given (relation types such as ``kills`` and participant roles such as
   ``agent`` alike), ``documents`` those cited from one of the documents ("what this article
   says"), ``certainty`` those of one of the certainties. With any of them, only the nodes that
   a kept edge joins to another node kept (and the center of an ego network) are kept: a filter
   keeps what matches. ``keep_isolated=True`` keeps the nodes left without edges too.
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
from graph.errors import UnknownNode
from graph.filters import DEFAULT_RADIUS, Filter, parse_filter
from graph.names import Names

__all__ = ["DEFAULT_RADIUS", "Selection", "ego_distances", "select", "selected", "selection"]

N = TypeVar("N", bound=Hashable)


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
    documents: Iterable[str] | None = None,
    certainty: Iterable[str] | None = None,
    center: N | None = None,
    radius: int | None = None,
    max_nodes: int | None = None,
    max_radius: int | None = None,
    names: Names | None = None,
    known_documents: Collection[str] | None = None,
    keep_isolated: bool = False,
) -> nx.MultiDiGraph[N]:
    """Return a read-only view of the part of ``G`` the filters keep (see the module docstring).

    The arguments are those of :func:`graph.filters.parse_filter`, which checks them first and
    raises the :class:`~graph.errors.SelectionError` it documents, carrying the value at fault.
    ``None`` means "no filter" for every argument; an empty ``kinds`` or edge filter keeps no
    node or no edge.
    """
    return selection(
        G,
        kinds=kinds,
        relation_types=relation_types,
        documents=documents,
        certainty=certainty,
        center=center,
        radius=radius,
        max_nodes=max_nodes,
        max_radius=max_radius,
        names=names,
        known_documents=known_documents,
        keep_isolated=keep_isolated,
    ).graph


def selection(
    G: nx.MultiDiGraph[N],
    *,
    kinds: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    certainty: Iterable[str] | None = None,
    center: N | None = None,
    radius: int | None = None,
    max_nodes: int | None = None,
    max_radius: int | None = None,
    names: Names | None = None,
    known_documents: Collection[str] | None = None,
    keep_isolated: bool = False,
) -> Selection[N]:
    """Like :func:`select`, but also report how many nodes matched before ``max_nodes``."""
    checked = parse_filter(
        G,
        kinds=kinds,
        relation_types=relation_types,
        documents=documents,
        certainty=certainty,
        center=center,
        radius=radius,
        max_nodes=max_nodes,
        max_radius=max_radius,
        names=names,
        known_documents=known_documents,
        keep_isolated=keep_isolated,
    )
    return selected(G, checked)


def selected(G: nx.MultiDiGraph[N], checked: Filter) -> Selection[N]:
    """The part of ``G`` a filter :func:`graph.filters.parse_filter` made from ``G`` keeps."""
    center: N | None = checked.center  # type: ignore[assignment]  # a node of G, once parsed
    distances: dict[N, int] | None = None
    if center is not None:
        distances = ego_distances(
            G, center, DEFAULT_RADIUS if checked.radius is None else checked.radius
        )

    keep_node = _node_filter(G, checked.kinds, distances, center)
    keep_edge = _edge_filter(G, checked) if checked.filters_edges else None

    chosen: Collection[N]
    if keep_node is None:
        chosen = G.nodes
    elif distances is not None:
        # An ego network looks only at what the breadth-first search reached, never at the
        # whole graph: its cost follows the size of the neighbourhood, not of the graph.
        chosen = {n for n in distances if keep_node(n)}
    else:
        chosen = {n for n in G if keep_node(n)}
    if checked.filters_edges and not checked.keep_isolated:
        chosen = _joined(G, chosen, checked, center)
        keep_node = chosen.__contains__
    matched = len(chosen)
    max_nodes = checked.max_nodes
    if max_nodes is not None and matched > max_nodes:
        chosen = set(sorted(chosen, key=_priority(G, distances))[:max_nodes])
        keep_node = chosen.__contains__

    return Selection(graph=_view(G, keep_node, keep_edge), matched=matched, nodes=chosen)


def _joined(
    G: nx.MultiDiGraph[N], nodes: Collection[N], checked: Filter, center: N | None
) -> set[N]:
    """Those of ``nodes`` that an edge the filter keeps joins to another of ``nodes`` (and
    ``center``). Walks the edges leaving ``nodes``: all of the graph's when no center narrowed
    them."""
    joined: set[N] = set() if center is None else {center}
    keeps_edge = checked.keeps_edge
    for u in nodes:
        for v, keyed in G.adj[u].items():
            if v in nodes and any(keeps_edge(d) for d in keyed.values()):
                joined.update((u, v))
    return joined


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


def _edge_filter(G: nx.MultiDiGraph[N], checked: Filter) -> Callable[[N, N, Any], bool]:
    adjacency, keeps_edge = G.adj, checked.keeps_edge
    return lambda u, v, k: keeps_edge(adjacency[u][v][k])


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
