"""Indexes for the API's filtered lists of nodes and edges, built once with the graph.

A filtered list is a :class:`Selection`: the items of a sequence fixed at build time (every edge
in ``G.edges`` order, every node by id, every node by a centrality measure) at some positions, in
the sequence's order. The positions come from a :class:`Grouped` sequence, which holds, for each
combination of filter values (``None`` standing for "any"), the sorted positions of the items
that have them. A filter is then a handful of dict look-ups, its size a sum of lengths, and a
page a slice, or a merge of a few sorted arrays from the page's first position on: a request
costs its page and a few binary searches, however large the graph.

:func:`edge_index` groups the edges by ``(kind, type, disputed, certainty)``;
:func:`node_index` groups the nodes, in each order, by ``(kind, edge type)``, a node being in
the group of every type of edge it has at either end. :func:`graph.build.build_graph` keeps
them in the :class:`~graph.knowledge.KnowledgeGraph` it builds; :mod:`graph.query` asks them.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, product
from typing import Generic, TypeVar

import networkx as nx
import numpy as np

T = TypeVar("T")
Key = tuple[Hashable | None, ...]
#: Sorted positions into a sequence: an ``array("I")``, or a ``range`` for all of it.
Positions = Sequence[int]
_TYPECODE = "I"
_DTYPE = np.dtype(f"=u{array(_TYPECODE).itemsize}")


class Selection(Generic[T]):
    """The items of ``items`` at the positions in ``parts``, in the order of ``items``.

    ``parts`` are sorted arrays of positions, pairwise disjoint. One part is sliced; several are
    merged from the first position of the page, found by a binary search over positions (each
    step counting, with a binary search per part, the positions up to a value): ``page`` costs
    ``O(len(parts) · log² n + page · log len(parts))``, however deep the page.
    """

    __slots__ = ("items", "parts", "_length")

    def __init__(self, items: Sequence[T], parts: Iterable[Positions]) -> None:
        self.items = items
        self.parts = [p for p in parts if len(p)]
        self._length = sum(len(p) for p in self.parts)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        """Every item, lazily: taking the first few costs no more than a page of them."""
        positions = self.parts[0] if len(self.parts) == 1 else heapq.merge(*self.parts)
        return map(self.items.__getitem__, positions)

    def page(self, start: int, stop: int) -> list[T]:
        """The items ranked ``start`` to ``stop - 1`` (``[]`` past the end)."""
        stop = min(stop, self._length)
        if start >= stop:
            return []
        items, parts = self.items, self.parts
        if len(parts) == 1:
            return [items[i] for i in parts[0][start:stop]]
        first = _position_of_rank(parts, start)
        tails = [_tail(p, bisect_left(p, first)) for p in parts]
        return [items[i] for i in islice(heapq.merge(*tails), stop - start)]


def _shared(groups: dict[Key, Positions]) -> dict[Key, Positions]:
    """``groups``, where a group as large as the one with a value widened to "any" shares its
    positions (it is a subset of it). So a relation type, which only relations have, costs its
    positions once, not once more under ``kind="relation"``."""
    for key, positions in groups.items():
        for at, value in enumerate(key):
            if value is None:
                continue
            wider = groups.get((*key[:at], None, *key[at + 1 :]))
            if wider is not None and len(wider) == len(positions):
                groups[key] = wider
                break
    return groups


def _position_of_rank(parts: list[Positions], rank: int) -> int:
    """The position ranked ``rank`` (from 0) in the union of ``parts``: the least position that
    more than ``rank`` positions are at or before."""
    low, high = min(p[0] for p in parts), max(p[-1] for p in parts)
    while low < high:
        middle = (low + high) // 2
        if sum(bisect_right(p, middle) for p in parts) > rank:
            high = middle
        else:
            low = middle + 1
    return low


def _tail(positions: Positions, start: int) -> Iterator[int]:
    # Not islice(positions, start, None), which would step through the first ``start``.
    return (positions[i] for i in range(start, len(positions)))


def _contains(positions: Positions, position: int) -> bool:
    at = bisect_left(positions, position)
    return at < len(positions) and positions[at] == position


@dataclass(frozen=True, slots=True)
class Grouped(Generic[T]):
    """A sequence, and for each key the sorted positions of the items that have it."""

    items: Sequence[T]
    groups: Mapping[Key, Positions]

    def select(self, keys: Iterable[Key]) -> Selection[T]:
        """The items of any of the ``keys``, which must name disjoint groups (keys differing in
        a value of an attribute an item has only one of)."""
        return Selection(self.items, [self.groups.get(k, ()) for k in dict.fromkeys(keys)])

    @classmethod
    def of(cls, keyed: Iterable[tuple[T, Iterable[Key]]], arity: int) -> Grouped[T]:
        """Group items, given in order with the keys each has (tuples of ``arity``). The key of
        ``arity`` ``None`` s, every item, is added as a ``range``."""
        items: list[T] = []
        groups: dict[Key, Positions] = {}
        for position, (item, keys) in enumerate(keyed):
            items.append(item)
            for key in keys:
                group = groups.get(key)
                if group is None:
                    groups[key] = group = array(_TYPECODE)
                group.append(position)  # type: ignore[attr-defined]
        groups[(None,) * arity] = range(len(items))
        return cls(tuple(items), _shared(groups))

    @classmethod
    def widened(cls, items: Sequence[T], keys: Mapping[Key, int], codes: np.ndarray) -> Grouped[T]:
        """What :meth:`of` groups when each item has one key of ``arity`` values (the
        ``keys``, numbered by first appearance) and every key with any of them widened to
        ``None``: item ``i`` has key number ``codes[i]``. Grouped by NumPy, a pass over the
        items per distinct key, not a dict look-up per item and widened key."""
        arity = len(next(iter(keys))) if keys else 0
        # The positions of each key, in order: a stable sort of the codes, cut where they change.
        order = np.argsort(codes, kind="stable").astype(_DTYPE)
        bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
        # Widened keys in the order :meth:`of` meets them: of the keys, by first appearance.
        narrower: dict[Key, list[int]] = {}
        for key, code in keys.items():
            for wide in product(*((value, None) for value in key)):
                narrower.setdefault(wide, []).append(code)
        groups: dict[Key, Positions] = {}
        for wide, found in narrower.items():
            parts = [order[bounds[code] : bounds[code + 1]] for code in found]
            positions = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))
            groups[wide] = array(_TYPECODE, positions.tobytes())
        groups[(None,) * arity] = range(len(items))
        return cls(tuple(items), _shared(groups))

    def reordered(self, items: Sequence[T], moved: array[int]) -> Grouped[T]:
        """The same groups over ``items``, the same items in another order: the item at position
        ``p`` here is at ``moved[p]`` there. (Each group is moved and sorted by NumPy: much
        cheaper than grouping again.)"""
        to = np.frombuffer(moved, dtype=_DTYPE)
        translated: dict[int, Positions] = {}  # id of an array -> it translated, to keep sharing
        groups: dict[Key, Positions] = {}
        for key, positions in self.groups.items():
            if len(positions) == len(items):
                groups[key] = range(len(items))
                continue
            if id(positions) not in translated:
                assert isinstance(positions, array)  # only "all of it" is a range
                moved_positions = np.sort(to[np.frombuffer(positions, dtype=_DTYPE)])
                translated[id(positions)] = array(_TYPECODE, moved_positions.tobytes())
            groups[key] = translated[id(positions)]
        return Grouped(items, groups)


# --- the indexes --------------------------------------------------------------------------------


def edge_index(G: nx.MultiDiGraph[str]) -> Grouped[tuple[str, str, str]]:
    """Every edge ``(source, target, key)`` in ``G.edges`` order, grouped by
    ``(kind, type, disputed, certainty)``, each of them or any of them ``None`` for "any"."""
    items: list[tuple[str, str, str]] = []
    keys: dict[Key, int] = {}
    codes = array(_TYPECODE)
    for u, v, key, d in G.edges(keys=True, data=True):
        items.append((u, v, key))
        full = (d["kind"], d["type"], d["dispute"] is not None, d.get("certainty", "stated"))
        code = keys.get(full)
        if code is None:
            keys[full] = code = len(keys)
        codes.append(code)
    if not items:
        return Grouped.of((), 4)
    return Grouped.widened(items, keys, np.frombuffer(codes, dtype=_DTYPE))


@dataclass(frozen=True, slots=True)
class NodeIndex:
    """Nodes in each order (``None``: by id; else a measure, highest first) grouped by
    ``(kind, edge type)``, either ``None`` for "any"; and for ordering a few given nodes, the
    position of each node by id and, per measure, the rank of the node at each such position."""

    orders: Mapping[str | None, Grouped[str]]
    position: Mapping[str, int]
    ranks: Mapping[str, array[int]]

    def select(
        self, kinds: Iterable[str] | None, edge_type: str | None, order: str | None
    ) -> Selection[str]:
        """The nodes of any of ``kinds`` with an edge of ``edge_type`` (``None``: any), in
        ``order``."""
        return self.orders[order].select((k, edge_type) for k in _any(kinds))

    def among(
        self,
        nodes: Iterable[str],
        kinds: Iterable[str] | None,
        edge_type: str | None,
        order: str | None,
    ) -> Selection[str]:
        """What :meth:`select` would give, of ``nodes`` only: costs ``len(nodes)``."""
        groups = self.orders[None].groups
        wanted = [groups.get((k, edge_type), ()) for k in _any(kinds)]
        found = [
            at
            for at in map(self.position.__getitem__, nodes)
            if any(_contains(group, at) for group in wanted)
        ]
        if order is None:
            found.sort()
        else:
            found.sort(key=self.ranks[order].__getitem__)
        by_id = self.orders[None].items
        return Selection([by_id[at] for at in found], [range(len(found))])


def _any(values: Iterable[str] | None) -> Iterable[str | None]:
    return (None,) if values is None else set(values)


def node_index(
    edges: Grouped[tuple[str, str, str]],
    kind: Mapping[str, str],
    by_id: Sequence[str],
    rankings: Mapping[str, Sequence[str]],
) -> NodeIndex:
    """Index the nodes of a graph (their ``kind``) in id order ``by_id`` and in each of
    ``rankings``, with the types of their edges from the graph's :func:`edge_index`."""
    edge_types: dict[str, set[str]] = {node: set() for node in by_id}
    for (edge_kind, edge_type, disputed, certainty), positions in edges.groups.items():
        if edge_kind is None and edge_type is not None and disputed is None and certainty is None:
            for u, v, _ in map(edges.items.__getitem__, positions):
                edge_types[u].add(str(edge_type))
                edge_types[v].add(str(edge_type))
    keyed = ((n, product((kind[n], None), (None, *edge_types[n]))) for n in by_id)
    orders: dict[str | None, Grouped[str]] = {None: Grouped.of(keyed, 2)}
    position = {node: at for at, node in enumerate(by_id)}
    ranks = {}
    for measure, ranked in rankings.items():
        ranks[measure] = rank = array(_TYPECODE, [0]) * len(by_id)
        for at, node in enumerate(ranked):
            rank[position[node]] = at
        orders[measure] = orders[None].reordered(ranked, rank)
    return NodeIndex(orders=orders, position=position, ranks=ranks)
