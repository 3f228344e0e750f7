"""The endpoint's caches (server.graphql_http.caches) are bounded in bytes, whatever the traffic.

The soak sends cache-busting variants of large answers (the same query under new whitespace,
as the issue's attacker did) to the real app around the real graph, and holds the response
cache to its budget after every request.
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from server.answer_replay import AnswerReplay
from server.graphql_http.caches import ENTRY_OVERHEAD, BytesLRU, ResponseCache, response_key
from server.settings import Settings


def test_the_oldest_entries_go_once_the_budget_is_spent() -> None:
    cache: BytesLRU[str, str] = BytesLRU(max_bytes=100, max_entry_bytes=60)
    assert cache.put("a", "A", 40) and cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # now the most recently used
    assert cache.put("c", "C", 40)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.bytes == 80 and len(cache) == 2
    assert (cache.hits, cache.misses) == (3, 1)


def test_an_entry_over_its_size_is_not_kept_and_evicts_nothing() -> None:
    cache: BytesLRU[str, str] = BytesLRU(max_bytes=100, max_entry_bytes=60)
    cache.put("a", "A", 50)
    assert not cache.put("big", "B", 61)
    assert "big" not in cache and "a" in cache and cache.bytes == 50


def test_replacing_an_entry_counts_it_once() -> None:
    cache: BytesLRU[str, str] = BytesLRU(max_bytes=100)
    cache.put("a", "A", 5)
    cache.put("a", "AA", 6)
    assert cache.bytes == 6 and len(cache) == 1


def test_a_response_is_counted_with_its_key() -> None:
    cache = ResponseCache(max_bytes=10_000)
    key = response_key("{ hello }", None, {"b": 1, "a": [2]}, None)
    assert key == ("{ hello }", None, '{"a":[2],"b":1}', "")  # canonical: key order ignored
    cache.put_body(key, b"x" * 100)
    assert cache.bytes == 100 + len("{ hello }") + len('{"a":[2],"b":1}') + ENTRY_OVERHEAD


#: About 100 kB of answer: a page of relations with their citations' contexts.
LARGE = "{ relations(first: 100) { nodes { id citations { quote context(chars: 300) } } } }"
BUDGET, ENTRY = 1_000_000, 300_000
#: Room for a few dozen small documents (each costs its text and 700 bytes a token).
DOCUMENT_BUDGET = 200_000


@pytest.fixture(scope="module")
def small_cache_app(ballerina):
    from server.app import create_app

    settings = Settings(
        response_cache_bytes=BUDGET,
        response_cache_entry_bytes=ENTRY,
        document_cache_bytes=DOCUMENT_BUDGET,
    )
    app = create_app(ballerina, settings)
    with TestClient(app) as client:
        yield client, _endpoint(app)


def _replay(app) -> AnswerReplay:
    layer = app.middleware_stack
    while not isinstance(layer, AnswerReplay):
        layer = layer.app
    return layer


def _endpoint(app):
    from starlette.routing import Route

    return next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql")


def test_cache_busting_variants_keep_the_response_cache_within_its_budget(small_cache_app):
    client, endpoint = small_cache_app
    cache = endpoint.responses
    sizes = []
    for variant in range(60):  # 60 distinct texts of ~100 kB answers: 6 times the budget
        query = LARGE.replace(" { id", " " * (variant + 1) + "{ id")
        response = client.post("/graphql", json={"query": query})
        assert response.status_code == 200 and "errors" not in response.json()
        sizes.append(len(response.content))
        assert cache.bytes <= cache.max_bytes, variant
        replayed = _replay(client.app).answers
        assert replayed.bytes <= replayed.max_bytes, variant
    assert min(sizes) > BUDGET / 20  # large enough that the budget had to evict
    assert len(cache) <= BUDGET // min(sizes)
    assert len(cache) >= 2  # ...but the cache still serves its purpose
    # The latest answers are the ones kept, and replayed: by the response cache for the same
    # parameters in other bytes (the replay layer keys the bytes), by the replay layer for the
    # same bytes, which keeps within a budget of its own.
    hits = cache.hits
    latest = {"query": LARGE.replace(" { id", " " * 60 + "{ id")}
    respaced = json.dumps(latest, separators=(", ", ": "))
    client.post("/graphql", content=respaced, headers={"content-type": "application/json"})
    assert cache.hits == hits + 1
    replay = _replay(client.app)
    replayed = replay.answers.hits
    client.post("/graphql", json=latest)
    assert (replay.answers.hits, cache.hits) == (replayed + 1, hits + 1)
    assert 0 < replay.answers.bytes <= replay.answers.max_bytes


def test_an_answer_over_the_entry_size_is_served_but_not_cached(small_cache_app):
    client, endpoint = small_cache_app
    cache = endpoint.responses
    query = LARGE.replace("context(chars: 300)", "context(chars: 2000) document { text }")
    plain = {"accept-encoding": "identity"}
    first = client.post("/graphql", json={"query": query}, headers=plain)
    assert len(first.content) > ENTRY
    hits, replayed = cache.hits, _replay(client.app).answers.hits
    second = client.post("/graphql", json={"query": query}, headers=plain)
    assert second.content == first.content
    assert cache.hits == hits  # executed again, not replayed
    assert _replay(client.app).answers.hits == replayed
    assert cache.bytes <= cache.max_bytes
    # Sent gzip-compressed, the same answer is within the entry size: those bytes are replayed.
    compressed = client.post("/graphql", json={"query": query})
    assert compressed.headers["content-encoding"] == "gzip"
    assert int(compressed.headers["content-length"]) <= ENTRY
    again = client.post("/graphql", json={"query": query})
    assert again.content == first.content and cache.hits == hits
    assert _replay(client.app).answers.hits == replayed + 1


def test_the_document_cache_is_bounded_in_bytes_too(small_cache_app):
    client, endpoint = small_cache_app
    documents = endpoint.documents.cache
    for variant in range(200):
        client.post("/graphql", json={"query": "{ stats { nodeCount } }" + " " * variant})
        assert documents.bytes <= documents.max_bytes
    assert 10 < len(documents) < 200  # it evicted, and it still keeps some
