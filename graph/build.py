"""Turn a verified knowledge base into the NetworkX graph the service queries and exports.

Nodes are entities and events, keyed by their ids. Edges are keyed by id and carry ``kind``:

- ``"relation"``: a typed relation between two entities (``type`` is the relation type),
  source → target as annotated;
- ``"participation"``: an entity taking part in an event, entity → event, ``type`` is its role.

Every node and edge carries ``citations``; an edge that is one side of a disagreement carries
its ``dispute`` and ``claim`` ids. Nodes carry their centrality (:mod:`graph.centrality`),
layout position ``x``/``y`` (:mod:`graph.layout`) and the number of their Louvain
``community`` (:mod:`graph.communities`: on the undirected projection, one unit of weight per
edge). Everything else that needs a whole-graph computation (mentions, the search and alias
indexes, the timeline, rankings, the indexes of the filtered lists, the sentence co-occurrence
networks of :mod:`graph.cooccurrence`) is computed here, once, and held beside the graph in the
:class:`~graph.knowledge.KnowledgeGraph` returned: no request ever runs an algorithm over the
whole graph. ``G.graph`` holds only the ``name``;
:func:`load_graph` adds the seeds' SHA-256 (:mod:`graph.fingerprint`) to the
:class:`~graph.knowledge.KnowledgeGraph` it returns (``seeds_sha256``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import networkx as nx

from graph.centrality import add_centrality
from graph.collector import collector_paused
from graph.communities import detect_within_bound, label_nodes
from graph.cooccurrence import build_networks
from graph.fingerprint import seeds_hash
from graph.indexes import edge_index, node_index
from graph.knowledge import Counts, EdgeKey, KnowledgeGraph
from graph.layout import layout
from graph.load import load_knowledge_base
from graph.mentions import index_mentions
from graph.model import MEASURES, KnowledgeBase, participation_key
from graph.passages import PassageIndex
from graph.problems import AnnotationError, Problem
from graph.search import SearchIndex


@collector_paused
def build_graph(kb: KnowledgeBase, *, name: str = "Ballerina (2023)") -> KnowledgeGraph:
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=name)
    mentions = index_mentions(kb.documents, kb.entities, kb.mention_rules)

    for entity in kb.entities:
        counts = mentions.counts.get(entity.id, {})
        G.add_node(
            entity.id,
            kind=entity.kind,
            name=entity.name,
            aliases=entity.aliases,
            descriptions=entity.descriptions,
            description=entity.description,
            citations=entity.citations,
            certainty=entity.certainty,
            reason=entity.reason,
            mentions=counts,
            mention_total=sum(counts.values()),
        )
    for event in kb.events:
        G.add_node(
            event.id,
            kind="event",
            name=event.name,
            aliases=event.aliases,
            description=event.description,
            citations=event.citations,
            certainty=event.certainty,
            reason=event.reason,
            mentions={},
            mention_total=0,
            story_order=event.story_order,
            narrative_order=event.narrative_order,
            narrative=event.narrative,
        )
        for p in event.participants:
            dispute, claim = _split_claim(p.claim)
            G.add_edge(
                p.entity,
                event.id,
                key=participation_key(event.id, p.role, p.entity),
                kind="participation",
                type=p.role,
                citations=p.citations,
                certainty=p.certainty,
                reason=p.reason,
                note=p.note,
                dispute=dispute,
                claim=claim,
            )
    for relation in kb.relations:
        dispute, claim = _split_claim(relation.claim)
        G.add_edge(
            relation.source,
            relation.target,
            key=relation.id,
            kind="relation",
            type=relation.type,
            citations=relation.citations,
            certainty=relation.certainty,
            reason=relation.reason,
            note=relation.note,
            dispute=dispute,
            claim=claim,
        )

    add_centrality(G)
    for node, (x, y) in layout(G).items():
        G.nodes[node]["x"] = x
        G.nodes[node]["y"] = y
    communities = detect_within_bound(G)
    label_nodes(G, communities)
    cooccurrence, cooccurrence_by_document = build_networks(
        name,
        mentions.cooccurrence_ranked,
        {d: mentions.cooccurrence_by_document.get(d, ()) for d in kb.documents},
        G.nodes,
    )

    events = sorted(kb.events, key=lambda e: e.story_order)
    dispute_edges: dict[str, list[EdgeKey]] = {}
    for u, v, key, dispute in G.edges(keys=True, data="dispute"):
        if dispute is not None:
            dispute_edges.setdefault(dispute, []).append((u, v, key))
    rankings = {measure: rank_by(G, measure) for measure in MEASURES}
    edges = edge_index(G)
    return KnowledgeGraph(
        graph=G,
        documents=dict(kb.documents),
        disputes={d.id: d for d in kb.disputes},
        mentions=mentions,
        search=SearchIndex.of(G),
        passages=PassageIndex.of(G, kb.documents, mentions, kb.disputes),
        timeline=tuple(e.id for e in events),
        timeline_position={e.id: i for i, e in enumerate(events)},
        narrative=tuple(
            e.id
            for e in sorted(kb.events, key=lambda e: e.narrative_order or 0)
            if e.narrative_order is not None
        ),
        dispute_edges={d: tuple(keys) for d, keys in dispute_edges.items()},
        edges_by_key={key: (u, v, key) for u, v, key in G.edges(keys=True)},
        counts=count(G, kb),
        rankings=rankings,
        communities=communities,
        cooccurrence=cooccurrence,
        cooccurrence_by_document=cooccurrence_by_document,
        edge_index=edges,
        node_index=node_index(
            edges, {n: data["kind"] for n, data in G.nodes(data=True)}, sorted(G), rankings
        ),
    )


def load_graph(seeds: Path | str | None = None) -> KnowledgeGraph:
    """Load, verify and build the graph of a seed folder (the built-in Ballerina seeds by default).

    Raises :class:`graph.problems.AnnotationError` listing every problem if the seeds are invalid.
    """
    if seeds is None:
        seeds = Path(__file__).resolve().parent.parent / "seeds"
    # The hash names the graph (in /healthz and every ETag), so it must be of the files the graph
    # was built from: taken before and after reading them, and the two must agree.
    try:
        before: str | None = seeds_hash(seeds)
    except OSError:
        before = None  # a folder that cannot be walked: the loader says what is wrong with it
    built = build_graph(load_knowledge_base(Path(seeds)))
    after = seeds_hash(seeds)
    if before != after:
        raise AnnotationError(
            [Problem(".", None, "the seed folder changed while it was being read: load it again")]
        )
    return dataclasses.replace(built, seeds_sha256=after)


def rank_by(G: nx.MultiDiGraph[str], measure: str) -> tuple[str, ...]:
    """Node ids by ``measure``, highest first; equal values in id order.

    Fractions are compared to 12 significant digits: two nodes in the same position (say, two
    leaves of one hub) have the same centrality, but floating-point sums in another order can
    leave them a unit in the last place apart, which must not decide their order.
    """
    values: dict[str, float] = {n: data[measure] for n, data in G.nodes(data=True)}
    if all(isinstance(v, int) for v in values.values()):
        return tuple(sorted(G, key=lambda n: (-values[n], n)))
    return tuple(sorted(G, key=lambda n: (-float(f"{values[n]:.12g}"), n)))


def count(G: nx.MultiDiGraph[str], kb: KnowledgeBase) -> Counts:
    """Sizes of the graph: nodes by kind, edges by (type, kind), citations, documents, disputes."""
    kinds: Counter[str] = Counter(data["kind"] for _, data in G.nodes(data=True))
    citations = sum(len(data["citations"]) for _, data in G.nodes(data=True))
    citations += sum(len(claim.citations) for d in kb.disputes for claim in d.claims)
    types: Counter[tuple[str, str]] = Counter()
    for _, _, data in G.edges(data=True):  # one pass: a million edges at the largest scale
        types[data["type"], data["kind"]] += 1
        citations += len(data["citations"])
    edge_kinds: Counter[str] = Counter()
    for (_, kind), n in types.items():
        edge_kinds[kind] += n
    return Counts(
        nodes=G.number_of_nodes(),
        edges=sum(types.values()),  # G.number_of_edges() would walk every edge again
        relations=edge_kinds["relation"],
        participations=edge_kinds["participation"],
        citations=citations,
        documents=len(kb.documents),
        disputes=len(kb.disputes),
        by_kind=tuple(sorted(kinds.items())),
        by_type=tuple(sorted(types.items(), key=lambda item: (-item[1], item[0]))),
    )


def _split_claim(claim: str | None) -> tuple[str | None, str | None]:
    if claim is None:
        return None, None
    dispute, _, claim_id = claim.partition("/")
    return dispute, claim_id
