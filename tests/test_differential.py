"""The compiled plans of :mod:`server.fast_execution` answer every generated document exactly as
graphql-core's executor does: the same ``data`` (keys in the same order), the same errors
(message, path, locations, extensions, and the class of the exception behind each, which
decides whether the endpoint masks it), in the same order.

Documents come from hypothesis-graphql, drawn from two schemas:

- the live one, the strawberry schema the service builds, run on the real graph;
- a small one written here for what the live schema does not have (input types, with
  defaults, lists and nesting; custom scalars, ``Maybe``, an input built by ``from_input``
  from the info; field extensions; exception handlers; unions; resolvers taking
  ``root``/``parent``; values a scalar cannot serialise; nulls in non-null positions, in lists
  too; several errors in one answer, whose order counts; objects of the wrong type).

Each generated document is then varied (:class:`_Variation`): string and integer arguments
replaced by ones that mean something to the resolvers, arguments moved into variables (given,
or left to the variable's default, or left undefined so the argument's default applies),
optional arguments dropped, fields aliased, duplicated under another key or merged with a
copy, selection sets moved into named and inline fragments. Each generated document is run as
generated and in ``VARIANTS`` variants: 300 generated documents on the live schema and 120 on
the other (each run on it with and without the exception handler), 2,520 documents in all.

Validating a document costs more than running it both ways, so documents are validated only
when the answers differ (a variant graphql-core would refuse is a bug of this test, not a
finding), and ``test_variants_are_valid_documents`` checks that variants are valid. Runs are
derandomized: the same documents on every machine and every run.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import fields as dataclass_fields
from dataclasses import is_dataclass
from enum import Enum
from typing import Annotated, Any

import pytest
import strawberry
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    is_required_argument,
    parse,
    parse_type,
    print_ast,
    validate,
    value_from_ast_untyped,
)
from hypothesis import HealthCheck, Phase, currently_in_test_context, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis_graphql import queries
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from schema import Context, Limits, build_schema
from server.fast_execution import Plan, Resolvers
from tests.test_fuzz import MEANINGFUL

# --- running a document both ways --------------------------------------------------------------


def run_both(
    schema: strawberry.Schema,
    resolvers: Resolvers,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    context: object,
):
    """``(plan's result or None, graphql-core's result)``; ``None, None`` if the variables
    were refused (graphql-core then never starts, and neither does the plan)."""

    def executor():
        return schema.execution_context_class.build(
            schema._schema, document, None, context, variables, None
        )

    first = executor()
    if isinstance(first, list):
        return None, None
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    plan = Plan.compile(resolvers, document, operation)
    assert plan is not None, f"the fast path should take this document:\n{print_ast(document)}"
    return plan.execute(first), executor().execute_operation()


def answer(result) -> tuple[str, list]:
    """What a client would see, in order, and what the endpoint decides masking by."""
    errors = [
        (error.formatted, type(error.original_error).__name__) for error in result.errors or ()
    ]
    return json.dumps(result.data, ensure_ascii=False), errors


def event(name: str) -> None:
    """Count ``name`` in hypothesis's statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        hypothesis_event(name)


def assert_same(schema, resolvers, document, variables, context, *, may_fall_back=False):
    fast, slow = run_both(schema, resolvers, document, variables, context)
    if slow is None:
        event("variables refused")
        return
    if fast is None:
        assert may_fall_back, f"the plan gave up on:\n{print_ast(document)}\n{variables}"
        event("the plan left it to graphql-core")
        return
    errors = len(slow.errors or ())
    event("no error" if not errors else "one error" if errors == 1 else "errors")
    if slow.data is None:
        event("no data")
    if answer(fast) != answer(slow):
        # Documents are validated here only, as validation costs more than both executions;
        # test_variants_are_valid_documents checks that variants are valid.
        assert not validate(schema._schema, document), "the test made an invalid variant"
        assert answer(fast) == answer(slow), f"{print_ast(document)}\nvariables: {variables}"


# --- varying a generated document --------------------------------------------------------------

#: Integers around the bounds resolvers check (pages, depths, radii, limits) and beyond.
INTERESTING_INTS = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 10, 20, 99, 100, 101, 300, 301, 2**31 - 1]


class _Variation:
    """One variant of a generated document, chosen with ``rng``: see the module docstring."""

    def __init__(self, rng: random.Random, schema: GraphQLSchema, strings: list[str]) -> None:
        self.rng = rng
        self.schema = schema
        self.strings = strings
        self.variables: dict[str, Any] = {}
        self.definitions: list[VariableDefinitionNode] = []
        self.fragments: list[FragmentDefinitionNode] = []
        self.names = 0

    def __call__(self, document: DocumentNode) -> tuple[DocumentNode, dict[str, Any]]:
        (operation,) = document.definitions
        selection_set = self.selection_set(operation.selection_set, self.schema.query_type)
        named = self.definitions or self.coin(4)
        operation = OperationDefinitionNode(
            operation=operation.operation,
            name=NameNode(value="Generated") if named else None,
            variable_definitions=tuple(self.definitions),
            directives=(),
            selection_set=selection_set,
        )
        # Printed and parsed again, so that nodes carry locations as a client's would.
        varied = parse(print_ast(DocumentNode(definitions=(operation, *self.fragments))))
        return varied, self.variables

    def coin(self, one_in: int) -> bool:
        return self.rng.randrange(one_in) == 0

    def fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    # -- selections ------------------------------------------------------------------------

    def selection_set(self, node: SelectionSetNode, parent: Any) -> SelectionSetNode:
        selections: list[Any] = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                selections.extend(self.field(selection, parent))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                selections.append(
                    InlineFragmentNode(
                        type_condition=condition,
                        directives=(),
                        selection_set=self.selection_set(selection.selection_set, inner),
                    )
                )
            else:
                selections.append(selection)
        return self.regroup(selections, parent)

    def regroup(self, selections: list[Any], parent: Any) -> SelectionSetNode:
        """The selections as they are, or moved (in part) into fragments on ``parent``."""
        how = self.rng.randint(0, 7)
        whole = SelectionSetNode(selections=tuple(selections))
        if how == 0:
            name = self.fresh("F")
            self.fragments.append(
                FragmentDefinitionNode(
                    name=NameNode(value=name),
                    type_condition=NamedTypeNode(name=NameNode(value=parent.name)),
                    directives=(),
                    selection_set=whole,
                )
            )
            spread = FragmentSpreadNode(name=NameNode(value=name), directives=())
            # A fragment spread twice is collected once.
            return SelectionSetNode(selections=(spread, spread) if self.coin(3) else (spread,))
        if how == 1:
            return SelectionSetNode(
                selections=(
                    InlineFragmentNode(type_condition=None, directives=(), selection_set=whole),
                )
            )
        if how == 2 and len(selections) > 1:
            cut = self.rng.randint(1, len(selections) - 1)
            moved = InlineFragmentNode(
                type_condition=NamedTypeNode(name=NameNode(value=parent.name)),
                directives=(),
                selection_set=SelectionSetNode(selections=tuple(selections[cut:])),
            )
            return SelectionSetNode(selections=(*selections[:cut], moved))
        return whole

    def field(self, node: FieldNode, parent: Any) -> list[FieldNode]:
        alias = NameNode(value=self.fresh("a")) if self.coin(4) else node.alias
        varied = self.one_field(node, parent, alias)
        out = [varied]
        if self.coin(5):
            # The field again under another key, varied anew: siblings that fail apart.
            out.append(self.one_field(node, parent, NameNode(value=self.fresh("d"))))
        if varied.selection_set is not None and self.coin(8):
            # A copy with part of its selections, merged into it by their common key.
            kept = self.rng.randint(1, len(varied.selection_set.selections))
            out.append(
                FieldNode(
                    alias=alias,
                    name=node.name,
                    arguments=varied.arguments,
                    directives=(),
                    selection_set=SelectionSetNode(
                        selections=varied.selection_set.selections[:kept]
                    ),
                )
            )
        return out

    def one_field(self, node: FieldNode, parent: Any, alias: NameNode | None) -> FieldNode:
        name = node.name.value
        if name == "__typename":
            return FieldNode(alias=alias, name=node.name, arguments=(), directives=())
        field_def = parent.fields[name]
        arguments = [
            argument
            for argument in (self.argument(a, field_def.args[a.name.value]) for a in node.arguments)
            if argument is not None
        ]
        selection_set = (
            self.selection_set(node.selection_set, get_named_type(field_def.type))
            if node.selection_set is not None
            else None
        )
        return FieldNode(
            alias=alias,
            name=node.name,
            arguments=tuple(arguments),
            directives=(),
            selection_set=selection_set,
        )

    # -- arguments and variables -----------------------------------------------------------

    def argument(self, node: ArgumentNode, definition: Any) -> ArgumentNode | None:
        type_ = definition.type
        how = self.rng.randint(0, 7)
        if how == 0 and not is_required_argument(definition):
            return None  # the argument's default, or no value at all
        if how in (1, 2, 3):
            literal = self.value(node.value, type_, nested=False, variables=False)
            return ArgumentNode(name=node.name, value=self.variable(literal, type_))
        if how == 4 and not isinstance(type_, GraphQLNonNull):
            # Declared, never given: the argument takes its default, as if it were absent.
            name = self.fresh("u")
            self.declare(name, type_, None)
            return ArgumentNode(name=node.name, value=VariableNode(name=NameNode(value=name)))
        value = self.value(node.value, type_, nested=False, variables=True)
        return ArgumentNode(name=node.name, value=value)

    def variable(self, literal: ValueNode, type_: GraphQLInputType) -> VariableNode:
        name = self.fresh("v")
        if self.coin(3):
            self.declare(name, type_, literal)  # its default applies
        else:
            self.declare(name, type_, None)
            self.variables[name] = value_from_ast_untyped(literal)
        return VariableNode(name=NameNode(value=name))

    def declare(self, name: str, type_: GraphQLInputType, default: ValueNode | None) -> None:
        self.definitions.append(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=name)),
                type=parse_type(str(type_)),
                default_value=default,
                directives=(),
            )
        )

    def value(
        self, node: ValueNode, type_: GraphQLInputType, nested: bool, variables: bool
    ) -> ValueNode:
        """``node`` with meaningful strings and integers; if ``variables``, with some of the
        values nested in it moved into variables (a variable's own value stays constant)."""
        if isinstance(node, NullValueNode | VariableNode):
            return node
        if nested and variables and self.coin(6):
            literal = self.value(node, type_, nested=False, variables=False)
            return self.variable(literal, type_)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(inner, GraphQLList):
            if isinstance(node, ListValueNode):
                items = [self.value(v, inner.of_type, True, variables) for v in node.values]
                return ListValueNode(values=tuple(items))
            return self.value(node, inner.of_type, True, variables)
        if isinstance(inner, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
            return ObjectValueNode(
                fields=tuple(
                    ObjectFieldNode(
                        name=f.name,
                        value=self.value(f.value, inner.fields[f.name.value].type, True, variables),
                    )
                    for f in node.fields
                )
            )
        is_string = isinstance(node, StringValueNode) and inner in (GraphQLString, GraphQLID)
        if is_string and self.strings and not self.coin(4):
            return StringValueNode(value=self.rng.choice(self.strings))
        if isinstance(node, IntValueNode) and inner is GraphQLInt and self.coin(2):
            return IntValueNode(value=str(self.rng.choice(INTERESTING_INTS)))
        return node


def _as_document(document: DocumentNode) -> DocumentNode:
    return document


class Variants(list):
    """``(document, variables)`` pairs, shown as GraphQL text when hypothesis reports them."""

    def __repr__(self) -> str:
        return "\n\n".join(f"{print_ast(d)}\nvariables: {v!r}" for d, v in self)


def variants(
    schema: GraphQLSchema,
    strings: list[str],
    count: int,
    root_fields: tuple[str, ...] | None = None,
    **options: Any,
):
    """A document generated by hypothesis-graphql, selecting from ``root_fields`` (all by
    default), and ``count`` variants of it, each a pair ``(document, variables)``."""
    # Built once: hypothesis-graphql caches a strategy only when all its options are hashable.
    generated_documents = queries(schema, fields=root_fields, print_ast=_as_document, **options)

    @st.composite
    def draw(draw: st.DrawFn) -> Variants:
        generated = draw(generated_documents)
        # One seed for all the choices of the variants: far cheaper than a draw for each,
        # and as repeatable (the seed is drawn, and the run derandomized).
        rng = draw(st.randoms(use_true_random=True))
        out = Variants([(parse(print_ast(generated)), {})])
        for _ in range(count):
            out.append(_Variation(rng, schema, strings)(generated))
        return out

    return draw()


def differential(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # No shrinking: it takes minutes on documents this size, and a failure is printed
        # whole and replays as it is (derandomized); the regressions below are written by hand.
        phases=(Phase.explicit, Phase.generate),
    )


# --- the live schema, on the real graph --------------------------------------------------------

LIVE = build_schema()
LIVE_RESOLVERS = Resolvers(LIVE)
#: Each generated document is run as generated and in this many variants.
VARIANTS = 5


@pytest.mark.slow
@differential(max_examples=300)
@given(documents=variants(LIVE._schema, MEANINGFUL, VARIANTS))
def test_generated_documents_on_the_live_schema(ballerina, documents) -> None:
    context = Context(graph=ballerina, limits=Limits())
    for document, variables in documents:
        assert_same(LIVE, LIVE_RESOLVERS, document, variables, context)


# --- a schema with what the live one lacks ------------------------------------------------------


@strawberry.enum
class Colour(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@strawberry.input
class Span:
    low: int = 0
    high: int | None = None


@strawberry.input
class Filter:
    text: str | None = None
    colours: list[Colour] | None = None
    span: Span | None = None
    spans: list[Span] = strawberry.field(default_factory=lambda: [Span(low=1)])
    tags: list[str | None] | None = None
    ratio: float = 0.5
    marker: strawberry.ID | None = None
    since: datetime.date | None = None
    count: strawberry.Maybe[int | None]


@strawberry.input
class Located:
    """Built by ``from_input``, which reports the info and path it is given."""

    name: str


def _located_from_input(cls: type, value: Any, context: Any) -> Located:
    info = context.info
    where = "no info" if info is None else f"{info.field_name}@{info.path.as_list()}"
    return cls(name=f"{value['name']} ({where}, {list(context.path)})")


Located.__strawberry_definition__.from_input = _located_from_input


def describe(value: Any) -> str:
    """The converted Python value, with its types: conversions that differ describe apart."""
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(
            f"{f.name}={describe(getattr(value, f.name))}" for f in dataclass_fields(value)
        )
        return f"{type(value).__name__}({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, strawberry.Some):
        return f"Some({describe(value.value)})"
    return f"{type(value).__name__}:{value!r}"


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        return f"{next_(source, info, **kwargs)}! ({info.field_name})"


@strawberry.interface
class Shape:
    name: str


@strawberry.type
class Square(Shape):
    side: int

    @strawberry.field
    def strict(self, value: str | None = None) -> str:
        return value  # type: ignore[return-value]  # null in a non-null position

    @strawberry.field
    def via_root(self, root: Square) -> str:
        return f"root {root.name}"


@strawberry.type
class Circle(Shape):
    radius: float

    @strawberry.field
    def scaled(self, parent: strawberry.Parent[Circle], by: float = 2.0) -> float:
        return parent.radius * by


@strawberry.type
class Problem:
    message: str


@strawberry.enum
class Size(Enum):
    SMALL = "s"
    LARGE = "l"
    BIG = "l"  # an alias: the same member as LARGE


class Text(str):
    """A str of a class of its own: String answers it through the general path."""


#: What each leaf of the ``leaves`` rows holds, row by row (row ``i`` takes item ``i`` modulo
#: the length): values a scalar answers as they are, values it converts, values it refuses.
LEAF_VALUES: dict[str, list[Any]] = {
    "text": ["a", Text("b"), 1, True, 1.5, None, [1]],
    "number": [1, True, 2**31, -(2**31), 2**31 - 1, 1.0, 1.5, "7", None, "x"],
    "ratio": [0.5, float("nan"), float("inf"), 2, True, "2.5", None, -0.0],
    "flag": [True, 1, 0.0, None, "yes", False],
    "colour": [Colour.RED, "green", Size.LARGE, None, "nope", Colour.BLUE],
    "size": [Size.BIG, Size.SMALL, "s", Colour.RED, None],
    "ident": ["x", 7, Text("y"), None, 1.0],
}


@strawberry.type
class Leaves:
    """A row of leaves, read as attributes (strawberry's default resolver)."""

    text: str | None
    number: int | None
    ratio: float | None
    flag: bool | None
    colour: Colour | None
    size: Size | None
    ident: strawberry.ID | None

    @strawberry.field
    def strict_text(self) -> str:
        return self.text  # type: ignore[return-value]  # the values above, null and all

    @strawberry.field
    def strict_colour(self) -> Colour:
        return self.colour  # type: ignore[return-value]

    @strawberry.field
    def numbers(self) -> list[int]:
        return [v for v in LEAF_VALUES["number"] if v is not None][: 1 + self.index]

    index: strawberry.Private[int] = 0


Outcome = Annotated[Square | Problem, strawberry.union("Outcome")]


@strawberry.type
class Query:
    @strawberry.field
    def echo(
        self,
        info: Info,
        filter: Filter,
        colour: Colour = Colour.RED,
        n: int = 3,
        flags: list[bool] | None = None,
        values: list[float] | None = None,
        id: strawberry.ID | None = None,
        when: datetime.date | None = None,
        located: Located | None = None,
        many: list[Located] | None = None,
    ) -> str:
        arguments = {
            "filter": filter, "colour": colour, "n": n, "flags": flags, "values": values,
            "id": id, "when": when, "located": located, "many": many,
        }  # fmt: skip
        return f"{describe(arguments)} at {info.path.as_list()}"

    @strawberry.field
    def maybe(self, value: strawberry.Maybe[int | None] = None) -> str:
        return describe(value)

    @strawberry.field(extensions=[Shout()])
    def shout(self, text: str = "hey") -> str:
        return text

    @strawberry.field
    def failing(self, code: int) -> int | None:
        if code % 2:
            raise GraphQLError(f"odd code {code}", extensions={"code": "ODD", "value": code})
        if code % 3 == 0:
            raise ValueError(f"code {code} is a multiple of three")
        return code

    @strawberry.field
    def numbers(self, values: list[int | None] | None = None, big: bool = False) -> list[int]:
        out = list(values or [])
        return [*out, 2**40] if big else out  # type: ignore[list-item]

    @strawberry.field
    def shapes(self, count: int = 2, broken_at: int | None = None) -> list[Shape | None]:
        shapes: list[Any] = [
            Square(name=f"square {i}", side=i) if i % 2 else Circle(name=f"circle {i}", radius=i)
            for i in range(max(0, min(count, 6)))
        ]
        if broken_at is not None and 0 <= broken_at < len(shapes):
            shapes[broken_at] = ValueError(f"shape {broken_at} is broken")
        return shapes

    @strawberry.field
    def strict_shapes(self, count: int = 2, hole_at: int | None = None) -> list[Shape]:
        shapes: list[Any] = [Square(name=f"s{i}", side=i) for i in range(max(0, min(count, 6)))]
        if hole_at is not None and 0 <= hole_at < len(shapes):
            shapes[hole_at] = None
        return shapes

    @strawberry.field
    def outcome(self, ok: bool) -> Outcome:
        return Square(name="fine", side=1) if ok else Problem(message="not fine")

    @strawberry.field
    def risky(self, fail: bool) -> Outcome:
        if fail:
            raise LookupError("nothing there")
        return Square(name="there", side=2)

    @strawberry.field
    def wrong_type(self) -> Square | None:
        return Circle(name="not a square", radius=1.0)  # type: ignore[return-value]

    @strawberry.field
    def selection(self, info: Info) -> list[str]:
        return [f"{field.name}:{field.alias}" for field in info.selected_fields]

    @strawberry.field
    def leaves(self, count: int = 3, first: int = 0) -> list[Leaves | None]:
        rows = range(max(0, first), max(0, first) + max(0, min(count, 12)))
        return [Leaves(index=i, **{k: v[i % len(v)] for k, v in LEAF_VALUES.items()}) for i in rows]

    @strawberry.field
    def appended(
        self,
        values: list[int] | None = None,
        sizes: list[Size] | None = None,
        tail: int = 9,
        size: Size = Size.SMALL,
    ) -> str:
        """Changes the lists it is given: a list shared between calls would show it."""
        values = values if values is not None else []
        values.append(tail)
        if sizes is not None:
            sizes.append(size)
        return f"{values} {describe(sizes)} {describe(size)}"


class Handler(strawberry.ExceptionHandler[LookupError, Problem]):
    def handle(self, exception: LookupError, *, field: Any, info: Info) -> Problem:
        return Problem(message=f"handled {exception} at {info.path.as_list()}")


TOY = strawberry.Schema(query=Query, types=[Square, Circle, Leaves])
TOY_RESOLVERS = Resolvers(TOY)
#: The same, with an exception handler: then every field runs through strawberry's resolver.
HANDLED = strawberry.Schema(
    query=Query, types=[Square, Circle, Leaves], exception_handlers=[Handler()]
)
HANDLED_RESOLVERS = Resolvers(HANDLED)
TOY_STRINGS = ["", "a", "hey", "square 1", "2024-02-29", "not-a-date", "1"]
TOY_SCALARS = {
    "Date": st.dates(datetime.date(1999, 1, 1), datetime.date(2030, 12, 31)).map(
        lambda day: StringValueNode(value=day.isoformat())
    )
}


TOY_ROOT_FIELDS = [
    ("echo",),
    ("maybe", "shout", "failing", "numbers", "selection"),
    ("shapes", "strictShapes", "outcome", "risky", "wrongType"),
    ("leaves", "appended", "failing"),
]


@differential(max_examples=120)
@given(
    documents=st.one_of(
        variants(TOY._schema, TOY_STRINGS, VARIANTS, fields, custom_scalars=TOY_SCALARS)
        for fields in TOY_ROOT_FIELDS
    )
)
def test_generated_documents_on_a_schema_with_input_types(documents) -> None:
    for document, variables in documents:
        # Only ``wrongType`` sends the plan back to graphql-core (is_type_of refuses a Circle).
        may_fall_back = "wrongType" in print_ast(document)
        for schema, resolvers in ((TOY, TOY_RESOLVERS), (HANDLED, HANDLED_RESOLVERS)):
            assert_same(schema, resolvers, document, variables, None, may_fall_back=may_fall_back)


@differential(max_examples=20)
@given(
    live=variants(LIVE._schema, MEANINGFUL, VARIANTS),
    toy=st.one_of(
        variants(TOY._schema, TOY_STRINGS, VARIANTS, fields, custom_scalars=TOY_SCALARS)
        for fields in TOY_ROOT_FIELDS
    ),
)
def test_variants_are_valid_documents(live, toy) -> None:
    """The variations keep documents valid (the tests above validate only on a difference)."""
    for schema, documents in ((LIVE, live), (TOY, toy)):
        for document, _ in documents:
            errors = validate(schema._schema, document)
            assert not errors, f"{errors}\n{print_ast(document)}"


# --- regressions: each a difference the generated documents once found -------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        # Strawberry passes the info to convert_arguments, and from there to from_input; the
        # plan once passed none.
        (
            '{ echo(filter: {}, located: {name: "x"}, many: [{name: "y"}, {name: "z"}]) }',
            None,
        ),
        (
            "query ($l: Located) { echo(filter: {}, located: $l) }",
            {"l": {"name": "from a variable"}},
        ),
    ],
)
def test_regressions_on_the_schema_with_input_types(query, variables) -> None:
    assert_same(TOY, TOY_RESOLVERS, parse(query), variables, None)
    fast, _ = run_both(TOY, TOY_RESOLVERS, parse(query), variables, None)
    assert "no info" not in fast.data["echo"], fast.data


def test_exception_handlers_run_as_strawberry_runs_them() -> None:
    document = parse(
        "{ a: risky(fail: true) { ... on Problem { message } }"
        " b: risky(fail: false) { ... on Square { name } } }"
    )
    assert_same(HANDLED, HANDLED_RESOLVERS, document, None, None)
    fast, _ = run_both(HANDLED, HANDLED_RESOLVERS, document, None, None)
    assert fast.data == {"a": {"message": "handled nothing there at ['a']"}, "b": {"name": "there"}}
    # Without the handler, the same document fails at the non-null root field.
    assert_same(TOY, TOY_RESOLVERS, document, None, None)


def test_a_plan_run_again_gives_every_call_lists_of_its_own() -> None:
    """Arguments without variables are coerced once per document, and immutable ones
    converted once too; lists are still copied for every call, as strawberry copies them, so
    a resolver that changes its list changes nothing for the next call or the next request."""
    document = parse(
        "query ($v: [Int!], $s: [Size!]) {"
        " a: appended(values: [1, 2], sizes: [SMALL])"
        " b: appended(values: [1, 2], sizes: [SMALL], tail: 3, size: LARGE)"
        " c: appended(values: $v, sizes: $s) d: appended(values: $v, sizes: $s) e: appended }"
    )
    variables = {"v": [5], "s": ["LARGE"]}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    plan = Plan.compile(TOY_RESOLVERS, document, operation)
    assert plan is not None

    def executor():
        return TOY.execution_context_class.build(TOY._schema, document, None, None, variables, None)

    expected = executor().execute_operation()
    assert expected.data == {
        "a": "[1, 2, 9] [Size.SMALL, Size.SMALL] Size.SMALL",
        "b": "[1, 2, 3] [Size.SMALL, Size.LARGE] Size.LARGE",
        "c": "[5, 9] [Size.LARGE, Size.SMALL] Size.SMALL",
        "d": "[5, 9] [Size.LARGE, Size.SMALL] Size.SMALL",
        "e": "[9] NoneType:None Size.SMALL",
    }
    for _ in range(3):
        assert answer(plan.execute(executor())) == answer(expected)


def test_leaves_complete_as_graphql_core_completes_them() -> None:
    """Every row of ``LEAF_VALUES``: values kept as they are, converted, or refused."""
    fields = "text number ratio flag colour size ident numbers"
    for strict in ("", "strictText", "strictColour"):
        document = parse(f"{{ leaves(count: 12) {{ {fields} {strict} }} }}")
        assert_same(TOY, TOY_RESOLVERS, document, None, None)
        assert_same(HANDLED, HANDLED_RESOLVERS, document, None, None)
