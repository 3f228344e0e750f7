"""The four parameters of a GraphQL-over-HTTP request, from a JSON body or a query string."""

from __future__ import annotations

import json
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
    """The four parameters of a GraphQL-over-HTTP request, checked for type."""

    query: str
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> GraphQLParams:
        query = values.get("query")
        if query is None:
            raise MissingQuery()
        if not isinstance(query, str):
            raise InvalidParameter("query", query, "a string")
        operation_name = values.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise InvalidParameter("operationName", operation_name, "a string or null")
        variables = values.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidParameter("variables", variables, "an object or null")
        extensions = values.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise InvalidParameter("extensions", extensions, "an object or null")
        return cls(query, operation_name, variables, extensions)


def params_from_body(body: bytes) -> GraphQLParams:
    if not body:
        raise MalformedBody("The request body is empty: send a JSON object with a 'query'")
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The request body is not valid UTF-8: {error.reason}") from None
    except (ValueError, RecursionError) as error:
        raise MalformedBody(f"The request body is not valid JSON: {error}") from None
    if isinstance(payload, list):
        raise BatchNotSupported(len(payload))
    if not isinstance(payload, dict):
        raise MalformedBody(f"The request body must be a JSON object, not {json_type(payload)}")
    return GraphQLParams.from_mapping(payload)


def params_from_query_string(pairs: Iterable[tuple[str, str]]) -> GraphQLParams:
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            continue
        if name in values:
            raise RepeatedParameter(name)
        if name in ("variables", "extensions"):
            try:
                values[name] = json.loads(value)
            except (ValueError, RecursionError) as error:
                raise InvalidParameter(name, value, "a JSON-encoded object") from error
        else:
            values[name] = value
    return GraphQLParams.from_mapping(values)


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The query string is not valid UTF-8: {error.reason}") from None
