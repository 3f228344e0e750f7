"""Automatic persisted queries (Apollo's protocol) on the real app, in process."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from schema.limits import Limits
from server.graphql_http import GraphQLEndpoint
from server.graphql_http.params import GraphQLParams
from server.graphql_http.persisted import PersistedQueries
from tests.toy_app import toy_context
from tests.toy_schema import schema as toy_schema

NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def persisted(query: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(query)}}


def post(client: TestClient, body: dict[str, Any], **headers: str):
    return client.post("/graphql", json=body, headers=headers)


def get_hash_only(client: TestClient, query: str, **headers: str):
    params = {"extensions": json.dumps(persisted(query), separators=(",", ":"))}
    return client.get("/graphql", params=params, headers=headers)


def test_an_unknown_hash_is_persisted_query_not_found_as_apollo_answers_it(
    client: TestClient,
) -> None:
    query = "{ stats { nodeCount } } # never sent in full"
    for response in (
        post(client, {"extensions": persisted(query)}),
        post(client, {"extensions": persisted(query)}, accept="application/graphql-response+json"),
        get_hash_only(client, query),
    ):
        assert response.status_code == 200
        assert response.json() == NOT_FOUND
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


def test_the_dance_stores_the_query_then_runs_it_by_hash_over_post_and_get(
    client: TestClient,
) -> None:
    query = "query Dance { stats { nodeCount edgeCount } }"
    expected = post(client, {"query": query}).json()
    assert "errors" not in expected
    assert post(client, {"extensions": persisted(query)}).json() == NOT_FOUND
    registered = post(client, {"query": query, "extensions": persisted(query)})
    assert registered.status_code == 200 and registered.json() == expected
    assert post(client, {"extensions": persisted(query)}).json() == expected
    by_get = get_hash_only(client, query)
    assert by_get.status_code == 200 and by_get.json() == expected
    tag = by_get.headers["etag"]  # a hash-only GET is a URL a CDN can cache
    again = get_hash_only(client, query, **{"if-none-match": tag})
    assert again.status_code == 304


def test_a_query_that_does_not_match_its_hash_is_refused_and_not_stored(
    client: TestClient,
) -> None:
    query = "{ stats { documentCount } }"
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha256("{ stats { nodeCount } }x")}}
    response = post(client, {"query": query, "extensions": wrong})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["message"] == "provided sha does not match query"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert post(client, {"extensions": wrong}).json() == NOT_FOUND


@pytest.mark.parametrize(
    ("extension", "code", "words"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", "2"),
        ({"sha256Hash": "0" * 64}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", "None"),
        ({"version": True, "sha256Hash": "0" * 64}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", ""),
        ({"version": 1, "sha256Hash": "ABC"}, "INVALID_PARAMETER", "sha256Hash"),
        ({"version": 1, "sha256Hash": "F" * 64}, "INVALID_PARAMETER", "lower-case"),
        ({"version": 1}, "INVALID_PARAMETER", "sha256Hash"),
        ("yes", "INVALID_PARAMETER", "extensions.persistedQuery"),
    ],
)
def test_a_malformed_persisted_query_extension_is_a_clear_400(
    client: TestClient, extension: Any, code: str, words: str
) -> None:
    response = post(client, {"extensions": {"persistedQuery": extension}})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert words in error["message"]


def test_without_query_or_persisted_query_the_query_is_still_missing(client: TestClient) -> None:
    response = post(client, {"extensions": {"somethingElse": 1}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "MISSING_QUERY"


def test_the_store_is_bounded_in_bytes() -> None:
    endpoint = GraphQLEndpoint(
        toy_schema,
        context=toy_context,
        limits=Limits(),
        max_body_bytes=100_000,
        graphiql_html=None,
        persisted_query_bytes=8_000,
    )
    client = TestClient(Starlette(routes=[Route("/graphql", endpoint)]))
    queries = [f'{{ hello(name: "{i}") }}' for i in range(30)]
    for query in queries:
        assert post(client, {"query": query, "extensions": persisted(query)}).status_code == 200
    assert endpoint.persisted.bytes <= 8_000
    assert 0 < len(endpoint.persisted) < len(queries)
    # The oldest went first; the newest is still answered by hash.
    assert post(client, {"extensions": persisted(queries[0])}).json() == NOT_FOUND
    newest = post(client, {"extensions": persisted(queries[-1])}).json()
    assert newest == {"data": {"hello": "Hello, 29!"}}


def test_a_query_larger_than_an_entry_may_be_is_run_but_not_stored() -> None:
    store = PersistedQueries(max_bytes=1_000)
    query = "{ __typename }" + " " * 2_000
    params = GraphQLParams(query, extensions=persisted(query))
    assert store.resolve(params) is params
    assert len(store) == 0
