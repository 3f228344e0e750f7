"""The request's parameters (server.graphql_http.params): strict JSON and typed parameters.

Python's JSON reader is checked against what RFC 8259 allows; where it lets more through
(``NaN``, ``Infinity``, overflowing numbers, repeated keys), the request is refused naming why.
"""

from __future__ import annotations

import json

import pytest

from server.graphql_http.params import (
    MAX_JSON_DEPTH,
    NotStrictJSON,
    params_from_body,
    params_from_query_string,
    strict_json,
)
from server.graphql_http.refusals import InvalidParameter, MalformedBody, RepeatedParameter


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, 2.5, -3e10, true, null, "x"]}', '"\\ud800"', "[]", '{"": {}}', "1e308"],
)
def test_strict_json_reads_what_json_reads(text: str) -> None:
    assert strict_json(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("NaN", "NaN is not a JSON number"),
        ("[Infinity]", "Infinity is not a JSON number"),
        ('{"n": -Infinity}', "-Infinity is not a JSON number"),
        ("1e309", "the number 1e309 is too large"),
        ('{"a": 1, "a": 2}', "the key 'a' appears more than once in one object"),
        ("9" * 5000, "an integer of more than"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "more than 64 levels deep"),
        ("[" * 100_000, "levels deep"),
        ('{"a": ', "Expecting value (line 1, column 7)"),
    ],
)
def test_strict_json_refuses_what_json_lets_through_saying_why(text: str, reason: str) -> None:
    with pytest.raises(NotStrictJSON) as refusal:
        strict_json(text)
    assert reason in refusal.value.reason
    assert "recursion" not in refusal.value.reason and "sys." not in refusal.value.reason


def test_nesting_up_to_the_bound_is_read() -> None:
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert strict_json(text) == json.loads(text)


def test_a_body_is_refused_as_malformed_and_a_get_parameter_as_invalid() -> None:
    with pytest.raises(MalformedBody, match="not valid JSON: NaN is not"):
        params_from_body(b'{"query": "{ a }", "variables": {"x": NaN}}')
    with pytest.raises(InvalidParameter, match="JSON-encoded object .the number 1e999 is too"):
        params_from_query_string([("query", "{ a }"), ("variables", '{"x": 1e999}')])
    with pytest.raises(RepeatedParameter):
        params_from_query_string([("query", "{ a }"), ("query", "{ b }")])


def test_parameters_are_read_with_their_types() -> None:
    params = params_from_body(
        b'{"query": "{ a }", "operationName": "A", "variables": {"x": 1}, "extensions": null}'
    )
    assert (params.query, params.operation_name, params.variables, params.extensions) == (
        "{ a }",
        "A",
        {"x": 1},
        None,
    )
