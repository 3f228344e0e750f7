"""The application the throughput benchmark serves: the real service plus the baseline routes.

``uvicorn --factory bench.app:create_app`` runs exactly what ``server.app:create_app`` builds
(same lifespan, same graph, same ``/graphql`` endpoint with its response cache as shipped) and
adds, in the same process and so under the same uvicorn settings:

- ``POST /graphql-nocache``: an endpoint built by the same ``create_app`` with
  ``Settings(response_cache=False)``, to measure execution rather than the cache; everything
  else as shipped, including short answers on the event loop;
- ``POST /graphql-thread``: the same with ``execution="thread"``: every answer computed in a
  worker thread, as the time limit first had it;
- ``POST /graphql-core``: the same as ``/graphql-nocache`` with ``compiled_plans=False``, so
  every query runs on graphql-core's executor (on the loop or in a thread, as shipped);
- ``POST /baseline/<operation>``: the plain Starlette routes of :mod:`bench.baseline`;
- ``GET /bench/stats``: this worker's pid and its response cache's hits and misses.

Serving the baseline from the same process as the endpoint is what makes the comparison fair:
same interpreter, same event loop, same HTTP server, same graph.
"""

from __future__ import annotations

import dataclasses
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import baseline
from server.app import create_app as create_service
from server.graphql_http import GraphQLEndpoint
from server.settings import Settings


def graphql_endpoint(app: Starlette) -> GraphQLEndpoint:
    for route in app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            return route.endpoint  # type: ignore[return-value]
    raise LookupError("the service has no /graphql route")


def variant(settings: Settings, **changes: object) -> GraphQLEndpoint:
    """The service's endpoint built with ``settings`` changed: mounted beside the shipped one,
    it reads the same graph (the context comes from the app it is mounted in)."""
    return graphql_endpoint(create_service(None, dataclasses.replace(settings, **changes)))


def create_app() -> Starlette:
    settings = Settings.from_env()
    app = create_service(None, settings)
    endpoint = graphql_endpoint(app)
    uncached = variant(settings, response_cache=False)
    threaded = variant(settings, response_cache=False, execution="thread")
    core = variant(settings, response_cache=False, compiled_plans=False)

    async def stats(request: Request) -> Response:
        cache = endpoint.responses
        return JSONResponse(
            {
                "pid": os.getpid(),
                "hits": 0 if cache is None else cache.hits,
                "misses": 0 if cache is None else cache.misses,
                "entries": 0 if cache is None else len(cache),
                "bytes": 0 if cache is None else cache.bytes,
                "max_bytes": 0 if cache is None else cache.max_bytes,
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
