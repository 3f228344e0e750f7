"""The next message of a request, by a deadline, without a timer when none is needed.

A time limit on ``receive`` costs a timer set and cancelled on the event loop (measured: about
half of a replayed ``POST`` under uvloop, ``BENCHMARKS.md``), yet an ASGI server has usually
read a small body by the time the app runs, and ``receive`` then returns without waiting.
:func:`next_message` steps the awaitable once by hand first, exactly as ``await`` would; only
when it has to wait is the rest of the wait put under the deadline. The endpoint reads its
body with it, and so does the replay layer (``server.answer_replay``) in front of it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterator
from time import monotonic
from typing import Any

import anyio
from starlette.types import Message, Receive

__all__ = ["next_message"]


async def next_message(receive: Receive, deadline: float) -> Message | None:
    """The request's next message, or ``None`` when it did not come by ``deadline``
    (``time.monotonic()``; ``math.inf`` for none)."""
    steps = receive().__await__()
    try:
        waiting_for = next(steps)  # what ``await`` does first (PEP 380: send(None) is next)
    except StopIteration as done:
        message: Message = done.value
        return message
    with anyio.move_on_after(deadline - monotonic()):
        return await _Resumed(steps, waiting_for)
    return None


class _Resumed:
    """The rest of an ``await`` whose first step was taken by hand (``waiting_for`` is what
    that step yielded to the event loop): awaiting this goes on exactly where it stopped, by
    the rules ``await`` follows (PEP 380) for any iterator ``__await__`` returns, a generator
    or not (granian's awaitables have no ``send``)."""

    def __init__(self, steps: Iterator[Any], waiting_for: Any) -> None:
        self.steps = steps
        self.waiting_for = waiting_for

    def __await__(self) -> Generator[Any, Any, Message]:
        steps, waiting_for = self.steps, self.waiting_for
        while True:
            try:
                sent = yield waiting_for
            except GeneratorExit:
                close = getattr(steps, "close", None)
                if close is not None:
                    close()
                raise
            except BaseException as error:  # a cancellation: thrown into the wait it stops
                throw = getattr(steps, "throw", None)
                if throw is None:
                    raise
                step: Callable[[], Any] = functools.partial(throw, error)
            else:
                step = steps.__next__ if sent is None else functools.partial(_send, steps, sent)
            try:
                waiting_for = step()
            except StopIteration as done:
                message: Message = done.value
                return message


def _send(steps: Any, value: Any) -> Any:
    return steps.send(value)
