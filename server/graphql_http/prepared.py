"""Query texts parsed and validated once: what can run, or the ready-made answer of why not.

:class:`Documents` owns the cache of prepared documents (by query text, bounded in bytes) and
the order of the checks: the parser stops at ``Limits.max_tokens``; the static limits of
:mod:`server.graphql_http.bounds` (one linear pass) come next, alone, as they are cheap; then
graphql-core's rules, bounded by graphql-core's own budget and checked against the request's
deadline at every node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.limits import Limits
from server.graphql_http.bounds import refusals
from server.graphql_http.budget import BoundedPlan, Budget, deadline_rule
from server.graphql_http.caches import BytesLRU
from server.graphql_http.errors import (
    PARSE_FAILED,
    VALIDATION_FAILED,
    TokenLimitExceeded,
    ValidationTooComplex,
    readable_entry,
    with_code,
)

__all__ = ["BYTES_PER_TOKEN", "Documents", "PreparedDocument"]

#: What a parsed document holds in memory per token (AST nodes, locations, the tokens
#: themselves), measured with tracemalloc on graphql-core 3.3: about 620 bytes.
BYTES_PER_TOKEN = 700

#: graphql-core's message when its budget for the overlapping-fields rule runs out, or when
#: fragments nest past its recursion bound (which bounds.MAX_NESTING refuses first).
_ABORTED = "Validation aborted."


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A query text after parsing and validation: a runnable document, or why it cannot run.

    ``failure`` is the complete response body (``{"errors": [...]}``) of a document that does not
    parse or validate; it is then the same for every request with that text. An invalid document
    keeps its ``operations`` (a GET must still learn that it asked for a mutation).
    """

    document: DocumentNode | None
    operations: tuple[OperationDefinitionNode, ...] = ()
    failure: bytes | None = None
    #: Operation -> its compiled fast-path :class:`~server.fast_execution.Plan` (``None``
    #: where the operation runs on graphql-core), filled on first execution.
    plans: dict[int, BoundedPlan | None] = field(default_factory=dict)

    def select(self, name: str | None) -> OperationDefinitionNode | GraphQLError:
        """The operation to run (GraphQL's GetOperation), or the request error."""
        if name is None:
            if len(self.operations) == 1:
                return self.operations[0]
            if not self.operations:
                return GraphQLError("Must provide an operation.")
            return GraphQLError(
                "Must provide operation name if query contains multiple operations."
            )
        for operation in self.operations:
            if operation.name is not None and operation.name.value == name:
                return operation
        return GraphQLError(f"Unknown operation named '{name}'.")


class Documents:
    """Prepares query texts for one schema and keeps the results, least recently used first out.

    ``encode`` turns an error payload into the response body kept for an invalid document.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        limits: Limits,
        *,
        hide_suggestions: bool,
        encode: Callable[[dict[str, Any]], bytes],
        max_bytes: int,
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.hide_suggestions = hide_suggestions
        self.encode = encode
        self.rules = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)
        #: Query text -> PreparedDocument.
        self.cache: BytesLRU[str, PreparedDocument] = BytesLRU(max_bytes)

    def __contains__(self, query: str) -> bool:
        return query in self.cache

    def prepare(self, query: str, budget: Budget | None = None) -> PreparedDocument:
        """The prepared document of ``query``, from the cache or made now.

        Raises :class:`~server.graphql_http.errors.TimeLimitExceeded` when ``budget`` runs out
        first; nothing is cached then (another request may have the time it lacked).
        """
        prepared = self.cache.get(query)
        if prepared is None:
            prepared, tokens = self._prepare(query, budget or Budget.unlimited())
            self.cache.put(query, prepared, len(query) + tokens * BYTES_PER_TOKEN)
        return prepared

    def _prepare(self, query: str, budget: Budget) -> tuple[PreparedDocument, int]:
        budget.check()
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLSyntaxError as error:
            failure: GraphQLError = error
            if f"more than {self.limits.max_tokens} tokens" in error.message:
                failure = TokenLimitExceeded(self.limits.max_tokens, error)
            return PreparedDocument(None, failure=self._failure([failure], PARSE_FAILED)), 0
        tokens = _count_tokens(document)
        operations = tuple(
            definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        )
        budget.check()
        errors = refusals(document, self.limits) or validate(
            self.schema,
            document,
            (deadline_rule(budget), *self.rules),
            hide_suggestions=self.hide_suggestions,
        )
        if errors:
            explained = [_explained(error) for error in errors]
            refused = self._failure(explained, VALIDATION_FAILED)
            return PreparedDocument(document, operations, refused), tokens
        return PreparedDocument(document, operations), tokens

    def _failure(self, errors: list[GraphQLError], code: str) -> bytes:
        entries = [readable_entry(with_code(error.formatted, code)) for error in errors]
        return self.encode({"errors": entries})


def _explained(error: GraphQLError) -> GraphQLError:
    if isinstance(error, ValidationAbortedError) and error.message == _ABORTED:
        return ValidationTooComplex()
    return error


def _count_tokens(document: DocumentNode) -> int:
    loc = document.loc
    token = loc.start_token if loc is not None else None
    count = 0
    while token is not None:
        count += 1
        token = token.next
    return count
