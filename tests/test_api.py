"""The GraphQL API on the real Ballerina graph, through the real app: answers, evidence, misses,
limits, and the committed SDL."""

from __future__ import annotations

import pytest
from graphql import parse

from schema import EXAMPLES_PATH, SDL_PATH, build_schema


def data(body: dict) -> dict:
    assert "errors" not in body, body.get("errors")
    return body["data"]


def error_of(body: dict) -> dict:
    (error,) = body["errors"]
    return error


def test_committed_sdl_matches_the_code():
    assert SDL_PATH.read_text(encoding="utf-8") == build_schema().as_str() + "\n", (
        "schema/schema.graphql is stale: run `python -m schema` and commit it"
    )


def test_every_example_operation_runs_without_errors(gql):
    document = EXAMPLES_PATH.read_text(encoding="utf-8")
    names = [op.name.value for op in parse(document).definitions]
    assert len(names) >= 5
    for name in names:
        body = gql(document, operation=name)
        assert "errors" not in body, (name, body.get("errors"))
        assert body["data"], name


def test_path_from_ok_ju_to_choi_pro_is_one_step_with_its_evidence(gql):
    result = data(
        gql("""{ path(from: "Ok-ju", to: "Chef Choi") {
        found length
        paths { nodes { id } steps { relations { type source { id } target { id }
                citations { quote document { id } } } } } } }""")
    )["path"]
    assert result["found"] and result["length"] == 1
    assert [n["id"] for n in result["paths"][0]["nodes"]] == ["ok-ju", "choi-pro"]
    relations = result["paths"][0]["steps"][0]["relations"]
    kills = [r for r in relations if r["type"] == "kills"]
    assert kills == [
        {
            "type": "kills",
            "source": {"id": "ok-ju"},
            "target": {"id": "choi-pro"},
            "citations": [
                {
                    "quote": "Ok-ju avenges the death of Min-hee by burning Choi Pro (Kim Ji-hoon) alive using a flamethrower",
                    "document": {"id": "document:ending-explained"},
                },
                {
                    "quote": "Ok-ju (Jun Jong-seo) finally killing Choi (Kim Ji-hoon)",
                    "document": {"id": "document:symbolism-explainer"},
                },
            ],
        }
    ]


def test_path_between_far_nodes_and_no_path_within_the_bound(gql):
    far = data(
        gql(
            '{ path(from: "min-hee", to: "gapyeong", maxLength: 5, limit: 10) { found length paths { nodes { id } } } }'
        )
    )["path"]
    assert far["found"] and far["length"] == 3
    assert ["min-hee", "choi-pro", "hotel", "gapyeong"] in [
        [n["id"] for n in p["nodes"]] for p in far["paths"]
    ]
    short = data(
        gql(
            '{ path(from: "min-hee", to: "gapyeong", maxLength: 2) { found length paths { length } } }'
        )
    )["path"]
    assert short == {"found": False, "length": None, "paths": []}


def test_events_at_the_beach(gql):
    events = data(
        gql(
            '{ place(id: "beach") { eventsHere { id storyOrder agents { id } instruments { id } } } }'
        )
    )
    beach = events["place"]["eventsHere"]
    assert [e["id"] for e in beach] == ["beach-day", "drive-to-beach", "burning-of-choi"]
    assert beach[2]["instruments"] == [{"id": "flamethrower"}]
    timeline = data(gql('{ timeline(place: "secret beach") { id } }'))["timeline"]
    assert [e["id"] for e in timeline] == [e["id"] for e in beach]


def test_who_played_whom(gql):
    people = data(
        gql(
            "{ entities(kinds: [PERSON], first: 50) { totalCount nodes { id ... on Person { characters { id } } } } }"
        )
    )["entities"]
    played = {n["id"]: [c["id"] for c in n["characters"]] for n in people["nodes"]}
    assert people["totalCount"] == 8
    assert played["jeon-jong-seo"] == ["ok-ju"]
    assert played["kim-ji-hoon"] == ["choi-pro"]
    assert played["shin-sehwi"] == ["schoolgirl"]
    assert played["lee-chung-hyun"] == []
    actors = data(gql('{ character(id: "Myung-shik") { actors { name } } }'))["character"]["actors"]
    assert actors == [{"name": "Park Hyoung-soo"}]


def test_the_evidence_behind_ok_ju_burns_choi_pro(gql):
    event = data(
        gql("""{ event(id: "burning-of-choi") {
        agents { id } patients { id } instruments { id } places { id }
        citations { quote start end context(chars: 30) document { id title } } } }""")
    )["event"]
    assert event["agents"] == [{"id": "ok-ju"}]
    assert {"id": "choi-pro"} in event["patients"]
    assert event["instruments"] == [{"id": "flamethrower"}] and event["places"] == [{"id": "beach"}]
    documents = {c["document"]["id"] for c in event["citations"]}
    assert documents == {
        "document:ending-explained",
        "document:plot-recap",
        "document:qa-review",
        "document:symbolism-explainer",
    }
    for c in event["citations"]:
        assert c["quote"] in c["context"] and c["end"] - c["start"] == len(c["quote"])


def test_the_disputes(gql):
    disputes = data(
        gql("""{ disputes { id question preferred { id } reason
        claims { id preferred documents { id } relations { id disputed } } } }""")
    )["disputes"]
    assert len(disputes) >= 8
    by_id = {d["id"]: d for d in disputes}
    met = by_id["dispute:how-they-met"]
    assert {c["id"] for c in met["claims"]} == {
        "claim:how-they-met/school",
        "claim:how-they-met/bodyguard",
    }
    assert met["preferred"] == {"id": "claim:how-they-met/school"} and met["reason"]
    vehicle = by_id["dispute:vehicle-to-beach"]
    assert vehicle["preferred"] is None and vehicle["reason"] is None
    truck = next(c for c in vehicle["claims"] if c["id"] == "claim:vehicle-to-beach/truck")
    assert truck["documents"] == [{"id": "document:qa-review"}]
    assert {"id": "relation:ok-ju/owns/truck", "disputed": True} in truck["relations"]
    one = data(
        gql(
            '{ dispute(id: "notebook-contents") { claims { id } } missing: dispute(id: "nope") { id } }'
        )
    )
    assert [c["id"] for c in one["dispute"]["claims"]] == [
        "claim:notebook-contents/customers",
        "claim:notebook-contents/pick-ups",
    ]
    # The typed look-up takes the seed id or the global id.
    same = data(gql('{ dispute(id: "dispute:notebook-contents") { id } }'))["dispute"]
    assert same == {"id": "dispute:notebook-contents"}
    assert one["missing"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jeon Jong-seo", "jeon-jong-seo"),
        ("jun jong seo", "jeon-jong-seo"),
        ("Chef Choi", "choi-pro"),
        ("choi pro", "choi-pro"),
        ("lamborgini", "lamborghini"),
        ("flame thrower", "flamethrower"),
        ("Chung-Hyung Lee", "lee-chung-hyun"),
        ("Min Hee", "min-hee"),
        ("발레리나", "ballerina-2023"),
        ("thumb drive", "data-drives"),
    ],
)
def test_search_finds_aliases_and_misspellings_first(gql, text, expected):
    hits = data(
        gql(
            "query($t: String!) { search(text: $t, first: 3) { score matched node { id } } }",
            {"t": text},
        )
    )["search"]
    assert hits and hits[0]["node"]["id"] == expected, hits
    assert 0 < hits[0]["score"] <= 1


def test_search_by_kind_and_for_nothing(gql):
    hits = data(gql('{ search(text: "choi", kinds: [EVENT], first: 50) { node { kind } } }'))[
        "search"
    ]
    assert hits and {h["node"]["kind"] for h in hits} == {"EVENT"}
    assert data(gql('{ search(text: "xqzxqz") { node { id } } }'))["search"] == []


def test_unknown_ids_are_null_and_unknown_references_are_named(gql):
    body = data(
        gql(
            '{ entity(name: "nobody") { id } character(id: "lamborghini") { id } document(id: "x") { id } }'
        )
    )
    assert body == {"entity": None, "character": None, "document": None}
    error = error_of(gql('{ timeline(participant: "Keanu") { id } }'))
    assert error["extensions"] == {"code": "NOT_FOUND", "argument": "participant", "value": "Keanu"}
    assert "Keanu" in error["message"]


def test_pagination_walks_every_node_once(gql):
    seen, after, total = [], None, None
    while True:
        page = data(
            gql(
                "query($a: String) { entities(first: 30, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
                {"a": after},
            )
        )["entities"]
        total = page["totalCount"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total == 115
    error = error_of(gql('{ entities(after: "not-a-cursor") { totalCount } }'))
    assert error["extensions"]["argument"] == "after"


def test_nodes_filtered_by_kind_relation_and_text_and_ordered(gql):
    killers = data(gql('{ entities(relation: "kills", kinds: [CHARACTER]) { nodes { id } } }'))[
        "entities"
    ]["nodes"]
    assert {n["id"] for n in killers} == {
        "ok-ju",
        "choi-pro",
        "gang-boss",
        "myung-shik",
    }
    ranked = data(gql("{ entities(orderBy: PAGERANK, first: 3) { nodes { id } } }"))["entities"][
        "nodes"
    ]
    assert [n["id"] for n in ranked] == ["ok-ju", "choi-pro", "min-hee"]
    drives = data(gql('{ entities(text: "drives", kinds: [OBJECT]) { nodes { id } } }'))[
        "entities"
    ]["nodes"]
    assert {"id": "data-drives"} in drives


def test_neighbors_and_relations_filters(gql):
    node = data(
        gql("""{ entity(name: "flamethrower") {
        owners: relations(types: ["supplies"], direction: IN) { source { id } }
        neighbors(kinds: [EVENT]) { node { id } distance }
        far: neighbors(depth: 2, kinds: [PERSON]) { node { id } distance } } }""")
    )["entity"]
    assert node["owners"] == [{"source": {"id": "gun-dealers"}}]
    assert {n["node"]["id"] for n in node["neighbors"]} == {"weapons-purchase", "burning-of-choi"}
    assert all(n["distance"] == 2 for n in node["far"])


def test_ego_network_is_bounded_and_says_when_truncated(gql):
    ego = data(
        gql(
            '{ egoNetwork(center: "notebook", radius: 1) { matched truncated nodes { id } relations { source { id } target { id } } } }'
        )
    )["egoNetwork"]
    ids = {n["id"] for n in ego["nodes"]}
    assert {
        "notebook",
        "choi-house",
        "jamsu-bridge",
        "ok-ju",
        "choi-pro",
        "drives-recovered",
    } <= ids
    assert not ego["truncated"] and ego["matched"] == len(ids)
    assert all(r["source"]["id"] in ids and r["target"]["id"] in ids for r in ego["relations"])
    small = data(
        gql(
            '{ egoNetwork(center: "ok-ju", radius: 2, maxNodes: 10) { matched truncated nodes { id } } }'
        )
    )["egoNetwork"]
    assert small["truncated"] and len(small["nodes"]) == 10 and small["matched"] > 10
    assert "ok-ju" in {n["id"] for n in small["nodes"]}


def test_timeline_in_story_and_narrative_order(gql):
    story = [e["id"] for e in data(gql("{ timeline { id } }"))["timeline"]]
    told = [e["id"] for e in data(gql("{ timeline(order: NARRATIVE) { id } }"))["timeline"]]
    assert story[0] == "school-days" and told[0] == "store-robbery"
    assert story.index("beach-day") < story.index("burning-of-choi")
    assert told.index("beach-day") > told.index("burning-of-choi")
    mine = [
        e["id"] for e in data(gql('{ timeline(participant: "Myung-shik") { id } }'))["timeline"]
    ]
    assert mine == [
        "choi-seeks-help",
        "ok-ju-tracked",
        "false-death-report",
        "choi-shoots-ok-ju",
        "myung-shik-killed",
    ]
    event = data(
        gql('{ event(id: "myung-shik-killed") { previous { id } next { id } storyOrder } }')
    )["event"]
    assert (
        event["previous"]["id"] == "choi-shoots-ok-ju" and event["next"]["id"] == "choi-overpowered"
    )


def test_stats_and_most_central(gql):
    stats = data(
        gql("""{ stats { nodeCount edgeCount citationCount disputeCount documentCount
        byKind { kind count } mostCentral(measure: BETWEENNESS, kind: CHARACTER, first: 3) { rank node { id } } } }""")
    )["stats"]
    assert stats["nodeCount"] == sum(k["count"] for k in stats["byKind"]) == 115
    assert (
        stats["documentCount"] == 5 and stats["disputeCount"] >= 8 and stats["citationCount"] > 500
    )
    assert [r["node"]["id"] for r in stats["mostCentral"]][:2] == ["ok-ju", "choi-pro"]


def test_documents_and_their_mentions(gql):
    docs = data(gql("{ documents { id date length mentions(first: 2) { node { id } count } } }"))[
        "documents"
    ]
    assert [d["id"] for d in docs] == [
        "document:ending-explained",
        "document:plot-recap",
        "document:qa-review",
        "document:symbolism-explainer",
        "document:capsule-review",
    ]
    recap = docs[1]
    assert recap["date"] == "2023-10-16"
    assert [m["node"]["id"] for m in recap["mentions"]] == ["ok-ju", "choi-pro"]


@pytest.mark.parametrize(
    ("query", "argument", "bound"),
    [
        ("{ entities(first: 101) { totalCount } }", "first", "100"),
        ('{ search(text: "a", first: 500) { score } }', "first", "100"),
        ('{ path(from: "ok-ju", to: "fish", maxLength: 7) { found } }', "maxLength", "6"),
        ('{ path(from: "ok-ju", to: "fish", limit: 11) { found } }', "limit", "10"),
        ('{ egoNetwork(center: "ok-ju", radius: 4) { matched } }', "radius", "3"),
        ('{ egoNetwork(center: "ok-ju", maxNodes: 301) { matched } }', "maxNodes", "300"),
        ('{ entity(name: "ok-ju") { neighbors(depth: 4) { distance } } }', "depth", "3"),
        ('{ entity(name: "ok-ju") { citations { context(chars: 5000) } } }', "chars", "2000"),
    ],
)
def test_arguments_out_of_range_name_the_argument_and_its_bound(gql, query, argument, bound):
    body = gql(query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert f"'{argument}'" in error["message"] and bound in error["message"]


def test_search_text_too_long_or_empty(gql):
    long = error_of(gql("query($t: String!) { search(text: $t) { score } }", {"t": "x" * 201}))
    assert long["extensions"]["argument"] == "text" and "200" in long["message"]
    empty = error_of(gql('{ search(text: "   ") { score } }'))
    assert "empty" in empty["message"]


def test_depth_alias_and_token_limits_refuse_with_a_clear_message(gql):
    deep = '{ entity(name: "ok-ju") { ' + "neighbors { node { " * 7 + "id" + " } }" * 7 + " } }"
    body = gql(deep, status=400)
    assert "exceeds maximum operation depth of 12" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f'a{i}: entity(name: "ok-ju") {{ id }}' for i in range(31)) + " }"
    body = gql(aliases, status=400)
    assert "30" in body["errors"][0]["message"] and "alias" in body["errors"][0]["message"].lower()
    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    body = gql(tokens, status=400)
    assert (
        "token limit of 2000" in body["errors"][0]["message"].lower()
        or "2000" in body["errors"][0]["message"]
    )


def test_the_graph_is_out_of_the_cycle_collectors_sight_while_served(ballerina):
    """A full collection stops every request in flight; it must not walk the graph (0.3 s at
    10^5 edges). The app freezes what start-up built and lets go of it at shutdown."""
    import gc

    from starlette.testclient import TestClient

    from server.app import create_app
    from server.settings import Settings

    def collected(obj: object) -> bool:
        return any(o is obj for o in gc.get_objects())

    held = ballerina.graph.nodes["ok-ju"]  # an attribute dict, holding containers: tracked
    with TestClient(create_app(ballerina, Settings())) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
        assert not collected(held) and not collected(ballerina)
    assert collected(held) and collected(ballerina)


def test_a_relation_filter_keeps_only_what_those_relations_join(gql, ballerina):
    kills = [(u, v) for u, v, t in ballerina.graph.edges(data="type") if t == "kills"]
    answer = data(
        gql("""{ few: subgraph(types: ["kills"], maxNodes: 20) { nodes { id } truncated
                   relations { type source { id } target { id } } }
                 all: subgraph(types: ["kills"], keepIsolated: true, maxNodes: 300) {
                   nodes { id } relations { id } } }""")
    )
    few = answer["few"]
    assert {n["id"] for n in few["nodes"]} == {n for edge in kills for n in edge}
    assert sorted((r["source"]["id"], r["target"]["id"]) for r in few["relations"]) == sorted(kills)
    assert not few["truncated"]
    assert len(answer["all"]["nodes"]) == ballerina.counts.nodes
    assert len(answer["all"]["relations"]) == len(kills)


def test_the_cooccurrence_network_the_readme_promises_is_served(gql, ballerina):
    pairs = ballerina.mentions.cooccurrence
    answer = data(
        gql("""{ top: cooccurrence(first: 5) { source { id } target { id } sentences }
                 strong: cooccurrence(first: 100, minSentences: 10) { sentences } }""")
    )
    top = [(p["source"]["id"], p["target"]["id"], p["sentences"]) for p in answer["top"]]
    assert (
        top == sorted(((a, b, n) for (a, b), n in pairs.items()), key=lambda p: (-p[2], p[:2]))[:5]
    )
    assert all(pairs[(a, b)] == n for a, b, n in top)
    strong = [p["sentences"] for p in answer["strong"]]
    assert strong == sorted(strong, reverse=True) and min(strong) >= 10
    assert len(strong) == sum(1 for n in pairs.values() if n >= 10)
    refused = gql("{ cooccurrence(minSentences: 0) { sentences } }")
    assert refused["errors"][0]["extensions"]["argument"] == "minSentences"
