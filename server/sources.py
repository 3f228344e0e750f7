"""What the code that computes an answer or a graph is, as a hash of its files.

The HTTP caches tag answers with it (``server.http_cache``: a deploy changes every ETag) and the
graph's snapshot is keyed by it (``server.snapshot``: a change to the builder builds again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["ROOT", "sources_sha256"]

#: The project's folder, above ``graph/``, ``schema/`` and ``server/``.
ROOT = Path(__file__).resolve().parent.parent


def sources_sha256(paths: Iterable[Path]) -> str:
    """SHA-256 of the files under ``paths`` (folders, walked in order, or files): each file's
    path relative to :data:`ROOT` and its content's SHA-256; compiled caches left out."""
    digest = hashlib.sha256()
    for top in paths:
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode("utf-8"))
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
