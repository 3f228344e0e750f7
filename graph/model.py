"""Typed records of the knowledge base, and the vocabularies they draw from.

The annotation files in ``seeds/`` are parsed into these records by :mod:`graph.load`, checked
by :mod:`graph.validate` and turned into a NetworkX graph by :mod:`graph.build`. Every record
that states something about the film carries at least one :class:`Citation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Kinds of node. ``event`` nodes are built from ``events.yaml``; all others from the entity files.
KINDS: dict[str, str] = {
    "character": "a character in the film (people in the story, named or not, and groups of them)",
    "person": "a real person: cast and crew, and people the articles compare them to",
    "place": "a location in the story world",
    "organization": "a company, agency, gang or other organised group acting as one",
    "object": "a physical thing that matters to the plot",
    "work": "a film, series or franchise (the film itself and those it is compared to)",
    "symbol": "a recurring symbol or motif",
    "theme": "an idea that a symbol stands for",
    "event": "something that happens in the story world",
}

ENTITY_KINDS = frozenset(KINDS) - {"event"}

#: How each kind is drawn, in the explorer and in the GEXF export (Tableau 10: distinct, and
#: readable on white and on black). A kind without a colour is drawn in :data:`OTHER_COLOR`.
KIND_COLORS: dict[str, str] = {
    "character": "#e15759",
    "person": "#f28e2b",
    "place": "#59a14f",
    "organization": "#4e79a7",
    "object": "#b07aa1",
    "work": "#edc948",
    "symbol": "#ff9da7",
    "theme": "#76b7b2",
    "event": "#9c755f",
}
OTHER_COLOR = "#bab0ac"

#: Roles an entity can play in an event (a small, documented vocabulary).
ROLES: dict[str, str] = {
    "agent": "who does it",
    "co_agent": "who does it together with the agent, or helps the agent do it",
    "patient": "who or what it is done to: the victim, the thing destroyed or taken",
    "instrument": "what it is done with",
    "location": "where it happens",
    "beneficiary": "for whose sake it is done",
    "recipient": "who receives something (a call, a note, a purchase)",
    "theme": "what is found, bought, watched, recorded or talked about",
    "witness": "who is present without acting",
}

#: Relation types between entities, each with the kinds it may join (``None``: any kind).
RELATION_TYPES: dict[str, str] = {
    "plays": "person plays character",
    "directed": "person directed work",
    "wrote": "person wrote work",
    "acted_in": "person acted in work",
    "appears_in": "character appears in work",
    "distributed_by": "work is distributed by organization",
    "compared_to": "work is compared to work",
    "part_of": "work or place is part of a larger one",
    "sequel_of": "work is, or would be, a sequel to work",
    "friend_of": "character is a friend of character",
    "classmate_of": "character went to school with character",
    "contrasts_with": "character is described as unlike character in personality or outlook",
    "bodyguard_of": "character was the bodyguard of character",
    "works_for": "character works or worked for someone or something",
    "boss_of": "character is the boss of character",
    "accomplice_of": "character is an accomplice of character",
    "member_of": "character is a member of a group",
    "leads": "character leads a group",
    "attended": "character went to a school",
    "lives_at": "character lives at place",
    "works_at": "character works at place",
    "located_in": "place or object is located in place",
    "near": "place is next to, behind or close to place (weaker than located_in)",
    "owns": "someone owns something",
    "uses": "someone uses something",
    "sells": "someone sells something",
    "supplies": "someone supplies something to someone",
    "introduces": "someone puts someone in touch with someone",
    "kills": "someone kills someone",
    "blackmails": "someone blackmails someone",
    "exploits": "someone preys upon or exploits someone",
    "records": "someone films or records someone",
    "kidnaps": "someone kidnaps someone",
    "rescues": "someone rescues someone",
    "helps": "someone helps someone",
    "threatens": "someone threatens someone",
    "avenges": "someone avenges someone",
    "contains": "an object holds or shows something",
    "depicts": "an object or work depicts someone",
    "mentions": "a document-like object names something",
    "labelled": "an object bears a label naming something",
    "front_for": "a business is a cover for something",
    "symbolizes": "a symbol stands for a theme",
    "identifies_as": "character takes on an identity",
    "desires": "character wishes for something",
}

#: Relation types whose edges must never form a cycle: containment. Nothing is (located) in
#: something that is in it. Relations between people are left out: in a story, who is whose
#: boss or who works for whom can change, and the articles may say both.
ACYCLIC_RELATION_TYPES: frozenset[str] = frozenset({"located_in", "part_of"})

#: Kinds of seed document (``kind:`` in ``documents.yaml``).
DOCUMENT_KINDS: dict[str, str] = {
    "recap": "retells the plot, scene by scene",
    "explainer": "explains the ending, the symbols or what the film means",
    "review": "judges the film",
}


#: How firmly the cited text supports a claim. Every relation, participation, description and
#: dispute claim has one; ``stated`` is the default.
CERTAINTIES: dict[str, str] = {
    "stated": "the cited article says it plainly",
    "hedged": "the cited article hedges it: probably, likely, may, appears, suggests, could",
    "inferred": "the annotation's own reading of what the articles say, with its reason",
}

#: Words with which an article hedges what it says. A quote containing one cannot be cited for a
#: ``stated`` claim unless the citation says why the hedge does not govern the claim (``hedge:``).
HEDGE_WORDS: tuple[str, ...] = (
    "probably",
    "likely",
    "unlikely",
    "may",
    "might",
    "maybe",
    "perhaps",
    "possibly",
    "possible",
    # "appears in the film" states; "appears to be" hedges.
    "appear to",
    "appears to",
    "appeared to",
    "appears that",
    "apparently",
    "apparent",
    "looks as if",
    "supposedly",
    "allegedly",
    "reportedly",
    "seem",
    "seems",
    "seemed",
    "suggest",
    "suggests",
    "suggesting",
    "could",
    "presumably",
    "speculate",
    "speculated",
    "rumoured",
    "rumored",
    "implies",
    "implied",
)


@dataclass(frozen=True, slots=True)
class Reference:
    """A referring expression in a quote ("him", "the antagonist") and the entity it names."""

    text: str
    entity: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure nodes are ranked by, computed when the graph is built."""

    #: Its name in the API (``orderBy: PAGERANK``).
    name: str
    description: str


#: Node attribute -> the measure it holds.
MEASURES: dict[str, Measure] = {
    "pagerank": Measure("PAGERANK", "PageRank: how much the rest of the graph points to it"),
    "betweenness": Measure("BETWEENNESS", "how many shortest paths between others pass by it"),
    "degree": Measure("DEGREE", "how many edges it has"),
    "mention_total": Measure("MENTIONS", "how often the documents mention it"),
}


def participation_key(event: str, role: str, entity: str) -> str:
    """The edge key of an entity's participation in an event. A relation's edge key is its id;
    :mod:`graph.validate` checks that no two edges share one."""
    return f"{event}/{role}/{entity}"


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from one seed document, located by character offsets after loading."""

    document: str
    quote: str
    start: int = -1
    end: int = -1
    #: Referring expressions in the quote that name an end of the claim it is cited for.
    refers: tuple[Reference, ...] = ()
    #: Why a hedge word in the quote does not govern the claim ("could" in "could not find").
    hedge: str = ""
    #: A mistake of the article's own that the citation notes (a misspelt name, a wrong word).
    erratum: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a review thinks of a work: a claim of that review, cited from it alone."""

    about: str
    statement: str
    citations: tuple[Citation, ...]
    certainty: str = "stated"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    file: str
    title: str
    kind: str
    date: str | None
    text: str
    url: str | None = None
    #: The document's own judgement of the work it is about, where it gives one.
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    description: str
    citations: tuple[Citation, ...]
    #: Surface forms this entity shares with another; they resolve to neither on their own.
    ambiguous: tuple[str, ...] = ()
    source: str = ""
    #: Certainty of the description (see CERTAINTIES), and the reason for an inferred one.
    certainty: str = "stated"
    reason: str = ""
    #: Referring descriptions the articles use for it ("local gangster"): searchable names,
    #: not counted as mentions.
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Participation:
    entity: str
    role: str
    citations: tuple[Citation, ...]
    note: str = ""
    #: ``dispute-id/claim-id`` when only one side of a disagreement has this participant.
    claim: str | None = None
    certainty: str = "stated"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    name: str
    description: str
    story_order: int
    participants: tuple[Participation, ...]
    citations: tuple[Citation, ...]
    #: Position in the film's telling, where the articles give one (``None``: not stated).
    narrative_order: int | None = None
    #: How the film tells it: "opening scene", "flashback", "final shot"...
    narrative: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    certainty: str = "stated"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    id: str
    source: str
    type: str
    target: str
    citations: tuple[Citation, ...]
    #: ``dispute-id/claim-id`` when this relation is one side of a disagreement.
    claim: str | None = None
    note: str = ""
    origin: str = ""
    certainty: str = "stated"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    statement: str
    citations: tuple[Citation, ...]
    certainty: str = "stated"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Dispute:
    id: str
    question: str
    about: tuple[str, ...]
    claims: tuple[Claim, ...]
    preferred: str | None = None
    reason: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class MentionRule:
    """How one occurrence of an ambiguous surface form is resolved: to ``entity`` when the text
    just before it matches ``before`` and the text just after it matches ``after`` (regular
    expressions; empty matches anything)."""

    entity: str
    before: str = ""
    after: str = ""
    why: str = ""


@dataclass(frozen=True, slots=True)
class MentionRules:
    """The rules for the ``forms`` of one ambiguous name, tried in order; the first that
    matches an occurrence decides it, and an occurrence no rule matches stays unresolved."""

    forms: tuple[str, ...]
    rules: tuple[MentionRule, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Everything the annotation says, loaded and verified, before it becomes a graph."""

    documents: dict[str, Document]
    entities: tuple[Entity, ...]
    events: tuple[Event, ...]
    relations: tuple[Relation, ...]
    disputes: tuple[Dispute, ...]
    extra: dict[str, object] = field(default_factory=dict)
    #: How the occurrences of ambiguous names are resolved (``annotations/mentions.yaml``).
    mention_rules: tuple[MentionRules, ...] = ()
