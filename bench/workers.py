"""``python -m bench.workers FACTORY --port P --workers N``: uvicorn's ``--workers N``, with
TCP_NODELAY on its connections.

The launcher of ``ballerina-kg serve --workers N`` (:mod:`server.workers`, which says why
uvicorn's own loses TCP_NODELAY) for any app factory, so that the benchmark can show both what
``--workers 2`` costs as uvicorn ships it and what two workers give once the socket is fixed.
"""

from __future__ import annotations

import argparse

from server import workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workers.run(
        args.factory,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
