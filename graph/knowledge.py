"""The built knowledge graph: the NetworkX graph and everything computed with it, typed.

:func:`graph.build.build_graph` makes one :class:`KnowledgeGraph` at start-up; the API
(:mod:`graph.query`, :mod:`schema`) and the server read it and never change it. The NetworkX
graph holds the nodes and edges with their attributes (see :mod:`graph.build`); its own
``graph`` dict holds only the graph's ``name``, so that an export of it carries nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from graph.communities import Communities
from graph.cooccurrence import CooccurrenceNetwork, network_of
from graph.indexes import Grouped, NodeIndex
from graph.mentions import MentionIndex
from graph.model import Dispute, Document
from graph.passages import PassageIndex
from graph.search import SearchIndex

__all__ = ["Counts", "EdgeKey", "KnowledgeGraph"]

#: An edge of the multigraph: ``(source, target, key)``.
EdgeKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Counts:
    """Sizes of the graph, counted once when it is built."""

    nodes: int
    edges: int
    relations: int
    participations: int
    #: Citations of nodes, edges and dispute claims.
    citations: int
    documents: int
    disputes: int
    #: ``(kind, nodes)``, by kind.
    by_kind: tuple[tuple[str, int], ...]
    #: ``((edge type, edge kind), edges)``, most frequent first.
    by_type: tuple[tuple[tuple[str, str], int], ...]


@dataclass(frozen=True, slots=True)
class KnowledgeGraph:
    """A built graph and what was computed with it; read-only once built."""

    #: Nodes (entities and events, with centrality and layout position ``x``/``y``) and edges
    #: (relations and participations); see :mod:`graph.build` for the attributes.
    graph: nx.MultiDiGraph[str]
    #: The seed documents, by id.
    documents: Mapping[str, Document]
    #: The disagreements between the documents, by id.
    disputes: Mapping[str, Dispute]
    mentions: MentionIndex
    #: Every name of every node (:mod:`graph.names`, as ``search.names``), ranked for search.
    search: SearchIndex
    #: Every sentence of every document, full-text indexed (:mod:`graph.passages`).
    passages: PassageIndex
    #: Event ids in story order, and each event's position in it.
    timeline: tuple[str, ...]
    timeline_position: Mapping[str, int]
    #: Event ids in the order the film tells them (only those whose place in it is known).
    narrative: tuple[str, ...]
    #: Dispute id -> the edges that stand for one of its claims.
    dispute_edges: Mapping[str, tuple[EdgeKey, ...]]
    #: Edge key (a relation's id, a participation's ``event/role/entity``) -> the edge.
    edges_by_key: Mapping[str, EdgeKey]
    counts: Counts
    #: Measure (:data:`graph.model.MEASURES`) -> node ids, highest first, ties by id.
    rankings: Mapping[str, tuple[str, ...]]
    #: The indexes of the filtered lists (:mod:`graph.indexes`).
    edge_index: Grouped[EdgeKey]
    node_index: NodeIndex
    #: The Louvain communities of the graph (each node's number is also its ``community``).
    communities: Communities
    #: The sentence co-occurrence network over every document, and each document's own.
    cooccurrence: CooccurrenceNetwork
    cooccurrence_by_document: Mapping[str, CooccurrenceNetwork]
    #: SHA-256 over the seed folder it was built from (:mod:`graph.fingerprint`), where known.
    seeds_sha256: str | None = None

    @property
    def name(self) -> str:
        return str(self.graph.graph.get("name", ""))

    def cooccurrence_network(self, document: str | None = None) -> CooccurrenceNetwork:
        """The co-occurrence network of one document, or of all of them (``None``).

        Raises :class:`graph.cooccurrence.UnknownDocument` for an id that names no document.
        """
        return network_of(self.cooccurrence, self.cooccurrence_by_document, document)

    def __len__(self) -> int:
        return len(self.graph)

    def __contains__(self, node: object) -> bool:
        return node in self.graph
