"""The root ``Query`` type: look-ups, lists, search, paths, neighbourhoods, the timeline, the
disputes and the numbers. Every resolver checks its arguments against the limits and answers
from :mod:`graph.query`, :mod:`graph.subgraph` and what the builder stored."""

from __future__ import annotations

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
from schema import ids
from schema.connections import (
    AFTER,
    BEFORE,
    FIRST,
    LAST,
    Connection,
    Edge,
    PageArguments,
    nodes_field,
)
from schema.errors import (
    ambiguous_name,
    bad_input,
    check_range,
    check_types,
    filter_error,
    not_found,
)
from schema.types import (
    NETWORK,
    NETWORK_DOCUMENT,
    TYPES_FILTER,
    Certainty,
    Character,
    Community,
    CoOccurrence,
    Dispute,
    Document,
    EdgeKind,
    Entity,
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
    arg,
    communities_of,
    context_of,
    graph_of,
    make_claim,
    make_community,
    make_dispute,
    make_document,
    make_node,
    make_nodes,
    make_relation,
)

#: Descriptions of arguments several fields take.
GLOBAL_ID = "A global id, as the `id` of a `Node` gives it."
NAME = (
    "An id, or a name, alias or referring description the articles use (case, spacing, "
    "hyphens and leading articles aside)."
)
KINDS_FILTER = "Only nodes of these kinds."
HOW_MANY = "How many, from 0 to the page-size limit (100)."
MAX_NODES = "The most nodes to return, from 1 to the subgraph limit (300); `truncated` says if cut."


# --- connections ------------------------------------------------------------------------------


@strawberry.type(description="An entity or event of a page, with its cursor.")
class EntityEdge(Edge[Entity]):
    node: Entity = strawberry.field(description="The entity or event.")


@strawberry.type(description="A page of entities and events, with the total number matching.")
class EntityConnection(Connection[EntityEdge]):
    nodes: list[Entity] = nodes_field("The entities and events of the page, without cursors.")


@strawberry.type(description="A relation of a page, with its cursor.")
class RelationEdge(Edge[Relation]):
    node: Relation = strawberry.field(description="The relation or participation.")


@strawberry.type(description="A page of relations and participations, with the total matching.")
class RelationConnection(Connection[RelationEdge]):
    nodes: list[Relation] = nodes_field("The relations of the page, without cursors.")
    relations: list[Relation] = nodes_field(
        "The relations of the page, as `nodes`.",
        deprecation_reason="Use `nodes`, or `edges` for the cursors (Relay's names).",
    )


def _page_arguments(
    info: Info, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageArguments:
    return PageArguments(first, after, last, before).check(context_of(info).limits.max_page_size)


# --- result types -------------------------------------------------------------------------------


@strawberry.enum(description="Which text of a node a search hit matched.")
class SearchField(Enum):
    NAME = strawberry.enum_value(
        "name",
        description='Its name (or, for "Ballerina (2023)", the name before the parenthesis).',
    )
    ALIAS = strawberry.enum_value(
        "alias", description='Another name the articles use for it ("Chef Choi").'
    )
    DESCRIPTION = strawberry.enum_value(
        "description",
        description='A referring description the articles use for it ("local gangster"), or, '
        "scoring 0.3, its written description.",
    )
    ID = strawberry.enum_value("id", description="Its id, as written.")
    PASSAGE = strawberry.enum_value(
        "passage",
        description="An article sentence that answers the text mentions it (score at most 0.2; "
        "only when no name matched).",
    )


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
    node: Entity = strawberry.field(description="The entity or event found.")
    score: float = strawberry.field(description="From 1 (exact name) down: see the type.")
    matched: str = strawberry.field(
        description="The text that matched, as written: the name, alias or description, the "
        "written description, or the sentence."
    )
    field: SearchField = strawberry.field(description="Which text `matched` is.")


@strawberry.type(description="One step of a path: two adjacent nodes and every edge joining them.")
class PathStep:
    source: Entity = strawberry.field(name="from", description="The node the step starts from.")
    target: Entity = strawberry.field(name="to", description="The node the step reaches.")
    relations: list[Relation] = strawberry.field(description="Every edge joining the two.")


@strawberry.type(description="A path between two nodes.")
class Path:
    nodes: list[Entity] = strawberry.field(
        description="The nodes along the path, from its start to its end."
    )
    steps: list[PathStep] = strawberry.field(
        description="The steps between consecutive nodes, with the relations joining them."
    )

    @strawberry.field(description="Its number of steps (edges).")
    def length(self) -> int:
        return len(self.steps)


@strawberry.type(description="The shortest paths between two nodes, up to a length.")
class PathResult:
    source: Entity = strawberry.field(name="from", description="The node the paths start from.")
    target: Entity = strawberry.field(name="to", description="The node the paths end at.")
    paths: list[Path] = strawberry.field(description="The shortest paths found, at most `limit`.")

    @strawberry.field(description="False when no path of at most `maxLength` edges exists.")
    def found(self) -> bool:
        return bool(self.paths)

    @strawberry.field(
        description="The length of the shortest path, in edges; null when none was found."
    )
    def length(self) -> int | None:
        return len(self.paths[0].steps) if self.paths else None


@strawberry.type(description="Part of the graph: nodes and the relations among them.")
class Subgraph:
    nodes: list[Entity] = strawberry.field(description="The entities and events chosen, by id.")
    relations: list[Relation] = strawberry.field(
        description="The edges among them (of `types`, if given)."
    )
    matched: int = strawberry.field(description="Nodes that matched, before `maxNodes` applied.")

    @strawberry.field(description="True when `maxNodes` cut some of the matching nodes.")
    def truncated(self) -> bool:
        return len(self.nodes) < self.matched


@strawberry.type(description="How many nodes are of a kind.")
class KindCount:
    kind: NodeKind = strawberry.field(description="The node kind.")
    count: int = strawberry.field(description="How many nodes are of it.")


@strawberry.type(description="How many edges are of a type.")
class TypeCount:
    type: str = strawberry.field(description="The relation type or participant role.")
    kind: EdgeKind = strawberry.field(description="Whether it is a relation type or a role.")
    count: int = strawberry.field(description="How many edges are of it.")


@strawberry.type(description="A node in a ranking by a centrality measure.")
class RankedNode:
    rank: int = strawberry.field(description="Its rank by the measure, from 1.")
    node: Entity = strawberry.field(description="The entity or event.")
    value: float = strawberry.field(description="Its value of the measure.")


@strawberry.type(description="Counts and rankings of the whole graph.")
class Stats:
    node_count: int = strawberry.field(description="Entities and events.")
    edge_count: int = strawberry.field(description="Relations and participations.")
    relation_count: int = strawberry.field(description="Relations between entities.")
    participation_count: int = strawberry.field(description="Participations of entities in events.")
    citation_count: int = strawberry.field(
        description="Citations of nodes, edges, dispute claims and verdicts."
    )
    document_count: int = strawberry.field(description="Seed documents.")
    dispute_count: int = strawberry.field(description="Disputes between the documents.")
    by_kind: list[KindCount] = strawberry.field(description="Nodes by kind.")
    by_type: list[TypeCount] = strawberry.field(
        description="Edges by relation type or role, most frequent first."
    )

    @strawberry.field(description="The most central nodes by a measure, optionally of one kind.")
    def most_central(
        self,
        info: Info,
        measure: Annotated[Measure, arg("The measure to rank by.")] = Measure["PAGERANK"],
        kind: Annotated[NodeKind | None, arg("Only nodes of this kind.")] = None,
        first: Annotated[int, arg(HOW_MANY)] = 10,
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


@strawberry.type(description="A term of a vocabulary, with what it means.")
class Term:
    name: str = strawberry.field(description="The term, as the data and the filters spell it.")
    description: str = strawberry.field(description="What it means.")
    color: str | None = strawberry.field(
        default=None,
        description="How nodes of this kind are drawn (#rrggbb), in the explorer and the GEXF "
        "export; null for roles and relation types.",
    )


@strawberry.type(description="The vocabularies of the graph: node kinds, roles, relation types.")
class Vocabulary:
    kinds: list[Term] = strawberry.field(description="The node kinds.")
    roles: list[Term] = strawberry.field(description="The participant roles.")
    relation_types: list[Term] = strawberry.field(description="The relation types.")


# --- helpers ------------------------------------------------------------------------------------


def _require(info: Info, argument: str, ref: str) -> str:
    try:
        return q.require(graph_of(info), ref)
    except UnknownNode:
        raise not_found(argument, ref) from None
    except AmbiguousName as error:
        raise ambiguous_name(argument, ref, error.candidates) from None


def _lookup(info: Info, ref: str, kind: str | None = None, argument: str = "id") -> Entity | None:
    """The entity ``ref`` names (of ``kind``); null if none; an AMBIGUOUS_NAME error naming
    ``argument`` and listing them if several do."""
    K = graph_of(info)
    found = [n for n in q.resolve(K, ref) if kind is None or K.graph.nodes[n]["kind"] == kind]
    if len(found) > 1:
        raise ambiguous_name(argument, ref, found)
    return make_node(K, found[0]) if found else None


def _node(K: KnowledgeGraph, global_id: str) -> Node | None:
    """The object whose global id (:mod:`schema.ids`) is exactly ``global_id``, or ``None``."""
    parsed = ids.parse(global_id)
    if parsed is None:
        return None
    local = parsed.local
    if parsed.namespace == "entity":
        return make_node(K, local) if local in K.graph else None
    if parsed.namespace == ids.RELATION:
        edge = q.edge_by_key(K, local)
        return None if edge is None else make_relation(edge)
    if parsed.namespace == ids.DISPUTE:
        dispute = K.disputes.get(local)
        return None if dispute is None else make_dispute(dispute)
    if parsed.namespace == ids.CLAIM:
        dispute_id, _, claim_id = local.partition("/")
        of = K.disputes.get(dispute_id)
        if of is None:
            return None
        claim = next((c for c in of.claims if c.id == claim_id), None)
        return None if claim is None else make_claim(claim, of)
    document = K.documents.get(local)
    return None if document is None else make_document(document)


def _relations_among(K: KnowledgeGraph, nodes: set[str], checked: Filter) -> list[Relation]:
    found = []
    keeps = checked.keeps_edge
    successors = K.graph.succ
    for node in sorted(nodes):
        # The outgoing edges in the order q.edges_of(K, node, direction="out") lists them, an
        # Edge made only for those kept.
        for target, keyed in successors[node].items():
            if target in nodes:
                for key, data in keyed.items():
                    if keeps(data):
                        found.append(make_relation(q.Edge(node, target, key, data)))
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
    documents = arguments.get("documents")
    if isinstance(documents, list):  # a document's global id (document:plot-recap) or its own
        arguments["documents"] = [ids.local_id(str(d), ids.DOCUMENT) for d in documents]
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
        description="The object whose global id is `id` (Relay): an entity or event, a "
        "relation, a dispute, a claim or a document; null if none has it. Only ids: "
        "`entity(name:)` looks an entity up by name."
    )
    def node(self, info: Info, id: Annotated[strawberry.ID, arg(GLOBAL_ID)]) -> Node | None:
        return _node(graph_of(info), id)

    @strawberry.field(
        description="The objects whose global ids are `ids`, in the same order, null for an "
        "id none has (Relay); at most the page-size limit of ids."
    )
    def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], arg("Global ids, as `node`.")]
    ) -> list[Node | None]:
        check_range("ids", len(ids), 0, context_of(info).limits.max_page_size)
        K = graph_of(info)
        return [_node(K, i) for i in ids]

    @strawberry.field(
        description="An entity or event by id, or by any name the articles use for it (name, "
        "alias or referring description; case, hyphens and leading articles aside); null if "
        "none. A name several answer to is an AMBIGUOUS_NAME error listing them."
    )
    def entity(self, info: Info, name: Annotated[str, arg(NAME)]) -> Entity | None:
        return _lookup(info, name, argument="name")

    @strawberry.field(description="A character by id or name (as `entity`); null if none.")
    def character(self, info: Info, id: Annotated[str, arg(NAME)]) -> Character | None:
        return _lookup(info, id, "character")  # type: ignore[return-value]

    @strawberry.field(description="A real person by id or name (as `entity`); null if none.")
    def person(self, info: Info, id: Annotated[str, arg(NAME)]) -> Person | None:
        return _lookup(info, id, "person")  # type: ignore[return-value]

    @strawberry.field(description="A place by id or name (as `entity`); null if none.")
    def place(self, info: Info, id: Annotated[str, arg(NAME)]) -> Place | None:
        return _lookup(info, id, "place")  # type: ignore[return-value]

    @strawberry.field(
        name="object", description="An object by id or name (as `entity`); null if none."
    )
    def plot_object(self, info: Info, id: Annotated[str, arg(NAME)]) -> PlotObject | None:
        return _lookup(info, id, "object")  # type: ignore[return-value]

    @strawberry.field(description="An event by id or name (as `entity`); null if none.")
    def event(self, info: Info, id: Annotated[str, arg(NAME)]) -> Event | None:
        return _lookup(info, id, "event")  # type: ignore[return-value]

    @strawberry.field(
        description="Entities and events, filtered by kind, by a relation type they have, and "
        "by text (alias-aware search); ordered by `orderBy`; a Relay connection."
    )
    def entities(
        self,
        info: Info,
        kinds: Annotated[list[NodeKind] | None, arg(KINDS_FILTER)] = None,
        relation: Annotated[
            str | None, arg("Only those with an edge of this relation type or role.")
        ] = None,
        text: Annotated[
            str | None, arg("Only those whose names, aliases or descriptions match it.")
        ] = None,
        order_by: Annotated[
            Measure | None, arg("Highest first by this measure; by id if not given.")
        ] = None,
        first: Annotated[int | None, arg(FIRST)] = None,
        after: Annotated[str | None, arg(AFTER)] = None,
        last: Annotated[int | None, arg(LAST)] = None,
        before: Annotated[str | None, arg(BEFORE)] = None,
    ) -> EntityConnection:
        K = graph_of(info)
        limits = context_of(info).limits
        page = _page_arguments(info, first, after, last, before)
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
        window = page.window(len(found))
        nodes = found.page(window.start, window.end)
        edges = [
            EntityEdge(cursor=cursor, node=make_node(K, node))
            for cursor, node in zip(window.cursors(), nodes, strict=True)
        ]
        return EntityConnection.of_page(window, edges)

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
        text: Annotated[str, arg("What to look for: a name, a description, a few words.")],
        kinds: Annotated[list[NodeKind] | None, arg(KINDS_FILTER)] = None,
        certainty: Annotated[
            list[Certainty] | None,
            arg("Only nodes whose description is of these certainties."),
        ] = None,
        first: Annotated[int, arg(HOW_MANY)] = 10,
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
        text: Annotated[str, arg("The question or phrase.")],
        first: Annotated[int, arg(HOW_MANY)] = 5,
        documents: Annotated[
            list[strawberry.ID] | None,
            arg("Only sentences of these documents (ids as `document(id:)` takes them)."),
        ] = None,
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
        types: Annotated[list[str] | None, arg(TYPES_FILTER)] = None,
        edge_kind: Annotated[
            EdgeKind | None, arg("Only relations, or only participations.")
        ] = None,
        disputed: Annotated[
            bool | None, arg("Only the edges that stand for a dispute's claim (or only not).")
        ] = None,
        certainty: Annotated[
            list[Certainty] | None,
            arg("Only the edges of these certainties."),
        ] = None,
        first: Annotated[int | None, arg(FIRST)] = None,
        after: Annotated[str | None, arg(AFTER)] = None,
        last: Annotated[int | None, arg(LAST)] = None,
        before: Annotated[str | None, arg(BEFORE)] = None,
        documents: Annotated[list[strawberry.ID] | None, arg(DOCUMENTS)] = None,
    ) -> RelationConnection:
        K = graph_of(info)
        page = _page_arguments(info, first, after, last, before)
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
        window = page.window(len(found))
        keys = found.page(window.start, window.end)
        edges = [
            RelationEdge(cursor=cursor, node=make_relation(q.edge(K, *key)))
            for cursor, key in zip(window.cursors(), keys, strict=True)
        ]
        return RelationConnection.of_page(window, edges)

    @strawberry.field(
        description="The shortest paths between two nodes (ids, names or aliases), ignoring "
        "edge direction, of at most `maxLength` edges; `found` is false if there is none."
    )
    def path(
        self,
        info: Info,
        source: Annotated[
            str, strawberry.argument(name="from", description="Where the paths start. " + NAME)
        ],
        target: Annotated[
            str, strawberry.argument(name="to", description="Where they end, named as `from`.")
        ],
        max_length: Annotated[
            int, arg("The longest path to look for, in edges: 1 to the path-length limit (6).")
        ] = 4,
        limit: Annotated[int, arg("The most paths to return: 1 to the paths limit (10).")] = 3,
        types: Annotated[list[str] | None, arg("Walk only along edges of these types.")] = None,
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
        center: Annotated[str, arg("The node at the centre. " + NAME)],
        radius: Annotated[int, arg("How many steps from it: 0 to the radius limit (3).")] = 1,
        kinds: Annotated[list[NodeKind] | None, arg(KINDS_FILTER)] = None,
        types: Annotated[list[str] | None, arg(TYPES_FILTER)] = None,
        max_nodes: Annotated[int, arg(MAX_NODES)] = 100,
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
        kinds: Annotated[list[NodeKind] | None, arg(KINDS_FILTER)] = None,
        types: Annotated[list[str] | None, arg(TYPES_FILTER)] = None,
        max_nodes: Annotated[int, arg(MAX_NODES)] = 100,
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
        order: Annotated[TimelineOrder, arg("Story order, or the order of the telling.")] = (
            TimelineOrder.STORY
        ),
        participant: Annotated[
            str | None, arg("Only events it takes part in, in any role. " + NAME)
        ] = None,
        place: Annotated[str | None, arg("Only events that happen there. " + NAME)] = None,
        certainty: Annotated[
            list[Certainty] | None,
            arg("Only events whose description is of these certainties."),
        ] = None,
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
        first: Annotated[int, arg(HOW_MANY)] = 50,
        min_sentences: Annotated[
            int, arg("Only pairs mentioned together in at least this many sentences.")
        ] = 1,
        document: Annotated[
            str | None,
            strawberry.argument(description="A document id: the network of that article alone."),
        ] = None,
    ) -> list[CoOccurrence]:
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        check_range("minSentences", min_sentences, 1, 1_000_000)
        K = graph_of(info)
        try:
            network = K.cooccurrence_network(
                None if document is None else ids.local_id(document, ids.DOCUMENT)
            )
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
        self,
        info: Info,
        network: Annotated[Network, arg(NETWORK)] = Network.KNOWLEDGE,
        document: Annotated[str | None, arg(NETWORK_DOCUMENT)] = None,
    ) -> list[Community]:
        communities, _ = communities_of(info, network, document)
        return [
            make_community(communities, number, network, document)
            for number in range(len(communities))
        ]

    @strawberry.field(description="Every point on which the articles disagree.")
    def disputes(self, info: Info) -> list[Dispute]:
        return [make_dispute(d) for d in graph_of(info).disputes.values()]

    @strawberry.field(
        description="A dispute by its id in the seeds (`vehicle-to-beach`) or its global id "
        "(`dispute:vehicle-to-beach`); null if none."
    )
    def dispute(self, info: Info, id: Annotated[str, arg("The dispute's id.")]) -> Dispute | None:
        record = graph_of(info).disputes.get(ids.local_id(id, ids.DISPUTE))
        return None if record is None else make_dispute(record)

    @strawberry.field(description="The seed documents.")
    def documents(self, info: Info) -> list[Document]:
        return [make_document(d) for d in graph_of(info).documents.values()]

    @strawberry.field(
        description="A seed document by its id in the seeds (`plot-recap`) or its global id "
        "(`document:plot-recap`); null if none."
    )
    def document(
        self, info: Info, id: Annotated[str, arg("The document's id.")]
    ) -> Document | None:
        record = graph_of(info).documents.get(ids.local_id(id, ids.DOCUMENT))
        return None if record is None else make_document(record)

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

    @strawberry.field(description="Entity kinds, participant roles and relation types, explained.")
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
