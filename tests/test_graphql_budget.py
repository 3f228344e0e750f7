"""One deadline per request (server.graphql_http.budget): validation and execution stop at it,
a late answer does not keep the client waiting, and work whose client has gone stops.

Times are asserted relative to what the work would take without the bound (a resolver's own
sleep), never as absolute limits.
"""

from __future__ import annotations

import json
import threading
import time

import anyio
import pytest
import strawberry
from graphql import parse

from schema.limits import Limits
from server.graphql_http import GraphQLEndpoint, TimeLimitExceeded
from server.graphql_http.budget import Budget
from server.graphql_http.prepared import Documents

#: Per-object sleep of the slow schema below, and how many objects a full answer has.
STEP = 0.01
ITEMS = 200


@strawberry.type
class Item:
    index: int

    @strawberry.field
    def slow(self, info: strawberry.Info) -> int:
        info.context["calls"].append(time.monotonic())
        time.sleep(STEP)
        return self.index


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(index=i) for i in range(ITEMS)]

    @strawberry.field
    def stuck(self, seconds: float) -> int:
        time.sleep(seconds)  # one resolver: nothing can interrupt it
        return 1


SCHEMA = strawberry.Schema(query=Query)


def endpoint(calls: list[float], timeout: float | None, **options: object) -> GraphQLEndpoint:
    return GraphQLEndpoint(
        SCHEMA,
        context=lambda request: {"calls": calls},
        limits=Limits(),
        max_body_bytes=10_000,
        graphiql_html=None,
        request_timeout=timeout,
        **options,
    )


def call(app: GraphQLEndpoint, query: str, *, leave_after: float | None = None) -> dict:
    """POST ``query`` through ASGI; with ``leave_after``, the client disconnects then."""
    body = json.dumps({"query": query}).encode()
    sent: list[dict] = []
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep(leave_after if leave_after is not None else 3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    started = time.monotonic()
    anyio.run(app, scope, receive, send)
    return {"seconds": time.monotonic() - started, "sent": sent}


def test_work_whose_client_has_gone_stops_at_the_next_object():
    calls: list[float] = []
    app = endpoint(calls, timeout=None)
    full = ITEMS * STEP
    result = call(app, "{ items { slow } }", leave_after=full / 10)
    assert result["sent"] == []  # nobody to answer
    time.sleep(full / 5)  # a thread left running would keep calling the resolver meanwhile
    left = len(calls)
    time.sleep(full / 5)
    assert len(calls) == left, "the work went on after its client had gone"
    assert left < ITEMS / 2, left  # stopped soon after the client left, not at the end


def test_a_resolver_that_overruns_the_deadline_does_not_hold_the_answer():
    calls: list[float] = []
    timeout, stuck = 0.1, 3.0
    app = endpoint(calls, timeout=timeout)
    result = call(app, f"{{ stuck(seconds: {stuck}) }}")
    start, body = result["sent"]
    assert start["status"] == 200
    assert b"TIME_LIMIT_EXCEEDED" in body["body"]
    assert result["seconds"] < stuck / 2, result["seconds"]


def test_execution_stops_at_the_deadline_in_every_execution_mode():
    for mode in ("thread", "loop"):
        calls: list[float] = []
        app = endpoint(calls, timeout=ITEMS * STEP / 10, execution=mode)
        result = call(app, "{ items { slow } }")
        assert b"TIME_LIMIT_EXCEEDED" in result["sent"][1]["body"], mode
        assert len(calls) < ITEMS / 2, (mode, len(calls))


def test_validation_stops_at_the_deadline_and_nothing_is_cached():
    documents = Documents(
        SCHEMA._schema, Limits(), hide_suggestions=False, encode=lambda p: b"", max_bytes=10**6
    )
    spent = Budget(1.0, deadline=time.monotonic() - 1)
    with pytest.raises(TimeLimitExceeded):
        documents.prepare("{ items { slow } }", spent)
    assert len(documents.cache) == 0  # another request may have the time this one lacked
    assert documents.prepare("{ items { slow } }").failure is None


def test_the_deadline_rule_checks_at_every_node():
    from graphql import validate

    from server.graphql_http.budget import deadline_rule

    checks = 0

    class Counting(Budget):
        def check(self) -> None:
            nonlocal checks
            checks += 1

    document = parse("{ items { slow index } a: items { slow } }")
    assert validate(SCHEMA._schema, document, [deadline_rule(Counting(None))]) == []
    assert checks >= 8  # document, operation, selection sets, fields, names...


def test_a_thread_abandoned_at_the_deadline_is_stopped_not_left_running():
    calls: list[float] = []
    app = endpoint(calls, timeout=0.05)
    before = threading.active_count()
    call(app, "{ items { slow } }")
    time.sleep(ITEMS * STEP / 4)
    left = len(calls)
    time.sleep(ITEMS * STEP / 4)
    assert len(calls) == left
    assert threading.active_count() <= before + 1  # at most anyio's idle worker
