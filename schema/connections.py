"""Relay connections: cursors, ``PageInfo``, the page a list's arguments ask for, and the
generic ``Connection`` and ``Edge`` that each list's connection and edge types subclass.

A cursor is an item's position in the list as filtered and ordered, base64url-encoded
(``offset:N``): opaque to clients, meaningful only for the same list with the same arguments.
The page follows the Relay specification's pagination algorithm: ``after`` and ``before`` cut
the list, then ``first`` keeps the first items of what is left or ``last`` the last ones.
Asking for both ``first`` and ``last`` is refused (the specification discourages it, and the
page it gives is rarely what was meant); neither gives the first :data:`DEFAULT_PAGE` items.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import strawberry

from schema.errors import bad_input, check_range

#: Items on a page when neither ``first`` nor ``last`` is given.
DEFAULT_PAGE = 20


@strawberry.type(description="Where a page of a connection lies in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when the list has items after this page."
    )
    has_previous_page: bool = strawberry.field(
        description="True when the list has items before this page."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null for an empty page."
    )


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(argument: str, cursor: str) -> int:
    """The position a cursor stands for; a BAD_USER_INPUT error naming ``argument`` if it is
    not one this API gives out."""
    try:
        label, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeError, ValueError):
        label, offset = "", -1
    if label != "offset" or offset < 0 or str(offset) != number:
        raise bad_input(argument, f"is not a cursor this API gave out: {cursor!r}.")
    return offset


@dataclass(frozen=True, slots=True)
class Window:
    """The positions ``start`` to ``end - 1`` of a list of ``total`` items."""

    start: int
    end: int
    total: int

    def cursors(self) -> list[str]:
        """The cursors of the page's items, in order."""
        return [encode_cursor(offset) for offset in range(self.start, self.end)]

    def page_info(self) -> PageInfo:
        empty = self.end <= self.start
        return PageInfo(
            has_next_page=self.end < self.total,
            has_previous_page=self.start > 0,
            start_cursor=None if empty else encode_cursor(self.start),
            end_cursor=None if empty else encode_cursor(self.end - 1),
        )


@dataclass(frozen=True, slots=True)
class PageArguments:
    """A connection field's ``first``, ``after``, ``last`` and ``before``, as given."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def check(self, max_page_size: int) -> PageArguments:
        """Refuse what no page answers: sizes out of range, both sizes, a bad cursor."""
        if self.first is not None:
            check_range("first", self.first, 0, max_page_size)
        if self.last is not None:
            check_range("last", self.last, 0, max_page_size)
            if self.first is not None:
                raise bad_input(
                    "last",
                    "cannot be given with 'first': ask for the first items of the list (with "
                    "'after') or the last ones (with 'before').",
                )
        if self.after is not None:
            decode_cursor("after", self.after)
        if self.before is not None:
            decode_cursor("before", self.before)
        return self

    def window(self, total: int) -> Window:
        """The page of a list of ``total`` items (arguments checked first)."""
        start = 0 if self.after is None else min(decode_cursor("after", self.after) + 1, total)
        end = total if self.before is None else min(decode_cursor("before", self.before), total)
        end = max(start, end)
        if self.last is not None:
            start = max(start, end - self.last)
        else:
            end = min(end, start + (DEFAULT_PAGE if self.first is None else self.first))
        return Window(start, end, total)


FIRST = (
    "How many items from the start of the list (after `after`, if given): 0 to the page-size "
    "limit (100 by default); 20 if neither `first` nor `last` is given."
)
AFTER = (
    "Start after the item with this cursor (from `edges.cursor` or `pageInfo.endCursor` of the "
    "same list with the same arguments)."
)
LAST = (
    "How many items from the end of the list (before `before`, if given): 0 to the page-size "
    "limit; not with `first`."
)
BEFORE = "End before the item with this cursor (from `edges.cursor` or `pageInfo.startCursor`)."
TOTAL_COUNT = "How many items the whole list has, over all pages."
CURSOR = "Where this item is in the list: give it as `after` or `before` for the items next to it."


NodeT = TypeVar("NodeT")
EdgeT = TypeVar("EdgeT", bound="Edge[Any]")


@strawberry.type
class Edge(Generic[NodeT]):
    """An item of a page and its cursor. Each list subclasses it to name the GraphQL type and
    to describe it and its ``node`` (a specialised generic would take this class's descriptions)."""

    cursor: str = strawberry.field(description=CURSOR)
    node: NodeT


@strawberry.type
class Connection(Generic[EdgeT]):
    """A page of a list (Relay). Each list's subclass names and describes the GraphQL type and
    gives it its ``nodes`` with :func:`nodes_field`."""

    total_count: int = strawberry.field(description=TOTAL_COUNT)
    page_info: PageInfo = strawberry.field(description="Where the page lies in the whole list.")
    edges: list[EdgeT] = strawberry.field(description="The page's items, with cursors.")

    @classmethod
    def of_page(cls, window: Window, edges: list[EdgeT]) -> Self:
        return cls(total_count=window.total, page_info=window.page_info(), edges=edges)


def _page_nodes(root: Connection[Edge[NodeT]]) -> list[NodeT]:
    return [edge.node for edge in root.edges]


def nodes_field(description: str, deprecation_reason: str | None = None) -> Any:
    """A connection's field of its page's nodes without their cursors (the field's type is
    the annotation it is assigned to)."""
    return strawberry.field(
        resolver=_page_nodes, description=description, deprecation_reason=deprecation_reason
    )
