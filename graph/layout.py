"""Node positions for drawing the graph, computed once when it is built.

:func:`layout` places every node in the plane so that the exports open laid out in Gephi and
sigma.js. Small graphs (the film's ~150 nodes) get a force-directed layout: a seeded
Fruchterman-Reingold simulation on the undirected simple projection of the graph, with a weak
gravity that keeps isolated nodes and small components near the middle. It is written here in
plain Python (networkx's own layouts need numpy, which the service does not depend on) and
costs O(n²) per iteration, so graphs above :data:`FORCE_MAX_NODES` nodes get a sunflower
(phyllotaxis) spiral instead: O(n), even density, no overlaps, and nodes placed in graph order.

Both are deterministic: the same graph (same nodes and edges, in any insertion order for the
force layout) and the same seed give the same positions. Coordinates are centred on the origin
and scaled so that the farthest node is ``scale`` away on one axis; ±1000 suits Gephi's default
node sizes (5 to 40 in the GEXF export).
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

import networkx as nx

__all__ = ["FORCE_MAX_NODES", "layout"]

#: Largest graph laid out by force simulation; larger ones get the O(n) spiral.
FORCE_MAX_NODES = 400
#: Default seed of the initial positions.
SEED = 2023
#: Default half-width of the drawing.
SCALE = 1000.0

# Iterations are chosen so that one layout evaluates about this many node pairs in all:
# about half a second in CPython, and never fewer than _MIN_ITERATIONS.
_PAIR_BUDGET = 4_000_000
_MIN_ITERATIONS = 50
_MAX_ITERATIONS = 300
# Pull towards the origin, proportional to the distance. The n repulsions on an isolated node
# add up to about n·k² / r = 4 / r, so it comes to rest at r = sqrt(4 / _GRAVITY) ≈ 1.26, just
# outside the connected part instead of far away, where it would shrink everything else when
# the drawing is scaled to fit.
_GRAVITY = 2.5
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def layout(
    G: nx.Graph,
    *,
    seed: int = SEED,
    scale: float = SCALE,
) -> dict[Hashable, tuple[float, float]]:
    """Return ``{node: (x, y)}`` for every node of ``G``, within ``[-scale, scale]`` on both axes.

    Force-directed up to :data:`FORCE_MAX_NODES` nodes, a spiral above (see the module docstring).
    Edge direction, parallel edges and self-loops are ignored.
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    if n > FORCE_MAX_NODES:
        points = _spiral(n)
        nodes = list(G)
    else:
        # Sorting makes positions independent of the order the builder added nodes in.
        nodes = sorted(G, key=str)
        points = _force_directed(n, _simple_edges(G, nodes), seed)
    return dict(zip(nodes, _fit(points, scale), strict=True))


def _simple_edges(G: nx.Graph, nodes: list[Hashable]) -> list[tuple[int, int]]:
    index = {node: i for i, node in enumerate(nodes)}
    pairs = set()
    for u, v in G.edges():
        i, j = index[u], index[v]
        if i != j:
            pairs.add((i, j) if i < j else (j, i))
    return sorted(pairs)


def _force_directed(n: int, edges: list[tuple[int, int]], seed: int) -> list[complex]:
    """Fruchterman-Reingold in the square [-1, 1]², positions held as complex numbers.

    The repulsion on node i, sum over j of k² (zi - zj) / |zi - zj|², is k² times the
    conjugate of sum 1 / (zi - zj): one complex division per pair, which CPython does fast.
    """
    rng = random.Random(seed)
    z = [complex(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)) for _ in range(n)]
    if n == 1:
        return [0j]
    k = math.sqrt(4.0 / n)
    k2 = k * k
    iterations = max(_MIN_ITERATIONS, min(_MAX_ITERATIONS, _PAIR_BUDGET // (n * n)))
    temperature = 0.2
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        displacement = []
        for zi in z:
            pushed = sum([1.0 / (zi - zj) for zj in z if zj != zi])
            displacement.append(k2 * pushed.conjugate() - _GRAVITY * zi)
        for i, j in edges:
            delta = z[j] - z[i]
            pull = delta * abs(delta) / k
            displacement[i] += pull
            displacement[j] -= pull
        for i, step in enumerate(displacement):
            length = abs(step)
            if length > temperature:
                step *= temperature / length
            z[i] += step
        temperature -= cooling
    return z


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
