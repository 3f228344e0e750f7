"""The Starlette application: ``create_app(graph, settings)``.

The graph is built once, before the first request (in the lifespan, unless one is passed in),
and every request reads it through ``app.state``; nothing per request touches the disk or runs
a whole-graph algorithm. Run it with ``uvicorn --factory server.app:create_app`` or
``ballerina-kg serve``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import Schema

from graph.errors import GraphError
from graph.knowledge import KnowledgeGraph
from graph.problems import AnnotationError
from schema import Context, build_schema, examples
from server.answer_replay import AnswerReplay
from server.explore import explore_routes
from server.exports.routes import export_routes
from server.graphiql import ASSET_PREFIX, graphiql_assets, graphiql_page
from server.graphql_http import GraphQLEndpoint
from server.graphql_http.threads import RunningAnswers
from server.http_cache import GZIP_MINIMUM_SIZE, CompressedPaths, answer_version, code_version
from server.pages import landing_page
from server.security import SecurityHeaders, content_security_policy
from server.settings import Settings
from server.snapshot import load_or_build

logger = logging.getLogger("server.app")


def create_app(graph: KnowledgeGraph | None = None, settings: Settings | None = None) -> Starlette:
    """The service around ``graph`` (built from ``settings.seeds_dir`` at start-up if ``None``).

    A graph that cannot be built (bad seeds) stops the start-up with the list of problems; the
    service never serves a partial graph.
    """
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        G = graph if graph is not None else load_or_build(settings.seeds_dir, settings.snapshot_dir)
        app.state.graph = G
        app.state.context = Context(graph=G, limits=settings.limits)
        app.state.landing = landing_page(G).encode("utf-8")
        logger.info("graph ready: %d nodes, %d edges", G.counts.nodes, G.counts.edges)
        # The graph, the schema and everything built at start-up live as long as the process.
        # Frozen, they are out of the cycle collector's sight: a full collection, which stops
        # every request in flight, no longer walks them (0.3 s at 10^5 edges, 2.8 s at 10^6:
        # python -m bench.run collector).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()

    schema = build_schema()
    graphiql_html = graphiql_page(
        "/graphql", examples(), "Ballerina (2023) knowledge graph", ASSET_PREFIX
    )
    endpoint = GraphQLEndpoint(
        schema,
        context=_context,
        limits=settings.limits,
        max_body_bytes=settings.max_body_bytes,
        graphiql_html=graphiql_html,
        exposed_errors=(GraphError,),
        request_timeout=settings.request_timeout,
        document_cache_bytes=settings.document_cache_bytes,
        # The graph is read-only and every request shares one context, so an error-free answer
        # to the same query text and variables is the same answer (hence the cache), and a
        # resolver may run twice (hence a slice of the loop first).
        pure_resolvers=True,
        response_cache_bytes=settings.response_cache_bytes if settings.response_cache else 0,
        response_cache_entry_bytes=settings.response_cache_entry_bytes,
        compiled_plans=settings.compiled_plans,
        execution=settings.execution,
        # Every answer is a function of the seeds, the code, the limits and the request: GET
        # answers get ETags (server.http_cache).
        cache_version=answer_version,
    )
    middleware: list[Middleware] = []
    if settings.response_cache:
        # Outermost: a repeated request gets the bytes the whole stack sent the first time,
        # before any other layer runs (server.answer_replay). Its key holds every request
        # header the layers below read: the endpoint's, CORS's (Origin; Cookie with "*") and
        # GZipMiddleware's.
        middleware.append(
            Middleware(
                AnswerReplay,
                path="/graphql",
                varying=REPLAY_VARYING,
                request_timeout=settings.request_timeout,
                max_body_bytes=settings.max_body_bytes,
                max_bytes=settings.response_cache_bytes,
                # The answers the response cache keeps, in a budget as large as its own.
                max_answer_bytes=settings.response_cache_entry_bytes,
            )
        )
    middleware += [
        # GraphiQL's is the only inline script the service writes; the other pages have none.
        Middleware(SecurityHeaders, policy=content_security_policy([graphiql_html])),
        Middleware(SeedsRefusal, seeds_dir=settings.seeds_dir),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type", "accept"],
            )
        )
    # The answers whose ETags name their coding (server.http_cache); innermost, so that what
    # it compresses is the route's answer with all its headers.
    middleware.append(
        Middleware(
            CompressedPaths, prefixes=("/graphql", "/export/"), minimum_size=GZIP_MINIMUM_SIZE
        )
    )
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", healthz),
            Route("/graphql", endpoint),
            *export_routes(),
            graphiql_assets(),
            *explore_routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.schema = schema
    app.state.endpoint = endpoint
    app.state.code_version = code_version(repr(settings.limits))
    return app


#: The request headers that shape an answer at /graphql, for the replay layer's key.
REPLAY_VARYING = (
    b"accept",
    b"accept-encoding",
    b"content-type",
    b"content-length",
    b"if-none-match",
    b"origin",
    b"cookie",
)


class SeedsRefusal:
    """Bad seeds stop the start-up with their list of problems as the message, not a traceback.

    Starlette reports an exception in the lifespan with its traceback, which uvicorn logs as is;
    seeds that do not validate are not a crash but something for whoever edits them to fix. The
    exception is still raised, so that the server stops (uvicorn exits with status 3).
    """

    def __init__(self, app: ASGIApp, seeds_dir: Path) -> None:
        self.app = app
        self.seeds_dir = seeds_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def send_or_hold(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)  # sent below, once we know why it failed
            else:
                await send(message)

        try:
            await self.app(scope, receive, send_or_hold)
        except AnnotationError as error:
            message = f"the seeds in {self.seeds_dir} are not valid.\n{error}"
            await send({"type": "lifespan.startup.failed", "message": message})
            raise
        except BaseException:
            for held_message in held:
                await send(held_message)
            raise


def _context(request: Request) -> Context:
    context: Context = request.app.state.context  # Starlette's State holds values as Any
    return context


async def home(request: Request) -> Response:
    return HTMLResponse(request.app.state.landing)


#: What ``/healthz`` asks through the real schema, in a worker thread as heavy queries run.
HEALTH_PROBE = "{ stats { nodeCount edgeCount } }"
#: How long ``/healthz`` waits for the probe before it says the service cannot answer.
HEALTH_PROBE_SECONDS = 2.0


async def healthz(request: Request) -> Response:
    """200 with the graph's sizes and the seeds' SHA-256 (:mod:`graph.fingerprint`) when the
    service can answer queries; 503 saying why when it cannot: every worker thread is taken
    (queries that need one would wait), or the probe query fails or does not answer in time."""
    state = request.app.state
    K = state.graph
    counts = K.counts
    report = {
        "status": "ok",
        "seeds_sha256": K.seeds_sha256,
        "nodes": counts.nodes,
        "edges": counts.edges,
        "documents": counts.documents,
        "disputes": counts.disputes,
    }
    problem = await _why_queries_cannot_be_answered(
        state.schema, state.context, state.endpoint.threads
    )
    if problem is None:
        return JSONResponse(report)
    return JSONResponse({**report, "status": "unavailable", "problem": problem}, status_code=503)


async def _why_queries_cannot_be_answered(
    schema: Schema, context: Context, answers: RunningAnswers
) -> str | None:
    threads = anyio.to_thread.current_default_thread_limiter()
    # The limiter forgets the threads it abandoned (server.graphql_http.threads): those still
    # computing an answer nobody waits for are busy too.
    if threads.available_tokens < 1 or answers.count >= threads.total_tokens:
        return f"all {threads.total_tokens:g} worker threads are busy"
    probe = functools.partial(schema.execute_sync, HEALTH_PROBE, context_value=context)
    with anyio.move_on_after(HEALTH_PROBE_SECONDS):
        result = await anyio.to_thread.run_sync(probe, abandon_on_cancel=True)
        if result.errors or not result.data:
            return f"the probe query {HEALTH_PROBE} failed: {result.errors}"
        return None
    return f"the probe query {HEALTH_PROBE} did not answer within {HEALTH_PROBE_SECONDS:g} s"
