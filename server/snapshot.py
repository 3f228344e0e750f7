"""A snapshot of the built graph: a start-up on unchanged seeds loads it instead of building it.

:func:`load_or_build` returns the :class:`~graph.knowledge.KnowledgeGraph` of a seed folder. It
looks in a snapshot folder (:func:`server.settings.default_snapshot_dir` unless the settings
name another, or none) for a snapshot whose **key** is the SHA-256 of

- the seeds' fingerprint (:mod:`graph.fingerprint`: every file of the folder, by content), and
- the code version (:func:`code_version`): every file of ``graph/`` (which
  builds the graph) and of this module, the Python version, and the versions of networkx,
  NumPy and SQLite, whose objects the snapshot holds;

so an edit to a seed file or to the code that builds the graph makes a new key, and the graph
is built again. A snapshot that cannot be read, is cut short, does not match its checksum or
holds anything but the graph of those seeds is never served: the graph is built, with a
logged warning, and the snapshot written again.

A snapshot file is the line :data:`MAGIC`, the key, the pickle of the graph (protocol 5) and
the SHA-256 of that pickle. It is written whole or not at all (:mod:`server.atomic_file`),
by a forked child once the graph is built (the start-up does not wait for it).
**Pickle runs code while it loads**, so snapshots are only ever read from a folder that is the
user's own (owned by this process's user, writable by no one else) and only files this
module wrote there, with the user's owner id; any other folder is not used at all.

While one process builds the graph of a seed folder it holds a lock on the folder's lock file
in the snapshot folder, so that workers starting together (``python -m server.workers
server.app:create_app --workers N``, each building in its own process) build it once: the
first builds and writes the snapshot, the others wait and load it. Each seed folder keeps
one snapshot: writing a new one removes the older ones of the same folder.
"""

from __future__ import annotations

import contextlib
import copyreg
import fcntl
import hashlib
import logging
import os
import pickle
import resource
import sqlite3
import stat
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import numpy as np

from graph.build import load_graph
from graph.collector import collector_paused
from graph.fingerprint import seeds_hash
from graph.knowledge import KnowledgeGraph
from server.atomic_file import replacing
from server.settings import DEFAULT_SEEDS
from server.sources import ROOT, sources_sha256

__all__ = ["MAGIC", "code_version", "load_or_build", "snapshot_path"]

logger = logging.getLogger("server.snapshot")

#: The first line of every snapshot file (its format's version is the last number).
MAGIC = b"ballerina-kg graph snapshot 1\n"
_DIGEST_BYTES = hashlib.sha256().digest_size


def code_version() -> str:
    """SHA-256 of what a snapshot's content depends on besides the seeds (module docstring)."""
    digest = hashlib.sha256(MAGIC)
    for part in (sys.version, nx.__version__, np.__version__, sqlite3.sqlite_version):
        digest.update(part.encode() + b"\0")
    digest.update(sources_sha256([ROOT / "graph", Path(__file__).resolve()]).encode())
    return digest.hexdigest()


def snapshot_path(snapshots: Path, seeds: Path, seeds_sha256: str) -> Path:
    """Where the snapshot of the graph of ``seeds`` (with that fingerprint) is kept."""
    return snapshots / _file_name(seeds, _key(seeds_sha256, code_version()))


def load_or_build(seeds: Path | str | None, snapshots: Path | None) -> KnowledgeGraph:
    """The graph of ``seeds`` (the built-in seeds if ``None``): loaded from its snapshot in
    ``snapshots`` where there is a good one, else built (and its snapshot written).
    ``snapshots=None``: no snapshot, built as :func:`graph.build.load_graph` builds it.

    Raises :class:`graph.problems.AnnotationError` for invalid seeds, as ``load_graph`` does.
    """
    folder = Path(seeds) if seeds is not None else DEFAULT_SEEDS
    if snapshots is None:
        return load_graph(folder)
    try:
        usable = _private_folder(snapshots)
    except OSError as error:
        usable = f"cannot be used ({error})"
    if usable:
        logger.warning("snapshot folder %s %s: building the graph without one", snapshots, usable)
        return load_graph(folder)
    try:
        fingerprint = seeds_hash(folder)
    except OSError:
        return load_graph(folder)  # the loader says what is wrong with the folder
    # Once, before the build: a snapshot is named after the code that built it, not after
    # code edited while it was being built.
    code = code_version()
    with _building(snapshots, folder) as lock:
        key = _key(fingerprint, code)
        found = _read(snapshots / _file_name(folder, key), key, fingerprint)
        if found is not None:
            return found
        built = load_graph(folder)
        if built.seeds_sha256 is not None:
            key = _key(built.seeds_sha256, code)
            _write_aside(snapshots, snapshots / _file_name(folder, key), key, built, lock)
        return built


def _key(seeds_sha256: str, code: str) -> str:
    return hashlib.sha256(f"{seeds_sha256}\0{code}".encode()).hexdigest()


def _file_name(seeds: Path, key: str) -> str:
    return f"{_folder_tag(seeds)}-{key}.pickle"


def _folder_tag(seeds: Path) -> str:
    """A short name for the seed folder (by its absolute path) among the snapshots."""
    return hashlib.sha256(os.fsencode(seeds.resolve())).hexdigest()[:16]


def _private_folder(folder: Path) -> str:
    """``""`` if ``folder`` (made if missing, ``0o700``) is the user's own; else why not."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = folder.lstat()
    if not stat.S_ISDIR(found.st_mode):
        return "is not a folder"
    if found.st_uid != os.getuid():
        return f"belongs to another user (uid {found.st_uid})"
    if found.st_mode & 0o022:
        return f"is writable by others (mode {stat.filemode(found.st_mode)})"
    return ""


@contextlib.contextmanager
def _building(snapshots: Path, seeds: Path) -> Iterator[int]:
    """Held while one process reads or builds the graph of ``seeds``: another process asking
    for it meanwhile waits, then finds the snapshot written. Gives the lock's descriptor."""
    lock = snapshots / f"{_folder_tag(seeds)}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


@collector_paused  # millions of objects that live as long as the graph: see graph.collector
def _read(path: Path, key: str, seeds_sha256: str) -> KnowledgeGraph | None:
    """The graph in the snapshot ``path``, if it is there and good; ``None`` (and a warning
    for a bad one) otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("snapshot %s cannot be opened (%s): building the graph", path, error)
        return None
    with os.fdopen(fd, "rb") as file:
        try:
            found = _unpickled(file, key, seeds_sha256)
        except Exception as error:  # whatever a damaged pickle raises: never serve it
            logger.warning("snapshot %s is not usable (%s): building the graph", path, error)
            return None
    logger.info("graph loaded from snapshot %s", path)
    return found


def _unpickled(file: BinaryIO, key: str, seeds_sha256: str) -> KnowledgeGraph:
    if os.fstat(file.fileno()).st_uid != os.getuid():
        raise ValueError("the file belongs to another user")
    if file.readline(len(MAGIC) + 1) != MAGIC:
        raise ValueError("not a snapshot of this format")
    if file.readline(len(key) + 2).rstrip(b"\n").decode("ascii", "replace") != key:
        raise ValueError("its key is not its name's")
    reader = _HashingReader(file)
    # Safe only because the file is our own, in the user's own folder (module docstring).
    graph = pickle.load(reader)  # noqa: S301
    stored = file.read(_DIGEST_BYTES + 1)
    if stored != reader.digest.digest():
        raise ValueError("its checksum does not match its content")
    if not isinstance(graph, KnowledgeGraph):
        raise TypeError(f"it holds a {type(graph).__name__}, not a graph")
    if graph.seeds_sha256 != seeds_sha256:
        raise ValueError("it is the graph of other seeds")
    return graph


def _write_aside(snapshots: Path, path: Path, key: str, graph: KnowledgeGraph, lock: int) -> None:
    """Write the snapshot from a forked child, so that the start-up does not wait for it and
    the pickler's table of every object it has written (+139 MiB on the peak of a 10^5-edge
    build, BENCHMARKS.md) is the child's memory, not this process's. The child inherits the lock of
    :func:`_building`: a process waiting for it goes on once the snapshot is whole."""
    try:
        pid = os.fork()
    except OSError as error:
        logger.warning("snapshot %s not written: cannot fork (%s)", path, error)
        return
    if pid == 0:  # the child: write, and leave without running the parent's code
        status = 1
        try:
            # Nothing of the parent's but the lock and standard error: a listening socket
            # held here would keep taking connections nobody answers, and a pipe on standard
            # output (``ballerina-kg export | ...``) would not end until the snapshot does.
            os.closerange(3, lock)
            os.closerange(lock + 1, _max_fd())
            nothing = os.open(os.devnull, os.O_RDWR)
            os.dup2(nothing, 0)
            os.dup2(nothing, 1)
            os.close(nothing)
            _write(snapshots, path, key, graph)
            status = 0
        except BaseException:
            logger.exception("snapshot %s not written", path)
        finally:
            os._exit(status)
    threading.Thread(target=_reap, args=(pid, path), name="snapshot writer", daemon=True).start()


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 16


def _reap(pid: int, path: Path) -> None:
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        logger.warning("the writer of snapshot %s failed (status %#x)", path, status)


def _write(snapshots: Path, path: Path, key: str, graph: KnowledgeGraph) -> None:
    """Write the snapshot of ``graph`` to ``path`` whole (or not at all), then remove the older
    snapshots of the same seed folder. A failure to write is a warning, not an error: the
    graph is built and serves all the same."""
    try:
        with replacing(path) as out:
            out.write(MAGIC + key.encode("ascii") + b"\n")
            writer = _HashingWriter(out)
            _Pickler(writer, protocol=5).dump(graph)
            out.write(writer.digest.digest())
    except OSError as error:
        logger.warning("snapshot %s could not be written (%s)", path, error)
        return
    tag = path.name.split("-", 1)[0]
    for older in snapshots.glob(f"{tag}-*.pickle"):
        if older != path:
            with contextlib.suppress(OSError):
                older.unlink()
    logger.info("graph snapshot written to %s", path)


class _HashingWriter:
    """A file that passes what is written to ``out`` and hashes it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


class _HashingReader:
    """A file that reads from ``file`` and hashes what it reads (the unpickler reads exactly
    the pickle, frame by frame, and not past its end)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self.file.readinto(buffer)  # type: ignore[attr-defined]
        self.digest.update(memoryview(buffer)[:count])
        return int(count)

    def readline(self, size: int = -1) -> bytes:
        data = self.file.readline(size)
        self.digest.update(data)
        return data


def _mapping_proxy(mapping: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(mapping)


def _reduce_mapping_proxy(
    proxy: types.MappingProxyType[Any, Any],
) -> tuple[Any, tuple[dict[Any, Any]]]:
    # The graph's read-only mappings (communities, co-occurrence networks) wrap dicts that
    # nothing else holds: a proxy of a copy is the same thing.
    return _mapping_proxy, (dict(proxy),)


class _Pickler(pickle.Pickler):
    dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: _reduce_mapping_proxy}
