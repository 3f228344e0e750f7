"""Receipts: does each quote state what it is cited for?

A citation is a receipt only if a reader can see, in the quote alone, what the claim is about
and how firmly the article says it. Two rules, checked for every claim of a knowledge base:

- **Naming.** Every quote cited for a relation names both of its entities, every quote cited
  for a participation names the participant, every quote cited for an entity names the entity:
  by its name, by one of its aliases or ``descriptions`` (the referring phrases the articles
  use, :mod:`graph.names`; not an ambiguous one), or by a referring expression that the
  citation declares (``refers: {"him": choi-pro}``). Evidence spread over two sentences is
  cited as two quotes, each naming what it is about.
- **Certainty.** A ``stated`` claim may not rest on a quote with a hedge word in it
  (:data:`graph.model.HEDGE_WORDS`) unless the citation says why the hedge does not govern the
  claim (``hedge: "..."``, an *override*); a ``hedged`` claim needs a quote that hedges (or a
  ``reason`` saying where the hedge is, when it lies outside the quoted words); an
  ``inferred`` claim needs its ``reason``.

:func:`check` returns the problems; :func:`report` counts what the receipts are made of, for
``ballerina-kg validate``.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from graph.mentions import MentionIndex
from graph.model import HEDGE_WORDS, Citation, Dispute, Entity, KnowledgeBase
from graph.problems import Problem
from graph.quotes import normalize

_HEDGE = re.compile(r"\b(" + "|".join(map(re.escape, HEDGE_WORDS)) + r")\b", re.IGNORECASE)


def hedge_words(quote: str) -> list[str]:
    """The hedge words in a quote, in order, lower-cased."""
    return [m.lower() for m in _HEDGE.findall(normalize(quote))]


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim of the knowledge base as the receipts see it: what it is and what it cites."""

    kind: str  # entity | event | participation | relation | dispute claim
    file: str
    entry: str
    certainty: str
    reason: str
    citations: tuple[Citation, ...]
    #: The entities each quote must name.
    ends: tuple[str, ...] = ()
    #: What the claim says, in a few words: the relation type or the participant's role.
    says: str = ""
    #: Entities of which each quote must name at least one: an event's participants, a
    #: dispute's subjects (a quote of "a massacre" alone says nothing about who did it).
    names_one_of: tuple[str, ...] = ()


def claims(kb: KnowledgeBase) -> Iterator[Claim]:
    """Every claim of the knowledge base, with the entities its quotes must name."""
    for entity in kb.entities:
        yield Claim(
            "entity",
            entity.source,
            entity.id,
            entity.certainty,
            entity.reason,
            entity.citations,
            (entity.id,),
        )
    for event in kb.events:
        yield Claim(
            "event",
            event.source,
            event.id,
            event.certainty,
            event.reason,
            event.citations,
            names_one_of=tuple(dict.fromkeys(p.entity for p in event.participants)),
        )
        for p in event.participants:
            yield Claim(
                "participation",
                event.source,
                f"{event.id} participant {p.entity}",
                p.certainty,
                p.reason,
                p.citations,
                (p.entity,),
                f"{p.entity} is the {p.role} of {event.id}",
            )
    for relation in kb.relations:
        yield Claim(
            "relation",
            relation.origin,
            relation.id,
            relation.certainty,
            relation.reason,
            relation.citations,
            (relation.source, relation.target),
            f"{relation.source} {relation.type} {relation.target}",
        )
    for document in kb.documents.values():
        if document.verdict is not None:
            v = document.verdict
            yield Claim(
                "verdict",
                "documents.yaml",
                f"{document.id} verdict",
                v.certainty,
                v.reason,
                v.citations,
                (v.about,),
                f"{document.id} on {v.about}: {v.statement}",
            )
    for dispute in kb.disputes:
        for claim in dispute.claims:
            yield Claim(
                "dispute claim",
                dispute.source,
                f"{dispute.id}/{claim.id}",
                claim.certainty,
                claim.reason,
                claim.citations,
                names_one_of=dispute.about,
            )


class NamingForms:
    """The surface forms that may name each entity in a quote: its name, aliases and
    descriptions, except those it marks ambiguous."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        # An id declared twice is already refused as a duplicate; its quotes may name either
        # declaration, so that the duplicate is the one problem named rather than every quote
        # of the first declaration failing against the names of the second.
        forms_of: dict[str, set[str]] = {}
        for entity in entities:
            ambiguous = {normalize(form).casefold() for form in entity.ambiguous}
            forms_of.setdefault(entity.id, set()).update(
                normalize(form).casefold()
                # The referring descriptions the articles use ("local gangster") name it too.
                for form in (entity.name, *entity.aliases, *entity.descriptions)
                if normalize(form).casefold() not in ambiguous
            )
        self._patterns: dict[str, re.Pattern[str]] = {
            entity: _words(forms) for entity, forms in forms_of.items()
        }

    def __contains__(self, entity: str) -> bool:
        return entity in self._patterns

    def how_named(self, entity: str, citation: Citation) -> str | None:
        """``"name"`` if the quote names ``entity`` itself, ``"reference"`` if only through a
        declared referring expression, ``None`` if not at all."""
        pattern = self._patterns.get(entity)
        if pattern is not None and pattern.search(normalize(citation.quote).casefold()):
            return "name"
        if any(ref.entity == entity for ref in citation.refers):
            return "reference"
        return None


def _words(forms: set[str]) -> re.Pattern[str]:
    # Longest first, so that "choi pro" is tried before "choi"; \b on both sides keeps "ok-ju"
    # from matching inside another word but lets "choi's" name Choi.
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if alternatives else r"(?!x)x")


def check(kb: KnowledgeBase) -> list[Problem]:
    """Every quote that does not name what it is cited for, and every certainty it contradicts."""
    names = NamingForms(kb.entities)
    problems: list[Problem] = []
    for claim in claims(kb):
        problems += _check_claim(claim, names)
    return problems


def _check_claim(claim: Claim, names: NamingForms) -> Iterator[Problem]:
    for citation in claim.citations:
        for ref in citation.refers:
            if ref.entity not in names:
                yield Problem(
                    claim.file,
                    claim.entry,
                    f"refers {ref.text!r} to {ref.entity!r}, which is not an entity",
                )
        for end in claim.ends:
            if end not in names and claim.kind == "verdict":
                yield Problem(claim.file, claim.entry, f"is about {end!r}, which is not an entity")
            if end in names and names.how_named(end, citation) is None:
                yield Problem(
                    claim.file,
                    claim.entry,
                    f"quote from {citation.document} does not name {end} "
                    f"(by name, alias, description or a declared `refers`): {citation.quote!r}",
                )
        candidates = [e for e in claim.names_one_of if e in names]
        if candidates and not any(names.how_named(e, citation) for e in candidates):
            yield Problem(
                claim.file,
                claim.entry,
                f"quote from {citation.document} names none of {', '.join(candidates)} "
                f"(by name, alias, description or a declared `refers`): {citation.quote!r}",
            )
    hedged = [(c, words) for c in claim.citations if (words := hedge_words(c.quote))]
    if claim.certainty == "stated":
        for citation, words in hedged:
            if not citation.hedge:
                yield Problem(
                    claim.file,
                    claim.entry,
                    f"stated claim cites a quote from {citation.document} that hedges "
                    f"({', '.join(words)}): mark the claim `certainty: hedged`, or say in the "
                    f"citation's `hedge:` why the hedge does not govern it: {citation.quote!r}",
                )
    elif claim.certainty == "hedged" and not hedged and not claim.reason:
        yield Problem(
            claim.file,
            claim.entry,
            "hedged claim, but none of its quotes hedges: cite the hedging words, "
            "or give a `reason`",
        )
    elif claim.certainty == "inferred" and not claim.reason:
        yield Problem(claim.file, claim.entry, "an inferred claim needs its `reason`")


@dataclass(frozen=True, slots=True)
class Override:
    """A citation whose hedge word the annotation says does not govern its claim."""

    file: str
    entry: str
    document: str
    quote: str
    reason: str


@dataclass(slots=True)
class Report:
    """What the receipts are made of: the figures ``ballerina-kg validate`` prints."""

    citations: Counter[str] = field(default_factory=Counter)
    certainty: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Edge citations (relations and participations) by how they name their ends.
    edge_citations: int = 0
    edge_citations_by_name: int = 0
    edge_citations_by_reference: int = 0
    references: int = 0
    errata: list[tuple[str, str, str]] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    inferred: list[tuple[str, str, str]] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    #: ambiguous names: form -> entity -> occurrences its rules resolved there
    resolved: dict[str, dict[str, int]] = field(default_factory=dict)
    #: (document, start, form) of the occurrences no rule resolved
    unresolved: list[tuple[str, int, str]] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield "citations by kind of claim:"
        for kind, n in sorted(self.citations.items()):
            yield f"  {kind}: {n}"
        share = self.edge_citations_by_name / self.edge_citations if self.edge_citations else 1
        yield (
            "edge citations naming every end by name, alias or description: "
            f"{self.edge_citations_by_name} of {self.edge_citations} ({share:.1%}); "
            f"through a declared reference: {self.edge_citations_by_reference}"
        )
        yield f"declared referring expressions: {self.references}"
        yield "claims by certainty:"
        for (kind, certainty), n in sorted(self.certainty.items()):
            yield f"  {kind}, {certainty}: {n}"
        yield f"inferred claims ({len(self.inferred)}), each with its reason:"
        for file, entry, reason in self.inferred:
            yield f"  {file}: {entry}: {reason}"
        yield f"overrides of the hedge rule ({len(self.overrides)}), each with its reason:"
        for o in self.overrides:
            yield f"  {o.file}: {o.entry}: {o.document}: {o.quote!r}: {o.reason}"
        yield f"errata noted on citations ({len(self.errata)}):"
        for file, entry, note in self.errata:
            yield f"  {file}: {entry}: {note}"
        yield f"disputes ({len(self.disputes)}):"
        for d in self.disputes:
            sides = "; ".join(
                f"{c.id} ({', '.join(sorted({x.document for x in c.citations}))})" for c in d.claims
            )
            preferred = f", preferred: {d.preferred}" if d.preferred else ""
            yield f"  {d.id}: {d.question} {sides}{preferred}"
        yield "ambiguous names resolved by the rules of annotations/mentions.yaml:"
        for form, entities in sorted(self.resolved.items()):
            counted = ", ".join(f"{e} {n}" for e, n in sorted(entities.items()))
            yield f"  {form!r}: {counted}"
        yield f"unresolved occurrences, counted for nobody ({len(self.unresolved)}):"
        for document, start, form in self.unresolved:
            yield f"  {document} at {start}: {form!r}"


def report(kb: KnowledgeBase, mentions: MentionIndex | None = None) -> Report:
    """Count the receipts of a knowledge base that :func:`check` found no problem with."""
    names = NamingForms(kb.entities)
    result = Report(disputes=list(kb.disputes))
    if mentions is not None:
        result.resolved = mentions.resolved
        result.unresolved = [(doc, start, form) for doc, start, _, form in mentions.unresolved]
    for claim in claims(kb):
        result.certainty[claim.kind, claim.certainty] += 1
        if claim.certainty == "inferred":
            result.inferred.append((claim.file, claim.entry, claim.reason))
        for citation in claim.citations:
            result.citations[claim.kind] += 1
            result.references += len(citation.refers)
            if citation.hedge:
                result.overrides.append(
                    Override(
                        claim.file, claim.entry, citation.document, citation.quote, citation.hedge
                    )
                )
            if citation.erratum:
                result.errata.append((claim.file, claim.entry, citation.erratum))
            if claim.kind in ("relation", "participation"):
                result.edge_citations += 1
                how = {names.how_named(end, citation) for end in claim.ends}
                if how == {"name"}:
                    result.edge_citations_by_name += 1
                elif None not in how:
                    result.edge_citations_by_reference += 1
    return result


def sample_lines(kb: KnowledgeBase, size: int, seed: int = 0) -> Iterator[str]:
    """``size`` citations drawn at random (repeatably, from ``seed``), each with the claim it
    is cited for, for a person to read against the articles: the check no rule can make."""
    cited = [(claim, c) for claim in claims(kb) for c in claim.citations]
    picked = random.Random(seed).sample(range(len(cited)), min(size, len(cited)))
    for n, i in enumerate(sorted(picked), 1):
        claim, citation = cited[i]
        yield f"{n}. {claim.file}: {claim.entry} ({claim.kind}, {claim.certainty})"
        if claim.says:
            yield f"   claim: {claim.says}"
        if claim.reason:
            yield f"   reason: {claim.reason}"
        yield f"   {citation.document} [{citation.start}:{citation.end}]: {citation.quote!r}"
        for ref in citation.refers:
            yield f"   refers {ref.text!r} -> {ref.entity}"
        for note in (citation.hedge, citation.erratum):
            if note:
                yield f"   note: {note}"
