"""The networks people study: Louvain communities, the sentence co-occurrence networks (whole
and per document), and the GEXF that carries them to Gephi, networkx and NetworKit.

Expectations are recomputed from independent sources where there is one: the co-occurrence
counts from the mention records, the communities with networkx on a graph built in another
order, the GEXF with the official schema (``check-gexf``), networkx's and NetworKit's readers.
"""

from __future__ import annotations

import itertools
import json
import random
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest

from graph.communities import SEED, detect, undirected_projection
from graph.errors import UnknownDocument
from graph.knowledge import KnowledgeGraph
from server.cli import main
from server.exports import gexf
from tests.test_exports import GEXF_NS, MODIFIED, check_gexf

# --- communities --------------------------------------------------------------------------------


def test_every_node_has_a_community_and_the_numbers_follow_size(ballerina: KnowledgeGraph) -> None:
    communities = ballerina.communities
    members = [node for community in communities.members for node in community]
    assert sorted(members) == sorted(ballerina.graph)  # a partition: every node exactly once
    sizes = [len(c) for c in communities.members]
    assert sizes == sorted(sizes, reverse=True)
    for node, data in ballerina.graph.nodes(data=True):
        assert data["community"] == communities.of[node]
        assert node in communities.members[data["community"]]
    # A real community structure, measured by networkx on the projection Louvain partitioned.
    H = undirected_projection(ballerina.graph)
    assert communities.modularity == pytest.approx(
        nx.community.modularity(H, [set(c) for c in communities.members], weight="weight")
    )
    assert communities.modularity > 0.3
    # The film's two sides are told apart: the gangster and his victim's friend are not together.
    assert communities.of["choi-pro"] != communities.of["min-hee"]


def test_communities_do_not_depend_on_the_order_the_graph_was_built_in(
    ballerina: KnowledgeGraph,
) -> None:
    G = ballerina.graph
    shuffled = nx.MultiDiGraph()
    nodes = list(G.nodes(data=True))
    edges = list(G.edges(keys=True, data=True))
    rng = random.Random(5)
    rng.shuffle(nodes)
    rng.shuffle(edges)
    shuffled.add_nodes_from(nodes)
    shuffled.add_edges_from(edges)
    again = detect(shuffled)
    assert again.members == ballerina.communities.members
    # ...and are networkx's Louvain with the fixed seed on that projection, renumbered.
    found = nx.community.louvain_communities(undirected_projection(G), weight="weight", seed=SEED)
    assert sorted(tuple(sorted(c)) for c in found) == sorted(ballerina.communities.members)


def test_a_graph_without_edges_has_one_community_per_node() -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from(["b", "a", "c"])
    communities = detect(G)
    assert communities.members == (("a",), ("b",), ("c",))
    assert communities.modularity == 0.0
    assert len(detect(nx.MultiDiGraph())) == 0


# --- the co-occurrence networks -----------------------------------------------------------------


def recounted_pairs(ballerina: KnowledgeGraph, document: str | None) -> Counter[tuple[str, str]]:
    """Sentences mentioning both of two entities, counted again from the mention records."""
    in_sentence: dict[tuple[str, int], set[str]] = defaultdict(set)
    for mention in ballerina.mentions.mentions:
        if document is None or mention.document == document:
            in_sentence[mention.document, mention.sentence].add(mention.entity)
    pairs: Counter[tuple[str, str]] = Counter()
    for entities in in_sentence.values():
        for a, b in itertools.combinations(sorted(entities), 2):
            pairs[a, b] += 1
    return pairs


@pytest.mark.parametrize("document", [None, "plot-recap", "qa-review", "capsule-review"])
def test_the_cooccurrence_network_counts_the_sentences_that_mention_both(
    ballerina: KnowledgeGraph, document: str | None
) -> None:
    network = ballerina.cooccurrence_network(document)
    expected = recounted_pairs(ballerina, document)
    assert expected  # every article has sentences naming two entities
    G = network.graph
    assert not G.is_directed()
    weights = {tuple(sorted((u, v))): w for u, v, w in G.edges(data="weight")}
    assert weights == dict(expected)
    assert {(a, b): n for a, b, n in network.ranked} == dict(expected)
    assert [n for _, _, n in network.ranked] == sorted(expected.values(), reverse=True)
    for node, data in G.nodes(data=True):
        assert data["kind"] == ballerina.graph.nodes[node]["kind"]
        assert data["degree"] == G.degree(node)
        assert data["community"] == network.communities.of[node]
    assert sorted(G) == sorted(n for c in network.communities.members for n in c)


def test_each_pair_names_the_documents_it_cooccurs_in(ballerina: KnowledgeGraph) -> None:
    recounts = {d: recounted_pairs(ballerina, d) for d in sorted(ballerina.documents)}
    whole = ballerina.cooccurrence.graph
    for u, v, documents in whole.edges(data="documents"):
        pair = tuple(sorted((u, v)))
        assert documents == tuple(d for d, pairs in recounts.items() if pairs[pair])
        for d in documents:
            assert ballerina.cooccurrence_network(d).graph.edges[u, v, f"{pair[0]}--{pair[1]}"][
                "documents"
            ] == (d,)


def test_an_unknown_document_is_named_with_the_known_ones(ballerina: KnowledgeGraph) -> None:
    with pytest.raises(UnknownDocument) as raised:
        ballerina.cooccurrence_network("no-such-article")
    assert "'no-such-article'" in str(raised.value)
    assert "plot-recap" in str(raised.value)
    # The one error of an unknown document, as graph.filters raises it for a document filter.
    assert raised.value.parameter == "documents"
    assert raised.value.known == tuple(sorted(ballerina.documents))


# --- GEXF: the co-occurrence network, time on edges, lists, numeric ids -------------------------


def write_gexf(G: nx.Graph, path: Path, **options: bool) -> Path:
    path.write_bytes(b"".join(gexf.iter_bytes(G, modified=MODIFIED, **options)))
    return path


@pytest.mark.parametrize("document", [None, "symbolism-explainer"])
def test_the_cooccurrence_gexf_passes_check_gexf_and_networkx_reads_the_weights(
    ballerina: KnowledgeGraph, tmp_path: Path, document: str | None
) -> None:
    network = ballerina.cooccurrence_network(document)
    path = write_gexf(network.graph, tmp_path / "cooccurrence.gexf")
    output = check_gexf(path)
    assert "type=undirected" in output
    read = nx.read_gexf(path)
    assert not read.is_directed()
    assert {tuple(sorted((u, v))): w for u, v, w in read.edges(data="weight")} == {
        (a, b): n for a, b, n in network.ranked
    }
    assert {n: d["community"] for n, d in read.nodes(data=True)} == dict(network.communities.of)


def test_gexf_edges_appear_with_the_events_they_relate_to(
    ballerina: KnowledgeGraph, tmp_path: Path
) -> None:
    G = ballerina.graph
    path = write_gexf(G, tmp_path / "ballerina.gexf")
    check_gexf(path)
    read = nx.read_gexf(path)  # networkx reads each edge's start and end
    story = {n: d["story_order"] for n, d in G.nodes(data=True) if d["kind"] == "event"}
    first: dict[str, int] = {}
    for entity, event, kind in G.edges(data="kind"):
        if kind == "participation":
            first[entity] = min(first.get(entity, story[event]), story[event])
    timed = Counter()
    for u, v, key, data in read.edges(keys=True, data=True):
        kind = G.edges[u, v, key]["kind"]
        if kind == "participation":
            assert (data["start"], data["end"]) == (story[v], story[v])
            timed["participation"] += 1
        elif u in first and v in first:
            assert data["start"] == max(first[u], first[v])
            assert "end" not in data  # once there, a relation stays
            timed["relation"] += 1
        else:
            assert "start" not in data and "end" not in data
            timed["untimed"] += 1
    assert timed["participation"] == ballerina.counts.participations
    assert timed["relation"] > ballerina.counts.relations // 2
    # Ok-ju kills Choi once both have appeared in the story.
    kills = [d for u, v, d in read.edges(data=True) if d.get("type") == "kills" and u == "ok-ju"]
    assert kills and all(d["start"] >= first["ok-ju"] for d in kills)


def test_a_selection_times_its_edges_by_the_events_it_keeps(ballerina: KnowledgeGraph) -> None:
    from graph.subgraph import select

    characters = select(ballerina.graph, kinds=["character"])
    root = ET.fromstring(b"".join(gexf.iter_bytes(characters, modified=MODIFIED)))
    assert root.find(f"{GEXF_NS}graph").get("mode") == "static"
    assert all(e.get("start") is None for e in root.iter(f"{GEXF_NS}edge"))


def test_networkx_reads_gexf_lists_as_the_1_3_literal_that_json_parses(
    ballerina: KnowledgeGraph, tmp_path: Path
) -> None:
    """networkx 3.6's reader maps ``liststring`` to ``str`` (its GEXF type table), so a list
    comes back as its GEXF 1.3 literal; the writer's literal is JSON, so ``json.loads`` (with
    ``strict=False``, for line breaks inside items) gives the list back exactly."""
    path = write_gexf(ballerina.graph, tmp_path / "lists.gexf")
    read = nx.read_gexf(path)
    declared = {
        a.get("title"): a.get("type") for a in ET.parse(path).getroot().iter(f"{GEXF_NS}attribute")
    }
    assert declared["aliases"] == declared["quotes"] == "liststring"
    checked = 0
    for node, data in ballerina.graph.nodes(data=True):
        aliases = read.nodes[node].get("aliases")
        if data["aliases"]:
            assert isinstance(aliases, str)
            assert json.loads(aliases, strict=False) == list(data["aliases"])
            quotes = json.loads(read.nodes[node]["quotes"], strict=False)
            assert quotes == [f"{c.document}: {c.quote}" for c in data["citations"]]
            checked += 1
    assert checked > 50


def test_numeric_ids_keep_the_slug_and_pass_check_gexf(
    ballerina: KnowledgeGraph, tmp_path: Path
) -> None:
    path = write_gexf(ballerina.graph, tmp_path / "numeric.gexf", numeric_ids=True)
    check_gexf(path)
    read = nx.read_gexf(path, node_type=int)
    assert sorted(read) == list(range(ballerina.graph.number_of_nodes()))
    slug = {n: d["slug"] for n, d in read.nodes(data=True)}
    assert sorted(slug.values()) == sorted(ballerina.graph)
    back = {(slug[u], slug[v], k) for u, v, k in read.edges(keys=True)}
    assert back == set(ballerina.graph.edges(keys=True))
    for n, data in read.nodes(data=True):
        assert data["label"] == ballerina.graph.nodes[slug[n]]["name"]


@pytest.fixture(scope="module")
def networkit():
    """NetworKit (PyPI ``networkit``, in the test extra), whose GEXF reader is the strictest."""
    return pytest.importorskip("networkit")


def test_networkit_reads_the_numeric_gexf_of_the_dynamic_graph(
    ballerina: KnowledgeGraph, tmp_path: Path, networkit
) -> None:
    G = ballerina.graph
    events = sum(1 for _, kind in G.nodes(data="kind") if kind == "event")
    with pytest.raises(Exception, match="invalid literal for int"):
        # What ids=numeric is for: on a dynamic graph NetworKit accepts only numeric ids.
        networkit.graphio.GEXFReader().read(str(write_gexf(G, tmp_path / "slugs.gexf")))
    path = write_gexf(G, tmp_path / "numeric.gexf", numeric_ids=True)
    read, stream = networkit.graphio.GEXFReader().read(str(path))
    assert read.isDirected()
    # The nodes and edges with no time make the initial graph; the events and the timed edges
    # arrive in the event stream, in story order.
    assert read.numberOfNodes() == G.number_of_nodes() - events
    kinds = Counter(event.type for event in stream)
    GraphEvent = networkit.dynamics.GraphEvent
    assert kinds[GraphEvent.NODE_RESTORATION] == events
    assert kinds[GraphEvent.EDGE_ADDITION] >= ballerina.counts.participations


def test_networkit_reads_the_weighted_cooccurrence_network(
    ballerina: KnowledgeGraph, tmp_path: Path, networkit
) -> None:
    network = ballerina.cooccurrence
    path = write_gexf(network.graph, tmp_path / "cooccurrence.gexf", numeric_ids=True)
    read, stream = networkit.graphio.GEXFReader().read(str(path))
    assert stream == []
    assert not read.isDirected() and read.isWeighted()
    assert read.numberOfNodes() == network.graph.number_of_nodes()
    assert read.numberOfEdges() == network.graph.number_of_edges()
    assert read.totalEdgeWeight() == sum(n for _, _, n in network.ranked)


# --- HTTP, CLI and GraphQL ----------------------------------------------------------------------


def test_the_cooccurrence_export_of_one_document(client, ballerina: KnowledgeGraph) -> None:
    response = client.get("/export/cooccurrence.json?document=plot-recap")
    assert response.status_code == 200
    assert "ballerina-cooccurrence-plot-recap.json" in response.headers["content-disposition"]
    assert response.headers["etag"]
    read = nx.node_link_graph(response.json(), edges="edges")
    expected = recounted_pairs(ballerina, "plot-recap")
    assert {tuple(sorted((u, v))): d["sentences"] for u, v, d in read.edges(data=True)} == dict(
        expected
    )
    graphml = client.get("/export/cooccurrence.graphml")
    assert graphml.status_code == 200
    gexf_numeric = client.get("/export/cooccurrence.gexf?ids=numeric")
    assert gexf_numeric.status_code == 200 and b'<node id="0"' in gexf_numeric.content


@pytest.mark.parametrize(
    ("url", "parameter", "message"),
    [
        ("/export/cooccurrence.gexf?document=nope", "document", "no document has the id 'nope'"),
        ("/export/cooccurrence.gexf?kind=character", "kind", "known: document, ids"),
        ("/export/cooccurrence.json?ids=numeric", "ids", "numeric ids are for GEXF only"),
        ("/export/graph.graphml?ids=numeric", "ids", "numeric ids are for GEXF only"),
        ("/export/graph.gexf?ids=hex", "ids", "ids must be numeric or slug"),
    ],
)
def test_bad_network_parameters_are_named(client, url: str, parameter: str, message: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert message in body["error"]


def test_the_graph_export_with_numeric_ids(client) -> None:
    response = client.get("/export/graph.gexf?ids=numeric&kind=character")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ids = [n.get("id") for n in root.iter(f"{GEXF_NS}node")]
    assert ids == [str(i) for i in range(len(ids))]


def test_the_cli_exports_a_documents_cooccurrence_network(
    tmp_path: Path, ballerina: KnowledgeGraph, capsys
) -> None:
    out = tmp_path / "qa.graphml"
    argv = ["export", "--network", "cooccurrence", "--document", "qa-review", "--format", "graphml"]
    assert main([*argv, "-o", str(out)]) == 0
    read = nx.read_graphml(out)
    assert read.number_of_edges() == len(ballerina.cooccurrence_network("qa-review").ranked)
    assert main(["export", "--network", "cooccurrence", "--kind", "character"]) == 1
    assert "--kind: not with --network cooccurrence" in capsys.readouterr().err
    assert main(["export", "--network", "cooccurrence", "--document", "nope"]) == 1
    assert "no document has the id 'nope'" in capsys.readouterr().err
    assert main(["export", "--format", "json", "--ids", "numeric"]) == 1
    assert "for GEXF only" in capsys.readouterr().err


def test_graphql_communities_and_each_nodes_community(gql, ballerina: KnowledgeGraph) -> None:
    body = gql(
        "{ communities { number size members(first: 100) { id } } "
        'character(id: "ok-ju") { community { number size } '
        "co: community(network: COOCCURRENCE) { number } "
        'recap: community(network: COOCCURRENCE, document: "plot-recap") { number document { id } } } '
        'event(id: "burning-of-choi") { co: community(network: COOCCURRENCE) { number } } }'
    )
    data = body["data"]
    communities = ballerina.communities
    assert [c["size"] for c in data["communities"]] == [len(m) for m in communities.members]
    assert sum(c["size"] for c in data["communities"]) == ballerina.counts.nodes
    for community in data["communities"]:
        assert {m["id"] for m in community["members"]} == set(
            communities.members[community["number"]]
        )
    ok_ju = data["character"]
    assert ok_ju["community"]["number"] == communities.of["ok-ju"]
    assert ok_ju["co"]["number"] == ballerina.cooccurrence.communities.of["ok-ju"]
    recap = ballerina.cooccurrence_network("plot-recap").communities
    assert ok_ju["recap"] == {
        "number": recap.of["ok-ju"],
        "document": {"id": "document:plot-recap"},
    }
    assert data["event"]["co"] is None  # events are not mentioned by name: not in that network


def test_graphql_cooccurrence_of_one_document(gql, ballerina: KnowledgeGraph) -> None:
    body = gql(
        '{ cooccurrence(document: "qa-review", first: 100) { source { id } target { id } '
        "sentences documents { id } } }"
    )
    pairs = body["data"]["cooccurrence"]
    expected = recounted_pairs(ballerina, "qa-review")
    assert len(pairs) == min(100, len(expected))
    for pair in pairs:
        key = (pair["source"]["id"], pair["target"]["id"])
        assert pair["sentences"] == expected[key]
        assert pair["documents"] == [{"id": "document:qa-review"}]
    whole = gql("{ cooccurrence(first: 1) { source { id } target { id } documents { id } } }")
    top = whole["data"]["cooccurrence"][0]
    assert {top["source"]["id"], top["target"]["id"]} == {"choi-pro", "ok-ju"}
    assert len(top["documents"]) >= 3


@pytest.mark.parametrize(
    ("query", "code", "argument"),
    [
        ('{ cooccurrence(document: "nope") { sentences } }', "NOT_FOUND", "document"),
        (
            '{ communities(network: COOCCURRENCE, document: "nope") { number } }',
            "NOT_FOUND",
            "document",
        ),
        ('{ communities(document: "plot-recap") { number } }', "BAD_USER_INPUT", "document"),
        ("{ communities { members(first: 1000) { id } } }", "BAD_USER_INPUT", "first"),
    ],
)
def test_graphql_network_arguments_are_checked(gql, query: str, code: str, argument: str) -> None:
    body = gql(query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["argument"] == argument


def test_communities_of_a_graph_over_the_bound_are_not_computed_and_say_why() -> None:
    from graph.communities import detect_within_bound, label_nodes

    G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e")])
    within = detect_within_bound(G, max_edges=4)
    assert not within.not_computed and len(within) == 2
    over = detect_within_bound(G, max_edges=3)
    assert over.not_computed == (
        "communities are computed for graphs of at most 3 edges; this one has 4"
    )
    assert len(over) == 0 and not over.of
    label_nodes(G, over)
    assert all("community" not in data for _, data in G.nodes(data=True))


def test_the_api_says_why_a_graph_over_the_bound_has_no_communities(ballerina) -> None:
    """A graph too large for Louvain (graph.communities.MAX_EDGES) answers `communities` with
    an error naming the reason and `community` with null, never an empty partition."""
    import dataclasses

    from starlette.testclient import TestClient

    from graph.communities import Communities
    from server.app import create_app
    from server.settings import Settings

    reason = "communities are computed for graphs of at most 100,000 edges; this one has 1,000,000"
    unpartitioned = Communities(members=(), of={}, modularity=0.0, not_computed=reason)
    large = dataclasses.replace(ballerina, communities=unpartitioned)
    with TestClient(create_app(large, Settings(response_cache=False))) as client:
        answer = client.post(
            "/graphql",
            json={
                "query": '{ communities { size } character(id: "ok-ju") { community { number } } }'
            },
        ).json()
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert reason in error["message"]
        answer = client.post(
            "/graphql", json={"query": '{ character(id: "ok-ju") { community { number } } }'}
        ).json()
        assert answer == {"data": {"character": {"community": None}}}
