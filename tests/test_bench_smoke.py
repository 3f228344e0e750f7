"""Keeps the benchmark harness from rotting, in a few seconds: the generator's output goes
through the real loader and builder, the baseline answers as GraphQL does, and a one-second
in-process query mix runs. No timing is asserted; the benchmarks themselves are `make bench`."""

from __future__ import annotations

import asyncio

import pytest

from bench.app import create_app
from bench.generate import generate
from bench.inprocess import TARGETS, compare, running, time_mix
from bench.mix import OPERATIONS, make_mix
from graph.build import load_graph
from server.settings import Settings


def test_generated_seeds_load_validate_and_build(tmp_path) -> None:
    summary = generate(tmp_path, edges=600, seed=3)
    K = load_graph(tmp_path)
    assert K.graph.number_of_edges() == summary["edges"] > 500
    assert K.counts.disputes == summary["stories"]
    # Every citation is a verbatim quote of its document, located by the loader.
    documents = K.documents
    for _, _, data in K.graph.edges(data=True):
        for citation in data["citations"]:
            text = documents[citation.document].text
            assert text[citation.start : citation.end] == citation.quote
    # The same arguments give the same folder.
    again = tmp_path / "again"
    generate(again, edges=600, seed=3)
    assert (again / "documents.yaml").read_bytes() == (tmp_path / "documents.yaml").read_bytes()


@pytest.mark.slow
def test_a_one_second_mix_runs_in_process_on_real_and_generated_graphs(tmp_path, monkeypatch):
    generate(tmp_path, edges=300, seed=4)
    for seeds in (None, tmp_path):
        if seeds is not None:
            monkeypatch.setenv("BALLERINA_SEEDS", str(seeds))
        app = create_app()

        async def run(app=app):
            async with running(app):
                requests = make_mix(app.state.graph, 120)
                assert await compare(app, requests) == 120
                return await time_mix(app, requests, seconds=1.0)

        timings = asyncio.run(run())
        assert set(timings) == set(TARGETS)
        assert all(t.count > 0 for t in timings.values())
        assert set(timings["baseline"].samples) <= set(OPERATIONS)
    assert Settings.from_env().seeds_dir == tmp_path


def test_the_filters_benchmark_runs_every_query_to_an_answer() -> None:
    from bench import filters

    results = filters.run(edges=1_000, repeats=1, log=lambda *args: None)
    assert results["edges"] > 1_000
    for name in filters.QUERIES:
        assert results[name]["total"] > 0, name
        assert results[name]["median_ms"] > 0


@pytest.mark.slow
def test_the_collector_benchmark_builds_with_the_collector_on_and_paused() -> None:
    from bench import collector

    results = collector.run(edges=3_000, log=lambda *args: None)
    assert results["collector on"]["full_collections"] > 0
    assert results["collector paused"]["full_collections"] == 0
    paused = results["collector paused"]
    assert paused["full_collection_after_freeze_s"] < paused["full_collection_of_the_graph_s"]
