"""The GraphQL-over-HTTP endpoint: an ASGI app that reads, bounds, runs and answers requests
(see the package's docstring for what it promises)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode, OperationType
from starlette.requests import ClientDisconnect, Request
from strawberry.execution import optimized_is_awaitable

from server.fast_execution import Resolvers
from server.graphql_http.budget import BoundedPlan, Budget, bounded_executor
from server.graphql_http.caches import ResponseCache
from server.graphql_http.errors import (
    ObjectLimitExceeded,
    ResponseTooLarge,
    TimeLimitExceeded,
    is_limit,
    readable_entry,
)
from server.graphql_http.negotiation import (
    CONTENT_TYPES,
    GRAPHQL_RESPONSE_JSON,
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
from server.graphql_http.prepared import Documents, PreparedDocument
from server.graphql_http.refusals import (
    BodyTimedOut,
    BodyTooLarge,
    MethodNotAllowed,
    OperationNotAllowedOverGet,
    RequestRefused,
    UnsupportedMediaType,
)

if TYPE_CHECKING:
    import strawberry
    from starlette.types import Receive, Scope, Send

    from schema.limits import Limits

__all__ = ["EXECUTION_MODES", "LATE_ANSWER_GRACE", "LOOP_SLICE", "GraphQLEndpoint"]

logger = logging.getLogger("server.graphql_http")

INTERNAL_ERROR_MESSAGE = "Internal server error"

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


class _SliceSpent(Exception):
    """A request overran its slice of the event loop: run it again in a worker thread."""


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
    ) -> None:
        _refuse_extensions(schema)
        if execution not in EXECUTION_MODES:
            raise ValueError(f"execution must be one of {EXECUTION_MODES}, not {execution!r}")
        if not pure_resolvers and (response_cache_bytes > 0 or execution == "loop-then-thread"):
            raise ValueError(
                "a response cache and execution='loop-then-thread' both replay or repeat "
                "resolvers: promise pure_resolvers=True to use them"
            )
        self.schema = schema
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self.request_timeout = request_timeout
        self.pure_resolvers = pure_resolvers
        self.compiled_plans = compiled_plans
        self.execution = execution
        self._graphql_schema = schema._schema
        self._executor_class = bounded_executor(schema.execution_context_class)
        self._plan_class = BoundedPlan
        self._resolvers = Resolvers(schema)
        self._hide_suggestions = bool(schema.config.disable_field_suggestions)
        self._context = context
        self._graphiql = graphiql_html.encode("utf-8") if graphiql_html is not None else None
        self._exposed_errors = (GraphQLError, *exposed_errors)
        self._encoder = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        self._ascii_encoder = json.JSONEncoder(
            ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        #: Prepared documents, by query text. Owned by this endpoint.
        self.documents = Documents(
            self._graphql_schema,
            limits,
            hide_suggestions=self._hide_suggestions,
            encode=self._encode,
            max_bytes=document_cache_bytes,
        )
        self.responses = (
            ResponseCache(response_cache_bytes, response_cache_entry_bytes)
            if response_cache_bytes > 0
            else None
        )

    def prepare(self, query: str, budget: Budget | None = None) -> PreparedDocument:
        """The prepared document of ``query`` (from the document cache when it is there)."""
        return self.documents.prepare(query, budget)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        budget = Budget(self.request_timeout)
        method = scope["method"]
        media_type = JSON
        extra_headers: tuple[tuple[bytes, bytes], ...] = ()
        try:
            if method == "POST":
                headers = _headers(scope)
                media_type = choose_media_type(headers.get(b"accept"))
                body = await self._read_body_in_time(headers, receive, budget)
                params = params_from_body(body)
            elif method == "GET":
                headers = _headers(scope)
                pairs = parse_query_string(scope["query_string"])
                accept = headers.get(b"accept")
                if self._graphiql is not None and _wants_page(accept, pairs):
                    await _send(send, 200, self._graphiql, HTML_CONTENT_TYPE)
                    return
                media_type = choose_media_type(accept)
                params = params_from_query_string(pairs)
            else:
                raise MethodNotAllowed(method)
            status, body = await self._run(
                params, method == "GET", media_type, scope, receive, budget
            )
        except RequestRefused as refusal:
            status, body = refusal.status, self._refusal_body(refusal)
            extra_headers = refusal.headers
        except ClientDisconnect:
            return
        except Exception:
            logger.exception("GraphQL request failed unexpectedly")
            status, body = 500, self._encode({"errors": [{"message": INTERNAL_ERROR_MESSAGE}]})
        await _send(send, status, body, CONTENT_TYPES[media_type], extra_headers)

    async def _read_body(self, headers: dict[bytes, str], receive: Receive) -> bytes:
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
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _read_body_in_time(
        self, headers: dict[bytes, str], receive: Receive, budget: Budget
    ) -> bytes:
        # A client that trickles its body (or never finishes it) holds a connection, not the
        # loop: give it the request's time limit, then answer 408.
        with anyio.move_on_after(budget.remaining()):
            return await self._read_body(headers, receive)
        raise BodyTimedOut(budget.seconds)

    async def _run(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
    ) -> tuple[int, bytes]:
        responses = self.responses
        if responses is not None:
            key = responses.key(params)
            cached = responses.get(key)
            if cached is not None:  # only error-free query results are stored: GET may have it
                return 200, cached
        arguments = (params, is_get, media_type, scope, receive)
        answer = None
        if self.execution == "loop":
            answer = self._answer(*arguments, budget)
        elif self.execution == "loop-then-thread":
            answer = self._answer_on_loop(*arguments, budget)
        if answer is None:
            answer = await self._answer_in_thread(arguments, receive, budget)
        if optimized_is_awaitable(answer):  # asynchronous resolvers: finished on the loop
            with anyio.move_on_after(budget.remaining() + LATE_ANSWER_GRACE):
                answer = await answer
            if optimized_is_awaitable(answer):
                answer = self._late(media_type, budget)
        status, body, cacheable = answer
        if cacheable and responses is not None:
            responses.put_body(key, body)
        return status, body

    async def _answer_in_thread(
        self, arguments: tuple[Any, ...], receive: Receive, budget: Budget
    ) -> Any:
        """The answer, computed in a worker thread, so that the loop keeps serving others.

        Waited for until the deadline (and :data:`LATE_ANSWER_GRACE`); if the client goes away
        meanwhile, the work is stopped at its next check and nothing is answered.
        """
        answers: list[Any] = []
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
                        self._answer, *arguments, budget, abandon_on_cancel=True
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
            return self._late(arguments[2], budget)
        return answers[0]

    def _late(self, media_type: str, budget: Budget) -> tuple[int, bytes, bool]:
        """The answer of a request whose work did not finish in time (nothing of it is kept)."""
        status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        return (
            status,
            self._encode({"errors": [TimeLimitExceeded(budget.seconds).formatted]}),
            False,
        )

    def _answer_on_loop(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
    ) -> Any:
        """The answer, computed on the event loop if it takes no longer than ``LOOP_SLICE``;
        ``None`` when it must go to a worker thread instead.

        Handing a request to a thread costs more than most answers do (a thread switch each
        way, and the interpreter lock passed back and forth), so a query whose document is
        already prepared first gets a short slice of the loop, bounded by the same checks as
        the time limit. One that overruns it is dropped and run again in a thread with the rest
        of its time, which is safe only because resolvers are pure (``pure_resolvers``). A
        document not yet prepared always goes to the thread.
        """
        if params.query not in self.documents:
            return None
        slice_budget = Budget(budget.seconds, min(budget.deadline, monotonic() + LOOP_SLICE))
        try:
            return self._answer(
                params,
                is_get,
                media_type,
                scope,
                receive,
                slice_budget,
                give_up=slice_budget.deadline < budget.deadline,
            )
        except _SliceSpent:
            return None

    def _answer(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
        give_up: bool = False,
    ) -> Any:
        """``(status, body, cacheable)``, or an awaitable of it where resolvers are async.

        With ``give_up``, running out of time raises :class:`_SliceSpent` instead of answering.
        """
        # Under graphql-response+json a request that never reached execution is a client error.
        request_error_status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        try:
            prepared = self.documents.prepare(params.query, budget)
        except TimeLimitExceeded as error:
            if give_up:
                raise _SliceSpent from None
            return request_error_status, self._encode({"errors": [error.formatted]}), False
        operation = prepared.select(params.operation_name)
        # GET must never run a mutation: say so with 405 even when the document is also invalid.
        if (
            is_get
            and isinstance(operation, OperationDefinitionNode)
            and operation.operation is not OperationType.QUERY
        ):
            raise OperationNotAllowedOverGet(operation.operation)
        if prepared.failure is not None:
            return request_error_status, prepared.failure, False
        if isinstance(operation, GraphQLError):
            return request_error_status, self._encode_errors([operation]), False
        if operation.operation is OperationType.SUBSCRIPTION:
            error = GraphQLError("Subscriptions are not supported over HTTP.", [operation])
            return request_error_status, self._encode_errors([error]), False

        executor = self._executor_class.build(
            self._graphql_schema,
            prepared.document,
            None,
            self._context(Request(scope, receive)),
            params.variables,
            params.operation_name,
            is_awaitable=optimized_is_awaitable,
            hide_suggestions=self._hide_suggestions,
            operation_extensions=params.extensions,
        )
        if isinstance(executor, list):  # variable coercion failed: execution never started
            return request_error_status, self._encode_errors(executor), False
        limits = self.limits
        executor.start(budget, limits.max_objects, limits.max_response_bytes)
        # A query runs on its compiled plan (server.fast_execution) when it has one; anything
        # the plan leaves aside runs on graphql-core, with the same result.
        result = self._execute_planned(prepared, operation, executor)
        if result is None:
            result = executor.execute_operation()
        if optimized_is_awaitable(result):

            async def finish() -> tuple[int, bytes, bool]:
                return self._finish(await result, operation)

            return finish()
        if give_up and result.errors and any(is_limit(e, TimeLimitExceeded) for e in result.errors):
            raise _SliceSpent
        return self._finish(result, operation)

    def _finish(
        self, result: object, operation: OperationDefinitionNode
    ) -> tuple[int, bytes, bool]:
        if not isinstance(result, ExecutionResult):
            raise TypeError(f"incremental delivery is not supported: got {type(result).__name__}")
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            errors = result.errors
            for refused in (ObjectLimitExceeded, ResponseTooLarge):
                refusal = next((e for e in errors if is_limit(e, refused)), None)
                if refusal is not None:
                    # An answer cut at an arbitrary object would be partial data served as if
                    # whole: refuse it entirely, as a crossed static limit is refused.
                    return 200, self._encode({"data": None, "errors": [refusal.formatted]}), False
            if any(is_limit(error, TimeLimitExceeded) for error in errors):
                # Every object left when time ran out raised the same error: report it once.
                first = next(error for error in errors if is_limit(error, TimeLimitExceeded))
                errors = [e for e in errors if e is first or not is_limit(e, TimeLimitExceeded)]
            payload["errors"] = [readable_entry(self._public_error(error)) for error in errors]
        body = self._encode(payload)
        limit = self.limits.max_response_bytes
        if len(body) > limit:
            # The count kept during execution estimates; the encoded answer is what counts.
            return (
                200,
                self._encode({"data": None, "errors": [ResponseTooLarge(limit).formatted]}),
                False,
            )
        cacheable = not result.errors and operation.operation is OperationType.QUERY
        return 200, body, cacheable

    def _execute_planned(
        self, prepared: PreparedDocument, operation: OperationDefinitionNode, executor: Any
    ) -> ExecutionResult | None:
        """The result of a query run on its compiled plan, or ``None`` to run graphql-core."""
        if (
            not self.compiled_plans
            or operation.operation is not OperationType.QUERY
            or prepared.document is None
        ):
            return None
        plans = prepared.plans
        key = id(operation)  # the operation node lives as long as its prepared document
        if key not in plans:
            plans[key] = self._plan_class.compile(
                self._resolvers, prepared.document, operation, self._hide_suggestions
            )
        plan = plans[key]
        return None if plan is None else plan.execute(executor)

    def _public_error(self, error: GraphQLError) -> dict[str, Any]:
        original = error.original_error
        if original is None or isinstance(original, self._exposed_errors):
            return error.formatted
        logger.error(
            "Unexpected %s while resolving %s",
            type(original).__name__,
            ".".join(map(str, error.path or ())) or "the operation",
            exc_info=original,
        )
        masked = GraphQLError(
            INTERNAL_ERROR_MESSAGE, error.nodes, error.source, error.positions, error.path
        )
        return masked.formatted

    def _encode(self, payload: dict[str, Any]) -> bytes:
        try:
            return self._encoder.encode(payload).encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (valid in JSON escapes a client sent) cannot be UTF-8: escape them.
            return self._ascii_encoder.encode(payload).encode("ascii")

    def _encode_errors(self, errors: list[GraphQLError]) -> bytes:
        return self._encode({"errors": [readable_entry(error.formatted) for error in errors]})

    def _refusal_body(self, refusal: RequestRefused) -> bytes:
        entry = {"message": refusal.message, "extensions": {"code": refusal.code}}
        return self._encode({"errors": [entry]})


def _refuse_extensions(schema: strawberry.Schema) -> None:
    if schema.extensions or schema.directives:
        names = [getattr(e, "__name__", type(e).__name__) for e in schema.extensions]
        names += [f"@{getattr(d, 'name', d)}" for d in schema.directives]
        raise ValueError(
            "GraphQLEndpoint executes on graphql-core directly and would skip the schema's "
            f"extensions and operation directives ({', '.join(names)}); apply query bounds "
            "through Limits instead"
        )


def _headers(scope: Scope) -> dict[bytes, str]:
    # Only the few headers we read; repeated ones are joined as one comma-separated list, which
    # is what they mean (RFC 9110, 5.3). Names arrive lower-cased from ASGI servers.
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in (b"accept", b"content-type", b"content-length"):
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
