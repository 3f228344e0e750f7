"""What one request may spend: time, objects, bytes; and the executors that keep count.

A :class:`Budget` is made when a request arrives and checked at every step that can take
long: in validation at each node of the document, and in both executors before the fields of
each object. Past the deadline, or once the client has gone (:meth:`Budget.stop`), the next
check raises :class:`~server.graphql_http.errors.TimeLimitExceeded`, so the work stops there
whichever thread it runs in.
"""

from __future__ import annotations

import math
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLObjectType, ValidationContext, ValidationRule
from graphql.execution import Executor

from server.fast_execution import Plan
from server.graphql_http.errors import ObjectLimitExceeded, ResponseTooLarge, TimeLimitExceeded

if TYPE_CHECKING:
    from server.fast_execution import ResponsePath, _FieldPlan, _Run

__all__ = [
    "Budget",
    "BoundedExecutor",
    "BoundedPlan",
    "bounded_executor",
    "deadline_rule",
    "encoded_size",
]


class Budget:
    """The wall-clock time left to one request, which can also be stopped from outside."""

    __slots__ = ("deadline", "seconds", "stopped")

    def __init__(self, seconds: float | None, deadline: float | None = None) -> None:
        #: The time limit, for messages (``math.inf`` for none).
        self.seconds = math.inf if seconds is None else seconds
        #: ``time.monotonic()`` past which the request stops.
        self.deadline = (monotonic() + self.seconds) if deadline is None else deadline
        #: Whether the request was stopped (its client went away, or it was abandoned).
        self.stopped = False

    @classmethod
    def unlimited(cls) -> Budget:
        return cls(None)

    def remaining(self) -> float:
        return self.deadline - monotonic()

    def check(self) -> None:
        """Raise :class:`TimeLimitExceeded` past the deadline or once stopped."""
        if self.stopped or monotonic() > self.deadline:
            raise TimeLimitExceeded(self.seconds)

    def stop(self) -> None:
        """Make every later :meth:`check` fail: nobody is waiting for the answer any more."""
        self.stopped = True


def deadline_rule(budget: Budget) -> type[ValidationRule]:
    """A validation rule that checks ``budget`` at every node: validation then stops at the
    deadline too (graphql-core's rules are bounded, but not by our clock)."""

    class Deadline(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)

        def enter(self, *_args: Any) -> None:
            budget.check()

    return Deadline


class BoundedExecutor(Executor[Any]):
    """graphql-core's executor, calling ``check`` before each object's fields: the request's
    :class:`Budget`, and a count of objects against ``max_objects``. Used as the first base of
    the class :func:`bounded_executor` makes, so that its ``super()`` is the executor there."""

    budget: Budget  # set by start(), before any check
    objects_left: int = 0
    max_objects: int = 0
    bytes_left: int = 0
    max_bytes: int = 0

    def start(self, budget: Budget, max_objects: int, max_bytes: int) -> None:
        self.budget = budget
        self.objects_left = self.max_objects = max_objects
        self.bytes_left = self.max_bytes = max_bytes

    def check(self) -> None:
        self.objects_left -= 1
        if self.objects_left < 0:
            raise ObjectLimitExceeded(self.max_objects)
        if self.bytes_left < 0:
            raise ResponseTooLarge(self.max_bytes)
        self.budget.check()

    def count(self, data: Any) -> None:
        """Count the bytes an object's own fields will take in the answer (its nested
        objects are counted by their own call): refused as soon as the sum is over."""
        if type(data) is dict:
            self.bytes_left -= encoded_size(data)
            if self.bytes_left < 0:
                raise ResponseTooLarge(self.max_bytes)

    def execute_fields(self, *args: Any, **kwargs: Any) -> Any:
        self.check()
        data = super().execute_fields(*args, **kwargs)
        self.count(data)
        return data

    def execute_fields_serially(self, *args: Any, **kwargs: Any) -> Any:
        self.check()
        data = super().execute_fields_serially(*args, **kwargs)
        self.count(data)
        return data


def bounded_executor(base: type[Executor[Any]]) -> type[BoundedExecutor]:
    """``base`` (the schema's executor class, graphql-core's or a subclass of it) with the
    checks of :class:`BoundedExecutor` before each object's fields."""
    # A class whose first base is BoundedExecutor is a subclass of it; mypy cannot follow a
    # base class known only at run time.
    return cast(type[BoundedExecutor], type("BoundedExecutor", (BoundedExecutor, base), {}))


class BoundedPlan(Plan[BoundedExecutor]):
    """The compiled fast path, calling the executor's ``check`` before each object."""

    def _execute_fields(
        self,
        fields: list[_FieldPlan],
        source: Any,
        path: ResponsePath | None,
        run: _Run[BoundedExecutor],
        parent: GraphQLObjectType,
    ) -> dict[str, Any]:
        context = run.context
        context.check()
        data = super()._execute_fields(fields, source, path, run, parent)
        context.count(data)
        return data


def encoded_size(data: dict[str, Any]) -> int:
    """About how many bytes an object's own fields take as JSON: keys, punctuation and texts
    counted; numbers and nested values as a few bytes each. A lower bound for texts in UTF-8,
    which is what makes a limit on it refuse early; the encoded answer is checked exactly.
    """
    size = 2
    for key, value in data.items():
        size += len(key) + 4
        kind = type(value)
        if kind is str:
            size += len(value)
        elif kind is list:
            for item in value:
                size += len(item) + 3 if type(item) is str else 1
    return size
