"""What a response-cache hit costs the application, in process, against a fixed-body route.

``python -m bench.hitpath`` builds the graph once, creates the service as shipped
(``create_app(graph, Settings())``), fills its response cache with the peer mix
(:func:`bench.peer.peer_mix`) and then calls it through ASGI, no socket, on uvloop, for each
kind of request a cache can answer:

- ``fixed``: one fixed JSON body from a bare Starlette route (the floor of the stack);
- ``post``: ``POST /graphql`` of a mix request (what the peer benchmark sends);
- ``post-gzip``: the same from a client that accepts gzip;
- ``get``: ``GET /graphql?query=…&variables=…``;
- ``get-persisted``: ``GET`` of a persisted query by its hash alone (Apollo's protocol);
- ``get-304``: the persisted ``GET`` again with the ``If-None-Match`` of its ETag.

Process time per request (``time.process_time_ns``), median over every call, the kinds taking
turns request by request. ``--profile KIND`` prints a cProfile of that kind instead.

``--before REV`` measures the code of a git revision against the working tree's, each in a
process of its own, rounds interleaved (``--rounds``): the revision is unpacked with
``git archive`` into a temporary folder and put first on ``sys.path`` of its process. Every
process checks that the bodies it answers are those the service computes uncached.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("fixed", "post", "post-gzip", "get", "get-persisted", "get-304")


class Call:
    """One request, replayable: its scope (copied per call, as a server makes one per request)
    and its body."""

    def __init__(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        query_string: bytes = b"",
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        all_headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json"), *headers]
        if method == "POST":
            all_headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        self.method, self.path, self.body = method, path, body
        self.query_string, self.headers = query_string, all_headers

    async def __call__(self, app: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        from bench.inprocess import exchange, scope_of

        scope = scope_of(self.method, self.path, self.query_string, list(self.headers))
        return await exchange(app, scope, self.body)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((v for k, v in headers if k.lower() == name), None)


async def _calls(app: Any, fixed: Any, limit: int) -> dict[str, list[Call]]:
    """The calls of each kind, over the first ``limit`` distinct requests of the peer mix,
    checked against the service's uncached answers; the cache filled with them."""
    import gzip
    import hashlib

    from bench.peer import peer_mix

    mix = peer_mix(app.state.graph, 3000)
    distinct = list({r.graphql_body(): r for r in mix}.values())[:limit]
    calls: dict[str, list[Call]] = {kind: [] for kind in KINDS}
    for request in distinct:
        body = request.graphql_body()
        payload = json.loads(body)
        query = payload["query"]
        variables = json.dumps(payload["variables"], separators=(",", ":"))
        digest = hashlib.sha256(query.encode()).hexdigest()
        extension = json.dumps(
            {"persistedQuery": {"version": 1, "sha256Hash": digest}}, separators=(",", ":")
        )
        post = Call("POST", "/graphql", body)
        status, _, expected = await post(app)  # the first time: executed, then cached
        assert status == 200 and b'"errors"' not in expected, expected[:300]
        register = {**payload, "extensions": json.loads(extension)}
        status, _, _ = await Call("POST", "/graphql", json.dumps(register).encode())(app)
        assert status == 200
        get_qs = urlencode({"query": query, "variables": variables}).encode()
        persisted_qs = urlencode({"variables": variables, "extensions": extension}).encode()
        get_persisted = Call("GET", "/graphql", query_string=persisted_qs)
        status, headers, answer = await get_persisted(app)
        assert status == 200 and answer == expected, answer[:300]
        tag = _header(headers, b"etag")
        assert tag is not None
        kinds = {
            "fixed": Call("POST", "/fixed", body),
            "post": post,
            "post-gzip": Call("POST", "/graphql", body, headers=((b"accept-encoding", b"gzip"),)),
            "get": Call("GET", "/graphql", query_string=get_qs),
            "get-persisted": get_persisted,
            "get-304": Call(
                "GET", "/graphql", query_string=persisted_qs, headers=((b"if-none-match", tag),)
            ),
        }
        for kind, call in kinds.items():
            status, headers, answer = await call(fixed if kind == "fixed" else app)
            if kind == "get-304":
                assert status == 304 and answer == b"", (status, answer[:200])
                calls[kind].append(call)
                continue
            assert status == 200, (kind, status, answer[:300])
            if _header(headers, b"content-encoding") == b"gzip":
                answer = gzip.decompress(answer)
            assert kind == "fixed" or answer == expected, (kind, answer[:300], expected[:300])
            calls[kind].append(call)
    return calls


def _fixed_app(body: bytes) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def fixed(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/fixed", fixed, methods=["POST"])])


async def measure(seconds: float, kinds: tuple[str, ...], limit: int) -> dict[str, Any]:
    from bench.inprocess import running
    from graph.build import load_graph
    from server.app import create_app
    from server.settings import Settings

    app = create_app(load_graph(), Settings())
    async with running(app):
        probe = Call("POST", "/graphql", b'{"query":"{ stats { nodeCount } }"}')
        _, _, fixed_body = await probe(app)
        fixed = _fixed_app(fixed_body)
        calls = await _calls(app, fixed, limit)
        samples: dict[str, list[int]] = {kind: [] for kind in kinds}
        clock = time.process_time_ns
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            for i in range(limit):
                for kind in kinds:
                    call = calls[kind][i]
                    target = fixed if kind == "fixed" else app
                    start = clock()
                    await call(target)
                    samples[kind].append(clock() - start)
        return {
            kind: {"median_us": median(v) / 1000, "calls": len(v)} for kind, v in samples.items()
        }


async def profile(kind: str, seconds: float, limit: int) -> None:
    from bench.inprocess import running
    from graph.build import load_graph
    from server.app import create_app
    from server.settings import Settings

    app = create_app(load_graph(), Settings())
    async with running(app):
        _, _, fixed_body = await Call("POST", "/graphql", b'{"query":"{ stats { nodeCount } }"}')(
            app
        )
        fixed = _fixed_app(fixed_body)
        calls = await _calls(app, fixed, limit)
        target = fixed if kind == "fixed" else app
        profiler = cProfile.Profile()
        count = 0
        deadline = time.perf_counter() + seconds
        profiler.enable()
        while time.perf_counter() < deadline:
            for call in calls[kind]:
                await call(target)
                count += 1
        profiler.disable()
    print(f"{kind}: {count} calls profiled")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(35)


def _run_loop(coroutine: Any) -> Any:
    import uvloop

    return uvloop.run(coroutine)


def interleaved(
    before: str, rounds: int, seconds: float, limit: int, kinds: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory(prefix="hitpath-") as folder:
        archive = subprocess.run(
            ["git", "archive", before, "graph", "schema", "server", "seeds"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        # The browser libraries the app serves (GraphiQL's) are npm's, not the revision's.
        Path(folder, "node_modules").symlink_to(ROOT / "node_modules")
        results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
        for round_ in range(rounds):
            for name in ("before", "after") if round_ % 2 == 0 else ("after", "before"):
                code = folder if name == "before" else str(ROOT)
                command = [
                    sys.executable, "-m", "bench.hitpath", "--json", "--code", code,
                    "--seconds", str(seconds), "--limit", str(limit), "--kinds", ",".join(kinds),
                ]  # fmt: skip
                out = subprocess.run(
                    command, cwd=ROOT, check=True, capture_output=True, text=True,
                    env={**os.environ, "PYTHONPATH": f"{code}:{ROOT}"},
                ).stdout  # fmt: skip
                results[name].append(json.loads(out.splitlines()[-1]))
                print(f"round {round_ + 1} {name}: {results[name][-1]}", file=sys.stderr)
    print(f"medians over {rounds} rounds of each round's median, µs of process time a request:")
    print("| request | before | after | after ÷ before |")
    print("| --- | ---: | ---: | ---: |")
    for kind in kinds:
        b = median(r[kind]["median_us"] for r in results["before"])
        a = median(r[kind]["median_us"] for r in results["after"])
        print(f"| {kind} | {b:.1f} | {a:.1f} | {a / b:.2f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hitpath", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per process")
    parser.add_argument("--limit", type=int, default=200, help="distinct mix requests used")
    parser.add_argument(
        "--kinds", default=",".join(KINDS), help="comma-separated, of " + ", ".join(KINDS)
    )
    parser.add_argument("--profile", choices=KINDS, help="cProfile one kind instead of timing")
    parser.add_argument("--before", help="a git revision to measure against the working tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if args.code:
        sys.path.insert(0, args.code)
    logging_off()
    if args.before:
        interleaved(args.before, args.rounds, args.seconds, args.limit, kinds)
    elif args.profile:
        _run_loop(profile(args.profile, args.seconds, args.limit))
    else:
        result = _run_loop(measure(args.seconds, kinds, args.limit))
        if args.json:
            print(json.dumps(result))
        else:
            for kind, figures in result.items():
                print(f"{kind:<14} {figures['median_us']:7.1f} µs  ({figures['calls']} calls)")
    return 0


def logging_off() -> None:
    import logging

    logging.disable(logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
