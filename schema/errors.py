"""Errors a client can act on: each names the argument at fault and carries a machine-readable code.

``BAD_USER_INPUT``: an argument is out of its bounds or malformed. ``NOT_FOUND``: an argument
names a node or document the graph does not have, where a ``null`` answer would hide the
mistake (a filter, a path end). Look-ups by id answer ``null`` instead. ``AMBIGUOUS_NAME``:
an argument that must name one node names several (``"ballerina"``); the error lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
from graphql import GraphQLError

from graph import filters
from graph.errors import SelectionError, UnknownDocument, UnknownNode
from graph.names import AmbiguousName


def bad_input(argument: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"Argument '{argument}' {message}",
        extensions={"code": "BAD_USER_INPUT", "argument": argument},
    )


def out_of_range(argument: str, value: object, low: int, high: int) -> GraphQLError:
    return bad_input(argument, f"must be between {low} and {high}, got {value!r}.")


def not_found(argument: str, value: str) -> GraphQLError:
    """An argument that must name a node names none (in the words of the filters' error)."""
    return GraphQLError(
        f"Argument '{argument}': {UnknownNode(value)}",
        extensions={"code": "NOT_FOUND", "argument": argument, "value": value},
    )


def ambiguous_name(argument: str, value: str, candidates: Sequence[str]) -> GraphQLError:
    """A name several nodes answer to, where one is required: the candidates, best first."""
    return GraphQLError(
        f"Argument '{argument}': {AmbiguousName(value, candidates)}",
        extensions={
            "code": "AMBIGUOUS_NAME",
            "argument": argument,
            "value": value,
            "candidates": list(candidates),
        },
    )


def check_range(argument: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise out_of_range(argument, value, low, high)
    return value


def filter_error(error: SelectionError, arguments: Mapping[str, str]) -> GraphQLError:
    """A filter :func:`graph.filters.parse_filter` refused, with the words the exports and the
    command line use, after the argument as this field spells it (``arguments``: the name
    ``graph.filters`` gives each argument -> the field's). ``extensions.known`` lists the valid
    values where there is a list; an unknown node or document is ``NOT_FOUND``."""
    argument = arguments.get(error.parameter, error.parameter)
    if isinstance(error, AmbiguousName):
        return ambiguous_name(argument, error.name, error.candidates)
    code = "NOT_FOUND" if isinstance(error, UnknownNode | UnknownDocument) else "BAD_USER_INPUT"
    extensions: dict[str, object] = {"code": code, "argument": argument, "value": error.value}
    if error.known:
        extensions["known"] = list(error.known)
    return GraphQLError(f"Argument '{argument}': {error}", extensions=extensions)


def check_types(
    argument: str, types: Iterable[str] | None, G: nx.MultiDiGraph[Any] | None = None
) -> set[str] | None:
    """The edge types asked for (in either case), as a set; a relation type or role that is
    not one (nor, given ``G``, a type its edges have) is refused as the exports refuse it,
    listing those there are."""
    if types is None:
        return None
    try:
        return set(filters.relation_types(types, G))
    except SelectionError as error:
        raise filter_error(error, {error.parameter: argument}) from None
