"""What Python's cycle collector costs the build and the service, on a generated graph.

- the build (read, validate, build) with the collector paused, as ``graph.collector`` does,
  and with it left on (``gc.disable`` made a no-op), each in a fresh process, with the full
  collections that ran and their total time (a ``gc.callbacks`` hook);
- one full collection of the built graph, then the same after ``gc.freeze()``, as the
  service's lifespan does.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _build(folder: str, paused: bool) -> dict[str, Any]:
    """In this process: build the seeds of ``folder``; time it and its collections."""
    from graph.build import build_graph
    from graph.load import read_knowledge_base
    from graph.validate import validate

    if not paused:
        gc.disable = lambda: None  # graph.collector then leaves the collector on
    collections: list[tuple[int, float]] = []
    started: list[float] = []

    def hook(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            collections.append((info["generation"], time.perf_counter() - started.pop()))

    gc.callbacks.append(hook)
    begin = time.perf_counter()
    kb, problems = read_knowledge_base(Path(folder))
    problems += validate(kb)
    if problems:
        raise RuntimeError(f"{len(problems)} problems in the generated seeds")
    G = build_graph(kb)
    seconds = time.perf_counter() - begin
    gc.callbacks.remove(hook)
    full = [s for generation, s in collections if generation == 2]
    found: dict[str, Any] = {
        "build_s": seconds,
        "full_collections": len(full),
        "full_collections_s": sum(full),
    }
    if paused:
        begin = time.perf_counter()
        gc.collect()
        found["full_collection_of_the_graph_s"] = time.perf_counter() - begin
        gc.freeze()
        begin = time.perf_counter()
        gc.collect()
        found["full_collection_after_freeze_s"] = time.perf_counter() - begin
    del G
    return found


def run(edges: int = 100_000, log=print) -> dict[str, Any]:
    from bench.generate import generate

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), edges=edges)
        for name, paused in (("collector on", False), ("collector paused", True)):
            output = subprocess.run(
                [sys.executable, "-m", "bench.collector", folder, str(paused)],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            results[name] = json.loads(output)
            log(f"{name:17s} {json.dumps(results[name])}")
    return results


if __name__ == "__main__":
    print(json.dumps(_build(sys.argv[1], sys.argv[2] == "True")))
