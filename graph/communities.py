"""Communities: networkx's Louvain method, seeded, on an undirected weighted projection.

A partition is computed once when the graph is built (:mod:`graph.build`) and is the same on
every run and every machine for the same seeds:

- the graph is first projected onto an undirected simple graph whose nodes and edges are added
  in sorted order, so that the order the seeds list things in does not matter; an edge's
  weight is the number of edges joining the pair in the source graph (either way round), or
  the sum of their ``weight`` where the caller names one;
- ``networkx.community.louvain_communities`` runs on it with the fixed :data:`SEED` (its
  only randomness is the order it visits the nodes in, drawn from that seed);
- communities are numbered from 0, largest first, ties by their smallest node id, and each
  holds its nodes in id order. An isolated node is a community of its own.

networkx's Louvain is pure Python and grows faster than the graph (BENCHMARKS.md,
*Start-up*): above :data:`MAX_EDGES` the build does not run it, and the :class:`Communities`
it stores says why (``not_computed``) rather than partitioning nothing.
The knowledge graph of the seeds has a few hundred edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx

__all__ = [
    "MAX_EDGES",
    "RESOLUTION",
    "SEED",
    "Communities",
    "detect",
    "detect_within_bound",
    "label_nodes",
    "undirected_projection",
]

#: The seed of Louvain's node order: the year of the film.
SEED = 2023
#: networkx's default; below 1 favours larger communities, above 1 smaller ones.
RESOLUTION = 1.0
#: The largest graph (in edges) whose communities the build computes.
MAX_EDGES = 100_000


@dataclass(frozen=True, slots=True)
class Communities:
    """A partition of a graph's nodes, numbered largest first."""

    #: ``members[i]`` holds the node ids of community ``i``, in id order.
    members: tuple[tuple[str, ...], ...]
    #: Node id -> the number of its community.
    of: Mapping[str, int]
    #: Newman's modularity of the partition on the weighted projection.
    modularity: float
    #: Why there is no partition (a graph over :data:`MAX_EDGES`); empty when there is one.
    not_computed: str = ""

    def __len__(self) -> int:
        return len(self.members)


def undirected_projection(G: nx.Graph[Any], *, weight: str | None = None) -> nx.Graph[str]:
    """``G`` as an undirected simple graph with sorted nodes and edges; parallel edges and both
    directions add up into ``weight`` (1 per edge, or the edges' own ``weight`` attribute)."""
    weights: dict[tuple[str, str], float] = {}
    edges = G.edges(data=weight, default=1) if weight else ((u, v, 1) for u, v in G.edges())
    for u, v, value in edges:
        a, b = sorted((str(u), str(v)))
        if a == b:
            continue  # a self-loop says nothing about which community a node belongs to
        weights[a, b] = weights.get((a, b), 0) + float(value)
    H: nx.Graph[str] = nx.Graph()
    H.add_nodes_from(sorted(str(n) for n in G))
    H.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    return H


def detect(
    G: nx.Graph[Any],
    *,
    weight: str | None = None,
    seed: int = SEED,
    resolution: float = RESOLUTION,
) -> Communities:
    """The Louvain communities of ``G`` (see the module docstring for the rules)."""
    H = undirected_projection(G, weight=weight)
    if H.number_of_nodes() == 0:
        return Communities(members=(), of=MappingProxyType({}), modularity=0.0)
    found = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    members = sorted((tuple(sorted(c)) for c in found), key=lambda c: (-len(c), c[0]))
    of = {node: i for i, community in enumerate(members) for node in community}
    modularity = (
        nx.community.modularity(H, found, weight="weight", resolution=resolution)
        if H.number_of_edges()
        else 0.0
    )
    return Communities(members=tuple(members), of=MappingProxyType(of), modularity=modularity)


def detect_within_bound(G: nx.Graph[Any], max_edges: int = MAX_EDGES) -> Communities:
    """:func:`detect`, for a graph of at most ``max_edges`` edges; for a larger one, no
    partition, saying why."""
    if G.number_of_edges() > max_edges:
        reason = (
            f"communities are computed for graphs of at most {max_edges:,} edges; "
            f"this one has {G.number_of_edges():,}"
        )
        return Communities(members=(), of=MappingProxyType({}), modularity=0.0, not_computed=reason)
    return detect(G)


def label_nodes(G: nx.Graph[Any], communities: Communities, attribute: str = "community") -> None:
    """Store each node's community number on it as ``attribute`` (nothing where there is no
    partition)."""
    if communities.not_computed:
        return
    for node, data in G.nodes(data=True):
        data[attribute] = communities.of[str(node)]
