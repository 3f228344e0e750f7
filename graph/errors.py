"""Errors the graph layer raises when asked for something the graph does not have.

Each error carries the offending value as an attribute, so that the GraphQL API and the export
routes can name it back to whoever asked. All of them are :class:`ValueError` subclasses through
:class:`SelectionError`, and :class:`GraphError` is the common base.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from graph.model import CERTAINTIES, KINDS, RELATION_TYPES, ROLES


class GraphError(Exception):
    """Base class of the errors raised by the ``graph`` package."""


class SelectionError(GraphError, ValueError):
    """A selection (node kinds, relation types, documents, certainty, ego network, size cap)
    cannot be made as asked.

    The message never names the argument: the exports, the command line and GraphQL spell it
    each their own way (``relation``, ``--relation``, ``types``) and put their spelling first.
    """

    #: The argument of :func:`graph.filters.parse_filter` at fault.
    parameter: str = ""
    #: The values the argument accepts, where they can be listed (kinds, types, documents).
    known: tuple[str, ...] = ()

    @property
    def value(self) -> object:
        """The offending value, as given."""
        return self.args[0] if self.args else None


class UnknownNode(SelectionError):
    parameter = "center"

    def __init__(self, node_id: Hashable) -> None:
        super().__init__(node_id)
        self.node_id = node_id

    def __str__(self) -> str:
        return f"no node has the id, name or alias {self.node_id!r}"


class UnknownKind(SelectionError):
    parameter = "kinds"

    def __init__(self, kind: str, known: Iterable[str] = KINDS) -> None:
        super().__init__(kind)
        self.kind = kind
        self.known = tuple(known)

    def __str__(self) -> str:
        return f"unknown node kind {self.kind!r} (known: {', '.join(self.known)})"


class UnknownRelationType(SelectionError):
    """Neither a relation type nor a participant role. ``known`` lists the relation types
    (sorted), then the roles."""

    parameter = "relation_types"

    def __init__(
        self,
        relation_type: str,
        relation_types: Iterable[str] = sorted(RELATION_TYPES),
        roles: Iterable[str] = ROLES,
    ) -> None:
        super().__init__(relation_type)
        self.relation_type = relation_type
        self.relation_types = tuple(relation_types)
        self.roles = tuple(roles)
        self.known = self.relation_types + self.roles

    def __str__(self) -> str:
        known = ", ".join(self.relation_types) + "; roles: " + ", ".join(self.roles)
        return f"unknown relation type {self.relation_type!r} (known: {known})"


class UnknownDocument(SelectionError):
    """A document filter naming no document of the graph."""

    parameter = "documents"

    def __init__(self, document: str, known: Iterable[str]) -> None:
        super().__init__(document)
        self.document = document
        self.known = tuple(known)

    def __str__(self) -> str:
        return f"no document has the id {self.document!r} (known: {', '.join(self.known)})"


class UnknownCertainty(SelectionError):
    parameter = "certainty"

    def __init__(self, certainty: str) -> None:
        super().__init__(certainty)
        self.certainty = certainty
        self.known = tuple(CERTAINTIES)

    def __str__(self) -> str:
        return f"unknown certainty {self.certainty!r} (known: {', '.join(self.known)})"


def _bounds(low: int, high: int | None) -> str:
    return f"between {low} and {high}" if high is not None else f"an integer of at least {low}"


class InvalidRadius(SelectionError):
    """The radius is not a non-negative integer (``limit``: the largest allowed, if any)."""

    parameter = "radius"

    def __init__(self, radius: object, limit: int | None = None) -> None:
        super().__init__(radius)
        self.radius = radius
        self.limit = limit

    def __str__(self) -> str:
        return f"must be {_bounds(0, self.limit)}, not {self.radius!r}"


class RadiusTooLarge(InvalidRadius):
    """The radius is over the limit."""

    def __init__(self, radius: int, limit: int) -> None:
        super().__init__(radius, limit)


class RadiusWithoutCenter(SelectionError):
    """A radius was given but no center node to measure it from."""

    parameter = "radius"

    def __init__(self, radius: object) -> None:
        super().__init__(radius)
        self.radius = radius

    def __str__(self) -> str:
        return f"{self.radius!r} needs a center to measure it from"


class InvalidMaxNodes(SelectionError):
    """The node cap is not a positive integer, or is over ``limit``."""

    parameter = "max_nodes"

    def __init__(self, max_nodes: object, limit: int | None = None) -> None:
        super().__init__(max_nodes)
        self.max_nodes = max_nodes
        self.limit = limit

    def __str__(self) -> str:
        return f"must be {_bounds(1, self.limit)}, not {self.max_nodes!r}"


class QueryError(GraphError, ValueError):
    """A graph query's argument is out of its documented bounds."""


class OutOfBounds(QueryError):
    """An argument is outside the range the service allows, e.g. a path length over the limit."""

    def __init__(self, argument: str, value: object, bound: str) -> None:
        super().__init__(argument, value, bound)
        self.argument = argument
        self.value = value
        self.bound = bound

    def __str__(self) -> str:
        return f"{self.argument} must be {self.bound}, not {self.value!r}"
