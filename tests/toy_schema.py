"""A tiny strawberry schema that exercises what the GraphQL HTTP layer must carry through:
arguments, enums, nesting (for the depth limit), ``info.context``, async resolvers, a mutation,
errors meant for clients and bugs that must be masked, and a subscription HTTP cannot serve.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON


class ToyRefusal(Exception):
    """An error whose message is meant for clients (passed to the endpoint's exposed_errors)."""


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Node:
    level: int

    @strawberry.field
    def child(self) -> Node:
        return Node(level=self.level + 1)


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello, {name}!"

    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    def color(self, pick: Color = Color.GREEN) -> Color:
        return pick

    @strawberry.field
    def node(self) -> Node:
        return Node(level=1)

    @strawberry.field
    def viewer(self, info: strawberry.Info) -> str:
        return info.context["viewer"]

    @strawberry.field
    async def later(self, seconds: float = 0.0) -> str:
        return "done"

    @strawberry.field
    def counted(self, info: strawberry.Info, step: int = 1) -> int:
        """How often this resolver ran, in a list the test's context provides."""
        calls = info.context["calls"]
        calls.append(step)
        return len(calls)

    @strawberry.field
    def boom(self) -> str | None:
        raise RuntimeError("database password is hunter2")

    @strawberry.field
    def must(self) -> str:
        raise RuntimeError("non-null field failed")

    @strawberry.field
    def refuse(self) -> str | None:
        raise GraphQLError("first must be at most 100 (got 101)")

    @strawberry.field
    def refuse_typed(self) -> str | None:
        raise ToyRefusal("search text is longer than 200 characters")

    @strawberry.field
    def not_a_number(self) -> JSON:
        return {"x": float("nan")}


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[int, None]:
        yield 1


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

#: Named example operations, standing in for the real app's default GraphiQL document.
EXAMPLE_DOCUMENT = """# Toy examples
query Greeting {
  hello(name: "Ballerina")
}

query Colors {
  color(pick: RED)
}
"""
