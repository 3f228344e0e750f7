"""``ballerina-kg serve`` stops within a bounded time on SIGTERM, hostile requests in flight.

Every request is bounded by one deadline (``--request-timeout``), validation included, so the
server's graceful shutdown, which waits for the requests in flight, is bounded by it too. The
bound asserted is relative to that time limit, not an absolute time.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time

import httpx
import pytest

from tests.live_server import REPO_ROOT, serving

#: Short, so that the test is: the shutdown must come within a few of these.
REQUEST_TIMEOUT = 2.0


def fan_out(levels: int, leaf: str) -> str:
    spreads = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {spreads} fragment F{levels} on Query {{ {leaf} }}"


def hostile_requests(base_url: str, stop: threading.Event, answered: list[int]) -> None:
    """Fan-out documents (the one that used to never finish), by POST and by GET."""
    documents = [
        fan_out(40, "__typename"),
        fan_out(40, "a: __typename"),
        fan_out(60, 'entity(name: "ok-ju") { neighbors { node { id } } }'),
    ]
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as client:
        i = 0
        while not stop.is_set():
            document = documents[i % len(documents)] + f"\n# {i}"
            try:
                if i % 2:
                    response = client.get("/graphql", params={"query": document})
                else:
                    response = client.post("/graphql", json={"query": document})
                answered.append(response.status_code)
            except httpx.TransportError:
                return  # the server has gone: what the test waits for
            i += 1


def slow_body(base_url: str) -> socket.socket:
    """A POST whose body never arrives: in flight until the time limit answers it 408."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(
        b"POST /graphql HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
        b'content-length: 1000\r\n\r\n{"query": '
    )
    return sock


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_with_hostile_requests_in_flight_stops_the_server_in_bounded_time(workers):
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "server", "serve", "--port", str(port),
            "--workers", str(workers), "--request-timeout", str(REQUEST_TIMEOUT),
            "--log-level", "warning",
        ]  # fmt: skip

    log = REPO_ROOT / "tests" / "artifacts" / f"shutdown_{workers}_server.log"
    # A generous start-up: each worker builds the graph, on a machine that may be busy.
    with serving(command, "/healthz", log, 120, process_group=True) as (process, base_url):
        stop, answered = threading.Event(), []
        clients = [
            threading.Thread(target=hostile_requests, args=(base_url, stop, answered))
            for _ in range(8)
        ]
        for client in clients:
            client.start()
        waited = time.monotonic()
        while len(answered) < 16 and time.monotonic() - waited < 60:
            time.sleep(0.05)
        assert len(answered) >= 16 and set(answered) <= {200, 400}, answered[:20]
        sockets = [slow_body(base_url) for _ in range(8)]
        time.sleep(0.2)  # all of it in flight
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=REQUEST_TIMEOUT * 5)
        finally:
            stopped = time.monotonic() - started
            stop.set()
            for client in clients:
                client.join(timeout=10)
            for sock in sockets:
                sock.close()
    assert process.returncode is not None, "still running after SIGTERM"
    assert stopped < REQUEST_TIMEOUT * 3, stopped


def test_a_bad_setting_flag_is_a_usage_error_not_a_traceback():
    import subprocess

    for flag, value in (("--request-timeout", "soon"), ("--response-cache-bytes", "-5")):
        result = subprocess.run(
            [sys.executable, "-m", "server", "serve", flag, value],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert flag in result.stderr and repr(value) in result.stderr


def test_setting_flags_reach_the_service_through_the_environment(monkeypatch):
    from server.settings import Settings, environment

    variables = environment(
        request_timeout="none",
        response_cache=False,
        response_cache_bytes="1000",
        compiled_plans=False,
        execution="thread",
    )
    settings = Settings.from_env(variables)
    assert settings.request_timeout is None
    assert settings.response_cache is False and settings.response_cache_bytes == 1000
    assert settings.compiled_plans is False and settings.execution == "thread"
    assert json.dumps(variables)  # plain strings, as the environment holds them
