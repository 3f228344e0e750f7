"""The RDF exports: Turtle and JSON-LD with schema.org types and citations as W3C Web Annotations.

Read by Oxigraph (pyoxigraph, a parser and SPARQL engine independent of rdflib, which writes
the terms) and by rdflib's own parsers; questions are asked in SPARQL and the answers compared
with the graph and with the seed texts read from disk.
"""

from __future__ import annotations

import gzip
import unicodedata
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from graph.subgraph import select
from server.cli import main
from server.exports import jsonld, rdf, turtle
from tests.conftest import SEEDS
from tests.synthetic_graph import HOSTILE, hostile_graph

IDENTITY = {"accept-encoding": "identity"}
PREFIXES = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in rdf.PREFIXES.items())
FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def store_of(data: bytes, extension: str) -> ox.Store:
    store = ox.Store()
    store.load(data, format=FORMATS[extension])
    return store


def select_rows(store: ox.Store, sparql: str) -> list[dict[str, object]]:
    """The solutions of a SELECT, each variable's value as Python (IRIs as strings)."""
    solutions = store.query(PREFIXES + sparql)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if isinstance(term, ox.Literal) and term.datatype in (
                ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"),
            ):
                row[name] = int(term.value)
            else:
                row[name] = None if term is None else term.value
        rows.append(row)
    return rows


def seed_text(ballerina, document: str) -> str:
    """The document's text as the file in seeds/ holds it (not as the graph loaded it)."""
    return (SEEDS / ballerina.documents[document].file).read_text(encoding="utf-8")


def folded(text: str) -> str:
    """Text compared as the validator compares a quote with its document (spacing, quotes)."""
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def exported(client) -> dict[str, bytes]:
    files = {}
    for extension in FORMATS:
        response = client.get(f"/export/graph.{extension}", headers=IDENTITY)
        assert response.status_code == 200, response.text
        files[extension] = response.content
    return files


@pytest.fixture(scope="module")
def store(exported) -> ox.Store:
    return store_of(exported["ttl"], "ttl")


# --- both formats, two parsers -------------------------------------------------------------


# rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_turtle_and_json_ld_hold_the_same_triples(exported) -> None:
    turtle_store, jsonld_store = (store_of(exported[e], e) for e in FORMATS)
    assert len(turtle_store) > 10_000
    assert set(turtle_store) == set(jsonld_store)
    by_rdflib = [
        rdflib.Graph().parse(data=exported["ttl"], format="turtle"),
        rdflib.Graph().parse(data=exported["jsonld"], format="json-ld"),
    ]
    assert len(by_rdflib[0]) == len(turtle_store)
    assert rdflib.compare.isomorphic(*by_rdflib)


# --- SPARQL questions, answered as the graph answers them ------------------------------------


def test_who_kills_choi(ballerina, store) -> None:
    rows = select_rows(
        store,
        """SELECT ?killer WHERE {
             ?victim schema:name "Choi Pro" . ?who kg:kills ?victim . ?who schema:name ?killer }""",
    )
    G = ballerina.graph
    expected = [
        G.nodes[u]["name"] for u, v, t in G.edges(data="type") if t == "kills" and v == "choi-pro"
    ]
    assert [row["killer"] for row in rows] == expected == ["Jang Ok-ju"]


def test_the_quotes_that_support_an_edge_point_at_their_place_in_the_seed_text(
    ballerina, store
) -> None:
    rows = select_rows(
        store,
        """SELECT ?document ?exact ?prefix ?suffix ?start ?end WHERE {
             ?edge a rdf:Statement ; rdf:subject node:ok-ju ; rdf:predicate kg:kills ;
                   rdf:object node:choi-pro .
             ?annotation a oa:Annotation ; oa:hasBody ?edge ; oa:hasTarget ?target ;
                         oa:motivatedBy oa:describing .
             ?target a oa:SpecificResource ; oa:hasSource ?source ;
                     oa:hasSelector ?quote, ?position .
             ?quote a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ;
                    oa:suffix ?suffix .
             ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
             ?source a schema:CreativeWork ; schema:identifier ?document .
           } ORDER BY ?document ?start""",
    )
    citations = ballerina.graph.edges["ok-ju", "choi-pro", "ok-ju/kills/choi-pro"]["citations"]
    assert len(rows) == len(citations) > 0
    assert sorted((r["document"], r["start"]) for r in rows) == sorted(
        (c.document, c.start) for c in citations
    )
    for row in rows:
        text = seed_text(ballerina, row["document"])
        start, end = row["start"], row["end"]
        assert text[start:end] == row["exact"]
        assert text[start - len(row["prefix"]) : start] == row["prefix"]
        assert text[end : end + len(row["suffix"])] == row["suffix"]
        assert len(row["prefix"]) == len(row["suffix"]) == rdf.CONTEXT_CHARACTERS
        [citation] = [c for c in citations if (c.document, c.start) == (row["document"], start)]
        assert folded(row["exact"]) == folded(citation.quote)


def test_every_citation_is_an_annotation_whose_offsets_select_its_quote(ballerina, store) -> None:
    G = ballerina.graph
    cited = [c for _, d in G.nodes(data=True) for c in d["citations"]]
    cited += [c for _, _, d in G.edges(data=True) for c in d["citations"]]
    [[total]] = [
        list(r.values())
        for r in select_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a a oa:Annotation }")
    ]
    assert total == len(cited)
    # SPARQL's SUBSTR counts characters from 1, as the selectors count them from 0.
    mismatched = select_rows(
        store,
        """SELECT ?annotation WHERE {
             ?annotation oa:hasTarget ?target .
             ?target oa:hasSource ?source ; oa:hasSelector ?quote, ?position .
             ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end .
             ?source schema:text ?text .
             FILTER (SUBSTR(?text, ?start + 1, ?end - ?start) != ?exact) }""",
    )
    assert mismatched == []
    located = select_rows(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { ?t oa:hasSelector ?p . ?p a oa:TextPositionSelector }",
    )
    assert located == [{"n": len(cited)}]


def test_nodes_have_schema_org_types_by_kind(ballerina, store) -> None:
    rows = select_rows(
        store,
        """SELECT ?type (COUNT(?thing) AS ?n) WHERE {
             ?thing a ?type ; schema:identifier ?id .
             FILTER (STRSTARTS(STR(?type), "https://schema.org/")) } GROUP BY ?type""",
    )
    counted = {row["type"].removeprefix("https://schema.org/"): row["n"] for row in rows}
    kinds = Counter(kind for _, kind in ballerina.graph.nodes(data="kind"))
    assert counted == {
        "Movie": 1,
        "CreativeWork": kinds["work"] - 1 + len(ballerina.documents),
        "Person": kinds["character"] + kinds["person"],
        "Place": kinds["place"],
        "Organization": kinds["organization"],
        "Event": kinds["event"],
        "Thing": kinds["object"] + kinds["symbol"] + kinds["theme"],
    }
    [film] = select_rows(store, "SELECT ?id WHERE { ?film a schema:Movie ; schema:identifier ?id }")
    assert film["id"] == "ballerina-2023"
    [event] = select_rows(
        store,
        "SELECT ?order WHERE { node:burning-of-choi a schema:Event, kg:Event ; kg:storyOrder ?order }",
    )
    assert event["order"] == ballerina.graph.nodes["burning-of-choi"]["story_order"]


def test_participations_and_hedged_relations_keep_their_role_and_certainty(
    ballerina, store
) -> None:
    agents = select_rows(
        store, "SELECT ?who WHERE { ?agent kg:agent node:burning-of-choi ; schema:identifier ?who }"
    )
    assert [a["who"] for a in agents] == [
        u for u, _, t in ballerina.graph.in_edges("burning-of-choi", data="type") if t == "agent"
    ]
    hedged = select_rows(
        store,
        """SELECT ?who WHERE { ?s rdf:subject ?source ; rdf:predicate kg:uses ;
             rdf:object node:fish-capsules ; kg:certainty "hedged" .
             ?source schema:identifier ?who } ORDER BY ?who""",
    )
    assert [h["who"] for h in hedged] == ["choi-customers", "choi-pro"]


def test_a_filtered_export_holds_the_selection_and_the_documents_it_cites(
    ballerina, client
) -> None:
    store = store_of(
        client.get("/export/graph.ttl?relation=kills", headers=IDENTITY).content, "ttl"
    )
    selected = select(ballerina.graph, relation_types=["kills"], names=ballerina.search.names)
    nodes = select_rows(store, "SELECT ?id WHERE { ?n kg:kind ?kind ; schema:identifier ?id }")
    assert {n["id"] for n in nodes} == set(selected)
    statements = select_rows(store, "SELECT ?p WHERE { ?s a rdf:Statement ; rdf:predicate ?p }")
    assert [s["p"] for s in statements] == [
        "https://ballerina-kg.invalid/vocab#kills"
    ] * selected.number_of_edges()
    documents = select_rows(
        store,
        "SELECT ?id WHERE { ?d a schema:CreativeWork ; schema:text ?t ; schema:identifier ?id }",
    )
    cited = {c.document for n, d in selected.nodes(data=True) for c in d["citations"]}
    cited |= {c.document for _, _, d in selected.edges(data=True) for c in d["citations"]}
    assert {d["id"] for d in documents} == cited


def test_hostile_values_survive_both_formats() -> None:
    G = hostile_graph()
    written = {
        "ttl": b"".join(turtle.iter_bytes(G, {})),
        "jsonld": b"".join(jsonld.iter_bytes(G, {})),
    }
    stores = {e: store_of(data, e) for e, data in written.items()}
    assert set(stores["ttl"]) == set(stores["jsonld"])
    names = select_rows(
        stores["ttl"], "SELECT ?id ?name WHERE { ?n schema:identifier ?id ; schema:name ?name }"
    )
    assert {n["id"]: n["name"] for n in names}['q"<&>'] == HOSTILE
    exact = select_rows(
        stores["jsonld"], "SELECT ?exact WHERE { ?q a oa:TextQuoteSelector ; oa:exact ?exact }"
    )
    assert HOSTILE in {e["exact"] for e in exact}


# --- HTTP and the command line -------------------------------------------------------------


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [("ttl", "text/turtle; charset=utf-8"), ("jsonld", "application/ld+json")],
)
def test_each_format_is_served_with_its_type_and_caching(client, extension, media_type) -> None:
    url = f"/export/graph.{extension}?center=Ok-ju"
    first = client.get(url, headers=IDENTITY)
    assert first.status_code == 200 and first.headers["content-type"] == media_type
    assert (
        first.headers["content-disposition"]
        == f'attachment; filename="ballerina-Ok-ju-r1.{extension}"'
    )
    tag = first.headers["etag"]
    assert client.get(url, headers={**IDENTITY, "if-none-match": tag}).status_code == 304
    with client.stream("GET", url, headers={"accept-encoding": "gzip"}) as zipped:
        raw = b"".join(zipped.iter_raw())
        assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == first.content


def test_the_command_writes_what_the_route_serves(client, tmp_path: Path) -> None:
    for extension in FORMATS:
        out = tmp_path / f"graph.{extension}"
        assert (
            main(
                [
                    "--seeds",
                    str(SEEDS),
                    "export",
                    "--format",
                    extension,
                    "--kind",
                    "place",
                    "-o",
                    str(out),
                ]
            )
            == 0
        )
        served = client.get(f"/export/graph.{extension}?kind=place", headers=IDENTITY).content
        assert out.read_bytes() == served
