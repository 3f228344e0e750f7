"""GraphQL over HTTP: one ASGI endpoint that serves a strawberry schema.

Conformant to the GraphQL-over-HTTP specification, with the bounds of a ``Limits`` applied to
every document. Mount it as a plain ASGI route, *without* ``methods=``: the endpoint answers
other methods itself, with a GraphQL-style 405 and an ``Allow`` header::

    endpoint = GraphQLEndpoint(
        schema,
        context=lambda request: Context(graph=graph),
        limits=Limits(),
        max_body_bytes=100_000,
        graphiql_html=graphiql_page("/graphql", EXAMPLES, "Ballerina", ASSET_PREFIX),
    )
    app = Starlette(routes=[Route("/graphql", endpoint), graphiql_assets()])

Requests
    ``POST`` with ``Content-Type: application/json`` and a JSON object ``{"query", "operationName",
    "variables", "extensions"}``; ``GET`` with the same names as query parameters (``variables``
    and ``extensions`` JSON-encoded). GET runs queries only: a mutation or subscription is 405.
    A JSON array (a batch) is refused with 400. A GET whose ``Accept`` names ``text/html`` and
    that has no ``query`` gets the GraphiQL page, when one was given.

Responses
    ``application/graphql-response+json`` when the client accepts it (at least as much as
    ``application/json``), otherwise ``application/json``; 406 when it accepts neither.
    A request that is not well-formed (bad JSON, missing or mistyped parameter, wrong content
    type, body over ``max_body_bytes``) is 400/413/415 whatever the media type. A GraphQL request
    error (syntax, validation, a crossed limit, unknown operation, variable coercion) has no
    ``data`` entry and is 400 under ``application/graphql-response+json``, 200 under
    ``application/json``. Once execution started the answer is 200 with ``data``.

Errors raised by resolvers
    A ``GraphQLError`` (or an instance of one of ``exposed_errors``) reaches the client as it is.
    Any other exception is a bug: it is logged once with its traceback on the logger
    ``server.graphql_http`` and the client sees only ``"Internal server error"`` at that path.

Time limit
    With ``request_timeout`` set, a request has that many seconds of wall-clock time from its
    arrival. A body that has not arrived by then is answered 408. Parsing, validation and
    execution run in a worker thread (resolvers are synchronous: on the event loop, one heavy
    query would hold up every other client until it was done); where the response cache is on
    (resolvers are pure), an already prepared query first gets ``LOOP_SLICE`` of the loop and
    moves to the thread, starting again, only if it needs more, and both executors check the
    deadline before resolving the fields of each object: past it, the fields not yet resolved
    are null and one error, code ``TIME_LIMIT_EXCEEDED``, names the limit (status 200, as for
    any response with ``data``). What the check cannot do: interrupt a single resolver, so one
    that runs long by itself overruns the deadline by its own duration; bound parsing and
    validation, which ``Limits.max_tokens`` bounds instead; or give other requests more than
    their share of the one interpreter lock while a heavy query runs, so they are answered, but
    more slowly. The ``context`` callable is then called in the worker thread too.

Speed
    Parsing and validation are done once per distinct query text: an LRU owned by the endpoint
    maps the text to its document, or to the ready-made error body of a document that cannot
    run. Operations then execute directly on graphql-core with strawberry's executor class, so
    resolvers, ``info.context``, enums and errors behave as under ``strawberry.Schema.execute``;
    strawberry's schema-extension machinery is not run, so a schema with extensions or custom
    operation directives is refused at construction rather than silently half-served. For a
    read-only schema over immutable data, ``response_cache_size`` also keeps whole answers.
"""

from __future__ import annotations

import json
import logging
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from time import monotonic
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

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

if TYPE_CHECKING:
    import strawberry
    from starlette.types import Receive, Scope, Send

    from schema.limits import Limits

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "GraphQLEndpoint",
    "GraphQLParams",
    "RequestRefused",
    "ResponseCache",
    "ObjectLimitExceeded",
    "TimeLimitExceeded",
    "choose_media_type",
]

logger = logging.getLogger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
INTERNAL_ERROR_MESSAGE = "Internal server error"

_CONTENT_TYPES = {
    GRAPHQL_RESPONSE_JSON: b"application/graphql-response+json; charset=utf-8",
    JSON: b"application/json; charset=utf-8",
}
_HTML_CONTENT_TYPE = b"text/html; charset=utf-8"
_PARAMETERS = ("query", "operationName", "variables", "extensions")


# --- refusals: requests answered before any GraphQL work ---------------------------------------


class RequestRefused(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request.

    Answered with ``status`` and a single GraphQL-style error carrying ``message``.
    """

    status = 400
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedBody(RequestRefused):
    pass


class BatchNotSupported(RequestRefused):
    def __init__(self, size: int) -> None:
        super().__init__(
            f"Batched requests are not supported: send one JSON object per request, "
            f"not an array (got {size} items)"
        )
        self.size = size


class MissingQuery(RequestRefused):
    def __init__(self) -> None:
        super().__init__("The 'query' parameter is missing: it must be a GraphQL document string")


class InvalidParameter(RequestRefused):
    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"The '{name}' parameter must be {expected}, not {_json_type(value)}")
        self.name = name
        self.value = value


class RepeatedParameter(RequestRefused):
    def __init__(self, name: str) -> None:
        super().__init__(f"The '{name}' parameter is given more than once")
        self.name = name


class BodyTooLarge(RequestRefused):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the limit of {limit} bytes")
        self.limit = limit


class BodyTimedOut(RequestRefused):
    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request body did not arrive within the time limit of {seconds:g} s "
            "(request_timeout): send it all at once"
        )
        self.seconds = seconds


class UnsupportedMediaType(RequestRefused):
    status = 415

    def __init__(self, content_type: str | None) -> None:
        given = f"'{content_type}'" if content_type else "no Content-Type"
        super().__init__(
            f"POST requests must have Content-Type: application/json (charset utf-8), not {given}"
        )
        self.content_type = content_type


class NotAcceptable(RequestRefused):
    status = 406

    def __init__(self, accept: str) -> None:
        super().__init__(
            f"None of the media types in Accept: '{accept}' can be served; "
            f"accept {GRAPHQL_RESPONSE_JSON} or {JSON}"
        )
        self.accept = accept


class MethodNotAllowed(RequestRefused):
    status = 405
    headers = ((b"allow", b"GET, POST"),)

    def __init__(self, method: str) -> None:
        super().__init__(f"Method {method} is not allowed: use GET or POST")
        self.method = method


class OperationNotAllowedOverGet(RequestRefused):
    status = 405
    headers = ((b"allow", b"POST"),)

    def __init__(self, operation_type: OperationType) -> None:
        kind = operation_type.value
        super().__init__(f"A {kind} cannot be sent with GET: send {kind} operations with POST")
        self.operation_type = operation_type


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- request parameters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The four parameters of a GraphQL-over-HTTP request, checked for type."""

    query: str
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> GraphQLParams:
        query = values.get("query")
        if query is None:
            raise MissingQuery()
        if not isinstance(query, str):
            raise InvalidParameter("query", query, "a string")
        operation_name = values.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise InvalidParameter("operationName", operation_name, "a string or null")
        variables = values.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidParameter("variables", variables, "an object or null")
        extensions = values.get("extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise InvalidParameter("extensions", extensions, "an object or null")
        return cls(query, operation_name, variables, extensions)


def params_from_body(body: bytes) -> GraphQLParams:
    if not body:
        raise MalformedBody("The request body is empty: send a JSON object with a 'query'")
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The request body is not valid UTF-8: {error.reason}") from None
    except (ValueError, RecursionError) as error:
        raise MalformedBody(f"The request body is not valid JSON: {error}") from None
    if isinstance(payload, list):
        raise BatchNotSupported(len(payload))
    if not isinstance(payload, dict):
        raise MalformedBody(f"The request body must be a JSON object, not {_json_type(payload)}")
    return GraphQLParams.from_mapping(payload)


def params_from_query_string(pairs: Iterable[tuple[str, str]]) -> GraphQLParams:
    values: dict[str, Any] = {}
    for name, value in pairs:
        if name not in _PARAMETERS:
            continue
        if name in values:
            raise RepeatedParameter(name)
        if name in ("variables", "extensions"):
            try:
                values[name] = json.loads(value)
            except (ValueError, RecursionError) as error:
                raise InvalidParameter(name, value, "a JSON-encoded object") from error
        else:
            values[name] = value
    return GraphQLParams.from_mapping(values)


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise MalformedBody(f"The query string is not valid UTF-8: {error.reason}") from None


# --- content negotiation -----------------------------------------------------------------------


def choose_media_type(accept: str | None) -> str:
    """The response media type for an ``Accept`` header, or ``NotAcceptable``.

    ``application/graphql-response+json`` only when named explicitly and weighted at least as
    much as ``application/json``; wildcards and a missing header mean ``application/json``, as
    the specification asks for clients that predate the new media type.
    """
    if accept is None or accept == JSON or not accept.strip():
        return JSON
    if accept == GRAPHQL_RESPONSE_JSON:
        return GRAPHQL_RESPONSE_JSON
    response_q: float | None = None
    # Weights of application/json, application/* and */*: the most specific one present counts.
    json_q: list[float | None] = [None, None, None]
    for item in accept.split(","):
        media_type, _, parameters = item.partition(";")
        media_type = media_type.strip().lower()
        q = _weight(parameters)
        if media_type == GRAPHQL_RESPONSE_JSON:
            response_q = max(q, response_q or 0.0)
        elif media_type == JSON:
            json_q[0] = max(q, json_q[0] or 0.0)
        elif media_type == "application/*":
            json_q[1] = max(q, json_q[1] or 0.0)
        elif media_type == "*/*":
            json_q[2] = max(q, json_q[2] or 0.0)
    plain_q = next((q for q in json_q if q is not None), 0.0)
    if response_q and response_q >= plain_q:
        return GRAPHQL_RESPONSE_JSON
    if plain_q:
        return JSON
    raise NotAcceptable(accept)


def _weight(parameters: str) -> float:
    q = 1.0
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"').lower()
        if name == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
        elif name == "charset" and value not in ("utf-8", "utf8"):
            return 0.0  # we only ever answer in UTF-8
    return q


def _is_json_content_type(content_type: str) -> bool:
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != JSON:
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True


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
                    await _send(send, 200, self._graphiql, _HTML_CONTENT_TYPE)
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
        await _send(send, status, body, _CONTENT_TYPES[media_type], extra_headers)

    async def _read_body(self, headers: dict[bytes, str], receive: Receive) -> bytes:
        content_type = headers.get(b"content-type")
        if content_type is None or not _is_json_content_type(content_type):
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
