"""Every error a client gets carries a machine-readable ``extensions.code``: GraphQL's own
(syntax, validation, operation, variables), the limits', the arguments' and a bug's."""

from __future__ import annotations

import pytest

from server.graphql_http import answers

DEEP = '{ entity(name: "ok-ju") { ' + "neighbors { node { " * 12 + "id" + " } }" * 12 + " } }"
MANY_ALIASES = "{ " + " ".join(f"a{i}: stats {{ nodeCount }}" for i in range(31)) + " }"
MANY_TOKENS = "{ " + "stats { nodeCount } " * 700 + "}"


@pytest.mark.parametrize(
    ("query", "variables", "operation", "code"),
    [
        ("{ node(id: ", None, None, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", None, None, "GRAPHQL_VALIDATION_FAILED"),
        ("mutation { nope }", None, None, "GRAPHQL_VALIDATION_FAILED"),
        ("query A { stats { nodeCount } } query B { __typename }", None, None,
         "OPERATION_RESOLUTION_FAILURE"),
        ("{ __typename }", None, "Missing", "OPERATION_RESOLUTION_FAILURE"),
        ("query($id: ID!) { node(id: $id) { id } }", {}, None, "BAD_USER_INPUT"),
        (DEEP, None, None, "DEPTH_LIMIT_EXCEEDED"),
        (MANY_ALIASES, None, None, "ALIAS_LIMIT_EXCEEDED"),
        (MANY_TOKENS, None, None, "TOKEN_LIMIT_EXCEEDED"),
        ('{ entities(first: 1, last: 1) { totalCount } }', None, None, "BAD_USER_INPUT"),
        ('{ timeline(participant: "Keanu") { id } }', None, None, "NOT_FOUND"),
        ('{ entity(name: "ballerina") { id } }', None, None, "AMBIGUOUS_NAME"),
    ],
)  # fmt: skip
def test_every_error_names_its_kind(client, query, variables, operation, code) -> None:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables, "operationName": operation},
        headers={"accept": "application/graphql-response+json"},
    )
    errors = response.json()["errors"]
    assert errors and all(error["extensions"]["code"] == code for error in errors), errors


def test_a_bug_is_an_internal_error_with_its_code(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    # In a resolver: masked, at its path.
    monkeypatch.setattr("graph.query.timeline", broken)
    body = client.post("/graphql", json={"query": "{ bugInTimeline: timeline { id } }"}).json()
    assert body["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 3}],
            "path": ["bugInTimeline"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    # Outside any resolver: the whole request.
    monkeypatch.setattr(answers.Answers, "_execute_planned", broken)
    response = client.post("/graphql", json={"query": "{ bugInPlan: stats { nodeCount } }"})
    assert response.status_code == 500
    assert response.json()["errors"] == [
        {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    ]
