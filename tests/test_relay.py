"""Relay's conventions on the real graph: global ids unique over every Node type and found again
by ``node(id:)``, look-ups by name kept apart, and connections paged both ways."""

from __future__ import annotations

import pytest

from tests.test_api import data, error_of

ALL_ENTITIES = """query($after: String) {
  entities(first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id __typename } }
  }
}"""
ALL_RELATIONS = """query($after: String) {
  relations(first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id __typename } }
  }
}"""


def _walk(gql, query: str, field: str) -> list[dict]:
    """Every item of a connection, page after page, as ``{id, __typename}``."""
    items, after = [], None
    while True:
        page = data(gql(query, {"after": after}))[field]
        items += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(items) == page["totalCount"]
            return items
        after = page["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def every_node(gql) -> list[dict]:
    """Every object of every Node type the schema serves, reached through the lists."""
    found = _walk(gql, ALL_ENTITIES, "entities") + _walk(gql, ALL_RELATIONS, "relations")
    rest = data(
        gql("""{ disputes { id __typename claims { id __typename } }
                 documents { id __typename } }""")
    )
    for dispute in rest["disputes"]:
        found.append({"id": dispute["id"], "__typename": dispute["__typename"]})
        found += dispute["claims"]
    return found + rest["documents"]


def test_every_id_of_every_node_type_is_distinct(every_node, ballerina, gql):
    ids = [n["id"] for n in every_node]
    assert len(ids) == len(set(ids))
    claims = sum(len(d.claims) for d in ballerina.disputes.values())
    assert len(ids) == (
        ballerina.counts.nodes
        + ballerina.counts.edges
        + ballerina.counts.disputes
        + claims
        + ballerina.counts.documents
    )
    # Every type implementing Node is among them: nothing identifiable is left out.
    implementing = data(gql('{ __type(name: "Node") { possibleTypes { name } } }'))
    served = {t["name"] for t in implementing["__type"]["possibleTypes"]}
    assert {"Relation", "Dispute", "Claim", "Document", "Character", "Event"} <= served
    # Kinds with no node in this graph are types all the same; those with nodes all appear.
    assert {n["__typename"] for n in every_node} <= served


def test_node_finds_every_object_again_by_its_id(every_node, gql):
    ids = [n["id"] for n in every_node]
    found = []
    for start in range(0, len(ids), 100):
        answer = gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }",
            {"ids": ids[start : start + 100]},
        )
        found += data(answer)["nodes"]
    assert found == every_node
    one = data(
        gql('{ node(id: "claim:vehicle-to-beach/truck") { id ... on Claim { statement } } }')
    )
    assert one["node"] == {"id": "claim:vehicle-to-beach/truck", "statement": "In Ok-ju's truck."}


def test_node_takes_exact_ids_only_and_entity_takes_names(gql):
    answer = data(
        gql("""{ byName: node(id: "Ok-ju") { id } unknown: node(id: "nobody") { id }
                 prefix: node(id: "villain:choi-pro") { id } noClaim: node(id: "claim:how") { id }
                 entity(name: "Ok-ju") { id name }
                 many: nodes(ids: ["ok-ju", "Ok-ju", "document:plot-recap"]) { id } }""")
    )
    assert answer == {
        "byName": None,
        "unknown": None,
        "prefix": None,
        "noClaim": None,
        "entity": {"id": "ok-ju", "name": "Jang Ok-ju"},
        "many": [{"id": "ok-ju"}, None, {"id": "document:plot-recap"}],
    }
    error = error_of(gql('{ entity(name: "ballerina") { id } }'))
    assert error["extensions"]["code"] == "AMBIGUOUS_NAME"
    assert error["extensions"]["argument"] == "name"
    too_many = error_of(
        gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["ok-ju"] * 101})
    )
    assert too_many["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids"}


PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  entities(kinds: [CHARACTER], first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}"""


def test_a_connection_pages_backwards_as_it_pages_forwards(gql):
    def page(**arguments):
        return data(gql(PAGE, arguments))["entities"]

    everything = page(first=100)
    forwards = [e["node"]["id"] for e in everything["edges"]]
    cursors = [e["cursor"] for e in everything["edges"]]
    assert len(forwards) == everything["totalCount"] > 10

    backwards, before = [], None
    while True:
        last = page(last=7, before=before)
        backwards = [e["node"]["id"] for e in last["edges"]] + backwards
        if not last["pageInfo"]["hasPreviousPage"]:
            break
        before = last["pageInfo"]["startCursor"]
    assert backwards == forwards

    middle = page(after=cursors[2], before=cursors[8], last=3)
    assert [e["node"]["id"] for e in middle["edges"]] == forwards[5:8]
    assert middle["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": cursors[5],
        "endCursor": cursors[7],
    }
    empty = page(first=0)
    assert empty["edges"] == [] and empty["pageInfo"]["startCursor"] is None
    assert page()["edges"] == everything["edges"][:20]  # neither first nor last: 20


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"first": 5, "last": 5}, "last"),
        ({"last": 101}, "last"),
        ({"last": -1}, "last"),
        ({"before": "not-a-cursor"}, "before"),
        ({"after": "b2Zmc2V0Oi0x"}, "after"),  # offset:-1
        ({"before": "b2Zmc2V0OjAx"}, "before"),  # offset:01, not as this API writes them
    ],
)
def test_page_arguments_no_page_answers_are_refused_naming_the_argument(gql, arguments, argument):
    error = error_of(gql(PAGE, arguments))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert f"'{argument}'" in error["message"]


def test_relations_are_a_connection_with_edges(gql, ballerina):
    answer = data(
        gql("""{ relations(types: ["kills"], last: 2) {
            totalCount pageInfo { hasPreviousPage hasNextPage }
            edges { cursor node { id type } } nodes { id } } }""")
    )["relations"]
    kills = [
        key for *_, key, kind in ballerina.graph.edges(keys=True, data="type") if kind == "kills"
    ]
    assert answer["totalCount"] == len(kills) > 2
    assert answer["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert [e["node"] for e in answer["edges"]] == [
        {"id": n["id"], "type": "kills"} for n in answer["nodes"]
    ]
    assert all(e["node"]["id"].startswith("relation:") for e in answer["edges"])
