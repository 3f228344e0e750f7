"""Global ids: the ``id`` of every ``Node`` of the schema, unique across all its types.

Entities and events keep their seed slug (``ok-ju``, ``burning-of-choi``): they are the graph's
nodes and share one namespace, checked unique by :mod:`graph.load`. The other identifiable
records have namespaces of their own that could collide with it, or with each other (a claim
``lamborghini`` of a dispute, the entity ``lamborghini``), so their ids carry a prefix ending in
a colon, which no slug has (``ID_PATTERN`` of :mod:`graph.load`):

- ``relation:<edge key>``: a relation's id, or a participation's ``event/role/entity``;
- ``dispute:<dispute id>``, ``claim:<dispute id>/<claim id>`` (as ``claim:`` in the seeds);
- ``document:<document id>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

RELATION: Final = "relation"
DISPUTE: Final = "dispute"
CLAIM: Final = "claim"
DOCUMENT: Final = "document"

Namespace = Literal["entity", "relation", "dispute", "claim", "document"]
_PREFIXED: tuple[Namespace, ...] = (RELATION, DISPUTE, CLAIM, DOCUMENT)


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A global id taken apart: which namespace, and the id within it."""

    namespace: Namespace
    local: str


def relation_id(key: str) -> str:
    return f"{RELATION}:{key}"


def dispute_id(dispute: str) -> str:
    return f"{DISPUTE}:{dispute}"


def claim_id(dispute: str, claim: str) -> str:
    return f"{CLAIM}:{dispute}/{claim}"


def document_id(document: str) -> str:
    return f"{DOCUMENT}:{document}"


def parse(global_id: str) -> GlobalId | None:
    """The namespace and local id of ``global_id``; ``None`` for a prefix no type has."""
    prefix, colon, local = global_id.partition(":")
    if not colon:
        return GlobalId("entity", global_id)
    for namespace in _PREFIXED:
        if prefix == namespace:
            return GlobalId(namespace, local)
    return None


def local_id(value: str, namespace: Namespace) -> str:
    """The record id a look-up argument names: ``value`` itself, or with the namespace's
    prefix taken off when it is a global id of that namespace (``document:plot-recap`` and
    ``plot-recap`` both name the document ``plot-recap``)."""
    prefix = f"{namespace}:"
    return value[len(prefix) :] if value.startswith(prefix) else value
