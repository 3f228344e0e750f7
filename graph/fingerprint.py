"""The seeds' fingerprint: one SHA-256 that names the exact seed folder a graph was built from.

``seeds_hash(folder)`` is the SHA-256 of the ``sha256sum`` listing of every regular file under
``folder``, in byte order of their paths relative to it; for a folder without symbolic links,
coreutils give the same digest::

    cd seeds && find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum

A symbolic link to a file counts as that file (its content is what a loader reads); links to
folders are not followed, and what is neither a file nor a folder (a FIFO, a socket, a device)
is never opened: a FIFO would block the reader forever.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

_CHUNK = 1 << 20


def seeds_hash(folder: Path | str) -> str:
    """The hex SHA-256 fingerprint of the seed folder ``folder`` (see the module's docstring)."""
    root = Path(folder)
    listing = hashlib.sha256()
    for relative in _regular_files(root):
        digest = _file_sha256(root / os.fsdecode(relative))
        # sha256sum's line: the digest, two spaces, the name. Names with a newline or a
        # backslash would be escaped by sha256sum; seed files have neither, and the digest
        # stays well defined for them all the same.
        listing.update(f"{digest}  ".encode("ascii") + relative + b"\n")
    return listing.hexdigest()


def _regular_files(root: Path) -> list[bytes]:
    """Paths (as bytes, relative to ``root``) of the regular files under it, in byte order."""
    found = []
    for directory, _, names in os.walk(root, onerror=_raise, followlinks=False):
        for name in names:
            path = os.path.join(directory, name)
            try:
                mode = os.stat(path).st_mode  # follows a link to its file
            except FileNotFoundError:
                continue  # a dangling link names no content
            if stat.S_ISREG(mode):
                found.append(os.fsencode(os.path.relpath(path, root)))
    return sorted(found)


def _raise(error: OSError) -> None:
    raise error  # an unreadable folder must not drop out of the fingerprint unnoticed


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
