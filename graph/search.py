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
candidates that can reach a tier are looked at in Python. In a large graph a trigram can be in
so many forms that it says nothing of which is meant (a syllable of a million generated names):
one in more than :data:`MAX_POSTINGS` forms is not counted, and the similarity is taken over
the other trigrams of the query and of the form, as a search engine leaves out stop words. A
query counts its trigrams rarest first, up to :data:`COUNTED_POSTINGS` postings in all. Below
those bounds (the film's graph, and generated ones up to about 10^5 edges) every trigram counts.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Collection, Container, Iterable, Mapping
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
#: Trigrams in more forms than this are too common to rank fuzzy candidates by: they are not
#: counted, and similarities are taken over the other trigrams of the query and of the form.
MAX_POSTINGS = 5_000
#: Flagged forms few enough to check in Python rather than with a NumPy call per posting.
_FEW = 16
#: A query's trigrams are counted rarest first, up to this many postings in all: a bound on a
#: long query's work (an event's name of thirty trigrams) that no graph of fewer than about
#: 10^5 edges reaches.
COUNTED_POSTINGS = 40_000


def _words(known: dict[str, list[str]], text: str) -> list[str]:
    known[text] = found = words(text)
    return found


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

    def __init__(
        self,
        names: Names,
        rank: Mapping[str, int],
        events: frozenset[str],
        *,
        max_postings: int = MAX_POSTINGS,
        counted_postings: int = COUNTED_POSTINGS,
    ) -> None:
        #: The name look-up every argument that takes a node goes through.
        self.names = names
        self._max_postings = max_postings
        self._counted_postings = counted_postings
        self._rank = rank
        self._events = events
        # form, its key, and its words
        self._forms: list[tuple[Form, str, list[str]]] = []
        self._exact: dict[str, list[int]] = defaultdict(list)
        # trigram -> the forms whose key has it; and each form's number of trigrams, less those
        # too common to count: arrays, for counting in NumPy
        self._postings: dict[str, np.ndarray] = {}
        # the first one and two letters of a word -> the forms with a word starting so: what
        # rules forms out for a query word too short for a trigram to lie inside it ("ju")
        self._word_starts: dict[str, np.ndarray] = {}
        self._gram_counts = np.zeros(0, dtype=np.int32)
        # per form: the length of its key, and the centrality rank of its node (for bounding
        # a candidate's score, and ordering candidates, without looking at it in Python)
        self._key_lengths = np.zeros(0, dtype=np.int32)
        self._form_ranks = np.zeros(0, dtype=np.int32)
        # per form: the factor its node's score takes below the exact tiers (EVENT_FACTOR for
        # an event), for bounding
        self._form_factors = np.zeros(0, dtype=np.float64)
        # the nodes by rank, and per rank the codes of the node's kind and certainty (for the
        # filters of search(kinds:, certainty:))
        self._ranked: tuple[str, ...] = ()
        self._kind_codes = np.zeros(0, dtype=np.int16)
        self._certainty_codes = np.zeros(0, dtype=np.int16)
        self._codes: dict[str, int] = {}
        self._descriptions: dict[str, str] = {}
        # word -> the ranks of the nodes whose written description has it, in rank order:
        # sorted once here, so that no query pays for it
        self._description_ranks: dict[str, np.ndarray] = {}

    @classmethod
    def of(
        cls,
        G: nx.MultiDiGraph[str],
        *,
        max_postings: int = MAX_POSTINGS,
        counted_postings: int = COUNTED_POSTINGS,
    ) -> SearchIndex:
        """The index of ``G``'s nodes; ``max_postings`` and ``counted_postings``: see
        :data:`MAX_POSTINGS` and :data:`COUNTED_POSTINGS`."""
        pagerank = {n: float(data.get("pagerank", 0.0)) for n, data in G.nodes(data=True)}
        ranked = sorted(G, key=lambda n: (-float(f"{pagerank[n]:.12g}"), n))
        rank = {node: at for at, node in enumerate(ranked)}
        events = frozenset(n for n, data in G.nodes(data=True) if data.get("kind") == "event")
        # Each form with its words, normalised once for the names and the search alike (and
        # once per text: many nodes share a form, and the lists are only read).
        words_of: dict[str, list[str]] = {}
        all_forms = [
            (form, words_of[form.text] if form.text in words_of else _words(words_of, form.text))
            for node, data in G.nodes(data=True)
            for form in forms_of(node, data)
        ]
        names = Names((("".join(w), form) for form, w in all_forms), rank)
        index = cls(
            names, rank, events, max_postings=max_postings, counted_postings=counted_postings
        )
        postings: dict[str, list[int]] = defaultdict(list)
        word_starts: dict[str, list[int]] = defaultdict(list)
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
            for start in {w[:n] for w in form_words for n in (1, 2)}:
                word_starts[start].append(at)
        described: dict[str, list[int]] = defaultdict(list)
        for at, node in enumerate(ranked):  # in rank order, so each word's ranks come sorted
            description = str(G.nodes[node].get("description") or "")
            if description:
                index._descriptions[node] = description
                for word in dict.fromkeys(words(description)):
                    described[word].append(at)
        index._description_ranks = {w: np.array(r, dtype=np.int32) for w, r in described.items()}
        index._postings = {gram: np.array(at, dtype=np.int32) for gram, at in postings.items()}
        index._word_starts = {s: np.array(at, dtype=np.int32) for s, at in word_starts.items()}
        # Each form's trigrams, less those too common to count (in more than max_postings
        # forms): what a similarity is taken over, for the query's trigrams likewise.
        index._gram_counts = np.array(gram_counts, dtype=np.int32)
        for posting in index._postings.values():
            if len(posting) > max_postings:
                index._gram_counts[posting] -= 1
        index._key_lengths = np.array([len(k) for _, k, _ in index._forms], dtype=np.int32)
        index._form_ranks = np.array([rank[f.node] for f, _, _ in index._forms], dtype=np.int32)
        index._form_factors = np.array(
            [EVENT_FACTOR if f.node in events else 1.0 for f, _, _ in index._forms]
        )
        index._ranked = tuple(ranked)
        kinds = [str(G.nodes[n].get("kind")) for n in ranked]
        certainties = [str(G.nodes[n].get("certainty", "stated")) for n in ranked]
        index._codes = {v: at for at, v in enumerate(sorted({*kinds, *certainties}))}
        index._kind_codes = np.array([index._codes[k] for k in kinds], dtype=np.int16)
        index._certainty_codes = np.array([index._codes[c] for c in certainties], dtype=np.int16)
        return index

    def _counted(self, grams: Collection[str]) -> set[str]:
        """The trigrams of a query that are counted: rarest first, each in at most
        :data:`MAX_POSTINGS` forms, until their postings would add up to more than
        :data:`COUNTED_POSTINGS` (the index's own bounds, if it was built with others). A
        trigram no form has counts too: it rules out every form that would need it."""
        counted, total = set(), 0
        for size, gram in sorted((len(self._postings.get(g, ())), g) for g in grams):
            total += size
            if size > self._max_postings or total > self._counted_postings:
                break
            counted.add(gram)
        return counted

    def _gathered(
        self, grams: Collection[str], inside_words: Container[str], inside_key: Container[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The forms having any of ``grams``, in index order, and how many of ``grams``, of
        ``inside_key`` and of ``inside_words`` (a subset of ``inside_key``) each has: one sort
        of every posting, each entry tagged with which of the sets its gram is in."""
        # (int32 sorts faster, where it holds four times the number of forms)
        dtype = np.int32 if len(self._forms) < 1 << 29 else np.int64
        tagged = [
            self._postings[g].astype(dtype) * 4 + (g in inside_key) + (g in inside_words)
            for g in grams
            if g in self._postings
        ]
        if not tagged:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        keys = np.concatenate(tagged)
        keys.sort()
        found, tags = keys >> 2, (keys & 3).astype(np.int8)
        starts = np.flatnonzero(np.concatenate(([True], found[1:] != found[:-1])))
        ends = np.append(starts[1:], len(keys))
        # counted as differences of running sums: NumPy's reduceat over booleans is slower
        in_key, in_words = np.zeros(len(keys) + 1, np.int32), np.zeros(len(keys) + 1, np.int32)
        np.cumsum(tags > 0, out=in_key[1:])
        np.cumsum(tags == 2, out=in_words[1:])
        common = ends - starts
        in_key, in_words = in_key[ends] - in_key[starts], in_words[ends] - in_words[starts]
        return found[starts].astype(np.int32), common, in_words, in_key

    def _having(
        self,
        forms: np.ndarray,
        flags: np.ndarray,
        postings: Iterable[np.ndarray | None],
        one: Callable[[int], bool],
    ) -> np.ndarray:
        """``flags`` (one per form of ``forms``), kept only where the form is in every one of
        ``postings`` (``None``: in none): a binary search per flagged form and posting, the
        shortest posting first, so that few forms are left for the long ones; once few are,
        ``one`` (whether a form, by its index, is in every posting) tells them apart in
        Python, which costs less than a NumPy call per posting."""
        flags = flags.copy()
        for posting in sorted(postings, key=lambda p: -1 if p is None else len(p)):
            at = np.flatnonzero(flags)
            if len(at) <= _FEW:
                flags[at] = [one(f) for f in forms[at].tolist()]
                break
            if posting is None or not len(posting):
                flags[at] = False
                break
            flagged = forms[at]
            found = np.minimum(np.searchsorted(posting, flagged), len(posting) - 1)
            flags[at] = posting[found] == flagged
        return flags

    def _has_grams(self, grams: set[str]) -> Callable[[int], bool]:
        return lambda at: grams <= trigrams(self._forms[at][1])

    def _has_word_starts(self, starts: Collection[str]) -> Callable[[int], bool]:
        return lambda at: all(any(w.startswith(s) for w in self._forms[at][2]) for s in starts)

    def _allowed(
        self, kinds: Collection[str] | None, certainties: Collection[str] | None
    ) -> Callable[[np.ndarray], np.ndarray] | None:
        """For ranks, whether their nodes are of ``kinds`` and ``certainties`` (``None``: no
        filter)."""
        if kinds is None and certainties is None:
            return None
        tests = [
            (codes, np.array([self._codes[v] for v in values if v in self._codes], np.int16))
            for codes, values in ((self._kind_codes, kinds), (self._certainty_codes, certainties))
            if values is not None
        ]

        def allowed(ranks: np.ndarray) -> np.ndarray:
            mask = np.ones(len(ranks), dtype=bool)
            for codes, wanted in tests:
                mask &= np.isin(codes[ranks], wanted)
            return mask

        return allowed

    def search(
        self,
        query: str,
        limit: int = 20,
        *,
        descriptions: bool = True,
        kinds: Collection[str] | None = None,
        certainties: Collection[str] | None = None,
        at_least: float = 0.0,
    ) -> list[Hit]:
        """The best ``limit`` nodes for ``query``, best first (ties by centrality, then id), of
        ``kinds`` and ``certainties`` if given (the nodes' ``kind`` and ``certainty``): the
        first ``limit`` of the unfiltered answer's nodes that pass, found without it.

        ``descriptions=False`` leaves out the nodes found by their written description only,
        for callers that want names (they would walk every node whose description has a
        common word). ``at_least`` leaves out the hits scoring less (the first ``limit`` of
        the answer that do), and with them every candidate form that could not score as much:
        for callers that ask for every node a text names (``limit=len(G)``)."""
        query_words = words(query)
        query_key = "".join(query_words)
        if not query_key:
            return []
        allowed = self._allowed(kinds, certainties)
        rank = self._rank
        # node -> (score, form index); Hits are made for the nodes returned only.
        best: dict[str, tuple[float, int]] = {}

        def offer(at: int, score: float) -> None:
            node = self._forms[at][0].node
            if node in self._events and score < EXACT_SCORES[Field.DESCRIPTION]:
                score *= EVENT_FACTOR
            held = best.get(node)
            if held is None or score > held[0]:
                best[node] = (round(score, 4), at)

        exact = self._exact.get(query_key, ())
        if allowed is not None and exact:
            exact = np.array(exact)[allowed(self._form_ranks[exact])].tolist()
        for at in exact:
            offer(at, EXACT_SCORES[self._forms[at][0].field])
        if query in rank and (allowed is None or allowed(np.array([rank[query]]))[0]):
            best[query] = (EXACT_SCORES[Field.ID], -1)  # an id, as written
        grams = trigrams(query_key)
        counted = self._counted(grams)
        # Lower bounds on the shared trigrams a form needs for each tier, so that most
        # candidates are ruled out by counting alone. A form that every query word starts a
        # word of contains each query word, and so every counted trigram lying inside one; a
        # form containing the whole key has every counted trigram of the key but the three
        # that touch the padding.
        all_inside_words = {g for w in query_words for g in trigrams(w) if " " not in g}
        all_inside_key = {g for g in grams if " " not in g}
        inside_words, inside_key = all_inside_words & counted, all_inside_key & counted
        # Forms in index order: where two forms of a node score alike, the first is kept.
        # Only the shared trigrams that lie inside a query word (inside the key) count towards
        # the prefix (substring) tier: a trigram touching the padding says nothing of where a
        # word starts, and for "the" every form starting with "t" has "  t".
        forms, common, in_words, in_key = self._gathered(counted, inside_words, inside_key)
        if len(forms):
            prefix, substring = in_words >= len(inside_words), in_key >= len(inside_key)
            if allowed is not None:
                keep = allowed(self._form_ranks[forms])
                forms, common, prefix, substring = (
                    forms[keep],
                    common[keep],
                    prefix[keep],
                    substring[keep],
                )
            # The trigrams too common to count still rule forms out of the prefix and
            # substring tiers: looked up for the forms those tiers kept, rarest first. (An
            # exact event name whose words are all common would leave every candidate a
            # prefix candidate, each scored in Python for nothing.)
            postings = self._postings
            uncounted = all_inside_words - counted
            prefix = self._having(
                forms, prefix, [postings[g] for g in uncounted], self._has_grams(uncounted)
            )
            # (a form having every trigram inside the key has every one inside its words)
            uncounted = all_inside_key - counted
            substring = self._having(
                forms,
                substring & prefix,
                [postings[g] for g in uncounted],
                self._has_grams(uncounted),
            )
            # No trigram lies inside a word of fewer than three letters ("ju", "bo"): what
            # rules a form out of the prefix tier for it is that no word of the form starts so.
            short = {w for w in query_words if len(w) < 3}
            prefix = self._having(
                forms,
                prefix,
                [self._word_starts.get(w) for w in short],
                self._has_word_starts(short),
            )
            cap = self._max_postings
            countable = sum(len(self._postings.get(g, ())) <= cap for g in grams)
            dice = 2 * common / (countable + self._gram_counts[forms])
            reachable = prefix | substring | (dice >= FUZZY_THRESHOLD)
            forms, dice = forms[reachable], dice[reachable]
            prefix, substring = prefix[reachable], substring[reachable]
            # The most each candidate can score (form_score's tiers, by the tiers it can
            # reach, times the event factor): candidates are looked at best bound first, and
            # once `limit` nodes score above every bound left, the rest cannot enter the
            # answer. So a name that hundreds of forms start costs its top, not all of them.
            coverage = len(query_key) / self._key_lengths[forms]
            bound = self._form_factors[forms] * np.where(
                prefix,
                PREFIX_SCORE + COVERAGE_WEIGHT * coverage,
                np.where(
                    substring,
                    SUBSTRING_SCORE + COVERAGE_WEIGHT * coverage,
                    np.minimum(FUZZY_WEIGHT * dice, FUZZY_CAP),
                ),
            )
            if at_least > 0:
                # (scores are rounded to 4 places: a bound that rounds to at_least is not out)
                enough = bound + 1e-4 >= at_least
                forms, dice, bound = forms[enough], dice[enough], bound[enough]
            order = np.lexsort((self._form_ranks[forms], -bound))
            forms = forms[order]
            candidates: Iterable[tuple[int, float, float, int]] = zip(
                forms.tolist(),
                dice[order].tolist(),
                bound[order].tolist(),
                self._form_ranks[forms].tolist(),
                strict=True,
            )
        else:
            candidates = ()
        check_at = 0
        passed = -1.0  # a bound whose candidates from here on cannot enter the answer
        for looked, (at, dice_at, most, at_rank) in enumerate(candidates):
            if most == passed:
                continue
            if looked >= check_at and len(best) >= limit:
                # The k-th of the answer so far, by score and then rank, as it is ordered.
                # (scores are rounded to 4 places: a bound that rounds to the k-th is not out)
                kth_score, kth_rank = heapq.nsmallest(
                    limit, ((-s, rank[n]) for n, (s, _) in best.items())
                )[-1]
                if most + 1e-4 < -kth_score:
                    break
                # Forms of one length tie (a given name that hundreds of names start): those
                # of this bound come by rank, and once one that can only tie the k-th is less
                # central than it, so are the rest of them.
                if round(most, 4) == -kth_score and at_rank > kth_rank:
                    passed = most
                    continue
                # The k-th costs a pass over every node found so far: checked again after a
                # number of candidates in proportion, so that ten thousand candidates (a given
                # name at 10^6 edges) cost a few passes, not one every 32 of them.
                check_at = looked + max(32, len(best) // 8)
            _, form_key, form_words = self._forms[at]
            if form_key == query_key:
                continue
            score = form_score(query_key, query_words, form_key, form_words, dice_at)
            if score:
                offer(at, score)
        scored: Iterable[tuple[str, tuple[float, int]]] = best.items()
        if at_least:
            scored = [item for item in scored if item[1][0] >= at_least]
        top = heapq.nsmallest(limit, scored, key=lambda item: (-item[1][0], rank[item[0]]))
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
        if descriptions and missing > 0 and at_least <= DESCRIPTION_SCORE:
            hits += [
                Hit(node, DESCRIPTION_SCORE, self._descriptions[node], Field.DESCRIPTION.value)
                for node in self._described(query_words, best, missing, allowed)
            ]
        return hits

    def rank_of(self, node: str) -> int:
        """The node's place by centrality (PageRank), from 0 for the most central."""
        return self._rank[node]

    def _described(
        self,
        query_words: list[str],
        exclude: Container[str],
        count: int,
        allowed: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> list[str]:
        """The first ``count`` nodes, most central first, whose description has every query
        word, leaving out ``exclude`` (and those not ``allowed``): walks the rarest word's
        nodes in order, a slice at a time, stopping when it has enough."""
        wanted = list(dict.fromkeys(query_words))
        found_ranks = [self._description_ranks.get(w) for w in wanted]
        if not wanted or any(r is None for r in found_ranks):
            return []
        ranks = sorted((r for r in found_ranks if r is not None), key=len)
        rarest, others = ranks[0], ranks[1:]
        found: list[str] = []
        step = max(count, 64)
        for start in range(0, len(rarest), step):
            chunk = rarest[start : start + step]
            keep = np.ones(len(chunk), dtype=bool) if allowed is None else allowed(chunk)
            for other in others:  # sorted: a binary search per rank
                at = np.minimum(np.searchsorted(other, chunk), len(other) - 1)
                keep &= other[at] == chunk
            for at in chunk[keep].tolist():
                node = self._ranked[at]
                if node in exclude:
                    continue
                found.append(node)
                if len(found) == count:
                    return found
        return found


#: The score of a node found only through the passages that mention it, at most.
PASSAGE_SCORE = 0.2
#: How many of the best passages are read for the nodes they mention.
PASSAGES_READ = 5
#: The fallback to passages leaves out the words found in more passages than this (a bound
#: on its work, see :meth:`graph.passages.PassageIndex.search`): more than the film's
#: articles have sentences (269), so that its answers are those of the whole query.
PASSAGE_WORD_LIMIT = 500


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

    hits = index.search(text, limit, kinds=kinds, certainties=certainties)
    missing = limit - len(hits)
    # Only when no name matched: a full-text query costs more than the name search, and a name
    # that matched, even misspelt, is what was meant.
    named = any(h.score > DESCRIPTION_SCORE for h in hits)
    if missing <= 0 or named:
        return hits
    found = {h.node for h in hits}
    read = passages.search(text, PASSAGES_READ, most_passages=PASSAGE_WORD_LIMIT)
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
