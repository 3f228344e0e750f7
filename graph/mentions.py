"""A mention index computed from the documents' text, not typed by hand.

Every alias of every entity is searched for in every document, case-sensitively and on word
boundaries, longest form first, so that "Choi Min-Hee" counts for Min-hee and not for Choi, and
"Choi's boss" for the boss. A form marked ambiguous (or shared by two entities) counts for
neither. Sentences in which two entities are both mentioned give them a co-occurrence weight:
the "who appears with whom" network of narrative-network studies.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from graph.model import Document, Entity
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
    #: surface form -> number of times it was found but left unresolved as ambiguous
    ambiguous: dict[str, int] = field(default_factory=dict)


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


def _pattern(forms: list[str]) -> re.Pattern[str]:
    # Inside a lookahead every start position is tried, so overlapping forms are all seen;
    # longest first, because the engine takes the first alternative that matches at a position.
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"(?<!\w)(?=((?:{alternatives}))(?!\w))")


def _longest_matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping matches, preferring the longer of two that overlap ("hotel clerk" over
    "the hotel" in "the hotel clerk"), in text order."""
    found = [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(text)]
    taken: list[tuple[int, int, str]] = []
    occupied = bytearray(len(text))
    for start, end, form in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if not any(occupied[start:end]):
            occupied[start:end] = b"\x01" * (end - start)
            taken.append((start, end, form))
    return sorted(taken)


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def index_mentions(documents: dict[str, Document], entities: tuple[Entity, ...]) -> MentionIndex:
    forms = surface_forms(entities)
    index = MentionIndex()
    if not forms:
        return index
    # Aliases are written with straight quotes; match them against the normalised text.
    pattern = _pattern([f.replace("\u2019", "'") for f in forms])
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    ambiguous: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for doc_id, document in documents.items():
        norm = NormalizedText.of(document.text)
        starts = _sentence_starts(norm.text)
        in_sentence: dict[int, set[str]] = defaultdict(set)
        sentence = 0
        for at, until, form in _longest_matches(pattern, norm.text):
            entity = forms.get(form)
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
                    pairs[(a, b)] += 1
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
    index.ambiguous = dict(ambiguous)
    return index
