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
    that has no ``query`` gets the GraphiQL page, when one was given. Of the ``extensions``,
    ``persistedQuery`` is read: automatic persisted queries as Apollo defines them
    (:mod:`.persisted`), a hash standing for a query sent once before.

Responses
    ``application/graphql-response+json`` when the client accepts it (at least as much as
    ``application/json``), otherwise ``application/json``; 406 when it accepts neither.
    A request that is not well-formed (bad JSON, missing or mistyped parameter, wrong content
    type, body over ``max_body_bytes``) is 400/413/415 whatever the media type. A GraphQL request
    error (syntax, validation, a crossed limit, unknown operation, variable coercion) has no
    ``data`` entry and is 400 under ``application/graphql-response+json``, 200 under
    ``application/json``. Once execution started the answer is 200 with ``data``.
    With ``cache_version``, an error-free answer to GET has a strong ETag and ``Cache-Control``
    and is answered 304 to an ``If-None-Match`` naming it, before any work
    (:mod:`server.http_cache`).

Errors raised by resolvers
    A ``GraphQLError`` (or an instance of one of ``exposed_errors``) reaches the client as it is.
    Any other exception is a bug: it is logged once with its traceback on the logger
    ``server.graphql_http`` and the client sees only ``"Internal server error"`` at that path.
    Every error's message is cut to 1,000 characters (values a client sent are quoted in some),
    and Python's own wording ("maximum recursion depth", integer digit limits) is replaced by
    the request's terms.

Limits
    Each crossed limit is an error with ``extensions.code`` and the name of the limit: before
    any work, ``max_tokens`` (the parser stops there), then ``max_depth``, ``max_aliases`` and
    the nesting of selection sets, measured in one pass with each fragment counted once
    (:mod:`.bounds`), then graphql-core's rules, whose own budget for comparing fields ends in
    ``VALIDATION_TOO_COMPLEX``. During execution, ``max_objects`` and ``max_response_bytes`` are
    counted object by object (:mod:`.budget`): past either, the whole answer is refused
    (``data: null``), before it is built.

Time limit
    With ``request_timeout`` set, a request has that many seconds of wall-clock time from its
    arrival, for everything: a body that has not arrived by then is answered 408; validation
    checks the deadline at every node of the document, and both executors before the fields of
    each object. Past it, a request still validating gets a ``TIME_LIMIT_EXCEEDED`` request
    error; one executing gets ``data`` with the fields not yet resolved null and that one error
    (status 200, as for any response with ``data``). A single resolver cannot be interrupted:
    an answer still computing ``LATE_ANSWER_GRACE`` after the deadline is given up (the client
    gets the error) and its thread stops at its next check. So does work whose client has
    disconnected. Where answers are computed is ``execution`` (:data:`EXECUTION_MODES`): in a
    worker thread, so that one heavy query does not hold up every other client (the
    ``context`` callable is then called in the thread too), on the loop, or, for pure
    resolvers, a ``LOOP_SLICE`` of the loop first and a thread from the start if that was not
    enough. Other requests are answered meanwhile, but share one interpreter lock.

Speed and memory
    Parsing and validation are done once per distinct query text: a cache owned by the
    endpoint, bounded in (estimated) bytes, maps the text to its document, or to the ready-made
    error body of a document that cannot run. Operations then run on their compiled plans
    (``compiled_plans``, :mod:`server.fast_execution`) or directly on graphql-core with
    strawberry's executor class, so resolvers, ``info.context``, enums and errors behave as
    under ``strawberry.Schema.execute``; strawberry's schema-extension machinery is not run, so
    a schema with extensions or custom operation directives is refused at construction rather
    than silently half-served. For a read-only schema over immutable data
    (``pure_resolvers``), ``response_cache_bytes`` also keeps whole answers, within that budget.

Modules
    :mod:`.refusals` (requests refused before any GraphQL work), :mod:`.params` (the request's
    parameters, strict JSON), :mod:`.negotiation` (media types), :mod:`.bounds` (static limits of
    a document), :mod:`.prepared` (parsing and validation, cached), :mod:`.budget` (the
    deadline and the counting executors), :mod:`.caches` (LRUs bounded in bytes),
    :mod:`.persisted` (automatic persisted queries), :mod:`.errors` (limit errors and how errors
    read), :mod:`.answers` (an answer computed: document, execution, encoding),
    :mod:`.endpoint` (the ASGI app: reading, scheduling, sending).
"""

from server.graphql_http.answers import INTERNAL_ERROR_MESSAGE
from server.graphql_http.caches import BytesLRU, ResponseCache
from server.graphql_http.endpoint import (
    EXECUTION_MODES,
    LATE_ANSWER_GRACE,
    LOOP_SLICE,
    GraphQLEndpoint,
)
from server.graphql_http.errors import (
    LimitExceeded,
    ObjectLimitExceeded,
    ResponseTooLarge,
    TimeLimitExceeded,
)
from server.graphql_http.negotiation import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    NotAcceptable,
    choose_media_type,
)
from server.graphql_http.params import GraphQLParams
from server.graphql_http.prepared import PreparedDocument
from server.graphql_http.refusals import RequestRefused

__all__ = [
    "EXECUTION_MODES",
    "GRAPHQL_RESPONSE_JSON",
    "INTERNAL_ERROR_MESSAGE",
    "JSON",
    "LATE_ANSWER_GRACE",
    "LOOP_SLICE",
    "BytesLRU",
    "GraphQLEndpoint",
    "GraphQLParams",
    "LimitExceeded",
    "NotAcceptable",
    "ObjectLimitExceeded",
    "PreparedDocument",
    "RequestRefused",
    "ResponseCache",
    "ResponseTooLarge",
    "TimeLimitExceeded",
    "choose_media_type",
]
