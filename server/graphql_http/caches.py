"""The endpoint's two caches, each bounded in bytes: prepared documents and whole answers.

Both are least-recently-used tables owned by one endpoint (no module-level state). What they
hold is counted in bytes, estimated where the entry is not itself bytes: an entry larger than
``max_entry_bytes`` is not kept at all, and the oldest entries go once the total passes
``max_bytes``. A lock keeps each table whole: documents are prepared in worker threads.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

__all__ = ["BytesLRU", "ResponseCache", "ResponseKey", "response_key"]

V = TypeVar("V")
K = TypeVar("K", bound=Hashable)

ResponseKey = tuple[str, str | None, str, str]


class BytesLRU(Generic[K, V]):
    """A least-recently-used table whose entries are counted in bytes (as told by ``put``)."""

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        #: The budget for all entries together.
        self.max_bytes = max_bytes
        #: Entries larger than this are not kept (by default, a sixteenth of the budget).
        self.max_entry_bytes = max_bytes // 16 if max_entry_bytes is None else max_entry_bytes
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        #: Bytes held now.
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep ``value`` as ``size`` bytes; ``False`` when it is too large to be kept."""
        if size > self.max_entry_bytes or size > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self.bytes -= evicted
        return True


def response_key(
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    extensions: dict[str, Any] | None,
) -> ResponseKey:
    return (query, operation_name, _canonical_json(variables), _canonical_json(extensions))


def _key_bytes(key: ResponseKey) -> int:
    # Characters, not encoded bytes: close enough for a budget.
    return sum(len(part) for part in key if part is not None)


#: What an entry costs beyond its key and body (the tuples, the table's slot): an estimate.
ENTRY_OVERHEAD = 400


class ResponseCache(BytesLRU[ResponseKey, bytes]):
    """Least-recently-used bodies of error-free query results, counted with their keys.

    The key is the query text, operation name, variables and extensions (canonical JSON).
    """

    @staticmethod
    def key(params: Any) -> ResponseKey:
        return response_key(
            params.query, params.operation_name, params.variables, params.extensions
        )

    def put_body(self, key: ResponseKey, body: bytes) -> bool:
        return self.put(key, body, len(body) + _key_bytes(key) + ENTRY_OVERHEAD)


def _canonical_json(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
