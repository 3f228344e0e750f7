"""The sentence co-occurrence networks, as graphs the exports can write.

Two entities are joined when one sentence of an article mentions both (:mod:`graph.mentions`
finds the mentions in the text; nothing here is annotated by hand). The edge's ``weight`` and
``sentences`` are the number of such sentences, its ``documents`` the articles they are in.
There is one network over all the articles and one per article ("who appears with whom in
this article"); each is built once, with the graph, and partitioned into its own Louvain
communities (:mod:`graph.communities`).

Each network is an undirected :class:`networkx.MultiGraph` (one edge per pair, keyed
``a--b``) so that the writers that take the knowledge graph take it too. A node carries the
knowledge graph's attributes of its entity (kind, name, PageRank and betweenness, layout
position, ...), except ``community``, its community in this network, and ``degree``, the number
of entities it co-occurs with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph.communities import Communities, detect, label_nodes
from graph.errors import UnknownDocument

__all__ = [
    "EDGE_KIND",
    "EDGE_TYPE",
    "CooccurrenceNetwork",
    "UnknownDocument",
    "build_network",
    "build_networks",
    "network_of",
]

#: The ``kind`` and ``type`` of every co-occurrence edge.
EDGE_KIND = "cooccurrence"
EDGE_TYPE = "co_occurs"


@dataclass(frozen=True, slots=True)
class CooccurrenceNetwork:
    """One co-occurrence network: its graph, its ranked pairs and its communities."""

    graph: nx.MultiGraph[str]
    #: ``(a, b, sentences)`` with ``a < b``, most sentences first, ties by the pair's ids.
    ranked: tuple[tuple[str, str, int], ...]
    communities: Communities


def build_network(
    name: str,
    ranked: Iterable[tuple[str, str, int]],
    node_data: Mapping[str, Mapping[str, Any]],
    documents_of: Mapping[tuple[str, str], tuple[str, ...]],
) -> CooccurrenceNetwork:
    """The network of the pairs ``ranked``; ``node_data`` gives each entity's attributes and
    ``documents_of`` the articles each pair co-occurs in."""
    ranked = tuple(ranked)
    G: nx.MultiGraph[str] = nx.MultiGraph(name=name)
    for node in sorted({n for a, b, _ in ranked for n in (a, b)}):
        G.add_node(node, **node_data[node])
    for a, b, sentences in ranked:
        G.add_edge(
            a,
            b,
            key=f"{a}--{b}",
            kind=EDGE_KIND,
            type=EDGE_TYPE,
            weight=sentences,
            sentences=sentences,
            documents=documents_of[a, b],
        )
    communities = detect(G, weight="weight")
    label_nodes(G, communities)
    for node, data in G.nodes(data=True):
        data["degree"] = G.degree(node)
    return CooccurrenceNetwork(graph=G, ranked=ranked, communities=communities)


def build_networks(
    name: str,
    overall: tuple[tuple[str, str, int], ...],
    by_document: Mapping[str, tuple[tuple[str, str, int], ...]],
    node_data: Mapping[str, Mapping[str, Any]],
) -> tuple[CooccurrenceNetwork, Mapping[str, CooccurrenceNetwork]]:
    """The network over all the documents, and one per document (every document has one, empty
    when no sentence of it mentions two entities)."""
    documents_of: dict[tuple[str, str], list[str]] = {}
    for document in sorted(by_document):
        for a, b, _ in by_document[document]:
            documents_of.setdefault((a, b), []).append(document)
    frozen = {pair: tuple(docs) for pair, docs in documents_of.items()}
    whole = build_network(f"{name}: co-occurrence", overall, node_data, frozen)
    per_document = {
        document: build_network(
            f"{name}: co-occurrence in {document}",
            pairs,
            node_data,
            {(a, b): (document,) for a, b, _ in pairs},
        )
        for document, pairs in by_document.items()
    }
    return whole, MappingProxyType(per_document)


def network_of(
    overall: CooccurrenceNetwork,
    by_document: Mapping[str, CooccurrenceNetwork],
    document: str | None,
) -> CooccurrenceNetwork:
    """The network of ``document``, or the whole one for ``None``; :class:`UnknownDocument` for
    an id that names no document."""
    if document is None:
        return overall
    network = by_document.get(document)
    if network is None:
        raise UnknownDocument(document, sorted(by_document))
    return network
