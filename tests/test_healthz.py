"""``/healthz``: the seeds' fingerprint, as coreutils compute it, and a 503 that says why when the
service cannot answer queries."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

import anyio
import anyio.to_thread
import httpx
import networkx as nx
import pytest

from graph.build import load_graph
from graph.fingerprint import seeds_hash
from graph.problems import AnnotationError
from schema import Context
from server.app import create_app
from server.settings import Settings
from tests.conftest import SEEDS


def _coreutils_hash(folder) -> str:
    """The fingerprint by find, sort, sha256sum: an independent computation of the same thing."""
    listing = subprocess.run(
        "find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum",
        shell=True,
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return listing.stdout.split()[0]


def test_the_fingerprint_is_what_coreutils_compute_and_changes_with_any_byte(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    assert seeds_hash(SEEDS) == seeds_hash(copy) == _coreutils_hash(SEEDS)
    article = next(copy.glob("*.txt"))
    article.write_bytes(article.read_bytes() + b" ")
    assert seeds_hash(copy) == _coreutils_hash(copy) != seeds_hash(SEEDS)
    (copy / "annotations" / "new.yaml").write_text("# a new file counts too\n")
    assert seeds_hash(copy) == _coreutils_hash(copy)


def test_a_fifo_in_the_seed_folder_is_not_opened(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    os.mkfifo(copy / "annotations" / "pipe.yaml")
    assert seeds_hash(copy) == seeds_hash(SEEDS)  # returned at all: it did not block on it


def test_healthz_reports_the_seeds_hash(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    report = answer.json()
    assert report["status"] == "ok"
    assert report["seeds_sha256"] == _coreutils_hash(SEEDS)
    built = load_graph(SEEDS)
    assert (report["nodes"], report["edges"]) == (built.counts.nodes, built.counts.edges)


async def _healthz(app) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/healthz")


@pytest.mark.anyio
async def test_healthz_is_503_while_every_worker_thread_is_busy(ballerina):
    app = create_app(ballerina, Settings())
    async with app.router.lifespan_context(app):
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = 2
        release = threading.Event()
        async with anyio.create_task_group() as busy:
            for _ in range(2):  # what two stuck queries would do
                busy.start_soon(anyio.to_thread.run_sync, release.wait)
            await anyio.sleep(0.1)
            answer = await _healthz(app)
            assert answer.status_code == 503, answer.text
            assert answer.json()["status"] == "unavailable"
            assert answer.json()["problem"] == "all 2 worker threads are busy"
            assert answer.json()["seeds_sha256"] == ballerina.seeds_sha256
            release.set()
        assert (await _healthz(app)).status_code == 200


@pytest.mark.anyio
async def test_threads_left_computing_past_their_deadline_still_count_as_busy(ballerina):
    # A resolver that overruns its deadline cannot be interrupted: the endpoint answers the
    # client with the time-limit error and abandons the thread, whose limiter token anyio
    # then gives back although the thread is still computing.
    app = create_app(ballerina, Settings(request_timeout=0.05, execution="thread"))
    async with app.router.lifespan_context(app):
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = 2
        endpoint = app.state.endpoint
        release = threading.Event()
        real_answer = endpoint.answers.answer

        def overrunning(*args):
            release.wait(10)
            return real_answer(*args)

        endpoint.answers.answer = overrunning
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for n in range(2):
                late = await client.post(
                    "/graphql", json={"query": f"{{ a{n}: stats {{ nodeCount }} }}"}
                )
                assert late.json()["errors"][0]["extensions"]["code"] == "TIME_LIMIT_EXCEEDED"
        assert threads.available_tokens == 2  # what the limiter believes
        assert endpoint.threads.count == 2  # what is running
        answer = await _healthz(app)
        assert answer.status_code == 503, answer.text
        assert answer.json()["problem"] == "all 2 worker threads are busy"
        release.set()
        for _ in range(100):
            if endpoint.threads.count == 0:
                break
            await anyio.sleep(0.02)
        endpoint.answers.answer = real_answer
        assert (await _healthz(app)).status_code == 200


@pytest.mark.anyio
async def test_healthz_is_503_when_the_probe_query_fails(ballerina):
    app = create_app(ballerina, Settings())
    async with app.router.lifespan_context(app):
        # A context whose graph was never built: every query about it fails.
        app.state.context = Context(graph=nx.MultiDiGraph(), limits=app.state.settings.limits)
        answer = await _healthz(app)
    assert answer.status_code == 503
    assert answer.json()["problem"].startswith("the probe query { stats { nodeCount edgeCount } }")


@pytest.fixture
def anyio_backend():
    return "asyncio"


def test_seeds_edited_while_they_are_read_are_refused_not_mislabelled(tmp_path, monkeypatch):
    """The hash names the graph in /healthz and every ETag: a folder saved between the read and
    the hash would label one graph with another's hash. Both ends of the read are hashed."""
    import graph.build

    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    real = graph.build.load_knowledge_base

    def edited_midway(folder):
        knowledge = real(folder)
        note = copy / "annotations" / "symbols.yaml"
        note.write_text(note.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return knowledge

    monkeypatch.setattr(graph.build, "load_knowledge_base", edited_midway)
    with pytest.raises(AnnotationError) as refused:
        load_graph(copy)
    assert "changed while it was being read" in str(refused.value)
    monkeypatch.setattr(graph.build, "load_knowledge_base", real)
    assert load_graph(copy).seeds_sha256 == seeds_hash(copy)
