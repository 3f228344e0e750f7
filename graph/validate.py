"""Cross-reference checks of a parsed knowledge base: ids, vocabularies, references, aliases.

:func:`validate` returns every problem it finds; it never stops at the first.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from graph.model import ENTITY_KINDS, RELATION_TYPES, ROLES, KnowledgeBase
from graph.problems import Problem
from graph.quotes import normalize


def validate(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append

    node_file: dict[str, str] = {}
    for record in (*kb.entities, *kb.events):
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
    problems += _alias_collisions(kb)

    claims = {f"{d.id}/{c.id}" for d in kb.disputes for c in d.claims}
    not_a_claim = "is not a dispute-id/claim-id of disputes.yaml"

    for event in kb.events:
        seen: set[tuple[str, str]] = set()
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
            if (p.entity, p.role) in seen:
                add(Problem(event.source, where, f"listed twice as {p.role!r}"))
            seen.add((p.entity, p.role))
    for attr in ("story_order", "narrative_order"):
        counts = Counter(getattr(e, attr) for e in kb.events if getattr(e, attr) is not None)
        for event in kb.events:
            value = getattr(event, attr)
            if value is not None and counts[value] > 1:
                add(Problem(event.source, event.id, f"{attr} {value} is shared by another event"))

    relation_ids: set[str] = set()
    for relation in kb.relations:
        if relation.id in relation_ids:
            add(Problem(relation.origin, relation.id, "duplicate relation id"))
        relation_ids.add(relation.id)
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


def _alias_collisions(kb: KnowledgeBase) -> list[Problem]:
    """A surface form naming two entities must be marked ambiguous by both."""
    owners: dict[str, set[str]] = defaultdict(set)
    for entity in kb.entities:
        for form in {entity.name, *entity.aliases}:
            owners[normalize(form).casefold()].add(entity.id)
    marked = {
        (entity.id, normalize(form).casefold())
        for entity in kb.entities
        for form in entity.ambiguous
    }
    problems = []
    for entity in kb.entities:
        for form in sorted(set(entity.aliases)):
            key = normalize(form).casefold()
            others = sorted(owners[key] - {entity.id})
            if others and (entity.id, key) not in marked:
                problems.append(
                    Problem(
                        entity.source,
                        entity.id,
                        f"alias {form!r} also names {', '.join(others)}: mark it under 'ambiguous'",
                    )
                )
    return problems
