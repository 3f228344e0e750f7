"""Run an app in a real server process on a free loopback port, for tests that need a socket.

    with live_server("tests.toy_app:create_app") as base_url:
        httpx.get(f"{base_url}/graphql", params={"query": "{ __typename }"})

``factory`` is any ``module:callable`` returning an ASGI app, so the same tests can be pointed
at the real application with one argument; it is served on the stack the service ships.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
TOY_FACTORY = "tests.toy_app:create_app"


class ServerDidNotStart(RuntimeError):
    def __init__(self, command: list[str], reason: str, output: str) -> None:
        super().__init__(f"{' '.join(command)} did not start: {reason}\n{output}")
        self.command = command
        self.output = output


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(
    factory: str = TOY_FACTORY,
    *,
    ready_path: str = "/graphql?query=%7B__typename%7D",
    log_path: Path | None = None,
    startup_timeout: float = 30.0,
) -> Iterator[str]:
    """Serve ``FACTORY``'s app on 127.0.0.1 as ``ballerina-kg serve`` serves the service
    (``python -m server.workers``: uvloop, httptools with bounded request heads, no access log),
    yield its base URL, then stop it.

    The server counts as ready once ``ready_path`` answers with any status below 500. Its
    output goes to ``log_path`` (a temporary file beside the tests when not given), which is
    quoted if it fails to start.
    """

    def launcher(port: int) -> list[str]:
        return [
            sys.executable, "-m", "server.workers", factory,
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip

    with serving(launcher, ready_path, log_path, startup_timeout) as (_, base_url):
        yield base_url


@contextmanager
def serving(
    command: Callable[[int], list[str]],
    ready_path: str,
    log_path: Path | None = None,
    startup_timeout: float = 30.0,
    *,
    process_group: bool = False,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``command(port)`` from the repo root on a free port; yield the process and its base
    URL once ``ready_path`` answers below 500; stop it when the block ends.

    ``process_group`` starts it in a group of its own and kills the whole group at the end:
    for a server with worker processes, which the block may also stop itself (by a signal).
    """
    log_path = log_path or REPO_ROOT / "tests" / "artifacts" / "live_server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # A port picked this way can be taken before the server binds it: try a few.
    for attempt in range(3):
        port = free_port()
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command(port),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=process_group,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            if _wait_until_ready(process, base_url + ready_path, startup_timeout):
                yield process, base_url
                return
            output = log_path.read_text(errors="replace")
            if "address already in use" in output.lower() and attempt < 2:
                continue
            reason = f"exit code {process.returncode}" if process.poll() is not None else "timeout"
            raise ServerDidNotStart(command(port), reason, output)
        finally:
            if process_group and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            _stop(process)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                if client.get(url).status_code < 500:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
