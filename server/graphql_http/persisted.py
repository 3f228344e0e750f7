"""Automatic persisted queries, as Apollo's protocol defines them.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": h}`` with no
``query``: if ``h`` is stored, its query runs; if not, the answer is the ``PersistedQueryNotFound``
error (status 200, as Apollo Server answers it, so that Apollo's link sees the GraphQL error and
retries), and the client sends the query with the hash, which is checked (the SHA-256 of the
query text, in lower-case hex) and stored. A hash-only ``GET`` is a short, stable URL a CDN can
cache. The store is bounded in bytes like the endpoint's other caches; a query evicted from it
is simply asked for again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

from server.graphql_http.caches import ENTRY_OVERHEAD, BytesLRU
from server.graphql_http.params import GraphQLParams
from server.graphql_http.refusals import InvalidParameter, MissingQuery, RequestRefused

__all__ = [
    "PersistedQueries",
    "PersistedQueryMismatch",
    "PersistedQueryNotFound",
    "PersistedQueryVersionNotSupported",
]

VERSION = 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class PersistedQueryNotFound(RequestRefused):
    """A hash with no stored query: Apollo's link answers it by sending the query."""

    status = 200
    code = "PERSISTED_QUERY_NOT_FOUND"
    # Never cached: the next request, after the client sent the query, will find it.
    headers = ((b"cache-control", b"no-store"),)

    def __init__(self, sha256_hash: str) -> None:
        super().__init__("PersistedQueryNotFound")
        self.sha256_hash = sha256_hash


class PersistedQueryMismatch(RequestRefused):
    code = "PERSISTED_QUERY_HASH_MISMATCH"

    def __init__(self, sha256_hash: str) -> None:
        super().__init__("provided sha does not match query")
        self.sha256_hash = sha256_hash


class PersistedQueryVersionNotSupported(RequestRefused):
    code = "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"

    def __init__(self, version: object) -> None:
        super().__init__(
            f"Unsupported persisted query version {version!r}: only version {VERSION} is"
        )
        self.version = version


class PersistedQueries(BytesLRU[str, str]):
    """Query texts by the SHA-256 of their text, least recently used first out."""

    def stored_by(self, params: GraphQLParams) -> str | None:
        """The hash a request sends in place of its query (``None`` when it sends a query)."""
        found = (params.extensions or {}).get("persistedQuery")
        if found is None or params.query is not None:
            return None
        return _read_extension(found)

    def holds(self, sha256_hash: str) -> bool:
        """Whether the query of ``sha256_hash`` is stored (as a lookup, it is used again)."""
        return self.get(sha256_hash) is not None

    def resolve(self, params: GraphQLParams) -> GraphQLParams:
        """``params`` with the query its persisted hash stands for; the query of a request
        that sends both is checked against the hash and stored."""
        found = (params.extensions or {}).get("persistedQuery")
        if found is None:
            if params.query is None:
                raise MissingQuery()
            return params
        sha256_hash = _read_extension(found)
        if params.query is None:
            query = self.get(sha256_hash)
            if query is None:
                raise PersistedQueryNotFound(sha256_hash)
            return dataclasses.replace(params, query=query)
        if hashlib.sha256(params.query.encode("utf-8")).hexdigest() != sha256_hash:
            raise PersistedQueryMismatch(sha256_hash)
        size = len(params.query.encode("utf-8")) + len(sha256_hash) + ENTRY_OVERHEAD
        self.put(sha256_hash, params.query, size)
        return params


def _read_extension(value: Any) -> str:
    name = "extensions.persistedQuery"
    if not isinstance(value, dict):
        raise InvalidParameter(name, value, "an object")
    version = value.get("version")
    if version != VERSION or isinstance(version, bool):
        raise PersistedQueryVersionNotSupported(version)
    sha256_hash = value.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not _SHA256_HEX.fullmatch(sha256_hash):
        raise InvalidParameter(
            f"{name}.sha256Hash", sha256_hash, "a SHA-256 in 64 lower-case hex digits"
        )
    return sha256_hash
