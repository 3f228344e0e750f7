"""One filter language: the selection the exports, the command line and the GraphQL API take,
read and checked here, once, for all three.

:func:`parse_filter` takes the values as a client gives them and returns a checked
:class:`Filter`, which :func:`graph.subgraph.selected` applies; or it raises a
:class:`~graph.errors.SelectionError` that carries the value at fault, names the argument as
this module does (``parameter``) and lists the valid values where there is a list (``known``).
Each surface only maps the argument names to its own spelling (``relation_types`` is ``types``
in GraphQL, ``relation`` in the exports' query string, ``--relation`` on the command line), so
the three accept the same values, apply the same limits and refuse with the same words.

What a filter accepts:

- ``kinds``: node kinds of :data:`graph.model.KINDS`, in either case (``character``,
  ``CHARACTER``), or a kind the graph has although the vocabulary lacks it;
- ``relation_types``: relation types and participant roles, likewise;
- ``documents``: ids of the seed documents (either case): the claims cited from them;
- ``certainty``: ``stated``, ``hedged`` or ``inferred`` (either case): the claims of those
  certainties (a claim without one is ``stated``);
- ``center``: a node by id or by any name, alias or description (:mod:`graph.names`); a name
  several nodes answer to is refused with the candidates (:class:`graph.names.AmbiguousName`);
- ``radius``: hops from ``center``, 1 when not given, at most ``max_radius``;
- ``max_nodes``: at least 1, at most ``max_nodes_limit``.

``relation_types``, ``documents`` and ``certainty`` select *edges* (the claims): an edge is kept
when it matches all three. As a node is kept only where a kept edge joins it (unless
``keep_isolated``), each of them also decides which nodes are left.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.errors import (
    InvalidMaxNodes,
    InvalidRadius,
    RadiusTooLarge,
    RadiusWithoutCenter,
    UnknownCertainty,
    UnknownDocument,
    UnknownKind,
    UnknownNode,
    UnknownRelationType,
)
from graph.model import CERTAINTIES, KINDS, RELATION_TYPES, ROLES
from graph.names import Names

__all__ = ["DEFAULT_CERTAINTY", "DEFAULT_RADIUS", "Filter", "parse_filter", "relation_types"]

#: Radius of an ego network when a center is given without one.
DEFAULT_RADIUS = 1
#: The certainty of a claim that states none.
DEFAULT_CERTAINTY = "stated"


@dataclass(frozen=True, slots=True)
class Filter:
    """A checked selection (see the module docstring); ``None`` is "no filter" throughout.

    Made by :func:`parse_filter`, which resolves ``center`` to a node id, puts every vocabulary
    term in its own case and checks every bound: applying a Filter raises nothing.
    """

    kinds: frozenset[str] | None = None
    relation_types: frozenset[str] | None = None
    documents: frozenset[str] | None = None
    certainty: frozenset[str] | None = None
    #: A node id of the graph the filter was parsed against.
    center: Hashable | None = None
    #: Set exactly when ``center`` is.
    radius: int | None = None
    max_nodes: int | None = None
    #: Keep the nodes that no kept edge joins, when an edge filter is given.
    keep_isolated: bool = False

    @property
    def filters_edges(self) -> bool:
        """Whether some edges may be left out (and so, unless ``keep_isolated``, nodes)."""
        return (
            self.relation_types is not None
            or self.documents is not None
            or self.certainty is not None
        )

    def keeps_edge(self, data: Mapping[str, object]) -> bool:
        """Whether an edge with the attributes ``data`` passes the edge filters."""
        types, documents, certainty = self.relation_types, self.documents, self.certainty
        if types is not None and not _among(data.get("type"), types):
            return False
        if certainty is not None and not _among(
            data.get("certainty", DEFAULT_CERTAINTY), certainty
        ):
            return False
        return documents is None or any(d in documents for d in cited_documents(data))


def cited_documents(data: Mapping[str, object]) -> Iterable[object]:
    """The documents the citations of a node or an edge come from (``data``: its attributes)."""
    citations = data.get("citations")
    if not isinstance(citations, list | tuple):
        return ()
    return (getattr(c, "document", None) for c in citations)


def parse_filter(
    G: nx.MultiDiGraph[Any],
    *,
    kinds: Iterable[str] | None = None,
    relation_types: Iterable[str] | None = None,
    documents: Iterable[str] | None = None,
    certainty: Iterable[str] | None = None,
    center: Hashable | None = None,
    radius: int | None = None,
    max_nodes: int | None = None,
    keep_isolated: bool = False,
    names: Names | None = None,
    known_documents: Collection[str] | None = None,
    max_radius: int | None = None,
    max_nodes_limit: int | None = None,
) -> Filter:
    """The :class:`Filter` the arguments describe, each checked against the vocabularies, the
    graph ``G`` and the bounds; a bare string stands for a list of one.

    ``names`` resolves a ``center`` that is no node id; ``known_documents`` are the valid
    document ids (when not given, those the graph's citations name).

    Raises :class:`~graph.errors.UnknownKind`, :class:`~graph.errors.UnknownRelationType`,
    :class:`~graph.errors.UnknownDocument`, :class:`~graph.errors.UnknownCertainty`,
    :class:`~graph.errors.InvalidMaxNodes`, :class:`~graph.errors.InvalidRadius` (or its
    :class:`~graph.errors.RadiusTooLarge`), :class:`~graph.errors.RadiusWithoutCenter`,
    :class:`~graph.errors.UnknownNode` or :class:`graph.names.AmbiguousName`, checked in that
    order.
    """
    checked_kinds = None if kinds is None else _checked_kinds(G, kinds)
    checked_types = None if relation_types is None else _checked_relation_types(G, relation_types)
    checked_documents = (
        None if documents is None else _checked_documents(G, documents, known_documents)
    )
    checked_certainty = None if certainty is None else _checked_certainty(certainty)
    _check_max_nodes(max_nodes, max_nodes_limit)
    if center is None:
        if radius is not None:
            raise RadiusWithoutCenter(radius)
    else:
        radius = DEFAULT_RADIUS if radius is None else radius
        _check_radius(radius, max_radius)
        center = center if center in G else _named(G, center, names)
    return Filter(
        kinds=checked_kinds,
        relation_types=checked_types,
        documents=checked_documents,
        certainty=checked_certainty,
        center=center,
        radius=radius,
        max_nodes=max_nodes,
        keep_isolated=bool(keep_isolated),
    )


def relation_types(types: Iterable[str], G: nx.MultiDiGraph[Any] | None = None) -> frozenset[str]:
    """``types`` checked as :func:`parse_filter` checks its ``relation_types`` (against the
    vocabulary alone when no graph ``G`` is given)."""
    return _checked_relation_types(nx.MultiDiGraph() if G is None else G, types)


def _named(G: nx.MultiDiGraph[Any], name: Hashable, names: Names | None) -> Hashable:
    """The one node a name, alias or description names (see :mod:`graph.names`):
    :class:`UnknownNode` if none, :class:`graph.names.AmbiguousName` if several."""
    node = None if names is None or not isinstance(name, str) else names.require(name, G)
    if node is None:
        raise UnknownNode(name)
    return node


def _checked_kinds(G: nx.MultiDiGraph[Any], kinds: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(_term(k, KINDS) for k in _as_set(kinds))
    unknown = sorted((k for k in wanted if k not in KINDS), key=str)
    if unknown:
        # Rare path: the graph may use a kind the vocabulary lacks; only then pay a scan.
        present = _strings(data.get("kind") for _, data in G.nodes(data=True))
        for kind in unknown:
            if kind not in present:
                raise UnknownKind(kind, [*KINDS, *sorted(present - KINDS.keys())])
    return wanted


def _checked_relation_types(G: nx.MultiDiGraph[Any], types: Iterable[str]) -> frozenset[str]:
    vocabulary = RELATION_TYPES.keys() | ROLES.keys()
    wanted = frozenset(_term(t, vocabulary) for t in _as_set(types))
    unknown = sorted((t for t in wanted if t not in vocabulary), key=str)
    if unknown:
        present = _strings(data.get("type") for _, _, data in G.edges(data=True))
        for relation_type in unknown:
            if relation_type not in present:
                others = sorted(present - vocabulary)
                raise UnknownRelationType(relation_type, [*sorted(RELATION_TYPES), *others])
    return wanted


def _checked_documents(
    G: nx.MultiDiGraph[Any], documents: Iterable[str], known: Collection[str] | None
) -> frozenset[str]:
    if known is None:
        # A graph given without its documents: the ones its citations name.
        cited = [d for _, _, data in G.edges(data=True) for d in cited_documents(data)]
        cited += [d for _, data in G.nodes(data=True) for d in cited_documents(data)]
        known = sorted(_strings(cited))
    wanted = frozenset(_term(d, known) for d in _as_set(documents))
    for document in sorted(wanted, key=str):
        if document not in known:
            raise UnknownDocument(document, known)
    return wanted


def _checked_certainty(certainty: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(_term(c, CERTAINTIES) for c in _as_set(certainty))
    for value in sorted(wanted, key=str):
        if value not in CERTAINTIES:
            raise UnknownCertainty(value)
    return wanted


def _check_radius(radius: object, max_radius: int | None) -> None:
    if not isinstance(radius, int) or isinstance(radius, bool) or radius < 0:
        raise InvalidRadius(radius, max_radius)
    if max_radius is not None and radius > max_radius:
        raise RadiusTooLarge(radius, max_radius)


def _check_max_nodes(max_nodes: object, limit: int | None) -> None:
    if max_nodes is None:
        return
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1:
        raise InvalidMaxNodes(max_nodes, limit)
    if limit is not None and max_nodes > limit:
        raise InvalidMaxNodes(max_nodes, limit)


def _term(value: str, vocabulary: Collection[str]) -> str:
    """``value``, or the vocabulary term it spells in other case ("KILLS", "Co_Agent")."""
    if not isinstance(value, str) or value in vocabulary:
        return value
    lower = value.lower()
    return lower if lower in vocabulary else value


def _as_set(values: Iterable[str]) -> frozenset[str]:
    # A bare string is one value, not a collection of one-letter values.
    if isinstance(values, str):
        return frozenset((values,))
    return frozenset(values)


def _strings(values: Iterable[object]) -> set[str]:
    # Attributes may hold anything, lists included, which a set cannot even be asked about.
    return {v for v in values if isinstance(v, str)}


def _among(value: object, names: Collection[str]) -> bool:
    return isinstance(value, str) and value in names
