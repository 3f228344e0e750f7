"""Passage search: the article sentences that best answer a question or phrase.

Every sentence of every document (split as :func:`graph.mentions.sentence_spans` splits them,
on the original text, so that headings stand alone) is a *passage*, located by its offsets in
the document. The passages are indexed once, when the graph is built, in an in-memory SQLite
database with the FTS5 full-text extension of the standard library's ``sqlite3`` (Porter
stemming over the ``unicode61`` tokenizer: "helped" finds "helps"), and ranked per query by
FTS5's BM25.

A query is cut into words; the words that carry no content (:data:`STOP_WORDS`: "who", "the",
"does") are dropped, and the rest are OR-ed. BM25 alone favours a short passage with one rare
word ("Capsule Review" for "fish capsules"), so a candidate's score is its BM25 times the square
of the share of the query's words it has (a word counts where a word of the passage starts with
its stem, its first letters but the last two: "helped" ~ "helps"). A passage that is itself a
question or a heading of the article ("Who does Ok-ju ask for help?", "Ok-ju and Choi Pro
Finally Face Each Other"), one that does not end with "." or "!", titles or asks rather than
answers: it scores :data:`QUESTION_FACTOR` of that.

Each passage knows the entities it mentions (from the mention index of :mod:`graph.mentions`)
and the citations whose quotes overlap it, with what they stand for: a node, an edge, or a
claim of a dispute. What the graph knows a passage is *about* is indexed beside its text, in a
second column weighted :data:`ABOUT_WEIGHT`: the names and aliases of the entities it mentions
or is cited for (the ends of the relations citing it too), the names of the events citing it,
and the types of the relations citing it. So "who kills Myung-shik" finds "Choi even kills his
accomplice", which names neither, but is cited for Choi KILLS Myung-shik; and a query word
counts as in the passage (for the share above) when it is in either column.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from graph.mentions import MentionIndex, sentence_spans
from graph.model import Citation, Dispute, Document

#: Words a question is made of that no answer needs to contain.
_STOP_WORDS = """a an and are as at be been but by can did do does for from had has have he her
hers him his how i if in into is it its me my of on or our she so than that the their them then
there these they this those to us was we were what when where which who whom whose why will
with would you your"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
#: What a passage that is a question or a heading (does not end with "." or "!") scores.
QUESTION_FACTOR = 0.5
#: Candidates taken by BM25 for each passage returned, to re-weight.
CANDIDATES_PER_HIT = 4
#: The BM25 weight of what a passage is about against that of its own words (1).
ABOUT_WEIGHT = 0.5
#: How many words' passage counts an index remembers (a common word recurs: that is what
#: makes it common), so that most are not counted again.
_REMEMBERED_WORDS = 50_000
_WORD = re.compile(r"\w+")

Owner = tuple[Literal["node"], str] | tuple[Literal["edge"], tuple[str, str, str]]
ClaimOwner = tuple[Literal["claim"], tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of a document: ``text`` is ``document.text[start:end]``."""

    id: int
    document: str
    #: Its position among the document's passages, from 0.
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class PassageHit:
    passage: Passage
    #: BM25 relevance (higher is better), comparable only among the hits of one query.
    score: float


@dataclass(frozen=True, slots=True)
class CitedBy:
    """A citation overlapping a passage, and what it is evidence for."""

    citation: Citation
    owner: Owner | ClaimOwner


def query_words(text: str) -> list[str]:
    """The words of a question that a passage is searched for, in order, once each."""
    found = [w for w in _WORD.findall(text.casefold()) if w not in STOP_WORDS]
    return list(dict.fromkeys(found))


class PassageIndex:
    """Every passage of every document, their full-text index, mentions and citations.

    Built once; read-only after. The SQLite connection is shared by the threads that answer
    requests, one query at a time (a lock)."""

    def __init__(
        self,
        passages: list[Passage],
        mentions: dict[int, tuple[str, ...]],
        citations: Citations,
        about: dict[int, str],
    ) -> None:
        self.passages = tuple(passages)
        self._mentions = mentions
        self._citations = citations
        self._about = about
        self._lock = threading.Lock()
        # (count, word) -> whether the word is in at most count passages, for the words looked
        # up so far (at most _REMEMBERED_WORDS of them, forgotten all at once past that)
        self._rare: dict[tuple[int, str], bool] = {}
        self._db = _connect()
        self._db.execute(
            "CREATE VIRTUAL TABLE passage USING fts5(text, about, document UNINDEXED, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            "INSERT INTO passage (rowid, text, about, document) VALUES (?, ?, ?, ?)",
            ((p.id, p.text, about.get(p.id, ""), p.document) for p in self.passages),
        )
        self._db.commit()

    def __getstate__(self) -> dict[str, object]:
        """What a pickle of the index holds (the graph's snapshot, :mod:`server.snapshot`):
        the full-text database as SQLite's own image of it, not the connection."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_db", "_lock", "_rare")}
        with self._lock:
            state["_db_image"] = self._db.serialize()
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state = dict(state)
        image = state.pop("_db_image")
        if not isinstance(image, bytes):
            raise TypeError(f"a passage index's database image must be bytes, not {image!r:.40}")
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._rare = {}
        self._db = _connect()
        self._db.deserialize(image)

    @classmethod
    def of(
        cls,
        G: nx.MultiDiGraph[str],
        documents: Mapping[str, Document],
        mentions: MentionIndex,
        disputes: Iterable[Dispute],
    ) -> PassageIndex:
        """The passages of ``documents``, with the entities ``mentions`` finds in them and
        the citations of ``G``'s nodes and edges and of the claims of ``disputes``."""
        passages: list[Passage] = []
        # document -> its passages' starts, and the id of its first passage
        starts: dict[str, tuple[list[int], int]] = {}
        for doc_id, document in documents.items():
            spans = sentence_spans(document.text)
            starts[doc_id] = ([start for start, _ in spans], len(passages))
            for position, (start, end) in enumerate(spans):
                text = document.text[start:end]
                passages.append(Passage(len(passages), doc_id, position, start, end, text))
        mentioned: dict[int, dict[str, None]] = defaultdict(dict)
        for mention in mentions.mentions:
            found = starts.get(mention.document)
            if found is None:
                continue
            at = bisect_left(found[0], mention.start + 1) - 1
            if at >= 0 and mention.start < passages[found[1] + at].end:
                mentioned[found[1] + at][mention.entity] = None
        by_passage = {pid: tuple(entities) for pid, entities in mentioned.items()}
        citations = Citations.of(G, disputes)
        names: dict[str, list[str]] = {}  # node -> its name and aliases, looked up once
        about = {
            p.id: _about(G, by_passage.get(p.id, ()), citations.overlapping(p), names)
            for p in passages
        }
        return cls(passages, by_passage, citations, about)

    def search(
        self,
        text: str,
        limit: int,
        documents: Collection[str] | None = None,
        *,
        most_passages: int | None = None,
    ) -> list[PassageHit]:
        """The ``limit`` passages that best answer ``text``, best first (ties in document
        order), from ``documents`` only if given.

        ``most_passages`` bounds the work: the words found in more passages than that are
        not searched for (they still count in the re-weighting of the passages found), and
        if every word is, nothing is found. FTS5 scores every passage having any word of the
        query, so one common word costs its whole posting list (at 10^6 edges, a given name's
        syllable is in ~50,000 sentences: half a second)."""
        words = query_words(text)
        if not words or limit <= 0:
            return []
        searched = words
        if most_passages is not None:
            rare = self._found_in_at_most(words, most_passages)
            searched = [w for w, is_rare in zip(words, rare, strict=True) if is_rare]
            if not searched:
                return []
        match = " OR ".join(_phrase(w) for w in searched)
        sql = (
            f"SELECT rowid, -bm25(passage, 1.0, {ABOUT_WEIGHT}) FROM passage WHERE passage MATCH ?"
        )
        parameters: list[object] = [match]
        if documents is not None:
            sql += f" AND document IN ({', '.join('?' * len(documents))})"
            parameters += list(documents)
        # Candidates by BM25 alone, enough of them for the re-weighting to choose from.
        sql += f" ORDER BY bm25(passage, 1.0, {ABOUT_WEIGHT}) LIMIT ?"
        parameters.append(CANDIDATES_PER_HIT * limit + 20)
        with self._lock:
            rows = self._db.execute(sql, parameters).fetchall()
        return self._reweighted(rows, words, limit)

    def _reweighted(
        self, rows: Iterable[tuple[int, float]], words: list[str], limit: int
    ) -> list[PassageHit]:
        """The best ``limit`` of ``rows`` (rowid and BM25 relevance, best first), each
        relevance weighted by the share of ``words`` the passage has, squared, and by
        :data:`QUESTION_FACTOR` for a question or a heading."""
        # A number must be whole: "2" is not "2023".
        stems = [f"{w} " if w.isdigit() else w[: max(4, len(w) - 2)] for w in words]
        hits: list[PassageHit] = []
        best: list[float] = []  # the best `limit` scores so far, the lowest first
        for rowid, relevance in rows:
            # The rows come by BM25, best first, and re-weighting only lowers a score: once a
            # row's BM25 is below the `limit`-th score, no row after it can enter the answer.
            if len(best) == limit and float(f"{relevance:.6g}") < best[0]:
                break
            passage = self.passages[rowid]
            known = f"{passage.text} {self._about.get(rowid, '')}".casefold()
            spaced = " " + " ".join(_WORD.findall(known)) + " "
            share = sum(f" {stem}" in spaced for stem in stems) / len(stems)
            relevance *= share * share
            if not passage.text.rstrip("\"'”’)").endswith((".", "!")):
                relevance *= QUESTION_FACTOR  # a question, or a heading
            if relevance > 0:
                # Six significant digits: a word in most sentences ("Ok-ju") weighs 1e-6 in
                # FTS5's BM25, and those hits are still hits.
                hits.append(PassageHit(passage, score := float(f"{relevance:.6g}")))
                if len(best) < limit:
                    heapq.heappush(best, score)
                else:
                    heapq.heappushpop(best, score)
        hits.sort(key=lambda h: (-h.score, h.passage.id))
        return hits[:limit]

    def _found_in_at_most(self, words: list[str], count: int) -> list[bool]:
        """For each of ``words``, whether it is in at most ``count`` passages: reads at most
        ``count + 1`` of its rows, not all of them, in one statement for the words not
        already looked up (a common word recurs: that is what makes it common)."""
        one = "(SELECT count(*) FROM (SELECT 1 FROM passage WHERE passage MATCH ? LIMIT ?))"
        with self._lock:
            rare = {w: self._rare[count, w] for w in words if (count, w) in self._rare}
            unknown = [w for w in dict.fromkeys(words) if w not in rare]
            # (in statements of at most 100 columns: SQLite allows 2,000 by default)
            for start in range(0, len(unknown), 100):
                chunk = unknown[start : start + 100]
                parameters: list[object] = []
                for word in chunk:
                    parameters += [_phrase(word), count + 1]
                found = self._db.execute(f"SELECT {', '.join([one] * len(chunk))}", parameters)
                counts = found.fetchone()
                rare.update(zip(chunk, (n <= count for n in counts), strict=True))
            if len(self._rare) + len(unknown) > _REMEMBERED_WORDS:
                self._rare.clear()
            self._rare.update(((count, w), rare[w]) for w in unknown)
        return [rare[w] for w in words]

    def mentions(self, passage: Passage) -> tuple[str, ...]:
        """The entities the passage mentions, in the order it first mentions them."""
        return self._mentions.get(passage.id, ())

    def cited_by(self, passage: Passage) -> list[CitedBy]:
        """The citations whose quote overlaps the passage, by position in the document."""
        return self._citations.overlapping(passage)


class Citations:
    """Every citation of the graph (of a node, an edge or a dispute's claim) by document and
    position, to find those that overlap a passage. Immutable once built."""

    def __init__(self, found: dict[str, list[tuple[int, int, CitedBy]]]) -> None:
        # document -> citations by start, and the longest one's length (to bound a look-up)
        self._by_document = {d: sorted(c, key=lambda item: item[:2]) for d, c in found.items()}
        self._starts = {d: [c[0] for c in cited] for d, cited in self._by_document.items()}
        self._longest = {d: max(e - s for s, e, _ in cited) for d, cited in found.items()}

    @classmethod
    def of(cls, G: nx.MultiDiGraph[str], disputes: Iterable[Dispute]) -> Citations:
        found: dict[str, list[tuple[int, int, CitedBy]]] = defaultdict(list)

        def add(citations: Iterable[Citation], owner: Owner | ClaimOwner) -> None:
            for c in citations:
                found[c.document].append((c.start, c.end, CitedBy(c, owner)))

        for node, data in G.nodes(data=True):
            add(data.get("citations", ()), ("node", node))
        for u, v, key, data in G.edges(keys=True, data=True):
            add(data.get("citations", ()), ("edge", (u, v, key)))
        for dispute in disputes:
            for claim in dispute.claims:
                add(claim.citations, ("claim", (dispute.id, claim.id)))
        return cls(found)

    def overlapping(self, passage: Passage) -> list[CitedBy]:
        """The citations whose quote overlaps the passage, by position in the document."""
        found = self._by_document.get(passage.document)
        if not found:
            return []
        starts = self._starts[passage.document]
        first = bisect_left(starts, passage.start - self._longest[passage.document])
        last = bisect_left(starts, passage.end)
        return [cited for start, end, cited in found[first:last] if end > passage.start]


def _connect() -> sqlite3.Connection:
    # Shared by the threads that answer requests, one at a time (PassageIndex's lock).
    return sqlite3.connect(":memory:", check_same_thread=False)


def _phrase(word: str) -> str:
    """``word`` as an FTS5 phrase, quoted."""
    return '"' + word.replace('"', '""') + '"'


def _about(
    G: nx.MultiDiGraph[str],
    mentioned: Iterable[str],
    cited: list[CitedBy],
    names: dict[str, list[str]],
) -> str:
    """What the graph says a passage is about, as words: names and aliases of the entities it
    mentions or is cited for (with the ends of the edges citing it), names of the events
    citing it, and the types of the relations citing it. ``names`` keeps each node's name
    and aliases once looked up (a node is in many passages)."""
    nodes = dict.fromkeys(mentioned)
    types: dict[str, None] = {}
    for c in cited:
        if c.owner[0] == "node":
            nodes[c.owner[1]] = None
        elif c.owner[0] == "edge":
            u, v, key = c.owner[1]
            nodes[u] = nodes[v] = None
            data = G.succ[u][v][key]
            if data["kind"] == "relation":
                types[data["type"].replace("_", " ")] = None
    words = []
    for node in nodes:
        found = names.get(node)
        if found is None:
            data = G.nodes[node]
            aliases = data.get("aliases", ()) if data["kind"] != "event" else ()
            names[node] = found = [data["name"], *aliases]
        words += found
    return " ".join([*dict.fromkeys(words), *types])
