"""Write a file so that it is either whole or not there: never a partial file, whatever happens.

``replacing(target)`` opens a new file beside ``target`` (same folder, so the final rename stays
on one file system), and only when the block ends without error flushes it to disk and renames
it over ``target``. On any error, and on SIGTERM, SIGHUP or SIGINT while the file is open, the
new file is removed and ``target`` is left as it was::

    with replacing(Path("graph.gexf")) as out:
        for chunk in chunks:
            out.write(chunk)

The file gets the mode any new file gets (``0o666`` less the umask), not the ``0o600`` of a
temporary file. A ``target`` that is a symbolic link keeps the link: the file it points to is
the one replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import BinaryIO

__all__ = ["Terminated", "replacing"]

#: Signals that end the process and that a user or a supervisor sends to stop a command.
#: SIGINT already raises KeyboardInterrupt; handling it here too gives one path for all three.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Terminated(BaseException):
    """A stop signal arrived; like KeyboardInterrupt, not an error for ``except Exception``."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``target`` when the block ends, and vanishes if it fails."""
    target = Path(os.path.realpath(target))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "folder does not exist", str(target.parent))
    with _stop_signals_raise():
        # Held from just before the file exists until the block that removes it is entered.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            fd, temporary = _create_beside(target)
        except BaseException:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            raise
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            with os.fdopen(fd, "wb") as out:
                yield out
                out.flush()
                os.fsync(out.fileno())  # a full disk shows here, before the rename, not later
            os.replace(temporary, target)
        except BaseException:
            _remove(temporary)
            raise
    _sync_folder(target.parent)


def _create_beside(target: Path) -> tuple[int, Path]:
    # Hidden, and named after the target, so a leftover (after SIGKILL) says what it was.
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            # 0o666: the usual mode of a new file, which the umask then narrows.
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _remove(path: Path) -> None:
    # A second signal must not interrupt the clean-up itself: hold them until the file is gone.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the file system lets a folder be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """While inside, a stop signal raises :class:`Terminated` (so ``finally`` blocks run).

    Signals can only be handled in the main thread; elsewhere, and for a signal the process was
    told to ignore (``nohup``, a background job's SIGINT), nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = {}
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler set outside Python, which cannot be put back; the default is next.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
