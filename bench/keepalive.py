"""Sequential requests on one keep-alive connection: the latency one client sees with two
workers, as uvicorn ships them and as ``ballerina-kg serve --workers 2`` runs them.

uvicorn's ``--workers 2`` (what ``ballerina-kg serve --workers 2`` ran before
:mod:`server.workers`) leaves Nagle's algorithm on, and each answer waits for the client's
delayed ACK (Kludex/uvicorn#3149); one worker is the reference. Each server is started
``rounds`` times and its median per round reported.
"""

from __future__ import annotations

import http.client
import sys
import time
from statistics import median
from typing import Any

from bench.server import PROBE_QUERY, free_port, serving, uvicorn_command

WARMUP = 10


def _serve(port: int, workers: int) -> list[str]:
    # python -m server from the repo root (serving's cwd): these sources, not an installed copy.
    return [
        sys.executable, "-m", "server", "serve", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip


COMMANDS = {
    "uvicorn --workers 2 (as shipped)": lambda port: uvicorn_command(
        "server.app:create_app", port, 2
    ),
    "ballerina-kg serve --workers 2": lambda port: _serve(port, 2),
    "ballerina-kg serve (1 worker)": lambda port: _serve(port, 1),
}


def sequential_ms(port: int, requests: int) -> list[float]:
    """Milliseconds per GraphQL POST, one after another on one connection, after a warm-up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    try:
        for _ in range(WARMUP + requests):
            started = time.perf_counter()
            connection.request(
                "POST", "/graphql", body=PROBE_QUERY, headers={"content-type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            samples.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"POST /graphql answered {response.status}")
    finally:
        connection.close()
    return samples[WARMUP:]


def run(requests: int = 100, rounds: int = 3, log=print) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, make in COMMANDS.items():
        medians = []
        for _ in range(rounds):
            port = free_port()
            with serving(command=make(port), port=port):
                medians.append(median(sequential_ms(port, requests)))
        found[name] = {"median_ms": median(medians), "round_medians_ms": medians}
        rounds_ms = ", ".join(f"{m:.2f}" for m in medians)
        log(f"{name:<34} median {median(medians):6.2f} ms  (rounds: {rounds_ms})")
    return {"requests": requests, "rounds": rounds, "servers": found}
