"""Where an uncached request's time goes: the peer mix in process, response cache off.

``python -m bench.uncached`` builds the graph once, creates the service with
``Settings(response_cache=False)`` and calls ``/graphql`` through ASGI (no socket) for every
request of the peer mix (:func:`bench.peer.peer_mix`): process time per request by operation,
then with ``--profile`` a cProfile breakdown per operation (the profiler inflates every figure;
compare shares, not values).

``--before FILE --names f,g`` measures an old ``graph/query.py`` (say from
``git show COMMIT:graph/query.py``) against the current one in the same process: its functions
``f, g`` are swapped into :mod:`graph.query` in turn, the bodies of every request must be
byte-identical, and the whole mix is timed with ``time.process_time``, rounds interleaved.

``--against TREE`` compares whole checkouts instead (say a ``git worktree add /tmp/before
COMMIT``): each round runs this script in two fresh processes at the same time, one on
``TREE`` (its ``graph``, ``schema``, ``server`` and ``bench`` imported from there) and one on
this checkout, so that whatever else loads the machine loads both alike; each builds the
graph, answers the mix once (a warm-up, whose bodies it hashes: the two checkouts must give
the same), then times ``--passes`` passes of it and reports their median as JSON.
``--execution`` picks where answers are computed (``Settings.execution``; the default is what
ships).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import importlib.util
import json
import os
import pstats
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from statistics import median
from types import ModuleType
from typing import Any

import graph.query as q
from bench.inprocess import call, running
from bench.peer import peer_mix
from graph.build import load_graph
from server.app import create_app
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

#: What the profile breakdown reports: label -> (file suffix, function name), cumulative.
BREAKDOWN = {
    "whole ASGI call": ("bench/inprocess.py", "call"),
    "endpoint answer": ("graphql_http/answers.py", "answer"),
    "  plan execution": ("server/fast_execution.py", "execute"),
    "    resolvers with strawberry's wrapper": (
        "strawberry/schema/schema_converter.py",
        "_resolver",
    ),
    "      strawberry get_arguments": ("strawberry/schema/schema_converter.py", "get_arguments"),
    "    resolvers the plan calls itself (with info)": (
        "server/fast_execution.py",
        "resolve_with_info",
    ),
    "    arguments the plan converts per call": ("server/fast_execution.py", "convert"),
    "      the resolvers themselves": ("strawberry/types/fields/resolver.py", "__call__"),
    "  JSON encoding": ("json/encoder.py", "iterencode"),
}


def load_module(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("query_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["query_before"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def settings(args: argparse.Namespace) -> Settings:
    chosen: dict[str, Any] = {"response_cache": False}
    if args.execution is not None:
        chosen["execution"] = args.execution
    return Settings(**chosen)


async def one_pass(args: argparse.Namespace) -> None:
    """``--worker``: one warm-up pass and one timed pass of the mix, printed as JSON."""
    G = load_graph()
    app = create_app(G, settings(args))
    async with running(app):
        requests = [(r.operation, r.graphql_body()) for r in peer_mix(G, args.mix_size)]
        bodies = [await call(app, "/graphql", body) for _, body in requests]
        passes: list[tuple[float, dict[str, float]]] = []
        for _ in range(args.passes):
            spent: dict[str, float] = defaultdict(float)
            start = time.process_time()
            for op, body in requests:
                t = time.process_time()
                await call(app, "/graphql", body)
                spent[op] += time.process_time() - t
            passes.append((time.process_time() - start, spent))
        whole, spent = sorted(passes, key=lambda p: p[0])[len(passes) // 2]
        digest = hashlib.sha256(repr(bodies).encode()).hexdigest()
        counts = Counter(op for op, _ in requests)
        print(json.dumps({"whole": whole, "ops": spent, "counts": counts, "bodies": digest}))


def against(args: argparse.Namespace) -> None:
    """Rounds alternating between ``args.against`` and this checkout, one process each."""
    trees = {"before": Path(args.against).resolve(), "current": ROOT}
    script = (
        "import runpy, sys; sys.argv = sys.argv[1:]; "
        f"runpy.run_path({str(Path(__file__).resolve())!r}, run_name='__main__')"
    )
    flags = ["--worker", "--mix-size", str(args.mix_size), "--passes", str(args.passes)]
    if args.execution is not None:
        flags += ["--execution", args.execution]

    def start(name: str) -> subprocess.Popen[str]:
        tree = trees[name]
        env = {**os.environ, "PYTHONPATH": str(tree)}
        return subprocess.Popen(
            [sys.executable, "-c", script, "uncached", *flags],
            cwd=tree, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    def result(process: subprocess.Popen[str]) -> dict[str, Any]:
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"a worker failed ({process.returncode})")
        answer: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return answer

    results: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for round_ in range(args.rounds):
        # Both checkouts at once, each in its own process: whatever else loads the machine
        # loads both alike.
        processes = {name: start(name) for name in trees}
        for name, process in processes.items():
            results[name].append(result(process))
        print(
            f"round {round_ + 1}: before {results['before'][-1]['whole'] * 1e3:.0f} ms, "
            f"current {results['current'][-1]['whole'] * 1e3:.0f} ms",
            flush=True,
        )
    same = {r["bodies"] for rs in results.values() for r in rs}
    print("bodies identical across checkouts and rounds:", len(same) == 1)
    counts = results["current"][0]["counts"]
    n = sum(counts.values())
    for name, rs in results.items():
        whole = median(r["whole"] for r in rs)
        per_op = "  ".join(
            f"{op} {median(r['ops'][op] for r in rs) / counts[op] * 1e6:.0f} µs"
            for op in rs[0]["ops"]
        )
        print(
            f"{name:<8} whole mix {whole * 1e3:.0f} ms, {whole / n * 1e6:.0f} µs/request; {per_op}"
        )
    ratios = [
        c["whole"] / b["whole"] for b, c in zip(results["before"], results["current"], strict=True)
    ]
    print(
        f"current / before, per round: {' '.join(f'{r:.3f}' for r in ratios)}; "
        f"median {median(ratios):.3f}"
    )


async def measure(args: argparse.Namespace) -> None:
    G = load_graph()
    app = create_app(G, settings(args))
    async with running(app):
        requests = [(r.operation, r.graphql_body()) for r in peer_mix(G, args.mix_size)]
        counts = Counter(op for op, _ in requests)
        print(
            f"{len(requests)} requests, {len(set(b for _, b in requests))} distinct: {dict(counts)}"
        )

        versions: dict[str, dict[str, Callable[..., Any]]] = {"current": {}}
        if args.before:
            old = load_module(args.before)
            versions = {
                "before": {n: getattr(old, n) for n in args.names},
                "current": {n: getattr(q, n) for n in args.names},
            }
        bodies = {}
        for name, functions in versions.items():
            for attribute, function in functions.items():
                setattr(q, attribute, function)
            bodies[name] = [await call(app, "/graphql", body) for _, body in requests]
        assert all(b == bodies["current"] for b in bodies.values()), "the answers differ"

        totals: dict[str, list[float]] = defaultdict(list)
        spent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for round_ in range(args.rounds):
            names = list(versions) if round_ % 2 == 0 else list(reversed(versions))
            for name in names:
                for attribute, function in versions[name].items():
                    setattr(q, attribute, function)
                start = time.process_time()
                for op, body in requests:
                    t = time.process_time()
                    await call(app, "/graphql", body)
                    spent[name][op] += time.process_time() - t
                totals[name].append(time.process_time() - start)
        for name in versions:
            whole = median(totals[name])
            per_op = "  ".join(
                f"{op} {spent[name][op] / args.rounds / counts[op] * 1e6:.0f} µs" for op in counts
            )
            print(
                f"{name:<8} whole mix {whole * 1e3:.0f} ms (median of {args.rounds}), "
                f"{whole / len(requests) * 1e6:.0f} µs/request; {per_op}"
            )
        if args.before:
            print(f"current / before: {median(totals['current']) / median(totals['before']):.3f}")

        if args.profile:
            for attribute, function in versions["current"].items():
                setattr(q, attribute, function)
            for op in counts:
                chosen = [body for o, body in requests if o == op]
                profile = cProfile.Profile()
                profile.enable()
                for body in chosen:
                    await call(app, "/graphql", body)
                profile.disable()
                stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
                print(f"== {op}: µs per request under cProfile (cumulative)")
                for label, (suffix, wanted) in BREAKDOWN.items():
                    total = sum(
                        v[3] for (f, _, n), v in stats.items() if f.endswith(suffix) and n == wanted
                    )
                    print(f"  {label:<40} {total / len(chosen) * 1e6:7.0f}")
                ours = Counter(
                    {
                        f"{f.rsplit('/', 2)[-2]}/{f.rsplit('/', 1)[-1]}:{n}": v[3]
                        for (f, _, n), v in stats.items()
                        if f.startswith((f"{ROOT}/graph/", f"{ROOT}/schema/"))
                    }
                )
                print(
                    "  ours, cumulative: "
                    + ", ".join(f"{k} {v / len(chosen) * 1e6:.0f}" for k, v in ours.most_common(5))
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix-size", type=int, default=3000)  # as bench.peer
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--before", help="an old graph/query.py to measure against")
    parser.add_argument("--names", type=lambda s: s.split(","), default=["shortest_paths"])
    parser.add_argument("--against", help="a whole checkout to measure against, one process each")
    parser.add_argument("--execution", help="Settings.execution (default: as shipped)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per --against round")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(one_pass(args))
    elif args.against:
        against(args)
    else:
        asyncio.run(measure(args))


if __name__ == "__main__":
    main()
