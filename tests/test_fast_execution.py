"""The endpoint's compiled plans (server.fast_execution) answer exactly as graphql-core does:
same data, same errors, same null propagation, on the real schema and graph."""

from __future__ import annotations

import pytest
import strawberry
from graphql import OperationDefinitionNode, Undefined, parse

from bench.mix import DOCUMENTS, make_mix
from schema import Context, Limits, build_schema, examples
from server.fast_execution import Plan, Resolvers

SCHEMA = build_schema()
RESOLVERS = Resolvers(SCHEMA)


def both(graph, query: str, variables: dict | None = None, operation: str | None = None):
    document = parse(query)
    context = Context(graph=graph, limits=Limits())

    def executor():
        return SCHEMA.execution_context_class.build(
            SCHEMA._schema, document, None, context, variables, operation
        )

    chosen = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation is None or (d.name is not None and d.name.value == operation))
    ][0]
    plan = Plan.compile(RESOLVERS, document, chosen)
    assert plan is not None, "the fast path should take this document"
    fast = plan.execute(executor())
    slow = executor().execute_operation()
    return fast, slow


def formatted(result):
    return result.data, [e.formatted for e in result.errors or ()]


def test_the_mix_is_answered_as_graphql_core_answers_it(ballerina) -> None:
    for request in make_mix(ballerina, 300, seed=11):
        fast, slow = both(ballerina, DOCUMENTS[request.operation], request.variables)
        assert fast is not None
        assert formatted(fast) == formatted(slow), request


def test_the_graphiql_examples_are_answered_as_graphql_core_answers_them(ballerina) -> None:
    text = examples()
    for name in [line.split()[1].split("(")[0] for line in text.splitlines()
                 if line.startswith("query ")]:  # fmt: skip
        fast, slow = both(ballerina, text, operation=name)
        assert fast is not None
        assert formatted(fast) == formatted(slow), name


@pytest.mark.parametrize(
    "query",
    [
        # A resolver error on a non-null root field: no data.
        '{ path(from: "nobody", to: "ok-ju") { length } }',
        # A bound crossed in a nested, nullable position: that field is null.
        '{ entity(name: "ok-ju") { id neighbors(depth: 9) { distance } } }',
        # Errors next to data, in lists, with aliases and fragments.
        """{ a: entity(name: "ok-ju") { ...N } b: entity(name: "zzz") { id }
             c: search(text: "", first: 1) { score } }
           fragment N on Entity { id name ... on Character { actors { name } } }""",
        '{ timeline(participant: "nobody") { id } stats { nodeCount } }',
        '{ egoNetwork(center: "ok-ju", radius: 7) { matched } }',
    ],
)
def test_errors_and_null_propagation_match(ballerina, query: str) -> None:
    fast, slow = both(ballerina, query)
    assert fast is not None
    assert formatted(fast) == formatted(slow)
    assert slow.errors


def test_documents_with_directives_or_introspection_are_left_to_graphql_core() -> None:
    for query in (
        '{ entity(name: "ok-ju") @include(if: true) { id } }',
        "{ __schema { queryType { name } } }",
    ):
        document = parse(query)
        assert Plan.compile(RESOLVERS, document, document.definitions[0]) is None


# --- behaviours of graphql-core the plan must keep, on a small schema --------------------------


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Cat(Named):
    lives: int


@strawberry.type
class Dog(Named):
    good: bool


async def _later(value):
    return value


@strawberry.type
class Pets:
    @strawberry.field
    def undefined(self) -> str | None:
        return Undefined  # graphql-core answers null for it

    @strawberry.field
    def promised(self) -> str | None:
        return _later("a coroutine from a synchronous resolver")  # type: ignore[return-value]

    @strawberry.field
    def promised_items(self) -> list[str]:
        return [_later("x")]  # type: ignore[list-item]

    @strawberry.field
    def pets(self) -> list[Named]:
        # The second is a Cat cast to Dog: the runtime type memoised for Cat must not apply.
        return [
            Cat(name="a", lives=9),
            strawberry.cast(Dog, Cat(name="b", lives=1)),
            Cat(name="c", lives=8),
        ]


PETS = strawberry.Schema(query=Pets, types=[Cat, Dog])
PETS_RESOLVERS = Resolvers(PETS)


def run_pets(query: str):
    document = parse(query)
    plan = Plan.compile(PETS_RESOLVERS, document, document.definitions[0])
    assert plan is not None

    def executor():
        return PETS.execution_context_class.build(PETS._schema, document)

    return plan.execute(executor()), executor()


def test_a_resolver_answering_undefined_gets_null_as_from_graphql_core() -> None:
    fast, executor = run_pets("{ undefined }")
    assert formatted(fast) == formatted(executor.execute_operation()) == ({"undefined": None}, [])


@pytest.mark.parametrize("query", ["{ promised }", "{ promisedItems }"])
def test_awaitables_from_synchronous_resolvers_are_left_to_graphql_core(query: str) -> None:
    fast, _ = run_pets(query)
    assert fast is None


def test_a_cast_object_resolves_to_the_type_it_is_cast_to_when_its_class_was_seen() -> None:
    fast, executor = run_pets("{ pets { __typename name } }")
    slow = executor.execute_operation()
    assert formatted(fast) == formatted(slow)
    assert [pet["__typename"] for pet in fast.data["pets"]] == ["Cat", "Dog", "Cat"]
