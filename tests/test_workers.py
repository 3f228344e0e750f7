"""``ballerina-kg serve --workers N``: the listening socket says TCP, so every connection gets
TCP_NODELAY and keep-alive answers do not wait for the client's delayed ACK (Kludex/uvicorn#3149;
see server/workers.py)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from server.workers import bind_socket
from tests.live_server import serving

QUERIES = [
    (
        '{ node(id: "ok-ju") { id name } }',
        {"data": {"node": {"id": "ok-ju", "name": "Jang Ok-ju"}}},
    ),
    (
        '{ character(id: "Chef Choi") { name actors { name } } }',
        {"data": {"character": {"name": "Choi Pro", "actors": [{"name": "Kim Ji-hoon"}]}}},
    ),
]


def _config() -> uvicorn.Config:
    # log_config=None: leave the test process's logging as it is.
    return uvicorn.Config("server.app:create_app", port=0, workers=2, log_config=None)


def _accepted_with_nodelay(listener: socket.socket) -> bool:
    """Serve ``listener`` with asyncio, as a uvicorn worker does, connect to it once, and say
    whether the connection asyncio accepted has TCP_NODELAY set."""

    async def run() -> bool:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        host, port = listener.getsockname()[:2]
        async with await asyncio.start_server(on_connect, sock=listener):
            _, writer = await asyncio.open_connection(host, port)
            nodelay = await asyncio.wait_for(accepted, timeout=10)
            writer.close()
            await writer.wait_closed()
        return bool(nodelay)

    return asyncio.run(run())


def test_the_socket_for_the_workers_says_tcp_and_its_connections_get_nodelay():
    listener = bind_socket(_config())
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()  # the workers receive it
    assert _accepted_with_nodelay(listener)


def _serving(log_path: Path, *args: str):
    """``ballerina-kg serve ARGS --port P`` until the block ends, ready once /healthz answers;
    ``python -m server`` from the repo root, so that these sources are the ones served."""

    def serve(port: int) -> list[str]:
        return [sys.executable, "-m", "server", "serve", *args, "--port", str(port)]

    return serving(serve, "/healthz", log_path, startup_timeout=60, process_group=True)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_with_two_workers_answers_keep_alive_requests_without_waiting(tmp_path, stop):
    log_path = tmp_path / "serve.log"
    with _serving(log_path, "--workers", "2", "--log-level", "info") as (process, base_url):
        latencies, local_addresses = [], set()
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as client:
            for i in range(20):
                query, expected = QUERIES[i % len(QUERIES)]
                started = time.perf_counter()
                response = client.post("/graphql", json={"query": query})
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                assert response.json() == expected
                stream = response.extensions["network_stream"]
                local_addresses.add(stream.get_extra_info("client_addr"))
        assert len(local_addresses) == 1  # one keep-alive connection throughout
        # With Nagle on, every answer waits for the client's delayed ACK, which Linux holds for
        # at least 40 ms (TCP_DELACK_MIN), however idle the machine; without, an answer takes
        # about 1 ms. A load spike can slow any one answer, but not every one of them: the
        # fastest tells the two apart. (How fast they are is bench/keepalive.py's business.)
        assert min(latencies) < 0.040, sorted(latencies)

        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
        # Each worker finished its requests and ran its shutdown before the supervisor exited.
        log = log_path.read_text(errors="replace")
        assert log.count("Application shutdown complete.") == 2, log
        assert log.count("Finished server process") == 2, log
