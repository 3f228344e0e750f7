"""Alias-aware, typo-tolerant search over every name of every node, built once with the graph.

The names of a node are its *forms* (:mod:`graph.names`: name, aliases, the referring
descriptions the articles use), compared by :func:`graph.names.key` (case, spacing, hyphens,
typographic quotes, a possessive "'s", leading articles and possessive determiners ignored).
A query is scored against every form; a node's score is that of its best form:

==========  ====================================================================================
1.0         the query is the node's name ("Jeon Jong-seo", "big boss" for "The big boss"), or its
            id as written ("gang-boss")
0.98        ... one of its aliases, the other names the articles use ("Chef Choi")
0.95        ... one of its descriptions, the referring phrases the articles use ("local gangster")
0.85–0.9    every word of the query starts a word of the form ("boss" → "Choi's boss"); higher
            the more of the form the query covers, so "boss" finds the boss before his lair
0.8–0.85    the form contains the query ("thrower" → "flamethrower"), likewise by coverage
< 0.8       character-trigram similarity (0.8 × Dice) with a form, for misspellings:
            "Jeon Jong-seo" ≈ "Jun Jong-seo", "lamborgini" ≈ "Lamborghini"
0.3         every word of the query is in the node's written description
≤ 0.2       (:func:`search` only, when no name matched) an entity that one of the article
            sentences best answering the query mentions (:mod:`graph.passages`)
==========  ====================================================================================

Below the exact tiers an event scores 0.97 of what an entity would: for a noun phrase ("the
beach", "weapons") the place or thing comes before the events that mention it. A number in the
query must be a whole word of the form in the prefix and substring tiers ("Ballerina 2" is not
a prefix of "Ballerina (2023)"). Equal scores are ordered by centrality (PageRank), most central
first, then by id: a key several nodes answer to (an ambiguous name) returns all of them.

Candidates for the fuzzy tier come from an inverted trigram index, so a search never scans every
node; the trigrams each candidate shares with the query are counted with NumPy, and only
candidates that can reach a tier are looked at in Python.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from graph.names import Field, Form, Names, forms_of, words

if TYPE_CHECKING:  # graph.knowledge holds a SearchIndex
    from graph.knowledge import KnowledgeGraph

FUZZY_THRESHOLD = 0.45
#: Score of an exact match, by the field matched.
EXACT_SCORES = {Field.NAME: 1.0, Field.ID: 1.0, Field.ALIAS: 0.98, Field.DESCRIPTION: 0.95}
PREFIX_SCORE = 0.85  # + up to 0.05 by coverage
SUBSTRING_SCORE = 0.8  # + up to 0.05 by coverage
COVERAGE_WEIGHT = 0.05
FUZZY_WEIGHT = 0.8
#: Fuzzy scores stay below every substring score.
FUZZY_CAP = 0.79
#: What an event scores, below the exact tiers, against what an entity would.
EVENT_FACTOR = 0.97
#: The score of a node found by its written description only, below every name tier.
DESCRIPTION_SCORE = 0.3
#: Forms of more than this many nodes are too common to rank fuzzy candidates by.
_MAX_POSTINGS = 5_000


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True, slots=True)
class Hit:
    node: str
    score: float
    #: The text that matched: the name, alias or description as written, or, for a hit on the
    #: written description, that description.
    form: str
    #: Which: a :class:`graph.names.Field` value ("name", "id", "alias", "description").
    field: str


def form_score(
    query_key: str, query_words: list[str], form_key: str, form_words: list[str], dice: float
) -> float:
    """The score of one form that is not an exact match, before the event factor: 0 if none.

    ``dice`` is the trigram similarity of the two keys. (The definition the index implements
    faster; the scan-equivalence test compares the two.)"""
    spaced = " " + " ".join(form_words)
    coverage = len(query_key) / len(form_key)
    numbers_agree = all(q in form_words for q in query_words if q.isdigit())
    if numbers_agree and all(f" {q}" in spaced for q in query_words):
        return PREFIX_SCORE + COVERAGE_WEIGHT * coverage
    if numbers_agree and query_key in form_key:
        return SUBSTRING_SCORE + COVERAGE_WEIGHT * coverage
    if dice >= FUZZY_THRESHOLD:
        return min(FUZZY_WEIGHT * dice, FUZZY_CAP)
    return 0.0


class SearchIndex:
    """Forms and trigram postings of every node, and the node names. Immutable once built."""

    def __init__(self, names: Names, rank: Mapping[str, int], events: frozenset[str]) -> None:
        #: The name look-up every argument that takes a node goes through.
        self.names = names
        self._rank = rank
        self._events = events
        # form, its key, and its words
        self._forms: list[tuple[Form, str, list[str]]] = []
        self._exact: dict[str, list[int]] = defaultdict(list)
        # trigram -> the forms whose key has it; and each form's number of trigrams: arrays,
        # for counting in NumPy
        self._postings: dict[str, np.ndarray] = {}
        self._gram_counts = np.zeros(0, dtype=np.int32)
        # per form: the length of its key, and the centrality rank of its node (for bounding
        # a candidate's score, and ordering candidates, without looking at it in Python)
        self._key_lengths = np.zeros(0, dtype=np.int32)
        self._form_ranks = np.zeros(0, dtype=np.int32)
        self._descriptions: dict[str, str] = {}
        self._description_words: dict[str, set[str]] = defaultdict(set)
        self._sorted_descriptions: dict[str, tuple[str, ...]] = {}

    @classmethod
    def of(cls, G: nx.MultiDiGraph[str]) -> SearchIndex:
        pagerank = {n: float(data.get("pagerank", 0.0)) for n, data in G.nodes(data=True)}
        ranked = sorted(G, key=lambda n: (-float(f"{pagerank[n]:.12g}"), n))
        rank = {node: at for at, node in enumerate(ranked)}
        events = frozenset(n for n, data in G.nodes(data=True) if data.get("kind") == "event")
        # Each form with its words, normalised once for the names and the search alike.
        all_forms = [
            (form, words(form.text))
            for node, data in G.nodes(data=True)
            for form in forms_of(node, data)
        ]
        names = Names((("".join(w), form) for form, w in all_forms), rank)
        index = cls(names, rank, events)
        postings: dict[str, list[int]] = defaultdict(list)
        gram_counts: list[int] = []
        for form, form_words in all_forms:
            form_key = "".join(form_words)
            if not form_key:
                continue
            at = len(index._forms)
            index._forms.append((form, form_key, form_words))
            index._exact[form_key].append(at)
            grams = trigrams(form_key)
            gram_counts.append(len(grams))
            for gram in grams:
                postings[gram].append(at)
        for node, data in G.nodes(data=True):
            description = str(data.get("description") or "")
            if description:
                index._descriptions[node] = description
                for word in set(words(description)):
                    index._description_words[word].add(node)
        index._postings = {gram: np.array(at, dtype=np.int32) for gram, at in postings.items()}
        index._gram_counts = np.array(gram_counts, dtype=np.int32)
        index._key_lengths = np.array([len(k) for _, k, _ in index._forms], dtype=np.int32)
        index._form_ranks = np.array([rank[f.node] for f, _, _ in index._forms], dtype=np.int32)
        return index

    def search(self, query: str, limit: int = 20, *, descriptions: bool = True) -> list[Hit]:
        """The best ``limit`` nodes for ``query``, best first (ties by centrality, then id).

        ``descriptions=False`` leaves out the nodes found by their written description only,
        for callers that want names (they would walk every node whose description has a
        common word)."""
        query_words = words(query)
        query_key = "".join(query_words)
        if not query_key:
            return []
        # node -> (score, form index); Hits are made for the nodes returned only.
        best: dict[str, tuple[float, int]] = {}

        def offer(at: int, score: float) -> None:
            node = self._forms[at][0].node
            if node in self._events and score < EXACT_SCORES[Field.DESCRIPTION]:
                score *= EVENT_FACTOR
            held = best.get(node)
            if held is None or score > held[0]:
                best[node] = (round(score, 4), at)

        for at in self._exact.get(query_key, ()):
            offer(at, EXACT_SCORES[self._forms[at][0].field])
        if query in self._rank:  # an id, as written
            best[query] = (EXACT_SCORES[Field.ID], -1)
        grams = trigrams(query_key)
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
        if shared:
            # Forms in index order: where two forms of a node score alike, the first is kept.
            forms, common = np.unique(np.concatenate(shared), return_counts=True)
            dice = 2 * common / (len(grams) + self._gram_counts[forms])
            prefix, substring = common >= for_prefix, common >= for_substring
            reachable = prefix | substring | (dice >= FUZZY_THRESHOLD)
            forms, dice = forms[reachable], dice[reachable]
            prefix, substring = prefix[reachable], substring[reachable]
            # The most each candidate can score (form_score's tiers, by the tiers it can
            # reach): candidates are looked at best bound first, and once `limit` nodes score
            # above every bound left, the rest cannot enter the answer. So a name that
            # hundreds of forms start costs its top, not all of them.
            coverage = len(query_key) / self._key_lengths[forms]
            bound = np.where(
                prefix,
                PREFIX_SCORE + COVERAGE_WEIGHT * coverage,
                np.where(
                    substring,
                    SUBSTRING_SCORE + COVERAGE_WEIGHT * coverage,
                    np.minimum(FUZZY_WEIGHT * dice, FUZZY_CAP),
                ),
            )
            order = np.lexsort((self._form_ranks[forms], -bound))
            candidates: Iterable[tuple[int, float, float]] = zip(
                forms[order].tolist(), dice[order].tolist(), bound[order].tolist(), strict=True
            )
        else:
            candidates = ()
        for looked, (at, dice_at, most) in enumerate(candidates):
            if looked % 32 == 0 and len(best) >= limit:
                # (scores are rounded to 4 places: a bound that rounds to the k-th is not out)
                kth = heapq.nlargest(limit, (s for s, _ in best.values()))[-1]
                if most + 1e-4 < kth:
                    break
            _, form_key, form_words = self._forms[at]
            if form_key == query_key:
                continue
            score = form_score(query_key, query_words, form_key, form_words, dice_at)
            if score:
                offer(at, score)
        rank = self._rank
        top = heapq.nsmallest(limit, best.items(), key=lambda item: (-item[1][0], rank[item[0]]))
        hits = []
        for node, (score, at) in top:
            if at < 0:
                hits.append(Hit(node, score, node, Field.ID.value))
                continue
            form = self._forms[at][0]
            hits.append(Hit(node, score, form.text, form.field.value))
        # Description matches score 0.3, below every name tier (the lowest, fuzzy, is at least
        # 0.8 x 0.45 x 0.97), so they only fill the places left, most central first: take just
        # that many.
        missing = limit - len(hits)
        if descriptions and missing > 0:
            hits += [
                Hit(node, DESCRIPTION_SCORE, self._descriptions[node], Field.DESCRIPTION.value)
                for node in self._described(query_words, best, missing)
            ]
        return hits

    def rank_of(self, node: str) -> int:
        """The node's place by centrality (PageRank), from 0 for the most central."""
        return self._rank[node]

    def _described(self, query_words: list[str], exclude: Container[str], count: int) -> list[str]:
        """The first ``count`` nodes, most central first, whose description has every query
        word, leaving out ``exclude``: walks the rarest word's nodes in order, stopping when it
        has enough."""
        wanted = list(dict.fromkeys(query_words))
        found_sets = [self._description_words.get(w) for w in wanted]
        if not wanted or not all(found_sets):
            return []
        sets = [s for s in found_sets if s]
        rarest = min(range(len(wanted)), key=lambda i: len(sets[i]))
        others = [s for i, s in enumerate(sets) if i != rarest]
        found: list[str] = []
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
            nodes = self._description_words[word]
            ordered = self._sorted_descriptions[word] = tuple(
                sorted(nodes, key=self._rank.__getitem__)
            )
        return ordered


#: The score of a node found only through the passages that mention it, at most.
PASSAGE_SCORE = 0.2
#: How many of the best passages are read for the nodes they mention.
PASSAGES_READ = 5


def search(
    K: KnowledgeGraph,
    text: str,
    limit: int,
    kinds: Collection[str] | None = None,
    certainties: Collection[str] | None = None,
) -> list[Hit]:
    """The best ``limit`` nodes (of ``kinds``, whose description is of one of ``certainties``)
    for ``text``: by their names, then by their written descriptions, and, if no name matched
    and places are left, the entities the best passages (:mod:`graph.passages`) mention, in the
    passages' order (the more central first within one), scoring up to :data:`PASSAGE_SCORE` by
    the passage's relevance, matched by the sentence."""
    G, index, passages = K.graph, K.search, K.passages

    def wanted(node: str) -> bool:
        data = G.nodes[node]
        return (kinds is None or data["kind"] in kinds) and (
            certainties is None or data.get("certainty", "stated") in certainties
        )

    filtered = kinds is not None or certainties is not None
    hits = index.search(text, limit=len(G) if filtered else limit)
    if filtered:
        hits = [h for h in hits if wanted(h.node)][:limit]
    missing = limit - len(hits)
    # Only when no name matched: a full-text query costs more than the name search, and a name
    # that matched, even misspelt, is what was meant.
    named = any(h.score > DESCRIPTION_SCORE for h in hits)
    if missing <= 0 or named:
        return hits
    found = {h.node for h in hits}
    read = passages.search(text, PASSAGES_READ)
    for passage in read:
        score = float(f"{PASSAGE_SCORE * passage.score / read[0].score:.4g}")
        for node in sorted(passages.mentions(passage.passage), key=index.rank_of):
            if node in found or not wanted(node):
                continue
            found.add(node)
            hits.append(Hit(node, score, passage.passage.text, "passage"))
            if len(hits) == limit:
                return hits
    return hits
