"""The GraphQL schema of the Ballerina knowledge graph.

``build_schema()`` gives the strawberry schema; resolvers expect ``info.context`` to be a
:class:`schema.context.Context`. The schema's SDL is committed beside this file as
``schema.graphql`` (``python -m schema`` rewrites it), and ``examples.graphql`` holds the named
example operations GraphiQL opens with.
"""

from __future__ import annotations

from pathlib import Path

import strawberry

from schema.context import Context
from schema.limits import Limits
from schema.query import Query
from schema.types import ALL_NODE_TYPES

HERE = Path(__file__).resolve().parent
SDL_PATH = HERE / "schema.graphql"
EXAMPLES_PATH = HERE / "examples.graphql"

__all__ = ["Context", "Limits", "build_schema", "SDL_PATH", "EXAMPLES_PATH", "examples"]


def build_schema() -> strawberry.Schema:
    # Every entity type is listed so that each appears in the schema even where only the Entity
    # and Node interfaces name it.
    return strawberry.Schema(query=Query, types=list(ALL_NODE_TYPES))


def examples() -> str:
    return EXAMPLES_PATH.read_text(encoding="utf-8")
