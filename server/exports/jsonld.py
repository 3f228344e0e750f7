"""JSON-LD 1.1, written as a stream: the triples of :mod:`server.exports.rdf` as a flat ``@graph``.

The document is ``{"@context": {prefix: namespace...}, "@graph": [node object, ...]}``, one node
object per subject of each block (a subject split over two blocks gets two objects, which
JSON-LD merges), with compact IRIs for the prefixes of :data:`server.exports.rdf.PREFIXES`.
Plain strings are JSON strings, ``xsd:integer`` values JSON numbers, every other typed literal a
value object with its ``@type`` (doubles keep their lexical form, so the RDF read back is the
same as the Turtle's, term for term).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
from rdflib.term import Literal, Node, URIRef

from graph.model import Document
from server.exports import rdf
from server.exports.chunks import chunked
from server.exports.rdf_vocabulary import RDF, XSD, prefixed_name

__all__ = ["MEDIA_TYPE", "iter_bytes", "iter_text"]

MEDIA_TYPE = "application/ld+json"

_INTEGER = str(XSD.integer)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def iter_bytes(G: nx.MultiDiGraph[Any], documents: Mapping[str, Document]) -> Iterator[bytes]:
    """Stream ``G`` as JSON-LD, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G, documents))


def iter_text(G: nx.MultiDiGraph[Any], documents: Mapping[str, Document]) -> Iterator[str]:
    yield '{"@context":' + _encode(dict(rdf.PREFIXES)) + ',\n"@graph":['
    separator = "\n"
    for block in rdf.blocks(G, documents):
        for node_object in _node_objects(block):
            yield separator + _encode(node_object)
            separator = ",\n"
    yield "\n]}\n"


def _node_objects(block: list[rdf.Triple]) -> Iterator[dict[str, Any]]:
    objects: dict[str, dict[str, Any]] = {}  # by the subject as a plain string: it hashes fast
    for s, p, o in block:
        node_object = objects.get(str(s))
        if node_object is None:
            node_object = objects[str(s)] = {"@id": _compact(s)}
        if p is RDF.type:
            node_object.setdefault("@type", []).append(_compact(o))
        else:
            node_object.setdefault(_compact(p), []).append(_value(o))
    yield from objects.values()


def _value(term: Node) -> Any:
    if isinstance(term, URIRef):
        return {"@id": _compact(term)}
    if isinstance(term, Literal):
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is None:
            return str(term)
        if str(term.datatype) == _INTEGER:
            return int(term)
        return {"@value": str(term), "@type": _compact(term.datatype)}
    raise TypeError(f"no JSON-LD value for {term!r}")  # the export makes no blank nodes


def _compact(iri: Node) -> str:
    text = str(iri)
    return prefixed_name(text) or text
