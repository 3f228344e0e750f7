"""Calling the benchmark application in process, without a socket: checks and timings.

:func:`compare` proves that every request of the mix gets byte-identical bodies from the
GraphQL endpoint and from the baseline route. :func:`time_mix` measures what each answer
costs the application itself (routing, body reading, execution, encoding), leaving out the
HTTP server and the network: the quietest measure of what an optimisation bought.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from starlette.applications import Starlette

from bench.mix import Request

TARGETS = ("baseline", "graphql", "graphql-nocache", "graphql-thread", "graphql-core")
_HEADERS = [(b"content-type", b"application/json"), (b"accept", b"application/json")]


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[Starlette]:
    """The application with its lifespan entered (the graph built), as a server would run it."""
    async with app.router.lifespan_context(app):
        yield app


def scope_of(
    method: str,
    path: str,
    query_string: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> dict[str, Any]:
    """The ASGI scope an HTTP/1.1 server would make for this request from 127.0.0.1."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [] if headers is None else headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def exchange(
    app: Any, scope: dict[str, Any], body: bytes
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Send ``body`` in one message through the ASGI interface; the status, the headers and the
    whole body of the answer."""
    delivered = False
    answered = asyncio.Event()

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            # As an ASGI server does: a disconnect only once the client has gone, which here
            # is once it has its answer (the endpoint stops work whose client has gone).
            await answered.wait()
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await app(scope, receive, send)
    return start.get("status", 0), list(start.get("headers", [])), b"".join(chunks)


async def call(app: Starlette, path: str, body: bytes) -> tuple[int, bytes]:
    """POST ``body`` to ``path`` through the ASGI interface; the status and the whole body."""
    headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
    status, _, answer = await exchange(app, scope_of("POST", path, headers=headers), body)
    return status, answer


def request_of(target: str, request: Request) -> tuple[str, bytes]:
    if target == "baseline":
        return request.baseline_path, request.baseline_body()
    return f"/{target}", request.graphql_body()


class Mismatch(AssertionError):
    pass


async def compare(app: Starlette, requests: Iterable[Request]) -> int:
    """Check that GraphQL and the baseline answer every request identically; how many checked.

    Raises :class:`Mismatch` naming the first request they disagree on.
    """
    checked = 0
    for request in requests:
        answers = {}
        for target in ("graphql-nocache", "graphql-thread", "graphql-core", "baseline"):
            status, body = await call(app, *request_of(target, request))
            if status != 200:
                raise Mismatch(f"{target} answered {status} to {request}: {body[:300]!r}")
            answers[target] = body
        if len(set(answers.values())) != 1:
            raise Mismatch(
                f"different answers to {request}:\n graphql:  {answers['graphql-nocache'][:400]!r}"
                f"\n baseline: {answers['baseline'][:400]!r}"
            )
        checked += 1
    return checked


@dataclass
class Timing:
    """Service time per request, in microseconds, by operation."""

    target: str
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, operation: str, micros: float) -> None:
        self.samples.setdefault(operation, []).append(micros)

    def medians(self) -> dict[str, float]:
        return {op: median(values) for op, values in sorted(self.samples.items())}

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.samples.values())

    def percentile(self, share: float) -> float:
        """Over the whole mix, e.g. ``percentile(0.99)``."""
        values = sorted(v for vs in self.samples.values() for v in vs)
        return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")

    def mean(self) -> float:
        """Mean service time over the whole mix: what throughput is the inverse of."""
        values = [v for vs in self.samples.values() for v in vs]
        return sum(values) / len(values) if values else float("nan")


async def time_mix(
    app: Starlette,
    requests: list[Request],
    *,
    seconds: float,
    targets: Iterable[str] = TARGETS,
) -> dict[str, Timing]:
    """Run the mix against each target in turn, request by request, for about ``seconds`` in
    all; the targets take turns on the same request so that noise hits them alike."""
    targets = tuple(targets)
    timings = {t: Timing(t) for t in targets}
    prepared = [(r.operation, [request_of(t, r) for t in targets]) for r in requests]
    clock = time.perf_counter
    deadline = clock() + seconds
    while clock() < deadline:
        for operation, calls in prepared:
            for target, (path, body) in zip(targets, calls, strict=True):
                start = clock()
                status, _ = await call(app, path, body)
                elapsed = clock() - start
                if status != 200:
                    raise Mismatch(f"{target} answered {status} to {operation}")
                timings[target].add(operation, elapsed * 1e6)
            if clock() >= deadline:
                break
    return timings
