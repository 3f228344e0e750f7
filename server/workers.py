"""Several worker processes on one listening socket, as ``uvicorn.run(..., workers=N)`` runs
them, with TCP_NODELAY on their connections.

uvicorn's multi-worker supervisor binds the listening socket itself with ``proto`` left at 0;
accepted connections inherit it, and asyncio only sets TCP_NODELAY on sockets that say
``IPPROTO_TCP``. Nagle's algorithm then holds each response body back until the client's
delayed ACK of the headers arrives, about 40 ms on Linux: every keep-alive request after the
first waits for it (Kludex/uvicorn#3149, open at the time of writing). One worker is not
affected: there asyncio binds the socket from ``getaddrinfo``, which says ``IPPROTO_TCP``.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


def bind_socket(config: uvicorn.Config) -> socket.socket:
    """``config.bind_socket()`` (same options, same errors, same log line), with the socket's
    protocol saying TCP.

    Only the Python object changes, not the descriptor: ``proto`` is what asyncio reads, and
    it travels with the socket to each worker process.
    """
    bound = config.bind_socket()
    if bound.family not in (socket.AF_INET, socket.AF_INET6):
        return bound  # a Unix socket (uds=, fd=) has no Nagle to turn off
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


def run(app: str, *, workers: int, **options: Any) -> None:
    """What ``uvicorn.run(app, workers=workers, **options)`` does for ``workers`` > 1, with the
    socket from :func:`bind_socket`.

    ``app`` is an import string (each worker imports it); ``options`` are ``uvicorn.Config``'s.
    The supervisor stops the workers gracefully on SIGINT and SIGTERM, as uvicorn's does.
    """
    config = uvicorn.Config(app, workers=workers, **options)
    # As uvicorn.run: an interrupt is a normal way to stop.
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[bind_socket(config)]).run()
