"""A soak of cache-busting large answers keeps the service's memory within a stated budget.

Every request below is a different document (a new alias each time), so none is a cache hit:
each ~0.6 MB answer is kept by the response cache until its byte budget is spent, and each
~6 MB one is over the per-entry cap and kept by nothing. Before the caches were bounded in
bytes, eight such variants took a worker from 197 MB to 693 MB, and it stayed there.

The budget asserted is the README's: the response cache (64 MB by default) plus the parsed
documents' cache (32 MB, far from full here) plus room for the answers in flight and the
allocator's slack, 160 MiB over the resident size of the warmed-up process in all. The soak
sends about 200 MB of cacheable answers, so a cache bounded by count alone would pass it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from tests.live_server import serving

pytestmark = pytest.mark.slow

#: Growth of the resident set over the warmed-up process that the soak must stay under.
RSS_BUDGET_BYTES = 160 * 2**20

CACHED = "{{ v{n}: relations(first: 100) {{ nodes {{ citations {{ context(chars: 2000) }} }} }} }}"
UNCACHED = (
    "{{ "
    + " ".join(
        f"{alias}{{n}}: relations(first: 100) "
        "{{ nodes {{ citations {{ context(chars: 2000) document {{ text }} }} }} }}"
        for alias in ("a", "b", "c")
    )
    + " }}"
)


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def test_cache_busting_large_answers_keep_memory_within_its_budget(tmp_path):
    def command(port: int) -> list[str]:
        return [
            sys.executable, "-m", "server", "serve",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip

    with (
        serving(command, "/healthz", tmp_path / "serve.log") as (process, base_url),
        httpx.Client(base_url=base_url, timeout=60) as client,
    ):

        def ask(document: str) -> int:
            answer = client.post("/graphql", json={"query": document})
            assert answer.status_code == 200, answer.text[:300]
            assert "errors" not in answer.json()
            return len(answer.content)

        for n in range(5):  # warm up: the code paths, the plans, the first answers
            ask(CACHED.format(n=f"warm{n}"))
        baseline = resident_bytes(process.pid)
        sizes, peak = [], baseline
        for n in range(320):
            sizes.append(ask(CACHED.format(n=n)))
            if n % 16 == 0:
                sizes.append(ask(UNCACHED.format(n=n)))
            peak = max(peak, resident_bytes(process.pid))
        # 320 cacheable answers of ~0.6 MB are three times the 64 MB budget: it was filled and
        # had to evict; the ~6 MB answers were each over the per-entry cap.
        assert sum(s for s in sizes if s < 1_000_000) > 3 * 64_000_000
        assert max(sizes) > 5_000_000
        growth = peak - baseline
        print(f"resident set {baseline / 2**20:.0f} MiB, peak +{growth / 2**20:.0f} MiB")
        assert growth < RSS_BUDGET_BYTES, f"grew {growth / 2**20:.0f} MiB"
