"""Start-up: how long the graph takes to build, and a fresh process to answer its first query.

- ``build``: in a fresh interpreter, the seconds spent importing the graph package, reading
  and verifying the seeds (:func:`graph.load.load_knowledge_base`) and building the graph
  (:func:`graph.build.build_graph`), each timed on its own.
- ``first answer``: from spawning the server process to its first ``200`` to a GraphQL
  query, for ``ballerina-kg serve`` (what the README tells users to run) and for
  ``uvicorn --factory server.app:create_app`` with one and two workers.

Each is repeated and the median reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from statistics import median
from typing import Any

from bench.server import ROOT, free_port, serving, uvicorn_command

_BUILD_TIMER = """
import json, time
t0 = time.perf_counter()
from graph.build import build_graph
from graph.load import load_knowledge_base
from server.settings import DEFAULT_SEEDS
t1 = time.perf_counter()
kb = load_knowledge_base(DEFAULT_SEEDS)
t2 = time.perf_counter()
G = build_graph(kb)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load_and_validate": t2 - t1, "build": t3 - t2,
                  "nodes": G.graph.number_of_nodes(), "edges": G.graph.number_of_edges()}))
"""


def build_times(repeats: int = 3) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        output = subprocess.run(
            [sys.executable, "-c", _BUILD_TIMER],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
        samples.append(json.loads(output))
    return {key: median(s[key] for s in samples) for key in samples[0]}


def first_answer_times(repeats: int = 3) -> dict[str, float]:
    commands = {
        "ballerina-kg serve": lambda port: [
            str(Path(sys.executable).parent / "ballerina-kg"),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],  # fmt: skip
        "uvicorn server.app:create_app, 1 worker": lambda port: uvicorn_command(
            "server.app:create_app", port, 1
        ),
        "uvicorn server.app:create_app, 2 workers": lambda port: uvicorn_command(
            "server.app:create_app", port, 2
        ),
    }
    found: dict[str, float] = {}
    for name, make in commands.items():
        samples = []
        for _ in range(repeats):
            port = free_port()
            with serving(command=make(port), port=port) as server:
                samples.append(server.started_in)
        found[name] = median(samples)
    return found


def run(repeats: int = 3, log=print) -> dict[str, Any]:
    build = build_times(repeats)
    log(f"graph build (median of {repeats}): {build}")
    first = first_answer_times(repeats)
    for name, seconds in first.items():
        log(f"first answer, {name}: {seconds:.2f} s")
    return {"build": build, "first_answer": first, "repeats": repeats}


# --- a seed folder's graph, cold and from its snapshot -------------------------------------------

_SEEDS_TIMER = """
import json, os, resource, sys, time
folder, mode, snapshots = sys.argv[1], sys.argv[2], sys.argv[3]
t0, c0 = time.perf_counter(), time.process_time()
if mode == "cold":
    from graph.build import load_graph
    K = load_graph(folder)
else:  # "write": build and write the snapshot; "warm": load it
    from pathlib import Path
    from server.snapshot import load_or_build
    K = load_or_build(folder, Path(snapshots))
t1, c1 = time.perf_counter(), time.process_time()
found = {"mode": mode, "wall_s": t1 - t0, "cpu_s": c1 - c0,
         "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
         "nodes": K.counts.nodes, "edges": K.counts.edges, "load_average": os.getloadavg()}
if mode == "write":  # the snapshot is written by a child, which holds the lock until done
    import fcntl
    for lock in Path(snapshots).glob("*.lock"):
        with lock.open("rb") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
    found["snapshot_written_s"] = time.perf_counter() - t0
    for _ in range(100):  # reaped by a thread of server.snapshot
        writer = resource.getrusage(resource.RUSAGE_CHILDREN)
        if writer.ru_maxrss:
            break
        time.sleep(0.1)
    found["writer_cpu_s"] = writer.ru_utime + writer.ru_stime
    found["writer_peak_rss_bytes"] = writer.ru_maxrss * 1024
print(json.dumps(found))
"""


def seeds_build(folder: Path, mode: str, snapshots: Path, timeout: float = 3600) -> dict[str, Any]:
    """One fresh interpreter loading the graph of ``folder``: ``cold`` (``load_graph``, no
    snapshot), ``write`` (built, its snapshot written to ``snapshots`` by a child process:
    also the seconds until the snapshot is whole, and the writer's CPU and peak RSS) or
    ``warm`` (the snapshot loaded): wall and CPU seconds from before the imports, and the
    peak RSS."""
    output = subprocess.run(
        [sys.executable, "-c", _SEEDS_TIMER, str(folder), mode, str(snapshots)],
        cwd=Path.cwd(),
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    ).stdout
    found: dict[str, Any] = json.loads(output.splitlines()[-1])
    return found


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m bench.startup",
        description="time the graph of a seed folder: built cold, built with its snapshot "
        "written, and loaded from the snapshot, each in a fresh process",
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--modes", nargs="+", choices=("cold", "write", "warm"),
                        default=["cold", "write", "warm"])  # fmt: skip
    parser.add_argument("--snapshot-dir", type=Path, default=Path("/tmp/bench-snapshots"))
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    for round_ in range(args.rounds):
        for mode in args.modes:
            found = seeds_build(args.folder, mode, args.snapshot_dir)
            print(json.dumps({"round": round_, **found}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
