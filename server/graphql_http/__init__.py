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

from server.graphql_http.caches import BytesLRU, ResponseCache
from server.graphql_http.endpoint import (
    EXECUTION_MODES,
    INTERNAL_ERROR_MESSAGE,
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
