"""Installable and reproducible: the locks cover pyproject.toml, and the wheel runs on its own.

The slow test builds the wheel, installs it with the runtime lock alone (no extras) into a new
virtualenv, and runs ``ballerina-kg validate``, ``query`` and ``serve`` from there, away from
the checkout: what ``pip install ballerina-kg`` gives a user.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from uv import find_uv_bin

from server.explore import LIBRARY_FILES
from server.graphiql import ASSET_FILES, ASSET_PREFIX
from tests.conftest import ROOT
from tests.live_server import serving

#: Each lock file and the extras it holds besides the runtime dependencies.
LOCKS = {
    "requirements.lock": (),
    "requirements-test.lock": ("test",),
    "requirements-bench.lock": ("test", "bench"),
}


def _pins(lock: Path) -> dict[str, Requirement]:
    """The requirements a lock file pins for this interpreter, by canonical name.

    A universal lock may pin a package twice, for different Pythons (``; python_full_version
    >= '3.12'``): the entry whose marker holds here is the one pip installs. Every entry must
    carry its hashes.
    """
    text = lock.read_text()
    entries = [e for e in text.split("\n") if e and not e.startswith((" ", "#"))]
    assert text.count("\\\n    --hash=sha256:") >= len(entries), f"{lock.name}: no --hash"
    pins: dict[str, Requirement] = {}
    for entry in entries:
        requirement = Requirement(entry.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            name = canonicalize_name(requirement.name)
            assert name not in pins, f"{lock.name} pins {name} twice for one Python"
            pins[name] = requirement
    return pins


def _declared(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    return [Requirement(text) for text in declared]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_the_lock_pins_every_declared_dependency_within_its_range(lock):
    pins = _pins(ROOT / lock)
    for requirement in _declared(LOCKS[lock]):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{lock} lacks {requirement}: run `make lock`"
        (version,) = (spec.version for spec in pin.specifier)
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {pin}, outside {requirement}: run `make lock`"
        )


def test_the_locks_agree_and_each_holds_the_one_before():
    runtime, test, bench = (_pins(ROOT / lock) for lock in LOCKS)
    assert runtime.keys() <= test.keys() <= bench.keys()
    for name, pin in test.items():
        assert str(bench[name].specifier) == str(pin.specifier), name
    for name, pin in runtime.items():
        assert str(test[name].specifier) == str(pin.specifier), name
    # Nothing that only the tests need slips into what the service installs.
    assert not runtime.keys() & {"pytest", "hypothesis", "playwright", "pyyaml", "ruff"}


# The wheel, installed -------------------------------------------------------------------------

#: Not part of the build: caches, the tests, and what `make setup` puts in the checkout.
_NOT_BUILT = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "tests", "bench", "docs", "build", "dist", "*.egg-info",
    "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache",
)  # fmt: skip


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A new virtualenv holding the wheel and requirements.lock, and nothing else."""
    work = tmp_path_factory.mktemp("install")
    # Build from a copy: a build in the checkout would leave build/ there, whose stale files
    # setuptools puts into later wheels. The browser libraries come from the checkout's
    # node_modules, as `make setup` installed them.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_BUILT)
    (source / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    uv = find_uv_bin()
    _run([uv, "build", "--quiet", "--wheel", "--out-dir", work / "dist", source])
    (wheel,) = (work / "dist").glob("ballerina_kg-*.whl")

    venv = work / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, venv])
    into = ["--quiet", "--python", venv / "bin" / "python"]
    _run([uv, "pip", "install", *into, "--require-hashes", "-r", ROOT / "requirements.lock"])
    _run([uv, "pip", "install", *into, "--no-deps", wheel])
    _run([uv, "pip", "check", *into])  # the wheel's own dependencies are all in the lock
    return venv


def _run(command: list, **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def away_from_the_checkout(monkeypatch, tmp_path):
    """No path or setting that would lead the installed command back to the checkout."""
    for name in ("PYTHONPATH", "BALLERINA_SEEDS", "BALLERINA_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.slow
def test_the_installed_wheel_validates_queries_and_serves(venv, away_from_the_checkout, gql):
    site = Path(
        _run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
        .stdout.strip()
    )  # fmt: skip
    assert site.is_relative_to(venv) and site != Path(sysconfig.get_path("purelib"))
    where = _run([venv / "bin" / "python", "-c", "import graph, server; print(graph.__file__)"])
    assert Path(where.stdout.strip()).is_relative_to(site)

    command = venv / "bin" / "ballerina-kg"
    stats = "{ nodeCount edgeCount citationCount disputeCount }"

    # The built-in seeds travel in the wheel and are found there.
    validated = _run([command, "validate"]).stdout
    assert f"seeds {site / 'seeds'}: valid" in validated
    expected = gql(f"{{ stats {stats} }}")["data"]["stats"]
    assert f"nodes           {expected['nodeCount']}" in validated

    document = f'{{ stats {stats} character(id: "Chef Choi") {{ name actors {{ name }} }} }}'
    answer = json.loads(_run([command, "query", document]).stdout)
    assert answer == gql(document)

    def serve(port: int) -> list[str]:
        return [str(command), "serve", "--port", str(port), "--log-level", "warning"]

    log = venv.parent / "serve.log"
    # Loading the graph takes seconds, and far longer on a busy machine: a generous start-up.
    with serving(serve, "/healthz", log_path=log, startup_timeout=180) as (process, base_url):
        with httpx.Client(base_url=base_url, trust_env=False, timeout=10) as client:
            health = client.get("/healthz")
            assert health.status_code == 200
            assert health.json()["nodes"] == expected["nodeCount"]
            over_http = client.post("/graphql", json={"query": document})
            assert over_http.json() == answer
            # GraphiQL and the explorer, with the browser libraries that came in the wheel.
            page = client.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == 200 and "graphiql" in page.text.lower()
            for name in ASSET_FILES.values():
                assert client.get(f"{ASSET_PREFIX}/{name}").status_code == 200, name
            for name in LIBRARY_FILES:
                assert client.get(f"/explore/lib/{name}").status_code == 200, name
            assert client.get("/explore").status_code == 200
        process.terminate()
        # uvicorn shuts down, then ends by the signal it was sent (as a well-behaved child does).
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert "Traceback" not in log.read_text(errors="replace")


def test_the_wheel_declares_every_package_and_data_file_the_code_looks_for():
    """Each file the code finds beside itself is covered by pyproject.toml (the slow test above
    shows that they then work from the wheel)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages, data = set(setuptools["packages"]), setuptools["package-data"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("graph", "schema", "server")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= packages, f"not in pyproject.toml's packages: {on_disk - packages}"
    assert {"seeds", "node_modules"} <= packages
    assert set(ASSET_FILES.values()) | set(LIBRARY_FILES.values()) <= set(data["node_modules"])
    seed_files = {p for p in (ROOT / "seeds").rglob("*") if p.is_file()}
    packaged = {p for glob in data["seeds"] for p in (ROOT / "seeds").glob(glob)}
    assert seed_files and seed_files <= packaged, f"left out: {seed_files - packaged}"
