"""The replay layer (server.answer_replay) on the real app, called through ASGI: a repeated
request gets the very bytes the whole stack sent the first time, and only when that answer is a
function of the request."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import hashlib
import json
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from graph.knowledge import KnowledgeGraph
from server.answer_replay import AnswerReplay
from server.app import create_app
from server.graphql_http import GraphQLEndpoint
from server.settings import Settings

QUERY = "query ($id: ID!) { node(id: $id) { id ... on Entity { name neighbors { node { id } } } } }"
BODY = json.dumps({"query": QUERY, "variables": {"id": "ok-ju"}}).encode()
Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, bytes]


@pytest.fixture(scope="module")
def app(ballerina: KnowledgeGraph) -> Starlette:
    return fresh(create_app(ballerina, Settings(request_timeout=1.0)))


def run(app: Starlette, scenario: Callable[[], Awaitable[Any]]) -> Any:
    async def with_lifespan() -> Any:
        async with app.router.lifespan_context(app):
            return await scenario()

    return asyncio.run(with_lifespan())


async def call(
    app: Starlette,
    method: str = "POST",
    body: bytes = BODY,
    query_string: bytes = b"",
    headers: Headers = (),  # type: ignore[assignment]
    messages: list[dict[str, Any]] | None = None,
) -> Answer:
    all_headers = [(b"accept", b"application/json"), *headers]
    if method == "POST":
        length = str(sum(len(m.get("body", b"")) for m in messages or [{"body": body}]))
        all_headers += [
            (b"content-type", b"application/json"),
            (b"content-length", length.encode()),
        ]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql",
        "query_string": query_string, "root_path": "", "headers": all_headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    pending = list(messages or [{"type": "http.request", "body": body, "more_body": False}])
    answered = asyncio.Event()
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await app(scope, receive, send)
    return start["status"], [tuple(h) for h in start["headers"]], b"".join(chunks)  # type: ignore[misc]


def fresh(app: Starlette) -> Starlette:
    """``app`` as a new start-up leaves it: the replay layer's table forgotten."""
    with TestClient(app):
        pass
    assert len(replay_of(app).answers) == 0
    return app


def replay_of(app: Starlette) -> AnswerReplay:
    layer = app.middleware_stack
    while not isinstance(layer, AnswerReplay):
        layer = layer.app  # type: ignore[union-attr]
    return layer


def endpoint_of(app: Starlette) -> GraphQLEndpoint:
    endpoint: GraphQLEndpoint = app.state.endpoint
    return endpoint


def header(answer: Answer, name: bytes) -> bytes | None:
    return next((v for k, v in answer[1] if k == name), None)


def test_a_repeated_request_gets_the_same_bytes_without_the_stack(app: Starlette) -> None:
    async def scenario() -> tuple[list[Answer], int, int]:
        gzip_client = [(b"accept-encoding", b"gzip")]
        body = json.dumps({"query": QUERY, "variables": {"id": "ok-ju"}}, indent=1).encode()
        answers = [await call(app, body=body), await call(app, body=body)]
        answers += [await call(app, body=body, headers=gzip_client) for _ in range(2)]
        return answers, replay_of(app).answers.hits, endpoint_of(app).responses.hits  # type: ignore[union-attr]

    (first, second, zipped, zipped_again), replayed, cache_hits = run(fresh(app), scenario)
    assert first == second  # status, every header in its order, body
    assert zipped == zipped_again
    assert replayed == 2
    # The gzip client's first request is a new key for the replay layer, not for the cache.
    assert cache_hits == 1
    assert first[0] == 200 and b'"errors"' not in first[2]
    assert header(first, b"x-content-type-options") == b"nosniff"
    assert header(first, b"vary") == b"Accept, Accept-Encoding"
    assert header(zipped, b"content-encoding") == b"gzip"
    assert gzip.decompress(zipped[2]) == first[2]


def test_a_header_the_answer_depends_on_is_part_of_the_key(app: Starlette) -> None:
    response_json = [(b"accept", b"application/graphql-response+json")]

    async def scenario() -> list[Answer]:
        return [await call(app), await call(app, headers=response_json)]

    plain, other = run(app, scenario)
    assert plain[2] == other[2]
    assert header(plain, b"content-type") == b"application/json; charset=utf-8"
    assert header(other, b"content-type") == b"application/graphql-response+json; charset=utf-8"


def test_answers_with_errors_are_never_replayed(app: Starlette) -> None:
    bad = json.dumps({"query": '{ path(from: "no-such-node", to: "ok-ju") { length } }'})
    refused = json.dumps({"query": "{ nope }"}).encode()

    async def scenario() -> tuple[list[Answer], int]:
        before = len(replay_of(app).answers)
        answers = [await call(app, body=b) for b in (bad.encode(), bad.encode(), refused, refused)]
        return answers, len(replay_of(app).answers) - before

    answers, recorded = run(app, scenario)
    assert all(b'"errors"' in body for _, _, body in answers)
    assert answers[0] == answers[1] and answers[2] == answers[3]
    assert recorded == 0


def test_get_and_its_304_are_replayed_with_their_etag(app: Starlette) -> None:
    query_string = urlencode({"query": "{ stats { nodeCount } }"}).encode()

    async def scenario() -> tuple[list[Answer], int]:
        before = replay_of(app).answers.hits
        first = await call(app, "GET", b"", query_string)
        tag = header(first, b"etag")
        assert tag is not None
        asked = [(b"if-none-match", tag)]
        answers = [first, await call(app, "GET", b"", query_string)]
        answers += [await call(app, "GET", b"", query_string, asked) for _ in range(2)]
        return answers, replay_of(app).answers.hits - before

    (first, again, not_modified, not_modified_again), replayed = run(app, scenario)
    assert first == again and not_modified == not_modified_again
    assert not_modified[0] == 304 and not_modified[2] == b""
    assert header(not_modified, b"etag") == header(first, b"etag")
    assert header(not_modified, b"x-content-type-options") == b"nosniff"
    assert replayed == 2


def test_a_persisted_query_by_hash_is_replayed_only_while_it_is_stored(app: Starlette) -> None:
    query = "{ stats { edgeCount } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extension = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    by_hash = urlencode({"extensions": json.dumps(extension)}).encode()
    register = json.dumps({"query": query, "extensions": extension}).encode()

    async def scenario() -> list[Answer]:
        unknown = await call(app, "GET", b"", by_hash)
        registered = await call(app, body=register)
        found = [await call(app, "GET", b"", by_hash) for _ in range(2)]
        store = endpoint_of(app).persisted
        for i in range(20):  # the store's own LRU pushes the query out
            store.put(f"{i:064x}", "{ __typename }", store.max_entry_bytes)
        assert digest not in store
        forgotten = await call(app, "GET", b"", by_hash)
        return [unknown, registered, *found, forgotten]

    unknown, registered, found, found_again, forgotten = run(app, scenario)
    assert json.loads(unknown[2])["errors"][0]["message"] == "PersistedQueryNotFound"
    assert found == found_again and found[0] == 200
    assert found[2] == registered[2]
    assert forgotten == unknown  # asked for again, as Apollo's protocol has it


def test_a_body_in_parts_is_the_same_request_as_the_whole(app: Starlette) -> None:
    body = json.dumps({"query": QUERY, "variables": {"id": "ok-ju"}}, indent=2).encode()
    parts = [  # as granian sends a body: the bytes, then an empty last message
        {"type": "http.request", "body": body[:20], "more_body": True},
        {"type": "http.request", "body": body[20:], "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]

    async def scenario() -> tuple[list[Answer], int]:
        before = replay_of(app).answers.hits
        answers = [await call(app, messages=list(parts)), await call(app, body=body)]
        answers.append(await call(app, messages=list(parts)))
        return answers, replay_of(app).answers.hits - before

    (in_parts, whole, in_parts_again), replayed = run(app, scenario)
    assert in_parts == whole == in_parts_again and in_parts[0] == 200
    assert replayed == 2


async def _never() -> dict[str, Any]:
    """A body that never comes."""
    await asyncio.sleep(3600)
    raise AssertionError("unreachable")


def _answer_to_no_body(app: Starlette, length: bytes = b"100") -> tuple[Answer, float]:
    """The answer to a POST declaring ``length`` bytes that never come, and how long it took."""

    async def scenario() -> tuple[Answer, float]:
        started = time.perf_counter()
        answer = await call_with_receive(app, _never, length)
        return answer, time.perf_counter() - started

    return run(app, scenario)


def test_a_body_that_never_comes_is_408_within_one_time_limit(app: Starlette) -> None:
    (status, _, body), elapsed = _answer_to_no_body(app)
    assert status == 408, body
    # One request_timeout (1 s), not one in the replay layer and another in the endpoint.
    assert elapsed < 1.9


def test_a_body_declared_too_large_is_413_without_waiting_for_it(app: Starlette) -> None:
    (status, _, body), elapsed = _answer_to_no_body(app, length=b"1000000000")
    assert status == 413, body
    assert elapsed < 0.5  # a fraction of the 1 s time limit: refused on the declared length


def test_a_body_that_comes_late_but_in_time_is_answered_and_replayed(app: Starlette) -> None:
    body = json.dumps({"query": "{ stats { nodeCount edgeCount } }"}).encode()

    def late() -> Callable[[], Awaitable[dict[str, Any]]]:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            await asyncio.sleep(0.05 if not sent else 3600)  # the wait the deadline covers
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return receive

    async def scenario() -> tuple[list[Answer], int]:
        before = replay_of(app).answers.hits
        answers = [await call_with_receive(app, late()) for _ in range(2)]
        return answers, replay_of(app).answers.hits - before

    (first, second), replayed = run(app, scenario)
    assert first[0] == 200 and json.loads(first[2])["data"]["stats"]["nodeCount"] > 0
    assert first == second and replayed == 1


class Polled:
    """An awaitable as granian's are: ``__await__`` gives an iterator without ``send`` or
    ``throw``; this one yields to the loop (a bare yield) until its message is ready."""

    def __init__(self, ready_at: float, message: dict[str, Any]) -> None:
        self.ready_at, self.message = ready_at, message

    def __await__(self) -> Polled:
        return self

    def __iter__(self) -> Polled:
        return self

    def __next__(self) -> None:
        if time.monotonic() < self.ready_at:
            return None
        raise StopIteration(self.message)


@pytest.mark.parametrize("delay", [0.0, 0.05, 5.0])
def test_a_receive_that_is_not_a_coroutine_is_awaited_as_await_would(
    app: Starlette, delay: float
) -> None:
    body = json.dumps({"query": "{ stats { documentCount } }"}).encode()
    message = {"type": "http.request", "body": body, "more_body": False}
    started = time.monotonic()
    calls = 0

    def receive() -> Polled:
        nonlocal calls
        calls += 1  # after the body, nothing more comes (the client stays)
        return Polled(started + delay if calls == 1 else math.inf, message)

    (status, _, answer) = run(app, lambda: call_with_receive(app, receive, str(len(body)).encode()))
    if delay < 1.0:  # in time: answered
        assert status == 200 and b'"documentCount"' in answer, answer
    else:  # past the 1 s time limit: the wait was stopped (its timing: the test above)
        assert status == 408, answer


async def call_with_receive(
    app: Starlette, receive: Callable[[], Awaitable[Any]], length: bytes = b"100"
) -> Answer:
    headers = [(b"content-type", b"application/json"), (b"content-length", length)]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return start["status"], list(start["headers"]), b"".join(chunks)


def test_without_the_response_cache_nothing_is_replayed(ballerina: KnowledgeGraph) -> None:
    uncached = create_app(ballerina, dataclasses.replace(Settings(), response_cache=False))

    async def scenario() -> list[Answer]:
        return [await call(uncached), await call(uncached)]

    first, second = run(uncached, scenario)
    assert first == second
    layer = uncached.middleware_stack
    while hasattr(layer, "app"):
        assert not isinstance(layer, AnswerReplay)
        layer = layer.app
