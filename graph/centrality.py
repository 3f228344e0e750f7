"""Degree, betweenness and PageRank of every node, computed once when the graph is built.

Betweenness and PageRank are measured on the undirected simple projection of the graph: a
relation links two entities whichever way it is annotated ("Ok-ju kills Choi", "Choi is
killed by Ok-ju"), and two relations between the same pair count once.

Small graphs (the film's) get networkx's exact betweenness. Above
:data:`EXACT_BETWEENNESS_MAX_NODES` nodes betweenness is estimated from
:data:`BETWEENNESS_SAMPLES` sampled sources, as ``networkx.betweenness_centrality(G, k, seed)``
estimates it (same sample, same rescaling): the error of such an estimate depends on the
number of samples, not on the size of the graph. Both that estimate and PageRank run on a
sparse adjacency matrix with NumPy, a breadth-first level (or a power iteration) at a time
instead of a node at a time, which is what makes a graph of a million edges take seconds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
from scipy import sparse

EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_SAMPLES = 64
#: Sources searched together: their distances, path counts and dependencies are arrays of
#: ``batch × nodes``, so this bounds the memory (about 50 bytes per node per source).
BETWEENNESS_BATCH = 16


class Adjacency(NamedTuple):
    """The undirected simple projection of a graph: ``nodes[i]`` is row and column ``i``."""

    nodes: list[Hashable]
    matrix: sparse.csr_array

    @classmethod
    def of(cls, G: nx.Graph[Any]) -> Adjacency:
        nodes = list(G)
        index = {node: i for i, node in enumerate(nodes)}
        heads: list[int] = []
        tails: list[int] = []
        for node, neighbours in G.adjacency():
            i = index[node]
            for neighbour in neighbours:
                heads.append(i)
                tails.append(index[neighbour])
        rows = np.array(heads + tails, dtype=np.int64)
        columns = np.array(tails + heads, dtype=np.int64)
        n = len(nodes)
        matrix = sparse.csr_array((np.ones(len(rows)), (rows, columns)), shape=(n, n))
        matrix.sum_duplicates()
        matrix.data[:] = 1.0  # parallel edges, both directions and self-loops count once
        return cls(nodes, matrix)


def add_centrality(G: nx.MultiDiGraph[Any]) -> None:
    """Store ``degree``, ``betweenness`` and ``pagerank`` on every node of ``G``."""
    if G.number_of_nodes() == 0:
        return
    adjacency = Adjacency.of(G)
    if len(adjacency.nodes) > EXACT_BETWEENNESS_MAX_NODES:
        betweenness = sampled_betweenness(adjacency, BETWEENNESS_SAMPLES, seed=0)
    else:
        betweenness = nx.betweenness_centrality(nx.Graph(G))
    ranks = dict(zip(adjacency.nodes, pagerank(adjacency).tolist(), strict=True))
    for node, data in G.nodes(data=True):
        data["degree"] = G.degree(node)
        data["betweenness"] = betweenness[node]
        data["pagerank"] = ranks[node]


def sampled_betweenness(adjacency: Adjacency, k: int, *, seed: int) -> dict[Hashable, float]:
    """``networkx.betweenness_centrality(G, k=k, seed=seed)`` of the graph ``adjacency`` holds.

    The same sample of sources and the same rescaling (normalised, endpoints excluded); the
    numbers agree with networkx's to rounding (about 1e-15 relative: additions happen in
    another order).
    """
    nodes = adjacency.nodes
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    sources = [index[s] for s in random.Random(seed).sample(nodes, k)]
    totals = np.zeros(n)
    for start in range(0, k, BETWEENNESS_BATCH):
        totals += _dependencies(adjacency.matrix, sources[start : start + BETWEENNESS_BATCH])
    # networkx's rescaling of a sample without endpoints, normalised.
    pairs = n - 1
    scale = np.full(n, 1 / (k * (pairs - 1)))
    scale[sources] = 1 / ((k - 1) * (pairs - 1)) if k > 1 else math.nan
    return dict(zip(nodes, (totals * scale).tolist(), strict=True))


def _dependencies(matrix: sparse.csr_array, sources: Sequence[int]) -> np.ndarray:
    """Brandes' dependency of each source on every node, summed over ``sources``.

    All sources are searched at once, one breadth-first level at a time. A (source, node)
    pair is one flat index ``b * n + node`` into arrays of ``len(sources) × n``.

    The number of shortest paths grows exponentially along a chain of parallel routes (it
    passes 1e308, and networkx's floats become inf and then NaN, on the generated 10⁶-edge
    graph), but only the ratio of a node's count to its successor's matters: each level's
    counts are divided by the level's largest (per source), and that factor is kept to take
    the ratios.
    """
    n = matrix.shape[0]
    batch = len(sources)
    indptr = matrix.indptr.astype(np.int64)
    indices = matrix.indices.astype(np.int64)
    degree = np.diff(indptr)
    starts = np.arange(batch, dtype=np.int64) * n + np.asarray(sources, dtype=np.int64)
    depth = np.full(batch * n, -1, dtype=np.int32)
    paths = np.zeros(batch * n)  # shortest paths from the source, over the level's factor
    depth[starts] = 0
    paths[starts] = 1.0
    # Per level: the shortest-path edges into it (parent and child pairs), and its factors.
    levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    frontier = starts
    level = 0
    while frontier.size:
        node = frontier % n
        fan = degree[node]
        ends = np.cumsum(fan)
        # Every (frontier pair, neighbour): positions indptr[node] .. indptr[node + 1] of each.
        at = np.arange(ends[-1] if fan.size else 0) - np.repeat(ends - fan - indptr[node], fan)
        parents = np.repeat(frontier, fan)
        children = indices[at] + (parents - np.repeat(node, fan))
        new = children[depth[children] < 0]
        depth[new] = level + 1
        on_path = depth[children] == level + 1
        parents, children = parents[on_path], children[on_path]
        np.add.at(paths, children, paths[parents])
        frontier = np.unique(new)
        factors = np.zeros(batch)
        np.maximum.at(factors, frontier // n, paths[frontier])
        paths[frontier] /= factors[frontier // n]
        levels.append((parents, children, factors))
        level += 1
    dependency = np.zeros(batch * n)
    for parents, children, factors in reversed(levels):
        counted = (
            paths[children] * factors[children // n]
        )  # the children's paths over the parents' factor
        share = paths[parents] / counted * (1.0 + dependency[children])
        np.add.at(dependency, parents, share)
    dependency[starts] = 0.0  # a source is an endpoint of its paths, not on them
    totals: np.ndarray = dependency.reshape(batch, n).sum(axis=0)
    return totals


def pagerank(
    adjacency: Adjacency, alpha: float = 0.85, *, max_iter: int = 100, tol: float = 1e-6
) -> np.ndarray:
    """PageRank by power iteration, with networkx's defaults and stopping rule.

    A random walker follows an edge with probability ``alpha`` and otherwise jumps to any
    node; from a node without edges it always jumps. Stops when the ranks move less than
    ``n * tol`` (L1) in one step, as ``networkx.pagerank`` does.
    """
    matrix = adjacency.matrix
    n = matrix.shape[0]
    out = matrix.sum(axis=1)
    isolated = out == 0
    # Row i of `step` spreads node i's rank evenly over its neighbours.
    spread = np.divide(1.0, out, out=np.zeros(n), where=~isolated)
    step = sparse.csr_array(sparse.diags_array(spread) @ matrix)
    ranks: np.ndarray = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        previous = ranks
        ranks = alpha * (ranks @ step + previous[isolated].sum() / n) + (1 - alpha) / n
        if np.abs(ranks - previous).sum() < n * tol:
            return ranks
    raise nx.PowerIterationFailedConvergence(max_iter)
