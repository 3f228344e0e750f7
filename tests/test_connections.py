"""Connections against a real ``ballerina-kg serve``, with raw sockets: a connection that sends no
request, or its head a byte at a time, is closed at the head deadline; an idle keep-alive one
at its timeout; a request with both Content-Length and Transfer-Encoding is refused; a head
too large is 431. And the bounded protocol (server/protocol.py) answers ordinary and pipelined
traffic byte for byte as uvicorn's own httptools protocol does."""

from __future__ import annotations

import re
import select
import socket
import sys
import time

import pytest

from tests.live_server import serving

HEAD_TIMEOUT = 1.0
KEEP_ALIVE = 1.0
#: Far above either timeout: only a connection that is never closed takes this long.
NEVER = 15.0


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "server", "serve", "--port", str(port),
            "--head-timeout", str(HEAD_TIMEOUT), "--timeout-keep-alive", str(KEEP_ALIVE),
        ]  # fmt: skip

    log = tmp_path_factory.mktemp("connections") / "serve.log"
    with serving(command, "/healthz", log, 60) as (_, base_url):
        host, port = base_url.removeprefix("http://").split(":")
        yield host, int(port)


def _connect(address) -> socket.socket:
    return socket.create_connection(address, timeout=NEVER)


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _seconds_until_closed(sock: socket.socket) -> tuple[float, bytes]:
    started = time.monotonic()
    received = _read_until_closed(sock)
    return time.monotonic() - started, received


def test_a_connection_that_sends_nothing_is_closed_at_the_head_deadline(address):
    with _connect(address) as sock:
        seconds, received = _seconds_until_closed(sock)
    assert received == b""
    assert 0.8 * HEAD_TIMEOUT <= seconds < NEVER


def test_a_head_sent_a_line_at_a_time_is_cut_off_at_the_deadline(address):
    """Slowloris: every header line resets uvicorn's keep-alive timer, not the head deadline."""
    with _connect(address) as sock:
        sock.settimeout(0.25)
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        closed_after = None
        for line in range(int(NEVER / 0.25)):
            try:
                if sock.recv(1024) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                pass
            try:
                sock.sendall(b"X-Slow-%d: x\r\n" % line)
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None, "the slow head was never cut off"
    assert 0.8 * HEAD_TIMEOUT <= closed_after < NEVER


def test_the_deadline_is_per_request_head_not_per_connection(address):
    """A client that keeps asking, each head well within the deadline, keeps its connection
    for longer than the deadline."""
    request = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"
    with _connect(address) as sock:
        started = time.monotonic()
        answers = 0
        while time.monotonic() - started < 2.5 * HEAD_TIMEOUT:
            sock.sendall(request)
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, f"closed after {answers} answers"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer
            answers += 1
            time.sleep(HEAD_TIMEOUT / 2)
    assert answers >= 4


def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(address):
    with _connect(address) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 "), first
        seconds, rest = _seconds_until_closed(sock)
    assert 0.8 * KEEP_ALIVE <= seconds < NEVER


@pytest.mark.parametrize(
    "head",
    [
        # Request smuggling's classic: which of the two framings ends the body?
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}}",
        b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Folded: a\r\n b\r\n\r\n",
    ],
    ids=["content-length-then-chunked", "chunked-then-content-length", "two-lengths", "obs-fold"],
)
def test_ambiguous_framing_is_refused_with_400_and_the_connection_closed(address, head):
    with _connect(address) as sock:
        sock.sendall(head)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert b"connection: close" in answer.lower()


def test_a_head_too_large_is_431(address):
    """Sent in small pieces, each once the server has had the one before: the server has read
    all it was sent when it answers, so its close is a FIN that cannot discard the answer."""
    piece = b"a" * 16384
    with _connect(address) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: ")
        sent = 0
        while not select.select([sock], [], [], 0.02)[0]:
            assert sent < 4 << 20, "4 MiB of head and no answer"
            sock.sendall(piece)
            sent += len(piece)
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert 256 * 1024 <= sent < 1 << 20  # the bound plus at most a read or two


# --- the bounded protocol against uvicorn's own ----------------------------------------------

EXCHANGES = {
    "keep-alive": [
        b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 27\r\n\r\n" + b'{"query": "{ __typename }"}',
        b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n",
        b"HEAD /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    ],
    "pipelined": [
        b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 27\r\n\r\n" + b'{"query": "{ __typename }"}'
        b"GET /graphql?query=%7B HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    ],
    "chunked": [
        b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"a\r\n" + b'{"query": ' + b"\r\n11\r\n" + b'"{ __typename }"}' + b"\r\n0\r\n\r\n"
    ],
    "http/1.0": [b"GET /graphql?query=%7B__typename%7D HTTP/1.0\r\n\r\n"],
    "malformed": [b"GET /graphql HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n"],
}


def _exchange(address, writes: list[bytes]) -> bytes:
    """Send each write after the answer to the one before (all at once if pipelined), then
    read until the server closes; the answers without their ``date`` header."""
    with _connect(address) as sock:
        received = b""
        for write in writes[:-1]:
            sock.sendall(write)
            received += _one_answer(sock)
        sock.sendall(writes[-1])
        received += _read_until_closed(sock)
    return re.sub(rb"date: [^\r]*\r\n", b"", received)


def _one_answer(sock: socket.socket) -> bytes:
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
    expected = int(length.group(1)) if length else 0
    while len(body) < expected:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_the_bounded_protocol_answers_byte_for_byte_as_uvicorns_own(tmp_path):
    def plain(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "tests.toy_app:create_app", "--factory",
            "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--ws", "none",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    def bounded(port: int) -> list[str]:
        return [
            sys.executable, "-m", "server.workers", "tests.toy_app:create_app",
            "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip

    ready = "/graphql?query=%7B__typename%7D"
    answers = {}
    for name, command in (("plain", plain), ("bounded", bounded)):
        with serving(command, ready, tmp_path / f"{name}.log", 60) as (_, base_url):
            host, port = base_url.removeprefix("http://").split(":")
            answers[name] = {
                label: _exchange((host, int(port)), writes) for label, writes in EXCHANGES.items()
            }
    for label in EXCHANGES:
        assert answers["bounded"][label] == answers["plain"][label], label
        assert answers["plain"][label].startswith(b"HTTP/1."), label
    assert answers["plain"]["pipelined"].count(b"HTTP/1.1 ") == 3
    assert answers["plain"]["malformed"].startswith(b"HTTP/1.1 400 ")
