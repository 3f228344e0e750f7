"""The root ``Query`` type: look-ups, lists, search, paths, neighbourhoods, the timeline, the
disputes and the numbers. Every resolver checks its arguments against the limits and answers
from :mod:`graph.query`, :mod:`graph.subgraph` and what the builder stored."""

from __future__ import annotations

import base64
import binascii
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph import query as q
from graph.errors import SelectionError, UnknownDocument, UnknownNode
from graph.filters import Filter, parse_filter
from graph.knowledge import KnowledgeGraph
from graph.model import KIND_COLORS, KINDS, OTHER_COLOR, RELATION_TYPES, ROLES
from graph.names import AmbiguousName
from graph.search import search as search_nodes
from graph.subgraph import selected
from schema.errors import (
    ambiguous_name,
    bad_input,
    check_range,
    check_types,
    filter_error,
    not_found,
)
from schema.types import (
    Certainty,
    Character,
    Community,
    CoOccurrence,
    Dispute,
    Document,
    EdgeKind,
    Event,
    Measure,
    Network,
    Node,
    NodeKind,
    Passage,
    Person,
    Place,
    PlotObject,
    Relation,
    TimelineOrder,
    communities_of,
    context_of,
    graph_of,
    make_community,
    make_node,
    make_nodes,
    make_relation,
)

# --- pagination ---------------------------------------------------------------------------------


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class NodeEdge:
    cursor: str
    node: Node


@strawberry.type(description="A page of nodes, with the total number matching.")
class NodeConnection:
    total_count: int
    page_info: PageInfo
    edges: list[NodeEdge]

    @strawberry.field(description="The nodes of the page, without cursors.")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]


@strawberry.type
class RelationConnection:
    total_count: int
    page_info: PageInfo
    relations: list[Relation]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        label, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeError, ValueError):
        offset = -1
        label = ""
    if label != "offset" or offset < 0:
        raise bad_input("after", f"is not a cursor this API gave out: {cursor!r}.")
    return offset + 1


def _page(info: Info, first: int, after: str | None, total: int) -> tuple[int, int]:
    check_range("first", first, 0, context_of(info).limits.max_page_size)
    start = decode_cursor(after)
    return start, min(start + first, total)


def _page_info(start: int, end: int, total: int) -> PageInfo:
    return PageInfo(
        has_next_page=end < total,
        has_previous_page=start > 0,
        start_cursor=encode_cursor(start) if end > start else None,
        end_cursor=encode_cursor(end - 1) if end > start else None,
    )


# --- result types -------------------------------------------------------------------------------


@strawberry.enum(description="Which text of a node a search hit matched.")
class SearchField(Enum):
    NAME = "name"
    """Its name (or, for "Ballerina (2023)", the name before the parenthesis)."""
    ALIAS = "alias"
    """Another name the articles use for it ("Chef Choi")."""
    DESCRIPTION = "description"
    """A referring description the articles use for it ("local gangster"), or, scoring 0.3,
    its written description."""
    ID = "id"
    """Its id, as written."""
    PASSAGE = "passage"
    """An article sentence that answers the text mentions it (score at most 0.2; only when no
    name matched)."""


@strawberry.type(
    description="A node `search` found, how well, and by which of its texts. Scores: 1.0 the "
    "text is the node's name or id, 0.98 one of its aliases, 0.95 one of its descriptions (case, "
    "spacing, hyphens, quotes, a possessive 's and leading articles and possessive determiners "
    "ignored); 0.85-0.9 every word of the text starts a word of one of them, more the more of it "
    "the text covers; 0.8-0.85 one of them contains the text; below 0.8 a misspelling of one "
    "(0.8 x trigram similarity); below the exact tiers an event scores 0.97 of that, so that a "
    "place or thing comes before the events naming it; 0.3 every word is in its written "
    "description; at most 0.2 (when no name matched) a sentence answering the text mentions it. "
    "Equal scores: the more central node (PageRank) first."
)
class SearchHit:
    node: Node
    score: float = strawberry.field(description="From 1 (exact name) down: see the type.")
    matched: str = strawberry.field(
        description="The text that matched, as written: the name, alias or description, the "
        "written description, or the sentence."
    )
    field: SearchField = strawberry.field(description="Which text `matched` is.")


@strawberry.type
class PathStep:
    source: Node = strawberry.field(name="from")
    target: Node = strawberry.field(name="to")
    relations: list[Relation] = strawberry.field(description="Every edge joining the two.")


@strawberry.type
class Path:
    nodes: list[Node]
    steps: list[PathStep]

    @strawberry.field
    def length(self) -> int:
        return len(self.steps)


@strawberry.type(description="The shortest paths between two nodes, up to a length.")
class PathResult:
    source: Node = strawberry.field(name="from")
    target: Node = strawberry.field(name="to")
    paths: list[Path]

    @strawberry.field(description="False when no path of at most `maxLength` edges exists.")
    def found(self) -> bool:
        return bool(self.paths)

    @strawberry.field
    def length(self) -> int | None:
        return len(self.paths[0].steps) if self.paths else None


@strawberry.type(description="Part of the graph: nodes and the relations among them.")
class Subgraph:
    nodes: list[Node]
    relations: list[Relation]
    matched: int = strawberry.field(description="Nodes that matched, before `maxNodes` applied.")

    @strawberry.field(description="True when `maxNodes` cut some of the matching nodes.")
    def truncated(self) -> bool:
        return len(self.nodes) < self.matched


@strawberry.type
class KindCount:
    kind: NodeKind
    count: int


@strawberry.type
class TypeCount:
    type: str
    kind: EdgeKind
    count: int


@strawberry.type
class RankedNode:
    rank: int
    node: Node
    value: float


@strawberry.type(description="Counts and rankings of the whole graph.")
class Stats:
    node_count: int
    edge_count: int
    relation_count: int
    participation_count: int
    citation_count: int
    document_count: int
    dispute_count: int
    by_kind: list[KindCount]
    by_type: list[TypeCount]

    @strawberry.field(description="The most central nodes by a measure, optionally of one kind.")
    def most_central(
        self,
        info: Info,
        measure: Measure = Measure["PAGERANK"],
        kind: NodeKind | None = None,
        first: int = 10,
    ) -> list[RankedNode]:
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        K = graph_of(info)
        ranked = q.ranking(K, measure.value, None if kind is None else kind.value)
        found = []
        for rank, node in enumerate(ranked, start=1):
            if rank > first:
                break
            found.append(
                RankedNode(
                    rank=rank, node=make_node(K, node), value=K.graph.nodes[node][measure.value]
                )
            )
        return found


@strawberry.type
class Term:
    name: str
    description: str
    color: str | None = strawberry.field(
        default=None,
        description="How nodes of this kind are drawn (#rrggbb), in the explorer and the GEXF "
        "export; null for roles and relation types.",
    )


@strawberry.type(description="The vocabularies of the graph: node kinds, roles, relation types.")
class Vocabulary:
    kinds: list[Term]
    roles: list[Term]
    relation_types: list[Term]


# --- helpers ------------------------------------------------------------------------------------


def _require(info: Info, argument: str, ref: str) -> str:
    try:
        return q.require(graph_of(info), ref)
    except UnknownNode:
        raise not_found(argument, ref) from None
    except AmbiguousName as error:
        raise ambiguous_name(argument, ref, error.candidates) from None


def _lookup(info: Info, ref: str, kind: str | None = None) -> Node | None:
    """The node ``ref`` names (of ``kind``); null if none; an AMBIGUOUS_NAME error listing
    them if several do."""
    K = graph_of(info)
    found = [n for n in q.resolve(K, ref) if kind is None or K.graph.nodes[n]["kind"] == kind]
    if len(found) > 1:
        raise ambiguous_name("id", ref, found)
    return make_node(K, found[0]) if found else None


def _relations_among(K: KnowledgeGraph, nodes: set[str], checked: Filter) -> list[Relation]:
    found = []
    keeps = checked.keeps_edge
    for node in sorted(nodes):
        for edge in q.edges_of(K, node, direction="out"):
            if edge.target in nodes and keeps(edge.data):
                found.append(make_relation(edge))
    return found


#: The GraphQL names of the filter arguments, by the names :mod:`graph.filters` gives them.
FILTER_ARGUMENTS = {
    "kinds": "kinds",
    "relation_types": "types",
    "documents": "documents",
    "certainty": "certainty",
    "center": "center",
    "radius": "radius",
    "max_nodes": "maxNodes",
}

KEEP_ISOLATED = (
    "With `types`, `documents` or `certainty`, keep also the nodes that no edge kept joins (by "
    "default a filter keeps only what matches)."
)
DOCUMENTS = (
    "Only the claims cited from these documents (ids, as `documents` gives them): what these "
    "articles say. An unknown id is a NOT_FOUND error listing the ids."
)
CERTAINTY = "Only the claims of these certainties (`[HEDGED, INFERRED]`: what is not stated)."


def _filter(info: Info, **arguments: object) -> Filter:
    """The filter the arguments describe, checked by :func:`graph.filters.parse_filter` (the
    exports' and the command line's checks and words), with errors naming the argument as the
    API spells it."""
    ctx = context_of(info)
    try:
        return parse_filter(
            ctx.graph.graph,
            names=ctx.graph.search.names,
            known_documents=ctx.graph.documents,
            max_radius=ctx.limits.max_radius,
            max_nodes_limit=ctx.limits.max_subgraph_nodes,
            **arguments,  # type: ignore[arg-type]
        )
    except SelectionError as error:
        raise filter_error(error, FILTER_ARGUMENTS) from None


def _subgraph(
    info: Info,
    *,
    kinds: list[NodeKind] | None,
    types: list[str] | None,
    documents: list[strawberry.ID] | None,
    certainty: list[Certainty] | None,
    max_nodes: int,
    center: str | None = None,
    radius: int | None = None,
    keep_isolated: bool = False,
) -> Subgraph:
    """The nodes and relations :func:`graph.subgraph.selected` selects."""
    K = graph_of(info)
    checked = _filter(
        info,
        kinds=None if kinds is None else [k.value for k in kinds],
        relation_types=types,
        documents=documents,
        certainty=None if certainty is None else [c.value for c in certainty],
        center=center,
        radius=radius,
        max_nodes=max_nodes,
        keep_isolated=keep_isolated,
    )
    chosen = selected(K.graph, checked)
    nodes = set(chosen.nodes)  # not the view: iterating a filtered view walks the graph
    return Subgraph(
        nodes=make_nodes(K, sorted(nodes)),
        relations=_relations_among(K, nodes, checked),
        matched=chosen.matched,
    )


# --- the root -----------------------------------------------------------------------------------


@strawberry.type(description="Questions about the film Ballerina (2023), answered with evidence.")
class Query:
    @strawberry.field(
        description="A node by id, or by any name the articles use for it (name, alias or "
        "referring description; case, hyphens and leading articles aside); null if none. A "
        "name several nodes answer to is an AMBIGUOUS_NAME error listing them."
    )
    def node(self, info: Info, id: str) -> Node | None:
        return _lookup(info, id)

    @strawberry.field(description="A character by id or name (as `node`); null if none.")
    def character(self, info: Info, id: str) -> Character | None:
        return _lookup(info, id, "character")  # type: ignore[return-value]

    @strawberry.field(description="A real person by id or name (as `node`); null if none.")
    def person(self, info: Info, id: str) -> Person | None:
        return _lookup(info, id, "person")  # type: ignore[return-value]

    @strawberry.field(description="A place by id or name (as `node`); null if none.")
    def place(self, info: Info, id: str) -> Place | None:
        return _lookup(info, id, "place")  # type: ignore[return-value]

    @strawberry.field(
        name="object", description="An object by id or name (as `node`); null if none."
    )
    def plot_object(self, info: Info, id: str) -> PlotObject | None:
        return _lookup(info, id, "object")  # type: ignore[return-value]

    @strawberry.field(description="An event by id or name; null if none.")
    def event(self, info: Info, id: str) -> Event | None:
        return _lookup(info, id, "event")  # type: ignore[return-value]

    @strawberry.field(
        description="Nodes, filtered by kind, by a relation type they have, and by text "
        "(alias-aware search); ordered by `orderBy`; paginated with `first`/`after`."
    )
    def nodes(
        self,
        info: Info,
        kinds: list[NodeKind] | None = None,
        relation: str | None = None,
        text: str | None = None,
        order_by: Measure | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> NodeConnection:
        K = graph_of(info)
        limits = context_of(info).limits
        check_range("first", first, 0, limits.max_page_size)
        if relation is not None and relation not in RELATION_TYPES and relation not in ROLES:
            raise bad_input("relation", f"is not a relation type or role: {relation!r}.")
        if text is not None:
            _check_text(text, limits.max_search_length, "text")
        found = q.select_nodes(
            K,
            kinds=None if kinds is None else [k.value for k in kinds],
            relation=relation,
            text=text,
            order=None if order_by is None else order_by.value,
        )
        total = len(found)
        start, end = _page(info, first, after, total)
        edges = [
            NodeEdge(cursor=encode_cursor(i), node=make_node(K, node))
            for i, node in enumerate(found.page(start, end), start)
        ]
        return NodeConnection(
            total_count=total, page_info=_page_info(start, end, total), edges=edges
        )

    @strawberry.field(
        description="Find nodes by any name the articles use for them (name, alias or "
        "referring description), tolerant of case, spacing, hyphens, leading articles and "
        'misspellings ("Jeon Jong-seo", "Chef Choi", "big boss", "lamborgini"), best first; '
        "an ambiguous name returns every node it names. While places are left, nodes whose "
        "written description has every word; if no name matched, the entities the "
        "best-answering article sentences mention. See `SearchHit` for the scores. "
        "`certainty: [INFERRED]` keeps the nodes whose description is of those certainties."
    )
    def search(
        self,
        info: Info,
        text: str,
        kinds: list[NodeKind] | None = None,
        certainty: list[Certainty] | None = None,
        first: int = 10,
    ) -> list[SearchHit]:
        ctx = context_of(info)
        check_range("first", first, 0, ctx.limits.max_page_size)
        _check_text(text, ctx.limits.max_search_length, "text")
        K = ctx.graph
        wanted = None if kinds is None else {k.value for k in kinds}
        certainties = None if certainty is None else {c.value for c in certainty}
        return [
            SearchHit(
                node=make_node(K, h.node),
                score=h.score,
                matched=h.form,
                field=SearchField(h.field),
            )
            for h in search_nodes(K, text, first, wanted, certainties)
        ]

    @strawberry.field(
        description='The article sentences that best answer a question or phrase ("who helped '
        'Ok-ju escape the hotel", "fish capsules"), best first: full-text search (SQLite FTS5, '
        "BM25) over every sentence of the documents (of `documents`, if given), each with its "
        "offsets, the entities it mentions and what the graph cites it for."
    )
    def passages(
        self,
        info: Info,
        text: str,
        first: int = 5,
        documents: list[strawberry.ID] | None = None,
    ) -> list[Passage]:
        ctx = context_of(info)
        check_range("first", first, 0, ctx.limits.max_page_size)
        _check_text(text, ctx.limits.max_search_length, "text")
        K = ctx.graph
        if documents is not None:
            checked = sorted(_filter(info, documents=documents).documents or ())
        hits = K.passages.search(text, first, None if documents is None else checked)
        return [Passage(hit=h) for h in hits]

    @strawberry.field(
        description="Edges of the whole graph, filtered by type, kind, dispute, certainty "
        "(`certainty: [HEDGED, INFERRED]`: what the articles do not state outright) and the "
        "documents they are cited from (`documents`: what an article says)."
    )
    def relations(
        self,
        info: Info,
        types: list[str] | None = None,
        edge_kind: EdgeKind | None = None,
        disputed: bool | None = None,
        certainty: list[Certainty] | None = None,
        first: int = 20,
        after: str | None = None,
        documents: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description=DOCUMENTS)
        ] = None,
    ) -> RelationConnection:
        K = graph_of(info)
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        checked = _filter(
            info,
            relation_types=types,
            documents=documents,
            certainty=None if certainty is None else [c.value for c in certainty],
        )
        found = q.select_edges(
            K,
            types=checked.relation_types,
            edge_kind=None if edge_kind is None else edge_kind.value,
            disputed=disputed,
            certainty=checked.certainty,
            documents=checked.documents,
        )
        total = len(found)
        start, end = _page(info, first, after, total)
        return RelationConnection(
            total_count=total,
            page_info=_page_info(start, end, total),
            relations=[make_relation(q.edge(K, *key)) for key in found.page(start, end)],
        )

    @strawberry.field(
        description="The shortest paths between two nodes (ids, names or aliases), ignoring "
        "edge direction, of at most `maxLength` edges; `found` is false if there is none."
    )
    def path(
        self,
        info: Info,
        source: Annotated[str, strawberry.argument(name="from")],
        target: Annotated[str, strawberry.argument(name="to")],
        max_length: int = 4,
        limit: int = 3,
        types: list[str] | None = None,
    ) -> PathResult:
        ctx = context_of(info)
        check_range("maxLength", max_length, 1, ctx.limits.max_path_length)
        check_range("limit", limit, 1, ctx.limits.max_paths)
        a, b = _require(info, "from", source), _require(info, "to", target)
        K = ctx.graph
        wanted = check_types("types", types, K.graph)
        found = q.shortest_paths(K, a, b, max_length=max_length, limit=limit, types=wanted)
        paths = [
            Path(
                nodes=make_nodes(K, p),
                steps=[
                    PathStep(
                        source=make_node(K, u),
                        target=make_node(K, v),
                        relations=[make_relation(e) for e in q.edges_between(K, u, v, wanted)],
                    )
                    for u, v in zip(p, p[1:], strict=False)
                ],
            )
            for p in found
        ]
        return PathResult(source=make_node(K, a), target=make_node(K, b), paths=paths)

    @strawberry.field(
        description="The nodes within `radius` steps of a centre (either direction) and the "
        "relations among them, at most `maxNodes` nodes, nearest and most central first."
    )
    def ego_network(
        self,
        info: Info,
        center: str,
        radius: int = 1,
        kinds: list[NodeKind] | None = None,
        types: list[str] | None = None,
        max_nodes: int = 100,
        keep_isolated: Annotated[bool, strawberry.argument(description=KEEP_ISOLATED)] = False,
        documents: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description=DOCUMENTS)
        ] = None,
        certainty: Annotated[
            list[Certainty] | None,
            strawberry.argument(description=CERTAINTY),
        ] = None,
    ) -> Subgraph:
        return _subgraph(
            info,
            center=center,
            radius=radius,
            kinds=kinds,
            types=types,
            documents=documents,
            certainty=certainty,
            max_nodes=max_nodes,
            keep_isolated=keep_isolated,
        )

    @strawberry.field(
        description="The nodes of some kinds and the relations of some types, documents and "
        "certainties; with a relation filter, only the nodes those relations join."
    )
    def subgraph(
        self,
        info: Info,
        kinds: list[NodeKind] | None = None,
        types: list[str] | None = None,
        max_nodes: int = 100,
        keep_isolated: Annotated[bool, strawberry.argument(description=KEEP_ISOLATED)] = False,
        documents: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description=DOCUMENTS)
        ] = None,
        certainty: Annotated[
            list[Certainty] | None,
            strawberry.argument(description=CERTAINTY),
        ] = None,
    ) -> Subgraph:
        return _subgraph(
            info,
            kinds=kinds,
            types=types,
            documents=documents,
            certainty=certainty,
            max_nodes=max_nodes,
            keep_isolated=keep_isolated,
        )

    @strawberry.field(
        description="Events in story order or in the order the film tells them, optionally "
        "only those a participant takes part in, that happen at a place, of some certainties or "
        "that some documents tell (cite)."
    )
    def timeline(
        self,
        info: Info,
        order: TimelineOrder = TimelineOrder.STORY,
        participant: str | None = None,
        place: str | None = None,
        certainty: list[Certainty] | None = None,
        documents: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="Only the events cited from these documents (ids): the events "
                "those articles tell. An unknown id is a NOT_FOUND error listing the ids."
            ),
        ] = None,
    ) -> list[Event]:
        K = graph_of(info)
        who = None if participant is None else _require(info, "participant", participant)
        where = None if place is None else _require(info, "place", place)
        events = q.timeline(
            K,
            order=order.value,
            participant=who,
            place=where,
            certainty=None if certainty is None else {c.value for c in certainty},
            documents=None if documents is None else _filter(info, documents=documents).documents,
        )
        return make_nodes(K, events)  # type: ignore[return-value]

    @strawberry.field(
        description="The sentence co-occurrence network: pairs of entities mentioned in the same "
        "sentences, most sentences first, with at least `minSentences`; of every document, or "
        "of one `document`."
    )
    def cooccurrence(
        self,
        info: Info,
        first: int = 50,
        min_sentences: int = 1,
        document: Annotated[
            str | None,
            strawberry.argument(description="A document id: the network of that article alone."),
        ] = None,
    ) -> list[CoOccurrence]:
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        check_range("minSentences", min_sentences, 1, 1_000_000)
        K = graph_of(info)
        try:
            network = K.cooccurrence_network(document)
        except UnknownDocument as error:
            raise filter_error(error, {"documents": "document"}) from None
        edges = network.graph.edges
        pairs: list[CoOccurrence] = []
        for a, b, n in network.ranked:
            if n < min_sentences or len(pairs) == first:
                break
            pairs.append(
                CoOccurrence(
                    source=make_node(K, a),
                    target=make_node(K, b),
                    sentences=n,
                    document_ids=edges[a, b, f"{a}--{b}"]["documents"],
                )
            )
        return pairs

    @strawberry.field(
        description="The Louvain communities of a network (seeded: the same on every run), "
        "largest first: of the knowledge graph by default, or of the co-occurrence network of "
        "every document or of one `document`."
    )
    def communities(
        self, info: Info, network: Network = Network.KNOWLEDGE, document: str | None = None
    ) -> list[Community]:
        communities, _ = communities_of(info, network, document)
        return [
            make_community(communities, number, network, document)
            for number in range(len(communities))
        ]

    @strawberry.field(description="Every point on which the articles disagree.")
    def disputes(self, info: Info) -> list[Dispute]:
        return [Dispute(record=d) for d in graph_of(info).disputes.values()]

    @strawberry.field(description="A dispute by id; null if none.")
    def dispute(self, info: Info, id: str) -> Dispute | None:
        record = graph_of(info).disputes.get(id)
        return None if record is None else Dispute(record=record)

    @strawberry.field(description="The seed documents.")
    def documents(self, info: Info) -> list[Document]:
        return [Document(record=d) for d in graph_of(info).documents.values()]

    @strawberry.field(description="A seed document by id; null if none.")
    def document(self, info: Info, id: str) -> Document | None:
        record = graph_of(info).documents.get(id)
        return None if record is None else Document(record=record)

    @strawberry.field(description="Counts by kind and type, and the most central nodes.")
    def stats(self, info: Info) -> Stats:
        counts = graph_of(info).counts
        return Stats(
            node_count=counts.nodes,
            edge_count=counts.edges,
            relation_count=counts.relations,
            participation_count=counts.participations,
            citation_count=counts.citations,
            document_count=counts.documents,
            dispute_count=counts.disputes,
            by_kind=[KindCount(kind=NodeKind(k), count=c) for k, c in counts.by_kind],
            by_type=[TypeCount(type=t, kind=EdgeKind(k), count=c) for (t, k), c in counts.by_type],
        )

    @strawberry.field(description="Node kinds, participant roles and relation types, explained.")
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            kinds=[
                Term(name=k, description=d, color=KIND_COLORS.get(k, OTHER_COLOR))
                for k, d in KINDS.items()
            ],
            roles=[Term(name=k, description=d) for k, d in ROLES.items()],
            relation_types=[Term(name=k, description=d) for k, d in RELATION_TYPES.items()],
        )


def _check_text(text: str, limit: int, argument: str) -> None:
    if len(text) > limit:
        raise bad_input(argument, f"is {len(text)} characters long; the limit is {limit}.")
    if not text.strip():
        raise bad_input(argument, "is empty.")
