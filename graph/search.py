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
trigram index, so a search never scans every node; the trigrams each candidate shares with the
query are counted with NumPy, and only candidates that can reach a tier are looked at in Python.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graph.quotes import normalize

_WORD = re.compile(r"\w+")
FUZZY_THRESHOLD = 0.45
#: The score of a node found by its description only, below every name tier.
DESCRIPTION_SCORE = 0.3
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
        # node, form, compact key, and " " + the form's words joined by spaces: a word of the
        # form starts with q exactly where " q" occurs in it (words hold no spaces).
        self._forms: list[tuple[str, str, str, str]] = []
        self._exact: dict[str, list[int]] = defaultdict(list)
        # trigram -> the forms whose compact key has it; and each form's number of trigrams:
        # arrays, for counting in NumPy
        self._postings: dict[str, np.ndarray] = {}
        self._gram_counts = np.zeros(0, dtype=np.int32)
        self._description_words: dict[str, set[str]] = defaultdict(set)
        self._sorted_descriptions: dict[str, tuple[str, ...]] = {}

    @classmethod
    def of(cls, G: nx.MultiDiGraph) -> SearchIndex:
        index = cls()
        postings: dict[str, list[int]] = defaultdict(list)
        gram_counts: list[int] = []
        for node, data in G.nodes(data=True):
            for form in dict.fromkeys([data.get("name") or node, *data.get("aliases", ()), node]):
                key = compact(form)
                if not key:
                    continue
                at = len(index._forms)
                index._forms.append((node, form, key, " " + " ".join(words(form))))
                index._exact[key].append(at)
                grams = trigrams(key)
                gram_counts.append(len(grams))
                for gram in grams:
                    postings[gram].append(at)
            for word in set(words(data.get("description") or "")):
                index._description_words[word].add(node)
        index._postings = {gram: np.array(at, dtype=np.int32) for gram, at in postings.items()}
        index._gram_counts = np.array(gram_counts, dtype=np.int32)
        return index

    def search(self, query: str, limit: int = 20, *, descriptions: bool = True) -> list[Hit]:
        """The best ``limit`` nodes for ``query``, best first (ties broken by node id).

        ``descriptions=False`` leaves out the nodes found by their description only, for callers
        that want names (they would walk every node whose description has a common word)."""
        key = compact(query)
        if not key:
            return []
        query_words = words(query)
        # node -> (score, form); Hits are made for the nodes returned only.
        best: dict[str, tuple[float, str]] = {}

        def offer(at: int, score: float) -> None:
            node, form, _, _ = self._forms[at]
            held = best.get(node)
            if held is None or score > held[0]:
                best[node] = (round(score, 4), form)

        for at in self._exact.get(key, ()):
            offer(at, 1.0)
        grams = trigrams(key)
        # A trigram no form has counts too: it rules out every form that would need it.
        counted = {g for g in grams if len(self._postings.get(g, ())) <= _MAX_POSTINGS}
        shared = [self._postings[g] for g in counted if g in self._postings]
        # Lower bounds on the shared trigrams a form needs for each tier, so that most
        # candidates are ruled out by counting alone. A form that every query word starts a
        # word of contains each query word, and so every counted trigram lying inside one; a
        # form containing the whole key has every counted trigram of the key but the three
        # that touch the padding.
        inside_words = {g for w in query_words for g in trigrams(w) if " " not in g} & counted
        inside_key = {g for g in grams if " " not in g} & counted
        for_prefix, for_substring = len(inside_words), len(inside_key)
        query_grams = len(grams)
        word_starts = [f" {q}" for q in query_words]
        if shared:
            # Forms in index order: where two forms of a node score alike, the first is kept.
            forms, common = np.unique(np.concatenate(shared), return_counts=True)
            dice = 2 * common / (query_grams + self._gram_counts[forms])
            reachable = (common >= for_prefix) | (common >= for_substring)
            reachable |= dice >= FUZZY_THRESHOLD
            candidates = zip(forms[reachable].tolist(), dice[reachable].tolist(), strict=True)
        else:
            candidates = iter(())
        for at, dice_at in candidates:
            _, _, form_key, spaced_words = self._forms[at]
            if form_key == key:
                continue
            if all(starts in spaced_words for starts in word_starts):
                offer(at, 0.9)
            elif key in form_key:
                offer(at, 0.85)
            elif dice_at >= FUZZY_THRESHOLD:
                offer(at, 0.8 * dice_at)
        top = heapq.nsmallest(limit, best.items(), key=lambda item: (-item[1][0], item[0]))
        # Description matches score 0.3, below every name tier (the lowest, fuzzy, is at least
        # 0.8 x 0.45), so they only fill the places left, in node order: take just that many.
        missing = limit - len(top)
        if descriptions and query_words and missing > 0:
            top += [
                (node, (DESCRIPTION_SCORE, ""))
                for node in self._described(query_words, best, missing)
            ]
        return [Hit(node, score, form) for node, (score, form) in top]

    def _described(self, query_words: list[str], exclude: dict[str, object], count: int):
        """The first ``count`` nodes, by id, whose description has every query word, leaving
        out ``exclude``: walks the rarest word's nodes in order, stopping when it has enough."""
        wanted = list(dict.fromkeys(query_words))
        sets = [self._description_words.get(w) for w in wanted]
        if not all(sets):
            return []
        rarest = min(range(len(wanted)), key=lambda i: len(sets[i]))
        others = [s for i, s in enumerate(sets) if i != rarest]
        found = []
        for node in self._in_order(wanted[rarest]):
            if node in exclude or any(node not in s for s in others):
                continue
            found.append(node)
            if len(found) == count:
                break
        return found

    def _in_order(self, word: str) -> tuple[str, ...]:
        # Sorted on first use and kept: the index never changes once built.
        ordered = self._sorted_descriptions.get(word)
        if ordered is None:
            ordered = self._sorted_descriptions[word] = tuple(sorted(self._description_words[word]))
        return ordered
