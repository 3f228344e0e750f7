"""The answer to one GraphQL request, computed: prepared document, execution, encoding.

:class:`Answers` is what the endpoint runs in a worker thread or on the loop; it knows nothing
of HTTP but the status a result gets under each media type.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeGuard, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLFormattedError,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution import ExperimentalIncrementalExecutionResults
from graphql.pyutils import AwaitableOrValue
from starlette.requests import Request
from strawberry.execution import optimized_is_awaitable

from server.fast_execution import Resolvers
from server.graphql_http.budget import BoundedExecutor, BoundedPlan, Budget, bounded_executor
from server.graphql_http.errors import (
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    OPERATION_RESOLUTION_FAILURE,
    ObjectLimitExceeded,
    ResponseTooLarge,
    TimeLimitExceeded,
    is_limit,
    readable_entry,
    with_code,
)
from server.graphql_http.negotiation import GRAPHQL_RESPONSE_JSON
from server.graphql_http.params import GraphQLParams
from server.graphql_http.prepared import Documents, PreparedDocument
from server.graphql_http.refusals import MissingQuery, OperationNotAllowedOverGet

if TYPE_CHECKING:
    import strawberry
    from starlette.types import Receive, Scope

    from schema.limits import Limits

__all__ = ["INTERNAL_ERROR_MESSAGE", "Answer", "Answers", "SliceSpent"]

logger = logging.getLogger("server.graphql_http")

INTERNAL_ERROR_MESSAGE = "Internal server error"

#: (status, body, cacheable): cacheable when the answer is an error-free query result.
Answer = tuple[int, bytes, bool]

#: strawberry's fast ``inspect.isawaitable``, which graphql-core's executor is given too. It is
#: annotated as returning ``bool``, where graphql-core asks for the ``TypeGuard`` it is.
is_awaitable: Callable[[Any], TypeGuard[Awaitable[Any]]] = optimized_is_awaitable  # type: ignore[assignment]


class SliceSpent(Exception):
    """A request overran its slice of the event loop: run it again in a worker thread."""


class Answers:
    """Computes answers for ``schema``: see :meth:`answer`.

    ``context`` builds ``info.context`` from the Starlette request; ``exposed_errors`` are the
    exception classes, besides ``GraphQLError``, whose messages resolvers mean for clients.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        context: Callable[[Request], object],
        limits: Limits,
        exposed_errors: tuple[type[Exception], ...],
        document_cache_bytes: int,
        compiled_plans: bool,
    ) -> None:
        self.limits = limits
        self.compiled_plans = compiled_plans
        self._graphql_schema = schema._schema
        self._executor_class = bounded_executor(schema.execution_context_class)
        self._plan_class = BoundedPlan
        self._resolvers = Resolvers(schema)
        self._hide_suggestions = bool(schema.config.disable_field_suggestions)
        self._context = context
        self._exposed_errors: tuple[type[Exception], ...] = (GraphQLError, *exposed_errors)
        self._encoder = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        self._ascii_encoder = json.JSONEncoder(
            ensure_ascii=True, separators=(",", ":"), allow_nan=False, check_circular=False
        )
        #: Prepared documents, by query text.
        self.documents = Documents(
            self._graphql_schema,
            limits,
            hide_suggestions=self._hide_suggestions,
            encode=self.encode,
            max_bytes=document_cache_bytes,
        )

    def answer(
        self,
        params: GraphQLParams,
        is_get: bool,
        media_type: str,
        scope: Scope,
        receive: Receive,
        budget: Budget,
        give_up: bool = False,
    ) -> Answer | Awaitable[Answer]:
        """``(status, body, cacheable)``, or an awaitable of it where resolvers are async.

        With ``give_up``, running out of time raises :class:`SliceSpent` instead of answering.
        """
        # Under graphql-response+json a request that never reached execution is a client error.
        request_error_status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        if params.query is None:  # never: the endpoint resolves a persisted query first
            raise MissingQuery()
        try:
            prepared = self.documents.prepare(params.query, budget)
        except TimeLimitExceeded as error:
            if give_up:
                raise SliceSpent from None
            return request_error_status, self.encode({"errors": [error.formatted]}), False
        operation = prepared.select(params.operation_name)
        # GET must never run a mutation: say so with 405 even when the document is also invalid.
        if (
            is_get
            and isinstance(operation, OperationDefinitionNode)
            and operation.operation is not OperationType.QUERY
        ):
            raise OperationNotAllowedOverGet(operation.operation)
        if prepared.failure is not None:
            return request_error_status, prepared.failure, False
        if isinstance(operation, GraphQLError):
            body = self.encode_errors([operation], OPERATION_RESOLUTION_FAILURE)
            return request_error_status, body, False
        if operation.operation is OperationType.SUBSCRIPTION:
            refusal = GraphQLError("Subscriptions are not supported over HTTP.", [operation])
            body = self.encode_errors([refusal], OPERATION_RESOLUTION_FAILURE)
            return request_error_status, body, False

        built = self._executor_class.build(
            self._graphql_schema,
            # Only a text that does not parse has no document, and its failure is answered.
            cast(DocumentNode, prepared.document),
            None,
            self._context(Request(scope, receive)),
            params.variables,
            params.operation_name,
            is_awaitable=is_awaitable,
            hide_suggestions=self._hide_suggestions,
            operation_extensions=params.extensions,
        )
        if isinstance(built, list):  # variable coercion failed: execution never started
            return request_error_status, self.encode_errors(built, BAD_USER_INPUT), False
        # build() makes an instance of the class it is called on (graphql-core annotates it
        # as returning the base Executor).
        executor = cast(BoundedExecutor, built)
        limits = self.limits
        executor.start(budget, limits.max_objects, limits.max_response_bytes)
        # A query runs on its compiled plan (server.fast_execution) when it has one; anything
        # the plan leaves aside runs on graphql-core, with the same result.
        result: AwaitableOrValue[ExecutionResult | ExperimentalIncrementalExecutionResults] | None
        result = self._execute_planned(prepared, operation, executor)
        if result is None:
            result = executor.execute_operation()
        if is_awaitable(result):

            async def finish() -> tuple[int, bytes, bool]:
                return self.finish(await result, operation)

            return finish()
        if (
            give_up
            and isinstance(result, ExecutionResult)
            and result.errors
            and any(is_limit(e, TimeLimitExceeded) for e in result.errors)
        ):
            raise SliceSpent
        return self.finish(result, operation)

    def finish(self, result: object, operation: OperationDefinitionNode) -> tuple[int, bytes, bool]:
        if not isinstance(result, ExecutionResult):
            raise TypeError(f"incremental delivery is not supported: got {type(result).__name__}")
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            errors = result.errors
            for refused in (ObjectLimitExceeded, ResponseTooLarge):
                refusal = next((e for e in errors if is_limit(e, refused)), None)
                if refusal is not None:
                    # An answer cut at an arbitrary object would be partial data served as if
                    # whole: refuse it entirely, as a crossed static limit is refused.
                    return 200, self.encode({"data": None, "errors": [refusal.formatted]}), False
            if any(is_limit(error, TimeLimitExceeded) for error in errors):
                # Every object left when time ran out raised the same error: report it once.
                first = next(error for error in errors if is_limit(error, TimeLimitExceeded))
                errors = [e for e in errors if e is first or not is_limit(e, TimeLimitExceeded)]
            payload["errors"] = [readable_entry(self._public_error(error)) for error in errors]
        body = self.encode(payload)
        limit = self.limits.max_response_bytes
        if len(body) > limit:
            # The count kept during execution estimates; the encoded answer is what counts.
            return (
                200,
                self.encode({"data": None, "errors": [ResponseTooLarge(limit).formatted]}),
                False,
            )
        cacheable = not result.errors and operation.operation is OperationType.QUERY
        return 200, body, cacheable

    def _execute_planned(
        self,
        prepared: PreparedDocument,
        operation: OperationDefinitionNode,
        executor: BoundedExecutor,
    ) -> ExecutionResult | None:
        """The result of a query run on its compiled plan, or ``None`` to run graphql-core."""
        if (
            not self.compiled_plans
            or operation.operation is not OperationType.QUERY
            or prepared.document is None
        ):
            return None
        plans = prepared.plans
        key = id(operation)  # the operation node lives as long as its prepared document
        if key not in plans:
            plans[key] = self._plan_class.compile(
                self._resolvers, prepared.document, operation, self._hide_suggestions
            )
        plan = plans[key]
        return None if plan is None else plan.execute(executor)

    def _public_error(self, error: GraphQLError) -> GraphQLFormattedError:
        original = error.original_error
        if original is None or isinstance(original, self._exposed_errors):
            # A GraphQL error the executor raised (an argument's value) or a domain error: the
            # client's to act on.
            return with_code(error.formatted, BAD_USER_INPUT)
        logger.error(
            "Unexpected %s while resolving %s",
            type(original).__name__,
            ".".join(map(str, error.path or ())) or "the operation",
            exc_info=original,
        )
        masked = GraphQLError(
            INTERNAL_ERROR_MESSAGE, error.nodes, error.source, error.positions, error.path
        )
        return with_code(masked.formatted, INTERNAL_SERVER_ERROR)

    def encode(self, payload: dict[str, Any]) -> bytes:
        try:
            return self._encoder.encode(payload).encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (valid in JSON escapes a client sent) cannot be UTF-8: escape them.
            return self._ascii_encoder.encode(payload).encode("ascii")

    def encode_errors(self, errors: list[GraphQLError], code: str) -> bytes:
        entries = [readable_entry(with_code(error.formatted, code)) for error in errors]
        return self.encode({"errors": entries})

    def late(self, media_type: str, budget: Budget) -> tuple[int, bytes, bool]:
        """The answer of a request whose work did not finish in time (nothing of it is kept)."""
        status = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        return (
            status,
            self.encode({"errors": [TimeLimitExceeded(budget.seconds).formatted]}),
            False,
        )
