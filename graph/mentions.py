"""A mention index computed from the documents' text, not typed by hand.

Every alias of every entity is searched for in every document, case-sensitively and on word
boundaries, longest form first, so that "Choi Min-Hee" counts for Min-hee and not for Choi, and
"Choi's boss" for the boss. A form marked ambiguous (or shared by two entities) counts for an
entity only where a rule of ``annotations/mentions.yaml`` resolves that occurrence from the
words around it ("Ballerina" after "Ana de Armas-starred" is the other film, in quotation marks
it is the name Ok-ju takes); an occurrence no rule resolves is kept in ``unresolved``, so that
nothing counts for nobody unseen. Sentences in which two entities are both mentioned give them
a co-occurrence weight: the "who appears with whom" network of narrative-network studies.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from graph.model import Document, Entity, KnowledgeBase, MentionRules
from graph.problems import Problem
from graph.quotes import NormalizedText

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace, or at a
# line break: the articles put headings and bullet points on lines of their own.
_SENTENCE_END = re.compile(r"""(?<=[.!?])["')\]]?\s+|\n+""")


@dataclass(frozen=True, slots=True)
class Mention:
    entity: str
    document: str
    start: int
    end: int
    sentence: int


@dataclass(slots=True)
class MentionIndex:
    #: entity id -> document id -> number of mentions
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: every resolved mention, in document order
    mentions: list[Mention] = field(default_factory=list)
    #: document id -> (entity id, count), most mentioned first
    by_document: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: (entity a, entity b) with a < b -> number of sentences mentioning both
    cooccurrence: dict[tuple[str, str], int] = field(default_factory=dict)
    #: the same pairs, most sentences first (ties by the pair's ids): what a page of the
    #: co-occurrence network reads, without sorting per request
    cooccurrence_ranked: tuple[tuple[str, str, int], ...] = ()
    #: document id -> its own pairs, ranked the same way: the network of one article
    cooccurrence_by_document: dict[str, tuple[tuple[str, str, int], ...]] = field(
        default_factory=dict
    )
    #: surface form -> number of times it was found but left unresolved as ambiguous
    ambiguous: dict[str, int] = field(default_factory=dict)
    #: ambiguous occurrences that a rule resolved: surface form -> entity id -> count
    resolved: dict[str, dict[str, int]] = field(default_factory=dict)
    #: ambiguous occurrences no rule resolved: (document, start, end, form)
    unresolved: list[tuple[str, int, int, str]] = field(default_factory=list)


#: How far around an ambiguous occurrence its rules look.
CONTEXT = 40


def resolve(rules: MentionRules, text: str, at: int, until: int) -> str | None:
    """The entity the first matching rule gives the occurrence ``text[at:until]``, if any."""
    before, after = text[max(0, at - CONTEXT) : at], text[until : until + CONTEXT]
    for rule in rules.rules:
        if re.search(rule.before, before) and re.match(rule.after, after):
            return rule.entity
    return None


def check_rules(kb: KnowledgeBase) -> list[Problem]:
    """Every mention rule names a known entity, and no form has two sets of rules."""
    entities = {e.id for e in kb.entities}
    problems, seen = [], set()
    for rules in kb.mention_rules:
        for form in rules.forms:
            if form in seen:
                problems.append(Problem(rules.source, form, "has rules in two entries"))
            seen.add(form)
        for rule in rules.rules:
            if rule.entity not in entities:
                problems.append(
                    Problem(
                        rules.source, rules.forms[0], f"rule names unknown entity {rule.entity!r}"
                    )
                )
    return problems


def surface_forms(entities: tuple[Entity, ...] | list[Entity]) -> dict[str, str | None]:
    """Map each surface form to the one entity it names, or to ``None`` if it is ambiguous."""
    owners: dict[str, set[str]] = defaultdict(set)
    flagged: set[str] = set()
    for entity in entities:
        for form in entity.aliases:
            owners[form].add(entity.id)
        flagged.update(entity.ambiguous)
    return {
        form: (next(iter(ids)) if len(ids) == 1 and form not in flagged else None)
        for form, ids in owners.items()
    }


_WORD_RUN = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")


class _FormMatcher:
    """Finds every form at every position where the regular expression
    ``(?<!\\w)(?=(form1|form2|...)(?!\\w))``, alternatives longest first, would: at each
    position not preceded by a word character, the longest form that starts there and is not
    followed by a word character.

    One alternation of every alias is what a small graph can afford; with tens of thousands
    of aliases the regex engine tries them one by one at every position. Here a form is
    looked up instead: a form that matches at a position starts with the same maximal run of
    word characters as the text does there (the character after that run is a non-word
    character in both, or the form ends there and must not be followed by a word
    character), so the forms are grouped by that first run, and by length within a group.
    The few forms that start with a non-word character keep the regular expression.
    """

    def __init__(self, forms: list[str]) -> None:
        groups: dict[str, dict[int, set[str]]] = {}
        others: list[str] = []
        for form in forms:
            first = _WORD_RUN.match(form)
            if first is None:
                others.append(form)
                continue
            groups.setdefault(first.group(), {}).setdefault(len(form), set()).add(form)
        #: first word run -> ((length, forms of that length), ...), longest first
        self._groups = {
            run: tuple(sorted(by_length.items(), reverse=True)) for run, by_length in groups.items()
        }
        self._others = _pattern(others) if others else None

    def finditer(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, form)`` of every match, in text order."""
        found: list[tuple[int, int, str]] = []
        groups, word_char, size = self._groups, _WORD_CHAR, len(text)
        for run in _WORD_RUN.finditer(text):
            by_length = groups.get(run.group())
            if by_length is None:
                continue
            at = run.start()
            for length, forms in by_length:
                end = at + length
                if (
                    end <= size
                    and text[at:end] in forms
                    and (end == size or not word_char.match(text, end))
                ):
                    found.append((at, end, text[at:end]))
                    break
        if self._others is not None:
            found += [(m.start(1), m.end(1), m.group(1)) for m in self._others.finditer(text)]
            found.sort()
        return found


def _pattern(forms: list[str]) -> re.Pattern[str]:
    # Inside a lookahead every start position is tried, so overlapping forms are all seen;
    # longest first, because the engine takes the first alternative that matches at a position.
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"(?<!\w)(?=((?:{alternatives}))(?!\w))")


def _longest_matches(matcher: _FormMatcher, text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping matches, preferring the longer of two that overlap ("hotel clerk" over
    "the hotel" in "the hotel clerk"), in text order."""
    found = matcher.finditer(text)
    taken: list[tuple[int, int, str]] = []
    occupied = bytearray(len(text))
    for start, end, form in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if not any(occupied[start:end]):
            occupied[start:end] = b"\x01" * (end - start)
            taken.append((start, end, form))
    return sorted(taken)


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, split as the co-occurrence network splits
    them, without the whitespace around it; empty ones left out."""
    starts = _sentence_starts(text)
    spans = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            at = start + piece.index(stripped)
            spans.append((at, at + len(stripped)))
    return spans


def index_mentions(
    documents: dict[str, Document],
    entities: tuple[Entity, ...],
    rules: tuple[MentionRules, ...] = (),
) -> MentionIndex:
    forms = surface_forms(entities)
    ruled = {form: r for r in rules for form in r.forms}
    for form in ruled:
        forms[form] = None  # decided occurrence by occurrence, never wholesale
    index = MentionIndex()
    if not forms:
        return index
    # Aliases are written with straight quotes; match them against the normalised text.
    matcher = _FormMatcher([f.replace("\u2019", "'") for f in forms])
    resolved: dict[str, Counter[str]] = defaultdict(Counter)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    ambiguous: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    document_pairs: dict[str, Counter[tuple[str, str]]] = {}
    for doc_id, document in documents.items():
        own = document_pairs[doc_id] = Counter()
        norm = NormalizedText.of(document.text)
        starts = _sentence_starts(norm.text)
        in_sentence: dict[int, set[str]] = defaultdict(set)
        sentence = 0
        for at, until, form in _longest_matches(matcher, norm.text):
            entity = forms.get(form)
            if entity is None and form in ruled:
                entity = resolve(ruled[form], norm.text, at, until)
                if entity is None:
                    index.unresolved.append((doc_id, *norm.span(at, until), form))
                else:
                    resolved[form][entity] += 1
            if entity is None:
                ambiguous[form] += 1
                continue
            while sentence + 1 < len(starts) and starts[sentence + 1] <= at:
                sentence += 1
            start, end = norm.span(at, until)
            index.mentions.append(Mention(entity, doc_id, start, end, sentence))
            counts[entity][doc_id] += 1
            in_sentence[sentence].add(entity)
        for present in in_sentence.values():
            ordered = sorted(present)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    own[(a, b)] += 1
        pairs.update(own)
    index.counts = {entity: dict(c) for entity, c in counts.items()}
    per_document: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, c in counts.items():
        for doc_id, n in c.items():
            per_document[doc_id][entity] = n
    index.by_document = {
        doc_id: sorted(c.items(), key=lambda item: (-item[1], item[0]))
        for doc_id, c in per_document.items()
    }
    index.cooccurrence = dict(pairs)
    index.cooccurrence_ranked = _ranked(pairs)
    index.cooccurrence_by_document = {doc: _ranked(c) for doc, c in document_pairs.items()}
    index.ambiguous = dict(ambiguous)
    index.resolved = {form: dict(c) for form, c in resolved.items()}
    return index


def _ranked(pairs: Counter[tuple[str, str]]) -> tuple[tuple[str, str, int], ...]:
    """``(a, b, sentences)``, most sentences first, ties by the pair's ids."""
    return tuple(
        (a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    )
