"""A bounded soak: the real service under a mixed, partly hostile load, on loopback only.

    .venv/bin/python -m bench.soak [--seconds 60] [--connections 64] [--heavy 1] [--json FILE]

Starts ``uvicorn server.app:create_app --factory`` (the service as ``ballerina-kg serve`` runs
it: built-in seeds, default limits, one worker) on 127.0.0.1, then keeps ``--connections``
HTTP/1.1 connections busy for ``--seconds`` with an async httpx client:

- ``--heavy`` of them (one by default) send only a heavy query, legal by every static limit,
  which the limit on objects per answer (``Limits.max_objects``) or the time limit
  (``Settings.request_timeout``) stops, back to back;
- the others send, at random (fixed seed), ordinary questions (the explorer's, search, paths,
  timelines, ego networks, disputes, exports, GET) seven times in ten and hostile or broken
  requests (deep nesting, alias bombs, token floods, fragment cycles, batches, bad JSON, wrong
  content type and method, oversized bodies and variables, bad enums, unknown ids, absurd
  search text, oversized pages and radii, bad export filters) three times in ten.

Every request has an expected status; the report counts statuses per request kind, anything
unexpected, 5xx (none allowed), dropped connections (transport errors and client timeouts,
none allowed), ordinary latencies, and the server's resident memory (VmRSS from
``/proc/PID/status``) after warm-up, every few seconds, and at the end. It stops by itself:
at most ``--seconds`` of load plus the client timeout, then the server is stopped. Exit status
1 if any 5xx, dropped connection, unexpected status or logged traceback was seen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLIENT_TIMEOUT = 30.0
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
RSS_EVERY = 5.0


# --- the requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str  # ordinary | hostile | heavy
    name: str
    method: str
    path: str
    expected: int
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None


EXPLORER_NODE = """query ExploreNode($id: String!) {
  entity(name: $id) { id name kind description aliases centrality { pagerank degree }
    citations { quote context(chars: 80) document { id title } }
    relations { id type kind disputed source { id name kind } target { id name kind } } } }"""
OVERVIEW = """{ stats { nodeCount edgeCount }
  subgraph(maxNodes: 300) { matched nodes { id name kind position { x y } }
    relations { id type source { id } target { id } } } }"""
HEAVY = (
    "{ entities(first: 100) { nodes { neighbors(depth: 3) "
    "{ node { neighbors(depth: 3) { node { id } } } } } } }"
)
SEARCH_TEXTS = ["Jeon Jong-seo", "Chef Choi", "lamborgini", "발레리나", "flamethrower", "Min hee"]
ABSURD_TEXTS = [".*", "(a+)+$", "\x00\x1b[31m", "Min-hee \ud800", "ＯＫ－ＪＵ", "' OR 1=1 --", "🩰"]


def graphql(kind: str, name: str, query: str, variables: dict | None = None, expected=200):
    # Asking for graphql-response+json, so that a request error is a 400, not a 200.
    body = {"query": query, "variables": variables}
    headers = {"accept": GRAPHQL_RESPONSE_JSON}
    return Request(kind, name, "POST", "/graphql", expected, json=body, headers=headers)


def raw(kind: str, name: str, content: bytes, content_type: str, expected: int) -> Request:
    headers = {"content-type": content_type}
    return Request(kind, name, "POST", "/graphql", expected, content=content, headers=headers)


def ordinary(rng: random.Random, ids: list[str], characters: list[str]) -> Request:
    pick = rng.randrange(9)
    if pick == 0:
        return graphql("ordinary", "explorer-node", EXPLORER_NODE, {"id": rng.choice(ids)})
    if pick == 1:
        text = rng.choice(SEARCH_TEXTS)
        query = "query($t: String!) { search(text: $t, first: 5) { score node { id name } } }"
        return graphql("ordinary", "search", query, {"t": text})
    if pick == 2:
        query = """query($a: String!, $b: String!) { path(from: $a, to: $b, maxLength: 4, limit: 3)
          { length paths { steps { from { id } to { id } relations { type } } } } }"""
        return graphql("ordinary", "path", query, {"a": rng.choice(ids), "b": rng.choice(ids)})
    if pick == 3:
        query = "query($p: String) { timeline(participant: $p) { id name storyOrder } }"
        return graphql("ordinary", "timeline", query, {"p": rng.choice(characters)})
    if pick == 4:
        query = """query($c: String!) { egoNetwork(center: $c, radius: 1, maxNodes: 50)
          { matched nodes { id name } relations { type source { id } target { id } } } }"""
        return graphql("ordinary", "ego", query, {"c": rng.choice(ids)})
    if pick == 5:
        query = "{ disputes { id question claims { statement documents { id } } } }"
        return graphql("ordinary", "disputes", query)
    if pick == 6:
        return graphql("ordinary", "overview", OVERVIEW)
    if pick == 7:
        params = {"center": rng.choice(ids), "radius": "1"}
        return Request("ordinary", "export", "GET", "/export/graph.json", 200, params=params)
    params = {"query": "{ stats { nodeCount citationCount } }"}
    return Request("ordinary", "get", "GET", "/graphql", 200, params=params)


def deep(levels: int) -> str:
    nested = "neighbors { node { " * levels + "id" + " } }" * levels
    return '{ entity(name: "ok-ju") { ' + nested + " } }"


HOSTILE: list[Callable[[random.Random], Request]] = [
    lambda rng: graphql("hostile", "deep-nesting", deep(rng.randint(13, 60)), expected=400),
    lambda rng: graphql(
        "hostile",
        "alias-bomb",
        "{ " + " ".join(f"a{i}: stats {{ nodeCount }}" for i in range(rng.randint(31, 200))) + " }",
        expected=400,
    ),
    lambda rng: graphql("hostile", "token-flood", "{ " + "__typename " * 5000 + "}", expected=400),
    lambda rng: graphql(
        "hostile",
        "fragment-cycle",
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        expected=400,
    ),
    lambda rng: Request(
        "hostile", "batch", "POST", "/graphql", 400, json=[{"query": "{ __typename }"}] * 100
    ),
    lambda rng: raw("hostile", "bad-json", b'{"query": "{ stats ', "application/json", 400),
    lambda rng: raw("hostile", "nested-json", b"[" * 50_000, "application/json", 400),
    lambda rng: raw("hostile", "wrong-content-type", b"{}", "text/plain", 415),
    lambda rng: Request("hostile", "wrong-method", "PUT", "/graphql", 405, json={"query": "{ a }"}),
    lambda rng: raw("hostile", "oversized-body", b" " * 150_000, "application/json", 413),
    lambda rng: graphql(
        "hostile",
        "huge-variable",
        "query($t: String!) { search(text: $t) { score } }",
        {"t": "x" * 90_000},
    ),
    lambda rng: graphql(
        "hostile", "bad-enum", "{ entities(kinds: [DANCER]) { totalCount } }", None, 400
    ),
    lambda rng: graphql("hostile", "unknown-id", '{ path(from: "nobody", to: "ok-ju") { found } }'),
    lambda rng: graphql(
        "hostile",
        "absurd-search",
        "query($t: String!) { search(text: $t) { score } }",
        {"t": rng.choice(ABSURD_TEXTS)},
    ),
    lambda rng: graphql("hostile", "oversized-page", "{ entities(first: 100000) { totalCount } }"),
    lambda rng: graphql(
        "hostile", "unbounded-ego", '{ egoNetwork(center: "ok-ju", radius: 100) { matched } }'
    ),
    lambda rng: Request(
        "hostile", "bad-export-filter", "GET", "/export/graph.gexf", 400, params={"kind": "dancer"}
    ),
]


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_server(log_path: Path, factory: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", factory, "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(base_url + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not start in 60 s; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Tally:
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    #: what stopped each heavy query: the first error's code ("answered" if none)
    heavy_outcomes: Counter[str] = field(default_factory=Counter)


async def send(client: httpx.AsyncClient, request: Request, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        if request.content is not None:
            response = await client.request(
                request.method, request.path, content=request.content, headers=request.headers
            )
        else:
            # ASCII-escaped JSON, as any client can send lone surrogates.
            content = None if request.json is None else json.dumps(request.json).encode("ascii")
            headers = dict(request.headers)
            if content is not None:
                headers["content-type"] = "application/json"
            response = await client.request(
                request.method, request.path, content=content, params=request.params,
                headers=headers,
            )  # fmt: skip
    except httpx.TimeoutException:
        tally.dropped[f"{request.name}: client timeout"] += 1
        return
    except httpx.TransportError as error:
        tally.dropped[f"{request.name}: {type(error).__name__}"] += 1
        return
    seconds = time.perf_counter() - started
    tally.statuses[(request.kind, request.name, response.status_code)] += 1
    tally.latencies.setdefault(request.kind, []).append(seconds)
    if request.kind == "heavy":
        tally.latencies.setdefault("heavy-limited", []).append(
            seconds if "TIME_LIMIT_EXCEEDED" in response.text else -1
        )
        tally.heavy_outcomes[_first_error_code(response)] += 1
    if response.status_code != request.expected:
        tally.unexpected[(request.name, response.status_code)] += 1


def _first_error_code(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return f"not JSON ({response.status_code})"
    if not errors:
        return "answered"
    return str((errors[0].get("extensions") or {}).get("code", errors[0].get("message", "?")))


async def connection(
    base_url: str, until: float, rng: random.Random, make: Callable[[], Request], tally: Tally
) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(CLIENT_TIMEOUT)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=timeout, trust_env=False
    ) as client:
        while time.monotonic() < until:
            await send(client, make(), tally)


async def watch_memory(pid: int, until: float, samples: list[tuple[float, int]]) -> None:
    started = time.monotonic()
    while time.monotonic() < until:
        await asyncio.sleep(RSS_EVERY)
        samples.append((round(time.monotonic() - started, 1), rss_kib(pid)))


async def soak(
    base_url: str, pid: int, seconds: float, connections: int, heavy_connections: int, seed: int
) -> dict:
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as client:
        first = await client.post(
            "/graphql", json={"query": "{ entities(first: 100) { nodes { id kind } } }"}
        )
        second = await client.post(
            "/graphql",
            json={"query": '{ entities(first: 100, after: "b2Zmc2V0Ojk5") { nodes { id kind } } }'},
        )
    nodes = first.json()["data"]["entities"]["nodes"] + second.json()["data"]["entities"]["nodes"]
    ids = [n["id"] for n in nodes]
    characters = [n["id"] for n in nodes if n["kind"] == "CHARACTER"]

    # Warm up (imports, first plans, caches) before the memory baseline is taken.
    warm = Tally()
    warm_rng = random.Random(seed - 1)
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as client:
        for _ in range(200):
            await send(client, ordinary(warm_rng, ids, characters), warm)
        for make_hostile in HOSTILE:
            await send(client, make_hostile(warm_rng), warm)
    rss_start = rss_kib(pid)

    tally = Tally()
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    until = started + seconds

    def mixed(rng: random.Random) -> Callable[[], Request]:
        def make() -> Request:
            if rng.random() < 0.7:
                return ordinary(rng, ids, characters)
            return rng.choice(HOSTILE)(rng)

        return make

    heavy = graphql("heavy", "heavy-query", HEAVY)
    tasks = [
        connection(base_url, until, random.Random(seed), lambda: heavy, tally)
        for _ in range(heavy_connections)
    ]
    for number in range(heavy_connections, connections):
        rng = random.Random(seed + number)
        tasks.append(connection(base_url, until, rng, mixed(rng), tally))
    await asyncio.gather(*tasks, watch_memory(pid, until, samples))
    elapsed = time.monotonic() - started
    rss_end = rss_kib(pid)

    by_kind: Counter[str] = Counter()
    by_status: Counter[int] = Counter()
    for (kind, _, status), count in tally.statuses.items():
        by_kind[kind] += count
        by_status[status] += count
    ordinary_latencies = sorted(tally.latencies.get("ordinary", [0.0]))
    heavy_limited = [s for s in tally.latencies.get("heavy-limited", []) if s >= 0]
    heavy_seconds = tally.latencies.get("heavy", [])
    return {
        "seconds": round(elapsed, 1),
        "connections": connections,
        "heavy_connections": heavy_connections,
        "seed": seed,
        "requests": sum(by_kind.values()),
        "requests_per_second": round(sum(by_kind.values()) / elapsed, 1),
        "by_kind": dict(by_kind),
        "by_status": {str(k): v for k, v in sorted(by_status.items())},
        "status_5xx": sum(v for k, v in by_status.items() if k >= 500),
        "dropped_connections": sum(tally.dropped.values()),
        "dropped": dict(tally.dropped),
        "unexpected": {f"{name} -> {status}": n for (name, status), n in tally.unexpected.items()},
        "statuses": {
            f"{kind}/{name}/{status}": n
            for (kind, name, status), n in sorted(tally.statuses.items())
        },
        "ordinary_ms": {
            "p50": round(statistics.median(ordinary_latencies) * 1000, 1),
            "p99": round(ordinary_latencies[int(len(ordinary_latencies) * 0.99)] * 1000, 1),
            "max": round(ordinary_latencies[-1] * 1000, 1),
        },
        "heavy": {
            "sent": by_kind.get("heavy", 0),
            "outcomes": dict(tally.heavy_outcomes),
            "median_seconds": round(statistics.median(heavy_seconds), 3) if heavy_seconds else None,
            "stopped_by_time_limit": len(heavy_limited),
            "seconds_each": [round(s, 2) for s in heavy_limited],
        },
        "rss_kib": {"start": rss_start, "end": rss_end, "samples": samples},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--heavy", type=int, default=1, help="connections sending the heavy query")
    parser.add_argument("--seed", type=int, default=20231006)  # the film's release date
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--factory", default="server.app:create_app", help="the app factory uvicorn runs"
    )
    args = parser.parse_args(argv)
    if not 1 < args.connections <= 256 or not 0 < args.seconds <= 600:
        parser.error("--connections must be 2..256 and --seconds 0..600 (a bounded soak)")
    if not 0 <= args.heavy < args.connections:
        parser.error("--heavy must leave at least one connection for the mixed load")

    log_path = Path(tempfile.mkdtemp(prefix="ballerina-soak-")) / "server.log"
    process, base_url = start_server(log_path, args.factory)
    try:
        report = asyncio.run(
            soak(base_url, process.pid, args.seconds, args.connections, args.heavy, args.seed)
        )
    finally:
        stop_server(process)
    log = log_path.read_text(errors="replace")
    report["server_log"] = str(log_path)
    report["server_log_tracebacks"] = log.count("Traceback")
    report["server_log_errors"] = log.count("ERROR")
    report["command"] = " ".join(["python -m bench.soak", *(argv or sys.argv[1:])])
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    failed = (
        report["status_5xx"]
        or report["dropped_connections"]
        or report["unexpected"]
        or report["server_log_tracebacks"]
        or report["server_log_errors"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
