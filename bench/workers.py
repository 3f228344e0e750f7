"""Workers, for the benchmarks.

``python -m bench.workers FACTORY --port P --workers N``: FACTORY's app served as ``ballerina-kg
serve --workers N`` serves the service (:mod:`server.workers`: forked workers, one
``SO_REUSEPORT`` socket each, uvloop and httptools).

``python -m bench.workers spread [--tries 12] [--connections 64]``: how the kernel spreads
connections over two workers. Each try starts a server, opens the connections all at once,
asks each which worker holds it (``/bench/stats`` answers the worker's pid) and counts; it does
so for ``ballerina-kg serve``'s launcher and for uvicorn's own ``--workers``, where the workers
share one listening socket and race for each connection. The connections are opened in one
burst, as a load generator opens them, once both workers answer.

``python -m bench.workers at-start [--tries 12]``: the same burst against ``ballerina-kg serve
--workers 2`` the moment its first answer comes, as a benchmark that starts as soon as the
server answers does. A worker that is still starting does not take connections, so this shows
how long the second worker lags the first: with each worker building its own graph (as
before commit "serve: one graph per service"), most bursts landed on one worker.

Counts, not timings: they mean something on a busy machine too.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import re
import subprocess
import sys
import time

from server import workers

FACTORY = "bench.app:create_app"


def spread(command_for, *, tries: int, connections: int, log=print) -> list[list[int]]:
    """Connections per worker (largest first) for each of ``tries`` fresh servers."""
    from bench.server import free_port, serving

    found = []
    for attempt in range(tries):
        port = free_port()
        with serving(command=command_for(port), port=port):
            asyncio.run(all_serving("127.0.0.1", port, workers=2))
            pids = asyncio.run(burst("127.0.0.1", port, connections))
        counts = sorted(collections.Counter(pids).values(), reverse=True)
        log(f"  try {attempt + 1:>2}: connections per worker {counts}")
        found.append(counts)
    return found


async def all_serving(host: str, port: int, *, workers: int, timeout: float = 300.0) -> None:
    """Return once ``workers`` workers have answered: the server counts as ready when its
    first worker answers, while another may still be building its graph, not yet listening."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only workers {sorted(seen)} answered within {timeout} s")
        seen.update(await burst(host, port, 8))
        await asyncio.sleep(0.2)


async def burst(host: str, port: int, connections: int) -> list[int]:
    """Open ``connections`` connections at once, as a load generator does, then ask on each
    which worker holds it; the pids, one per connection."""
    opened = await asyncio.gather(
        *(asyncio.open_connection(host, port) for _ in range(connections))
    )
    request = b"GET /bench/stats HTTP/1.1\r\nHost: bench\r\n\r\n"
    pids = []
    for reader, writer in opened:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1))
        pids.append(json.loads(await reader.readexactly(length))["pid"])
    for _, writer in opened:
        writer.close()
        await writer.wait_closed()
    return pids


def spread_main(argv: list[str]) -> int:
    from bench.server import uvicorn_command

    parser = argparse.ArgumentParser(prog="python -m bench.workers spread")
    parser.add_argument("--tries", type=int, default=12)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)

    def ours(port: int) -> list[str]:
        return [sys.executable, "-m", "bench.workers", FACTORY, "--port", str(port),
                "--workers", "2", "--log-level", "warning"]  # fmt: skip

    def uvicorns(port: int) -> list[str]:
        return uvicorn_command(FACTORY, port, 2)

    results = {}
    for name, command in (("serve --workers 2 (SO_REUSEPORT)", ours),
                          ("uvicorn --workers 2 (one shared socket)", uvicorns)):  # fmt: skip
        print(name)
        runs = spread(command, tries=args.tries, connections=args.connections)
        all_on_one = sum(1 for counts in runs if len(counts) == 1)
        print(f"  all {args.connections} on one worker in {all_on_one} of {args.tries} tries")
        results[name] = {"runs": runs, "all_on_one_worker": all_on_one}
    out = {"date": time.strftime("%Y-%m-%d %H:%M"), "connections": args.connections, **results}
    print(json.dumps(out))
    return 0


def at_start(tries: int, connections: int, log=print) -> list[list[int]]:
    """``ballerina-kg serve --workers 2``, a burst of ``connections`` the moment its first
    answer comes, counted per worker pid by ``ss`` (the service has no pid endpoint)."""
    from bench.server import free_port, serving

    found = []
    for attempt in range(tries):
        port = free_port()
        command = [sys.executable, "-m", "server", "serve", "--workers", "2",
                   "--port", str(port), "--log-level", "warning"]  # fmt: skip
        with serving(command=command, port=port):
            counts = asyncio.run(_burst_and_count(port, connections))
        log(f"  try {attempt + 1:>2}: connections per worker {counts}")
        found.append(counts)
    return found


async def _burst_and_count(port: int, connections: int) -> list[int]:
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(connections))
    )
    await asyncio.sleep(0.5)  # accepted by now
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for _, writer in opened:
        writer.close()
    pids = collections.Counter(re.findall(r"pid=(\d+)", listing))
    return sorted(pids.values(), reverse=True)


def at_start_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers at-start")
    parser.add_argument("--tries", type=int, default=12)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    runs = at_start(args.tries, args.connections)
    all_on_one = sum(1 for counts in runs if len(counts) == 1)
    print(f"all {args.connections} on one worker in {all_on_one} of {args.tries} tries")
    print(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "runs": runs}))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["spread"]:
        return spread_main(argv[1:])
    if argv[:1] == ["at-start"]:
        return at_start_main(argv[1:])
    return workers.main(argv)


if __name__ == "__main__":
    sys.exit(main())
