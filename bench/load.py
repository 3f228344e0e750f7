"""Driving a server with wrk: a Lua script cycles through the mix, one request after another.

wrk (Debian's ``wrk`` package: ``apt-get install wrk``) runs in its own process, in C, so the
load generator costs the machine far less than the server it measures. Its Lua script reads a
file of ``path<TAB>body`` lines, pre-formats every request once, hands them out in order
(starting at a given offset, so that runs do not all begin with the same request) and prints
a one-line JSON summary at the end: requests, errors, and latency percentiles.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.mix import Request

LUA_SCRIPT = r"""
local requests = {}
local counter = 0

init = function(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local path, body = line:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
    }, body)
  end
  file:close()
  counter = tonumber(args[2]) % #requests
end

request = function()
  counter = counter + 1
  if counter > #requests then counter = 1 end
  return requests[counter]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
"""


class WrkMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__("wrk is not installed: `apt-get install wrk` (Debian) or `make bench`")


@dataclass(frozen=True, slots=True)
class LoadResult:
    target: str
    concurrency: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def write_requests(folder: Path, target: str, requests: list[Request]) -> Path:
    """The request file of one target: the mix as ``path<TAB>body`` lines."""
    path = folder / f"{target}.requests"
    with path.open("w", encoding="utf-8") as out:
        for request in requests:
            if target == "baseline":
                line = f"{request.baseline_path}\t{request.baseline_body().decode()}"
            else:
                line = f"/{target}\t{request.graphql_body().decode()}"
            out.write(line + "\n")
    return path


def run_wrk(
    base_url: str,
    target: str,
    request_file: Path,
    *,
    concurrency: int,
    seconds: float,
    offset: int = 0,
) -> LoadResult:
    """One bounded wrk run: ``concurrency`` keep-alive connections for ``seconds``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkMissing()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA_SCRIPT)
    command = [
        wrk, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", script.name, base_url, "--", str(request_file), str(offset),
    ]  # fmt: skip
    try:
        output = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=True
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((x for x in output.splitlines() if x.startswith("WRK-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    data = json.loads(line.removeprefix("WRK-RESULT "))
    return LoadResult(
        target=target,
        concurrency=concurrency,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=sum(data["errors"].values()),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
    )
