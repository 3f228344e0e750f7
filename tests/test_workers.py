"""``ballerina-kg serve --workers N`` (server/workers.py): one graph for every worker and every
replacement of one, connections spread by the kernel, TCP_NODELAY on them, a failing worker
that does not stop its siblings, and no worker left behind when the supervisor is killed."""

from __future__ import annotations

import asyncio
import collections
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from graph.fingerprint import seeds_hash
from server.workers import listening_socket
from tests.live_server import REPO_ROOT, free_port, serving

QUERIES = [
    (
        '{ entity(name: "ok-ju") { id name } }',
        {"data": {"entity": {"id": "ok-ju", "name": "Jang Ok-ju"}}},
    ),
    (
        '{ character(id: "Chef Choi") { name actors { name } } }',
        {"data": {"character": {"name": "Choi Pro", "actors": [{"name": "Kim Ji-hoon"}]}}},
    ),
]
NAME_OF_OK_JU = '{ entity(name: "ok-ju") { name } }'

#: Set while a test wants the workers of ``pid_app`` to fail their start-up.
FAIL_MARKER = "BALLERINA_TEST_FAIL_STARTUP_IF"


def pid_app() -> Starlette:
    """A small app for launcher tests: ``GET /pid`` answers the worker's pid; its start-up fails
    while the file named by ``$BALLERINA_TEST_FAIL_STARTUP_IF`` exists."""
    marker = Path(os.environ.get(FAIL_MARKER, "/nonexistent/marker"))

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if marker.exists():
            raise RuntimeError(f"{marker} exists: refusing to start")
        yield

    async def pid(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(os.getpid()))

    return Starlette(routes=[Route("/pid", pid)], lifespan=lifespan)


# --- helpers -------------------------------------------------------------------------------


def _serve_command(*args: str):
    """``ballerina-kg serve ARGS --port P``, from the repo root so these sources are served."""

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "server", *args, "--port", str(port)]

    return command


def _launch_command(factory: str, *args: str):
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "server.workers", factory, *args, "--port", str(port)]

    return command


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def _workers(supervisor: int, count: int, *, without: int | None = None) -> set[int]:
    """The ``count`` workers of ``supervisor`` once it has that many (none of them ``without``)."""

    def found() -> set[int] | None:
        pids = _children(supervisor)
        return pids if len(pids) == count and without not in pids else None

    return _wait_for(found, 60, f"{count} workers under {supervisor} (not {without})")


def _startups(log_path: Path) -> int:
    return log_path.read_bytes().count(b"Application startup complete")


def _on_fresh_connections(base_url: str, count: int, method: str, path: str, **kwargs):
    """``count`` responses, each on a connection of its own, all open at once, so that the
    kernel spreads them over the workers."""
    with ExitStack() as stack:
        clients = [
            stack.enter_context(httpx.Client(base_url=base_url, trust_env=False, timeout=20.0))
            for _ in range(count)
        ]
        for client in clients:  # open every connection before any is answered
            client.request("OPTIONS", path)
        return [client.request(method, path, **kwargs) for client in clients]


# --- sockets -------------------------------------------------------------------------------


def _accepted_with_nodelay(listener: socket.socket, run) -> bool:
    """Serve ``listener`` on an event loop (``run``: asyncio's or uvloop's), connect once, and
    say whether the accepted connection has TCP_NODELAY set."""

    async def main() -> bool:
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

    return run(main())


@pytest.mark.parametrize("run", [asyncio.run, uvloop.run], ids=["asyncio", "uvloop"])
def test_each_worker_socket_says_tcp_shares_the_port_and_its_connections_get_nodelay(run):
    first = listening_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    with first, listening_socket("127.0.0.1", port) as second:
        assert first.proto == second.proto == socket.IPPROTO_TCP
        assert second.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert _accepted_with_nodelay(second, run)
        # A server that does not share the port cannot take it meanwhile.
        with socket.socket() as intruder, pytest.raises(OSError, match="in use"):
            intruder.bind(("127.0.0.1", port))


# --- the service ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_with_two_workers_answers_keep_alive_requests_without_waiting(tmp_path, stop):
    log_path = tmp_path / "serve.log"
    command = _serve_command("serve", "--workers", "2", "--log-level", "info")
    with serving(command, "/healthz", log_path, 60, process_group=True) as (process, base_url):
        kept, fresh, local_addresses = [], [], set()

        def timed(client: httpx.Client, i: int) -> tuple[float, object]:
            query, expected = QUERIES[i % len(QUERIES)]
            started = time.perf_counter()
            response = client.post("/graphql", json={"query": query})
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.text
            assert response.json() == expected
            return seconds, response.extensions["network_stream"].get_extra_info("client_addr")

        with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as client:
            local_addresses.add(timed(client, 0)[1])  # a first request: no delayed ACK holds it
            for i in range(20):
                seconds, address = timed(client, i)
                kept.append(seconds)
                local_addresses.add(address)
                # The same request alone on a new connection, interleaved so that a load spike
                # falls on both kinds alike.
                with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as once:
                    fresh.append(timed(once, i)[0])
        assert len(local_addresses) == 1  # one keep-alive connection throughout
        # With Nagle on, every answer on a connection past its first request waits for the
        # client's delayed ACK (Linux holds it 40 ms or more); the first request of a new
        # connection is acknowledged at once (quick-ack mode), so it is not held, though it
        # pays for the connection too. Without Nagle a kept connection answers at least as
        # fast as a new one; with it, several times slower. The fastest of each kind tells the
        # two apart whatever the machine's load. (How fast they are is bench/keepalive.py's.)
        assert min(kept) < 2 * min(fresh), (sorted(kept), sorted(fresh))

        process.send_signal(stop)
        assert process.wait(timeout=40) == 0
        # Each worker finished its requests and ran its shutdown before the supervisor exited.
        log = log_path.read_text(errors="replace")
        assert log.count("Application shutdown complete.") == 2, log
        assert log.count("Finished server process") == 2, log
        assert "Traceback" not in log, log


def test_two_workers_serve_one_graph_whatever_happens_to_the_seeds_meanwhile(tmp_path):
    """The graph is built once, before the workers: an edit to the seeds, valid or broken, and
    a worker killed and replaced after it change nothing that is served."""
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", seeds)
    served_hash = seeds_hash(seeds)
    log_path = tmp_path / "serve.log"
    command = _serve_command("--seeds", str(seeds), "serve", "--workers", "2")
    with serving(command, "/healthz", log_path, 60, process_group=True) as (process, base_url):
        workers = _workers(process.pid, 2)

        def answers() -> collections.Counter:
            found: collections.Counter = collections.Counter()
            for response in _on_fresh_connections(base_url, 24, "GET", "/healthz"):
                assert response.status_code == 200, response.text
                found[response.json()["seeds_sha256"]] += 1
            for response in _on_fresh_connections(
                base_url, 24, "POST", "/graphql", json={"query": NAME_OF_OK_JU}
            ):
                assert response.status_code == 200, response.text
                found[response.json()["data"]["entity"]["name"]] += 1
            return found

        assert answers() == {served_hash: 24, "Jang Ok-ju": 24}

        # A valid edit: Ok-ju renamed. A worker dies; its replacement must not read it.
        characters = seeds / "annotations" / "characters.yaml"
        text = characters.read_text(encoding="utf-8")
        assert text.count("name: Jang Ok-ju") == 1
        characters.write_text(text.replace("name: Jang Ok-ju", "name: Edited Ok-ju"), "utf-8")
        assert seeds_hash(seeds) != served_hash
        victim, sibling = sorted(workers)
        os.kill(victim, signal.SIGKILL)
        workers = _workers(process.pid, 2, without=victim)
        assert sibling in workers  # the other worker went on, untouched
        _wait_for(lambda: _startups(log_path) == 3, 60, "the replacement serving")
        assert answers() == {served_hash: 24, "Jang Ok-ju": 24}

        # A broken edit: the seeds no longer validate. Kill a worker again: still one graph.
        characters.write_text("this: [is not, valid", "utf-8")
        victim = max(workers)
        os.kill(victim, signal.SIGKILL)
        _workers(process.pid, 2, without=victim)
        _wait_for(lambda: _startups(log_path) == 4, 60, "the replacement serving")
        assert answers() == {served_hash: 24, "Jang Ok-ju": 24}
        assert process.poll() is None
    log = log_path.read_text(errors="replace")
    assert log.count("was killed by SIGKILL; starting another") == 2, log


async def _burst(address: tuple[str, int], connections: int) -> list[int]:
    """Open ``connections`` connections in one burst, as a load generator does, then ask on
    each which worker holds it (``pid_app``'s ``/pid``)."""
    opened = await asyncio.gather(*(asyncio.open_connection(*address) for _ in range(connections)))
    pids = []
    for reader, writer in opened:
        writer.write(b"GET /pid HTTP/1.1\r\nHost: test\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"content-length: (\d+)", head).group(1))
        pids.append(int(await reader.readexactly(length)))
    for _, writer in opened:
        writer.close()
        await writer.wait_closed()
    return pids


def test_connections_are_spread_over_the_workers_by_the_kernel(tmp_path):
    """Each worker has its own SO_REUSEPORT socket and the kernel shares 64 connections, opened
    in one burst, between the two once both listen."""
    command = _launch_command("tests.test_workers:pid_app", "--workers", "2")
    with serving(command, "/pid", tmp_path / "serve.log", 60, process_group=True) as (
        process,
        base_url,
    ):
        workers = _workers(process.pid, 2)
        host, port = base_url.removeprefix("http://").split(":")
        address = (host, int(port))
        # Both listening: a worker only listens once its start-up is complete.
        _wait_for(lambda: set(asyncio.run(_burst(address, 16))) == workers, 30, "both serving")
        answered = collections.Counter(asyncio.run(_burst(address, 64)))
    assert set(answered) == workers, answered
    # Binomial(64, 1/2) is below 12 with probability ~3e-8.
    assert min(answered.values()) >= 12, answered


def test_a_worker_that_cannot_start_does_not_stop_its_siblings(tmp_path, monkeypatch):
    marker = tmp_path / "fail-startup"
    monkeypatch.setenv(FAIL_MARKER, str(marker))
    log_path = tmp_path / "serve.log"
    command = _launch_command("tests.test_workers:pid_app", "--workers", "2")
    with serving(command, "/pid", log_path, 60, process_group=True) as (process, base_url):
        victim, sibling = sorted(_workers(process.pid, 2))
        marker.touch()  # from now on a new worker fails its start-up
        os.kill(victim, signal.SIGKILL)
        _wait_for(
            lambda: log_path.read_bytes().count(b"before it could serve; trying again") >= 2,
            60,
            "two failed starts of the replacement",
        )
        # Meanwhile the sibling served every request, and nobody stopped it.
        for response in _on_fresh_connections(base_url, 8, "GET", "/pid"):
            assert response.status_code == 200
            assert int(response.text) == sibling
        assert process.poll() is None and _alive(sibling)

        marker.unlink()  # the cause goes away: the next try (at most 30 s later) serves
        _wait_for(lambda: _startups(log_path) == 3, 60, "a replacement that starts")
        workers = _workers(process.pid, 2)
        answered = {int(r.text) for r in _on_fresh_connections(base_url, 32, "GET", "/pid")}
        assert answered == workers and sibling in workers


def test_no_worker_survives_a_kill_9_of_the_supervisor_and_the_port_is_free(tmp_path):
    log_path = tmp_path / "serve.log"
    command = _serve_command("serve", "--workers", "2")
    with serving(command, "/healthz", log_path, 60, process_group=True) as (process, base_url):
        workers = _workers(process.pid, 2)
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as client:
            assert client.get("/healthz").status_code == 200
        process.kill()
        process.wait(timeout=10)
        _wait_for(lambda: not any(_alive(pid) for pid in workers), 30, "the workers to exit")
        port = int(base_url.rsplit(":", 1)[1])
        # The port is free for a server that does not share it (SO_REUSEADDR only lets it
        # past connections in TIME_WAIT, not past a listener).
        with socket.socket() as successor:
            successor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            successor.bind(("127.0.0.1", port))
            successor.listen()


def test_serve_stops_when_no_worker_can_start(tmp_path, monkeypatch):
    marker = tmp_path / "fail-startup"
    marker.touch()
    monkeypatch.setenv(FAIL_MARKER, str(marker))
    result = subprocess.run(
        _launch_command("tests.test_workers:pid_app", "--workers", "2")(free_port()),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 3, result.stderr
    assert "No worker could start; stopping." in result.stderr
    assert "refusing to start" in result.stderr  # the reason, from the worker's lifespan


@pytest.mark.parametrize(
    "bad",
    [
        ["--port", "0"],
        ["--port", "65536"],
        ["--workers", "0"],
        ["--log-level", "INFO"],
        ["--timeout-keep-alive", "nan"],
        ["--head-timeout", "-1"],
    ],
)
def test_ballerina_kg_serve_and_python_m_server_workers_refuse_the_same_options(bad):
    """One set of server options, checked the same way by both ways of starting the server."""
    said = []
    for command in (
        [sys.executable, "-m", "server", "serve", *bad],
        [sys.executable, "-m", "server.workers", "tests.toy_app:create_app", *bad],
    ):
        run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, (command, run.stderr)
        assert "Traceback" not in run.stderr
        said.append(run.stderr.strip().splitlines()[-1].split(": error: ", 1)[1])
    assert said[0] == said[1]


def stuck_app() -> Starlette:
    """``pid_app`` with ``GET /stick``, which blocks its worker's event loop for good."""
    app = pid_app()

    async def stick(request: Request) -> PlainTextResponse:
        time.sleep(3600)  # blocks the loop: what a runaway synchronous call would do
        return PlainTextResponse("unreachable")

    app.add_route("/stick", stick)
    return app


def test_a_worker_whose_event_loop_is_stuck_is_killed_and_replaced(tmp_path):
    log_path = tmp_path / "serve.log"
    command = _launch_command(
        "tests.test_workers:stuck_app", "--workers", "2", "--worker-timeout", "3"
    )
    with serving(command, "/pid", log_path, 60, process_group=True) as (process, base_url):
        before = _workers(process.pid, 2)
        with (
            httpx.Client(base_url=base_url, trust_env=False, timeout=1.0) as client,
            pytest.raises(httpx.TimeoutException),
        ):
            client.get("/stick")
        _wait_for(lambda: b"has not been heard from" in log_path.read_bytes(), 30, "the kill")
        _wait_for(lambda: len(_workers(process.pid, 2) - before) == 1, 30, "one replacement")
        after = _workers(process.pid, 2)
        (stuck,) = before - after
        assert not _alive(stuck)
        assert process.poll() is None
        # Both serve again: fresh connections reach only live workers.
        _wait_for(lambda: _startups(log_path) == 3, 30, "the replacement serving")
        answered = {int(r.text) for r in _on_fresh_connections(base_url, 16, "GET", "/pid")}
        assert answered <= after
