"""The four parameters of a GraphQL-over-HTTP request, from a JSON body or a query string."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from server.graphql_http.refusals import (
    BatchNotSupported,
    InvalidParameter,
    MalformedBody,
    MissingQuery,
    RepeatedParameter,
    json_type,
)

PARAMETERS = ("query", "operationName", "variables", "extensions")


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The four parameters of a GraphQL-over-HTTP request, checked for type.

    ``query`` is ``None`` only when ``extensions.persistedQuery`` stands for it
    (:mod:`server.graphql_http.persisted` fills it in before the request runs).
    """

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> GraphQLParams:
        query = values.get("query")
        extensions = values.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise InvalidParameter("extensions", extensions, "an object or null")
        if query is None and (extensions is None or "persistedQuery" not in extensions):
            raise MissingQuery()
        if query is not None and not isinstance(query, str):
            raise InvalidParameter("query", query, "a string")
        operation_name = values.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise InvalidParameter("operationName", operation_name, "a string or null")
        variables = values.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidParameter("variables", variables, "an object or null")
        return cls(query, operation_name, variables, extensions)


def params_from_body(body: bytes) -> GraphQLParams:
    if not body:
        raise MalformedBody("The request body is empty: send a JSON object with a 'query'")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The request body is not valid UTF-8: {error.reason}") from None
    try:
        payload = strict_json(text)
    except NotStrictJSON as error:
        raise MalformedBody(f"The request body is not valid JSON: {error.reason}") from None
    if isinstance(payload, list):
        raise BatchNotSupported(len(payload))
    if not isinstance(payload, dict):
        raise MalformedBody(f"The request body must be a JSON object, not {json_type(payload)}")
    return GraphQLParams.from_mapping(payload)


#: Deepest nesting of arrays and objects a request may send (variables are rarely deeper than
#: a few levels; Python's own JSON reader gives up near a thousand).
MAX_JSON_DEPTH = 64


class NotStrictJSON(ValueError):
    """Text that is not JSON as RFC 8259 has it, or nested past ``MAX_JSON_DEPTH``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def strict_json(text: str) -> Any:
    """``json.loads``, refusing what Python's reader lets through and saying why in words a
    client can act on: ``NaN``/``Infinity``, numbers too large for a double, a key repeated in
    one object (which would silently win), and nesting past ``MAX_JSON_DEPTH``."""
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except NotStrictJSON:
        raise
    except json.JSONDecodeError as error:
        raise NotStrictJSON(f"{error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise NotStrictJSON(_too_deep()) from None
    except ValueError as error:  # an integer past Python's limit on digits
        if "digits" in str(error):
            raise NotStrictJSON(
                f"it has an integer of more than {sys.get_int_max_str_digits()} digits"
            ) from None
        raise NotStrictJSON("it has a value that cannot be read") from None
    if nests_deeper_than(value, MAX_JSON_DEPTH):
        raise NotStrictJSON(_too_deep())
    return value


def _too_deep() -> str:
    return f"it nests arrays or objects more than {MAX_JSON_DEPTH} levels deep"


def _refuse_constant(name: str) -> Any:
    raise NotStrictJSON(f"{name} is not a JSON number (JSON has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 40 else f"{text[:20]}…{text[-10:]}"
        raise NotStrictJSON(f"the number {shown} is too large")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                shown = key if len(key) <= 40 else f"{key[:40]}…"
                raise NotStrictJSON(f"the key {shown!r} appears more than once in one object")
            seen.add(key)
    return value


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` deep in a JSON value, without
    recursion (a value of scalars only nests 0 deep)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, dict):
            stack.extend(
                (item, depth + 1) for item in current.values() if isinstance(item, (dict, list))
            )
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current if isinstance(item, (dict, list)))
    return False


def params_from_query_string(pairs: Iterable[tuple[str, str]]) -> GraphQLParams:
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            continue
        if name in values:
            raise RepeatedParameter(name)
        if name in ("variables", "extensions"):
            try:
                values[name] = strict_json(value)
            except NotStrictJSON as error:
                raise InvalidParameter(
                    name, value, f"a JSON-encoded object ({error.reason})"
                ) from None
        else:
            values[name] = value
    return GraphQLParams.from_mapping(values)


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The query string is not valid UTF-8: {error.reason}") from None
