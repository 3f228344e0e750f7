"""Read a file of a seed folder, and only a regular file inside it.

A seed folder names its files itself (``documents.yaml`` says which text file is which
article), and whatever it names is served back: ``document(id:) { text }`` answers the file's
content. So a name must stay inside the folder (no absolute path, no ``..``, no symlink that
resolves outside), and must be a regular file: a FIFO would block the reader forever, a
device could be endless. All of this is decided from the file's metadata (``stat`` on the fully
resolved path) *before* anything is opened, and checked again on the open descriptor, so a file
swapped between the check and the open is refused too. A size bound, where given, is also
checked before reading, and the read never takes more than one byte past it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath


class SeedFileProblem(ValueError):
    """A seed file that cannot be read as one: ``name`` as the seeds wrote it, and why not."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name, self.reason = name, reason

    def __str__(self) -> str:
        return self.reason


class SeedFileMissing(SeedFileProblem):
    """The name leads to nothing (no file, or a path through something that is not a folder)."""


class SeedFileTooLarge(SeedFileProblem):
    """The file is larger than the bound its reader set: ``size`` and ``limit`` in bytes."""

    def __init__(self, name: str, size: int, limit: int) -> None:
        super().__init__(name, f"is {size:,} bytes, over the limit of {limit:,} bytes")
        self.size, self.limit = size, limit


_FILE_TYPES = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def read_seed_file(root: Path, name: str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file ``name`` (a relative POSIX path) inside the folder ``root``.

    Raises :class:`SeedFileProblem` naming what is wrong; :class:`SeedFileMissing` if there is
    nothing there.
    """
    if "\0" in name:
        raise SeedFileProblem(name, "holds a NUL character, which no file name can")
    relative = PurePosixPath(name)
    if relative.is_absolute():
        raise SeedFileProblem(name, "is an absolute path: name a file inside the seed folder")
    if ".." in relative.parts:
        raise SeedFileProblem(name, "goes up a folder ('..'): name a file inside the seed folder")
    try:
        folder = Path(os.path.realpath(root, strict=True))
        path = Path(os.path.realpath(folder / relative, strict=True))
    except OSError as exc:
        raise _problem(name, exc, broken_link=os.path.islink(Path(root) / relative)) from None
    if not path.is_relative_to(folder):
        raise SeedFileProblem(name, f"is a symlink to {path}, outside the seed folder")
    try:
        before = os.stat(path)
        _check(name, before, max_bytes)
        # O_NONBLOCK: should a FIFO be swapped in after the check, opening it does not block.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        with os.fdopen(os.open(path, flags), "rb") as file:
            opened = os.fstat(file.fileno())
            if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
                raise SeedFileProblem(name, "was replaced while it was being read")
            _check(name, opened, max_bytes)
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    except OSError as exc:
        raise _problem(name, exc) from None
    if max_bytes is not None and len(data) > max_bytes:  # it grew since fstat
        raise SeedFileTooLarge(name, len(data), max_bytes)
    return data


def _check(name: str, status: os.stat_result, max_bytes: int | None) -> None:
    if not stat.S_ISREG(status.st_mode):
        what = _FILE_TYPES.get(stat.S_IFMT(status.st_mode), "not a regular file")
        raise SeedFileProblem(name, f"is {what}, not a regular file")
    if max_bytes is not None and status.st_size > max_bytes:
        raise SeedFileTooLarge(name, status.st_size, max_bytes)


def _problem(name: str, exc: OSError, *, broken_link: bool = False) -> SeedFileProblem:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if broken_link:
            return SeedFileMissing(name, "is a symlink to a file that does not exist")
        return SeedFileMissing(name, "not found")
    if exc.errno == errno.ELOOP:
        return SeedFileProblem(name, "is a symlink loop (too many levels of symbolic links)")
    if exc.errno == errno.EACCES:
        return SeedFileProblem(name, "cannot be read: permission denied")
    return SeedFileProblem(name, f"cannot be read: {exc.strerror or exc}")
