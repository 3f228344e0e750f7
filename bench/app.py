"""The application the throughput benchmark serves: the real service plus the baseline routes.

``uvicorn --factory bench.app:create_app`` runs exactly what ``server.app:create_app`` builds
(same lifespan, same graph, same ``/graphql`` endpoint with its response cache as shipped) and
adds, in the same process and so under the same uvicorn settings:

- ``POST /graphql-nocache``: the same endpoint object with a response cache that keeps
  nothing (a shallow copy sharing the document cache), to measure execution rather than the
  cache; everything else as shipped, including short answers on the event loop;
- ``POST /graphql-thread``: the same, but every answer computed in a worker thread, as the
  time limit first had it;
- ``POST /graphql-core``: the same again with its compiled plans switched off as well, so
  every query runs on graphql-core's executor (on the loop or in a thread, as shipped);
- ``POST /baseline/<operation>``: the plain Starlette routes of :mod:`bench.baseline`;
- ``GET /bench/stats``: this worker's pid and its response cache's hits and misses.

Serving the baseline from the same process as the endpoint is what makes the comparison fair:
same interpreter, same event loop, same HTTP server, same graph.
"""

from __future__ import annotations

import copy
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import baseline
from server.app import create_app as create_service
from server.graphql_http import GraphQLEndpoint, ResponseCache


class CountingCache(ResponseCache):
    """The endpoint's response cache, also counting misses, so a run can report its hit rate."""

    def __init__(self, max_entries: int) -> None:
        super().__init__(max_entries)
        self.misses = 0

    def get(self, key: tuple[str, str | None, str, str]) -> bytes | None:
        body = super().get(key)
        if body is None:
            self.misses += 1
        return body


def _no_plan(*args: object) -> None:
    return None  # "not this way": no plan (graphql-core executes), or not on the loop


def graphql_endpoint(app: Starlette) -> GraphQLEndpoint:
    for route in app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            return route.endpoint  # type: ignore[return-value]
    raise LookupError("the service has no /graphql route")


def create_app() -> Starlette:
    app = create_service()
    endpoint = graphql_endpoint(app)
    if endpoint.responses is not None:
        endpoint.responses = CountingCache(endpoint.responses.max_entries)
    uncached = copy.copy(endpoint)
    # A cache that keeps nothing: no answer is ever replayed, but the endpoint still knows its
    # resolvers are pure, as the shipped one does (see GraphQLEndpoint._answer_on_loop).
    uncached.responses = CountingCache(0)
    threaded = copy.copy(uncached)
    threaded._answer_on_loop = _no_plan  # type: ignore[method-assign]
    core = copy.copy(uncached)
    core._execute_planned = _no_plan  # type: ignore[method-assign]

    async def stats(request: Request) -> Response:
        cache = endpoint.responses
        return JSONResponse(
            {
                "pid": os.getpid(),
                "hits": 0 if cache is None else cache.hits,
                "misses": getattr(cache, "misses", 0),
                "entries": 0 if cache is None else len(cache),
                "max_entries": 0 if cache is None else cache.max_entries,
            }
        )

    app.router.routes.extend(
        [
            Route("/graphql-nocache", uncached),
            Route("/graphql-thread", threaded),
            Route("/graphql-core", core),
            *baseline.routes(),
            Route("/bench/stats", stats),
        ]
    )
    return app
