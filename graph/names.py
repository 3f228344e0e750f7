"""Every name a node answers to, and the one look-up that turns a name into nodes.

A node answers to its id, its name, its aliases (other names the articles use: "Chef Choi") and
its descriptions (referring descriptions the articles use: "the film's antagonist", "local
gangster"). Each such *form* is compared by its :func:`key`: case, spacing, hyphens,
underscores, typographic quotes, a possessive "'s" and leading articles and possessive
determiners ("the", "a", "an", "his", "her", "their", "its") are ignored, so that "big boss",
"The Big Boss" and "the big-boss" are one key. A name qualified by a parenthesis, "Ballerina
(2023)", also answers to what comes before it.

:meth:`Names.resolve` is the look-up every argument that takes a node goes through
(:func:`graph.query.resolve`); :mod:`graph.search` ranks the same forms for free text. A key
several nodes answer to is *ambiguous*: the look-up returns every candidate, best first, and
:class:`AmbiguousName` says so where one node is required. Never one of them silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from graph.errors import SelectionError
from graph.quotes import normalize

#: Words dropped from the front of a name: "the big boss" is "big boss", "her friend" "friend".
LEADING_WORDS = frozenset({"the", "a", "an", "his", "her", "their", "its"})

_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?!\w)")
_WORD = re.compile(r"\w+")
_QUALIFIER = re.compile(r"^(.*\S)\s*\([^()]*\)$")


class Field(Enum):
    """Which of a node's names a form is, in the order a tie between them is broken (``ID``:
    the node's id, as written)."""

    NAME = "name"
    ALIAS = "alias"
    DESCRIPTION = "description"
    ID = "id"


_FIELD_ORDER = {field: at for at, field in enumerate(Field)}


def words(text: str) -> list[str]:
    """The words of ``text`` as names are compared: case-folded, quotes straightened, a
    possessive "'s" dropped, split at anything not a letter or digit, leading articles and
    possessive determiners dropped (but never the last word)."""
    folded = _POSSESSIVE.sub("", normalize(text).casefold())
    found = _WORD.findall(folded.replace("_", " "))
    start = 0
    while start < len(found) - 1 and found[start] in LEADING_WORDS:
        start += 1
    return found[start:]


def key(text: str) -> str:
    """The key two names are equal by: their :func:`words`, run together (so "Min Hee",
    "Min-hee" and "minhee" are one)."""
    return "".join(words(text))


@dataclass(frozen=True, slots=True)
class Form:
    """One name of one node, as written, and which of its names it is."""

    node: str
    text: str
    field: Field


def forms_of(node: str, data: Mapping[str, object]) -> list[Form]:
    """The forms of a node, from its attribute dict: name (and, for "Ballerina (2023)", the
    name before the parenthesis), aliases, descriptions; each text once, first field wins.
    The id is no form: it names its node only as written (see :meth:`Names.resolve`)."""
    name = str(data.get("name") or node)
    found = [Form(node, name, Field.NAME)]
    qualified = _QUALIFIER.match(name)
    if qualified:
        found.append(Form(node, qualified.group(1), Field.NAME))
    found += [Form(node, a, Field.ALIAS) for a in _texts(data.get("aliases"))]
    found += [Form(node, d, Field.DESCRIPTION) for d in _texts(data.get("descriptions"))]
    seen: set[str] = set()
    unique = []
    for form in found:
        if form.text not in seen:
            seen.add(form.text)
            unique.append(form)
    return unique


def _texts(value: object) -> list[str]:
    """The strings of a node's ``aliases`` or ``descriptions`` attribute (none if absent)."""
    return [str(text) for text in value] if isinstance(value, (list, tuple)) else []


class AmbiguousName(SelectionError):
    """A name that several nodes answer to, where one node is required."""

    parameter = "center"

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        super().__init__(name, tuple(candidates))
        self.name = name
        self.candidates = tuple(candidates)
        self.known = self.candidates  # the names that would do

    def __str__(self) -> str:
        listed = ", ".join(self.candidates)
        return f"{self.name!r} names {len(self.candidates)} nodes ({listed}); give one of their ids"


class Names:
    """Every node's forms by key, each key's nodes best first. Immutable once built.

    A key's nodes are ordered by the best field they answer to it with (a node *named* so
    before one also *called* so, before one *described* so), then by ``rank`` (centrality:
    the more central first), then by id.
    """

    __slots__ = ("_by_key", "_rank")

    def __init__(self, keyed: Iterable[tuple[str, Form]], rank: Mapping[str, int]) -> None:
        """From ``(key(form.text), form)`` pairs, and each node's ``rank``."""
        self._rank = rank
        by_key: dict[str, dict[str, Form]] = defaultdict(dict)
        for k, form in keyed:
            if not k:
                continue
            held = by_key[k].get(form.node)
            if held is None or _FIELD_ORDER[form.field] < _FIELD_ORDER[held.field]:
                by_key[k][form.node] = form
        self._by_key: dict[str, tuple[Form, ...]] = {
            k: tuple(sorted(found.values(), key=self._order)) for k, found in by_key.items()
        }

    def _order(self, form: Form) -> tuple[int, int, str]:
        return (_FIELD_ORDER[form.field], self._rank.get(form.node, 0), form.node)

    def matches(self, name: str) -> tuple[Form, ...]:
        """The forms, one per node, whose key is that of ``name``, best first."""
        return self._by_key.get(key(name), ())

    def resolve(self, name: str, ids: Container[Hashable] | None = None) -> list[str]:
        """The nodes ``name`` names, best first: itself alone if it is an id in ``ids``, else
        every node with a form of its key (several: the name is ambiguous)."""
        if ids is not None and name in ids:
            return [name]
        return [form.node for form in self.matches(name)]

    def require(self, name: str, ids: Container[Hashable] | None = None) -> str | None:
        """The one node ``name`` names; ``None`` if none; :class:`AmbiguousName` if several."""
        found = self.resolve(name, ids)
        if len(found) > 1:
            raise AmbiguousName(name, found)
        return found[0] if found else None
