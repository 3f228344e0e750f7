"""A fast path for query operations: a plan compiled once per document, run with plain calls.

graphql-core's executor does, for every field of every object, what only needs doing once per
document: collecting the selection set, looking up the field definition, choosing how to
complete its type and building a ``GraphQLResolveInfo``. Profiled on the mix of ``bench/``,
that machinery was most of the cost of an answer. A :class:`Plan` does the per-document part
once, when the document is first run, and then executes an operation as a tree of plain calls:
resolver, completion, next field.

**What it answers, and how.** The answer is the one graphql-core's executor gives, data and
errors alike (``tests/test_differential.py`` runs generated documents through both and compares
them):

- fields are collected as the specification's CollectFields does, as graphql-core's
  ``collect_fields`` does (which the plan does not call: it works per request), so keys and
  the field nodes behind each come in the same order;
- each field is resolved as strawberry's own resolver (``GraphQLField.resolve``) resolves it,
  which wraps the info in an ``Info``, converts the arguments with ``convert_arguments(...,
  info=...)``, runs field extensions and exception handlers and passes
  ``self``/``root``/``parent``/``info`` as the resolver asks for them. The info it is given
  is a stand-in for the ``GraphQLResolveInfo`` that has the ``context`` at hand and builds the
  real info, with the executor's own ``build_resolve_info``, the first time anything else is
  read from it. A field with extensions, or any field of a schema with exception handlers,
  goes through that resolver; the others are called directly, as it would end up calling
  them (:class:`_Call` says how): a field without a resolver reads its attribute (``getattr``,
  strawberry's default resolver), a method taking only ``self`` is called with the source,
  and any other resolver function gets ``self``/``root``/``parent``, an ``Info`` built as
  strawberry builds it (only when the function asks for one or the arguments are converted
  per call) and the arguments converted by strawberry's ``convert_argument``, argument by
  argument as ``convert_arguments`` does;
- arguments are coerced by graphql-core's ``get_argument_values``, once per document for those
  that use no variable, and converted once per document where they convert to immutable
  values (scalars, enum members, nulls); lists and input objects are converted for each call,
  as strawberry copies lists and builds input objects anew for each call, so a resolver never
  shares a container with another call or request (a custom scalar whose parsed value is
  mutable would be shared, and this schema has none);
- leaves are serialised by the same ``coerce_output_value``, except where its answer is known
  without calling it: a ``str`` (exactly) for String and ID, a ``bool`` for Boolean, an
  ``int`` in the 32-bit range for Int and a finite ``float`` for Float answer themselves, and
  a member of a strawberry enum's own class answers the name its ``coerce_output_value`` gave
  for that member when the document was compiled; abstract types are resolved by the same
  ``resolve_type`` (memoised per Python class only where strawberry's default resolver
  depends on nothing else) and objects checked by the same ``is_type_of`` (not called where
  strawberry's own would hold: an instance of the type's own class, not cast);
- errors are handled in place, as graphql-core handles them: an exception from a resolver,
  from argument coercion or from completion (a null in a non-null position, a value a scalar
  cannot serialise, something not iterable where a list is due) becomes a located error with
  the field's path and locations, and nulls the nearest nullable position; siblings already
  resolved keep their values, later siblings of a failed non-null field are not resolved, and
  errors come out in the order graphql-core collects them.

**What it leaves to graphql-core.** :meth:`Plan.compile` returns ``None``, and the caller runs
graphql-core's executor instead, for a document it does not take: not a query; directives
anywhere (``@skip``/``@include``/``@defer``/``@stream`` and operation directives make what is
selected, or how errors propagate, depend on more than the document); fragment variables;
introspection fields other than ``__typename``; fields that are not strawberry's or whose
resolver is asynchronous. :meth:`Plan.execute` returns ``None`` midway, and the caller then
runs graphql-core from the start, only where graphql-core's own wording of an error would have
to be copied or where a value is asynchronous: ``is_type_of`` refusing a value, ``resolve_type``
naming no possible type, a resolver result or list item that is awaitable or an asynchronous
iterable (the coroutines it drops are closed). Resolvers may then have run twice: they must be
free of side effects, as those of a read-only schema are.

**Pinned internals.** The versions it was proven against are pinned in ``pyproject.toml``
(``strawberry-graphql``, ``graphql-core``). Beyond their documented API it touches:

- strawberry: ``Schema._schema`` (the graphql-core schema) and ``Schema.exception_handlers``;
  the ``GraphQLCoreConverter.DEFINITION_BACKREF`` entry of ``extensions`` linking each GraphQL
  field and type to its strawberry definition; of a ``StrawberryField``, ``is_async``,
  ``is_basic_field``, ``extensions``, ``arguments``, ``default_resolver``, ``python_name``,
  ``base_resolver`` and that its class keeps ``StrawberryField.get_result``; of a
  ``StrawberryArgument``, ``python_name`` and ``type``; of its ``StrawberryResolver``,
  ``self_parameter``, ``info_parameter``, ``root_parameter``, ``parent_parameter`` and
  ``wrapped_func``; ``Schema.config`` (``info_class``, ``name_converter.from_argument``) and
  ``Schema.schema_converter.scalar_registry``; ``strawberry.types.arguments.convert_argument``;
  the ``wrapped_cls`` of strawberry's enum types; of a
  ``StrawberryObjectDefinition``, ``origin``, ``is_type_of``, ``resolve_type``,
  ``concrete_of`` and ``is_graphql_generic``; ``strawberry.types.cast.get_strawberry_type_cast``;
  and the ``Info`` it builds reads the stand-in as if it were the ``GraphQLResolveInfo``;
- graphql-core: ``Executor.build_resolve_info`` (marked private), and the executor's
  attributes ``root_value``, ``context_value``, ``variable_values``, ``is_awaitable`` and
  ``is_async_iterable``.

``server.graphql_http`` subclasses :class:`Plan` and overrides ``_execute_fields(fields,
source, path, run, parent)``, called once per object, to check its limits there.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from inspect import iscoroutine
from math import isfinite
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Self, TypeAlias, TypeVar, cast, overload

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    get_argument_values,
    is_abstract_type,
    is_leaf_type,
    located_error,
)
from graphql.execution import Executor
from graphql.pyutils import Path, inspect, is_iterable
from graphql.pyutils import is_async_iterable as default_is_async_iterable
from strawberry.scalars import ID
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

if TYPE_CHECKING:
    import strawberry
    from strawberry.schema.config import StrawberryConfig

__all__ = ["Plan", "Resolvers"]

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
#: The range of GraphQL's Int (graphql-core refuses an int outside it).
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1


class _Unsupported(Exception):
    """The document uses something the fast path leaves to graphql-core."""


class _Fallback(Exception):
    """This request cannot be answered by the fast path: run graphql-core's executor."""


# --- how each field is resolved ---------------------------------------------------------------

# A resolver of the plan: (source, info stand-in, coerced GraphQL arguments) -> value.
Resolve = Callable[[Any, Any, dict[str, Any]], Any]

#: A response path as nested tuples ``(previous, key, typename)``: a graphql-core ``Path`` is
#: made from it only when an error or an info needs one.
ResponsePath: TypeAlias = "tuple[ResponsePath | None, str | int, str | None]"

#: The real ``GraphQLResolveInfo`` of a field, built when called.
InfoThunk = Callable[[], GraphQLResolveInfo[Any]]

#: ``complete(value, path, info, run)``: a resolved value made into its part of the answer.
Complete: TypeAlias = "Callable[[Any, ResponsePath, InfoThunk, _Run[Any]], Any]"

#: The executor a plan runs with: graphql-core's, or a subclass of it (server.graphql_http's).
E = TypeVar("E", bound=Executor[Any])


#: Python types whose values are the same in every request: a value of one of them (or an
#: enum member) can be converted once per document and passed to every call.
_IMMUTABLE = frozenset({type(None), str, int, float, bool})


def _immutable(value: Any) -> bool:
    return type(value) in _IMMUTABLE or isinstance(value, Enum)


class Resolvers:
    """How to call the resolver of each field of a strawberry schema, worked out once."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.graphql_schema: GraphQLSchema = schema._schema
        self._handlers = bool(getattr(schema, "exception_handlers", None))
        self._config = schema.config
        self._scalars = schema.schema_converter.scalar_registry
        self._cache: dict[tuple[str, str], _Resolver | None] = {}
        self._enums: dict[str, tuple[type, dict[Any, str]]] = {}

    def of(self, parent: GraphQLObjectType, name: str, field_def: GraphQLField) -> _Resolver | None:
        """How to call a field's resolver, or ``None`` if the fast path cannot call it."""
        key = (parent.name, name)
        if key not in self._cache:
            self._cache[key] = self._make(field_def)
        return self._cache[key]

    def enum_names(self, type_: Any) -> tuple[type, dict[Any, str]]:
        """``(cls, names)`` for a strawberry enum type: its Python enum class and the name
        its ``coerce_output_value`` answers for each member; ``(_Never, {})`` for any other."""
        wrapped = getattr(type_, "wrapped_cls", None)
        if (
            not isinstance(type_, GraphQLEnumType)
            or not isinstance(wrapped, type)
            or not issubclass(wrapped, Enum)
            or hasattr(wrapped, "__await__")  # members graphql-core would await
        ):
            return _Never, {}
        if type_.name not in self._enums:
            try:
                names = {member: type_.coerce_output_value(member) for member in wrapped}
            except Exception:  # noqa: BLE001 - then every value takes the general path
                self._enums[type_.name] = (_Never, {})
            else:
                self._enums[type_.name] = (wrapped, names)
        return self._enums[type_.name]

    def _make(self, field_def: GraphQLField) -> _Resolver | None:
        field = (field_def.extensions or {}).get(_BACKREF)
        wrapped = field_def.resolve
        if field is None or wrapped is None or getattr(field, "is_async", True):
            return None
        plain = (
            not field.extensions
            and not self._handlers
            and type(field).get_result is StrawberryField.get_result
        )
        if field.is_basic_field and plain:
            # Strawberry's resolver of such a field is ``default_resolver(source, name)``.
            default, attribute = field.default_resolver, field.python_name
            if default is getattr:
                return _Resolver(direct=attrgetter(attribute))
            return _Resolver(direct=lambda source: default(source, attribute))

        resolver = field.base_resolver
        if plain and resolver is not None and callable(resolver.wrapped_func):
            if (
                not field.arguments
                and resolver.self_parameter is not None
                and resolver.info_parameter is None
                and resolver.root_parameter is None
                and resolver.parent_parameter is None
            ):
                # A method taking only ``self``: strawberry's resolver comes to
                # ``base_resolver(source)``, which calls ``wrapped_func(source)``.
                return _Resolver(direct=resolver.wrapped_func)
            return _Resolver(call=_Call(field, self._config, self._scalars))

        # Strawberry's own resolver: the info wrapped in an ``Info``, the arguments converted
        # (``convert_arguments(..., info=...)``), extensions and exception handlers run, and
        # ``self``, ``root``, ``parent`` and ``info`` passed as the resolver asks for them.
        def resolve(source: Any, info: Any, arguments: dict[str, Any]) -> Any:
            return wrapped(source, info, **arguments)

        return _Resolver(resolve=resolve)


class _Resolver:
    """One of three ways to call a field's resolver: ``direct(source)``; through ``call``,
    as strawberry's resolver would call the function; or strawberry's resolver itself,
    ``resolve(source, info, arguments)``."""

    __slots__ = ("direct", "call", "resolve")

    def __init__(
        self,
        direct: Callable[[Any], Any] | None = None,
        call: _Call | None = None,
        resolve: Resolve | None = None,
    ) -> None:
        self.direct = direct
        self.call = call
        self.resolve = resolve


class _Call:
    """A strawberry resolver function called as strawberry's resolver calls it, for a field
    without extensions in a schema without exception handlers.

    Strawberry's resolver (``GraphQLField.resolve``, from ``from_resolver``) does, for such a
    field: ``info = config.info_class(_raw_info=info, _field=field)``; the arguments converted
    by ``convert_arguments(arguments, field.arguments, scalar_registry=..., config=...,
    info=info)``; the source passed first if the function takes ``self``, and as the keyword
    arguments ``root``/``parent`` name, the info as the one ``info`` names; then
    ``field.get_result`` calls ``base_resolver(*args, **kwargs)``, which calls
    ``wrapped_func(*args, **kwargs)``. :meth:`resolver` does the same, except that arguments
    which use no variable and convert to immutable values (scalars, enum members, ``None``:
    nothing that a list or an input object could be built into, nothing ``from_input`` made)
    are converted once per document, and the ``Info`` is built only when the function takes
    one or the conversion is per call.
    """

    __slots__ = (
        "field", "config", "scalars", "function", "takes_self", "sources", "info_name",
        "arguments",
    )  # fmt: skip

    def __init__(self, field: StrawberryField, config: StrawberryConfig, scalars: Any) -> None:
        resolver = field.base_resolver
        assert resolver is not None
        self.field = field
        self.config = config
        self.scalars = scalars
        self.function = cast(Callable[..., Any], resolver.wrapped_func)
        self.takes_self = resolver.self_parameter is not None
        #: The names under which the source is passed as a keyword (``root``, ``parent``).
        self.sources = tuple(
            p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None
        )
        self.info_name = None if resolver.info_parameter is None else resolver.info_parameter.name
        #: (GraphQL name, Python name, strawberry type, whether ``convert_argument`` returns
        #: any value of it as it is) of each argument, as strawberry's ``convert_arguments``
        #: reads them.
        self.arguments = tuple(
            (config.name_converter.from_argument(a), a.python_name, a.type, self._as_is(a.type))
            for a in field.arguments
        )

    def _as_is(self, type_: Any) -> bool:
        """Whether ``convert_argument`` returns every value of ``type_`` as it is: for a
        built-in scalar of the registry, or an optional one (not a ``Maybe``), it returns
        ``None`` as ``None`` and a leaf's value as it is (only ``GlobalID`` is converted)."""
        if isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
            type_ = type_.of_type
        return type_ in (str, int, float, bool, ID) and type_ in self.scalars

    def convert(self, arguments: dict[str, Any], info: Any) -> dict[str, Any]:
        """``convert_arguments(arguments, field.arguments, ..., info=info)``, its loop with
        each argument's GraphQL name and type looked up once (its ``name_converter`` and
        ``type`` are functions of the argument) instead of on every call."""
        kwargs: dict[str, Any] = {}
        for name, python_name, type_, as_is in self.arguments:
            if name in arguments:
                if as_is:
                    kwargs[python_name] = arguments[name]
                    continue
                kwargs[python_name] = convert_argument(
                    value=arguments[name],
                    type_=type_,
                    config=self.config,
                    scalar_registry=self.scalars,
                    info=info,
                    path=(name,),
                )
        return kwargs

    def converted_once(self, arguments: dict[str, Any] | None) -> dict[str, Any] | None:
        """The converted keyword arguments for every call, when ``arguments`` (coerced once
        per document; ``None`` when they use variables) convert to immutable values only."""
        if arguments is None or not all(_immutable(v) for v in arguments.values()):
            return None
        try:
            converted = self.convert(arguments, None)
        except Exception:  # noqa: BLE001 - converted again per call, which reports it
            return None
        return converted if all(_immutable(v) for v in converted.values()) else None

    def resolver(self, arguments: dict[str, Any] | None) -> tuple[Resolve, bool]:
        """``(resolve(source, info, arguments), needs_info)`` for a field whose coerced
        arguments are ``arguments`` in every request (``None``: they vary)."""
        function, takes_self, sources = self.function, self.takes_self, self.sources
        info_name, field, info_class = self.info_name, self.field, self.config.info_class
        once = self.converted_once(arguments)
        # Strawberry's own Info is a record: building one that nothing reads does nothing.
        if once is not None and info_name is None and not sources and info_class is Info:
            # The common case spared every step but the call: the callee gets its own copy
            # of the keyword arguments, as any call does.
            if takes_self:
                return (lambda source, info, arguments: function(source, **once)), False
            return (lambda source, info, arguments: function(**once)), False
        if once is not None and info_name == "info" and not sources and takes_self:
            # The usual method taking ``self`` and ``info`` and arguments without variables.
            def resolve_with_info(source: Any, info: Any, arguments: dict[str, Any]) -> Any:
                return function(source, info=info_class(_raw_info=info, _field=field), **once)

            return resolve_with_info, True
        convert = self.convert

        def resolve(source: Any, info: Any, arguments: dict[str, Any]) -> Any:
            strawberry_info = info_class(_raw_info=info, _field=field)
            kwargs = dict(once) if once is not None else convert(arguments, strawberry_info)
            for name in sources:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = strawberry_info
            return function(source, **kwargs) if takes_self else function(**kwargs)

        return resolve, True


# --- the plan ---------------------------------------------------------------------------------


class _Run(Generic[E]):
    """What one execution needs: graphql-core's execution context, for variables and infos."""

    __slots__ = ("context", "errors", "is_awaitable", "is_async_iterable", "default_async_iterable")

    def __init__(self, context: E) -> None:
        self.context = context
        self.is_awaitable = context.is_awaitable
        self.is_async_iterable = context.is_async_iterable
        #: Whether that is graphql-core's own predicate, to which no list is asynchronous.
        self.default_async_iterable = self.is_async_iterable is default_is_async_iterable
        #: Field errors, in the order graphql-core would collect them.
        self.errors: list[GraphQLError] = []


class _FieldPlan:
    __slots__ = (
        "key", "field_def", "nodes", "parent", "resolve", "direct", "arguments", "complete",
        "typename", "non_null", "needs_info", "as_is", "enum_class", "enum_names", "null_message",
    )  # fmt: skip

    # Set by Plan._plan_fields for every plan but that of ``__typename`` (``typename`` set),
    # which is answered before any of them is read.
    field_def: GraphQLField
    #: ``complete(value, path, info, run)``.
    complete: Complete
    #: ``resolve(source, info, arguments)``, for the fields that have no ``direct``.
    resolve: Resolve

    def __init__(self, key: str, parent: GraphQLObjectType, nodes: list[FieldNode]) -> None:
        self.key = key
        self.parent = parent
        self.nodes = nodes
        self.typename: str | None = None
        #: ``direct(source)``, for fields whose resolver reads an attribute.
        self.direct: Callable[[Any], Any] | None = None
        #: Coerced arguments when they use no variable (computed once), else None.
        self.arguments: dict[str, Any] | None = None
        self.non_null = False
        #: What a null in a non-null field is reported as.
        self.null_message = ""
        #: Whether the resolver or the completion may read the info.
        self.needs_info = False
        #: The class of the values that may complete to themselves (see ``_kept_as_is``).
        self.as_is: type = _Never
        #: For an enum field, its Python class and each member's name (``enum_names``).
        self.enum_class: type = _Never
        self.enum_names: dict[Any, str] = {}


class Plan(Generic[E]):
    """The compiled form of one query operation of a validated document, run with an
    executor of type ``E``."""

    def __init__(
        self,
        resolvers: Resolvers,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        hide_suggestions: bool = False,
    ) -> None:
        if operation.operation is not OperationType.QUERY:
            raise _Unsupported("only queries")
        self._resolvers = resolvers
        self._schema = resolvers.graphql_schema
        self._hide = hide_suggestions
        self._fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                if definition.directives or getattr(definition, "variable_definitions", None):
                    raise _Unsupported("fragment directives or variables")
                self._fragments[definition.name.value] = definition
        if operation.directives:
            raise _Unsupported("operation directives")
        root = self._schema.query_type
        if root is None:
            raise _Unsupported("no query type")
        self._root = root
        self._fields = self._plan_fields(root, [operation.selection_set])

    @classmethod
    def compile(
        cls,
        resolvers: Resolvers,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        hide_suggestions: bool = False,
    ) -> Self | None:
        """The plan of ``operation``, or ``None`` if it must run on graphql-core."""
        try:
            return cls(resolvers, document, operation, hide_suggestions)
        except _Unsupported:
            return None

    def execute(self, execution_context: E) -> ExecutionResult | None:
        """The result, as graphql-core's ``execute_operation`` on ``execution_context`` (an
        executor built for this document) would give it, or ``None``: then run that instead.
        """
        run = _Run(execution_context)
        try:
            data = self._execute_fields(
                self._fields, execution_context.root_value, None, run, self._root
            )
        except GraphQLError as error:  # a non-null root field failed: no data at all
            return ExecutionResult(None, [*run.errors, error])
        except (_Unsupported, _Fallback):
            return None
        return ExecutionResult(data, run.errors or None)

    # -- compiling -------------------------------------------------------------------------

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
    ) -> dict[str, list[FieldNode]]:
        """CollectFields: response key -> field nodes, in document order."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise _Unsupported("directives")
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, parent):
                        visit(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in visited:
                        continue
                    visited.add(name)
                    fragment = self._fragments.get(name)
                    if fragment is None:
                        raise _Unsupported("unknown fragment")
                    if self._applies(fragment.type_condition, parent):
                        visit(fragment.selection_set)
                else:
                    raise _Unsupported("unknown selection")

        for selection_set in selection_sets:
            visit(selection_set)
        return fields

    def _applies(self, condition: Any, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        conditional = self._schema.get_type(condition.name.value)
        if conditional is parent:
            return True
        if isinstance(conditional, GraphQLAbstractType):
            return self._schema.is_sub_type(conditional, parent)
        return False

    def _plan_fields(
        self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> list[_FieldPlan]:
        plans: list[_FieldPlan] = []
        for key, nodes in self._collect(parent, selection_sets).items():
            plan = _FieldPlan(key, parent, nodes)
            name = nodes[0].name.value
            if name == "__typename":
                plan.typename = parent.name
                plans.append(plan)
                continue
            if name.startswith("__"):
                raise _Unsupported("introspection")
            field_def = parent.fields.get(name)
            if field_def is None:
                raise _Unsupported("unknown field")
            found = self._resolvers.of(parent, name, field_def)
            if found is None:
                raise _Unsupported("resolver")
            plan.field_def = field_def
            plan.arguments = self._static_arguments(field_def, nodes[0])
            resolver_needs_info = False
            if found.direct is not None:
                plan.direct = found.direct
            elif found.call is not None:
                plan.resolve, resolver_needs_info = found.call.resolver(plan.arguments)
            else:
                assert found.resolve is not None
                plan.resolve, resolver_needs_info = found.resolve, True
            type_ = field_def.type
            plan.non_null = isinstance(type_, GraphQLNonNull)
            named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
            # A non-null field is completed by the nullable completer and checked where it
            # is run, as ``complete_non_null`` would check it, without a call more.
            where = f"{parent.name}.{name}"
            plan.complete, completion_needs_info = self._completer(named, nodes, where)
            plan.null_message = f"Cannot return null for non-nullable field {where}."
            plan.needs_info = resolver_needs_info or completion_needs_info
            plan.as_is = _kept_as_is(named)
            plan.enum_class, plan.enum_names = self._resolvers.enum_names(named)
            plans.append(plan)
        return plans

    def _static_arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
        if not field_def.args and not node.arguments:
            return {}
        if any(_uses_variables(argument.value) for argument in node.arguments or ()):
            return None
        try:
            return get_argument_values(field_def, node, None, None, self._hide)
        except Exception:  # noqa: BLE001 - coerced again per request, which reports it
            return None

    def _completer(
        self, type_: GraphQLOutputType, nodes: list[FieldNode], where: str
    ) -> tuple[Complete, bool]:
        """``(complete, needs_info)``: how to complete a value of ``type_``, called as
        ``complete(value, path, info, run)``, and whether it may call ``info()``.

        ``where`` is ``Parent.field``, for the messages of completion errors. A completer
        raises what graphql-core's ``complete_value`` raises on the same value, with the same
        message, or :class:`_Fallback` where it leaves the wording to graphql-core.
        """
        if isinstance(type_, GraphQLNonNull):
            inner, needs_info = self._completer(type_.of_type, nodes, where)
            message = f"Cannot return null for non-nullable field {where}."

            def complete_non_null(
                value: Any, path: ResponsePath, info: InfoThunk, run: _Run[Any]
            ) -> Any:
                completed = inner(value, path, info, run)
                if completed is None:
                    raise TypeError(message)
                return completed

            return complete_non_null, needs_info
        if isinstance(type_, GraphQLList):
            item_type = type_.of_type
            item_non_null = isinstance(item_type, GraphQLNonNull)
            # A non-null item is completed by the nullable completer and checked here, as
            # ``complete_non_null`` would check it, without a call more per item.
            item, needs_info = self._completer(
                item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type,
                nodes,
                where,
            )
            null_item = f"Cannot return null for non-nullable field {where}."
            not_iterable = f"Expected Iterable, but did not find one for field '{where}'."

            def complete_list(
                value: Any, path: ResponsePath, info: InfoThunk, run: _Run[Any]
            ) -> Any:
                # A list is iterable and, to graphql-core's own predicate, not asynchronous.
                if type(value) is not list or not run.default_async_iterable:
                    if isinstance(value, Exception):
                        raise value
                    if value is None or value is Undefined:
                        return None
                    if run.is_async_iterable(value):
                        raise _Fallback
                    if not is_iterable(value):
                        raise GraphQLError(not_iterable)
                completed: list[Any] = []
                is_awaitable = run.is_awaitable
                for index, element in enumerate(value):
                    if is_awaitable(element):
                        _abandon(value)
                        raise _Fallback
                    element_path: ResponsePath = (path, index, None)
                    try:
                        done = item(element, element_path, info, run)
                        if done is None and item_non_null:
                            raise TypeError(null_item)
                        completed.append(done)
                    except (_Unsupported, _Fallback):
                        raise
                    except Exception as raw:  # noqa: BLE001 - a field error, as graphql-core
                        error = located_error(raw, nodes, _as_path(element_path).as_list())
                        if item_non_null:
                            raise error from None
                        run.errors.append(error)
                        completed.append(None)
                return completed

            return complete_list, needs_info
        if is_leaf_type(type_):
            coerce = type_.coerce_output_value
            as_is = _kept_as_is(type_)
            # An enum member's name, worked out once by the enum's own coerce_output_value.
            enum_class, names = self._resolvers.enum_names(type_)

            def complete_leaf(
                value: Any, path: ResponsePath, info: InfoThunk, run: _Run[Any]
            ) -> Any:
                kind = type(value)
                if kind is as_is and (
                    kind is str
                    or kind is bool
                    or (kind is int and _MIN_INT <= value <= _MAX_INT)
                    or (kind is float and isfinite(value))
                ):
                    return value
                if kind is enum_class:
                    return names[value]
                if isinstance(value, Exception):
                    raise value
                if value is None or value is Undefined:
                    return None
                coerced = coerce(value)
                if coerced is Undefined or coerced is None:
                    raise TypeError(
                        f"Expected `{inspect(type_)}.coerce_output_value({inspect(value)})`"
                        f" to return non-nullable value, returned: {inspect(coerced)}"
                    )
                return coerced

            return complete_leaf, False
        if isinstance(type_, GraphQLObjectType):
            return self._object_completer(type_, nodes), type_.is_type_of is not None
        if is_abstract_type(type_):
            return self._abstract_completer(type_, nodes), True
        raise _Unsupported("unknown type")

    def _object_completer(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> Complete:
        return self._object_parts(type_, nodes)[0]

    def _object_parts(
        self, type_: GraphQLObjectType, nodes: list[FieldNode]
    ) -> tuple[Complete, type | None, list[_FieldPlan]]:
        """``(complete, own_class, fields)``: the completer, and for an instance of exactly
        ``own_class`` not cast to another type (which needs no ``is_type_of``), the plans of
        the fields it runs on it."""
        definition = (type_.extensions or {}).get(_BACKREF)
        is_type_of = type_.is_type_of
        # Strawberry's generated is_type_of holds for an instance of the type's own class
        # that was not cast to another type: then there is no need to call it.
        own_class = (
            definition.origin
            if definition is not None
            and getattr(definition, "is_type_of", None) is None
            and not getattr(definition, "concrete_of", None)
            else None
        )
        selection_sets = [n.selection_set for n in nodes if n.selection_set is not None]
        fields = self._plan_fields(type_, selection_sets)
        execute_fields = self._execute_fields

        def complete_object(value: Any, path: ResponsePath, info: InfoThunk, run: _Run[Any]) -> Any:
            if isinstance(value, Exception):
                raise value
            if value is None or value is Undefined:
                return None
            checked = type(value) is own_class and get_strawberry_type_cast(value) is None
            if is_type_of is not None and not checked:
                accepted = is_type_of(value, info())
                if run.is_awaitable(accepted) or not accepted:
                    raise _Fallback  # graphql-core words this error; let it
            return execute_fields(fields, value, path, run, type_)

        return complete_object, own_class, fields

    def _abstract_completer(self, type_: GraphQLAbstractType, nodes: list[FieldNode]) -> Complete:
        schema = self._schema
        definition = (type_.extensions or {}).get(_BACKREF)
        # Strawberry's default resolve_type of an interface answers, for an instance of a
        # non-generic strawberry type implementing it that was not cast, that type's name: a
        # function of the class alone, so memoised per class (see ``memoisable_class``).
        interface_class = (
            definition.origin
            if isinstance(type_, GraphQLInterfaceType)
            and definition is not None
            and getattr(definition, "resolve_type", None) is None
            else None
        )
        resolve_type = type_.resolve_type
        if resolve_type is None:
            raise _Unsupported("no resolve_type")
        # One completer per possible type, compiled now so that nothing is compiled (and
        # nothing can turn out unsupported) once resolvers have started running.
        parts = {
            possible.name: (possible, self._object_parts(possible, nodes))
            for possible in schema.get_possible_types(type_)
        }
        completers = {name: complete for name, (_, (complete, _, _)) in parts.items()}
        #: For each possible type, what ``complete_object`` comes to for an instance of its
        #: own class not cast: its fields run without another check.
        direct = {
            name: (own_class, fields, possible)
            for name, (possible, (_, own_class, fields)) in parts.items()
        }
        execute_fields = self._execute_fields
        runtime_types: dict[type, str] = {}

        def memoisable_class(value: Any) -> bool:
            if interface_class is None or get_strawberry_type_cast(value) is not None:
                return False
            own = getattr(type(value), "__strawberry_definition__", None)
            return (
                own is not None
                and own.origin is type(value)
                and not own.is_graphql_generic
                and isinstance(value, interface_class)
            )

        def complete_abstract(
            value: Any, path: ResponsePath, info: InfoThunk, run: _Run[Any]
        ) -> Any:
            if isinstance(value, Exception):
                raise value
            if value is None or value is Undefined:
                return None
            cls = type(value)
            name = runtime_types.get(cls) if get_strawberry_type_cast(value) is None else None
            if name is not None:
                own_class, fields, possible = direct[name]
                if cls is own_class:
                    return execute_fields(fields, value, path, run, possible)
            else:
                resolved = resolve_type(value, info(), type_)
                if not isinstance(resolved, str) or resolved not in completers:
                    raise _Fallback  # awaitable, or an error graphql-core words; let it
                name = resolved
                if memoisable_class(value):
                    runtime_types[cls] = name
            return completers[name](value, path, info, run)

        return complete_abstract

    # -- running ---------------------------------------------------------------------------

    def _execute_fields(
        self,
        fields: list[_FieldPlan],
        source: Any,
        path: ResponsePath | None,
        run: _Run[E],
        parent: GraphQLObjectType,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        context = run.context
        is_awaitable = run.is_awaitable
        typename = parent.name
        for plan in fields:
            if plan.typename is not None:
                data[plan.key] = plan.typename
                continue
            direct = plan.direct
            try:
                if direct is not None:
                    value = direct(source)
                    # A str of a String field, say, or a member of an enum field's class:
                    # answered as its completion would answer it (a value of these classes
                    # is never awaitable either).
                    kind = type(value)
                    if kind is plan.as_is and (
                        kind is str
                        or kind is bool
                        or (kind is int and _MIN_INT <= value <= _MAX_INT)
                        or (kind is float and isfinite(value))
                    ):
                        data[plan.key] = value
                        continue
                    if kind is plan.enum_class:
                        data[plan.key] = plan.enum_names[value]
                        continue
                # The response path as nested tuples: a graphql-core Path is made only if needed.
                field_path: ResponsePath = (path, plan.key, typename)
                info: InfoThunk = (
                    _LazyInfo(context, plan, field_path) if plan.needs_info else _no_info
                )
                if direct is None:
                    arguments = plan.arguments
                    if arguments is None:
                        arguments = get_argument_values(
                            plan.field_def, plan.nodes[0], context.variable_values, None, self._hide
                        )
                    value = plan.resolve(source, info, arguments)
                if is_awaitable(value):
                    _abandon((value,))
                    raise _Fallback
                completed = plan.complete(value, field_path, info, run)
                if completed is None and plan.non_null:
                    raise TypeError(plan.null_message)
                data[plan.key] = completed
            except (_Unsupported, _Fallback):
                raise
            except Exception as raw:  # noqa: BLE001 - a field error, handled as graphql-core does
                error = located_error(
                    raw, plan.nodes, _as_path((path, plan.key, typename)).as_list()
                )
                if plan.non_null:
                    raise error from None
                run.errors.append(error)
                data[plan.key] = None
        return data


class _LazyInfo:
    """The field's ``GraphQLResolveInfo``, built by the executor when first needed.

    Strawberry's resolver wraps what it is given in an ``Info`` and reads the attributes of
    the ``GraphQLResolveInfo`` from it: ``context`` is at hand, any other attribute is read
    from the real info, built then. Calling it returns the real info, for graphql-core's
    ``is_type_of`` and ``resolve_type``.
    """

    __slots__ = ("_executor", "_plan", "_path", "_info", "context")

    def __init__(self, executor: Executor[Any], plan: _FieldPlan, path: ResponsePath) -> None:
        self._executor = executor
        self._plan = plan
        self._path = path
        self._info: GraphQLResolveInfo[Any] | None = None
        self.context = executor.context_value

    def __getattr__(self, name: str) -> Any:
        return getattr(self(), name)

    def __call__(self) -> GraphQLResolveInfo[Any]:
        if self._info is None:
            plan = self._plan
            self._info = self._executor.build_resolve_info(
                plan.field_def, plan.nodes, plan.parent, _as_path(self._path)
            )
        return self._info


def _no_info() -> NoReturn:
    # Cannot happen (``needs_info`` says when it can); if it did, graphql-core would answer.
    raise _Unsupported("info was not expected to be needed")


def _abandon(values: Any) -> None:
    """Close the coroutines among ``values``, left for graphql-core to ask for again: never
    awaited, they would warn when collected."""
    for value in values if isinstance(values, list | tuple) else ():
        if iscoroutine(value):
            value.close()


@overload
def _as_path(path: ResponsePath) -> Path: ...
@overload
def _as_path(path: None) -> None: ...
def _as_path(path: ResponsePath | None) -> Path | None:
    if path is None:
        return None
    prev, key, typename = path
    return Path(_as_path(prev), key, typename)


class _Never:
    """A type no value has: what :func:`_kept_as_is` answers for a type with no such class."""


def _kept_as_is(type_: Any) -> type:
    """The Python class whose instances the built-in scalar ``type_`` answers with themselves
    (``coerce_output_value`` returns its argument, or an equal value of the same class):
    ``str`` for String and ID, ``bool`` for Boolean, ``int`` for Int (within its 32-bit
    range, which the caller checks), ``float`` for Float (finite, which the caller checks).
    Exact classes only: a subclass may serialise otherwise."""
    if type_ is GraphQLString or type_ is GraphQLID:
        return str
    if type_ is GraphQLBoolean:
        return bool
    if type_ is GraphQLInt:
        return int
    if type_ is GraphQLFloat:
        return float
    return _Never


def _uses_variables(value: Any) -> bool:
    kind = getattr(value, "kind", "")
    if kind == "variable":
        return True
    if kind == "list_value":
        return any(_uses_variables(v) for v in value.values)
    if kind == "object_value":
        return any(_uses_variables(f.value) for f in value.fields)
    return False
