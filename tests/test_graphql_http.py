"""The GraphQL HTTP layer in process: status codes, media types, limits, bad input, caching."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import anyio
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from strawberry.extensions import SchemaExtension

from schema.limits import Limits
from server.graphiql import ASSET_FILES, ASSET_PREFIX, graphiql_page
from server.graphql_http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    GraphQLEndpoint,
    NotAcceptable,
    choose_media_type,
)
from tests.toy_app import create_app, create_endpoint
from tests.toy_schema import Query, schema

GRJ = GRAPHQL_RESPONSE_JSON


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The toy app (overriding conftest's real-graph ``client``): this file tests the HTTP layer."""
    with TestClient(create_app()) as test_client:
        yield test_client


def post(client: TestClient, query: str, accept: str | None = None, **params: object):
    headers = {"accept": accept} if accept else {}
    return client.post("/graphql", json={"query": query, **params}, headers=headers)


def client_for(endpoint: GraphQLEndpoint) -> TestClient:
    return TestClient(Starlette(routes=[Route("/graphql", endpoint)]))


# --- success and media types --------------------------------------------------------------------


def test_post_runs_a_query_and_answers_application_json_by_default(client: TestClient) -> None:
    response = post(client, '{ hello(name: "Eve") color node { child { level } } later }')
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "data": {
            "hello": "Hello, Eve!",
            "color": "GREEN",
            "node": {"child": {"level": 2}},
            "later": "done",
        }
    }


def test_graphql_response_json_is_used_when_accepted(client: TestClient) -> None:
    response = post(client, "{ hello }", accept=f"{GRJ}, {JSON};q=0.9")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRJ)
    assert response.headers["vary"] == "Accept"
    assert response.json() == {"data": {"hello": "Hello, world!"}}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GRJ, GRJ),
        (f"{GRJ}, {JSON}", GRJ),
        (f"{JSON}, {GRJ}", GRJ),
        (f"{JSON}, {GRJ};q=0.5", JSON),
        (f"{GRJ};q=0.5, */*", JSON),
        (f"{GRJ};q=0.5, text/html", GRJ),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        (f"{JSON}; charset=utf-8", JSON),
        (f"{JSON};q=nonsense, {GRJ}", GRJ),
    ],
)
def test_choose_media_type(accept: str | None, expected: str) -> None:
    assert choose_media_type(accept) == expected


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", f"{JSON};q=0", f"{JSON}; charset=latin-1"]
)
def test_choose_media_type_refuses_what_it_cannot_serve(accept: str) -> None:
    with pytest.raises(NotAcceptable) as refusal:
        choose_media_type(accept)
    assert refusal.value.accept == accept


def test_repeated_accept_headers_count_as_one_list(client: TestClient) -> None:
    headers = [("content-type", JSON), ("accept", "text/csv"), ("accept", GRJ)]
    response = client.post("/graphql", content=b'{"query": "{ hello }"}', headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRJ)


def test_unacceptable_accept_header_is_406_naming_it(client: TestClient) -> None:
    response = post(client, "{ hello }", accept="text/csv")
    assert response.status_code == 406
    assert "text/csv" in response.json()["errors"][0]["message"]


# --- status codes of GraphQL request errors ----------------------------------------------------

REQUEST_ERRORS = {
    "syntax": ({"query": "{ hello"}, "Syntax Error"),
    "validation": ({"query": "{ nope }"}, "Cannot query field 'nope'"),
    "variable coercion": (
        {"query": "query ($t: String!) { echo(text: $t) }", "variables": {"t": None}},
        "Variable '$t'",
    ),
    "unknown operation": (
        {"query": "query A { hello } query B { hello }", "operationName": "C"},
        "Unknown operation named 'C'",
    ),
    "ambiguous operation": (
        {"query": "query A { hello } query B { hello }"},
        "Must provide operation name",
    ),
    "subscription": ({"query": "subscription { ticks }"}, "Subscriptions are not supported"),
    "invalid subscription": ({"query": "subscription { hello }"}, "Cannot query field 'hello'"),
}


@pytest.mark.parametrize("case", sorted(REQUEST_ERRORS))
@pytest.mark.parametrize(("accept", "status"), [(GRJ, 400), (JSON, 200), (None, 200)])
def test_request_errors_have_no_data_and_the_spec_status(
    client: TestClient, case: str, accept: str | None, status: int
) -> None:
    body, message = REQUEST_ERRORS[case]
    headers = {"accept": accept} if accept else {}
    response = client.post("/graphql", json=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(accept or JSON)
    payload = response.json()
    assert "data" not in payload
    assert message in payload["errors"][0]["message"]


def test_operation_name_selects_among_several(client: TestClient) -> None:
    response = post(
        client, 'query A { hello } query B { hello(name: "B") }', accept=GRJ, operationName="B"
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello, B!"}}


def test_a_mutation_runs_over_post(client: TestClient) -> None:
    response = post(client, "mutation { touch }", accept=GRJ)
    assert response.status_code == 200
    assert response.json() == {"data": {"touch": True}}


# --- errors raised while executing ---------------------------------------------------------------


def test_unexpected_resolver_error_is_masked_and_logged_once(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = post(client, "{ hello boom }", accept=GRJ)
    assert response.status_code == 200  # execution started: data is there
    payload = response.json()
    assert payload["data"] == {"hello": "Hello, world!", "boom": None}
    assert payload["errors"] == [
        {
            "message": "Internal server error",
            "locations": [{"line": 1, "column": 9}],
            "path": ["boom"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    assert "hunter2" not in response.text
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert isinstance(records[0].exc_info[1], RuntimeError)
    assert "boom" in records[0].getMessage()


def test_non_null_failure_nulls_data_but_is_still_200(client: TestClient) -> None:
    response = post(client, "{ hello must }", accept=GRJ)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    assert payload["errors"][0]["path"] == ["must"]


def test_errors_meant_for_clients_keep_their_message(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = post(client, "{ refuse refuseTyped }")
    messages = [error["message"] for error in response.json()["errors"]]
    assert messages == [
        "first must be at most 100 (got 101)",
        "search text is longer than 200 characters",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_unserialisable_result_is_a_logged_500_with_a_generic_message(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = post(client, "{ notANumber }")
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_context_reaches_resolvers(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ viewer }"}, headers={"x-viewer": "Eve"})
    assert response.json() == {"data": {"viewer": "Eve"}}


def test_lone_surrogates_from_the_client_still_give_valid_json(client: TestClient) -> None:
    body = b'{"query": "query ($t: String!) { echo(text: $t) }", "variables": {"t": "\\ud800!"}}'
    response = client.post("/graphql", content=body, headers={"content-type": JSON})
    assert response.status_code == 200
    assert response.content.isascii()
    assert json.loads(response.content) == {"data": {"echo": "\ud800!"}}


# --- limits --------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    # node is depth 1, each child one more; level closes the innermost selection.
    return "{ node { " + "child { " * (depth - 1) + "level" + " }" * depth + " }"


def test_depth_limit_names_itself_and_its_bound() -> None:
    with client_for(create_endpoint(Limits(max_depth=4))) as limited:
        assert post(limited, nested(4), accept=GRJ).status_code == 200
        response = post(limited, nested(5), accept=GRJ)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "exceeds maximum operation depth of 4 (max_depth)" in error["message"]
    assert error["extensions"] == {
        "code": "DEPTH_LIMIT_EXCEEDED",
        "limit": "max_depth",
        "depth": 5,
        "max": 4,
    }


def test_alias_limit_names_itself_and_its_bound() -> None:
    with client_for(create_endpoint(Limits(max_aliases=2))) as limited:
        assert post(limited, "{ a: hello b: hello }", accept=GRJ).status_code == 200
        response = post(limited, "{ a: hello b: hello c: hello }", accept=GRJ)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"].startswith("3 aliases found. Allowed: 2 (max_aliases)")
    assert error["extensions"] == {
        "code": "ALIAS_LIMIT_EXCEEDED",
        "limit": "max_aliases",
        "aliases": 3,
        "max": 2,
    }


def test_token_limit_names_itself_and_its_bound() -> None:
    with client_for(create_endpoint(Limits(max_tokens=10))) as limited:
        assert post(limited, "{ a: hello b: hello }", accept=GRJ).status_code == 200
        response = post(limited, "{ a: hello b: hello c: hello d: hello }", accept=GRJ)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "more than 10 tokens (max_tokens)" in error["message"]
    assert error["extensions"] == {"code": "TOKEN_LIMIT_EXCEEDED", "limit": "max_tokens", "max": 10}


def test_body_over_the_limit_is_413() -> None:
    with client_for(create_endpoint(max_body_bytes=200)) as limited:
        small = limited.post("/graphql", json={"query": "{ hello }"})
        big = limited.post("/graphql", json={"query": "{ hello }" + " " * 300})
    assert small.status_code == 200
    assert big.status_code == 413
    assert big.json() == {
        "errors": [
            {
                "message": "The request body is larger than the limit of 200 bytes",
                "extensions": {"code": "BODY_TOO_LARGE"},
            }
        ]
    }


def test_body_limit_holds_without_content_length_and_stops_reading() -> None:
    """A streamed body is cut off as soon as it passes the limit, not read to its end."""
    endpoint = create_endpoint(max_body_bytes=250)
    chunks_read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 100, "more_body": chunks_read < 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    anyio.run(endpoint, scope, receive, send)
    assert sent[0]["status"] == 413
    assert chunks_read == 3
    assert b"250 bytes" in sent[1]["body"]


# --- malformed requests --------------------------------------------------------------------------

MALFORMED_POSTS = {
    "empty body": (b"", JSON, 400, "empty"),
    "invalid JSON": (b'{"query": ', JSON, 400, "not valid JSON"),
    "not UTF-8": (b'{"query": "\xff"}', JSON, 400, "not valid UTF-8"),
    "batch": (b'[{"query": "{ hello }"}]', JSON, 400, "Batched requests are not supported"),
    "JSON string": (b'"{ hello }"', JSON, 400, "must be a JSON object, not a string"),
    "missing query": (b'{"qeury": "{ hello }"}', JSON, 400, "'query' parameter is missing"),
    "null query": (b'{"query": null}', JSON, 400, "'query' parameter is missing"),
    "number query": (b'{"query": 1}', JSON, 400, "'query' parameter must be a string"),
    "object variables": (
        b'{"query": "{ hello }", "variables": "{}"}',
        JSON,
        400,
        "'variables' parameter must be an object or null, not a string",
    ),
    "array extensions": (
        b'{"query": "{ hello }", "extensions": []}',
        JSON,
        400,
        "'extensions' parameter must be an object or null, not an array",
    ),
    "boolean operationName": (
        b'{"query": "{ hello }", "operationName": false}',
        JSON,
        400,
        "'operationName' parameter must be a string or null, not a boolean",
    ),
    "deeply nested JSON": (b"[" * 50_000 + b"]" * 50_000, JSON, 400, "not valid JSON"),
    "huge integer": (
        b'{"query": "{ hello }", "variables": {"n": ' + b"9" * 5000 + b"}}",
        JSON,
        400,
        "not valid JSON",
    ),
    "NaN": (b'{"query": "{ hello }", "variables": {"n": NaN}}', JSON, 400, "NaN is not a JSON"),
    "Infinity": (b'{"query": "{ hello }", "variables": {"n": -Infinity}}', JSON, 400, "no NaN or"),
    "overflowing float": (
        b'{"query": "{ hello }", "variables": {"n": 1e999}}',
        JSON,
        400,
        "the number 1e999 is too large",
    ),
    "repeated key": (
        b'{"query": "{ hello }", "query": "{ color }"}',
        JSON,
        400,
        "the key 'query' appears more than once in one object",
    ),
    "nested variables": (
        b'{"query": "{ hello }", "variables": ' + b'{"a": ' * 100 + b"1" + b"}" * 101,
        JSON,
        400,
        "nests arrays or objects more than 64 levels deep",
    ),
    "text/plain": (b'{"query": "{ hello }"}', "text/plain", 415, "not 'text/plain'"),
    "latin-1 JSON": (
        b'{"query": "{ hello }"}',
        "application/json; charset=latin-1",
        415,
        "Content-Type: application/json",
    ),
    "form": (b"query=%7Bhello%7D", "application/x-www-form-urlencoded", 415, "Content-Type"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_POSTS))
@pytest.mark.parametrize("accept", [GRJ, JSON])
def test_malformed_posts_are_refused_with_a_named_reason(
    client: TestClient, case: str, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    body, content_type, status, message = MALFORMED_POSTS[case]
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/graphql", content=body, headers={"content-type": content_type, "accept": accept}
        )
    assert response.status_code == status
    assert response.headers["content-type"].startswith(accept)
    errors = response.json()["errors"]
    assert len(errors) == 1 and message in errors[0]["message"]
    assert errors[0]["extensions"]["code"]  # a machine-readable name for each refusal
    # In the request's terms, not Python's.
    assert not any(word in errors[0]["message"] for word in ("recursion", "sys.", "Python"))
    assert not caplog.records  # client mistakes are not server incidents


def test_post_without_content_type_is_415(client: TestClient) -> None:
    response = client.post("/graphql", content=b'{"query": "{ hello }"}')  # no Content-Type
    assert response.status_code == 415
    assert "no Content-Type" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_are_405_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/graphql")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        assert method in response.json()["errors"][0]["message"]


def test_pathological_documents_are_refused_not_crashed(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    documents = [
        "{" * 1500,
        "{ node { " + "child { " * 900 + "level" + " }" * 900 + " } }",
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "{ node { ...C } } fragment C on Node { child { ...C } }",
        "#" + "x" * 50_000,
        "\x00",
        "",
    ]
    with caplog.at_level(logging.WARNING):
        for document in documents:
            for accept in (GRJ, JSON):
                response = post(client, document, accept=accept)
                assert response.status_code == (400 if accept == GRJ else 200), document[:40]
                assert response.json()["errors"], document[:40]
    assert not caplog.records


# --- GET ------------------------------------------------------------------------------------------


def test_get_runs_a_query_with_json_encoded_variables(client: TestClient) -> None:
    response = client.get(
        "/graphql",
        params={
            "query": "query Echo($t: String!) { echo(text: $t) }",
            "variables": json.dumps({"t": "grand jeté"}),
            "operationName": "Echo",
        },
        headers={"accept": GRJ},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"echo": "grand jeté"}}


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("mutation { touch }", "mutation"),
        ("mutation { doesNotExist }", "mutation"),
        ("subscription { ticks }", "subscription"),
        ("subscription { hello }", "subscription"),
    ],
)
def test_get_refuses_mutations_and_subscriptions_with_405(
    client: TestClient, query: str, kind: str
) -> None:
    response = client.get("/graphql", params={"query": query}, headers={"accept": GRJ})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert kind in response.json()["errors"][0]["message"]


def test_get_of_a_query_among_mutations_picks_by_operation_name(client: TestClient) -> None:
    params = {"query": "query Q { hello } mutation M { touch }", "operationName": "Q"}
    assert client.get("/graphql", params=params).json() == {"data": {"hello": "Hello, world!"}}
    params["operationName"] = "M"
    assert client.get("/graphql", params=params).status_code == 405


@pytest.mark.parametrize(
    ("query_string", "message"),
    [
        ("", "'query' parameter is missing"),
        ("query=%7Bhello%7D&query=%7Bhello%7D", "'query' parameter is given more than once"),
        ("query=%7Bhello%7D&variables=%7Bnot", "'variables' parameter must be a JSON-encoded"),
        ("query=%7Bhello%7D&variables=%5B%5D", "'variables' parameter must be an object or null"),
        ("query=%7Bhello%7D&extensions=3", "'extensions' parameter must be an object or null"),
        ("query=%FF", "not valid UTF-8"),
    ],
)
def test_malformed_gets_are_400(client: TestClient, query_string: str, message: str) -> None:
    response = client.get(f"/graphql?{query_string}", headers={"accept": GRJ})
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browser_get_without_query_gets_graphiql(client: TestClient) -> None:
    browser_accept = BROWSER_ACCEPT
    page = client.get("/graphql", headers={"accept": browser_accept})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>Toy GraphiQL</title>" in page.text
    assert f"{ASSET_PREFIX}/{ASSET_FILES['graphiql']}" in page.text
    # With a query the same browser gets the JSON answer.
    answer = client.get("/graphql?query=%7Bhello%7D", headers={"accept": browser_accept})
    assert answer.json() == {"data": {"hello": "Hello, world!"}}


def test_without_graphiql_a_browser_get_is_a_plain_missing_query() -> None:
    with client_for(create_endpoint(graphiql=False)) as no_page:
        response = no_page.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    assert "'query' parameter is missing" in response.json()["errors"][0]["message"]


# --- caching -------------------------------------------------------------------------------------


def test_same_query_twice_is_prepared_once_and_answers_the_same() -> None:
    endpoint = create_endpoint()
    with client_for(endpoint) as test_client:
        query = "query ($t: String!) { echo(text: $t) }"
        first = post(test_client, query, variables={"t": "one"})
        second = post(test_client, query, variables={"t": "two"})
        again = post(test_client, query, variables={"t": "one"})
    assert first.json() == again.json() == {"data": {"echo": "one"}}
    assert second.json() == {"data": {"echo": "two"}}  # variables are not part of the key
    cache = endpoint.documents.cache
    assert (cache.misses, cache.hits) == (1, 2)


def test_validation_errors_are_cached_and_still_reported() -> None:
    endpoint = create_endpoint()
    with client_for(endpoint) as test_client:
        first = post(test_client, "{ nope }", accept=GRJ)
        second = post(test_client, "{ nope }", accept=GRJ)
        as_json = post(test_client, "{ nope }", accept=JSON)
    assert first.status_code == second.status_code == 400
    assert as_json.status_code == 200
    assert first.content == second.content == as_json.content
    assert "Cannot query field 'nope'" in first.json()["errors"][0]["message"]
    cache = endpoint.documents.cache
    assert (cache.misses, cache.hits) == (1, 2)


def test_document_cache_is_bounded_in_bytes_and_per_endpoint() -> None:
    queries = ("{ hello }", "{ color }", "{ later }")
    # Each costs its text and 700 bytes a token (5, counting start and end): room for two.
    small = GraphQLEndpoint(
        schema,
        context=lambda request: {},
        limits=Limits(),
        max_body_bytes=1000,
        graphiql_html=None,
        document_cache_bytes=2 * (len(queries[0]) + 5 * 700) + 10,
    )
    small.documents.cache.max_entry_bytes = small.documents.cache.max_bytes
    other = create_endpoint()
    for query in (*queries, "{ hello }"):
        small.prepare(query)
    cache = small.documents.cache
    assert len(cache) == 2 and cache.bytes <= cache.max_bytes
    assert cache.misses == 4  # "{ hello }" was evicted, then prepared again
    assert len(other.documents.cache) == 0


def test_response_cache_answers_repeats_without_executing() -> None:
    calls: list[int] = []
    endpoint = GraphQLEndpoint(
        schema,
        context=lambda request: {"calls": calls},
        limits=Limits(),
        max_body_bytes=1000,
        graphiql_html=None,
        pure_resolvers=True,
        # Room for two of these answers with their keys, not three.
        response_cache_bytes=2 * 500 + 100,
        response_cache_entry_bytes=1000,
    )
    query = "query ($s: Int) { counted(step: $s) }"
    with client_for(endpoint) as test_client:
        first = post(test_client, query, variables={"s": 1})
        repeat = post(test_client, query, variables={"s": 1}, accept=GRJ)
        by_get = test_client.get("/graphql", params={"query": query, "variables": '{"s": 1}'})
        other_variables = post(test_client, query, variables={"s": 2})
        post(test_client, "{ hello }")  # evicts the least recently used entry
        after_eviction = post(test_client, query, variables={"s": 1})
    assert first.json() == repeat.json() == by_get.json() == {"data": {"counted": 1}}
    assert repeat.headers["content-type"].startswith(GRJ)
    assert other_variables.json() == {"data": {"counted": 2}}
    assert after_eviction.json() == {"data": {"counted": 3}}
    assert calls == [1, 2, 1]
    assert endpoint.responses is not None and len(endpoint.responses) == 2


def test_response_cache_keeps_neither_errors_nor_mutations(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []
    endpoint = GraphQLEndpoint(
        schema,
        context=lambda request: {"calls": calls},
        limits=Limits(),
        max_body_bytes=1000,
        graphiql_html=None,
        pure_resolvers=True,
        response_cache_bytes=100_000,
    )
    with client_for(endpoint) as test_client, caplog.at_level(logging.ERROR):
        for _ in range(2):
            post(test_client, "{ counted boom }")
            post(test_client, "mutation { touch }")
            post(test_client, "{ nope }")
    assert calls == [1, 1]  # the query with an error ran both times
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 2
    assert endpoint.responses is not None and len(endpoint.responses) == 0


# --- construction and assets --------------------------------------------------------------------


class Tracing(SchemaExtension):
    pass


def test_schema_extensions_are_refused_rather_than_skipped() -> None:
    with_extensions = strawberry.Schema(query=Query, extensions=[Tracing])
    with pytest.raises(ValueError, match="Tracing"):
        GraphQLEndpoint(
            with_extensions,
            context=lambda request: None,
            limits=Limits(),
            max_body_bytes=1000,
            graphiql_html=None,
        )


def test_graphiql_assets_are_served_and_nothing_else(client: TestClient) -> None:
    for name in ASSET_FILES.values():
        response = client.get(f"{ASSET_PREFIX}/{name}")
        assert response.status_code == 200, name
        assert len(response.content) > 1000
    assert client.get(f"{ASSET_PREFIX}/react/package.json").status_code == 404
    assert client.get(f"{ASSET_PREFIX}/graphiql/dist/index.js").status_code == 404
    assert client.get(f"{ASSET_PREFIX}/../package.json").status_code == 404


def test_graphiql_page_escapes_what_it_embeds() -> None:
    page = graphiql_page("/graphql", "# </script><script>alert(1)</script>", "A & <B>", "/x/")
    assert "<title>A &amp; &lt;B&gt;</title>" in page
    assert "</script><script>alert" not in page
    assert '"/x/graphiql/graphiql.min.js"' in page
