"""How the service's costs grow with the graph: 10³ to 10⁶ edges of generated stories.

For each size, a fresh Python process (so that its peak memory is that size's alone):

1. writes a seed folder with :mod:`bench.generate`;
2. loads, verifies and builds it with the real :func:`graph.load.load_knowledge_base` and
   :func:`graph.build.build_graph`, timing each, and reads the peak RSS (``ru_maxrss``);
3. runs look-up, neighbours, search, path and ego-network queries through the real GraphQL
   endpoint in process (response cache off), with varied arguments, and reports the median
   and p99 per query;
4. streams each export (GEXF, GraphML, JSON) to nowhere, timing it and sampling the RSS
   every few milliseconds for the export's own peak above where it started; then writes the
   same graph with ``networkx.write_gexf`` for comparison. networkx's writer only takes scalar
   attribute values, so it gets a sanitised copy (lists, dicts and ``None`` dropped, citations
   counted): fewer attributes than our GEXF writes, which favours it.

``python -m bench.run scale --sizes 1000 10000`` runs some sizes; each is bounded by
``--timeout`` seconds, and a size that times out is reported as such.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from typing import Any

QUERIES = {
    "look-up": ("query Q($id: String!) { entity(name: $id) { id name kind } }", "node"),
    "neighbours": (
        "query Q($id: String!) { entity(name: $id) { neighbors { distance node { id name } } } }",
        "node",
    ),
    "search": (
        "query Q($text: String!) { search(text: $text, first: 5) { score node { id } } }",
        "text",
    ),  # fmt: skip
    "search by kind": (
        "query Q($text: String!) "
        "{ search(text: $text, first: 5, kinds: [CHARACTER, PLACE]) { score node { id } } }",
        "text",
    ),
    "path": (
        "query Q($from: String!, $to: String!) "
        "{ path(from: $from, to: $to, maxLength: 4, limit: 3) { length } }",
        "pair",
    ),
    "ego network": (
        "query Q($center: String!) "
        "{ egoNetwork(center: $center, radius: 1, maxNodes: 50) { matched nodes { id } } }",
        "center",
    ),
}
QUERY_REPEATS = 300


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


class RssSampler:
    """The highest RSS seen while the block runs, sampled by a thread every few ms."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.start = 0
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> RssSampler:
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.start


# --- one size, in its own process ---------------------------------------------------------------


def measure(folder: Path, edges: int, *, exports: bool = True) -> dict[str, Any]:
    from bench.generate import generate

    found: dict[str, Any] = {"edges_asked": edges}
    started = time.perf_counter()
    found["generated"] = generate(folder, edges=edges)
    found["generate_s"] = time.perf_counter() - started

    from graph import build
    from graph.load import read_knowledge_base
    from graph.problems import AnnotationError
    from graph.validate import validate

    started = time.perf_counter()
    kb, problems = read_knowledge_base(folder)
    read = time.perf_counter()
    problems += validate(kb)
    if problems:
        raise AnnotationError(problems)
    loaded = time.perf_counter()
    with _timed_steps(build) as steps:
        K = build.build_graph(kb)
    built = time.perf_counter()
    del kb
    found["steps_s"] = {"read": read - started, "validate": loaded - read, **steps}
    found.update(
        nodes=K.graph.number_of_nodes(),
        edges=K.graph.number_of_edges(),
        load_and_validate_s=loaded - started,
        build_s=built - loaded,
        total_build_s=built - started,
        peak_rss_after_build=peak_rss_bytes(),
    )
    found["queries"] = asyncio.run(_query_latencies(K, folder))
    if exports:
        found["exports"] = _exports(K.graph)
    found["peak_rss"] = peak_rss_bytes()
    return found


@contextmanager
def _timed_steps(build) -> Iterator[dict[str, float]]:
    """Seconds spent in each whole-graph step of ``graph.build`` while the block runs."""
    steps: dict[str, float] = {}
    names = ("index_mentions", "add_centrality", "layout", "count", "rank_by", "edge_index")
    names += ("node_index", "detect_within_bound", "build_networks")
    originals = {name: getattr(build, name) for name in names}
    search_of, passages_of = build.SearchIndex.of, build.PassageIndex.of

    def timing(name: str, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - start

        return timed

    for name, function in originals.items():
        setattr(build, name, timing(name, function))
    build.SearchIndex.of = timing("search_index", search_of)
    build.PassageIndex.of = timing("passage_index", passages_of)
    try:
        yield steps
    finally:
        for name, function in originals.items():
            setattr(build, name, function)
        build.SearchIndex.of, build.PassageIndex.of = search_of, passages_of


async def _query_latencies(K, folder: Path) -> dict[str, dict[str, Any]]:
    from bench.inprocess import call, running
    from bench.mix import search_term
    from server.app import create_app
    from server.settings import Settings

    # Measure execution, not replayed answers.
    app = create_app(K, Settings(seeds_dir=folder, response_cache=False))
    rng = random.Random(5)
    nodes = list(K.graph)
    latencies: dict[str, dict[str, Any]] = {}
    async with running(app):
        for name, (document, argument) in QUERIES.items():
            samples, cpu_samples = [], []
            found_first = found_in_five = 0  # for "search": the node the term was drawn from
            for i in range(QUERY_REPEATS + 20):
                node = rng.choice(nodes)
                variables = {
                    "node": {"id": node},
                    "center": {"center": node},
                    "text": {"text": search_term(K, node, rng)},
                    "pair": {"from": node, "to": rng.choice(nodes)},
                }[argument]
                body = json.dumps({"query": document, "variables": variables}).encode()
                # CPU time too: on a shared machine the wall clock counts other processes'
                # turns, the process's CPU time only its own work.
                start, cpu_start = time.perf_counter(), time.process_time()
                status, answer = await call(app, "/graphql", body)
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
                if status != 200 or b'"errors"' in answer:
                    latencies[name] = {"failed": f"{variables}: {answer[:300]!r}"}
                    break
                if i >= 20:  # the first few warm the document cache
                    samples.append(elapsed * 1e6)
                    cpu_samples.append(cpu * 1e6)
                    if name == "search":
                        ids = [hit["node"]["id"] for hit in json.loads(answer)["data"]["search"]]
                        found_first += ids[:1] == [node]
                        found_in_five += node in ids
            else:
                latencies[name] = {**_summary(samples, "_us"), **_summary(cpu_samples, "_cpu_us")}
                if name == "search":
                    latencies[name]["top1"] = found_first / len(samples)
                    latencies[name]["top5"] = found_in_five / len(samples)
    return latencies


def _summary(samples: list[float], suffix: str) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        f"median{suffix}": median(ordered),
        f"p99{suffix}": ordered[int(len(ordered) * 0.99) - 1],
        f"max{suffix}": ordered[-1],
    }


def _exports(G) -> dict[str, dict[str, float]]:
    import networkx as nx

    from server.exports import FORMATS

    results: dict[str, dict[str, float]] = {}
    # The graph formats of BENCHMARKS.md; the RDF and CSV writers are not measured here.
    for name in ("gexf", "graphml", "json"):
        export = FORMATS[name]
        with RssSampler() as memory:
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in export.iter_bytes(G))
            seconds = time.perf_counter() - started
        results[name] = {"seconds": seconds, "bytes": size, "rss_growth": memory.growth}
    copy = sanitized_copy(G)
    with RssSampler() as memory:
        started = time.perf_counter()
        nx.write_gexf(copy, os.devnull)
        seconds = time.perf_counter() - started
    results["networkx.write_gexf"] = {"seconds": seconds, "rss_growth": memory.growth}
    return results


def sanitized_copy(G):
    """``G`` with scalar attributes only, which is what ``networkx.write_gexf`` can write."""
    import networkx as nx

    def scalars(data: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in data.items() if isinstance(v, str | int | float) and v is not None}
        kept["citations"] = len(data.get("citations", ()))
        return kept

    H = nx.MultiDiGraph()
    H.add_nodes_from((n, scalars(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, scalars(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


# --- all sizes --------------------------------------------------------------------------------


def run(
    sizes: list[int],
    *,
    timeout: float = 1200.0,
    keep: Path | None = None,
    exports: bool = True,
    log=print,
) -> dict[str, Any]:
    results = []
    for edges in sizes:
        with tempfile.TemporaryDirectory(prefix=f"seeds-{edges}-") as scratch:
            folder = (keep / f"seeds-{edges}") if keep else Path(scratch) / "seeds"
            out = Path(scratch) / "result.json"
            command = [sys.executable, "-m", "bench.scale", str(folder), str(edges), str(out)]
            if not exports:
                command.append("--no-exports")
            log(f"{edges} edges: {' '.join(command[1:3])} ...")
            started = time.perf_counter()
            try:
                subprocess.run(command, check=True, timeout=timeout, cwd=Path(__file__).parents[1])
                result = json.loads(out.read_text())
            except subprocess.TimeoutExpired:
                result = {"edges_asked": edges, "timed_out_after_s": timeout}
            except subprocess.CalledProcessError as error:
                result = {"edges_asked": edges, "failed": f"exit status {error.returncode}"}
            result["wall_s"] = time.perf_counter() - started
            log(json.dumps(result, indent=1))
            results.append(result)
    return {"sizes": results}


def table(results: dict[str, Any]) -> str:
    def gib(n: float) -> str:
        return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"

    lines = [
        "| edges | nodes | load+validate s | build s | peak RSS | " + " | ".join(QUERIES) + " |",
        "| ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(QUERIES),
    ]
    export_lines = [
        "| edges | GEXF s (RSS +) | GraphML s (RSS +) | JSON s (RSS +) "
        "| networkx.write_gexf s (RSS +) | GEXF size |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["sizes"]:
        if "nodes" not in r:
            lines.append(f"| {r['edges_asked']} | {r.get('failed') or 'timed out'} |")
            continue
        q = r.get("queries", {})
        cells = [
            f"{q[name]['median_us'] / 1000:.2f} / {q[name]['p99_us'] / 1000:.2f} ms"
            f" (CPU {q[name]['median_cpu_us'] / 1000:.2f} / {q[name]['p99_cpu_us'] / 1000:.2f})"
            if "median_us" in q.get(name, {}) else "failed" if name in q else ""
            for name in QUERIES
        ]  # fmt: skip
        lines.append(
            f"| {r['edges']:,} | {r['nodes']:,} | {r['load_and_validate_s']:.1f} "
            f"| {r['build_s']:.1f} | {gib(r['peak_rss_after_build'])} | " + " | ".join(cells) + " |"
        )
        e = r.get("exports", {})

        def cell(name: str, e: dict[str, Any] = e) -> str:
            if name not in e:
                return ""
            return f"{e[name]['seconds']:.1f} ({gib(e[name]['rss_growth'])})"

        export_lines.append(
            f"| {r['edges']:,} | {cell('gexf')} | {cell('graphml')} | {cell('json')} "
            f"| {cell('networkx.write_gexf')} | {gib(e.get('gexf', {}).get('bytes', 0))} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(export_lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="measure one size (run by bench.run scale)")
    parser.add_argument("folder", type=Path)
    parser.add_argument("edges", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-exports", dest="exports", action="store_false")
    args = parser.parse_args()
    result = measure(args.folder, args.edges, exports=args.exports)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
