"""Errors a client can act on: each names the argument at fault and carries a machine-readable code.

``BAD_USER_INPUT``: an argument is out of its bounds or malformed. ``NOT_FOUND``: an argument
names a node, dispute or document the graph does not have, where a ``null`` answer would hide
the mistake (a filter, a path end). Look-ups by id answer ``null`` instead. ``AMBIGUOUS_NAME``:
an argument that must name one node names several (``"ballerina"``); the error lists them.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError

from graph.model import RELATION_TYPES, ROLES


def bad_input(argument: str, message: str) -> GraphQLError:
    return GraphQLError(
        f"Argument '{argument}' {message}",
        extensions={"code": "BAD_USER_INPUT", "argument": argument},
    )


def out_of_range(argument: str, value: object, low: int, high: int) -> GraphQLError:
    return bad_input(argument, f"must be between {low} and {high}, got {value!r}.")


def not_found(argument: str, value: str, what: str = "node") -> GraphQLError:
    return GraphQLError(
        f"Argument '{argument}': no {what} has the id, name or alias {value!r}.",
        extensions={"code": "NOT_FOUND", "argument": argument, "value": value},
    )


def ambiguous_name(argument: str, value: str, candidates: Sequence[str]) -> GraphQLError:
    """A name several nodes answer to, where one is required: the candidates, best first."""
    return GraphQLError(
        f"Argument '{argument}': {value!r} names {len(candidates)} nodes "
        f"({', '.join(candidates)}); give one of their ids.",
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


def check_types(argument: str, types: list[str] | None) -> set[str] | None:
    """The edge types asked for, as a set; a relation type or role not in the vocabulary is
    named rather than silently matching nothing."""
    if types is None:
        return None
    unknown = [t for t in types if t not in RELATION_TYPES and t not in ROLES]
    if unknown:
        raise bad_input(argument, f"names unknown relation types or roles: {unknown}.")
    return set(types)
