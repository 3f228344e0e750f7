"""Breadth-first walks: the one way :mod:`graph.query` and :mod:`graph.subgraph` reach nodes.

A walk follows whatever ``neighbours`` gives (edges of some types, either direction...), through
``networkx.generic_bfs_edges``, and reaches only what lies within the depth it is given: its
cost follows the neighbourhood, never the size of the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import networkx as nx

__all__ = ["distances"]

N = TypeVar("N", bound=Hashable)


def distances(
    G: nx.Graph[N],
    source: N,
    neighbours: Callable[[N], Iterable[N]],
    depth: int,
    *,
    until: N | None = None,
) -> dict[N, int]:
    """The hop distance from ``source`` (0) of every node within ``depth`` steps along
    ``neighbours``, in the order the walk reaches them, each node's neighbours in the order
    ``neighbours`` gives them. The walk stops as soon as it reaches ``until``.

    ``neighbours`` is asked only about the nodes whose neighbours are walked to, when it is: a
    generator function costs nothing for the nodes of the last step.
    """
    found = {source: 0}
    if source == until:
        return found
    for parent, child in nx.generic_bfs_edges(G, source, neighbors=neighbours, depth_limit=depth):
        found[child] = found[parent] + 1
        if child == until:
            break
    return found
