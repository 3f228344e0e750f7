"""The GraphQL types of the knowledge graph. Thin: every field reads the built graph or asks
:mod:`graph.query`; none runs an algorithm over the whole graph.

An object is built around a node id and the node's attribute dict (``strawberry.Private``), so
that making one costs nothing until a field of it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum, EnumType
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired, TypedDict, cast

import networkx as nx
import strawberry
from strawberry.types import Info

from graph import query as q
from graph.communities import Communities
from graph.errors import UnknownDocument
from graph.knowledge import KnowledgeGraph
from graph.model import CERTAINTIES, KINDS, MEASURES, RELATION_TYPES, ROLES
from graph.model import Citation as CitationRecord
from graph.model import Claim as ClaimRecord
from graph.model import Dispute as DisputeRecord
from graph.model import Document as DocumentRecord
from graph.model import Verdict as VerdictRecord
from graph.passages import PassageHit
from schema import ids
from schema.context import Context
from schema.errors import bad_input, check_range, check_types, filter_error

# --- enums --------------------------------------------------------------------------------------


def vocabulary_enum(
    name: str, values: Mapping[str, tuple[str, str]], description: str
) -> type[Enum]:
    """A GraphQL enum generated from a vocabulary of :mod:`graph.model`: ``values`` maps each
    GraphQL name to the term it stands for and what the term means."""
    members = {
        value_name: strawberry.enum_value(term, description=meaning)
        for value_name, (term, meaning) in values.items()
    }
    # Enum's functional API through its metaclass: mypy accepts ``Enum(name, ...)`` only for a
    # literal name.
    generated: type[Enum] = EnumType.__call__(Enum, name, members)
    return strawberry.enum(generated, description=description)


def _upper_case(terms: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    # co_agent is CO_AGENT, as GraphQL enum values are named by convention.
    return {term.upper(): (term, meaning) for term, meaning in terms.items()}


if TYPE_CHECKING:
    # What the type checker knows of the enums generated below from graph.model: each is an
    # enum of its own, whose values are the vocabulary's terms.
    class NodeKind(Enum):
        _value_: str

    class Role(Enum):
        _value_: str

    class RelationType(Enum):
        _value_: str

    class Measure(Enum):
        _value_: str

else:
    NodeKind = vocabulary_enum("NodeKind", _upper_case(KINDS), "What a node is.")
    Role = vocabulary_enum("Role", _upper_case(ROLES), "The part an entity plays in an event.")
    RelationType = vocabulary_enum(
        "RelationType",
        _upper_case(RELATION_TYPES),
        "The type of a relation between two entities (the `type` of a relation edge).",
    )
    Measure = vocabulary_enum(
        "Measure",
        {m.name: (attribute, m.description) for attribute, m in MEASURES.items()},
        "A centrality measure, computed once when the graph is built.",
    )


@strawberry.enum(description="A relation between two entities, or an entity's part in an event.")
class EdgeKind(Enum):
    _value_: str  # for the type checker: the members' values are these strings
    RELATION = strawberry.enum_value(
        "relation", description="A typed relation between two entities (Ok-ju KILLS Choi Pro)."
    )
    PARTICIPATION = strawberry.enum_value(
        "participation", description="An entity's part in an event, typed by its role."
    )


@strawberry.enum(description="Which edges of a node: leaving it, arriving at it, or both.")
class Direction(Enum):
    _value_: Literal["out", "in", "both"]
    OUT = strawberry.enum_value("out", description="The edges leaving the node.")
    IN = strawberry.enum_value("in", description="The edges arriving at the node.")
    BOTH = strawberry.enum_value("both", description="Both.")


if TYPE_CHECKING:

    class Certainty(Enum):
        _value_: str

else:
    Certainty = vocabulary_enum(
        "Certainty",
        _upper_case(CERTAINTIES),
        "How firmly the cited articles support a claim.",
    )


@strawberry.enum(description="An order of events.")
class TimelineOrder(Enum):
    _value_: Literal["story", "narrative"]
    STORY = strawberry.enum_value(
        "story",
        description="Chronology of the story world, flashbacks in their place in the past.",
    )
    NARRATIVE = strawberry.enum_value(
        "narrative",
        description="The order the film tells them in; only events whose place in the telling "
        "is known.",
    )


@strawberry.enum(description="A network the graph holds, each with its own communities.")
class Network(Enum):
    _value_: str
    KNOWLEDGE = strawberry.enum_value(
        "knowledge",
        description="The annotated graph: relations between entities and their parts in events.",
    )
    COOCCURRENCE = strawberry.enum_value(
        "cooccurrence",
        description="Entities joined by the sentences of the articles that mention both, "
        "weighted by them.",
    )


# --- helpers ------------------------------------------------------------------------------------


class NodeData(TypedDict):
    """The attributes :func:`graph.build.build_graph` gives a node (shared with the graph:
    read-only)."""

    kind: str
    name: str
    aliases: tuple[str, ...]
    description: str
    citations: tuple[CitationRecord, ...]
    certainty: str
    reason: str
    mentions: dict[str, int]
    mention_total: int
    x: float
    y: float
    #: graph.centrality.add_centrality's measures.
    degree: int
    betweenness: float
    pagerank: float
    #: Entities only.
    descriptions: NotRequired[tuple[str, ...]]
    #: Events only.
    story_order: NotRequired[int]
    narrative_order: NotRequired[int | None]
    narrative: NotRequired[str | None]


def node_data(K: KnowledgeGraph, node_id: str) -> NodeData:
    # build_graph adds every node with these attributes (networkx types them as dict[str, Any]).
    return cast(NodeData, K.graph.nodes[node_id])


def graph_of(info: Info) -> KnowledgeGraph:
    return context_of(info).graph


def context_of(info: Info) -> Context:
    context: Context = info.context
    return context


def communities_of(
    info: Info, network: Network, document: str | None
) -> tuple[Communities, nx.Graph[str]]:
    """The communities of ``network`` (of one ``document``, for the co-occurrence network) and
    the graph they partition; a NOT_FOUND error for an unknown document, BAD_USER_INPUT for a
    document given with the knowledge graph."""
    K = graph_of(info)
    if network is Network.KNOWLEDGE:
        if document is not None:
            raise bad_input("document", "is for the COOCCURRENCE network only.")
        if K.communities.not_computed:
            reason = K.communities.not_computed
            raise bad_input(
                "network", f"is KNOWLEDGE, whose communities are not computed: {reason}."
            )
        return K.communities, K.graph
    try:
        found = K.cooccurrence_network(
            None if document is None else ids.local_id(document, ids.DOCUMENT)
        )
    except UnknownDocument as error:
        raise filter_error(error, {"documents": "document"}) from None
    return found.communities, found.graph


def make_document(record: DocumentRecord) -> Document:
    return Document(id=strawberry.ID(ids.document_id(record.id)), record=record)


def make_dispute(record: DisputeRecord) -> Dispute:
    return Dispute(id=strawberry.ID(ids.dispute_id(record.id)), record=record)


def make_claim(record: ClaimRecord, dispute: DisputeRecord) -> Claim:
    return Claim(
        id=strawberry.ID(ids.claim_id(dispute.id, record.id)), record=record, dispute=dispute
    )


def make_node(K: KnowledgeGraph, node_id: str) -> Entity:
    data = node_data(K, node_id)
    return NODE_TYPES[data["kind"]](id=strawberry.ID(node_id), data=data)


def make_nodes(K: KnowledgeGraph, node_ids: Iterable[str]) -> list[Entity]:
    return [make_node(K, n) for n in node_ids]


def make_relation(edge: q.Edge) -> Relation:
    return Relation(id=strawberry.ID(ids.relation_id(edge.key)), edge=edge)


def make_citations(records: tuple[CitationRecord, ...]) -> list[Citation]:
    return [Citation(record=r) for r in records]


def arg(description: str) -> Any:
    """An argument's description, for ``Annotated[type, arg("...")]``."""
    return strawberry.argument(description=description)


NETWORK = "Which network's communities: the knowledge graph, or the co-occurrence network."
NETWORK_DOCUMENT = (
    "With COOCCURRENCE, a document id: the network of that article alone (all of them if null)."
)
TYPES_FILTER = "Only edges of these types: relation types (`kills`) or participant roles (`agent`)."
ROLE_FILTER = "Only this role."


def _kinds(kinds: list[NodeKind] | None) -> set[str] | None:
    return None if kinds is None else {k.value for k in kinds}


# --- the Relay interface ------------------------------------------------------------------------


@strawberry.interface(
    description="Anything with an id of its own: an entity or event of the graph, a relation, a "
    "dispute, one of its claims, a document. The id is unique across all of them, and "
    "`node(id:)` finds the object again by it (Relay's Global Object Identification)."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Unique across the schema: an entity's or event's slug (`ok-ju`), or, for "
        "the others, their type and their seed id (`relation:ok-ju/kills/gang-boss`, "
        "`dispute:vehicle-to-beach`, `claim:vehicle-to-beach/truck`, `document:plot-recap`)."
    )


# --- evidence -----------------------------------------------------------------------------------


@strawberry.type(description="A document the graph is built from: one of the seed articles.")
class Document(Node):
    record: strawberry.Private[DocumentRecord]

    @strawberry.field(description="The article's title, as published.")
    def title(self) -> str:
        return self.record.title

    @strawberry.field(description="What kind of article it is: recap, explainer or review.")
    def kind(self) -> str:
        return self.record.kind

    @strawberry.field(description="Publication date, where the text states one (YYYY-MM-DD).")
    def date(self) -> str | None:
        return self.record.date

    @strawberry.field(description="File name in seeds/.")
    def file(self) -> str:
        return self.record.file

    @strawberry.field(description="Length of the text in characters.")
    def length(self) -> int:
        return len(self.record.text)

    @strawberry.field(description="The full text, unchanged.")
    def text(self) -> str:
        return self.record.text

    @strawberry.field(
        description="The document's own judgement of the film, a claim of this document alone; "
        "null where it gives none."
    )
    def verdict(self) -> Verdict | None:
        return None if self.record.verdict is None else Verdict(record=self.record.verdict)

    @strawberry.field(description="Entities this document mentions, most mentioned first.")
    def mentions(
        self,
        info: Info,
        first: Annotated[int, arg("How many, from 0 to the page-size limit.")] = 20,
    ) -> list[MentionCount]:
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        K = graph_of(info)
        counts = K.mentions.by_document.get(self.record.id, [])[:first]
        return [MentionCount(node=make_node(K, n), count=c) for n, c in counts]


@strawberry.type(description="A verbatim quote from a document, located by character offsets.")
class Citation:
    record: strawberry.Private[CitationRecord]

    @strawberry.field(description="The quoted text, verbatim.")
    def quote(self) -> str:
        return self.record.quote

    @strawberry.field(description="Offset of the quote's first character in the document text.")
    def start(self) -> int:
        return self.record.start

    @strawberry.field(description="Offset just past the quote's last character.")
    def end(self) -> int:
        return self.record.end

    @strawberry.field(description="The document quoted.")
    def document(self, info: Info) -> Document:
        return make_document(graph_of(info).documents[self.record.document])

    @strawberry.field(
        description='Referring expressions in the quote ("him", "the antagonist") that the '
        "annotation binds to the node they name: how the quote names an end of its claim when "
        "it does not use a name or an alias."
    )
    def refers(self, info: Info) -> list[Reference]:
        return [
            Reference(text=r.text, node=make_node(graph_of(info), r.entity))
            for r in self.record.refers
        ]

    @strawberry.field(
        description="A mistake of the article's own that the annotation notes (a misspelt name)."
    )
    def erratum(self) -> str | None:
        return self.record.erratum or None

    @strawberry.field(
        description="Why a hedge word in the quote (could, may, probably...) does not govern the "
        "claim it is cited for; null when the quote has none or it does."
    )
    def hedge_note(self) -> str | None:
        return self.record.hedge or None

    @strawberry.field(description="The quote with up to `chars` characters of text on each side.")
    def context(
        self,
        info: Info,
        chars: Annotated[int, arg("Characters on each side, from 0 to 2000.")] = 120,
    ) -> str:
        check_range("chars", chars, 0, 2_000)
        text = graph_of(info).documents[self.record.document].text
        start = max(0, self.record.start - chars)
        end = min(len(text), self.record.end + chars)
        return text[start:end]


@strawberry.type(description="What a review or explainer thinks of the work it is about.")
class Verdict:
    record: strawberry.Private[VerdictRecord]

    @strawberry.field(description="The work judged.")
    def about(self, info: Info) -> Entity:
        return make_node(graph_of(info), self.record.about)

    @strawberry.field(description="The judgement, in the annotation's words.")
    def statement(self) -> str:
        return self.record.statement

    @strawberry.field(description="How firmly its quotes support it.")
    def certainty(self) -> Certainty:
        return Certainty(self.record.certainty)

    @strawberry.field(description="Quotes from the document itself.")
    def citations(self) -> list[Citation]:
        return make_citations(self.record.citations)


@strawberry.type(description="A referring expression in a quote and the node it names.")
class Reference:
    text: str = strawberry.field(description="The expression, as the quote has it.")
    node: Entity = strawberry.field(description="The entity it names.")


@strawberry.type(
    description="A sentence of an article, found by `passages`: where it is, what it mentions, "
    "and what the graph cites it for."
)
class Passage:
    hit: strawberry.Private[PassageHit]

    @strawberry.field(
        description="Relevance: FTS5 BM25 of the question's content words, times the square of "
        "the share of them the sentence has, halved for a sentence that is itself a question "
        "(a heading). Higher is better; comparable only within one answer."
    )
    def score(self) -> float:
        return self.hit.score

    @strawberry.field(description="The sentence, as the document has it.")
    def text(self) -> str:
        return self.hit.passage.text

    @strawberry.field(description="Offset of its first character in the document text.")
    def start(self) -> int:
        return self.hit.passage.start

    @strawberry.field(description="Offset just past its last character.")
    def end(self) -> int:
        return self.hit.passage.end

    @strawberry.field(description="Its position among the document's sentences, from 0.")
    def position(self) -> int:
        return self.hit.passage.position

    @strawberry.field(description="The document the sentence is in.")
    def document(self, info: Info) -> Document:
        return make_document(graph_of(info).documents[self.hit.passage.document])

    @strawberry.field(description="The entities it names, in order (from the mention index).")
    def mentions(self, info: Info) -> list[Entity]:
        K = graph_of(info)
        return make_nodes(K, K.passages.mentions(self.hit.passage))

    @strawberry.field(description="The citations whose quote lies in it (or overlaps it).")
    def citations(self, info: Info) -> list[Citation]:
        cited = graph_of(info).passages.cited_by(self.hit.passage)
        # The same quote often backs several claims (an event and its participations): listed once.
        return [Citation(record=c) for c in dict.fromkeys(c.citation for c in cited)]

    @strawberry.field(description="The nodes (entities, events) one of those quotes is cited for.")
    def nodes(self, info: Info) -> list[Entity]:
        K = graph_of(info)
        cited = K.passages.cited_by(self.hit.passage)
        return make_nodes(K, dict.fromkeys(c.owner[1] for c in cited if c.owner[0] == "node"))

    @strawberry.field(description="The relations and participations one of them is cited for.")
    def relations(self, info: Info) -> list[Relation]:
        K = graph_of(info)
        cited = K.passages.cited_by(self.hit.passage)
        edges = dict.fromkeys(c.owner[1] for c in cited if c.owner[0] == "edge")
        return [make_relation(q.edge(K, *key)) for key in edges]

    @strawberry.field(description="The claims of disputes one of them is cited for.")
    def claims(self, info: Info) -> list[Claim]:
        disputes = graph_of(info).disputes
        cited = graph_of(info).passages.cited_by(self.hit.passage)
        found = dict.fromkeys(c.owner[1] for c in cited if c.owner[0] == "claim")
        return [
            make_claim(claim, disputes[dispute])
            for dispute, claim_id in found
            for claim in disputes[dispute].claims
            if claim.id == claim_id
        ]


@strawberry.type(
    description="Two entities mentioned in the same sentences: an edge of the co-occurrence "
    "network computed from the articles' text (not from the annotation)."
)
class CoOccurrence:
    source: Entity = strawberry.field(description="One of the two entities (the first by id).")
    target: Entity = strawberry.field(description="The other entity.")
    sentences: int = strawberry.field(description="Sentences that mention both.")
    document_ids: strawberry.Private[tuple[str, ...]] = ()

    @strawberry.field(description="The documents with a sentence that mentions both.")
    def documents(self, info: Info) -> list[Document]:
        documents = graph_of(info).documents
        return [make_document(documents[d]) for d in self.document_ids]


@strawberry.type(
    description="A community: nodes more densely joined to one another than to the rest, as "
    "networkx's Louvain method (seeded, so always the same) partitions a network."
)
class Community:
    number: int = strawberry.field(
        description="Its number in the partition: 0 is the largest, ties by smallest node id."
    )
    network: Network = strawberry.field(description="The network it is a community of.")
    document_id: strawberry.Private[str | None]
    node_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Nodes in it.")
    def size(self) -> int:
        return len(self.node_ids)

    @strawberry.field(description="For a document's co-occurrence network, the document.")
    def document(self, info: Info) -> Document | None:
        if self.document_id is None:
            return None
        return make_document(graph_of(info).documents[self.document_id])

    @strawberry.field(description="Its nodes, highest PageRank (in the knowledge graph) first.")
    def members(
        self,
        info: Info,
        first: Annotated[int, arg("How many, at most: 0 to the page limit.")] = 100,
    ) -> list[Entity]:
        check_range("first", first, 0, context_of(info).limits.max_page_size)
        K = graph_of(info)
        nodes = K.graph.nodes
        ranked = sorted(self.node_ids, key=lambda n: (-nodes[n]["pagerank"], n))
        return make_nodes(K, ranked[:first])


def make_community(
    communities: Communities, number: int, network: Network, document: str | None
) -> Community:
    return Community(
        number=number,
        network=network,
        document_id=document,
        node_ids=communities.members[number],
    )


@strawberry.type(description="An entity and how often a document mentions it.")
class MentionCount:
    node: Entity = strawberry.field(description="The entity mentioned.")
    count: int = strawberry.field(description="How many times the document mentions it.")


@strawberry.type(description="A document and how often it mentions an entity.")
class DocumentCount:
    document: Document = strawberry.field(description="The document.")
    count: int = strawberry.field(description="How many times it mentions the entity.")


@strawberry.type(
    description="Where the build-time layout places a node (about ±1000 on each axis)."
)
class Position:
    x: float = strawberry.field(description="Horizontal coordinate.")
    y: float = strawberry.field(description="Vertical coordinate.")


@strawberry.type(description="Centrality of a node in the whole graph, computed at build time.")
class Centrality:
    degree: int = strawberry.field(description="Number of edges at the node, either direction.")
    betweenness: float = strawberry.field(
        description="Betweenness centrality, normalised, ignoring edge direction."
    )
    pagerank: float = strawberry.field(description="PageRank over the directed edges.")


# --- edges --------------------------------------------------------------------------------------


@strawberry.type(
    description="An edge: a typed relation between two entities (Ok-ju KILLS Choi Pro) or an "
    "entity's participation in an event (the flamethrower is the INSTRUMENT of the burning)."
)
class Relation(Node):
    id: strawberry.ID = strawberry.field(
        description="`relation:` and the relation's id in the seeds, or, for a participation, "
        "`relation:event/role/entity`."
    )
    edge: strawberry.Private[q.Edge]

    @strawberry.field(description="The relation type (kills, plays, ...) or the participant role.")
    def type(self) -> str:
        return self.edge.type

    @strawberry.field(
        description="The relation type of a relation edge, as an enum; null for a participation "
        "(whose role `type` gives)."
    )
    def relation_type(self) -> RelationType | None:
        if self.edge.data["kind"] != "relation":
            return None
        return RelationType(self.edge.data["type"])

    @strawberry.field(
        description="A relation between two entities, or an entity's part in an event."
    )
    def kind(self) -> EdgeKind:
        return EdgeKind(self.edge.data["kind"])

    @strawberry.field(
        description="Where the edge starts: the subject of a relation, the participant of a "
        "participation."
    )
    def source(self, info: Info) -> Entity:
        return make_node(graph_of(info), self.edge.source)

    @strawberry.field(
        description="Where the edge ends: the object of a relation, the event of a participation."
    )
    def target(self, info: Info) -> Entity:
        return make_node(graph_of(info), self.edge.target)

    @strawberry.field(description="The annotation's note on it, where it has one.")
    def note(self) -> str | None:
        return self.edge.data.get("note") or None

    @strawberry.field(description="The quotes that state it.")
    def citations(self) -> list[Citation]:
        return make_citations(self.edge.data["citations"])

    @strawberry.field(description="How firmly the cited quotes support it.")
    def certainty(self) -> Certainty:
        return Certainty(self.edge.data.get("certainty", "stated"))

    @strawberry.field(description="For an INFERRED claim, the annotation's reason; null otherwise.")
    def certainty_reason(self) -> str | None:
        return self.edge.data.get("reason") or None

    @strawberry.field(description="True when this edge is one side of a disagreement.")
    def disputed(self) -> bool:
        return self.edge.data["dispute"] is not None

    @strawberry.field(description="The disagreement this edge is one side of, if any.")
    def dispute(self, info: Info) -> Dispute | None:
        dispute = self.edge.data["dispute"]
        return None if dispute is None else make_dispute(graph_of(info).disputes[dispute])

    @strawberry.field(description="The claim of that dispute this edge stands for.")
    def claim(self, info: Info) -> Claim | None:
        dispute, claim = self.edge.data["dispute"], self.edge.data["claim"]
        if dispute is None:
            return None
        record = graph_of(info).disputes[dispute]
        return next(make_claim(c, record) for c in record.claims if c.id == claim)


@strawberry.type(description="An entity's part in an event.")
class Participant:
    relation: strawberry.Private[q.Edge]

    @strawberry.field(description="The part it plays in the event.")
    def role(self) -> Role:
        return Role(self.relation.data["type"])

    @strawberry.field(description="The entity taking part.")
    def node(self, info: Info) -> Entity:
        return make_node(graph_of(info), self.relation.source)

    @strawberry.field(description="The event.")
    def event(self, info: Info) -> Event:
        target = self.relation.target
        return Event(id=strawberry.ID(target), data=node_data(graph_of(info), target))

    @strawberry.field(description="The annotation's note on it, where it has one.")
    def note(self) -> str | None:
        return self.relation.data.get("note") or None

    @strawberry.field(description="The quotes that state it.")
    def citations(self) -> list[Citation]:
        return make_citations(self.relation.data["citations"])

    @strawberry.field(description="How firmly the cited quotes support it.")
    def certainty(self) -> Certainty:
        return Certainty(self.relation.data.get("certainty", "stated"))

    @strawberry.field(description="For an INFERRED claim, the annotation's reason; null otherwise.")
    def certainty_reason(self) -> str | None:
        return self.relation.data.get("reason") or None

    @strawberry.field(description="The participation as an edge, with its dispute if any.")
    def edge(self) -> Relation:
        return make_relation(self.relation)


# --- disputes -----------------------------------------------------------------------------------


@strawberry.type(description="One side of a disagreement between the articles.")
class Claim(Node):
    record: strawberry.Private[ClaimRecord]
    dispute: strawberry.Private[DisputeRecord]

    @strawberry.field(description="What this side holds, in the annotation's words.")
    def statement(self) -> str:
        return self.record.statement

    @strawberry.field(description="The quotes that make the claim.")
    def citations(self) -> list[Citation]:
        return make_citations(self.record.citations)

    @strawberry.field(description="The documents that make this claim.")
    def documents(self, info: Info) -> list[Document]:
        documents = graph_of(info).documents
        ids = dict.fromkeys(c.document for c in self.record.citations)
        return [make_document(documents[d]) for d in ids]

    @strawberry.field(description="How firmly its quotes support it.")
    def certainty(self) -> Certainty:
        return Certainty(self.record.certainty)

    @strawberry.field(description="For an INFERRED claim, the annotation's reason.")
    def certainty_reason(self) -> str | None:
        return self.record.reason or None

    @strawberry.field(description="True only if the dispute prefers this claim, with a reason.")
    def preferred(self) -> bool:
        return self.dispute.preferred == self.record.id

    @strawberry.field(description="The relations and participations that stand for this claim.")
    def relations(self, info: Info) -> list[Relation]:
        edges = q.dispute_edges(graph_of(info), self.dispute.id, self.record.id)
        return [make_relation(e) for e in edges]


@strawberry.type(description="A point on which the articles disagree, with the competing claims.")
class Dispute(Node):
    record: strawberry.Private[DisputeRecord]

    @strawberry.field(description="What the articles disagree on, as a question.")
    def question(self) -> str:
        return self.record.question

    @strawberry.field(description="The competing claims, each with its sources.")
    def claims(self) -> list[Claim]:
        return [make_claim(c, self.record) for c in self.record.claims]

    @strawberry.field(description="The claim preferred, if one is, and `reason` says why.")
    def preferred(self) -> Claim | None:
        for claim in self.record.claims:
            if claim.id == self.record.preferred:
                return make_claim(claim, self.record)
        return None

    @strawberry.field(description="Why `preferred` is preferred; null when no claim is.")
    def reason(self) -> str | None:
        return self.record.reason

    @strawberry.field(description="The nodes the dispute is about.")
    def about(self, info: Info) -> list[Entity]:
        return make_nodes(graph_of(info), self.record.about)


# --- nodes --------------------------------------------------------------------------------------


@strawberry.interface(
    description="A node of the story graph: an entity of the story (a character, a person, a "
    "place, an object...) or an event, with its names, evidence, centrality and edges."
)
class Entity(Node):
    id: strawberry.ID = strawberry.field(
        description="Its slug in the seeds (`ok-ju`, `burning-of-choi`): also its global id."
    )
    data: strawberry.Private[NodeData]

    @strawberry.field(description="Its name, as the annotation gives it.")
    def name(self) -> str:
        return self.data["name"]

    @strawberry.field(description="What it is: a character, a person, a place, an event...")
    def kind(self) -> NodeKind:
        return NodeKind(self.data["kind"])

    @strawberry.field(description="Every other name the articles use for it.")
    def aliases(self) -> list[str]:
        return list(self.data["aliases"])

    @strawberry.field(
        description='The referring descriptions the articles use for it ("local gangster"): '
        "searchable, and accepted wherever a node is named, like its aliases."
    )
    def descriptions(self) -> list[str]:
        return list(self.data.get("descriptions", ()))

    @strawberry.field(description="What it is, in one or two sentences of the annotation.")
    def description(self) -> str:
        return self.data["description"]

    @strawberry.field(description="The quotes that state it exists and what it is.")
    def citations(self) -> list[Citation]:
        return make_citations(self.data["citations"])

    @strawberry.field(description="How firmly the cited quotes support its description.")
    def certainty(self) -> Certainty:
        return Certainty(self.data.get("certainty", "stated"))

    @strawberry.field(description="For an INFERRED description, the annotation's reason.")
    def certainty_reason(self) -> str | None:
        return self.data.get("reason") or None

    @strawberry.field(description="How often each document mentions it, counted from the text.")
    def mentions(self, info: Info) -> list[DocumentCount]:
        documents = graph_of(info).documents
        counts = sorted(self.data["mentions"].items(), key=lambda item: (-item[1], item[0]))
        return [DocumentCount(document=make_document(documents[d]), count=c) for d, c in counts]

    @strawberry.field(description="Mentions in all documents together.")
    def mention_total(self) -> int:
        return self.data["mention_total"]

    @strawberry.field(
        description="Its Louvain community in a network: the knowledge graph by default, or the "
        "co-occurrence network (of every document, or of one); null where it is not in that "
        "network (an event, or an entity no sentence mentions with another), and in a knowledge "
        "graph of over 100,000 edges, whose communities are not computed."
    )
    def community(
        self,
        info: Info,
        network: Annotated[Network, arg(NETWORK)] = Network.KNOWLEDGE,
        document: Annotated[str | None, arg(NETWORK_DOCUMENT)] = None,
    ) -> Community | None:
        if network is Network.KNOWLEDGE and graph_of(info).communities.not_computed:
            return None  # a graph too large for them (graph.communities.MAX_EDGES)
        communities, _ = communities_of(info, network, document)
        number = communities.of.get(str(self.id))
        return None if number is None else make_community(communities, number, network, document)

    @strawberry.field(description="Its place in the deterministic layout the exports also use.")
    def position(self) -> Position:
        return Position(x=self.data["x"], y=self.data["y"])

    @strawberry.field(description="Its centrality in the whole graph.")
    def centrality(self) -> Centrality:
        d = self.data
        return Centrality(degree=d["degree"], betweenness=d["betweenness"], pagerank=d["pagerank"])

    @strawberry.field(
        description="Its edges, filtered by type (relation type or role), by the kind of the node "
        "at the other end, by edge kind and by direction."
    )
    def relations(
        self,
        info: Info,
        types: Annotated[list[str] | None, arg(TYPES_FILTER)] = None,
        kinds: Annotated[
            list[NodeKind] | None, arg("Only edges whose other end is of these kinds.")
        ] = None,
        edge_kind: Annotated[
            EdgeKind | None, arg("Only relations, or only participations.")
        ] = None,
        direction: Annotated[Direction, arg("Leaving it, arriving at it, or both.")] = (
            Direction.BOTH
        ),
    ) -> list[Relation]:
        edges = q.edges_of(
            graph_of(info),
            self.id,
            direction=direction.value,
            types=check_types("types", types),
            kinds=_kinds(kinds),
            edge_kind=None if edge_kind is None else edge_kind.value,
        )
        return [make_relation(e) for e in edges]

    @strawberry.field(
        description="Nodes within `depth` steps along the filtered edges, nearest first. "
        "`kinds` filters the nodes returned, not those walked through."
    )
    def neighbors(
        self,
        info: Info,
        depth: Annotated[int, arg("How many steps, from 1 to the radius limit (3).")] = 1,
        types: Annotated[list[str] | None, arg("Walk only along edges of these types.")] = None,
        kinds: Annotated[list[NodeKind] | None, arg("Return only nodes of these kinds.")] = None,
        direction: Annotated[Direction, arg("Walk along edges in this direction.")] = (
            Direction.BOTH
        ),
    ) -> list[Neighbor]:
        ctx = context_of(info)
        check_range("depth", depth, 1, ctx.limits.max_radius)
        found = q.neighbourhood(
            ctx.graph,
            self.id,
            depth=depth,
            direction=direction.value,
            types=check_types("types", types),
            kinds=_kinds(kinds),
            max_depth=ctx.limits.max_radius,
        )
        return [Neighbor(node=make_node(ctx.graph, n), distance=d) for n, d in found]

    @strawberry.field(description="The events it takes part in, in story order, with its role.")
    def events(
        self, info: Info, role: Annotated[Role | None, arg(ROLE_FILTER)] = None
    ) -> list[Participant]:
        K = graph_of(info)
        edges = q.edges_of(
            K,
            self.id,
            direction="out",
            edge_kind="participation",
            types=None if role is None else {role.value},
        )
        order = K.timeline_position
        return [Participant(relation=e) for e in sorted(edges, key=lambda e: order[e.target])]


@strawberry.type(description="An entity or event near another, and how near.")
class Neighbor:
    node: Entity = strawberry.field(description="The entity or event reached.")
    distance: int = strawberry.field(description="How many steps away it is.")


def _related(info: Info, node: str, types: set[str], direction: q.Direction) -> list[Entity]:
    K = graph_of(info)
    edges = q.edges_of(K, node, direction=direction, types=types, edge_kind="relation")
    return make_nodes(K, dict.fromkeys(e.other(node) for e in edges))


@strawberry.type(description="A character of the film (a person of the story, or a group).")
class Character(Entity):
    @strawberry.field(description="The people who play this character.")
    def actors(self, info: Info) -> list[Person]:
        return _related(info, self.id, {"plays"}, "in")  # type: ignore[return-value]


@strawberry.type(description="A real person: cast, crew, or someone the articles compare.")
class Person(Entity):
    @strawberry.field(description="The characters this person plays.")
    def characters(self, info: Info) -> list[Character]:
        return _related(info, self.id, {"plays"}, "out")  # type: ignore[return-value]

    @strawberry.field(description="Works this person acted in, directed or wrote.")
    def works(self, info: Info) -> list[Work]:
        return _related(info, self.id, {"acted_in", "directed", "wrote"}, "out")  # type: ignore[return-value]


@strawberry.type(description="A place of the story world.")
class Place(Entity):
    @strawberry.field(description="Events that happen here, in story order.")
    def events_here(self, info: Info) -> list[Event]:
        K = graph_of(info)
        return make_nodes(K, q.timeline(K, place=self.id))  # type: ignore[return-value]

    @strawberry.field(description="Places this one lies in.")
    def located_in(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"located_in"}, "out")


@strawberry.type(description="An organisation: an agency, a company, a gang.")
class Organization(Entity):
    @strawberry.field(description="Who leads it, belongs to it or works for it.")
    def members(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"leads", "member_of", "works_for"}, "in")


@strawberry.type(name="Object", description="An object that matters to the plot.")
class PlotObject(Entity):
    @strawberry.field(description="Who owns it.")
    def owners(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"owns"}, "in")

    @strawberry.field(description="Who uses it.")
    def users(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"uses"}, "in")


@strawberry.type(description="A film, series or franchise.")
class Work(Entity):
    @strawberry.field(description="People who acted in, directed or wrote it.")
    def people(self, info: Info) -> list[Person]:
        return _related(info, self.id, {"acted_in", "directed", "wrote"}, "in")  # type: ignore[return-value]


@strawberry.type(description="A recurring symbol.")
class Symbol(Entity):
    @strawberry.field(description="What it stands for.")
    def meanings(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"symbolizes"}, "out")


@strawberry.type(description="An idea a symbol stands for.")
class Theme(Entity):
    @strawberry.field(description="The symbols that stand for it.")
    def symbols(self, info: Info) -> list[Entity]:
        return _related(info, self.id, {"symbolizes"}, "in")


@strawberry.type(description="Something that happens in the story.")
class Event(Entity):
    @strawberry.field(description="Position in the story world's chronology (smaller is earlier).")
    def story_order(self) -> int:
        return self.data["story_order"]

    @strawberry.field(description="Position in the film's telling, where the articles give one.")
    def narrative_order(self) -> int | None:
        return self.data["narrative_order"]

    @strawberry.field(description="How the film tells it: opening scene, flashback, final shot...")
    def narrative(self) -> str | None:
        return self.data["narrative"]

    @strawberry.field(description="Who and what take part, and in which role.")
    def participants(
        self, info: Info, role: Annotated[Role | None, arg(ROLE_FILTER)] = None
    ) -> list[Participant]:
        edges = q.participants(graph_of(info), self.id, None if role is None else role.value)
        return [Participant(relation=e) for e in edges]

    @strawberry.field(description="Where it happens.")
    def places(self, info: Info) -> list[Entity]:
        return self._role(info, "location")

    @strawberry.field(description="Who does it.")
    def agents(self, info: Info) -> list[Entity]:
        return self._role(info, "agent")

    @strawberry.field(description="Who or what it is done to.")
    def patients(self, info: Info) -> list[Entity]:
        return self._role(info, "patient")

    @strawberry.field(description="What it is done with.")
    def instruments(self, info: Info) -> list[Entity]:
        return self._role(info, "instrument")

    @strawberry.field(description="The event just before, in story order.")
    def previous(self, info: Info) -> Event | None:
        before, _ = q.adjacent_events(graph_of(info), self.id)
        return None if before is None else make_node(graph_of(info), before)  # type: ignore[return-value]

    @strawberry.field(name="next", description="The event just after, in story order.")
    def following(self, info: Info) -> Event | None:
        _, after = q.adjacent_events(graph_of(info), self.id)
        return None if after is None else make_node(graph_of(info), after)  # type: ignore[return-value]

    def _role(self, info: Info, role: str) -> list[Entity]:
        K = graph_of(info)
        return make_nodes(K, dict.fromkeys(e.source for e in q.participants(K, self.id, role)))


#: The kinds with fields of their own.
_TYPES_WITH_FIELDS: dict[str, type[Entity]] = {
    "character": Character,
    "person": Person,
    "place": Place,
    "organization": Organization,
    "object": PlotObject,
    "work": Work,
    "symbol": Symbol,
    "theme": Theme,
    "event": Event,
}


def _plain_node_type(kind: str) -> type[Entity]:
    """The GraphQL type of a kind with no fields of its own: an Entity named after the kind
    (``vehicle`` is ``Vehicle``, ``art_work`` is ``ArtWork``), described as the model does."""
    name = "".join(part.capitalize() for part in kind.split("_"))
    plain = type(name, (Entity,), {"__module__": __name__, "__doc__": None})
    return strawberry.type(plain, description=KINDS[kind])


#: Entity kind -> the GraphQL type of its nodes: one for every kind of the model.
NODE_TYPES: dict[str, type[Entity]] = {
    kind: _TYPES_WITH_FIELDS.get(kind) or _plain_node_type(kind) for kind in KINDS
}

ALL_NODE_TYPES = tuple(NODE_TYPES.values())
