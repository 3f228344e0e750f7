"""``python -m bench.workers FACTORY --port P --workers N``: uvicorn's ``--workers N``, with
TCP_NODELAY on its connections.

uvicorn's multi-worker supervisor binds the listening socket itself with ``proto`` left at 0;
accepted connections inherit it, and asyncio only sets TCP_NODELAY on sockets that say
``IPPROTO_TCP``. Nagle's algorithm then holds each response body back until the client's
delayed ACK of the headers arrives, about 40 ms on Linux: every keep-alive request after the
first waits for it (Kludex/uvicorn#3149, open at the time of writing). One worker is not
affected: there asyncio binds the socket from ``getaddrinfo``, which says ``IPPROTO_TCP``.

This launcher does what ``uvicorn.run(..., workers=N)`` does, with the socket's protocol set
right, so that the benchmark can show both what ``--workers 2`` costs as shipped and what two
workers give once the socket is fixed.
"""

from __future__ import annotations

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    config = uvicorn.Config(
        args.factory,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    bound = config.bind_socket()
    listener = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    Multiprocess(config, sockets=[listener]).run()


if __name__ == "__main__":
    main()
