"""A Starlette app around the toy schema, for tests that need a real server process.

Start it with ``uvicorn tests.toy_app:create_app --factory``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from schema.limits import Limits
from server.graphiql import ASSET_PREFIX, graphiql_assets, graphiql_page
from server.graphql_http import GraphQLEndpoint
from tests.toy_schema import EXAMPLE_DOCUMENT, ToyRefusal, schema


def toy_context(request: Request) -> dict[str, object]:
    return {"viewer": request.headers.get("x-viewer", "anonymous"), "request": request}


def create_endpoint(
    limits: Limits | None = None, max_body_bytes: int = 100_000, graphiql: bool = True
) -> GraphQLEndpoint:
    page = graphiql_page("/graphql", EXAMPLE_DOCUMENT, "Toy GraphiQL", ASSET_PREFIX)
    return GraphQLEndpoint(
        schema,
        context=toy_context,
        limits=limits or Limits(),
        max_body_bytes=max_body_bytes,
        graphiql_html=page if graphiql else None,
        exposed_errors=(ToyRefusal,),
    )


def create_app(endpoint: GraphQLEndpoint | None = None) -> Starlette:
    return Starlette(
        routes=[Route("/graphql", endpoint or create_endpoint()), graphiql_assets()],
    )
