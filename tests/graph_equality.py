"""Two built graphs answer alike: every field of the KnowledgeGraph, every export's bytes, and
what the search and passage indexes answer for every name of every node."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from graph.cooccurrence import CooccurrenceNetwork
from graph.knowledge import KnowledgeGraph
from graph.search import search
from server.exports import FORMATS

#: Fields of a KnowledgeGraph that have no equality of their own, compared below by answers.
_BY_ANSWERS = {"graph", "search", "passages", "cooccurrence", "cooccurrence_by_document"}


def _graph_items(G: Any) -> tuple[list[Any], list[Any], dict[str, Any]]:
    # Lists in iteration order: the order of a node's neighbours and edges is an answer too.
    return list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), dict(G.graph)


def _network(network: CooccurrenceNetwork) -> tuple[Any, ...]:
    return (_graph_items(network.graph), network.ranked, network.communities)


def assert_same_answers(a: KnowledgeGraph, b: KnowledgeGraph) -> None:
    for field in fields(KnowledgeGraph):
        if field.name not in _BY_ANSWERS:
            assert getattr(a, field.name) == getattr(b, field.name), field.name
    assert _graph_items(a.graph) == _graph_items(b.graph)
    for name, export in FORMATS.items():
        assert b"".join(export.stream(a.graph, a.documents)) == b"".join(
            export.stream(b.graph, b.documents)
        ), name
    assert _network(a.cooccurrence) == _network(b.cooccurrence)
    assert a.cooccurrence_by_document.keys() == b.cooccurrence_by_document.keys()
    for document, network in a.cooccurrence_by_document.items():
        assert _network(network) == _network(b.cooccurrence_by_document[document]), document
    terms = sorted(
        {str(data["name"]) for _, data in a.graph.nodes(data=True)}
        | {alias for _, data in a.graph.nodes(data=True) for alias in data.get("aliases", ())}
    )
    terms += ["who kills the boss", "flamethrower", "lamborgini", "Jun Jong-seo", "the"]
    for term in terms:
        assert search(a, term, 10) == search(b, term, 10), term
        assert a.search.names.matches(term) == b.search.names.matches(term), term
        assert a.passages.search(term, 10) == b.passages.search(term, 10), term
    assert a.passages.passages == b.passages.passages
    for passage in a.passages.passages:
        assert a.passages.mentions(passage) == b.passages.mentions(passage)
        assert a.passages.cited_by(passage) == b.passages.cited_by(passage)
