"""One filter language: GraphQL, the HTTP exports and the command line select the same part of
the real graph for the same filter, and refuse the same bad filter with the same words and the
same list of valid values (issue 15, item 3)."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from graph.load import load_knowledge_base
from graph.model import participation_key
from server.cli import main
from tests.conftest import SEEDS

# --- the same bad filter, three ways ---------------------------------------------------------


def _graphql_refusal(gql, document: str) -> tuple[str, str, list[str] | None]:
    (error,) = gql(document)["errors"]
    argument = error["extensions"]["argument"]
    prefix = f"Argument '{argument}': "
    assert error["message"].startswith(prefix), error
    known = error["extensions"].get("known", error["extensions"].get("candidates"))
    return argument, error["message"].removeprefix(prefix), known


def _http_refusal(client, params: dict[str, str]) -> tuple[str, str, list[str] | None]:
    response = client.get("/export/graph.json", params=params)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    prefix = f"{body['parameter']}: "
    assert body["error"].startswith(prefix), body
    return body["parameter"], body["error"].removeprefix(prefix), body.get("known")


def _cli_refusal(capsys, tmp_path, argv: list[str]) -> tuple[str, str]:
    out = tmp_path / "x.json"
    assert main(["export", "--format", "json", *argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert not out.exists()
    option, _, message = err.removeprefix("ballerina-kg export: ").rstrip("\n").partition(": ")
    return option, message


#: A bad filter as each surface spells it: the GraphQL documents (several fields take it), the
#: export's query parameters, the command line's options, and the argument each names.
BAD_FILTERS = [
    pytest.param(
        [
            '{ subgraph(types: ["kills", "hugs"]) { matched } }',
            '{ egoNetwork(center: "ok-ju", types: ["hugs"]) { matched } }',
            '{ relations(types: ["hugs"]) { totalCount } }',
            '{ path(from: "ok-ju", to: "choi-pro", types: ["hugs"]) { found } }',
        ],
        {"relation": "kills,hugs"},
        ["--relation", "kills", "--relation", "hugs"],
        ("types", "relation", "--relation"),
        "unknown relation type 'hugs' (known: accomplice_of, ",
        id="relation type",
    ),
    pytest.param(
        [
            '{ subgraph(documents: ["the-guardian"]) { matched } }',
            '{ egoNetwork(center: "ok-ju", documents: ["the-guardian"]) { matched } }',
            '{ relations(documents: ["plot-recap", "the-guardian"]) { totalCount } }',
            '{ passages(text: "flamethrower", documents: ["the-guardian"]) { text } }',
            '{ timeline(documents: ["the-guardian"]) { id } }',
        ],
        {"document": "the-guardian"},
        ["--document", "the-guardian"],
        ("documents", "document", "--document"),
        "no document has the id 'the-guardian' (known: ending-explained, plot-recap, ",
        id="document",
    ),
    pytest.param(
        ['{ egoNetwork(center: "Mr Nobody") { matched } }'],
        {"center": "Mr Nobody"},
        ["--center", "Mr Nobody"],
        ("center", "center", "--center"),
        "no node has the id, name or alias 'Mr Nobody'",
        id="unknown centre",
    ),
    pytest.param(
        ['{ egoNetwork(center: "ballerina") { matched } }'],
        {"center": "ballerina"},
        ["--center", "ballerina"],
        ("center", "center", "--center"),
        "'ballerina' names 5 nodes (ballerina-2023, ",
        id="ambiguous centre",
    ),
    pytest.param(
        ['{ egoNetwork(center: "Chef Choi", radius: 4) { matched } }'],
        {"center": "Chef Choi", "radius": "4"},
        ["--center", "Chef Choi", "--radius", "4"],
        ("radius", "radius", "--radius"),
        "must be between 0 and 3, not 4",
        id="radius",
    ),
    pytest.param(
        # GraphQL's kinds and certainties are enums: a bad one never reaches a resolver.
        [],
        {"kind": "villain"},
        ["--kind", "villain"],
        (None, "kind", "--kind"),
        "unknown node kind 'villain' (known: character, person, ",
        id="kind",
    ),
    pytest.param(
        [],
        {"certainty": "stated,probable"},
        ["--certainty", "STATED", "--certainty", "probable"],
        (None, "certainty", "--certainty"),
        "unknown certainty 'probable' (known: stated, hedged, inferred)",
        id="certainty",
    ),
]


@pytest.mark.parametrize(("documents", "params", "argv", "names", "start"), BAD_FILTERS)
def test_the_same_bad_filter_is_refused_in_the_same_words_everywhere(
    gql, client, capsys, tmp_path, documents, params, argv, names, start
) -> None:
    argument, option = names[0], names[2]
    parameter, message, known = _http_refusal(client, params)
    assert parameter == names[1]
    assert message.startswith(start), message
    assert _cli_refusal(capsys, tmp_path, argv) == (option, message)
    for document in documents:
        assert _graphql_refusal(gql, document) == (argument, message, known), document
    if known is not None:  # the list of valid values is the one the message gives
        assert all(value in message for value in known)


def test_the_lists_of_valid_values_are_the_graphs(gql, ballerina, client) -> None:
    # GraphQL gives global ids (document:plot-recap); a filter takes either form.
    documents = [d["id"] for d in gql("{ documents { id } }")["data"]["documents"]]
    assert documents == [f"document:{d}" for d in ballerina.documents]
    _, _, known = _http_refusal(client, {"document": "nope"})
    assert known == list(ballerina.documents)
    vocabulary = gql("{ vocabulary { kinds { name } relationTypes { name } roles { name } } }")
    terms = vocabulary["data"]["vocabulary"]
    _, _, known = _http_refusal(client, {"kind": "nope"})
    assert known == [t["name"] for t in terms["kinds"]]
    _, _, known = _http_refusal(client, {"relation": "nope"})
    assert known == sorted(t["name"] for t in terms["relationTypes"]) + [
        t["name"] for t in terms["roles"]
    ]


# --- the same selection, three ways ------------------------------------------------------------


def _graphql_selection(gql, arguments: str) -> tuple[set[str], list[tuple[str, str, str]]]:
    body = gql(
        f"""{{ subgraph({arguments}, maxNodes: 300) {{ truncated nodes {{ id }}
               relations {{ type source {{ id }} target {{ id }} }} }} }}"""
    )
    assert "errors" not in body, body
    answer = body["data"]["subgraph"]
    assert not answer["truncated"]
    edges = [(r["source"]["id"], r["target"]["id"], r["type"]) for r in answer["relations"]]
    return {n["id"] for n in answer["nodes"]}, sorted(edges)


def _export_selection(G: nx.MultiDiGraph) -> tuple[set[str], list[tuple[str, str, str]]]:
    return set(G), sorted((u, v, t) for u, v, t in G.edges(data="type"))


def _http_selection(client, params: dict[str, str]) -> tuple[set[str], list]:
    response = client.get("/export/graph.json", params=params)
    assert response.status_code == 200, response.text[:300]
    return _export_selection(nx.node_link_graph(response.json(), edges="edges"))


def _cli_selection(capsysbinary, argv: list[str]) -> tuple[set[str], list]:
    assert main(["export", "--format", "json", *argv]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    return _export_selection(nx.node_link_graph(data, edges="edges"))


@pytest.fixture(scope="module")
def claims_by_document() -> dict[str, list[tuple[str, str, str, str]]]:
    """Every relation and participation of the annotation, as (source, target, type,
    certainty), under each document it cites: read from the seeds, not from the graph."""
    kb = load_knowledge_base(SEEDS)
    found: dict[str, list[tuple[str, str, str, str]]] = {d: [] for d in kb.documents}
    for r in kb.relations:
        for document in {c.document for c in r.citations}:
            found[document].append((r.source, r.target, r.type, r.certainty))
    for event in kb.events:
        for p in event.participants:
            assert participation_key(event.id, p.role, p.entity)  # an edge of its own
            for document in {c.document for c in p.citations}:
                found[document].append((p.entity, event.id, p.role, p.certainty))
    return found


def test_a_document_filter_keeps_what_that_article_says(
    gql, client, capsysbinary, claims_by_document
) -> None:
    claims = claims_by_document["symbolism-explainer"]
    expected_edges = sorted((s, t, ty) for s, t, ty, _ in claims)
    expected_nodes = {n for s, t, _, _ in claims for n in (s, t)}
    graphql = _graphql_selection(gql, 'documents: ["symbolism-explainer"]')
    assert graphql == (expected_nodes, expected_edges)
    assert _http_selection(client, {"document": "symbolism-explainer"}) == graphql
    assert _cli_selection(capsysbinary, ["--document", "symbolism-explainer"]) == graphql
    # The hedged fish capsules of the README are among what this article says.
    assert ("choi-pro", "fish-capsules", "uses") in expected_edges
    # A claim only other articles make is not: the recap's Lamborghini.
    recap_only = set(claims_by_document["plot-recap"]) - set(claims)
    assert recap_only and not {(s, t, ty) for s, t, ty, _ in recap_only} & set(expected_edges)


def test_each_relation_a_document_filter_gives_is_cited_from_it(gql, claims_by_document) -> None:
    body = gql(
        """{ relations(documents: ["capsule-review"], first: 100) { totalCount
               relations { citations { document { id } } } } }"""
    )
    answer = body["data"]["relations"]
    assert answer["totalCount"] == len(claims_by_document["capsule-review"]) > 0
    for relation in answer["relations"]:
        assert "document:capsule-review" in {c["document"]["id"] for c in relation["citations"]}
    two = gql('{ relations(documents: ["capsule-review", "qa-review"]) { totalCount } }')
    either = set(claims_by_document["capsule-review"]) | set(claims_by_document["qa-review"])
    assert two["data"]["relations"]["totalCount"] == len(either)


def test_a_certainty_filter_is_the_same_everywhere(
    gql, client, capsysbinary, claims_by_document
) -> None:
    hedged = {c for claims in claims_by_document.values() for c in claims if c[3] == "hedged"}
    expected_edges = sorted((s, t, ty) for s, t, ty, _ in hedged)
    graphql = _graphql_selection(gql, "certainty: [HEDGED]")
    assert graphql == ({n for s, t, _, _ in hedged for n in (s, t)}, expected_edges)
    assert _http_selection(client, {"certainty": "hedged"}) == graphql
    assert _http_selection(client, {"certainty": "HEDGED"}) == graphql
    assert _cli_selection(capsysbinary, ["--certainty", "Hedged"]) == graphql
    count = gql("{ relations(certainty: [HEDGED]) { totalCount } }")["data"]["relations"]
    assert count["totalCount"] == len(expected_edges)


def test_filters_combine_and_take_either_case(gql, client, capsysbinary) -> None:
    graphql = _graphql_selection(
        gql, 'kinds: [CHARACTER], documents: ["plot-recap"], certainty: [INFERRED]'
    )
    nodes, edges = graphql
    assert edges and all(t not in ("agent", "patient") for _, _, t in edges)  # no events kept
    upper = {"kind": "CHARACTER", "document": "PLOT-RECAP", "certainty": "INFERRED"}
    lower = {"kind": "character", "document": "plot-recap", "certainty": "inferred"}
    assert _http_selection(client, upper) == _http_selection(client, lower) == graphql
    argv = ["--kind", "Character", "--document", "Plot-Recap", "--certainty", "INFERRED"]
    assert _cli_selection(capsysbinary, argv) == graphql


def test_keeping_the_rest_keeps_every_node_and_only_the_matching_edges(
    gql, client, capsysbinary, ballerina
) -> None:
    matching = _graphql_selection(gql, 'documents: ["qa-review"]')
    everything = _graphql_selection(gql, 'documents: ["qa-review"], keepIsolated: true')
    assert everything[1] == matching[1]
    assert everything[0] == set(ballerina.graph) != matching[0]
    assert _http_selection(client, {"document": "qa-review", "isolated": "keep"}) == everything
    argv = ["--document", "qa-review", "--keep-isolated"]
    assert _cli_selection(capsysbinary, argv) == everything


def test_an_ego_network_takes_a_centre_by_any_name_everywhere(gql, client, capsysbinary) -> None:
    body = gql(
        """{ egoNetwork(center: "Chef Choi", radius: 1, kinds: [CHARACTER], maxNodes: 300,
                        documents: ["ending-explained"]) {
               nodes { id } relations { type source { id } target { id } } } }"""
    )
    answer = body["data"]["egoNetwork"]
    graphql = (
        {n["id"] for n in answer["nodes"]},
        sorted((r["source"]["id"], r["target"]["id"], r["type"]) for r in answer["relations"]),
    )
    assert "choi-pro" in graphql[0] and graphql[1]
    params = {"center": "Chef Choi", "kind": "CHARACTER", "document": "ending-explained"}
    assert _http_selection(client, params) == graphql
    assert _http_selection(client, {**params, "center": "choi-pro"}) == graphql
    argv = ["--center", "Chef Choi", "--kind", "CHARACTER", "--document", "ending-explained"]
    assert _cli_selection(capsysbinary, argv) == graphql


def test_a_timeline_of_one_article_is_the_events_it_cites_in_story_order(gql) -> None:
    kb = load_knowledge_base(SEEDS)
    told = sorted(
        (e for e in kb.events if "capsule-review" in {c.document for c in e.citations}),
        key=lambda e: e.story_order,
    )
    body = gql('{ timeline(documents: ["Capsule-Review"]) { id } }')
    assert [e["id"] for e in body["data"]["timeline"]] == [e.id for e in told]
    assert 0 < len(told) < len(kb.events)
