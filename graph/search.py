"""Alias-aware, typo-tolerant search over node names, built once with the graph.

Every id, name and alias of a node is a *form*. A query is scored against the forms:

=====  ===========================================================================
1.0    equals a form (case, hyphens, spaces and typographic quotes ignored)
0.9    every word of the query starts a word of the form ("choi" → "Choi Pro")
0.85   the form contains the query as a substring
≤0.8   character-trigram similarity (Dice) with a form, for misspellings:
       "Jeon Jong-seo" ≈ "Jun Jong-seo", "lamborgini" ≈ "Lamborghini"
0.3    every word of the query appears in the node's description
=====  ===========================================================================

A node's score is that of its best form. Candidates for the fuzzy tier come from an inverted
trigram index, so a search never scans every node.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import networkx as nx

from graph.quotes import normalize

_WORD = re.compile(r"\w+")
FUZZY_THRESHOLD = 0.45
#: Forms of more than this many nodes are too common to rank fuzzy candidates by.
_MAX_POSTINGS = 5_000


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text).casefold().replace("_", " "))


def compact(text: str) -> str:
    return "".join(words(text))


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True, slots=True)
class Hit:
    node: str
    score: float
    form: str


class SearchIndex:
    """Forms and trigram postings of every node. Immutable once built."""

    def __init__(self) -> None:
        self._forms: list[tuple[str, str, str, tuple[str, ...]]] = []  # node, form, compact, words
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._trigrams: dict[str, list[int]] = defaultdict(list)
        self._description_words: dict[str, set[str]] = defaultdict(set)

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> SearchIndex:
        index = cls()
        for node, data in G.nodes(data=True):
            for form in dict.fromkeys([data.get("name") or node, *data.get("aliases", ()), node]):
                index._add_form(node, form)
            for word in set(words(data.get("description") or "")):
                index._description_words[word].add(node)
        return index

    def _add_form(self, node: str, form: str) -> None:
        key = compact(form)
        if not key:
            return
        at = len(self._forms)
        self._forms.append((node, form, key, tuple(words(form))))
        self._exact[key].append(at)
        for gram in trigrams(key):
            self._trigrams[gram].append(at)

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """The best ``limit`` nodes for ``query``, best first (ties broken by node id)."""
        key = compact(query)
        if not key:
            return []
        query_words = words(query)
        best: dict[str, Hit] = {}

        def offer(at: int, score: float) -> None:
            node, form, _, _ = self._forms[at]
            if node not in best or score > best[node].score:
                best[node] = Hit(node, round(score, 4), form)

        for at in self._exact.get(key, ()):
            offer(at, 1.0)
        grams = trigrams(key)
        shared: Counter[int] = Counter()
        for gram in grams:
            postings = self._trigrams.get(gram, ())
            if len(postings) <= _MAX_POSTINGS:
                shared.update(postings)
        for at, common in shared.items():
            _, _, form_key, form_words = self._forms[at]
            if form_key == key:
                continue
            if all(any(w.startswith(q) for w in form_words) for q in query_words):
                offer(at, 0.9)
            elif key in form_key:
                offer(at, 0.85)
            else:
                dice = 2 * common / (len(grams) + len(trigrams(form_key)))
                if dice >= FUZZY_THRESHOLD:
                    offer(at, 0.8 * dice)
        if query_words:
            described = set.intersection(
                *(self._description_words.get(w, set()) for w in query_words)
            )
            for node in described:
                if node not in best:
                    best[node] = Hit(node, 0.3, "")
        return sorted(best.values(), key=lambda h: (-h.score, h.node))[:limit]
