"""Cross-reference checks of a parsed knowledge base: ids, vocabularies, references, aliases,
the shape of the relations (no self-relations, no cycles where the type forbids them) and the
uniqueness of every edge key.

:func:`validate` returns every problem it finds; it never stops at the first.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict

import networkx as nx

from graph.model import (
    ACYCLIC_RELATION_TYPES,
    DOCUMENT_KINDS,
    ENTITY_KINDS,
    RELATION_TYPES,
    ROLES,
    Entity,
    Event,
    KnowledgeBase,
    Relation,
    participation_key,
)
from graph.problems import Problem
from graph.quotes import normalize

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def validate(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append

    node_file: dict[str, str] = {}
    records: tuple[Entity | Event, ...] = (*kb.entities, *kb.events)
    for record in records:
        if record.id in node_file:
            add(
                Problem(
                    record.source,
                    record.id,
                    f"duplicate id (already used in {node_file[record.id]})",
                )
            )
        else:
            node_file[record.id] = record.source
    entity_ids = {e.id for e in kb.entities}

    for entity in kb.entities:
        if entity.kind not in ENTITY_KINDS:
            add(
                Problem(
                    entity.source,
                    entity.id,
                    f"unknown kind {entity.kind!r} (known: {', '.join(sorted(ENTITY_KINDS))})",
                )
            )
        for form in entity.ambiguous:
            if form not in (*entity.aliases, *entity.descriptions, entity.name):
                add(
                    Problem(
                        entity.source,
                        entity.id,
                        f"ambiguous form {form!r} is not one of its aliases or descriptions",
                    )
                )
    problems += _name_collisions(kb)

    claims = {f"{d.id}/{c.id}" for d in kb.disputes for c in d.claims}
    not_a_claim = "is not a dispute-id/claim-id of disputes.yaml"

    for event in kb.events:
        for p in event.participants:
            where = f"{event.id} participant {p.entity}"
            if p.entity not in node_file:
                add(Problem(event.source, where, f"unknown entity {p.entity!r}"))
            elif p.entity not in entity_ids:
                add(Problem(event.source, where, f"{p.entity!r} is an event, not an entity"))
            if p.role not in ROLES:
                add(
                    Problem(
                        event.source, where, f"unknown role {p.role!r} (known: {', '.join(ROLES)})"
                    )
                )
            if p.claim is not None and p.claim not in claims:
                add(Problem(event.source, where, f"claim {p.claim!r} {not_a_claim}"))
    for attr in ("story_order", "narrative_order"):
        counts = Counter(getattr(e, attr) for e in kb.events if getattr(e, attr) is not None)
        for event in kb.events:
            value = getattr(event, attr)
            if value is not None and counts[value] > 1:
                add(Problem(event.source, event.id, f"{attr} {value} is shared by another event"))

    problems += _edge_keys(kb)
    problems += _self_relations(kb)
    problems += _cycles(kb)
    for relation in kb.relations:
        if relation.type not in RELATION_TYPES:
            add(Problem(relation.origin, relation.id, f"unknown relation type {relation.type!r}"))
        for end in ("source", "target"):
            ref = getattr(relation, end)
            if ref not in node_file:
                add(Problem(relation.origin, relation.id, f"{end} {ref!r} is not a known id"))
        if relation.claim is not None and relation.claim not in claims:
            add(Problem(relation.origin, relation.id, f"claim {relation.claim!r} {not_a_claim}"))

    dispute_ids: set[str] = set()
    for dispute in kb.disputes:
        if dispute.id in dispute_ids:
            add(Problem(dispute.source, dispute.id, "duplicate dispute id"))
        dispute_ids.add(dispute.id)
        claim_ids = [c.id for c in dispute.claims]
        for claim_id, count in Counter(claim_ids).items():
            if count > 1:
                add(Problem(dispute.source, f"{dispute.id}/{claim_id}", "duplicate claim id"))
        for ref in dispute.about:
            if ref not in node_file:
                add(Problem(dispute.source, dispute.id, f"'about' names unknown id {ref!r}"))
        if dispute.preferred is not None:
            if dispute.preferred not in claim_ids:
                add(
                    Problem(
                        dispute.source,
                        dispute.id,
                        f"preferred claim {dispute.preferred!r} is not one of its claims",
                    )
                )
            if not dispute.reason:
                add(
                    Problem(dispute.source, dispute.id, "a preferred claim needs a stated 'reason'")
                )
        elif dispute.reason:
            add(Problem(dispute.source, dispute.id, "'reason' given but no claim is 'preferred'"))
    return problems


def document_fields(kind: str | None, date: str | None) -> list[str]:
    """What is wrong with a document's ``kind`` and ``date`` (the caller names the entry).

    Called by the reader before the document's text is read, so that these are named even
    when the text cannot be.
    """
    messages = []
    if kind is not None and kind not in DOCUMENT_KINDS:
        known = ", ".join(DOCUMENT_KINDS)
        messages.append(f"unknown document kind {kind!r} (known: {known})")
    if date is not None and not _is_date(date):
        messages.append(f"date {date!r} is not a real date written YYYY-MM-DD (or null)")
    return messages


def _is_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False  # fromisoformat also takes "20231016" and "2023-W42-1"
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _edge_keys(kb: KnowledgeBase) -> list[Problem]:
    """Every edge key is unique in the whole graph, not only between its two nodes.

    Edges are relations (keyed by their id) and participations (keyed by
    :func:`participation_key`); the graph's indexes and the API name an edge by its key alone.
    """
    problems = []
    participations: dict[str, str] = {}  # edge key -> the event it is a participation in
    for event in kb.events:
        for p in event.participants:
            key = participation_key(event.id, p.role, p.entity)
            if key in participations:
                where = f"{event.id} participant {p.entity}"
                problems.append(Problem(event.source, where, f"listed twice as {p.role!r}"))
            participations[key] = event.id
    relation_ids: set[str] = set()
    for relation in kb.relations:
        if relation.id in relation_ids:
            problems.append(Problem(relation.origin, relation.id, "duplicate relation id"))
        elif relation.id in participations:
            problems.append(
                Problem(
                    relation.origin,
                    relation.id,
                    "relation id is already the key of a participant of "
                    f"{participations[relation.id]}",
                )
            )
        relation_ids.add(relation.id)
    return problems


def _self_relations(kb: KnowledgeBase) -> list[Problem]:
    return [
        Problem(r.origin, r.id, f"relates {r.source!r} to itself")
        for r in kb.relations
        if r.source == r.target
    ]


def _cycles(kb: KnowledgeBase) -> list[Problem]:
    """One problem per cycle of an acyclic relation type, at the relation that comes first.

    Each strongly connected component of a type's relations holds at least one cycle; one of
    them is named, so that the message shows the loop to break.
    """
    by_type: dict[str, dict[tuple[str, str], Relation]] = defaultdict(dict)
    for relation in kb.relations:
        if relation.type in ACYCLIC_RELATION_TYPES and relation.source != relation.target:
            by_type[relation.type].setdefault((relation.source, relation.target), relation)
    problems = []
    for kind, edges in sorted(by_type.items()):
        G = nx.DiGraph(list(edges))
        for component in nx.strongly_connected_components(G):
            if len(component) < 2:
                continue
            loop = [edges[u, v] for u, v in nx.find_cycle(G.subgraph(component))]
            first = min(range(len(loop)), key=lambda i: (loop[i].origin, loop[i].id))
            loop = loop[first:] + loop[:first]
            path = " -> ".join([*(r.source for r in loop), loop[0].source])
            problems.append(
                Problem(
                    loop[0].origin,
                    loop[0].id,
                    f"{kind} goes round in a cycle, {path} "
                    f"(relations {', '.join(r.id for r in loop)}): remove one of them",
                )
            )
    return problems


def _name_collisions(kb: KnowledgeBase) -> list[Problem]:
    """A name or alias shared by two entities must be listed under ``ambiguous`` by both.

    Forms are compared as look-up compares them (normalised, case-folded). A form marked
    ambiguous names none of its entities on its own: looking it up answers nothing, and it
    counts as a mention of neither. Unmarked, one of them would win by accident.
    """
    owners: dict[str, set[str]] = defaultdict(set)
    forms_of: list[dict[str, tuple[str, str]]] = []  # per entity: key -> ("name"|"alias", form)
    for entity in kb.entities:
        forms = {normalize(entity.name).casefold(): ("name", entity.name)}
        for alias in entity.aliases:
            forms.setdefault(normalize(alias).casefold(), ("alias", alias))
        forms_of.append(forms)
        for key in forms:
            owners[key].add(entity.id)
    problems = []
    for entity, forms in zip(kb.entities, forms_of, strict=True):
        shared = [key for key in forms if len(owners[key]) > 1]
        if not shared:
            continue
        marked = {normalize(form).casefold() for form in entity.ambiguous}
        for key in sorted(shared):
            if key in marked:
                continue
            what, form = forms[key]
            others = ", ".join(sorted(owners[key] - {entity.id}))
            problems.append(
                Problem(
                    entity.source,
                    entity.id,
                    f"{what} {form!r} also names {others}: list it under 'ambiguous' in both",
                )
            )
    return problems
