"""graphql-schema-linter (npm) over the committed SDL: every type, field, argument and enum value
described, Relay's connection and PageInfo shapes, naming conventions. The rules it leaves off
are listed, each with its reason, in ``graphql-schema-linter.config.js``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from schema import SDL_PATH
from tests.live_server import REPO_ROOT

LINTER = REPO_ROOT / "node_modules" / ".bin" / "graphql-schema-linter"
RULES = REPO_ROOT / "node_modules" / "graphql-schema-linter" / "lib" / "rules"
CONFIG = REPO_ROOT / "graphql-schema-linter.config.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def lint(sdl: Path) -> subprocess.CompletedProcess[str]:
    assert LINTER.exists(), "graphql-schema-linter is not installed: run npm ci"
    return subprocess.run(
        [str(LINTER), "--config-directory", str(REPO_ROOT), "--format", "compact", str(sdl)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )


def test_the_committed_sdl_passes_the_linter() -> None:
    run = lint(SDL_PATH)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_linter_catches_what_the_configuration_asks_for(tmp_path: Path) -> None:
    # The same SDL with one undescribed type and a connection without backward arguments:
    # proof that the run above would have failed on them.
    flawed = tmp_path / "schema.graphql"
    flawed.write_text(
        SDL_PATH.read_text(encoding="utf-8")
        + '\ntype Undescribed {\n  """A field."""\n  value: Int!\n}\n'
        + "\nextend type Query {\n"
        + '  """A page."""\n  more(\n    """First."""\n    first: Int\n  ): EntityConnection!\n'
        + '  """Unused."""\n  undescribed: Undescribed\n}\n',
        encoding="utf-8",
    )
    run = lint(flawed)
    assert run.returncode != 0
    assert "The object type `Undescribed` is missing a description" in run.stdout
    assert "relay-connection-arguments-spec" in run.stdout


def test_every_rule_left_off_is_named_in_the_configuration_with_its_reason() -> None:
    config = CONFIG.read_text(encoding="utf-8")
    every_rule = {p.stem.replace("_", "-") for p in RULES.glob("*.js")}
    enabled = set(re.findall(r"^\s+'([a-z-]+)',?$", config, flags=re.MULTILINE))
    assert enabled and enabled <= every_rule
    comments = "\n".join(line for line in config.splitlines() if line.startswith("//"))
    for rule in every_rule - enabled:
        assert re.search(rf"\b{rule}\b[^\n]*:", comments), f"{rule} is off without a reason"
