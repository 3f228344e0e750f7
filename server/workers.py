"""How the service is served: uvicorn on uvloop and httptools, in one process or as forked
workers that share one application, and so one graph.

:func:`serve` runs an ASGI app with the options the service ships (:class:`ServeOptions`):
uvloop, httptools with a deadline and a size bound on request heads (:mod:`server.protocol`),
no access log unless asked, a bounded graceful shutdown.

With more than one worker, :class:`Supervisor` runs them. What it promises:

- **One application, built once.** The app (and the graph in it) is built by the caller before
  the supervisor forks: every worker, and every replacement of a worker that died, is a fork
  of that same memory. Nothing is read from disk again, so an edit to the seeds while the
  service runs changes nothing it serves. ``gc.freeze()`` before the forks keeps the cycle
  collector from writing to the shared pages (copy-on-write then copies only what a worker
  touches). An app whose graph is built in its lifespan instead (``python -m server.workers
  server.app:create_app``: each worker runs the lifespan) builds it in the first worker only:
  the others wait for its snapshot and load it (:mod:`server.snapshot`).
- **The kernel balances connections.** Each worker listens on its own socket with
  ``SO_REUSEPORT``: the kernel hands each new connection to one of the listening sockets by a
  hash of its addresses, not by which worker is free. (Workers sharing one socket race to
  accept; the spread then depends on which is free when.) A worker still starting does not
  listen yet and gets none. The supervisor holds a socket bound to the same address but not
  listening: it keeps the port the service's while workers come and go, and it makes
  ``Address already in use`` an error of the start-up rather than of each worker.
- **TCP_NODELAY.** Each socket is made with ``IPPROTO_TCP`` as its protocol, which is what
  asyncio and uvloop read before setting ``TCP_NODELAY`` on the connections they accept
  (a socket made with protocol 0, as uvicorn's own supervisor makes it, leaves Nagle's
  algorithm on, and every keep-alive answer waits ~40 ms for a delayed ACK: Kludex/uvicorn#3149).
- **A worker that fails does not stop the others.** A worker that dies is replaced at once; one
  that fails before it serves is retried with a growing delay (1 s doubling to 30 s), and its
  siblings go on serving. Only when no worker at all could start does the service stop.
- **A worker that hangs is replaced.** A serving worker tells the supervisor it is alive every
  ``HEARTBEAT_SECONDS`` from its event loop; one silent for ``worker_timeout`` seconds (its loop
  stuck in something that never returns) is killed (SIGKILL: a stuck loop would never act on
  SIGTERM) and replaced, as gunicorn's ``--timeout`` does.
- **No orphans.** A worker asks the kernel for SIGTERM when the supervisor dies
  (``PR_SET_PDEATHSIG``, Linux) and also checks its parent's pid every couple of seconds: after
  a ``kill -9`` of the supervisor its workers finish what they are doing and exit, and the
  port is free again.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import logging
import math
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from server.protocol import BoundedHeadProtocol, bounded_head_protocol

logger = logging.getLogger("uvicorn.error")

#: Seconds between a worker's "alive" messages to the supervisor (and its parent-pid checks).
HEARTBEAT_SECONDS = 2
#: Delays before retrying a worker that failed to start: the first, and the most.
RETRY_FIRST, RETRY_MOST = 1.0, 30.0


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    #: One log line per request; off by default (with it, 17-25 % fewer requests/s: issue 14).
    access_log: bool = False
    #: Seconds an idle keep-alive connection stays open after an answer (uvicorn's).
    timeout_keep_alive: float = 5.0
    #: Seconds a client has to send a whole request head (see server.protocol).
    head_timeout: float = BoundedHeadProtocol.head_timeout
    #: Largest request head, in bytes.
    max_head_bytes: int = BoundedHeadProtocol.max_head_bytes
    #: Seconds a stopping worker waits for requests in flight before it cancels them.
    timeout_graceful_shutdown: float = 15.0
    #: Seconds a serving worker may go without telling the supervisor it is alive before it is
    #: killed and replaced (with more than one worker).
    worker_timeout: float = 30.0

    def config(self, app: Any) -> uvicorn.Config:
        """The ``uvicorn.Config`` of ``app`` (an ASGI app, or an import string) as shipped."""
        http: Any = BoundedHeadProtocol
        if (self.head_timeout, self.max_head_bytes) != (http.head_timeout, http.max_head_bytes):
            http = bounded_head_protocol(
                head_timeout=self.head_timeout, max_head_bytes=self.max_head_bytes
            )
        return uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            loop="uvloop",
            http=http,
            ws="none",  # the service has no WebSocket endpoint
            log_level=self.log_level,
            access_log=self.access_log,
            timeout_keep_alive=self.timeout_keep_alive,  # type: ignore[arg-type]
            timeout_graceful_shutdown=self.timeout_graceful_shutdown,  # type: ignore[arg-type]
        )


#: What the service ships with (its fields are the defaults of ``serve``'s options).
DEFAULTS = ServeOptions()


def serve(app: Any, options: ServeOptions, *, workers: int = 1) -> int:
    """Serve ``app`` until SIGINT or SIGTERM; the exit status (3 if it could not start).

    One worker runs in this process; more run under a :class:`Supervisor`, which forks them
    from this process, so ``app`` (and whatever it holds) is built once, here, for all of them.
    """
    if workers > 1:
        return Supervisor(options.config(app), workers, worker_timeout=options.worker_timeout).run()
    server = uvicorn.Server(options.config(app))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0 if server.started else STARTUP_FAILURE


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` with ``SO_REUSEPORT``, not yet listening.

    Its protocol is ``IPPROTO_TCP``, so the connections asyncio or uvloop accept on it get
    ``TCP_NODELAY``.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


class WorkerServer(uvicorn.Server):
    """A worker's uvicorn server: tells the supervisor once it serves, then every
    ``HEARTBEAT_SECONDS``, through uvicorn's ``callback_notify``, which its event loop calls: a
    stuck loop falls silent; and stops if orphaned."""

    def __init__(self, config: uvicorn.Config, status_fd: int, supervisor: int) -> None:
        config.callback_notify = self._notify
        config.timeout_notify = HEARTBEAT_SECONDS
        super().__init__(config)
        self.status_fd = status_fd
        self.supervisor = supervisor

    async def _notify(self) -> None:
        if os.getppid() != self.supervisor:  # orphaned, where PR_SET_PDEATHSIG is not had
            self.should_exit = True
            return
        with contextlib.suppress(OSError):
            os.write(self.status_fd, b".")


@dataclass(slots=True)
class _Worker:
    slot: int
    pid: int
    status_fd: int
    ready: bool = False
    #: ``time.monotonic()`` of its last message.
    heard: float = 0.0


class Supervisor:
    """Forks ``workers`` uvicorn workers from this process and keeps them running (see the
    module's docstring). ``config`` must hold the app itself, not an import string."""

    def __init__(
        self,
        config: uvicorn.Config,
        workers: int,
        *,
        stop_timeout: float | None = None,
        worker_timeout: float = DEFAULTS.worker_timeout,
    ):
        if isinstance(config.app, str):
            raise TypeError("the supervisor forks its workers: give it the app, not its name")
        self.config = config
        self.count = workers
        grace = config.timeout_graceful_shutdown or 15.0
        self.stop_timeout = stop_timeout if stop_timeout is not None else grace + 5.0
        self.worker_timeout = worker_timeout
        self.workers: dict[int, _Worker] = {}  # by slot
        self.retry_delay: dict[int, float] = {}  # slot -> delay before its next start
        self.retry_at: dict[int, float] = {}  # slot -> monotonic time of its next start
        self.selector = selectors.DefaultSelector()
        self.stop_signal: int | None = None
        self.stopping = False
        self.ever_ready = False

    def run(self) -> int:
        config = self.config
        self.pid = os.getpid()
        reservation = listening_socket(config.host, config.port)
        self.port = reservation.getsockname()[1]
        wake_r, wake_w = os.pipe()
        self.wake_r = wake_r
        for fd in (wake_r, wake_w):
            os.set_blocking(fd, False)
        self.selector.register(wake_r, selectors.EVENT_READ)
        self.closed_in_workers = [reservation.fileno(), wake_r, wake_w]
        previous = {
            sig: signal.signal(sig, self._on_stop_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        previous_wakeup = signal.set_wakeup_fd(wake_w)
        try:
            config.load()  # once, here: the workers inherit the loaded app and protocol
            logger.info(
                "Uvicorn running on http://%s:%d with %d workers, supervisor [%d] "
                "(Press CTRL+C to quit)",
                config.host if ":" not in config.host else f"[{config.host}]",
                self.port,
                self.count,
                os.getpid(),
            )
            # What the workers share stays out of the collector's sight, so that its passes
            # do not write to (and so copy) the shared pages.
            gc.collect()
            gc.freeze()
            for slot in range(self.count):
                self._start(slot)
            status = self._supervise()
            self._stop_all()
            return status
        finally:
            signal.set_wakeup_fd(previous_wakeup)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.selector.close()
            for fd in (wake_r, wake_w):
                os.close(fd)
            reservation.close()
            gc.unfreeze()
            logger.info("Stopping supervisor [%d]", os.getpid())

    def _on_stop_signal(self, sig: int, frame: object) -> None:
        self.stop_signal = sig  # the wake-up fd ends the supervisor's wait

    def _supervise(self) -> int:
        while self.stop_signal is None:
            moments = [*self.retry_at.values()]
            moments += [
                w.heard + self.worker_timeout
                for w in self.workers.values()
                if w.ready and w.heard != math.inf
            ]
            timeout = max(0.0, min(moments) - time.monotonic()) if moments else None
            self._wait(timeout)
            now = time.monotonic()
            for worker in list(self.workers.values()):
                if worker.ready and now - worker.heard > self.worker_timeout:
                    self._kill_silent(worker, now - worker.heard)
            for slot, when in list(self.retry_at.items()):
                if when <= now and self.stop_signal is None:
                    del self.retry_at[slot]
                    self._start(slot)
            if not self.ever_ready and not self.workers and self.stop_signal is None:
                logger.error("No worker could start; stopping.")
                return STARTUP_FAILURE
        logger.info("Received %s, stopping the workers.", signal.Signals(self.stop_signal).name)
        return 0

    def _wait(self, timeout: float | None) -> None:
        """Wait up to ``timeout`` seconds for news from a worker or a signal; act on it."""
        for key, _ in self.selector.select(timeout):
            if key.fd == self.wake_r:
                with contextlib.suppress(BlockingIOError):
                    os.read(self.wake_r, 512)
            else:
                self._on_status(key.data)

    def _start(self, slot: int) -> None:
        status_r, status_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(status_r)
            self._worker(status_w)
        os.close(status_w)
        worker = _Worker(slot, pid, status_r)
        self.workers[slot] = worker
        self.selector.register(status_r, selectors.EVENT_READ, worker)
        self.closed_in_workers.append(status_r)
        logger.info("Started worker [%d]", pid)

    def _on_status(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.status_fd, 512)
        except OSError:
            data = b""
        if data:  # started, or still alive
            worker.heard = time.monotonic()
            if not worker.ready:
                worker.ready = self.ever_ready = True
                self.retry_delay.pop(worker.slot, None)
            return
        # End of file: the worker has exited (its end of the pipe closed with it).
        self.selector.unregister(worker.status_fd)
        os.close(worker.status_fd)
        self.closed_in_workers.remove(worker.status_fd)
        del self.workers[worker.slot]
        how = _exit_status(worker.pid)
        if self.stopping or self.stop_signal is not None:
            return
        if worker.ready:
            logger.warning("Worker [%d] %s; starting another.", worker.pid, how)
            self._start(worker.slot)
            return
        delay = self.retry_delay.get(worker.slot, RETRY_FIRST)
        self.retry_delay[worker.slot] = min(delay * 2, RETRY_MOST)
        self.retry_at[worker.slot] = time.monotonic() + delay
        logger.error(
            "Worker [%d] %s before it could serve; trying again in %g s (%d other worker(s) "
            "serving).",
            worker.pid,
            how,
            delay,
            sum(w.ready for w in self.workers.values()),
        )

    def _kill_silent(self, worker: _Worker, silent: float) -> None:
        """Kill a worker whose event loop has not answered for ``silent`` seconds; its pipe's
        end of file then starts another (:meth:`_on_status`)."""
        logger.error(
            "Worker [%d] has not been heard from for %.0f s (its event loop is stuck); killing it.",
            worker.pid,
            silent,
        )
        worker.heard = math.inf  # killed once; its exit replaces it
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)

    def _stop_all(self) -> None:
        self.stopping = True
        for worker in self.workers.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while self.workers and time.monotonic() < deadline:
            self._wait(max(0.0, deadline - time.monotonic()))
        for worker in list(self.workers.values()):
            logger.error(
                "Worker [%d] did not stop in %g s; killing it.", worker.pid, self.stop_timeout
            )
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            self.selector.unregister(worker.status_fd)
            os.close(worker.status_fd)
            _exit_status(worker.pid)
        self.workers.clear()

    def _worker(self, status_fd: int) -> NoReturn:
        """The forked worker: serve until told to stop, then leave without returning into the
        supervisor's code."""
        status = 1
        try:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            _terminate_with_parent(self.pid)
            self.selector.close()
            for fd in self.closed_in_workers:
                os.close(fd)
            sock = listening_socket(self.config.host, self.port)
            server = WorkerServer(self.config, status_fd, self.pid)
            server.run(sockets=[sock])
            status = 0 if server.started else STARTUP_FAILURE
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            logger.exception("Worker [%d] failed", os.getpid())
        finally:
            with contextlib.suppress(Exception):
                logging.shutdown()
            os._exit(status)


def _terminate_with_parent(parent: int) -> None:
    """Have the kernel send SIGTERM to this process when ``parent`` dies (Linux); exit now if
    it already has (this process was re-parented before it could ask)."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(0)


def _exit_status(pid: int) -> str:
    """Wait for the exited worker ``pid``; how it ended, in words."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "exited"
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero (0, a negative or NaN would close
    every connection at once, or never)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds above 0: {text!r}")
    return value


#: uvicorn's log levels (``uvicorn.config.LOG_LEVELS``), listed here so that a bad one is a usage
#: error before anything starts rather than a KeyError inside uvicorn.
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def bounded_int(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[low, high]``, or a usage error that gives the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the HTTP server and its workers, checked alike wherever it is started
    (``ballerina-kg serve``, ``python -m server.workers``); :func:`server_options` reads them."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=bounded_int(1, 65535), default=8000)
    parser.add_argument(
        "--workers", type=bounded_int(1), default=1, help="worker processes (default 1)"
    )
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    parser.add_argument("--access-log", action="store_true", help="log every request (default off)")
    parser.add_argument(
        "--timeout-keep-alive",
        type=positive_seconds,
        default=DEFAULTS.timeout_keep_alive,
        help="seconds an idle keep-alive connection stays open (default %(default)g)",
    )
    parser.add_argument(
        "--head-timeout",
        type=positive_seconds,
        default=DEFAULTS.head_timeout,
        help="seconds a client has to send a whole request head (default %(default)g)",
    )
    parser.add_argument(
        "--worker-timeout",
        type=positive_seconds,
        default=DEFAULTS.worker_timeout,
        help="with --workers above 1: seconds a worker's event loop may stay stuck before the "
        "worker is killed and replaced (default %(default)g)",
    )


def server_options(args: argparse.Namespace) -> ServeOptions:
    """The :class:`ServeOptions` of arguments parsed with :func:`add_server_arguments`."""
    return ServeOptions(
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_keep_alive=args.timeout_keep_alive,
        head_timeout=args.head_timeout,
        worker_timeout=args.worker_timeout,
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m server.workers FACTORY``: ``uvicorn --factory FACTORY`` as the service ships
    (uvloop, httptools with bounded heads, no access log, SO_REUSEPORT workers)."""
    parser = argparse.ArgumentParser(prog="python -m server.workers", description=main.__doc__)
    parser.add_argument("factory", help="module:callable returning the ASGI app")
    add_server_arguments(parser)
    args = parser.parse_args(argv)
    from uvicorn.importer import import_from_string

    app = import_from_string(args.factory)()
    return serve(app, server_options(args), workers=args.workers)


if __name__ == "__main__":
    sys.exit(main())
