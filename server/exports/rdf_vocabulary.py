"""The RDF terms the exports write, each made once.

rdflib's namespaces make (and check) a new term at every look-up (``OA.hasBody``), which
dominated the time of an export; these classes hold each term as a constant instead.
:data:`PREFIXES` are the prefixes both formats declare, and :data:`PREFIXED` each constant
term's prefixed name; :func:`prefixed_name` gives any IRI's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from rdflib.namespace import RDF as _RDF
from rdflib.namespace import SDO as _SDO
from rdflib.namespace import XSD as _XSD
from rdflib.namespace import Namespace
from rdflib.term import URIRef

__all__ = ["BASE", "KG", "OA", "PREFIXED", "PREFIXES", "RDF", "SDO", "XSD", "prefixed_name"]

#: Where everything the graph holds is named (``.invalid`` is reserved: nothing resolves).
BASE = "https://ballerina-kg.invalid/"


class RDF:
    NS = Namespace(str(_RDF))
    type = NS.type
    Statement = NS.Statement
    subject = NS.subject
    predicate = NS.predicate
    object = NS.object


class XSD:
    NS = Namespace(str(_XSD))
    integer = NS.integer
    nonNegativeInteger = NS.nonNegativeInteger
    double = NS.double
    date = NS.date


class SDO:
    """schema.org."""

    NS = Namespace(str(_SDO))
    Thing = NS.Thing
    Person = NS.Person
    Place = NS.Place
    Organization = NS.Organization
    Event = NS.Event
    CreativeWork = NS.CreativeWork
    Movie = NS.Movie
    identifier = NS.identifier
    name = NS.name
    alternateName = NS.alternateName
    description = NS.description
    url = NS.url
    datePublished = NS.datePublished
    text = NS.text


class OA:
    """The W3C Web Annotation vocabulary."""

    NS = Namespace("http://www.w3.org/ns/oa#")
    Annotation = NS.Annotation
    SpecificResource = NS.SpecificResource
    TextQuoteSelector = NS.TextQuoteSelector
    TextPositionSelector = NS.TextPositionSelector
    motivatedBy = NS.motivatedBy
    identifying = NS.identifying
    describing = NS.describing
    hasBody = NS.hasBody
    hasTarget = NS.hasTarget
    hasSource = NS.hasSource
    hasSelector = NS.hasSelector
    exact = NS.exact
    prefix = NS.prefix
    suffix = NS.suffix
    start = NS.start
    end = NS.end


class KG:
    """The project's own vocabulary: kinds, relation types and roles, and the claim's fields."""

    NS = Namespace(BASE + "vocab#")
    kind = NS.kind
    edgeKind = NS.edgeKind
    type = NS.type
    relatedTo = NS.relatedTo
    certainty = NS.certainty
    certaintyReason = NS.certaintyReason
    note = NS.note
    dispute = NS.dispute
    claim = NS.claim
    hedgeNote = NS.hedgeNote
    erratum = NS.erratum
    storyOrder = NS.storyOrder
    narrativeOrder = NS.narrativeOrder
    narrative = NS.narrative
    mentionCount = NS.mentionCount
    degree = NS.degree
    pagerank = NS.pagerank
    betweenness = NS.betweenness
    documentKind = NS.documentKind


NODE = Namespace(BASE + "node/")
EDGE = Namespace(BASE + "edge/")
DOCUMENT = Namespace(BASE + "document/")

#: Prefix -> namespace, as both formats declare them.
PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "rdf": str(RDF.NS),
        "xsd": str(XSD.NS),
        "schema": str(SDO.NS),
        "oa": str(OA.NS),
        "kg": str(KG.NS),
        "node": str(NODE),
        "edge": str(EDGE),
        "document": str(DOCUMENT),
    }
)

#: Each constant term above, as a plain string (rdflib's terms hash in Python, slowly) -> its
#: prefixed name (``oa:hasBody``).
PREFIXED: Mapping[str, str] = MappingProxyType(
    {
        str(value): f"{prefix}:{name}"
        for prefix, holder in (("rdf", RDF), ("xsd", XSD), ("schema", SDO), ("oa", OA), ("kg", KG))
        for name, value in vars(holder).items()
        if isinstance(value, URIRef) and name != "NS"
    }
)

# A local name that needs no escaping in Turtle (a subset of PN_LOCAL); JSON-LD takes it too.
_PLAIN_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# The namespaces of the IRIs made as the graph is written (the vocabulary's are in PREFIXED).
_MADE_NAMESPACES = tuple((p, PREFIXES[p]) for p in ("node", "edge", "document", "kg"))


def prefixed_name(iri: str) -> str | None:
    """``iri`` as a prefixed name (``oa:hasBody``, ``node:ok-ju``), or ``None`` where it is
    under no declared prefix or its local part is not a plain name: write it in full."""
    prefixed = PREFIXED.get(iri)
    if prefixed is not None:
        return prefixed
    for prefix, namespace in _MADE_NAMESPACES:
        if iri.startswith(namespace) and _PLAIN_LOCAL.match(iri, len(namespace)):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None
