"""The graph's snapshot (server.snapshot) on the real seeds: a hit loads the same graph without
building it; a changed seed file, a changed code version, a damaged snapshot or a folder that is
not the user's own build it again; no snapshot folder, no snapshot."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from pathlib import Path

import pytest

import server.snapshot as snapshot
from graph import build
from graph.knowledge import KnowledgeGraph
from server.settings import Settings, default_snapshot_dir
from tests.conftest import SEEDS
from tests.graph_equality import assert_same_answers


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A copy of the real seeds, which a test may edit."""
    return Path(shutil.copytree(SEEDS, tmp_path / "seeds"))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The seed folders built (not loaded from a snapshot), in order."""
    built: list[Path] = []
    real = build.load_graph

    def counted(seeds: Path | str | None = None) -> KnowledgeGraph:
        built.append(Path(str(seeds)))
        return real(seeds)

    monkeypatch.setattr(snapshot, "load_graph", counted)
    return built


def snapshots_in(folder: Path) -> list[Path]:
    """The snapshots in ``folder``, once their writers (forked children) are done: each holds
    its seed folder's lock until the snapshot is whole."""
    for lock in folder.glob("*.lock"):
        with lock.open("rb") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
    return sorted(folder.glob("*.pickle"))


def test_a_hit_loads_the_same_graph_without_building(
    seeds: Path, tmp_path: Path, builds: list[Path], ballerina: KnowledgeGraph
) -> None:
    folder = tmp_path / "snapshots"
    first = snapshot.load_or_build(seeds, folder)
    assert builds == [seeds]
    [written] = snapshots_in(folder)
    assert written == snapshot.snapshot_path(folder, seeds, first.seeds_sha256 or "")
    assert folder.stat().st_mode & 0o777 == 0o700

    second = snapshot.load_or_build(seeds, folder)
    assert builds == [seeds]  # not built again
    assert second is not first
    assert second.seeds_sha256 == first.seeds_sha256 == ballerina.seeds_sha256
    assert_same_answers(second, ballerina)
    # The loaded passage index is a working database of its own, not the built one's.
    assert second.passages.search("who kills Myung-shik", 3)


def test_a_changed_seed_file_builds_again_and_replaces_the_snapshot(
    seeds: Path, tmp_path: Path, builds: list[Path]
) -> None:
    folder = tmp_path / "snapshots"
    before = snapshot.load_or_build(seeds, folder)
    [old] = snapshots_in(folder)
    relations = seeds / "annotations" / "relations.yaml"
    relations.write_text(relations.read_text() + "\n# an edit that changes no claim\n")

    after = snapshot.load_or_build(seeds, folder)
    assert builds == [seeds, seeds]
    assert after.seeds_sha256 != before.seeds_sha256
    [new] = snapshots_in(folder)
    assert new != old  # one snapshot per seed folder: the old one is gone
    assert snapshot.load_or_build(seeds, folder).seeds_sha256 == after.seeds_sha256
    assert len(builds) == 2


def test_a_changed_code_version_builds_again(
    seeds: Path, tmp_path: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "snapshots"
    snapshot.load_or_build(seeds, folder)
    real = snapshot.code_version()
    assert real == snapshot.code_version()  # the same code, the same version
    monkeypatch.setattr(snapshot, "code_version", lambda: real[::-1])
    snapshot.load_or_build(seeds, folder)
    assert len(builds) == 2


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "not a snapshot", "empty"])
def test_a_damaged_snapshot_is_built_again_with_a_warning(
    seeds: Path,
    tmp_path: Path,
    builds: list[Path],
    caplog: pytest.LogCaptureFixture,
    ballerina: KnowledgeGraph,
    damage: str,
) -> None:
    folder = tmp_path / "snapshots"
    snapshot.load_or_build(seeds, folder)
    [path] = snapshots_in(folder)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        # Inside a text of the pickle: it would still unpickle, to a graph that is wrong.
        at = data.index(b"Ok-ju", len(data) // 2)
        path.write_bytes(data[:at] + b"Ak" + data[at + 2 :])
    elif damage == "not a snapshot":
        path.write_bytes(b"\x80\x05N." + data[40:])
    else:
        path.write_bytes(b"")

    with caplog.at_level(logging.WARNING, logger="server.snapshot"):
        rebuilt = snapshot.load_or_build(seeds, folder)
    assert len(builds) == 2
    assert any("is not usable" in r.getMessage() for r in caplog.records), caplog.text
    assert_same_answers(rebuilt, ballerina)
    # ... and the snapshot is whole again.
    assert snapshot.load_or_build(seeds, folder).seeds_sha256 == ballerina.seeds_sha256
    assert len(builds) == 2


def test_no_snapshot_folder_means_no_snapshot(seeds: Path, tmp_path: Path, builds: list[Path]):
    snapshot.load_or_build(seeds, None)
    snapshot.load_or_build(seeds, None)
    assert builds == [seeds, seeds]
    assert not list(tmp_path.rglob("*.pickle"))


def test_a_folder_others_can_write_to_is_not_used(
    seeds: Path, tmp_path: Path, builds: list[Path], caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    with caplog.at_level(logging.WARNING, logger="server.snapshot"):
        snapshot.load_or_build(seeds, folder)
        snapshot.load_or_build(seeds, folder)
    assert len(builds) == 2
    assert not snapshots_in(folder)
    assert "is writable by others" in caplog.text


def test_processes_starting_together_build_once(
    seeds: Path, tmp_path: Path, builds: list[Path]
) -> None:
    # flock excludes two opens of the lock file alike, in two threads or two worker processes.
    folder = tmp_path / "snapshots"
    found: list[KnowledgeGraph] = []
    threads = [
        threading.Thread(target=lambda: found.append(snapshot.load_or_build(seeds, folder)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 2
    assert builds == [seeds]
    assert found[0].seeds_sha256 == found[1].seeds_sha256


def test_the_setting(tmp_path: Path) -> None:
    assert Settings.from_env({}).snapshot_dir == default_snapshot_dir({})
    assert default_snapshot_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "ballerina-kg"
    assert default_snapshot_dir({"XDG_CACHE_HOME": "relative"}) == default_snapshot_dir({})
    assert Settings.from_env({"BALLERINA_SNAPSHOT_DIR": str(tmp_path)}).snapshot_dir == tmp_path
    assert Settings.from_env({"BALLERINA_SNAPSHOT_DIR": "off"}).snapshot_dir is None
    assert Settings.from_env({"BALLERINA_SNAPSHOT_DIR": "OFF"}).snapshot_dir is None


def test_code_edited_during_the_build_does_not_name_the_snapshot(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "snapshots"
    versions = iter(["code as it was built", "code as edited meanwhile"])
    version = next(versions)
    monkeypatch.setattr(snapshot, "code_version", lambda: version)
    real = build.load_graph
    built: list[Path] = []

    def edited_meanwhile(seeds: Path | str | None = None) -> KnowledgeGraph:
        nonlocal version
        built.append(Path(str(seeds)))
        found = real(seeds)
        version = next(versions, version)
        return found

    monkeypatch.setattr(snapshot, "load_graph", edited_meanwhile)
    first = snapshot.load_or_build(seeds, folder)
    assert snapshots_in(folder)
    second = snapshot.load_or_build(seeds, folder)  # the edited code: built again
    assert len(built) == 2
    assert second.seeds_sha256 == first.seeds_sha256
