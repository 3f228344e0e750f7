"""``python -m bench.run COMMAND``: the benchmarks BENCHMARKS.md reports.

Commands (``all`` runs the first four with their defaults, as ``make bench`` does):

- ``service``: per-request service time of each operation in process (no socket), GraphQL
  against the baseline; the quietest view of what an optimisation bought.
- ``throughput``: requests/s and p50/p99 over HTTP with wrk, 1 and 2 uvicorn workers,
  concurrency 1, 8, 32, 64; baseline, GraphQL with its response cache and without.
- ``startup``: graph build time, and process start to first answered query.
- ``scale``: synthetic seed folders of 10³…10⁶ edges through the real loader, validator and
  builder; build time, peak memory, query latencies, exports (one subprocess per size).
- ``filters``: ``entities(...)`` and ``relations(...)`` with filters and deep pages on a generated
  graph (10⁵ edges by default), in process: the build-time filter indexes at work.
- ``collector``: the build of a generated graph with the cycle collector paused and left on,
  and a full collection of the built graph before and after ``gc.freeze()``.
- ``keepalive``: per-request latency of sequential requests on one keep-alive connection,
  two workers as uvicorn ships them and as ``ballerina-kg serve --workers 2`` runs them.
- ``search-quality``: top-1, MRR and recall@5 of ``search`` on the surface forms the articles
  use and of ``passages`` on questions, from ``bench/search_quality/`` (no timing).
- ``peer``: the service against Fastify + Mercurius with graphql-jit, graphql-js with
  graphql-http, and a fixed body on each stack, interleaved, at 1, 16 and 64 connections.
- ``generate``: write a synthetic seed folder (for a look, or for ``BALLERINA_SEEDS``).

Every command prints the machine facts first and writes its results as JSON to
``bench/results/``. Load goes to 127.0.0.1 only, and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    import graphql
    import networkx
    import starlette
    import strawberry  # noqa: F401 - its version is read from the package metadata
    import uvicorn

    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {
            "strawberry-graphql": version("strawberry-graphql"),
            "graphql-core": graphql.__version__,
            "starlette": starlette.__version__,
            "uvicorn": uvicorn.__version__,
            "networkx": networkx.__version__,
        },
    }


def save(name: str, facts: dict[str, Any], command: list[str], results: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    record = {"command": " ".join(command), "machine": facts, "results": results}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {path.relative_to(RESULTS.parent.parent)}")
    return path


def service_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench.app import create_app
    from bench.inprocess import compare, running, time_mix
    from bench.mix import make_mix

    async def measure() -> dict[str, Any]:
        app = create_app()
        async with running(app):
            requests = make_mix(app.state.graph, args.mix_size)
            await compare(app, requests)
            timings = await time_mix(app, requests, seconds=args.seconds)
        base = timings["baseline"]
        found: dict[str, Any] = {}
        for target, timing in timings.items():
            medians = timing.medians()
            found[target] = {
                "requests": timing.count,
                "mean_us": timing.mean(),
                "median_us_by_operation": medians,
                "mean_ratio_to_baseline": base.mean() / timing.mean(),
                "p99_us": timing.percentile(0.99),
            }
            print(
                f"{target:<16} mean {timing.mean():7.0f} µs  (baseline/this "
                f"{base.mean() / timing.mean():.2f})  p99 {timing.percentile(0.99):6.0f} µs  "
                + "  ".join(f"{op} {us:.0f}" for op, us in medians.items())
            )
        return found

    return asyncio.run(measure())


def throughput_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import throughput

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        results = throughput.run(
            workers=args.workers,
            concurrencies=args.concurrency,
            seconds=args.duration,
            rounds=args.rounds,
            mix_size=args.mix_size,
            folder=Path(folder),
        )
    print(throughput.table(results["summary"]))
    return results


def keepalive_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import keepalive

    return keepalive.run(requests=args.requests, rounds=args.rounds)


def collector_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import collector

    return collector.run(edges=args.edges)


def filters_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import filters

    return filters.run(edges=args.edges, repeats=args.repeats)


def startup_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import startup

    return startup.run(repeats=args.repeats)


def scale_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import scale

    results = scale.run(
        sizes=args.sizes, timeout=args.timeout, keep=args.keep, exports=args.exports
    )
    print(scale.table(results))
    return results


def search_quality_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import search_quality
    from graph.build import load_graph

    results = search_quality.measure(load_graph())
    for part in ("names", "questions"):
        scores = results[part]
        print(
            f"{part:<10} {scores['count']:4d}  top-1 {scores['top1']:.1%}  "
            f"MRR {scores['mrr']:.3f}  recall@5 {scores['recall@5']:.1%}"
            + (f"  entity() {scores['node_resolves']:.1%}" if "node_resolves" in scores else "")
        )
    for miss in results["names_missed"]:
        print(f"  name not first: {miss}")
    for miss in results["questions_missed"]:
        print(f"  question not answered in the first 5: {miss}")
    return results


def peer_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench import peer

    plan = peer.Plan(
        concurrencies=tuple(args.concurrency),
        seconds=args.duration,
        rounds=args.rounds,
        mix_size=args.mix_size,
        targets=tuple(args.targets or peer.TARGETS),
    )
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as folder:
        results = peer.run(plan, Path(folder))
    print(peer.table(results["summary"]))
    return results


def generate_command(args: argparse.Namespace) -> dict[str, Any]:
    from bench.generate import generate

    summary = generate(args.output, edges=args.edges, seed=args.seed)
    print(json.dumps(summary, indent=2))
    return summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    service = commands.add_parser("service", help="in-process service time per operation")
    service.add_argument("--seconds", type=float, default=20.0)
    service.add_argument("--mix-size", type=int, default=3000)
    service.set_defaults(run=service_command)

    tp = commands.add_parser("throughput", help="HTTP throughput and latency with wrk")
    tp.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    tp.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    tp.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    tp.add_argument("--rounds", type=int, default=3)
    tp.add_argument("--mix-size", type=int, default=3000)
    tp.set_defaults(run=throughput_command)

    ka = commands.add_parser("keepalive", help="sequential keep-alive latency, 2 workers")
    ka.add_argument("--requests", type=int, default=100, help="timed requests per round")
    ka.add_argument("--rounds", type=int, default=3)
    ka.set_defaults(run=keepalive_command)

    co = commands.add_parser("collector", help="the cycle collector's cost, build and service")
    co.add_argument("--edges", type=int, default=100_000)
    co.set_defaults(run=collector_command)

    fl = commands.add_parser("filters", help="entities(...) and relations(...) on a large graph")
    fl.add_argument("--edges", type=int, default=100_000)
    fl.add_argument("--repeats", type=int, default=15)
    fl.set_defaults(run=filters_command)

    st = commands.add_parser("startup", help="graph build time and time to first answer")
    st.add_argument("--repeats", type=int, default=3)
    st.set_defaults(run=startup_command)

    sc = commands.add_parser("scale", help="synthetic graphs of 10^3..10^6 edges")
    sc.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    sc.add_argument("--timeout", type=float, default=1200.0, help="seconds allowed per size")
    sc.add_argument("--keep", type=Path, default=None, help="keep the seed folders here")
    sc.add_argument(
        "--no-exports", dest="exports", action="store_false", help="skip the export timings"
    )
    sc.set_defaults(run=scale_command)

    sq = commands.add_parser(
        "search-quality", help="search and passages against bench/search_quality's lists"
    )
    sq.set_defaults(run=search_quality_command)

    pe = commands.add_parser("peer", help="the service against Mercurius + graphql-jit and more")
    pe.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    pe.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    pe.add_argument("--rounds", type=int, default=3)
    pe.add_argument("--mix-size", type=int, default=3000)
    pe.add_argument(
        "--targets", nargs="+", help="only these targets (bench/peer.py's TARGETS; default all)"
    )
    pe.set_defaults(run=peer_command)

    gen = commands.add_parser("generate", help="write a synthetic seed folder")
    gen.add_argument("output", type=Path)
    gen.add_argument("--edges", type=int, default=1_000)
    gen.add_argument("--seed", type=int, default=1)
    gen.set_defaults(run=generate_command)

    everything = commands.add_parser("all", help="service, throughput, startup and scale")
    everything.set_defaults(run=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv or ["all"])
    facts = machine()
    print(
        f"{facts['date']}: {facts['cores']} cores ({facts['cpu']}), {facts['memory']}, "
        f"Python {facts['python']}"
    )
    if args.run is not None:
        save(args.command, facts, ["python", "-m", "bench.run", *argv], args.run(args))
        return 0
    for name in ("service", "throughput", "startup", "scale"):
        sub = parser.parse_args([name])
        print(f"\n== {name} ==")
        save(name, facts, ["python", "-m", "bench.run", name], sub.run(sub))
    return 0


if __name__ == "__main__":
    sys.exit(main())
