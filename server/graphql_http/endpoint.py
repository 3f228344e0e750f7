"""The GraphQL-over-HTTP endpoint: an ASGI app that reads, bounds, runs and answers requests
(see the package's docstring for what it promises)."""

from __future__ import annotations

import json
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from time import monotonic
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from starlette.requests import ClientDisconnect, Request
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from server.fast_execution import Plan, Resolvers
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

__all__ = ["GraphQLEndpoint", "PreparedDocument", "ResponseCache"]

logger = logging.getLogger("server.graphql_http")

INTERNAL_ERROR_MESSAGE = "Internal server error"


# --- prepared documents ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A query text after parsing and validation: a runnable document, or why it cannot run.

    ``failure`` is the complete response body (``{"errors": [...]}``) of a document that does not
    parse or validate; it is then the same for every request with that text. An invalid document
    keeps its ``operations`` (a GET must still learn that it asked for a mutation).
    """

    document: DocumentNode | None
    operations: tuple[OperationDefinitionNode, ...] = ()
    failure: bytes | None = None
    #: Operation -> its compiled fast-path :class:`~server.fast_execution.Plan` (``None``
    #: where the operation runs on graphql-core), filled on first execution.
    plans: dict[int, Plan | None] = field(default_factory=dict)

    def select(self, name: str | None) -> OperationDefinitionNode | GraphQLError:
        """The operation to run (GraphQL's GetOperation), or the request error."""
        if name is None:
            if len(self.operations) == 1:
                return self.operations[0]
            if not self.operations:
                return GraphQLError("Must provide an operation.")
            return GraphQLError(
                "Must provide operation name if query contains multiple operations."
            )
        for operation in self.operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        return GraphQLError(f"Unknown operation named '{name}'.")


class ResponseCache:
    """Least-recently-used bodies of error-free query results, owned by one endpoint."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._bodies: OrderedDict[tuple[str, str | None, str, str], bytes] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._bodies)

    @staticmethod
    def key(params: GraphQLParams) -> tuple[str, str | None, str, str]:
        return (
            params.query,
            params.operation_name,
            _canonical_json(params.variables),
            _canonical_json(params.extensions),
        )

    def get(self, key: tuple[str, str | None, str, str]) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
            self.hits += 1
        return body

    def put(self, key: tuple[str, str | None, str, str], body: bytes) -> None:
        self._bodies[key] = body
        self._bodies.move_to_end(key)
        if len(self._bodies) > self.max_entries:
            self._bodies.popitem(last=False)


def _canonical_json(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- the time limit ----------------------------------------------------------------------------


class TimeLimitExceeded(GraphQLError):
    """Raised between objects once a request's deadline has passed; a field error like any."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request took longer than the time limit of {seconds:g} s (request_timeout) "
            "and was stopped; the fields not resolved by then are null. Ask for less: fewer "
            "aliases or nested lists, smaller pages, radii or depths.",
            extensions={
                "code": "TIME_LIMIT_EXCEEDED",
                "limit": "request_timeout",
                "seconds": seconds,
            },
        )


def _is_time_limit(error: GraphQLError) -> bool:
    return isinstance(error, TimeLimitExceeded) or isinstance(
        error.original_error, TimeLimitExceeded
    )


class ObjectLimitExceeded(GraphQLError):
    """Raised once an answer has grown past ``Limits.max_objects`` objects."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The answer grew past the limit of {limit} objects (max_objects) and was refused. "
            "Ask for less: fewer aliases or nested lists, smaller pages, radii or depths.",
            extensions={"code": "OBJECT_LIMIT_EXCEEDED", "limit": "max_objects", "objects": limit},
        )


def _is_object_limit(error: GraphQLError) -> bool:
    return isinstance(error, ObjectLimitExceeded) or isinstance(
        error.original_error, ObjectLimitExceeded
    )


#: Longest a request may run on the event loop before it is handed to a worker thread.
LOOP_SLICE = 0.005


class _SliceSpent(Exception):
    """A request overran its slice of the event loop: run it again in a worker thread."""


class _RecentTexts:
    """A bounded set of strings: forgets everything when it grows past ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._texts: set[str] = set()

    def __contains__(self, text: str) -> bool:
        return text in self._texts

    def mark(self, text: str) -> None:
        if len(self._texts) >= self.size:
            self._texts.clear()
        self._texts.add(text)


def _bounded_executor(base: type) -> type:
    """graphql-core's executor (``base``), calling ``check`` before each object's fields: the
    deadline of the time limit, and a count of objects against ``max_objects``."""

    class BoundedExecutor(base):  # type: ignore[misc, valid-type]
        deadline: float = math.inf
        time_limit: float = math.inf
        objects_left: int = 0
        max_objects: int = 0

        def start(self, deadline: float, time_limit: float, max_objects: int) -> None:
            self.deadline, self.time_limit = deadline, time_limit
            self.objects_left = self.max_objects = max_objects

        def check(self) -> None:
            self.objects_left -= 1
            if self.objects_left < 0:
                raise ObjectLimitExceeded(self.max_objects)
            if monotonic() > self.deadline:
                raise TimeLimitExceeded(self.time_limit)

        def execute_fields(self, *args: Any, **kwargs: Any) -> Any:
            self.check()
            return super().execute_fields(*args, **kwargs)

        def execute_fields_serially(self, *args: Any, **kwargs: Any) -> Any:
            self.check()
            return super().execute_fields_serially(*args, **kwargs)

    return BoundedExecutor


class _BoundedPlan(Plan):
    """The compiled fast path, calling the executor's ``check`` before each object."""

    def _execute_fields(self, fields, source, path, run, parent):  # type: ignore[no-untyped-def]
        run.context.check()
        return super()._execute_fields(fields, source, path, run, parent)


# --- the endpoint ------------------------------------------------------------------------------


class GraphQLEndpoint:
    """An ASGI app serving ``schema`` over HTTP at whatever path it is mounted on.

    ``context`` builds ``info.context`` from the Starlette request (whose body has already been
    read by the endpoint). ``exposed_errors`` lists exception classes, besides ``GraphQLError``,
    whose messages resolvers mean for clients. ``document_cache_size`` bounds the LRU of
    prepared documents (keyed by query text, itself bounded by ``max_body_bytes``).

    ``request_timeout`` (seconds, ``None`` for none) is the time limit described above.

    ``response_cache_size`` (0, off, by default) keeps the bodies of that many error-free query
    results, keyed by query text, operation name, variables and extensions, and answers repeats
    without executing or building a context. Turn it on only when resolvers are pure functions
    of their arguments over data that never changes while the process runs, and the context
    does not depend on the request.
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
        document_cache_size: int = 512,
        response_cache_size: int = 0,
        request_timeout: float | None = None,
    ) -> None:
        _refuse_extensions(schema)
        self.schema = schema
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self.request_timeout = request_timeout
        self._graphql_schema = schema._schema
        self._executor_class = _bounded_executor(schema.execution_context_class)
        self._plan_class = _BoundedPlan
        self._resolvers = Resolvers(schema)
        self._hide_suggestions = bool(schema.config.disable_field_suggestions)
        self._context = context
        self._graphiql = graphiql_html.encode("utf-8") if graphiql_html is not None else None
        self._exposed_errors = (GraphQLError, *exposed_errors)
        # The limits are checked first, alone: they are cheap, while some specified rules
        # (overlapping fields) cost time in the square of a document's fields.
        self._limit_rules = (
            depth_limit_rule(limits.max_depth, None),
            alias_limit_rule(limits.max_aliases),
        )
        self._rules = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)
        self._encoder = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        self._ascii_encoder = json.JSONEncoder(
            ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        #: Query text -> PreparedDocument, least recently used first out. Owned by this endpoint.
        self.prepare: Callable[[str], PreparedDocument] = lru_cache(maxsize=document_cache_size)(
            self._prepare
        )
        self.responses = ResponseCache(response_cache_size) if response_cache_size > 0 else None
        #: Query texts prepared lately, which may be answered on the loop (see _answer_on_loop).
        self._prepared_texts = _RecentTexts(4 * document_cache_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        media_type = JSON
        extra_headers: tuple[tuple[bytes, bytes], ...] = ()
        timeout = self.request_timeout
        deadline = None if timeout is None else monotonic() + timeout
        try:
            if method == "POST":
                headers = _headers(scope)
                media_type = choose_media_type(headers.get(b"accept"))
                if timeout is None:
                    body = await self._read_body(headers, receive)
                else:
                    body = await self._read_body_in_time(headers, receive, timeout)
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
                params, method == "GET", media_type, scope, receive, deadline
            )
        except RequestRefused as refusal:
            status, body = refusal.status, self._error_body(refusal.message)
            extra_headers = refusal.headers
        except ClientDisconnect:
            return
        except Exception:
            logger.exception("GraphQL request failed unexpectedly")
            status, body = 500, self._error_body(INTERNAL_ERROR_MESSAGE)
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
        self, headers: dict[bytes, str], receive: Receive, timeout: float
    ) -> bytes:
        # A client that trickles its body (or never finishes it) holds a connection, not the
        # loop: give it the request's time limit, then answer 408.
        with anyio.move_on_after(timeout):
            return await self._read_body(headers, receive)
        raise BodyTimedOut(timeout)

    async def _run(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        deadline: float | None = None,
    ) -> tuple[int, bytes]:
        responses = self.responses
        if responses is not None:
            key = responses.key(params)
            cached = responses.get(key)
            if cached is not None:  # only error-free query results are stored: GET may have it
                return 200, cached
        if deadline is None:
            answer = self._answer(params, is_get, media_type, scope, receive, math.inf)
        else:
            answer = self._answer_on_loop(params, is_get, media_type, scope, receive, deadline)
            if answer is None:
                # Off the event loop, so that it keeps serving other clients meanwhile.
                answer = await anyio.to_thread.run_sync(
                    self._answer, params, is_get, media_type, scope, receive, deadline
                )
        if optimized_is_awaitable(answer):  # asynchronous resolvers: finished on the loop
            answer = await answer
        status, body, cacheable = answer
        if cacheable and responses is not None:
            responses.put(key, body)
        return status, body

    def _answer_on_loop(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        deadline: float,
    ) -> Any:
        """The answer, computed on the event loop if it takes no longer than ``LOOP_SLICE``;
        ``None`` when it must go to a worker thread instead.

        Handing a request to a thread costs more than most answers do (a thread switch each
        way, and the interpreter lock passed back and forth), so a query whose document is
        already prepared first gets a short slice of the loop, bounded by the same checks as
        the time limit. One that overruns it is dropped and run again in a thread with the rest
        of its time, which is safe only because resolvers are pure: this is done only where
        the response cache, which promises that, is on. A document not yet prepared (parsing
        and validation are not interruptible) always goes to the thread.
        """
        if self.responses is None or params.query not in self._prepared_texts:
            return None
        slice_end = min(deadline, monotonic() + LOOP_SLICE)
        try:
            return self._answer(
                params, is_get, media_type, scope, receive, slice_end, give_up=slice_end < deadline
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
        deadline: float,
        give_up: bool = False,
    ) -> Any:
        """``(status, body, cacheable)``, or an awaitable of it where resolvers are async.

        With ``give_up``, running out of time raises :class:`_SliceSpent` instead of answering.
        """
        # Under graphql-response+json a request that never reached execution is a client error.
        request_error_status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        prepared = self.prepare(params.query)
        self._prepared_texts.mark(params.query)
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
            return request_error_status, self._encode({"errors": [operation.formatted]}), False
        if operation.operation is OperationType.SUBSCRIPTION:
            error = GraphQLError("Subscriptions are not supported over HTTP.", [operation])
            return request_error_status, self._encode({"errors": [error.formatted]}), False

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
            errors = {"errors": [e.formatted for e in executor]}
            return request_error_status, self._encode(errors), False
        time_limit = math.inf if self.request_timeout is None else self.request_timeout
        executor.start(deadline, time_limit, self.limits.max_objects)
        # A query runs on its compiled plan (server.fast_execution) when it has one; anything
        # the plan leaves aside runs on graphql-core, with the same result.
        result = self._execute_planned(prepared, operation, executor)
        if result is None:
            result = executor.execute_operation()
        if optimized_is_awaitable(result):

            async def finish() -> tuple[int, bytes, bool]:
                return self._finish(await result, operation)

            return finish()
        if give_up and result.errors and any(_is_time_limit(e) for e in result.errors):
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
            refusal = next((e for e in errors if _is_object_limit(e)), None)
            if refusal is not None:
                # An answer cut at an arbitrary object would be partial data served as if
                # whole: refuse it entirely, as a crossed static limit is refused.
                return 200, self._encode({"data": None, "errors": [refusal.formatted]}), False
            if any(_is_time_limit(error) for error in errors):
                # Every object left when time ran out raised the same error: report it once.
                first = next(error for error in errors if _is_time_limit(error))
                errors = [e for e in errors if e is first or not _is_time_limit(e)]
            payload["errors"] = [self._public_error(error) for error in errors]
            return 200, self._encode(payload), False
        return 200, self._encode(payload), operation.operation is OperationType.QUERY

    def _execute_planned(
        self, prepared: PreparedDocument, operation: OperationDefinitionNode, executor: Any
    ) -> ExecutionResult | None:
        """The result of a query run on its compiled plan, or ``None`` to run graphql-core."""
        if operation.operation is not OperationType.QUERY or prepared.document is None:
            return None
        plans = prepared.plans
        key = id(operation)  # the operation node lives as long as its prepared document
        if key not in plans:
            plans[key] = self._plan_class.compile(
                self._resolvers, prepared.document, operation, self._hide_suggestions
            )
        plan = plans[key]
        return None if plan is None else plan.execute(executor)

    def _prepare(self, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            return PreparedDocument(None, failure=self._encode({"errors": [error.formatted]}))
        operations = tuple(
            definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        )
        hide = self._hide_suggestions
        errors = validate(
            self._graphql_schema, document, self._limit_rules, hide_suggestions=hide
        ) or validate(self._graphql_schema, document, self._rules, hide_suggestions=hide)
        if errors:
            body = self._encode({"errors": [error.formatted for error in errors]})
            return PreparedDocument(document, operations, failure=body)
        return PreparedDocument(document, operations)

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

    def _error_body(self, message: str) -> bytes:
        return self._encode({"errors": [{"message": message}]})


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
