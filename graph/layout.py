"""Node positions for drawing the graph, computed once when it is built.

:func:`layout` places every node in the plane so that the exports open laid out in Gephi and
sigma.js. Graphs up to :data:`FORCE_MAX_NODES` nodes (the film's has ~110) get networkx's
ForceAtlas2 (``networkx.forceatlas2_layout``, Gephi's own algorithm, with its gravity keeping
small components near the middle) on the undirected simple projection of the graph, from
seeded initial positions. It compares every pair of nodes in each iteration, so larger graphs
get a sunflower (phyllotaxis) spiral instead: O(n), even density, no overlaps, nodes placed in
graph order.

Both are deterministic: the same graph (same nodes and edges, in any insertion order for the
force layout) and the same seed give the same positions. Coordinates are centred on the origin
and scaled so that the farthest node is ``scale`` away on one axis; ±1000 suits Gephi's default
node sizes (5 to 40 in the GEXF export).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TypeVar

import networkx as nx

__all__ = ["FORCE_MAX_NODES", "layout"]

#: Largest graph laid out by force simulation; larger ones get the O(n) spiral.
FORCE_MAX_NODES = 400
#: Default seed of the initial positions.
SEED = 2023
#: Default half-width of the drawing.
SCALE = 1000.0

_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))

N = TypeVar("N", bound=Hashable)


def layout(
    G: nx.Graph[N],
    *,
    seed: int = SEED,
    scale: float = SCALE,
) -> dict[N, tuple[float, float]]:
    """Return ``{node: (x, y)}`` for every node of ``G``, within ``[-scale, scale]`` on both axes.

    Force-directed up to :data:`FORCE_MAX_NODES` nodes, a spiral above (see the module docstring).
    Edge direction, parallel edges and self-loops are ignored.
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    if n > FORCE_MAX_NODES:
        nodes = list(G)
        points = _spiral(n)
    else:
        # Sorting makes positions independent of the order the builder added nodes in.
        nodes = sorted(G, key=str)
        points = _force_directed(_simple_projection(G, nodes), seed)
    return dict(zip(nodes, _fit(points, scale), strict=True))


def _simple_projection(G: nx.Graph[N], nodes: list[N]) -> nx.Graph[int]:
    """``G`` undirected, without parallel edges and self-loops, nodes in the order of ``nodes``
    and edges in a fixed order."""
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    simple: nx.Graph[int] = nx.Graph()
    simple.add_nodes_from(range(len(nodes)))
    simple.add_edges_from(sorted(pairs))
    return simple


def _force_directed(simple: nx.Graph[int], seed: int) -> list[complex]:
    """ForceAtlas2 positions of the nodes ``0 .. n - 1`` of ``simple``."""
    n = simple.number_of_nodes()
    if n == 1:
        return [0j]
    positions = nx.forceatlas2_layout(simple, seed=seed)
    return [complex(*positions[i]) for i in range(n)]


def _spiral(n: int) -> list[complex]:
    # Sunflower: the i-th point at radius sqrt(i) and angle i times the golden angle.
    return [
        math.sqrt(i + 0.5) * complex(math.cos(i * _GOLDEN_ANGLE), math.sin(i * _GOLDEN_ANGLE))
        for i in range(n)
    ]


def _fit(points: list[complex], scale: float) -> list[tuple[float, float]]:
    middle = sum(points) / len(points)
    centred = [p - middle for p in points]
    extent = max(max(abs(p.real), abs(p.imag)) for p in centred) or 1.0
    factor = scale / extent
    return [(round(p.real * factor, 3), round(p.imag * factor, 3)) for p in centred]
