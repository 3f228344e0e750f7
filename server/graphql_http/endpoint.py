"""The GraphQL-over-HTTP endpoint: an ASGI app that reads, bounds, runs and answers requests
(see the package's docstring for what it promises)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from time import monotonic
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request

from server.graphql_http.answers import INTERNAL_ERROR_MESSAGE, Answer, Answers, SliceSpent
from server.graphql_http.budget import Budget
from server.graphql_http.caches import ResponseCache
from server.graphql_http.errors import INTERNAL_SERVER_ERROR
from server.graphql_http.negotiation import (
    CONTENT_TYPES,
    HTML_CONTENT_TYPE,
    JSON,
    choose_media_type,
    is_json_content_type,
)
from server.graphql_http.params import (
    GraphQLParams,
    params_from_body,
    params_from_query_string,
    parse_query_string,
)
from server.graphql_http.persisted import PersistedQueries
from server.graphql_http.prepared import PreparedDocument
from server.graphql_http.receiving import next_message
from server.graphql_http.refusals import (
    BodyTimedOut,
    BodyTooLarge,
    MethodNotAllowed,
    RequestRefused,
    UnsupportedMediaType,
)
from server.graphql_http.threads import RunningAnswers
from server.http_cache import (
    CACHE_CONTROL,
    GZIP_MINIMUM_SIZE,
    UNCACHEABLE,
    ReplayTicket,
    content_codings,
    etag,
    etag_matches,
    ticket_of,
)

if TYPE_CHECKING:
    import strawberry
    from starlette.types import Receive, Scope, Send

    from schema.limits import Limits

__all__ = ["EXECUTION_MODES", "LATE_ANSWER_GRACE", "LOOP_SLICE", "GraphQLEndpoint"]

logger = logging.getLogger("server.graphql_http")

#: Where answers are computed: "thread" (a worker thread each, the loop stays free), "loop"
#: (on the event loop: fastest, but one heavy query holds up every other client), or
#: "loop-then-thread" (a slice of the loop first, then a thread from the start if that was not
#: enough; only for pure resolvers, which may safely run twice).
EXECUTION_MODES = ("thread", "loop", "loop-then-thread")

#: Longest a request may run on the event loop before it is handed to a worker thread.
LOOP_SLICE = 0.005

#: How long past its deadline a request in a worker thread is waited for (a single resolver
#: cannot be interrupted) before the client gets the time-limit error without it.
LATE_ANSWER_GRACE = 0.5


class GraphQLEndpoint:
    """An ASGI app serving ``schema`` over HTTP at whatever path it is mounted on.

    ``context`` builds ``info.context`` from the Starlette request (whose body has already been
    read by the endpoint). ``exposed_errors`` lists exception classes, besides ``GraphQLError``,
    whose messages resolvers mean for clients.

    ``request_timeout`` (seconds, ``None`` for none) is the time limit of a whole request:
    reading its body, parsing, validation and execution.

    ``document_cache_bytes`` bounds the cache of prepared documents (by query text), counted
    with an estimate of their parsed form.

    ``pure_resolvers`` promises that resolvers are pure functions of their arguments over data
    that never changes while the process runs, and that the context does not depend on the
    request. Only then may ``response_cache_bytes`` (0, off, by default) keep the bodies of
    error-free query results, keyed by query text, operation name, variables and extensions, to
    answer repeats without executing; no answer larger than ``response_cache_entry_bytes`` (a
    sixteenth of the budget by default) is kept. And only then may ``execution`` be
    ``"loop-then-thread"`` (see :data:`EXECUTION_MODES`; ``"thread"`` by default).

    ``compiled_plans`` (on by default) runs queries on their compiled plans
    (:mod:`server.fast_execution`); off, every operation runs on graphql-core's executor.

    ``persisted_query_bytes`` bounds the store of automatic persisted queries
    (:mod:`server.graphql_http.persisted`).

    ``cache_version`` (``None``, off, by default) names, for a request's scope, the version of
    the data every answer is a function of (or ``None`` when there is none). With it, an
    error-free answer to ``GET`` has a strong ETag and ``Cache-Control`` (:mod:`server.http_cache`),
    and a ``GET`` whose ``If-None-Match`` names its tag is answered ``304`` before any work. It
    needs ``pure_resolvers``. ``POST`` answers are never tagged: HTTP caches do not reuse them
    (RFC 9110, 9.3.3), and GraphQL over HTTP has GET for answers meant to be cached.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        context: Callable[[Request], object],
        limits: Limits,
        max_body_bytes: int,
        graphiql_html: str | None,
        exposed_errors: tuple[type[Exception], ...] = (),
        request_timeout: float | None = None,
        document_cache_bytes: int = 32_000_000,
        pure_resolvers: bool = False,
        response_cache_bytes: int = 0,
        response_cache_entry_bytes: int | None = None,
        compiled_plans: bool = True,
        execution: str = "thread",
        persisted_query_bytes: int = 8_000_000,
        cache_version: Callable[[Scope], str | None] | None = None,
    ) -> None:
        _refuse_extensions(schema)
        if execution not in EXECUTION_MODES:
            raise ValueError(f"execution must be one of {EXECUTION_MODES}, not {execution!r}")
        if not pure_resolvers and (
            response_cache_bytes > 0 or execution == "loop-then-thread" or cache_version
        ):
            raise ValueError(
                "a response cache, HTTP caching and execution='loop-then-thread' replay or "
                "repeat resolvers: promise pure_resolvers=True to use them"
            )
        self.schema = schema
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self.request_timeout = request_timeout
        self.pure_resolvers = pure_resolvers
        self.execution = execution
        self._graphiql = graphiql_html.encode("utf-8") if graphiql_html is not None else None
        self.answers = Answers(
            schema,
            context=context,
            limits=limits,
            exposed_errors=exposed_errors,
            document_cache_bytes=document_cache_bytes,
            compiled_plans=compiled_plans,
        )
        #: Prepared documents, by query text. Owned by this endpoint.
        self.documents = self.answers.documents
        self.responses = (
            ResponseCache(response_cache_bytes, response_cache_entry_bytes)
            if response_cache_bytes > 0
            else None
        )
        #: Automatic persisted queries, by the SHA-256 of their text. Owned by this endpoint.
        self.persisted = PersistedQueries(persisted_query_bytes)
        self.cache_version = cache_version
        #: The answers computing in worker threads now, abandoned ones included.
        self.threads = RunningAnswers()

    def prepare(self, query: str, budget: Budget | None = None) -> PreparedDocument:
        """The prepared document of ``query`` (from the document cache when it is there)."""
        return self.documents.prepare(query, budget)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ticket = ticket_of(scope)
        budget = Budget(self.request_timeout)
        if ticket is not None and ticket.deadline < budget.deadline:
            # The replay layer began reading this request: its time limit started there.
            budget.deadline = ticket.deadline
        method = scope["method"]
        media_type = JSON
        extra_headers: tuple[tuple[bytes, bytes], ...] = ()
        try:
            if method == "POST":
                headers = _headers(scope)
                media_type = choose_media_type(headers.get(b"accept"))
                body = await self._read_body_in_time(headers, receive, budget)
                params = params_from_body(body)
                tags: dict[str, str] = {}
            elif method == "GET":
                headers = _headers(scope)
                pairs = parse_query_string(scope["query_string"])
                accept = headers.get(b"accept")
                if self._graphiql is not None and _wants_page(accept, pairs):
                    await _send(send, 200, self._graphiql, HTML_CONTENT_TYPE)
                    return
                media_type = choose_media_type(accept)
                tags = self._etags(scope, headers, media_type)
                matched = etag_matches(headers.get(b"if-none-match"), tuple(tags.values()))
                if matched is not None:  # only error-free answers are tagged: it has one
                    if ticket is not None:
                        ticket.allow()  # a function of the tag asked for
                    await _send_not_modified(send, matched)
                    return
                params = params_from_query_string(pairs)
            else:
                raise MethodNotAllowed(method)
            stored_by = self.persisted.stored_by(params)
            params = self.persisted.resolve(params)
            status, body, cacheable = await self._run(
                params, method == "GET", media_type, scope, receive, budget
            )
            if tags:
                extra_headers = _cache_headers(tags, status, body, cacheable)
            if ticket is not None and cacheable and status == 200:
                self._allow_replay(ticket, params, stored_by)
        except RequestRefused as refusal:
            status, body = refusal.status, self._refusal_body(refusal)
            extra_headers = refusal.headers
        except ClientDisconnect:
            return
        except Exception:
            logger.exception("GraphQL request failed unexpectedly")
            internal = {"code": INTERNAL_SERVER_ERROR}
            failure = {"errors": [{"message": INTERNAL_ERROR_MESSAGE, "extensions": internal}]}
            status, body = 500, self.answers.encode(failure)
        await _send(send, status, body, CONTENT_TYPES[media_type], extra_headers)

    def _allow_replay(
        self, ticket: ReplayTicket, params: GraphQLParams, stored_by: str | None
    ) -> None:
        """Let the replay layer send this answer again to the same request: an error-free
        query result is a function of the request, unless its query came with its persisted
        hash (the request also stores it) or by the hash alone (answered while it is stored)."""
        if stored_by is not None:
            ticket.allow(functools.partial(self.persisted.holds, stored_by))
        elif "persistedQuery" not in (params.extensions or {}):
            ticket.allow()

    async def _read_body_in_time(
        self, headers: dict[bytes, str], receive: Receive, budget: Budget
    ) -> bytes:
        content_type = headers.get(b"content-type")
        if content_type is None or not is_json_content_type(content_type):
            raise UnsupportedMediaType(content_type)
        limit = self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await next_message(receive, budget.deadline)
            if message is None:
                # A client that trickles its body (or never finishes it) holds a connection,
                # not the loop: give it the request's time limit, then answer 408.
                raise BodyTimedOut(budget.seconds)
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _run(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
    ) -> tuple[int, bytes, bool]:
        responses = self.responses
        if responses is not None:
            key = responses.key(params)
            cached = responses.get(key)
            if cached is not None:  # only error-free query results are stored: GET may have it
                return 200, cached, True
        arguments = (params, is_get, media_type, scope, receive)
        answer: Answer | Awaitable[Answer] | None = None
        if self.execution == "loop":
            answer = self.answers.answer(*arguments, budget)
        elif self.execution == "loop-then-thread":
            answer = self._answer_on_loop(*arguments, budget)
        if answer is None:
            answer = await self._answer_in_thread(arguments, receive, budget)
        if not isinstance(answer, tuple):  # asynchronous resolvers: finished on the loop
            finished: Answer | None = None
            with anyio.move_on_after(budget.remaining() + LATE_ANSWER_GRACE):
                finished = await answer
            answer = self.answers.late(media_type, budget) if finished is None else finished
        status, body, cacheable = answer
        if cacheable and responses is not None:
            responses.put_body(key, body)
        return status, body, cacheable

    def _etags(self, scope: Scope, headers: dict[bytes, str], media_type: str) -> dict[str, str]:
        """The ETag of the answer to this GET, by the content coding it may be sent in."""
        version = self.cache_version(scope) if self.cache_version is not None else None
        if version is None:
            return {}
        codings = content_codings(headers.get(b"accept-encoding"))
        path, query_string = scope["path"], scope["query_string"]
        return {c: etag(version, "GET", path, query_string, media_type, c) for c in codings}

    async def _answer_in_thread(
        self,
        arguments: tuple[GraphQLParams, bool, str, Scope, Receive],
        receive: Receive,
        budget: Budget,
    ) -> Answer | Awaitable[Answer]:
        """The answer, computed in a worker thread, so that the loop keeps serving others.

        Waited for until the deadline (and :data:`LATE_ANSWER_GRACE`); if the client goes away
        meanwhile, the work is stopped at its next check and nothing is answered.
        """
        answers: list[Answer | Awaitable[Answer]] = []
        failures: list[Exception] = []
        client_gone = False

        async def watch_client() -> None:
            nonlocal client_gone
            while (await receive())["type"] != "http.disconnect":
                pass
            client_gone = True
            group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(watch_client)
            with anyio.move_on_after(budget.remaining() + LATE_ANSWER_GRACE):
                try:
                    answer = await anyio.to_thread.run_sync(
                        self.threads.run,
                        self.answers.answer,
                        *arguments,
                        budget,
                        abandon_on_cancel=True,
                    )
                except Exception as failure:  # noqa: BLE001 - raised below, not in a group
                    failures.append(failure)
                else:
                    answers.append(answer)
            group.cancel_scope.cancel()
        # A thread left behind (its client gone, or a resolver overrunning the deadline) stops
        # at its next check instead of finishing work nobody waits for.
        budget.stop()
        if client_gone:
            raise ClientDisconnect()
        if failures:
            raise failures[0]
        if not answers:
            return self.answers.late(arguments[2], budget)
        return answers[0]

    def _answer_on_loop(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
    ) -> Answer | Awaitable[Answer] | None:
        """The answer, computed on the event loop if it takes no longer than ``LOOP_SLICE``;
        ``None`` when it must go to a worker thread instead.

        Handing a request to a thread costs more than most answers do (a thread switch each
        way, and the interpreter lock passed back and forth), so a query whose document is
        already prepared first gets a short slice of the loop, bounded by the same checks as
        the time limit. One that overruns it is dropped and run again in a thread with the rest
        of its time, which is safe only because resolvers are pure (``pure_resolvers``). A
        document not yet prepared always goes to the thread.
        """
        if params.query is None or params.query not in self.documents:
            return None
        slice_budget = Budget(budget.seconds, min(budget.deadline, monotonic() + LOOP_SLICE))
        try:
            return self.answers.answer(
                params,
                is_get,
                media_type,
                scope,
                receive,
                slice_budget,
                give_up=slice_budget.deadline < budget.deadline,
            )
        except SliceSpent:
            return None

    def _refusal_body(self, refusal: RequestRefused) -> bytes:
        entry = {"message": refusal.message, "extensions": {"code": refusal.code}}
        return self.answers.encode({"errors": [entry]})


def _refuse_extensions(schema: strawberry.Schema) -> None:
    if schema.extensions or schema.directives:
        names = [getattr(e, "__name__", type(e).__name__) for e in schema.extensions]
        names += [f"@{getattr(d, 'name', d)}" for d in schema.directives]
        raise ValueError(
            "GraphQLEndpoint executes on graphql-core directly and would skip the schema's "
            f"extensions and operation directives ({', '.join(names)}); apply query bounds "
            "through Limits instead"
        )


_READ_HEADERS = (
    b"accept",
    b"accept-encoding",
    b"content-type",
    b"content-length",
    b"if-none-match",
)


def _headers(scope: Scope) -> dict[bytes, str]:
    # Only the few headers we read; repeated ones are joined as one comma-separated list, which
    # is what they mean (RFC 9110, 5.3). Names arrive lower-cased from ASGI servers.
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _READ_HEADERS:
            text = value.decode("latin-1")
            found[name] = f"{found[name]}, {text}" if name in found else text
    return found


def _wants_page(accept: str | None, pairs: list[tuple[str, str]]) -> bool:
    return (
        accept is not None
        and "text/html" in accept.lower()
        and not any(name == "query" for name, _ in pairs)
    )


async def _send(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"vary", b"Accept"),
        *extra_headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _cache_headers(
    tags: dict[str, str], status: int, body: bytes, cacheable: bool
) -> tuple[tuple[bytes, bytes], ...]:
    if not (cacheable and status == 200):
        return ((b"cache-control", UNCACHEABLE.encode("ascii")),)
    # GZipMiddleware compresses answers from GZIP_MINIMUM_SIZE bytes up (and then adds
    # Accept-Encoding to Vary itself): the tag names the coding the client will get.
    compressed = "gzip" in tags and len(body) >= GZIP_MINIMUM_SIZE
    tag = tags["gzip" if compressed else "identity"]
    return (
        (b"etag", tag.encode("ascii")),
        (b"cache-control", CACHE_CONTROL.encode("ascii")),
    )


async def _send_not_modified(send: Send, tag: str) -> None:
    # The Vary of the 200 it stands for (RFC 9110, 15.4.5), as _send writes it; where an app
    # compresses, its CompressedPaths (server.http_cache) adds Accept-Encoding to both alike.
    headers = [
        (b"etag", tag.encode("ascii")),
        (b"cache-control", CACHE_CONTROL.encode("ascii")),
        (b"vary", b"Accept"),
    ]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
