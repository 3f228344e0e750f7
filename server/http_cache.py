"""HTTP caching of answers that the seeds and the request determine: strong ETags, ``304``.

The graph is read-only, so a ``GET`` answer (a GraphQL query's result, an export) is a function
of the seeds (their SHA-256, :mod:`graph.fingerprint`), of the code that answers and of the
settings that shape answers (:func:`code_version`: the limits), and of the request: method,
path, query string, the media type negotiated from ``Accept``, and the content coding. The ETag
is a hash of exactly these (:func:`answer_version` joins the first three), computed before any
work, so that an ``If-None-Match`` naming it is answered
``304 Not Modified`` without running the query or writing the export.

The content coding is part of the tag because a strong ETag names one sequence of bytes (RFC
9110, 8.8.3): the gzip-compressed answer that :class:`starlette.middleware.gzip.GZipMiddleware`
sends a client asking for it is another representation than the plain one. Hence also
:class:`CompressedPaths`: only the answers whose tags name their coding are compressed, not the
static files, whose ETags (Starlette's, of the file) do not.

``Cache-Control: public, max-age=300``: any cache (a browser, a CDN) may keep an answer for five
minutes, then revalidates it with its ETag, which costs a hash and no work while the seeds
are the same; a service restarted on new seeds, new code or other limits changes every tag.

Within the process, :class:`ReplayTicket` is how an endpoint tells the replay layer
(:mod:`server.answer_replay`) that the answer it sends is a function of the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.sources import ROOT, sources_sha256

__all__ = [
    "answer_version",
    "code_version",
    "CACHE_CONTROL",
    "CompressedPaths",
    "REPLAY_TICKET",
    "ReplayTicket",
    "GZIP_MINIMUM_SIZE",
    "UNCACHEABLE",
    "content_codings",
    "etag",
    "etag_matches",
    "ticket_of",
]

#: The packages whose code shapes an answer: a change to any of their files changes every tag.
_ANSWERING_PACKAGES = ("graph", "schema", "server")


def code_version(settings_repr: str) -> str:
    """A hash of the source of the packages that compute answers (``*.py``, the SDL and the
    exports' templates alike: every file in them but compiled caches), and of the settings that
    shape answers. Computed once at start-up: a few hundred kilobytes."""
    digest = hashlib.sha256(settings_repr.encode("utf-8"))
    digest.update(sources_sha256(ROOT / package for package in _ANSWERING_PACKAGES).encode())
    return digest.hexdigest()


def answer_version(scope: Scope) -> str | None:
    """What an answer depends on besides the request (the seeds, the code, the settings), for
    the app serving ``scope``; ``None`` for a graph not built from seeds: nothing to tag by."""
    state = scope["app"].state
    graph = getattr(state, "graph", None)
    seeds = getattr(graph, "seeds_sha256", None)
    code = getattr(state, "code_version", None)
    if seeds is None or code is None:
        return None
    return f"{seeds}:{code}"


#: How long a cache may reuse an answer before revalidating it (seconds).
MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
#: For answers a cache must not keep: they depend on more than the request (a time limit
#: reached under load, a persisted query not stored yet).
UNCACHEABLE = "no-store"
#: Answers smaller than this go out uncompressed (GZipMiddleware's ``minimum_size``).
GZIP_MINIMUM_SIZE = 1024


def etag(
    seeds_sha256: str,
    method: str,
    path: str,
    query_string: bytes,
    media_type: str,
    content_coding: str,
) -> str:
    """The strong ETag (quoted) of the answer to this request over these seeds."""
    digest = hashlib.sha256()
    for part in (seeds_sha256, method, path, media_type, content_coding):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(4, "big") + encoded)
    digest.update(query_string)  # last: its length need not be framed
    return f'"{digest.hexdigest()[:40]}"'


def content_codings(accept_encoding: str | None) -> tuple[str, ...]:
    """The codings an answer to a client sending ``accept_encoding`` may be in: always
    ``identity`` (small answers are not compressed), and ``gzip`` when it accepts it, by the
    test GZipMiddleware applies."""
    if accept_encoding is not None and "gzip" in accept_encoding:
        return ("identity", "gzip")
    return ("identity",)


def etag_matches(if_none_match: str | None, tags: tuple[str, ...]) -> str | None:
    """The one of ``tags`` that ``If-None-Match`` names (``*`` names any), else ``None``.

    ``If-None-Match`` is compared weakly (RFC 9110, 13.1.2): a ``W/`` prefix is ignored.
    """
    if if_none_match is None or not tags:
        return None
    for item in if_none_match.split(","):
        candidate = item.strip()
        if candidate == "*":
            return tags[0]
        candidate = candidate.removeprefix("W/")
        if candidate in tags:
            return candidate
    return None


class CompressedPaths:
    """Starlette's :class:`GZipMiddleware` for the paths under ``prefixes`` only, every answer
    there varying on ``Accept-Encoding``.

    GZipMiddleware adds ``Accept-Encoding`` to ``Vary`` only to the answers it compresses, but
    whether it compresses depends on that header for every answer of these paths, and a ``304``
    must carry the ``Vary`` of the ``200`` it stands for (RFC 9110, 15.4.5): so each answer
    here names it once, compressed or not, small or large, ``200`` or ``304``.
    """

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], minimum_size: int) -> None:
        self.app = app
        self.prefixes = prefixes
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
        elif _accepts_gzip(scope):
            await self.gzip(scope, receive, _varying_on_encoding(send))
        else:
            # What GZipMiddleware would send, without the cost of its watching every message
            # of an answer it will not compress: only the Vary it adds, which this adds to all.
            await self.app(scope, receive, _varying_on_encoding(send))


def _accepts_gzip(scope: Scope) -> bool:
    # GZipMiddleware's own test: "gzip" anywhere in Accept-Encoding.
    for name, value in scope["headers"]:
        if name.lower() == b"accept-encoding" and b"gzip" in value:
            return True
    return False


def _varying_on_encoding(send: Send) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message["headers"] if k.lower() != b"vary"]
            varies = [
                name.strip()
                for k, v in message["headers"]
                if k.lower() == b"vary"
                for name in v.split(b",")
                if name.strip()
            ]
            if not any(name.lower() == b"accept-encoding" for name in varies):
                varies.append(b"Accept-Encoding")
            unique = list(dict.fromkeys(varies))
            message = {**message, "headers": [*headers, (b"vary", b", ".join(unique))]}
        await send(message)

    return sender


#: The scope key of a request's :class:`ReplayTicket`.
REPLAY_TICKET = "ballerina.answer_replay"


class ReplayTicket:
    """What an endpoint tells the replay layer (:mod:`server.answer_replay`) about the answer it
    sends (see :meth:`allow`), and the deadline of the request, which started when that layer
    began reading it."""

    __slots__ = ("condition", "deadline", "replayable")

    def __init__(self, deadline: float) -> None:
        #: ``time.monotonic()`` past which the request has run out of time (``inf``: never).
        self.deadline = deadline
        self.replayable = False
        self.condition: Callable[[], bool] | None = None

    def allow(self, condition: Callable[[], bool] | None = None) -> None:
        """The answer being sent is a function of the request: it may be replayed, as long as
        ``condition()`` (called before each replay) is true."""
        self.replayable = True
        self.condition = condition


def ticket_of(scope: Scope) -> ReplayTicket | None:
    """The ticket the replay layer gave this request, if it passed through one."""
    ticket: ReplayTicket | None = scope.get(REPLAY_TICKET)
    return ticket
