"""How many answers are being computed in worker threads, those nobody waits for included.

anyio lends a worker thread a token of its limiter and, when the waiting task is cancelled
with ``abandon_on_cancel=True`` (a client gone, a deadline passed), takes the token back at
once, although the thread runs on until its resolver returns and the budget's next check
stops it. The limiter then counts fewer busy threads than there are: a service whose threads
are all stuck in overrunning resolvers would look idle to ``/healthz``. :class:`RunningAnswers`
counts from inside the thread, so an abandoned one stays counted until it really ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["RunningAnswers"]

P = ParamSpec("P")
T = TypeVar("T")


class RunningAnswers:
    """A count of the calls that :meth:`run` is running, whichever thread runs them."""

    __slots__ = ("_count", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def run(self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``function(*args, **kwargs)``, counted while it runs."""
        with self._lock:
            self._count += 1
        try:
            return function(*args, **kwargs)
        finally:
            with self._lock:
                self._count -= 1
