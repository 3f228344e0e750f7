"""A fast path for query operations: a plan compiled once per document, run with plain calls.

graphql-core's executor does, for every field of every object, what only needs doing once per
document: collecting the selection set, looking up the field definition, choosing how to
complete its type, building a ``GraphQLResolveInfo``, and (through strawberry's resolver
wrapper) an ``Info``, the argument conversion and the extension chain. Profiled on the mix of
``bench/``, that machinery was most of the cost of an answer. A :class:`Plan` does the
per-document part once, when the document is first run, and then executes an operation as a
tree of plain calls: resolver, completion, next field.

It answers only what it can answer exactly as graphql-core would, and says so by returning
``None`` otherwise; the caller then runs graphql-core's executor, as before:

- only query operations, and documents without directives (``@skip``/``@include``/``@defer``
  make what is selected depend on more than the document), fragment variables or
  introspection fields other than ``__typename``;
- only synchronous strawberry resolvers: a strawberry field without extensions is called
  directly (its arguments converted by strawberry's own ``convert_arguments``, ``self``,
  ``info``, ``root`` and ``parent`` passed as strawberry passes them); one with extensions
  goes through its strawberry resolver;
- any exception at all (a resolver raising, a null in a non-null position, a value a scalar
  cannot serialise, an object of the wrong type) abandons the fast path for that request,
  and graphql-core runs it from the start and reports the error with its location and path.
  Resolvers must therefore be free of side effects, as those of a read-only schema are.

What it returns on success is what graphql-core's ``ExecutionResult.data`` would hold: the
same keys in the same order (fields collected as the specification's CollectFields does),
leaves serialised by the same ``coerce_output_value``, abstract types resolved by the same
``resolve_type`` (memoised per Python class where strawberry's default resolver depends on
nothing else) and checked by the same ``is_type_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    is_abstract_type,
    is_leaf_type,
)
from graphql.error import located_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, inspect, is_iterable
from strawberry.types.arguments import convert_arguments

__all__ = ["Plan", "Resolvers"]

_BACKREF = "strawberry-definition"
_TYPE_CAST_ATTRIBUTE = "__as_strawberry_type__"


class _Unsupported(Exception):
    """The document uses something the fast path leaves to graphql-core."""


class _Fallback(Exception):
    """This request cannot be answered by the fast path: run graphql-core's executor."""


# --- how each field is resolved ---------------------------------------------------------------

# A resolver of the plan: (source, info thunk, coerced GraphQL arguments) -> value.
Resolve = Callable[[Any, Callable[[], Any], dict[str, Any]], Any]


class _Direct:
    """A resolver that needs nothing but its source: called as ``function(source)``."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function


class Resolvers:
    """How to call the resolver of each field of a strawberry schema, worked out once."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.graphql_schema: GraphQLSchema = schema._schema
        self._config = schema.config
        self._scalars = schema.schema_converter.scalar_registry
        self._handlers = getattr(schema, "exception_handlers", None) or ()
        self._cache: dict[tuple[str, str], tuple[Resolve, bool] | None] = {}

    def of(self, parent: GraphQLObjectType, name: str, field_def: GraphQLField):
        """``(resolve, needs_info)`` for a field, or ``None`` if the fast path cannot call it."""
        key = (parent.name, name)
        if key not in self._cache:
            self._cache[key] = self._make(field_def)
        return self._cache[key]

    def _make(self, field_def: GraphQLField) -> tuple[Resolve, bool] | None:
        field = (field_def.extensions or {}).get(_BACKREF)
        if field is None or getattr(field, "is_async", True) or self._handlers:
            return None
        if field.extensions:
            wrapped = field_def.resolve
            if wrapped is None:
                return None
            # Through strawberry's own wrapper, which runs the extensions.
            return (lambda source, info, args: wrapped(source, info(), **args)), True
        resolver = field.base_resolver
        if resolver is None:
            default, attribute = field.default_resolver, field.python_name
            if default is getattr:
                return _Direct(attrgetter(attribute)), False
            return (lambda source, info, args: default(source, attribute)), False
        if getattr(resolver, "is_async", False):
            return None
        function = resolver.wrapped_func
        pass_self = resolver.self_parameter is not None
        named_source = [
            p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
        ]
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        arguments = field.arguments
        info_class, config, scalars = self._config.info_class, self._config, self._scalars
        if pass_self and not arguments and not named_source and info_name is None:
            return _Direct(function), False

        def resolve(source: Any, info: Callable[[], Any], args: dict[str, Any]) -> Any:
            kwargs = convert_arguments(args, arguments, scalars, config) if arguments else {}
            for name in named_source:
                kwargs[name] = source
            if info_name is not None:
                # The thunk stands in for the GraphQLResolveInfo: it has the context ready
                # and builds the real one only if another attribute is asked for.
                kwargs[info_name] = info_class(_raw_info=info, _field=field)
            return function(source, **kwargs) if pass_self else function(**kwargs)

        return resolve, info_name is not None


# --- the plan ---------------------------------------------------------------------------------


class _Run:
    """What one execution needs: graphql-core's execution context, for variables and infos."""

    __slots__ = ("context", "errors")

    def __init__(self, context: Any) -> None:
        self.context = context
        #: Field errors, in the order graphql-core would collect them.
        self.errors: list[GraphQLError] = []


class _FieldPlan:
    __slots__ = (
        "key", "field_def", "nodes", "parent", "resolve", "direct", "needs_info", "arguments",
        "complete", "typename", "non_null",
    )  # fmt: skip

    def __init__(self, key: str, parent: GraphQLObjectType, nodes: list[FieldNode]) -> None:
        self.key = key
        self.parent = parent
        self.nodes = nodes
        self.typename: str | None = None
        self.field_def: GraphQLField | None = None
        self.resolve: Resolve | None = None
        #: ``function(source)``, for fields that need neither arguments nor info.
        self.direct: Callable[[Any], Any] | None = None
        self.needs_info = False
        #: Coerced arguments when they use no variable (computed once), else None.
        self.arguments: dict[str, Any] | None = None
        self.complete: Callable[..., Any] | None = None
        self.non_null = False


class Plan:
    """The compiled form of one query operation of a validated document."""

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
    ) -> Plan | None:
        """The plan of ``operation``, or ``None`` if it must run on graphql-core."""
        try:
            return cls(resolvers, document, operation, hide_suggestions)
        except _Unsupported:
            return None

    def execute(self, execution_context: Any) -> ExecutionResult | None:
        """The result, as graphql-core's ``execute_operation`` would give it, or ``None``:
        then run ``execution_context`` instead."""
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
        plans = []
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
            resolve, needs_info = found
            if isinstance(resolve, _Direct):
                plan.direct = resolve.function
            else:
                plan.resolve = resolve
            plan.arguments = self._static_arguments(field_def, nodes[0])
            plan.non_null = isinstance(field_def.type, GraphQLNonNull)
            plan.complete, completion_needs_info = self._completer(
                field_def.type, nodes, f"{parent.name}.{name}"
            )
            plan.needs_info = needs_info or completion_needs_info
            plans.append(plan)
        return plans

    def _static_arguments(self, field_def: GraphQLField, node: FieldNode) -> dict | None:
        if not field_def.args and not node.arguments:
            return {}
        if any(_uses_variables(argument.value) for argument in node.arguments or ()):
            return None
        try:
            return get_argument_values(field_def, node, None, None, self._hide)
        except Exception:  # noqa: BLE001 - let the request report it
            return None

    def _completer(self, type_: GraphQLOutputType, nodes: list[FieldNode], where: str):
        """``(complete, needs_info)``: how to complete a value of ``type_``.

        ``where`` is ``Parent.field``, for the messages of completion errors. A completer
        raises what graphql-core's completion raises on the same value, with the same message.
        """
        if isinstance(type_, GraphQLNonNull):
            inner, needs_info = self._completer(type_.of_type, nodes, where)
            message = f"Cannot return null for non-nullable field {where}."

            def complete_non_null(value, path, info, run):
                if value is None:
                    raise TypeError(message)
                completed = inner(value, path, info, run)
                if completed is None:
                    raise TypeError(message)
                return completed

            return complete_non_null, needs_info
        if isinstance(type_, GraphQLList):
            item_type = type_.of_type
            item, needs_info = self._completer(item_type, nodes, where)
            item_non_null = isinstance(item_type, GraphQLNonNull)
            not_iterable = f"Expected Iterable, but did not find one for field '{where}'."

            def complete_list(value, path, info, run):
                if value is None:
                    return None
                if isinstance(value, Exception):
                    raise value
                if not is_iterable(value):
                    if hasattr(value, "__aiter__"):
                        raise _Fallback
                    raise GraphQLError(not_iterable)
                completed = []
                for index, element in enumerate(value):
                    element_path = (path, index, None)
                    try:
                        completed.append(item(element, element_path, info, run))
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
            # GraphQL's String and ID answer a str with itself: spare the call.
            keeps_str = type_ is GraphQLString or type_ is GraphQLID

            def complete_leaf(value, path, info, run):
                if value is None:
                    return None
                if keeps_str and type(value) is str:
                    return value
                if isinstance(value, Exception):
                    raise value
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

    def _object_completer(self, type_: GraphQLObjectType, nodes: list[FieldNode]):
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

        def complete_object(value, path, info, run):
            if value is None:
                return None
            if isinstance(value, Exception):
                raise value
            checked = type(value) is own_class and not hasattr(value, _TYPE_CAST_ATTRIBUTE)
            if is_type_of is not None and not checked and not is_type_of(value, info()):
                raise _Fallback  # graphql-core words this error; let it
            return execute_fields(fields, value, path, run, type_)

        return complete_object

    def _abstract_completer(self, type_: GraphQLAbstractType, nodes: list[FieldNode]):
        schema = self._schema
        definition = (type_.extensions or {}).get(_BACKREF)
        # Strawberry's default resolve_type of an interface depends only on the class of an
        # instance that was not cast: memoise it per class.
        memoisable = (
            isinstance(type_, GraphQLInterfaceType)
            and definition is not None
            and getattr(definition, "resolve_type", None) is None
        )
        resolve_type = type_.resolve_type
        if resolve_type is None:
            raise _Unsupported("no resolve_type")
        # One completer per possible type, compiled now so that nothing is compiled (and
        # nothing can turn out unsupported) once resolvers have started running.
        completers = {
            possible.name: self._object_completer(possible, nodes)
            for possible in schema.get_possible_types(type_)
        }
        runtime_types: dict[type, str] = {}

        def complete_abstract(value, path, info, run):
            if value is None:
                return None
            if isinstance(value, Exception):
                raise value
            cls = type(value)
            plain = memoisable and not hasattr(value, _TYPE_CAST_ATTRIBUTE)
            name = runtime_types.get(cls) if plain else None
            if name is None:
                name = resolve_type(value, info(), type_)
                if not isinstance(name, str) or name not in completers:
                    raise _Fallback  # graphql-core words these errors; let it
                if plain:
                    runtime_types[cls] = name
            return completers[name](value, path, info, run)

        return complete_abstract

    # -- running ---------------------------------------------------------------------------

    def _execute_fields(
        self,
        fields: list[_FieldPlan],
        source: Any,
        path: tuple | None,
        run: _Run,
        parent: GraphQLObjectType,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        context = run.context
        typename = parent.name
        for plan in fields:
            if plan.typename is not None:
                data[plan.key] = plan.typename
                continue
            # The response path as nested tuples: a graphql-core Path is made only if needed.
            field_path = (path, plan.key, typename)
            info = _InfoThunk(context, plan, field_path) if plan.needs_info else _no_info
            try:
                if plan.direct is not None:
                    value = plan.direct(source)
                else:
                    arguments = plan.arguments
                    if arguments is None:
                        arguments = get_argument_values(
                            plan.field_def, plan.nodes[0], context.variable_values, None, self._hide
                        )
                    value = plan.resolve(source, info, arguments)
                data[plan.key] = plan.complete(value, field_path, info, run)
            except (_Unsupported, _Fallback):
                raise
            except Exception as raw:  # noqa: BLE001 - a field error, handled as graphql-core does
                error = located_error(raw, plan.nodes, _as_path(field_path).as_list())
                if plan.non_null:
                    raise error from None
                run.errors.append(error)
                data[plan.key] = None
        return data


class _InfoThunk:
    """Builds the field's ``GraphQLResolveInfo`` when first called, then keeps it.

    It also stands in for that info where strawberry wraps it in an ``Info``: ``context`` is
    at hand, and any other attribute is read from the real info, built then.
    """

    __slots__ = ("_context", "_plan", "_path", "_info", "context")

    def __init__(self, context: Any, plan: _FieldPlan, path: tuple) -> None:
        self._context = context
        self._plan = plan
        self._path = path
        self._info = None
        self.context = context.context_value

    def __getattr__(self, name: str) -> Any:
        return getattr(self(), name)

    def __call__(self) -> Any:
        if self._info is None:
            plan = self._plan
            self._info = self._context.build_resolve_info(
                plan.field_def, plan.nodes, plan.parent, _as_path(self._path)
            )
        return self._info


def _as_path(path: tuple | None) -> Path | None:
    if path is None:
        return None
    prev, key, typename = path
    return Path(_as_path(prev), key, typename)


def _no_info() -> Any:
    raise _Unsupported("info was not expected to be needed")


def _uses_variables(value: Any) -> bool:
    kind = getattr(value, "kind", "")
    if kind == "variable":
        return True
    if kind == "list_value":
        return any(_uses_variables(v) for v in value.values)
    if kind == "object_value":
        return any(_uses_variables(f.value) for f in value.fields)
    return False
