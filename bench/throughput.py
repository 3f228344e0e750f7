"""Throughput and latency of ``/graphql`` against the baseline routes, over real HTTP.

For each worker count the benchmark app (:mod:`bench.app`) is started under uvicorn, warmed
up, and driven by wrk at each concurrency, the three targets back to back in a rotating order
and the whole repeated ``rounds`` times, so that the machine's noise (it is shared) falls on
all of them alike. Reported: the median over rounds of requests/s, p50 and p99 per target,
and GraphQL's ratios to the baseline taken within the same round.

Targets (see :mod:`bench.app`): ``baseline`` (plain Starlette routes), ``graphql`` (the
endpoint as shipped, with its response cache), ``graphql-nocache`` (the same, keeping no
answers), ``graphql-thread`` (that, with every answer computed in a worker thread) and
``graphql-core`` (keeping no answers and without compiled plans: graphql-core executes).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from statistics import median
from typing import Any

from bench.inprocess import compare, running
from bench.load import run_wrk, write_requests
from bench.mix import Request, make_mix
from bench.server import free_port, get_json, serving

TARGETS = ("baseline", "graphql", "graphql-nocache", "graphql-thread", "graphql-core")


def check_mix(requests: list[Request]) -> int:
    """Prove in process that GraphQL and the baseline answer every request identically."""
    from bench.app import create_app

    async def check() -> int:
        app = create_app()
        async with running(app):
            return await compare(app, requests)

    return asyncio.run(check())


def cache_stats(base_url: str, workers: int) -> dict[int, dict[str, int]]:
    """Response-cache counters of every worker, by pid (each new connection may reach another)."""
    seen: dict[int, dict[str, int]] = {}
    for _ in range(200):
        stats = get_json(base_url + "/bench/stats")
        seen[stats["pid"]] = stats
        if len(seen) >= workers:
            break
    return seen


def run(
    *,
    workers: Iterable[int] = (1, 2),
    concurrencies: Iterable[int] = (1, 8, 32, 64),
    seconds: float = 5.0,
    rounds: int = 3,
    mix_size: int = 3000,
    folder: Path,
    log=print,
) -> dict[str, Any]:
    from graph.build import load_graph

    G = load_graph()
    requests = make_mix(G, mix_size)
    distinct = len({(r.operation, r.graphql_body()) for r in requests})
    log(f"mix: {len(requests)} requests, {distinct} distinct; checking answers are identical")
    checked = check_mix(requests)
    log(f"  {checked} requests: GraphQL and baseline bodies are byte-identical")
    files = {target: write_requests(folder, target, requests) for target in TARGETS}
    concurrencies = tuple(concurrencies)
    results: list[dict[str, Any]] = []
    cache: dict[str, dict[str, Any]] = {}
    for worker_count, nodelay in _servers(workers):
        port = free_port()
        command = None
        if nodelay:
            command = [sys.executable, "-m", "bench.workers", "bench.app:create_app",
                       "--port", str(port), "--workers", str(worker_count)]  # fmt: skip
        with serving(workers=worker_count, command=command, port=port) as server:
            label = f"{worker_count}{'+nodelay' if nodelay else ''}"
            log(f"{label} worker(s): first answer {server.started_in:.2f} s after start")
            for target in TARGETS:  # warm up: imports, document cache, lazy paths
                run_wrk(server.base_url, target, files[target], concurrency=8, seconds=2)
            before = cache_stats(server.base_url, worker_count)
            for round_ in range(rounds):
                for concurrency in concurrencies:
                    turn = (round_ + concurrency) % len(TARGETS)
                    for target in TARGETS[turn:] + TARGETS[:turn]:
                        result = run_wrk(
                            server.base_url,
                            target,
                            files[target],
                            concurrency=concurrency,
                            seconds=seconds,
                            offset=round_ * 1009 + concurrency * 31,
                        )
                        log(
                            f"  w={label} c={concurrency:>2} round {round_ + 1} "
                            f"{target:<16} {result.rps:8.0f} req/s  p50 {result.p50_ms:6.2f} ms"
                            f"  p99 {result.p99_ms:6.2f} ms  errors {result.errors}"
                        )
                        results.append({"workers": label, "round": round_, **asdict(result)})
            after = cache_stats(server.base_url, worker_count)
            hits = sum(s["hits"] for s in after.values()) - sum(
                before.get(pid, {}).get("hits", 0) for pid in after
            )
            misses = sum(s["misses"] for s in after.values()) - sum(
                before.get(pid, {}).get("misses", 0) for pid in after
            )
            cache[label] = {
                "hits": hits,
                "misses": misses,
                "hit_rate": hits / (hits + misses) if hits + misses else None,
                "workers_seen": len(after),
                "max_bytes": next(iter(after.values()))["max_bytes"],
            }
            log(f"  response cache (/graphql): {cache[label]}")
    return {
        "date": time.strftime("%Y-%m-%d"),
        "mix_size": len(requests),
        "distinct_requests": distinct,
        "seconds": seconds,
        "rounds": rounds,
        "runs": results,
        "summary": summarize(results),
        "response_cache": cache,
    }


def _servers(workers: Iterable[int]) -> list[tuple[int, bool]]:
    """(worker count, TCP_NODELAY fixed): above one worker, uvicorn as shipped and fixed (see
    :mod:`bench.workers`)."""
    found = []
    for count in workers:
        found.append((count, False))
        if count > 1:
            found.append((count, True))
    return found


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Medians over rounds per (workers, concurrency, target), and ratios to the baseline taken
    round by round (same round, minutes apart at most) before the median."""
    by_key: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for r in runs:
        by_key.setdefault((r["workers"], r["concurrency"], r["target"]), []).append(r)
    rows = []
    for (workers, concurrency, target), group in sorted(by_key.items()):
        base = {r["round"]: r for r in by_key.get((workers, concurrency, "baseline"), [])}
        row = {
            "workers": workers,
            "concurrency": concurrency,
            "target": target,
            "rps": median(_rps(r) for r in group),
            "p50_ms": median(r["p50_ms"] for r in group),
            "p99_ms": median(r["p99_ms"] for r in group),
            "errors": sum(r["errors"] for r in group),
        }
        pairs = [(r, base[r["round"]]) for r in group if r["round"] in base]
        if pairs and target != "baseline":
            row["rps_ratio"] = median(_rps(r) / _rps(b) for r, b in pairs)
            row["p99_ratio"] = median(r["p99_ms"] / b["p99_ms"] for r, b in pairs)
        rows.append(row)
    return rows


def _rps(run: dict[str, Any]) -> float:
    return run["requests"] / run["seconds"] if run["seconds"] else 0.0


def table(summary: list[dict[str, Any]]) -> str:
    lines = [
        "| workers | concurrency | target | req/s | p50 ms | p99 ms | × baseline req/s "
        "| × baseline p99 |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary:
        ratio = f"{row['rps_ratio']:.2f}" if "rps_ratio" in row else ""
        p99 = f"{row['p99_ratio']:.2f}" if "p99_ratio" in row else ""
        lines.append(
            f"| {row['workers']} | {row['concurrency']} | {row['target']} | {row['rps']:.0f} "
            f"| {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {ratio} | {p99} |"
        )
    return "\n".join(lines)
