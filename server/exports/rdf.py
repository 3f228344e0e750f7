"""The graph as RDF: schema.org types, a project vocabulary, and citations as Web Annotations.

What :mod:`server.exports.turtle` and :mod:`server.exports.jsonld` write, as rdflib terms, one
block of triples at a time (a node with its citations, an edge with its citations, a document),
so that both formats stream.

**Identifiers.** Everything the graph holds is named under :data:`BASE`
(``https://ballerina-kg.invalid/``; ``.invalid`` is reserved, so these names resolve nowhere
and claim no one's domain): nodes ``node/<id>``, edges ``edge/<key>``, seed documents
``document/<id>``; the project vocabulary is ``vocab#`` (prefix ``kg:``).

**Types.** Each node is typed with schema.org and with its kind in ``kg:`` (``kg:Character``):
the work whose name is the graph's name (the film) is a ``schema:Movie``, other works
``schema:CreativeWork``; characters and people ``schema:Person``; places ``schema:Place``;
organisations ``schema:Organization``; events ``schema:Event``; the rest ``schema:Thing``. The
seed documents are ``schema:CreativeWork`` with their title, URL, date and whole text.

**Edges.** A relation or participation is the triple ``source kg:<type> target`` (``kg:kills``,
``kg:agent``) *and* a resource of its own, an ``rdf:Statement`` reifying that triple
(``rdf:subject``, ``rdf:predicate``, ``rdf:object``) that carries what is said about the edge:
``kg:edgeKind``, ``kg:certainty``, its reason, note, dispute and claim. Standard reification
rather than RDF-star: every RDF 1.1 parser and SPARQL 1.1 engine reads it, and the edge's
citations need something to point at.

**Citations.** Each is an ``oa:Annotation`` whose body (``oa:hasBody``) is the claim it
supports (the node, or the edge's statement) and whose target is an ``oa:SpecificResource`` of
the document (``oa:hasSource``) with two selectors: an ``oa:TextQuoteSelector`` (``oa:exact``,
the text at the quote's place, with up to :data:`CONTEXT_CHARACTERS` characters of
``oa:prefix`` and ``oa:suffix``) and an ``oa:TextPositionSelector`` (``oa:start``, ``oa:end``:
offsets in characters, Unicode code points, into the document's text, as the Web Annotation
model counts them). Citations of nodes are ``oa:identifying`` (the quote names the thing),
those of edges ``oa:describing``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import networkx as nx
from rdflib.term import Literal, Node, URIRef

from graph.model import Citation, Document
from server.exports.rdf_vocabulary import (
    BASE,
    DOCUMENT,
    EDGE,
    KG,
    NODE,
    OA,
    PREFIXES,
    RDF,
    SDO,
    XSD,
)

__all__ = [
    "BASE",
    "CONTEXT_CHARACTERS",
    "PREFIXES",
    "Triple",
    "blocks",
    "document_iri",
    "edge_iri",
    "node_iri",
]

#: Characters of text before and after a quote in its ``oa:prefix`` and ``oa:suffix``.
CONTEXT_CHARACTERS = 32

Triple = tuple[URIRef, URIRef, Node]

_SCHEMA_TYPES: Mapping[str, URIRef] = {
    "character": SDO.Person,
    "person": SDO.Person,
    "place": SDO.Place,
    "organization": SDO.Organization,
    "event": SDO.Event,
    "work": SDO.CreativeWork,
}
# Node attribute -> (predicate, datatype), for the plain values that are written as literals.
_NODE_LITERALS: tuple[tuple[str, URIRef, URIRef | None], ...] = (
    ("kind", KG.kind, None),
    ("description", SDO.description, None),
    ("certainty", KG.certainty, None),
    ("reason", KG.certaintyReason, None),
    ("story_order", KG.storyOrder, XSD.integer),
    ("narrative_order", KG.narrativeOrder, XSD.integer),
    ("narrative", KG.narrative, None),
    ("mention_total", KG.mentionCount, XSD.integer),
    ("degree", KG.degree, XSD.integer),
    ("pagerank", KG.pagerank, XSD.double),
    ("betweenness", KG.betweenness, XSD.double),
)
_EDGE_LITERALS: tuple[tuple[str, URIRef, URIRef | None], ...] = (
    ("kind", KG.edgeKind, None),
    ("type", KG.type, None),
    ("certainty", KG.certainty, None),
    ("reason", KG.certaintyReason, None),
    ("note", KG.note, None),
    ("dispute", KG.dispute, None),
    ("claim", KG.claim, None),
)


def node_iri(node: object) -> URIRef:
    return NODE[_segment(str(node))]


def edge_iri(key: object) -> URIRef:
    return EDGE[_segment(str(key), safe="/")]


def document_iri(document: str) -> URIRef:
    return DOCUMENT[_segment(document)]


def blocks(G: nx.MultiDiGraph[Any], documents: Mapping[str, Document]) -> Iterator[list[Triple]]:
    """The triples for ``G``, a node, an edge or a document at a time (see the module docs).

    The documents are those the citations of ``G`` cite, after the nodes and edges; a cited
    document missing from ``documents`` is named but not described, and its quotes carry no
    prefix or suffix.
    """
    film = G.graph.get("name")
    cited: dict[str, None] = {}
    for node, attrs in G.nodes(data=True):
        block = list(_node_triples(node, attrs, film))
        block.extend(_annotations(node_iri(node), OA.identifying, attrs, documents, cited))
        yield block
    for source, target, key, attrs in G.edges(keys=True, data=True):
        statement = edge_iri(key)
        block = list(_edge_triples(statement, source, target, attrs))
        block.extend(_annotations(statement, OA.describing, attrs, documents, cited))
        yield block
    for document in cited:
        yield list(_document_triples(document, documents.get(document)))


def _node_triples(node: object, attrs: Mapping[str, Any], film: object) -> Iterator[Triple]:
    subject = node_iri(node)
    kind = attrs.get("kind")
    if kind == "work" and film is not None and attrs.get("name") == film:
        schema_type = SDO.Movie
    else:
        schema_type = _SCHEMA_TYPES.get(kind, SDO.Thing) if isinstance(kind, str) else SDO.Thing
    yield subject, RDF.type, schema_type
    if isinstance(kind, str) and kind:
        yield subject, RDF.type, KG.NS[_class_name(kind)]
    yield subject, SDO.identifier, Literal(str(node))
    name = attrs.get("name")
    if isinstance(name, str) and name:
        yield subject, SDO.name, Literal(name)
    for alias in _strings(attrs.get("aliases")):
        yield subject, SDO.alternateName, Literal(alias)
    yield from _literals(subject, attrs, _NODE_LITERALS)


def _edge_triples(
    statement: URIRef, source: object, target: object, attrs: Mapping[str, Any]
) -> Iterator[Triple]:
    type_ = attrs.get("type")
    predicate = KG.NS[_segment(type_)] if isinstance(type_, str) and type_ else KG.relatedTo
    subject, object_ = node_iri(source), node_iri(target)
    yield subject, predicate, object_
    yield statement, RDF.type, RDF.Statement
    yield statement, RDF.subject, subject
    yield statement, RDF.predicate, predicate
    yield statement, RDF.object, object_
    yield from _literals(statement, attrs, _EDGE_LITERALS)


def _annotations(
    claim: URIRef,
    motivation: URIRef,
    attrs: Mapping[str, Any],
    documents: Mapping[str, Document],
    cited: dict[str, None],
) -> Iterator[Triple]:
    citations = attrs.get("citations")
    if not isinstance(citations, list | tuple):
        return
    for number, citation in enumerate(citations, start=1):
        if not isinstance(citation, Citation):
            continue
        cited[citation.document] = None
        # Named after the claim (node:ok-ju#citation-1): stable, and no blank nodes to relabel.
        annotation = URIRef(f"{claim}#citation-{number}")
        target = URIRef(f"{annotation}-target")
        by_quote = URIRef(f"{annotation}-quote")
        by_position = URIRef(f"{annotation}-position")
        yield annotation, RDF.type, OA.Annotation
        yield annotation, OA.motivatedBy, motivation
        yield annotation, OA.hasBody, claim
        yield annotation, OA.hasTarget, target
        if citation.hedge:
            yield annotation, KG.hedgeNote, Literal(citation.hedge)
        if citation.erratum:
            yield annotation, KG.erratum, Literal(citation.erratum)
        document = documents.get(citation.document)
        text = document.text if document is not None else None
        located = text is not None and 0 <= citation.start <= citation.end <= len(text)
        yield target, RDF.type, OA.SpecificResource
        yield target, OA.hasSource, document_iri(citation.document)
        yield target, OA.hasSelector, by_quote
        if text is None or not located:
            yield by_quote, RDF.type, OA.TextQuoteSelector
            yield by_quote, OA.exact, Literal(citation.quote)
            continue
        start, end = citation.start, citation.end
        yield target, OA.hasSelector, by_position
        yield by_quote, RDF.type, OA.TextQuoteSelector
        yield by_quote, OA.exact, Literal(text[start:end])
        if start > 0:
            yield by_quote, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARACTERS) : start])
        if end < len(text):
            yield by_quote, OA.suffix, Literal(text[end : end + CONTEXT_CHARACTERS])
        yield by_position, RDF.type, OA.TextPositionSelector
        yield by_position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)
        yield by_position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)


def _document_triples(document_id: str, document: Document | None) -> Iterator[Triple]:
    subject = document_iri(document_id)
    yield subject, RDF.type, SDO.CreativeWork
    yield subject, SDO.identifier, Literal(document_id)
    if document is None:
        return
    yield subject, SDO.name, Literal(document.title)
    yield subject, KG.documentKind, Literal(document.kind)
    if document.url:
        yield subject, SDO.url, URIRef(document.url)
    if document.date:
        yield subject, SDO.datePublished, Literal(document.date, datatype=XSD.date)
    yield subject, SDO.text, Literal(document.text)


def _literals(
    subject: URIRef,
    attrs: Mapping[str, Any],
    fields: tuple[tuple[str, URIRef, URIRef | None], ...],
) -> Iterator[Triple]:
    for attribute, predicate, datatype in fields:
        value = attrs.get(attribute)
        if datatype is None:
            if isinstance(value, str) and value:
                yield subject, predicate, Literal(value)
        elif datatype == XSD.integer:
            if isinstance(value, int) and not isinstance(value, bool):
                yield subject, predicate, Literal(value, datatype=XSD.integer)
        elif (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ):
            yield subject, predicate, Literal(repr(float(value)), datatype=XSD.double)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str) and item:
                yield item


def _class_name(kind: str) -> str:
    return _segment("".join(part.capitalize() for part in kind.replace("-", "_").split("_")))


def _segment(value: str, safe: str = "") -> str:
    """``value`` as one IRI path segment (slugs stay as they are, anything else is escaped)."""
    return quote(value, safe="-._~" + safe)
