"""Starting and stopping a real uvicorn process on 127.0.0.1, as users start the service.

``uvicorn --factory <module:factory> --host 127.0.0.1 --port P --workers N --log-level warning``:
the same command line as ``ballerina-kg serve`` would run under uvicorn, with the access log
off as a production deployment has it (it would cost both the endpoint and the baseline alike).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the servers' output goes unless a run names its own log.
SERVER_LOG = ROOT / "bench" / "results" / "server.log"
PROBE_QUERY = b'{"query":"{ entity(name: \\"ok-ju\\") { id } }"}'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    #: Seconds from the process start to its first successful GraphQL answer.
    started_in: float


def uvicorn_command(factory: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", factory, "--factory",
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip


@contextmanager
def serving(
    factory: str = "bench.app:create_app",
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    command: list[str] | None = None,
    port: int | None = None,
    log: Path = SERVER_LOG,
) -> Iterator[Server]:
    """Run a server until the block ends; ready once a GraphQL query is answered with 200.

    ``command`` replaces the uvicorn command line (it must listen on ``port``); its output is
    appended to ``log``.
    """
    port = port or free_port()
    command = command or uvicorn_command(factory, port, workers)
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            started_in = _wait_for_first_answer(process, base_url, started, timeout, log)
            yield Server(process, base_url, started_in)
        finally:
            _stop(process)


def _wait_for_first_answer(
    process: subprocess.Popen[bytes], base_url: str, started: float, timeout: float, log: Path
) -> float:
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        if post(base_url + "/graphql", PROBE_QUERY, timeout=2.0)[0] == 200:
            return time.perf_counter() - started
        time.sleep(0.01)
    raise RuntimeError(f"the server did not answer within {timeout} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        # The whole session: with --workers, uvicorn's worker processes go too.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def post(url: str, body: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def get_json(url: str, timeout: float = 5.0) -> dict:
    request = urllib.request.Request(url, headers={"connection": "close"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
