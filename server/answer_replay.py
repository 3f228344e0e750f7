"""Answers the whole stack sent before, sent again from the outermost layer: the short hit path.

An error-free query result is a function of the request (the graph is read-only): the GraphQL
endpoint keeps its body in its response cache. But a cache hit there still pays for everything
around the cache: the middleware (security headers, CORS, the compression and ``Vary`` wrapper,
Starlette's exception handling and routing), the body parsed as strict JSON, the cache key made
of canonical JSON, gzip run again on every hit for a client that accepts it. :class:`AnswerReplay`
answers a repeated request before any of it runs, with the exact bytes the stack sent the first
time: status, every header (the ETag, ``Vary``, the security headers, the gzip coding) and body.

What makes a replay right:

- **The endpoint says which answers may be replayed.** The layer puts a :class:`ReplayTicket` in
  the scope of each request it passes on; the endpoint calls :meth:`ReplayTicket.allow` only for
  an answer that is a function of the request alone: an error-free query result (the answers
  its response cache keeps) and a ``304`` to a tag it matched. Nothing else is recorded.
- **The key is everything the layers read.** Method, query string, body, and the request
  headers named in ``varying`` (raw values, in their order): the layers below read no others.
  The key is the bytes themselves, so a hit is an exact comparison, not a hash that could
  collide.
- **An answer with a condition is checked before it is replayed.** A persisted query sent by its
  hash alone is answered only while the store holds the query (the ticket carries that check).
- **Bounded like the endpoint's caches.** Entries are counted in bytes (body, headers, key) in a
  least-recently-used table of ``max_bytes``; an answer whose body is larger than
  ``max_answer_bytes`` is not kept.

A ``POST`` body of a length the endpoint accepts is read here, under the request's time limit,
and handed on unchanged (with that deadline, in the ticket) when the request is not a hit; any
other body is left to the endpoint (one declared too large is refused before it is waited for).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from time import monotonic

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.graphql_http.caches import ENTRY_OVERHEAD, BytesLRU
from server.graphql_http.receiving import next_message
from server.http_cache import REPLAY_TICKET, ReplayTicket

__all__ = ["AnswerReplay", "RecordedAnswer"]

Header = tuple[bytes, bytes]
ReplayKey = tuple[bytes, bytes, bytes, tuple[Header, ...]]


class RecordedAnswer:
    """An answer as the stack sent it: status, headers, body, and the condition of a replay."""

    __slots__ = ("body", "condition", "headers", "status")

    def __init__(
        self,
        status: int,
        headers: list[Header],
        body: bytes,
        condition: Callable[[], bool] | None,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.condition = condition

    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class AnswerReplay:
    """ASGI middleware replaying the recorded answers to ``GET`` and ``POST`` at ``path``.

    ``varying`` names the request headers the layers below read (lower-case, as ASGI servers
    give them); ``request_timeout`` (seconds, ``None`` for none) bounds the reading of a body,
    which is read only when its declared length is at most ``max_body_bytes``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        varying: tuple[bytes, ...],
        request_timeout: float | None,
        max_body_bytes: int,
        max_bytes: int,
        max_answer_bytes: int,
    ) -> None:
        self.app = app
        self.path = path
        self.varying = frozenset(varying)
        self.request_timeout = math.inf if request_timeout is None else request_timeout
        #: Request bodies declared larger are not read here (the endpoint refuses them).
        self.max_body_bytes = max_body_bytes
        #: Answers with larger bodies are not recorded.
        self.max_answer_bytes = max_answer_bytes
        #: The recorded answers, by request. Owned by this layer.
        self.answers: BytesLRU[ReplayKey, RecordedAnswer] = BytesLRU(max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                # A new start-up may serve another graph: nothing recorded before stands.
                self.answers = BytesLRU(self.answers.max_bytes, self.answers.max_bytes)
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if scope["path"] != self.path or scope.get("root_path") or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        deadline = monotonic() + self.request_timeout
        body = b""
        if method == "POST":
            if not self._may_read(scope):
                await self._pass_on(scope, receive, send, deadline, None)
                return
            read, whole = await self._read_body(receive, deadline)
            receive = _again(read, receive)
            if not whole:
                # Out of time, gone, or too long: the endpoint says what that means.
                await self._pass_on(scope, receive, send, deadline, None)
                return
            body = b"".join(message.get("body", b"") for message in read)
        varying = self.varying
        key: ReplayKey = (
            method.encode("ascii"),
            scope["query_string"],
            body,
            tuple([(name, value) for name, value in scope["headers"] if name in varying]),
        )
        recorded = self.answers.get(key)
        if recorded is not None and (recorded.condition is None or recorded.condition()):
            await send(
                {
                    "type": "http.response.start",
                    "status": recorded.status,
                    "headers": list(recorded.headers),
                }
            )
            await send({"type": "http.response.body", "body": recorded.body})
            return
        await self._pass_on(scope, receive, send, deadline, key)

    def _may_read(self, scope: Scope) -> bool:
        """Whether the body is one the endpoint reads: of a declared length it accepts. Any
        other (too large, or of no declared length) is left to it, to refuse without waiting
        or to read under its own rules."""
        for name, value in scope["headers"]:
            if name == b"content-length":
                return value.isdigit() and int(value) <= self.max_body_bytes
        return False

    async def _read_body(self, receive: Receive, deadline: float) -> tuple[list[Message], bool]:
        """The messages of the request's body as read, and whether they are the whole of it
        (not: out of time, the client gone, or more than ``max_body_bytes``). Servers send a
        body in one message or several (granian: the body, then an empty last one)."""
        read: list[Message] = []
        size = 0
        while True:
            message = await next_message(receive, deadline)
            if message is None:
                return read, False
            read.append(message)
            if message["type"] != "http.request":
                return read, False
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return read, False
            if not message.get("more_body", False):
                return read, True

    async def _pass_on(
        self, scope: Scope, receive: Receive, send: Send, deadline: float, key: ReplayKey | None
    ) -> None:
        ticket = ReplayTicket(deadline)
        scope[REPLAY_TICKET] = ticket
        if key is None:
            await self.app(scope, receive, send)
            return
        sent: list[Message] = []

        async def recording(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, recording)
        if ticket.replayable and len(sent) == 2:
            start, body = sent
            if (
                start["type"] == "http.response.start"
                and start["status"] in (200, 304)
                and body["type"] == "http.response.body"
                and not body.get("more_body", False)
                and len(body.get("body", b"")) <= self.max_answer_bytes
            ):
                headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", ())]
                answer = RecordedAnswer(
                    start["status"], headers, bytes(body.get("body", b"")), ticket.condition
                )
                size = answer.size() + len(key[1]) + len(key[2]) + ENTRY_OVERHEAD
                self.answers.put(key, answer, size + sum(len(k) + len(v) for k, v in key[3]))


def _again(read: list[Message], receive: Receive) -> Receive:
    """``receive``, giving the messages already ``read`` first, in their order."""
    pending = read[::-1]

    async def receive_again() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return receive_again
