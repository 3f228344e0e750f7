"""Per-request cost of the filtered lists, ``entities(...)`` and ``relations(...)``, on a
generated graph: the schema executed in process (no HTTP, no response cache), medians.

Before :mod:`graph.indexes` each of these scanned every node or edge of the graph; with it a
request costs its page. Run it on another commit's checkout to compare.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

#: name -> query, or (query, offset to start the page after)
QUERIES: dict[str, str | tuple[str, int]] = {
    "relations()": "{ relations { totalCount nodes { id } } }",
    "relations(types: [kills])": '{ relations(types: ["kills"]) { totalCount nodes { id } } }',
    "relations(types: [kills, agent, location], after: 5000)": (
        'query ($after: String) { relations(types: ["kills", "agent", "location"], '
        "after: $after) { totalCount nodes { id } } }",
        5000,
    ),
    "relations(edgeKind: RELATION, disputed: true)": (
        "{ relations(edgeKind: RELATION, disputed: true) { totalCount nodes { id } } }"
    ),
    "entities()": "{ entities { totalCount edges { node { id } } } }",
    "entities(kinds: [CHARACTER, PLACE])": (
        "{ entities(kinds: [CHARACTER, PLACE]) { totalCount edges { node { id } } } }"
    ),
    "entities(kinds: [CHARACTER], orderBy: PAGERANK)": (
        "{ entities(kinds: [CHARACTER], orderBy: PAGERANK) { totalCount edges { node { id } } } }"
    ),
    "entities(relation: kills)": (
        '{ entities(relation: "kills") { totalCount edges { node { id } } } }'
    ),
    "entities(relation: agent, orderBy: PAGERANK, after: 2000)": (
        'query ($after: String) { entities(relation: "agent", orderBy: PAGERANK, after: $after) '
        "{ totalCount edges { node { id } } } }",
        2000,
    ),
}


def run(edges: int = 100_000, repeats: int = 15, log=print) -> dict[str, Any]:
    from bench.generate import generate
    from graph.build import load_graph
    from schema import Context, Limits, build_schema
    from schema.connections import encode_cursor

    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), edges=edges)
        G = load_graph(folder)
    schema = build_schema()
    context = Context(graph=G, limits=Limits())
    results: dict[str, Any] = {
        "edges": G.graph.number_of_edges(),
        "nodes": G.graph.number_of_nodes(),
    }
    for name, query in QUERIES.items():
        variables = None
        if isinstance(query, tuple):
            query, offset = query
            variables = {"after": encode_cursor(offset)}
        first = schema.execute_sync(query, variable_values=variables, context_value=context)
        if first.errors:
            raise RuntimeError(f"{name}: {first.errors}")
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            schema.execute_sync(query, variable_values=variables, context_value=context)
            seconds.append(time.perf_counter() - started)
        total = next(iter(first.data.values()))["totalCount"]
        results[name] = {"total": total, "median_ms": median(seconds) * 1000}
        log(f"{name:58s} totalCount {total:>8,}  median {median(seconds) * 1000:8.2f} ms")
    return results
