"""uvicorn's httptools protocol with a deadline and a size bound on every request head.

uvicorn closes a keep-alive connection that stays silent ``timeout_keep_alive`` seconds after an
answer, but nothing else: a connection that never sends a request, or sends its head a byte at
a time (slowloris), stays open for as long as the client likes, and httptools buffers a head of
any size. This protocol adds the two bounds a front server would:

- **a deadline**: a request head must be complete within ``head_timeout`` seconds of the
  connection opening, or of the previous answer's end; past it the connection is closed;
- **a size**: a head still incomplete once it has sent more than ``max_head_bytes`` is
  answered 431 and the connection closed. Bytes are counted a read at a time, so a head that
  ends within the read that crosses the bound gets through: what is bounded is the memory a
  connection can make the parser hold (the bound plus one read, 256 KiB with uvloop).

Everything else is uvicorn's own (:class:`HttpToolsProtocol`, which parses with llhttp: a
request with both ``Content-Length`` and ``Transfer-Encoding``, or two different lengths, is
answered 400). The subclass hooks the parser's callbacks and uvicorn's ``on_response_complete``
and reads its ``cycle``; uvicorn is pinned for that, and ``tests/test_connections.py`` checks
the answers are byte for byte the plain protocol's on ordinary and pipelined traffic.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["BoundedHeadProtocol", "bounded_head_protocol"]


class BoundedHeadProtocol(HttpToolsProtocol):
    #: Seconds a client has to send a whole request head (see the module's docstring).
    head_timeout: float = 10.0
    #: Largest request head (request line and headers), in bytes. A GET to /graphql carries
    #: its document in the URL: this leaves room for one as large as a POST body may be.
    max_head_bytes: int = 256 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = False
        self._head_bytes = 0
        self._start_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        # Bytes of a chunk read while a head is incomplete, counted whole: a chunk that also
        # ends the body of a pipelined request before it counts a little more than the head.
        self._head_bytes += len(data)
        if self._head_bytes > self.max_head_bytes:
            self._refuse_head()

    # httptools' parser callbacks
    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_deadline()
        super().on_headers_complete()

    # uvicorn's callback, when an answer has been sent whole
    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            # Nothing with a complete head is waiting (a pipelined one would have started):
            # the next request's head, begun or not, has the whole deadline again.
            self._start_head_deadline()

    def _start_head_deadline(self) -> None:
        self._stop_head_deadline()
        loop = asyncio.get_running_loop()
        self._head_timer = loop.call_later(self.head_timeout, self._head_deadline_passed)

    def _stop_head_deadline(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_deadline_passed(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse_head(self) -> None:
        self._stop_head_deadline()
        if self.cycle is None or self.cycle.response_complete:
            message = f"Request head over {self.max_head_bytes} bytes.".encode("ascii")
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\n"
                b"connection: close\r\n\r\n%s" % (len(message), message)
            )
        # else an answer to an earlier, pipelined request is still being sent: no room for one
        self.transport.close()


def bounded_head_protocol(*, head_timeout: float, max_head_bytes: int) -> type[BoundedHeadProtocol]:
    """:class:`BoundedHeadProtocol` with other bounds, for ``uvicorn.Config(http=...)``."""
    return type(
        "BoundedHeadProtocol",
        (BoundedHeadProtocol,),
        {"head_timeout": head_timeout, "max_head_bytes": max_head_bytes, "__module__": __name__},
    )
