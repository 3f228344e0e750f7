"""Errors the graph layer raises when asked for something the graph does not have.

Each error carries the offending value as an attribute, so that the GraphQL API and the export
routes can name it back to whoever asked. All of them are :class:`ValueError` subclasses through
:class:`SelectionError`, and :class:`GraphError` is the common base.
"""

from __future__ import annotations

from collections.abc import Hashable

from graph.model import KINDS, RELATION_TYPES, ROLES


class GraphError(Exception):
    """Base class of the errors raised by the ``graph`` package."""


class SelectionError(GraphError, ValueError):
    """A selection (node kinds, relation types, ego network, size cap) cannot be made as asked."""

    #: The argument of :func:`graph.subgraph.select` at fault.
    parameter: str = ""


class UnknownNode(SelectionError):
    parameter = "center"

    def __init__(self, node_id: Hashable) -> None:
        super().__init__(node_id)
        self.node_id = node_id

    def __str__(self) -> str:
        return f"no node has the id {self.node_id!r}"


class UnknownKind(SelectionError):
    parameter = "kinds"

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

    def __str__(self) -> str:
        return f"unknown node kind {self.kind!r} (known: {', '.join(KINDS)})"


class UnknownRelationType(SelectionError):
    parameter = "relation_types"

    def __init__(self, relation_type: str) -> None:
        super().__init__(relation_type)
        self.relation_type = relation_type

    def __str__(self) -> str:
        known = ", ".join(sorted(RELATION_TYPES)) + "; roles: " + ", ".join(ROLES)
        return f"unknown relation type {self.relation_type!r} (known: {known})"


class InvalidRadius(SelectionError):
    """The radius is not a non-negative integer."""

    parameter = "radius"

    def __init__(self, radius: object) -> None:
        super().__init__(radius)
        self.radius = radius

    def __str__(self) -> str:
        return f"radius must be a non-negative integer, not {self.radius!r}"


class RadiusTooLarge(SelectionError):
    parameter = "radius"

    def __init__(self, radius: int, limit: int) -> None:
        super().__init__(radius, limit)
        self.radius = radius
        self.limit = limit

    def __str__(self) -> str:
        return f"radius {self.radius} is larger than the limit of {self.limit}"


class RadiusWithoutCenter(SelectionError):
    """A radius was given but no center node to measure it from."""

    parameter = "radius"

    def __init__(self, radius: object) -> None:
        super().__init__(radius)
        self.radius = radius

    def __str__(self) -> str:
        return f"radius {self.radius!r} needs a center node"


class InvalidMaxNodes(SelectionError):
    """The node cap is not a non-negative integer."""

    parameter = "max_nodes"

    def __init__(self, max_nodes: object) -> None:
        super().__init__(max_nodes)
        self.max_nodes = max_nodes

    def __str__(self) -> str:
        return f"max_nodes must be a non-negative integer, not {self.max_nodes!r}"


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
