"""The breadth-first walks of graph.query and graph.subgraph answer what networkx's shortest-path
functions answer on the same graph, filtered the same way: on the film's graph and a generated
one, for random pairs, depths, directions and edge types."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from bench.generate import generate
from graph import query as q
from graph.build import load_graph
from graph.knowledge import KnowledgeGraph
from graph.subgraph import ego_distances

TYPES = [None, {"kills", "agent", "location", "plays", "located_in", "friend_of", "uses"}]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> KnowledgeGraph:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, edges=1_000)
    return load_graph(folder)


@pytest.fixture(params=["ballerina", "generated"])
def K(request) -> KnowledgeGraph:
    return request.getfixturevalue(request.param)


def filtered(G: nx.MultiDiGraph, types: set[str] | None, direction: str) -> nx.Graph:
    """``G`` with only the edges of ``types``, as a simple graph walked in ``direction``."""
    kept = nx.DiGraph()
    kept.add_nodes_from(G)
    kept.add_edges_from((u, v) for u, v, t in G.edges(data="type") if types is None or t in types)
    if direction == "in":
        return kept.reverse()
    return kept.to_undirected() if direction == "both" else kept


def test_shortest_paths_are_networkx_all_shortest_paths(K) -> None:
    rng = random.Random(2)
    nodes = sorted(K.graph)
    found = 0
    for _ in range(150):
        a, b = rng.sample(nodes, 2)
        types = rng.choice(TYPES)
        max_length = rng.randint(1, 6)
        paths = q.shortest_paths(K, a, b, max_length=max_length, limit=10**6, types=types)
        undirected = filtered(K.graph, types, "both")
        if (
            nx.has_path(undirected, a, b)
            and nx.shortest_path_length(undirected, a, b) <= max_length
        ):
            expected = sorted(nx.all_shortest_paths(undirected, a, b))
            assert sorted(paths) == expected, (a, b, types, max_length)
            found += 1
        else:
            assert paths == [], (a, b, types, max_length)
        limited = q.shortest_paths(K, a, b, max_length=max_length, limit=2, types=types)
        assert limited == paths[:2]
    assert found > 15


def test_neighbourhoods_are_networkx_shortest_path_lengths(K) -> None:
    rng = random.Random(3)
    nodes = sorted(K.graph)
    for _ in range(150):
        node = rng.choice(nodes)
        types, direction, depth = (
            rng.choice(TYPES),
            rng.choice(["out", "in", "both"]),
            rng.randint(1, 3),
        )
        found = q.neighbourhood(K, node, depth=depth, direction=direction, types=types, max_depth=3)
        lengths = nx.single_source_shortest_path_length(
            filtered(K.graph, types, direction), node, cutoff=depth
        )
        assert dict(found) == {n: d for n, d in lengths.items() if n != node}
        assert [d for _, d in found] == sorted(d for _, d in found)  # nearest first


def test_ego_distances_are_networkx_shortest_path_lengths(K) -> None:
    rng = random.Random(4)
    undirected = K.graph.to_undirected(as_view=True)
    for node in rng.sample(sorted(K.graph), 100):
        radius = rng.randint(0, 3)
        expected = nx.single_source_shortest_path_length(undirected, node, cutoff=radius)
        assert ego_distances(K.graph, node, radius) == expected
