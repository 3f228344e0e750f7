"""Turtle (RDF 1.1), written as a stream: the triples of :mod:`server.exports.rdf`.

rdflib's own serializer sorts and groups a whole in-memory graph before writing a byte; this
writer declares the prefixes once and then writes each block of triples as it comes, grouped by
subject (``subject p o ; p o .``). Terms are written by rdflib (``Node.n3``), which escapes
literals and IRIs; an IRI under a declared prefix is written as a prefixed name when its local
part is a plain name, in full otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
from rdflib.term import Node, URIRef

from graph.model import Document
from server.exports import rdf
from server.exports.chunks import chunked
from server.exports.rdf_vocabulary import RDF, prefixed_name

__all__ = ["MEDIA_TYPE", "iter_bytes", "iter_text"]

MEDIA_TYPE = "text/turtle"


def iter_bytes(G: nx.MultiDiGraph[Any], documents: Mapping[str, Document]) -> Iterator[bytes]:
    """Stream ``G`` as Turtle, in UTF-8 chunks of about 64 KiB."""
    return chunked(iter_text(G, documents))


def iter_text(G: nx.MultiDiGraph[Any], documents: Mapping[str, Document]) -> Iterator[str]:
    for prefix, namespace in rdf.PREFIXES.items():
        yield f"@prefix {prefix}: <{namespace}> .\n"
    for block in rdf.blocks(G, documents):
        yield "\n"
        subject: Node | None = None
        for s, p, o in block:
            # The writer of the triples reuses one term per subject: identity is enough, and
            # rdflib's own comparison is slow. (An equal term that is not the same object would
            # only start a second group for that subject, which Turtle allows.)
            if s is not subject:
                if subject is not None:
                    yield " .\n"
                subject = s
                yield f"{_term(s)}\n    "
            else:
                yield " ;\n    "
            yield f"{'a' if p is RDF.type else _term(p)} {_term(o)}"
        if subject is not None:
            yield " .\n"


def _term(term: Node) -> str:
    if isinstance(term, URIRef):
        prefixed = prefixed_name(str(term))
        if prefixed is not None:
            return prefixed
    written = term.n3()
    datatype = getattr(term, "datatype", None)
    if datatype is not None:  # "183"^^<...#integer> as "183"^^xsd:integer
        return written[: -len(datatype.n3())] + _term(datatype)
    return written
