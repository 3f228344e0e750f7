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
    "friend_of": "character is a friend of character",
    "classmate_of": "character went to school with character",
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


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from one seed document, located by character offsets after loading."""

    document: str
    quote: str
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    file: str
    title: str
    kind: str
    date: str | None
    text: str
    url: str | None = None


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


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    statement: str
    citations: tuple[Citation, ...]


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
class KnowledgeBase:
    """Everything the annotation says, loaded and verified, before it becomes a graph."""

    documents: dict[str, Document]
    entities: tuple[Entity, ...]
    events: tuple[Event, ...]
    relations: tuple[Relation, ...]
    disputes: tuple[Dispute, ...]
    extra: dict[str, object] = field(default_factory=dict)
