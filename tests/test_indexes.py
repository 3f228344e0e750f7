"""The build-time indexes behind ``Query.nodes`` and ``Query.relations`` (graph.indexes).

- :class:`graph.indexes.Selection` pages a union of sorted position arrays as sorting it would;
- ``graph.query.select_nodes``/``select_edges`` answer, for every combination of filters, order
  and page, what a scan of the whole graph answers, on the film's graph and a generated one;
- the two resolvers read no more of the graph than their page, where a scan reads all of it.
"""

from __future__ import annotations

import dataclasses
import random
from array import array
from contextlib import contextmanager
from itertools import combinations, product

import networkx as nx
import pytest

from bench.generate import generate
from graph import query as q
from graph.build import load_graph, rank_by
from graph.indexes import Grouped, Selection, edge_index
from graph.knowledge import KnowledgeGraph
from graph.model import KINDS, RELATION_TYPES, ROLES
from schema import Context, Limits, build_schema
from schema.connections import encode_cursor

# --- Selection ----------------------------------------------------------------------------------


def test_a_selection_pages_as_the_sorted_union_of_its_parts() -> None:
    rng = random.Random(5)
    for _ in range(400):
        size = rng.randrange(0, 300)
        parts: list[list[int]] = [[] for _ in range(rng.randrange(1, 6))]
        for position in range(size):
            if rng.random() < 0.7:  # some positions are in no part
                rng.choice(parts).append(position)
        items = [f"item-{i}" for i in range(size)]
        selection = Selection(items, [array("I", p) for p in parts] + [range(0)])
        expected = [items[i] for i in sorted(i for p in parts for i in p)]
        assert len(selection) == len(expected)
        for _ in range(10):
            start = rng.randrange(0, len(expected) + 3)
            stop = max(0, start + rng.randrange(-2, 30))
            assert selection.page(start, stop) == expected[start:stop], (parts, start, stop)
        assert selection.page(0, len(expected)) == expected
        assert list(selection) == expected


# --- equivalence with a scan --------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> KnowledgeGraph:
    folder = tmp_path_factory.mktemp("generated")
    generate(folder, edges=3_000)
    return load_graph(folder)


@pytest.fixture(params=["ballerina", "generated"])
def K(request) -> KnowledgeGraph:
    return request.getfixturevalue(request.param)


def _pages(total: int) -> list[tuple[int, int]]:
    """(start, stop) pairs: from the start, in the middle, across and past the end."""
    pages = [(0, 0), (0, 1), (0, 20), (0, 100), (1, 21), (total // 2, total // 2 + 7)]
    pages += [(total - 1, total + 19), (total, total + 5), (total + 3, total + 10)]
    return [(max(0, a), max(0, b)) for a, b in pages]


def _check(selection, expected: list, what) -> None:
    assert len(selection) == len(expected), what
    for start, stop in _pages(len(expected)):
        assert selection.page(start, stop) == expected[start:stop], (what, start, stop)


def _kind_filters(G: nx.MultiDiGraph) -> list[list[str] | None]:
    kinds = sorted({k for _, k in G.nodes(data="kind")})
    pairs = [list(pair) for pair in combinations(kinds, 2)]
    return [None, [], *([k] for k in kinds), *pairs, kinds, [kinds[0], kinds[0]]]


def _edge_types(G: nx.MultiDiGraph) -> list[str]:
    return sorted({t for _, _, t in G.edges(data="type")})


def _absent_types(G: nx.MultiDiGraph) -> list[str]:
    """Edge types no edge has: one of the vocabulary if the graph leaves one out (the film's
    graph uses them all), and one outside it (the resolvers refuse it; graph.query must not
    fail on it)."""
    present = set(_edge_types(G))
    return [t for t in [*RELATION_TYPES, *ROLES] if t not in present][:1] + ["not_a_type"]


def test_nodes_are_selected_as_a_scan_selects_them(K) -> None:
    G = K.graph
    kind = dict(G.nodes(data="kind"))
    # What the resolver used to ask of every candidate, asked once per node here.
    types_at = {n: {e.type for e in q.edges_of(K, n)} for n in G}
    orders = {None: sorted(G), **{m: list(rank_by(G, m)) for m in q.MEASURES}}
    relations = [None, *_edge_types(G), *_absent_types(G)]
    for kinds in _kind_filters(G):
        for relation in relations:
            for order, ordered in orders.items():
                expected = [
                    n
                    for n in ordered
                    if (kinds is None or kind[n] in kinds)
                    and (relation is None or relation in types_at[n])
                ]
                selection = q.select_nodes(K, kinds=kinds, relation=relation, order=order)
                _check(selection, expected, (kinds, relation, order))


def test_rankings_of_a_kind_are_the_ranking_filtered(K) -> None:
    G = K.graph
    kinds = sorted({k for _, k in G.nodes(data="kind")})
    for measure in q.MEASURES:
        for kind in [None, *kinds, "dancer"]:
            expected = [n for n in rank_by(G, measure) if kind in (None, G.nodes[n]["kind"])]
            assert list(q.ranking(K, measure, kind)) == expected, (measure, kind)
            ranked = q.ranking(K, measure, kind)
            assert [next(ranked, None) for _ in range(3)] == (expected + [None] * 3)[:3]


def test_nodes_matching_text_are_selected_as_a_scan_selects_them(K) -> None:
    G = K.graph
    kind = dict(G.nodes(data="kind"))
    types_at = {n: {e.type for e in q.edges_of(K, n)} for n in G}
    orders = {None: sorted(G), **{m: list(rank_by(G, m)) for m in q.MEASURES}}
    names = sorted(name for _, name in G.nodes(data="name"))
    texts = ["choi", "ok-ju", "drives", "hotel", "a", "zzzz", names[0], names[len(names) // 2]]
    rng = random.Random(3)
    for text in texts:
        hits = K.search.search(text, limit=len(G))
        matching = {h.node for h in hits if h.score >= 0.5}
        for kinds in rng.sample(_kind_filters(G), 8) + [None]:
            for relation in [None, *rng.sample(_edge_types(G), 4), *_absent_types(G)]:
                for order, ordered in orders.items():
                    expected = [
                        n
                        for n in ordered
                        if n in matching
                        and (kinds is None or kind[n] in kinds)
                        and (relation is None or relation in types_at[n])
                    ]
                    selection = q.select_nodes(
                        K, kinds=kinds, relation=relation, text=text, order=order
                    )
                    _check(selection, expected, (text, kinds, relation, order))


def test_edges_are_selected_as_a_scan_selects_them(K) -> None:
    G = K.graph
    edges = list(G.edges(keys=True, data=True))
    types = _edge_types(G)
    rng = random.Random(4)
    pairs = [set(pair) for pair in combinations(types, 2)]
    type_filters = [None, set(), *({t} for t in types), *rng.sample(pairs, min(len(pairs), 60))]
    absent = _absent_types(G)
    type_filters += [{types[0], *absent}, set(absent), set(types), {*types, *absent}]
    for wanted in type_filters:
        for edge_kind in (None, "relation", "participation"):
            for disputed in (None, True, False):
                for certainty in (None, {"stated"}, {"hedged", "inferred"}):
                    expected = [
                        (u, v, k)
                        for u, v, k, d in edges
                        if (wanted is None or d["type"] in wanted)
                        and (edge_kind is None or d["kind"] == edge_kind)
                        and (disputed is None or (d["dispute"] is not None) == disputed)
                        and (certainty is None or d.get("certainty", "stated") in certainty)
                    ]
                    selection = q.select_edges(
                        K,
                        types=wanted,
                        edge_kind=edge_kind,
                        disputed=disputed,
                        certainty=certainty,
                    )
                    _check(selection, expected, (wanted, edge_kind, disputed, certainty))


def test_the_graphs_have_what_the_equivalence_tests_need(ballerina, generated) -> None:
    assert {k for _, k in ballerina.graph.nodes(data="kind")} == set(KINDS)
    assert len({k for _, k in generated.graph.nodes(data="kind")}) >= 7
    for G in (ballerina.graph, generated.graph):
        assert {k for _, _, k in G.edges(data="kind")} == {"relation", "participation"}
        assert len(_edge_types(G)) >= 25
        assert any(d is not None for _, _, d in G.edges(data="dispute"))
    assert generated.graph.number_of_edges() > 2_500


def test_the_edge_index_groups_as_grouping_each_widened_key_would(ballerina, generated) -> None:
    # edge_index groups by NumPy; Grouped.of, by a look-up per edge and widened key, is the
    # definition: the same groups, in the same order, sharing the same arrays.
    for G in (ballerina.graph, generated.graph, nx.MultiDiGraph()):
        found = edge_index(G)
        expected = Grouped.of(
            (
                (
                    (u, v, key),
                    product(
                        (d["kind"], None),
                        (d["type"], None),
                        (d["dispute"] is not None, None),
                        (d.get("certainty", "stated"), None),
                    ),
                )
                for u, v, key, d in G.edges(keys=True, data=True)
            ),
            4,
        )
        assert found.items == expected.items
        assert list(found.groups) == list(expected.groups)
        for key, positions in expected.groups.items():
            assert list(found.groups[key]) == list(positions), key
            assert type(found.groups[key]) is type(positions)
        shares = [[id(v) for v in g.groups.values()] for g in (found, expected)]
        same = [[a == b for a in ids for b in ids] for ids in shares]
        assert same[0] == same[1]


# --- no scans -----------------------------------------------------------------------------------


class _Counting(dict):
    """A dict counting the entries read from it, while :attr:`counting`: each look-up, each
    entry iterated over."""

    counting = False
    reads = 0

    @classmethod
    def read(cls) -> None:
        if cls.counting:
            cls.reads += 1

    def __getitem__(self, key):
        _Counting.read()
        return super().__getitem__(key)

    def __contains__(self, key):
        _Counting.read()
        return super().__contains__(key)

    def get(self, key, default=None):
        _Counting.read()
        return super().get(key, default)

    def __iter__(self):
        for key in super().__iter__():
            _Counting.read()
            yield key

    def keys(self):
        return iter(self)

    def values(self):
        return (value for _, value in self.items())

    def items(self):
        for item in super().items():
            _Counting.read()
            yield item


class _CountingGraph(nx.MultiDiGraph):
    """A MultiDiGraph whose nodes and adjacency are held in counting dicts, through the factories
    networkx documents for subclasses."""

    node_dict_factory = _Counting
    adjlist_outer_dict_factory = _Counting


@pytest.fixture(scope="module")
def counted(generated) -> KnowledgeGraph:
    """``generated``, its graph copied into a :class:`_CountingGraph` (same nodes, edges and
    attribute dicts, so every index built with it still holds)."""
    return dataclasses.replace(generated, graph=_CountingGraph(generated.graph))


@contextmanager
def _counting_reads():
    """Count the node and adjacency entries read from a :class:`_CountingGraph` in the block."""
    _Counting.reads, _Counting.counting = 0, True
    try:
        yield lambda: _Counting.reads
    finally:
        _Counting.counting = False


def test_the_counting_sees_a_scan(counted) -> None:
    G = counted.graph
    with _counting_reads() as reads:
        assert [n for n in G if G.nodes[n]["kind"] == "place"]
    assert reads() >= 2 * len(G)
    with _counting_reads() as reads:
        assert len(list(G.edges(keys=True, data=True))) == G.number_of_edges()
    assert reads() >= len(G)
    counted_in_the_block = reads()
    assert list(G)
    assert reads() == counted_in_the_block  # nothing is counted after the block


#: Where the pages of the queries with ``$after`` start (each has more than 120 answers).
AFTER = 100

NO_SCAN_QUERIES = [
    "{ entities(kinds: [CHARACTER, PLACE]) { totalCount nodes { id } } }",
    "{ entities(kinds: [CHARACTER], orderBy: PAGERANK) { totalCount nodes { id } } }",
    "{ entities(kinds: [EVENT, OBJECT], orderBy: BETWEENNESS, after: $after) { totalCount nodes { id } } }",
    '{ entities(relation: "kills") { totalCount nodes { id } } }',
    '{ entities(relation: "agent", orderBy: DEGREE, after: $after) { totalCount nodes { id } } }',
    '{ entities(relation: "owns", kinds: [CHARACTER, ORGANIZATION], orderBy: MENTIONS) { totalCount nodes { id } } }',
    "{ relations { totalCount nodes { id source { id } target { id } } } }",
    "{ relations(after: $after) { totalCount nodes { id } } }",
    '{ relations(types: ["kills"]) { totalCount nodes { id type } } }',
    '{ relations(types: ["kills", "agent", "location"], after: $after) { totalCount nodes { id } } }',
    "{ relations(edgeKind: RELATION, disputed: true) { totalCount nodes { id } } }",
    "{ relations(edgeKind: PARTICIPATION, disputed: false, after: $after) { totalCount nodes { id } } }",
]


@pytest.mark.parametrize("document", NO_SCAN_QUERIES)
def test_nodes_and_relations_read_only_their_page(counted, document) -> None:
    schema = build_schema()
    context = Context(graph=counted, limits=Limits())
    if "$after" in document:
        document = "query($after: String) " + document
    variables = {"after": encode_cursor(AFTER)}
    with _counting_reads() as reads:
        result = schema.execute_sync(document, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    answer = next(iter(result.data.values()))
    page = answer.get("nodes", answer.get("relations"))
    assert len(page) == 20 < answer["totalCount"]  # a full page, of more
    # A page of 20 reads an entry per item and per end of an edge asked for; a scan reads every
    # one of the graph's 900 nodes at least once.
    assert reads() <= 3 * 20 < len(counted), reads()
