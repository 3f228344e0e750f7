"""The peer of ``python -m bench.run peer`` answers the bench mix byte for byte as the service does.

Two checks. The cheap one runs under ``make test``: the peer's executable schema (the SDL of
``schema/schema.graphql`` over the graph read from the service's JSON export, as both peer
servers serve it) executed by graphql-js, which the service's own ``node_modules`` already
hold, must give the service's exact bodies for every request of a mix. The full one starts the
real servers (the service, Fastify + Mercurius with graphql-jit, graphql-http, the fixed-body
Starlette app) and checks them over HTTP, as the benchmark does before every run; it needs the
benchmark's own npm packages (``npm ci`` in ``bench/peer``, done by ``make bench``) and is
skipped, saying so, where they are absent. No timing is asserted.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import subprocess

import pytest

from bench import peer
from bench.inprocess import call, running
from server.app import create_app
from server.exports import node_link

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def service_answers(count: int) -> tuple[list, list[bytes], bytes]:
    """A peer mix of ``count`` draws, the service's answer to each, and the service's export."""
    app = create_app()

    async def answer():
        async with running(app):
            G = app.state.graph
            requests = peer.peer_mix(G, count)
            bodies = []
            for request in requests:
                status, body = await call(app, "/graphql", request.graphql_body())
                assert status == 200, body
                bodies.append(body)
            return requests, bodies, b"".join(node_link.iter_bytes(G.graph))

    return asyncio.run(answer())


@needs_node
def test_the_peer_schema_answers_the_mix_byte_for_byte_as_the_service(tmp_path) -> None:
    requests, expected, export = service_answers(400)
    assert {r.operation for r in requests} == set(peer.OPERATIONS)
    assert not any(b'"errors"' in body for body in expected)
    (tmp_path / "graph.json").write_bytes(export)
    lines = b"".join(r.graphql_body() + b"\n" for r in requests)
    answered = subprocess.run(
        ["node", str(peer.PEER / "answer.js"), str(tmp_path / "graph.json"), str(peer.SCHEMA)],
        input=lines,
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    assert len(answered) == len(requests)
    for request, mine, theirs in zip(requests, expected, answered, strict=True):
        assert theirs == mine, request


@pytest.mark.skipif(peer.missing() is not None, reason=f"bench peer: {peer.missing()}")
def test_the_peer_servers_answer_the_mix_as_the_service_over_http(tmp_path) -> None:
    from graph.build import load_graph

    requests = peer.peer_mix(load_graph(), 120)
    targets = tuple(peer.TARGETS)
    if importlib.util.find_spec("granian") is None:  # the bench extra's, not the test extra's
        targets = tuple(t for t in targets if "granian" not in t)
    with peer.servers(tmp_path, requests[0], targets) as urls:
        assert set(urls) == peer.servers_of(targets)
        assert peer.check_identical(urls, requests) > 60
        # The fixed-body routes answer the service's first answer, byte for byte.
        first = peer.post(urls["service"] + "/graphql", requests[0].graphql_body())[1]
        for server in ("starlette", "granian", "mercurius", "graphql-http"):
            if server in urls:
                assert peer.post(urls[server] + "/fixed", b"{}") == (200, first), server
