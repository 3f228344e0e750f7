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
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import pstats
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


async def measure(args: argparse.Namespace) -> None:
    G = load_graph()
    app = create_app(G, Settings(response_cache=False))
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
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
