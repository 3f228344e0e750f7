"""The static bounds of a document (server.graphql_http.bounds), in one pass.

Held against strawberry's own limiters (QueryDepthLimiter, MaxAliasesLimiter), which walk every
spread again, on documents small enough for them; and on the fan-out family, which they never
finish, for speed relative to a document of the same size that does not fan out.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, GraphQLError, OperationDefinitionNode, parse
from strawberry.extensions.max_aliases import count_fields_with_alias
from strawberry.extensions.query_depth_limiter import determine_depth

from schema.limits import Limits
from server.graphql_http.bounds import ALIAS_COUNT_CAP, MAX_NESTING, measure, refusals

EXAMPLES = Path(__file__).resolve().parents[1] / "schema" / "examples.graphql"


class _Reports:
    """Stands in for the ValidationContext strawberry's depth walker reports to."""

    def __init__(self) -> None:
        self.errors: list[GraphQLError] = []

    def report_error(self, error: GraphQLError) -> None:
        self.errors.append(error)


def strawberry_bounds(text: str) -> tuple[dict[str, int], int]:
    """Depth per operation and total aliases, as strawberry's limiters count them."""
    document = parse(text)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    depths = {}
    for operation in operations:
        name = operation.name.value if operation.name else "anonymous"
        depths[name] = determine_depth(
            operation,
            fragments,
            0,
            10**6,
            _Reports(),
            name,
            None,  # type: ignore[arg-type]
        )
    aliases = sum(count_fields_with_alias(operation, fragments) for operation in operations)
    return depths, aliases


def fan_out(levels: int, leaf: str = "__typename") -> str:
    """Fragments that each spread the next one twice: 2^levels copies of ``leaf``."""
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {spreads} fragment F{levels} on Query {{ {leaf} }}"


def chain(levels: int, leaf: str = "__typename") -> str:
    """The same size as ``fan_out(levels)``, but each fragment spreads the next and a field."""
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} __typename }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {spreads} fragment F{levels} on Query {{ {leaf} }}"


def random_document(rng: random.Random) -> str:
    """A document of nested fields, aliases, inline fragments and (acyclic) fragment spreads."""
    fragment_count = rng.randint(0, 4)

    def selections(level: int, spreadable: range) -> str:
        parts = []
        for index in range(rng.randint(1, 3)):
            roll = rng.random()
            alias = f"a{index}: " if rng.random() < 0.3 else ""
            if level < 5 and roll < 0.4:
                parts.append(f"{alias}node {{ {selections(level + 1, spreadable)} }}")
            elif level < 5 and roll < 0.5:
                parts.append(f"... on Query {{ {selections(level + 1, spreadable)} }}")
            elif roll < 0.7 and len(spreadable):
                parts.append(f"...G{rng.choice(spreadable)}")
            elif roll < 0.8:
                parts.append(f'{alias}__type(name: "Q") {{ name {alias}kind }}')
            else:
                parts.append(f"{alias}leaf")
        return " ".join(parts)

    # Fragment i may spread only fragments after it: no cycles.
    fragments = [
        f"fragment G{i} on Query {{ {selections(0, range(i + 1, fragment_count))} }}"
        for i in range(fragment_count)
    ]
    operations = [
        f"query Q{i} {{ {selections(0, range(fragment_count))} }}" for i in range(rng.randint(1, 2))
    ]
    return " ".join(operations + fragments)


@pytest.mark.parametrize("seed", range(150))
def test_depth_and_aliases_are_counted_as_strawberry_counts_them(seed: int) -> None:
    text = random_document(random.Random(seed))
    depths, aliases = strawberry_bounds(text)
    bounds = measure(parse(text))
    assert (bounds.depths, bounds.aliases) == (depths, aliases), text
    assert not bounds.has_cycle


def test_the_graphiql_examples_are_counted_as_strawberry_counts_them() -> None:
    text = EXAMPLES.read_text(encoding="utf-8")
    depths, aliases = strawberry_bounds(text)
    bounds = measure(parse(text))
    assert (bounds.depths, bounds.aliases) == (depths, aliases)
    assert not refusals(parse(text), Limits())


@pytest.mark.parametrize("levels", [1, 2, 5, 10, 12])
def test_fan_out_counts_every_copy_of_an_alias_as_strawberry_does(levels: int) -> None:
    text = fan_out(levels, "a: __typename")
    assert strawberry_bounds(text) == ({"anonymous": 0}, 2**levels)
    assert measure(parse(text)).aliases == 2**levels


def test_alias_counts_saturate_and_say_so() -> None:
    bounds = measure(parse(fan_out(60, "a: __typename")))
    assert bounds.aliases == ALIAS_COUNT_CAP  # 2^60 is past the cap
    (error,) = refusals(parse(fan_out(60, "a: __typename")), Limits())
    assert error.message.startswith(f"At least {ALIAS_COUNT_CAP:,} aliases found. Allowed: 30")
    assert error.extensions["code"] == "ALIAS_LIMIT_EXCEEDED"


def test_depth_through_a_fan_out_is_the_depth_of_one_copy() -> None:
    leaf = "node { neighbors { node { id } } }"  # three fields with selections: depth 3
    text = fan_out(50, leaf)
    assert measure(parse(text)).depths == {"anonymous": 3}
    (error,) = refusals(parse(text), Limits(max_depth=2))
    assert error.extensions == {
        "code": "DEPTH_LIMIT_EXCEEDED",
        "limit": "max_depth",
        "depth": 3,
        "max": 2,
    }


def _seconds(text: str, runs: int = 5) -> float:
    document = parse(text, max_tokens=10**6)
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        refusals(document, Limits())
        best = min(best, time.perf_counter() - started)
    return best


def test_the_fan_out_family_costs_what_a_document_of_its_size_costs() -> None:
    # Linear: 60 levels (2^60 copies of the leaf) take about as long as a chain of 60
    # fragments of the same size. Exponential work would be 2^60 times as much.
    for levels in (10, 20, 40, 60):
        fanned = min(_seconds(fan_out(levels, "a: __typename")) for _ in range(3))
        baseline = min(_seconds(chain(levels, "a: __typename")) for _ in range(3))
        assert fanned < baseline * 3 + 0.001, (levels, fanned, baseline)


def test_a_fragment_cycle_is_left_to_graphql_core_to_name_and_never_loops() -> None:
    text = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { a: x ...A ...B }"
    bounds = measure(parse(text))
    assert bounds.has_cycle
    assert refusals(parse(text), Limits(max_aliases=0)) == []


def test_nesting_through_fragments_is_refused_before_graphql_core_gives_up() -> None:
    # Inline fragments nest without adding depth; through 60 fragments, 3 levels each.
    fragments = " ".join(
        f"fragment F{i} on Query {{ ... on Query {{ ... on Query {{ ...F{i + 1} }} }} }}"
        for i in range(60)
    )
    text = f"{{ ...F0 }} {fragments} fragment F60 on Query {{ __typename }}"
    bounds = measure(parse(text))
    assert bounds.depths == {"anonymous": 0}
    assert bounds.nesting > MAX_NESTING
    (error,) = refusals(parse(text), Limits())
    assert error.extensions["code"] == "NESTING_LIMIT_EXCEEDED"


@pytest.mark.parametrize("repeats", [300, 706, 708, 800, 1990])
def test_a_document_refused_as_too_complex_is_one_graphql_core_gives_up_on(repeats: int) -> None:
    # The count is a lower bound of what graphql-core's overlapping-fields rule spends: what it
    # refuses at once, graphql-core would refuse after spending its whole budget.
    from graphql import validate

    from schema import build_schema

    document = parse("{ " + "__typename " * repeats + "}", max_tokens=10**4)
    mine = refusals(document, Limits())
    if mine:
        assert [error.extensions["code"] for error in mine] == ["VALIDATION_TOO_COMPLEX"]
        theirs = validate(build_schema()._schema, document)
        assert [error.message for error in theirs] == ["Validation aborted."]
    assert bool(mine) == (repeats * (repeats - 1) > 500_000)
