"""Run an app in a real uvicorn process on a free loopback port, for tests that need a socket.

    with live_server("tests.toy_app:create_app") as base_url:
        httpx.get(f"{base_url}/graphql", params={"query": "{ __typename }"})

``factory`` is any ``module:callable`` that uvicorn's ``--factory`` accepts, so the same tests
can be pointed at the real application with one argument.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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
    """Start ``uvicorn FACTORY --factory`` on 127.0.0.1, yield its base URL, then stop it.

    The server counts as ready once ``ready_path`` answers with any status below 500. Its
    output goes to ``log_path`` (a temporary file beside the tests when not given), which is
    quoted if it fails to start.
    """
    log_path = log_path or REPO_ROOT / "tests" / "artifacts" / "live_server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # A port picked this way can be taken before uvicorn binds it: try a few.
    for attempt in range(3):
        port = free_port()
        command = [
            sys.executable, "-m", "uvicorn", factory, "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            if _wait_until_ready(process, base_url + ready_path, startup_timeout):
                yield base_url
                return
            output = log_path.read_text(errors="replace")
            if "address already in use" in output.lower() and attempt < 2:
                continue
            reason = f"exit code {process.returncode}" if process.poll() is not None else "timeout"
            raise ServerDidNotStart(command, reason, output)
        finally:
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
