"""The service against the server a team would pick instead, over real HTTP, interleaved.

Targets, each its own process on 127.0.0.1, all started before the first run:

- ``service``: ``ballerina-kg serve`` as shipped (one process, its defaults), ``POST /graphql``;
- ``service-uncached``: the same with ``--no-response-cache`` (every request executed);
- ``service-2-workers``: the same as shipped with ``--workers 2``;
- ``mercurius``: Fastify + Mercurius with graphql-jit (``jit: 1``), ``bench/peer/server.js``;
- ``graphql-http``: graphql-js with graphql-http on ``node:http``, the reference implementation;
- ``service-granian``: the same application as shipped (``server.app:create_app``, its default
  settings) served by granian (a Rust HTTP server; ``--interface asgi``, one worker, uvloop,
  access log off) instead of uvicorn;
- ``starlette-fixed``, ``granian-fixed``, ``fastify-fixed``, ``node-http-fixed``: one fixed JSON
  body (the service's answer to the first request of the mix) from Starlette on uvicorn (as
  installed: uvicorn's ``auto`` loop and parser), from the same Starlette app on granian, from
  Fastify and from ``node:http``: the ceiling of each stack.

The peers serve the service's SDL (``schema/schema.graphql``) over the graph read from the
service's own JSON export (``ballerina-kg export --format json``), and answer the operations of
the bench mix that the export can answer (:data:`OPERATIONS`: ``node``, ``path``, ``timeline``,
``ego``; ``search`` needs the service's fuzzy index and ``dispute`` its dispute records, build
products the export leaves out). Before the runs every distinct request of the mix is sent to
every way of running the service and to both GraphQL peers, and the bodies must be
byte-identical. ``Plan.targets`` narrows a run to some targets (the service as shipped and
Mercurius always run: the first gives the fixed body, the second is the reference).

wrk (:mod:`bench.load`) drives every target with the same requests, ids rotating as the mix
draws them, at each concurrency; within a round the targets run back to back, the order turning
from one concurrency and round to the next, so the shared machine's noise falls on all alike.
Reported: the median over rounds of requests/s, p50 and p99 per target and concurrency, and
each target's ratios to Mercurius taken within the same round before the median.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import Response
from starlette.routing import Route

from bench.load import WrkMissing, run_wrk
from bench.mix import Request, make_mix
from bench.server import ROOT, free_port, post, uvicorn_command
from bench.server import serving as run_server
from graph.knowledge import KnowledgeGraph

PEER = ROOT / "bench" / "peer"
SCHEMA = ROOT / "schema" / "schema.graphql"
#: The operations of the bench mix the peers answer from the export.
OPERATIONS = ("node", "path", "timeline", "ego")
#: Each way of running the service: server name -> the ``serve`` flags beyond host and port.
SERVICE_FLAGS: dict[str, tuple[str, ...]] = {
    "service": (),
    "service-uncached": ("--no-response-cache",),
    "service-2-workers": ("--workers", "2"),
}
#: Python servers on granian: server name -> the ASGI factory it serves.
GRANIAN_APPS: dict[str, str] = {
    "service-granian": "server.app:create_app",
    "granian": "bench.peer:fixed_app",
}
#: target -> (server, path).
TARGETS: dict[str, tuple[str, str]] = {
    **{name: (name, "/graphql") for name in SERVICE_FLAGS},
    "service-granian": ("service-granian", "/graphql"),
    "mercurius": ("mercurius", "/graphql"),
    "graphql-http": ("graphql-http", "/graphql"),
    "starlette-fixed": ("starlette", "/fixed"),
    "granian-fixed": ("granian", "/fixed"),
    "fastify-fixed": ("mercurius", "/fixed"),
    "node-http-fixed": ("graphql-http", "/fixed"),
}
#: The servers that answer GraphQL: the bodies of all of them are compared.
GRAPHQL_SERVERS = (*SERVICE_FLAGS, "service-granian", "mercurius", "graphql-http")
REFERENCE = "mercurius"
FIXED_BODY_ENV = "BENCH_PEER_FIXED_BODY"


class PeerMissing(RuntimeError):
    """Node or the peer's npm packages are not installed."""


class Mismatch(AssertionError):
    """A peer answered a request of the mix with other bytes than the service."""


def missing() -> str | None:
    """Why the peer cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (Debian: apt-get install nodejs npm)"
    if not (PEER / "node_modules" / "mercurius").is_dir():
        return "the peer's npm packages are not installed: `npm ci` in bench/peer (`make bench`)"
    return None


def peer_mix(K: KnowledgeGraph, size: int) -> list[Request]:
    """The bench mix (same seed, same draws) without the operations the peers cannot answer."""
    return [r for r in make_mix(K, size) if r.operation in OPERATIONS]


# --- the servers ----------------------------------------------------------------------------


def fixed_app() -> Starlette:
    """``uvicorn --factory bench.peer:fixed_app``: the fixed body of ``$BENCH_PEER_FIXED_BODY``
    (read once, at start) for any POST to ``/fixed`` or ``/graphql``."""
    body = Path(os.environ[FIXED_BODY_ENV]).read_bytes()

    async def fixed(request: HTTPRequest) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(p, fixed, methods=["POST"]) for p in ("/fixed", "/graphql")])


def cli() -> list[str]:
    """``ballerina-kg`` from this interpreter's environment, as a user runs it."""
    script = Path(sys.executable).with_name("ballerina-kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "server"]


def service_command(port: int, flags: tuple[str, ...] = ()) -> list[str]:
    """The service as shipped: ``ballerina-kg serve`` with its defaults (one process), and
    ``flags``."""
    return [*cli(), "serve", "--host", "127.0.0.1", "--port", str(port), *flags]


def granian_command(factory: str, port: int) -> list[str]:
    """``factory`` served by granian: one worker on uvloop, ASGI, no access log (its default),
    no WebSocket handling (the service has none)."""
    return [
        sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop",
        "--no-ws", "--log-level", "warning", factory,
    ]  # fmt: skip


def node_command(stack: str, port: int, export: Path, fixed: Path) -> list[str]:
    return [
        "node", str(PEER / "server.js"), stack, "--port", str(port), "--export", str(export),
        "--schema", str(SCHEMA), "--fixed", str(fixed),
    ]  # fmt: skip


@contextmanager
def serving(
    command: list[str], port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``command`` (listening on ``port``) until the block ends; its base URL once it has
    answered a GraphQL query. Its output goes to ``log``."""
    with run_server(command=command, port=port, env=env, timeout=180.0, log=log) as running:
        yield running.base_url


def export_graph(folder: Path) -> Path:
    """The service's JSON export, written by the service's own command."""
    path = folder / "graph.json"
    subprocess.run(
        [*cli(), "export", "--format", "json", "-o", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path


def servers_of(targets: tuple[str, ...]) -> set[str]:
    """The servers ``targets`` need, with the service as shipped and Mercurius always."""
    return {"service", REFERENCE, *(TARGETS[t][0] for t in targets)}


@contextmanager
def servers(
    folder: Path, first: Request, targets: tuple[str, ...] = tuple(TARGETS)
) -> Iterator[dict[str, str]]:
    """The servers of ``targets``, running: server name -> base URL. The fixed body is the
    service's answer to ``first``, written to ``folder/fixed.json``."""
    reason = missing()
    if reason is not None:
        raise PeerMissing(reason)
    on_granian = any(TARGETS[t][0] in GRANIAN_APPS for t in targets)
    if on_granian and importlib.util.find_spec("granian") is None:
        raise PeerMissing("granian is not installed: pip install -e '.[bench]'")
    wanted = servers_of(targets)
    export = export_graph(folder)
    log = folder / "servers.log"
    with ExitStack() as stack:
        urls = {}
        port = free_port()
        urls["service"] = stack.enter_context(serving(service_command(port), port, log))
        status, body = post(urls["service"] + "/graphql", first.graphql_body())
        if status != 200:
            raise Mismatch(f"the service answered {status} to {first}: {body[:300]!r}")
        fixed = folder / "fixed.json"
        fixed.write_bytes(body)
        env = {FIXED_BODY_ENV: str(fixed)}
        for name, flags in SERVICE_FLAGS.items():
            if name != "service" and name in wanted:
                port = free_port()
                command = service_command(port, flags)
                urls[name] = stack.enter_context(serving(command, port, log))
        for name, factory in GRANIAN_APPS.items():
            if name in wanted:
                port = free_port()
                command = granian_command(factory, port)
                urls[name] = stack.enter_context(serving(command, port, log, env))
        for name in ("mercurius", "graphql-http"):
            if name in wanted:
                port = free_port()
                command = node_command(name, port, export, fixed)
                urls[name] = stack.enter_context(serving(command, port, log))
        if "starlette" in wanted:
            port = free_port()
            command = uvicorn_command("bench.peer:fixed_app", port, 1)
            urls["starlette"] = stack.enter_context(serving(command, port, log, env))
        yield urls


# --- the check ------------------------------------------------------------------------------


def check_identical(urls: dict[str, str], requests: list[Request]) -> int:
    """Send every distinct request to every way of running the service and to both GraphQL
    peers; their bodies must be byte-identical answers without errors. How many distinct
    requests were checked."""
    bodies = dict.fromkeys(r.graphql_body() for r in requests)
    others = tuple(name for name in GRAPHQL_SERVERS if name != "service" and name in urls)
    for body in bodies:
        answers = {}
        for name in ("service", *others):
            status, answer = post(urls[name] + "/graphql", body)
            if status != 200:
                raise Mismatch(f"{name} answered {status} to {body[:200]!r}: {answer[:300]!r}")
            answers[name] = answer
        if b'"errors"' in answers["service"]:
            raise Mismatch(f"the service answered {body[:200]!r} with errors: {answers['service']}")
        for name in others:
            if answers[name] != answers["service"]:
                raise Mismatch(
                    f"{name} differs from the service on {body[:300]!r}:\n"
                    f" service: {answers['service'][:400]!r}\n {name}: {answers[name][:400]!r}"
                )
    return len(bodies)


# --- the run --------------------------------------------------------------------------------


def write_requests(folder: Path, requests: list[Request]) -> dict[str, Path]:
    """One wrk request file per path: the mix's GraphQL bodies, ``path<TAB>body`` lines."""
    files = {}
    for path in sorted({p for _, p in TARGETS.values()}):
        file = folder / f"{path.strip('/')}.requests"
        with file.open("w", encoding="utf-8") as out:
            for request in requests:
                out.write(f"{path}\t{request.graphql_body().decode()}\n")
        files[path] = file
    return files


@dataclass(frozen=True, slots=True)
class Plan:
    concurrencies: tuple[int, ...] = (1, 16, 64)
    seconds: float = 10.0
    rounds: int = 3
    mix_size: int = 3000
    warmup_seconds: float = 2.0
    #: The targets to run (Mercurius, the reference, always runs).
    targets: tuple[str, ...] = tuple(TARGETS)

    def names(self) -> tuple[str, ...]:
        """The targets of the run, in :data:`TARGETS`' order."""
        return tuple(t for t in TARGETS if t in self.targets or t == REFERENCE)

    def bound_seconds(self) -> float:
        count = len(self.names())
        runs = count * len(self.concurrencies) * self.rounds
        return runs * (round(self.seconds) + 1) + count * (self.warmup_seconds + 1)


def run(plan: Plan, folder: Path, log=print) -> dict[str, Any]:
    from graph.build import load_graph

    if shutil.which("wrk") is None:
        raise WrkMissing()
    requests = peer_mix(load_graph(), plan.mix_size)
    log(f"mix: {len(requests)} requests of {', '.join(OPERATIONS)}")
    fixed_body = b""
    runs: list[dict[str, Any]] = []
    unknown = set(plan.targets) - set(TARGETS)
    if unknown:
        raise ValueError(f"no such peer targets: {sorted(unknown)}; known: {list(TARGETS)}")
    names = plan.names()
    with ExitStack() as stack:
        urls = stack.enter_context(servers(folder, requests[0], names))
        fixed_body = (folder / "fixed.json").read_bytes()
        checked = check_identical(urls, requests)
        compared = ", ".join(n for n in GRAPHQL_SERVERS if n in urls)
        log(f"  {checked} distinct requests: identical from {compared}")
        files = write_requests(folder, requests)
        log(f"runs: {plan.rounds} rounds, at most {plan.bound_seconds():.0f} s of load")
        for target in names:  # warm up: JIT compilation, caches, lazy paths
            server, path = TARGETS[target]
            run_wrk(urls[server], target, files[path], concurrency=8, seconds=plan.warmup_seconds)
        for round_ in range(plan.rounds):
            for i, concurrency in enumerate(plan.concurrencies):
                turn = (round_ + i) % len(names)
                for target in names[turn:] + names[:turn]:
                    server, path = TARGETS[target]
                    result = run_wrk(
                        urls[server],
                        target,
                        files[path],
                        concurrency=concurrency,
                        seconds=plan.seconds,
                        offset=round_ * 1009 + concurrency * 31,
                    )
                    log(
                        f"  c={concurrency:>2} round {round_ + 1} {target:<16} "
                        f"{result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                        f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
                    )
                    runs.append({"round": round_, **asdict(result), "rps": result.rps})
        # The answers again, after the load: still identical.
        check_identical(urls, requests)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "plan": asdict(plan),
        "operations": list(OPERATIONS),
        "mix_size": len(requests),
        "distinct_requests_checked": checked,
        "fixed_body_bytes": len(fixed_body),
        "versions": versions(),
        "runs": runs,
        "summary": summarize(runs),
    }


def versions() -> dict[str, str]:
    found = {}
    for package in ("fastify", "mercurius", "graphql-jit", "graphql", "graphql-http"):
        manifest = PEER / "node_modules" / package / "package.json"
        if manifest.exists():
            found[package] = json.loads(manifest.read_text())["version"]
    node = shutil.which("node")
    if node:
        found["node"] = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        found["node"] = found["node"].strip()
    from importlib.metadata import PackageNotFoundError, version

    for package in ("uvicorn", "uvloop", "httptools", "starlette", "granian"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Medians over rounds per (concurrency, target), and ratios to Mercurius taken round by
    round before the median."""
    by_key: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in runs:
        by_key.setdefault((r["concurrency"], r["target"]), []).append(r)
    rows = []
    for (concurrency, target), group in sorted(
        by_key.items(), key=lambda item: (item[0][0], list(TARGETS).index(item[0][1]))
    ):
        reference = {r["round"]: r for r in by_key.get((concurrency, REFERENCE), [])}
        pairs = [(r, reference[r["round"]]) for r in group if r["round"] in reference]
        rows.append(
            {
                "concurrency": concurrency,
                "target": target,
                "rps": median(r["rps"] for r in group),
                "p50_ms": median(r["p50_ms"] for r in group),
                "p99_ms": median(r["p99_ms"] for r in group),
                "errors": sum(r["errors"] for r in group),
                "rps_ratio_to_mercurius": median(r["rps"] / m["rps"] for r, m in pairs),
                "p99_ratio_to_mercurius": median(r["p99_ms"] / m["p99_ms"] for r, m in pairs),
            }
        )
    return rows


def table(summary: list[dict[str, Any]]) -> str:
    lines = [
        "| connections | target | req/s | p50 ms | p99 ms | req/s ÷ Mercurius | p99 ÷ Mercurius |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary:
        lines.append(
            f"| {row['concurrency']} | {row['target']} | {row['rps']:.0f} | {row['p50_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {row['rps_ratio_to_mercurius']:.2f} "
            f"| {row['p99_ratio_to_mercurius']:.2f} |"
        )
    return "\n".join(lines)
