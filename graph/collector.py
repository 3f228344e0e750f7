"""Pausing Python's cycle collector while the graph is loaded and built.

Loading and building allocate millions of objects that live as long as the graph and form no
garbage cycles. The cycle collector runs a full collection each time the objects it tracks
grow by a quarter, and each walks all of them again: 24 full collections, 14 s of a 105 s
10⁶-edge build (``python -m bench.run collector``). Reference counting still frees everything
that is dropped; cycles made meanwhile wait for the next collection after the pause.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cycle collector off, restoring it after (if it was on)."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused
