"""Exports (GEXF, GraphML, JSON), the selections they are made of, the layout, and their routes.

GEXF files are checked with the independent ``check-gexf`` tool (official RELAX NG schema via
jing, semantic checks, graphology's reader); GraphML and JSON are read back with networkx.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import io
import json
import math
import re
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import httpx
import networkx as nx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse

from graph.errors import (
    InvalidMaxNodes,
    InvalidRadius,
    RadiusTooLarge,
    RadiusWithoutCenter,
    SelectionError,
    UnknownKind,
    UnknownNode,
    UnknownRelationType,
)
from graph.knowledge import KnowledgeGraph
from graph.layout import FORCE_MAX_NODES, layout
from graph.load import load_knowledge_base
from graph.model import KIND_COLORS, KINDS
from graph.search import SearchIndex
from graph.subgraph import ego_distances, select, selection
from graph.validate import validate
from server.exports import FORMATS, gexf, node_link
from server.exports.escape import xml_safe
from server.exports.routes import export_graph, export_routes
from tests.conftest import SEEDS
from tests.synthetic_graph import HOSTILE, big_graph, hostile_graph, realistic_graph

CHECK_GEXF = Path(__file__).resolve().parents[1].parent / "shared/conformance/check-gexf"
GEXF_NS = "{http://gexf.net/1.3}"
VIZ_NS = "{http://gexf.net/1.3/viz}"
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
MODIFIED = date(2023, 12, 8)


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> nx.MultiDiGraph:
    return realistic_graph()


@pytest.fixture(scope="module")
def hostile() -> nx.MultiDiGraph:
    return hostile_graph()


def export(name: str, G: nx.MultiDiGraph) -> bytes:
    return b"".join(FORMATS[name].iter_bytes(G))


def gexf_bytes(G: nx.MultiDiGraph) -> bytes:
    return b"".join(gexf.iter_bytes(G, modified=MODIFIED))


def check_gexf(path: Path) -> str:
    """Run the conformance tool on ``path``; fail with its output unless every check passes."""
    if not CHECK_GEXF.exists():
        pytest.skip(f"{CHECK_GEXF} is not there (shared/ is not beside the repository)")
    done = subprocess.run(
        [str(CHECK_GEXF), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "relax-ng 1.3 (jing): PASS" in output
    assert "graphology-gexf: PASS" in output
    return output


def gexf_tree(G: nx.MultiDiGraph) -> ET.Element:
    return ET.fromstring(gexf_bytes(G))


def gexf_nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {n.get("id"): n for n in root.iter(f"{GEXF_NS}node")}


def attvalues(element: ET.Element) -> dict[str, str]:
    return {a.get("for"): a.get("value") for a in element.iter(f"{GEXF_NS}attvalue")}


def parse_liststring(value: str) -> list[str]:
    """Read a GEXF 1.3 list of double-quoted items, the way the writer makes them."""
    assert value.startswith("[") and value.endswith("]"), value
    items, i, body = [], 0, value[1:-1]
    while i < len(body):
        assert body[i] == '"', body[i:]
        i += 1
        item = []
        while body[i] != '"':
            if body[i] == "\\":
                i += 1
            item.append(body[i])
            i += 1
        items.append("".join(item))
        i += 1
        if body[i : i + 2] == ", ":
            i += 2
    return items


def edge_set(G: nx.MultiDiGraph) -> set[tuple[str, str, str]]:
    return set(G.edges(keys=True))


def app_with(G: KnowledgeGraph | nx.MultiDiGraph | None) -> Starlette:
    """The export routes around ``G``: a built graph, or a made-up network in the place of the
    one a built graph holds, with the name index a ``center`` is looked up in (the routes read
    nothing else of it)."""
    app = Starlette(routes=export_routes())
    if isinstance(G, nx.MultiDiGraph):
        G = SimpleNamespace(graph=G, search=SearchIndex.of(G))
    if G is not None:
        app.state.graph = G
    return app


def fetch(app: Starlette, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(url)

    return asyncio.run(go())


# --- GEXF ----------------------------------------------------------------------------------


@pytest.mark.conformance
@pytest.mark.parametrize(
    "make",
    [
        realistic_graph,
        hostile_graph,
        nx.MultiDiGraph,
        lambda: select(realistic_graph(), center="ok-ju", radius=1),
        lambda: select(realistic_graph(), kinds=["character"], relation_types=["kills"]),
    ],
    ids=["synthetic", "hostile", "empty", "ego", "filtered"],
)
def test_gexf_passes_check_gexf(make, tmp_path: Path) -> None:
    path = tmp_path / "graph.gexf"
    path.write_bytes(gexf_bytes(make()))
    print(check_gexf(path))


@pytest.mark.conformance
def test_gexf_of_the_real_graph_passes_check_gexf(ballerina, tmp_path: Path) -> None:
    path = tmp_path / "ballerina.gexf"
    path.write_bytes(gexf_bytes(ballerina.graph))
    output = check_gexf(path)
    print(output)
    assert f"{ballerina.graph.number_of_nodes()} nodes" in output


@pytest.mark.conformance
def test_gexf_ego_network_of_the_real_graph_passes_check_gexf(ballerina, tmp_path) -> None:
    ego = select(ballerina.graph, center="ok-ju", radius=1)
    assert "choi-pro" in ego
    path = tmp_path / "ok-ju.gexf"
    path.write_bytes(gexf_bytes(ego))
    check_gexf(path)
    assert "choi-pro" in gexf_nodes(ET.parse(path).getroot())


def test_gexf_meta_and_graph_element(synthetic) -> None:
    root = gexf_tree(synthetic)
    assert root.get("version") == "1.3"
    meta = root.find(f"{GEXF_NS}meta")
    assert meta.get("lastmodifieddate") == "2023-12-08"
    assert meta.findtext(f"{GEXF_NS}creator") == "ballerina-kg"
    assert meta.findtext(f"{GEXF_NS}description") == "Ballerina (2023), synthetic"
    graph = root.find(f"{GEXF_NS}graph")
    assert graph.get("name") is None  # no GEXF schema allows it
    assert graph.attrib == {
        "defaultedgetype": "directed",
        "mode": "dynamic",
        "timeformat": "integer",
    }


def test_gexf_declares_typed_attributes(synthetic) -> None:
    root = gexf_tree(synthetic)
    declared = {
        (block.get("class"), a.get("title")): a.get("type")
        for block in root.iter(f"{GEXF_NS}attributes")
        for a in block
    }
    assert declared == {
        ("node", "kind"): "string",
        ("node", "aliases"): "liststring",
        ("node", "description"): "string",
        ("node", "citations"): "integer",
        ("node", "documents"): "liststring",
        ("node", "mention_total"): "integer",
        ("node", "degree"): "integer",
        ("node", "betweenness"): "double",
        ("node", "pagerank"): "double",
        ("node", "story_order"): "integer",
        ("node", "narrative_order"): "integer",
        ("node", "narrative"): "string",
        ("node", "certainty"): "string",
        ("node", "certainty_reason"): "string",
        ("node", "quotes"): "liststring",
        ("node", "community"): "integer",
        ("edge", "type"): "string",
        ("edge", "edge_kind"): "string",
        ("edge", "dispute"): "string",
        ("edge", "claim"): "string",
        ("edge", "note"): "string",
        ("edge", "citations"): "integer",
        ("edge", "documents"): "liststring",
        ("edge", "certainty"): "string",
        ("edge", "certainty_reason"): "string",
        ("edge", "quotes"): "liststring",
        ("edge", "sentences"): "integer",
    }


def test_gexf_node_values(synthetic) -> None:
    node = gexf_nodes(gexf_tree(synthetic))["ok-ju"]
    data = synthetic.nodes["ok-ju"]
    assert node.get("label") == "Ok-ju"
    values = attvalues(node)
    assert values["kind"] == "character"
    assert values["citations"] == str(len(data["citations"]))
    assert parse_liststring(values["documents"]) == sorted({c.document for c in data["citations"]})
    assert int(values["degree"]) == data["degree"]
    assert float(values["pagerank"]) == data["pagerank"]
    assert float(values["betweenness"]) == data["betweenness"]
    assert "mentions" not in values  # the dict is left to the JSON export


def test_gexf_viz_color_size_and_position(synthetic) -> None:
    nodes = gexf_nodes(gexf_tree(synthetic))
    top = max(synthetic, key=lambda n: synthetic.nodes[n]["pagerank"])
    for node_id, element in nodes.items():
        data = synthetic.nodes[node_id]
        color = element.find(f"{VIZ_NS}color")
        rgb = "#" + "".join(f"{int(color.get(c)):02x}" for c in "rgb")
        assert rgb == KIND_COLORS[data["kind"]]  # the model's, as the explorer draws them
        size = float(element.find(f"{VIZ_NS}size").get("value"))
        assert gexf.MIN_SIZE <= size <= gexf.MAX_SIZE
        position = element.find(f"{VIZ_NS}position")
        assert (float(position.get("x")), float(position.get("y"))) == (data["x"], data["y"])
    assert float(nodes[top].find(f"{VIZ_NS}size").get("value")) == gexf.MAX_SIZE
    assert len(set(KIND_COLORS.values())) == len(KIND_COLORS)
    assert set(KIND_COLORS) == set(KINDS)


def test_gexf_events_carry_their_story_order_as_time(synthetic) -> None:
    for node_id, element in gexf_nodes(gexf_tree(synthetic)).items():
        data = synthetic.nodes[node_id]
        if data["kind"] == "event":
            order = str(data["story_order"])
            assert (element.get("start"), element.get("end")) == (order, order)
        else:
            # No time: visible over the whole timeline.
            assert element.get("start") is None and element.get("end") is None


def test_gexf_is_static_without_events(synthetic) -> None:
    graph = gexf_tree(select(synthetic, kinds=["character"])).find(f"{GEXF_NS}graph")
    assert graph.get("mode") == "static" and graph.get("timeformat") is None


def test_gexf_edges_have_their_type_as_kind_and_key_as_id(synthetic) -> None:
    edges = list(gexf_tree(synthetic).iter(f"{GEXF_NS}edge"))
    assert len(edges) == synthetic.number_of_edges()
    expected = {
        k: (u, v, d["type"], d["kind"]) for u, v, k, d in synthetic.edges(keys=True, data=True)
    }
    for element in edges:
        u, v, kind, edge_kind = expected[element.get("id")]
        assert (element.get("source"), element.get("target")) == (u, v)
        assert element.get("kind") == element.get("label") == kind
        assert attvalues(element)["edge_kind"] == edge_kind
    parallel = [
        e.get("kind") for e in edges if (e.get("source"), e.get("target")) == ("ok-ju", "choi-pro")
    ]
    assert {"kills", "threatens"} <= set(parallel)


def test_gexf_escapes_and_strips_hostile_strings(hostile) -> None:
    root = gexf_tree(hostile)  # parses: well-formed XML
    nodes = gexf_nodes(root)
    assert set(nodes) == {'q"<&>', "발레리나", "bare", "event<1>"}  # \x01 removed from the id
    values = attvalues(nodes['q"<&>'])
    assert values["description"] == xml_safe(HOSTILE)
    assert "\x00" not in values["description"] and "발레리나" in values["description"]
    assert "\r\n\t" in values["description"]  # kept as character references
    assert parse_liststring(values["aliases"]) == [
        "a, b",
        'quoted "alias"',
        "back\\slash",
        "발레리나",
        "[bracket]",
    ]
    assert parse_liststring(values["documents"]) == ["doc&2", "doc<1>"]
    assert "betweenness" not in values  # NaN is left out
    assert nodes['q"<&>'].get("label") == " ".join(xml_safe(HOSTILE).split())
    assert root.find(f"{GEXF_NS}meta").findtext(f"{GEXF_NS}description") == xml_safe(HOSTILE)


def test_gexf_leaves_out_none_and_mistyped_values(hostile) -> None:
    nodes = gexf_nodes(gexf_tree(hostile))
    assert attvalues(nodes["bare"]) == {}
    assert nodes["bare"].find(f"{VIZ_NS}position") is None
    assert attvalues(nodes["발레리나"]) == {"kind": "work", "aliases": '["Ballerina"]'}
    event = nodes["event<1>"]
    assert event.find(f"{VIZ_NS}position") is None  # x is NaN
    assert float(event.find(f"{VIZ_NS}size").get("value")) == gexf.MIN_SIZE  # pagerank is inf
    assert "description" not in attvalues(event)  # empty string


def test_edge_ids_are_the_edge_keys_made_xml_safe(hostile) -> None:
    ids = [e.get("id") for e in gexf_tree(hostile).iter(f"{GEXF_NS}edge")]
    assert ids == [xml_safe(str(k)) for _, _, k in hostile.edges(keys=True)]
    assert ids == ['k"<&>', "k2", "k3", "k4", "loop", "k5", "k6"]
    back = read_graphml(export("graphml", hostile))
    assert sorted(k for _, _, k in back.edges(keys=True)) == sorted(ids)


def test_the_knowledge_graphs_edge_keys_are_unique_document_ids(ballerina) -> None:
    """What lets the writers use the keys as ids: validation rules out a repeated key."""
    keys = [k for _, _, k in ballerina.graph.edges(keys=True)]
    assert len(set(keys)) == len(keys) and all(xml_safe(k) == k for k in keys)
    ids = [e.get("id") for e in gexf_tree(ballerina.graph).iter(f"{GEXF_NS}edge")]
    assert ids == keys


def test_a_relation_id_that_is_a_participation_key_is_a_seed_problem() -> None:
    kb = load_knowledge_base(SEEDS)
    (kills,) = [
        r for r in kb.relations if (r.source, r.type, r.target) == ("ok-ju", "kills", "choi-pro")
    ]
    taken = dataclasses.replace(kills, id="burning-of-choi/agent/ok-ju")
    problems = validate(dataclasses.replace(kb, relations=(*kb.relations, taken)))
    assert [str(p) for p in problems] == [
        f"{kills.origin}: burning-of-choi/agent/ok-ju: relation id is already the key of a participant of burning-of-choi"
    ]


def test_gexf_liststring_is_read_back_by_graphology(hostile, tmp_path) -> None:
    path = tmp_path / "hostile.gexf"
    path.write_bytes(gexf_bytes(hostile))
    output = check_gexf(path)
    assert "aliases" in output


# --- GraphML -------------------------------------------------------------------------------


def read_graphml(data: bytes) -> nx.MultiDiGraph:
    return nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True)


def test_graphml_round_trip_keeps_nodes_edges_keys_and_types(synthetic) -> None:
    back = read_graphml(export("graphml", synthetic))
    assert list(back) == list(synthetic)
    assert edge_set(back) == edge_set(synthetic)
    assert back.graph["name"] == "Ballerina (2023), synthetic"
    for node, data in synthetic.nodes(data=True):
        got = back.nodes[node]
        assert got["kind"] == data["kind"] and got["name"] == data["name"]
        assert isinstance(got["degree"], int) and got["degree"] == data["degree"]
        assert isinstance(got["pagerank"], float) and got["pagerank"] == data["pagerank"]
        assert (got["x"], got["y"]) == (data["x"], data["y"])
        assert got["citations"] == len(data["citations"])
        assert json.loads(got.get("aliases", "[]")) == list(data["aliases"])
        if data["kind"] == "event":
            assert got["story_order"] == data["story_order"]
            assert got.get("narrative_order") == data["narrative_order"]
    for u, v, k, data in synthetic.edges(keys=True, data=True):
        got = back.edges[u, v, k]
        assert got["type"] == data["type"] and got["kind"] == data["kind"]
        assert got.get("dispute") == data["dispute"]


def test_graphml_round_trip_of_hostile_strings(hostile) -> None:
    back = read_graphml(export("graphml", hostile))
    assert set(back) == {'q"<&>', "발레리나", "bare", "event<1>"}
    node = back.nodes['q"<&>']
    assert node["description"] == xml_safe(HOSTILE)
    assert json.loads(node["aliases"]) == [
        "a, b",
        'quoted "alias"',
        "back\\slash",
        "발레리나",
        "[bracket]",
    ]
    assert "betweenness" not in node
    assert back.nodes["bare"] == {}
    assert {('q"<&>', "발레리나", 'k"<&>'), ('q"<&>', "발레리나", "k2")} <= edge_set(back)
    assert back.edges['q"<&>', "발레리나", 'k"<&>']["dispute"] == xml_safe(HOSTILE)
    assert back.graph["name"] == xml_safe(HOSTILE)


def test_graphml_keys_declare_types(synthetic) -> None:
    root = ET.fromstring(export("graphml", synthetic))
    types = {
        (k.get("for"), k.get("attr.name")): k.get("attr.type")
        for k in root.iter(f"{GRAPHML_NS}key")
    }
    assert types[("node", "degree")] == "int"
    assert types[("node", "pagerank")] == "double"
    assert types[("node", "aliases")] == "string"
    assert types[("edge", "citations")] == "int"
    assert types[("graph", "name")] == "string"


# --- JSON node-link ------------------------------------------------------------------------


def read_json(data: bytes) -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(data), edges="edges")


def test_json_round_trip_keeps_everything(synthetic) -> None:
    back = read_json(export("json", synthetic))
    assert back.is_directed() and back.is_multigraph()
    assert list(back) == list(synthetic)
    assert edge_set(back) == edge_set(synthetic)
    assert back.graph == {"name": "Ballerina (2023), synthetic"}
    for node, data in synthetic.nodes(data=True):
        assert back.nodes[node] == node_link.plain(data)
    citation = synthetic.nodes["ok-ju"]["citations"][0]
    assert back.nodes["ok-ju"]["citations"][0] == {
        "document": citation.document,
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "refers": [{"text": r.text, "entity": r.entity} for r in citation.refers],
        "hedge": citation.hedge,
        "erratum": citation.erratum,
    }
    for u, v, k, data in synthetic.edges(keys=True, data=True):
        assert back.edges[u, v, k] == node_link.plain(data)


def test_json_of_hostile_values(hostile) -> None:
    data = json.loads(export("json", hostile))
    # Graph attributes are written as node attributes are: whole, made plain.
    assert data["graph"]["name"] == HOSTILE and data["graph"]["other"] == [1, 2]
    assert data["graph"]["documents"]["d"].startswith("<object object")
    node = next(n for n in data["nodes"] if n["id"] == 'q"<&>')
    assert node["description"] == HOSTILE  # JSON can hold it all
    assert node["betweenness"] is None  # NaN
    assert node["extra_set"] == ["a", "b"]
    assert node["extra_dict"] == {"nested": [1, {"deep": None}]}
    assert node["aliases"][4] is None
    back = read_json(export("json", hostile))
    assert edge_set(back) == edge_set(hostile)
    assert set(back) == set(hostile)


# --- the real graph ------------------------------------------------------------------------


def test_real_graph_round_trips_through_json_and_graphml(ballerina) -> None:
    film = ballerina.graph
    from_json = read_json(export("json", film))
    assert list(from_json) == list(film)
    assert edge_set(from_json) == edge_set(film)
    # The graph-level attributes are the name alone: what was built with it is not in the graph.
    assert from_json.graph == film.graph == {"name": ballerina.name}
    assert from_json.nodes["ok-ju"] == node_link.plain(film.nodes["ok-ju"])
    from_graphml = read_graphml(export("graphml", film))
    assert list(from_graphml) == list(film)
    assert edge_set(from_graphml) == edge_set(film)  # the builder's keys are unique
    assert from_graphml.graph["name"] == ballerina.name
    assert from_graphml.nodes["ok-ju"]["degree"] == film.nodes["ok-ju"]["degree"]


def relations_in_order(G: nx.MultiDiGraph) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
    """What every ``relations(direction: ...)`` query of every node lists, in order."""
    from types import SimpleNamespace

    from graph.query import edges_of

    K = SimpleNamespace(graph=G)  # edges_of reads only the graph of a KnowledgeGraph
    return {
        (node, direction): [(e.source, e.target, e.key) for e in edges_of(K, node, direction=d)]
        for node in G
        for direction, d in (("OUT", "out"), ("IN", "in"), ("BOTH", "both"))
    }


@pytest.mark.parametrize("graph", ["ballerina", "synthetic"])
def test_a_graph_read_back_from_json_lists_every_nodes_relations_in_the_same_order(
    graph, request
) -> None:
    G = request.getfixturevalue(graph)
    if not isinstance(G, nx.MultiDiGraph):  # the real graph's fixture is a KnowledgeGraph
        G = G.graph
    expected = relations_in_order(G)
    # Listing edges by source (as G.edges() does) would reorder some nodes' incoming edges:
    # the check below can fail.
    naive = nx.MultiDiGraph()
    naive.add_nodes_from(G)
    naive.add_edges_from(G.edges(keys=True))
    assert relations_in_order(naive) != expected
    assert relations_in_order(read_json(export("json", G))) == expected


def test_json_edge_order_rebuilds_incoming_edges_added_against_the_node_order() -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from("abcd")
    for u, v, k in [("d", "a", "x"), ("c", "a", "y"), ("b", "a", "z"), ("a", "b", "w"),
                    ("d", "a", "x2"), ("a", "a", "self"), ("c", "b", "v"), ("a", "c", "u")]:  # fmt: skip
        G.add_edge(u, v, key=k)
    back = read_json(export("json", G))
    for node in G:
        assert list(back.pred[node]) == list(G.pred[node])
        assert list(back.succ[node]) == list(G.succ[node])
        for other in G.succ[node]:
            assert list(back.succ[node][other]) == list(G.succ[node][other])


def test_real_graph_exports_over_http(ballerina) -> None:
    app = app_with(ballerina)
    ego = read_json(fetch(app, "/export/graph.json?center=ok-ju&radius=1").content)
    assert {"ok-ju", "choi-pro", "min-hee"} <= set(ego)
    assert set(ego) == set(select(ballerina.graph, center="ok-ju", radius=1))
    kills = read_graphml(fetch(app, "/export/graph.graphml?kind=character&relation=kills").content)
    assert ("ok-ju", "choi-pro") in kills.edges()
    assert {k for _, k in kills.nodes(data="kind")} == {"character"}
    assert {t for _, _, t in kills.edges(data="type")} == {"kills"}
    burning = read_json(
        fetch(app, "/export/graph.json?center=burning-of-choi&kind=character").content
    )
    assert {"burning-of-choi", "ok-ju", "choi-pro"} <= set(burning)
    response = fetch(app, "/export/graph.gexf?center=ok-ju&radius=4")
    assert response.status_code == 400 and response.json()["parameter"] == "radius"


# --- selections ----------------------------------------------------------------------------


def test_select_by_kind_keeps_those_nodes_and_the_edges_between_them(synthetic) -> None:
    view = select(synthetic, kinds=["character", "place"])
    expected = {n for n, k in synthetic.nodes(data="kind") if k in ("character", "place")}
    assert set(view) == expected
    assert edge_set(view) == {
        (u, v, k) for u, v, k in synthetic.edges(keys=True) if u in expected and v in expected
    }
    assert len(select(synthetic, kinds="event")) == 27  # a bare string is one kind
    assert len(select(synthetic, kinds=[])) == 0


def test_select_by_relation_type_keeps_what_those_edges_join(synthetic) -> None:
    types = ("kills", "agent")
    matching = [(u, v) for u, v, t in synthetic.edges(data="type") if t in types]
    view = select(synthetic, relation_types=list(types))
    assert set(view) == {n for edge in matching for n in edge} != set(synthetic)
    assert {t for _, _, t in view.edges(data="type")} == set(types)
    assert view.number_of_edges() == len(matching)
    # Asked to, it keeps the nodes left without edges too; the edges are the same.
    everything = select(synthetic, relation_types=list(types), keep_isolated=True)
    assert set(everything) == set(synthetic)
    assert everything.number_of_edges() == len(matching)
    # An ego network keeps its center even when no kept edge reaches it.
    assert list(select(synthetic, center="ok-ju", radius=1, relation_types=[])) == ["ok-ju"]


def test_ego_network_ignores_direction(synthetic) -> None:
    neighbours = set(synthetic.successors("ok-ju")) | set(synthetic.predecessors("ok-ju"))
    assert set(select(synthetic, center="ok-ju", radius=1)) == neighbours | {"ok-ju"}
    assert set(select(synthetic, center="ok-ju")) == neighbours | {"ok-ju"}  # radius 1 default
    assert list(select(synthetic, center="ok-ju", radius=0)) == ["ok-ju"]
    two = select(synthetic, center="ok-ju", radius=2)
    assert set(two) == set(nx.ego_graph(synthetic.to_undirected(as_view=True), "ok-ju", 2))
    distances = ego_distances(synthetic, "ok-ju", 2)
    assert set(distances.values()) == {0, 1, 2} and distances["choi-pro"] == 1


def test_ego_network_then_kinds_keeps_the_center(synthetic) -> None:
    view = select(synthetic, center="burning-of-choi", radius=1, kinds=["character"])
    assert set(view) == {"burning-of-choi", "ok-ju", "choi-pro"}
    # Hops go through the whole graph: characters sharing an event are two hops apart.
    two = select(synthetic, center="ok-ju", radius=2, kinds=["character"])
    within = ego_distances(synthetic, "ok-ju", 2)
    assert set(two) == {n for n in within if synthetic.nodes[n]["kind"] == "character"}


def test_selection_is_a_read_only_view_in_graph_order(synthetic) -> None:
    view = select(synthetic, kinds=["event", "character"])
    assert list(view) == [n for n in synthetic if n in view]
    with pytest.raises(nx.NetworkXError):
        view.add_node("new")
    assert view.nodes["ok-ju"] is synthetic.nodes["ok-ju"]
    assert list(select(synthetic)) == list(synthetic)


def test_max_nodes_keeps_the_nearest_then_highest_ranked(synthetic) -> None:
    result = selection(synthetic, center="ok-ju", radius=2, max_nodes=5)
    assert result.truncated and result.matched > 5
    kept = list(result.graph)
    assert len(kept) == 5 and "ok-ju" in kept
    distances = ego_distances(synthetic, "ok-ju", 2)
    assert max(distances[n] for n in kept) <= min(distances[n] for n in distances if n not in kept)
    assert kept == list(selection(synthetic, center="ok-ju", radius=2, max_nodes=5).graph)
    whole = selection(synthetic, max_nodes=10_000)
    assert not whole.truncated and whole.matched == len(synthetic)
    top = list(select(synthetic, max_nodes=1))
    assert top == [max(synthetic, key=lambda n: synthetic.nodes[n]["pagerank"])]


@pytest.mark.parametrize(
    ("arguments", "error", "value"),
    [
        ({"center": "nobody"}, UnknownNode, "nobody"),
        ({"kinds": ["character", "villain"]}, UnknownKind, "villain"),
        ({"relation_types": ["kills", "hugs"]}, UnknownRelationType, "hugs"),
        ({"center": "ok-ju", "radius": -1}, InvalidRadius, -1),
        ({"center": "ok-ju", "radius": 4, "max_radius": 3}, RadiusTooLarge, 4),
        ({"radius": 2}, RadiusWithoutCenter, 2),
        ({"max_nodes": -3}, InvalidMaxNodes, -3),
    ],
)
def test_selection_errors_carry_the_offending_value(synthetic, arguments, error, value) -> None:
    with pytest.raises(error) as raised:
        select(synthetic, **arguments)
    assert raised.value.args[0] == value
    assert isinstance(raised.value, SelectionError) and isinstance(raised.value, ValueError)
    assert repr(value) in str(raised.value) or str(value) in str(raised.value)


def test_selection_survives_odd_attribute_values(hostile) -> None:
    hostile = hostile.copy()
    hostile.add_node("listy", kind=["character"])
    hostile.add_edge("listy", "bare", key="t", type={"kills": 1})
    assert set(select(hostile, kinds=["character"])) == {'q"<&>'}
    assert list(select(hostile, relation_types=["agent"]).edges(keys=True)) == [
        ('q"<&>', "event\x01<1>", "k3")
    ]
    with pytest.raises(UnknownKind):
        select(hostile, kinds=["robot"])


def test_a_kind_or_type_outside_the_vocabulary_is_accepted_when_the_graph_has_it() -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", kind="spaceship")
    G.add_edge("a", "a", key="x", type="orbits")
    assert list(select(G, kinds=["spaceship"], relation_types=["orbits"]).edges) == [
        ("a", "a", "x")
    ]


# --- layout --------------------------------------------------------------------------------


def test_layout_is_deterministic_and_fits_the_frame(synthetic) -> None:
    positions = layout(synthetic)
    assert positions == layout(synthetic)
    assert set(positions) == set(synthetic)
    extent = max(max(abs(x), abs(y)) for x, y in positions.values())
    assert extent == pytest.approx(1000.0)
    # The same graph built in another order is laid out the same.
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(synthetic.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(synthetic.edges(keys=True, data=True))))
    assert layout(shuffled) == positions
    points = list(positions.values())
    closest = min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1 :])
    assert closest > 10.0  # no two nodes on top of each other
    assert layout(synthetic, seed=1) != positions


def test_layout_of_large_graphs_is_cheap(monkeypatch) -> None:
    """Above FORCE_MAX_NODES no force simulation runs (it compares every pair of nodes)."""

    def refused(*args, **kwargs):
        raise AssertionError("a force layout of a large graph")

    monkeypatch.setattr(nx, "forceatlas2_layout", refused)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(200_000))
    positions = layout(G)
    assert len(positions) == 200_000 and len(set(positions.values())) == 200_000
    extent = max(max(abs(x), abs(y)) for x, y in positions.values())
    assert extent == pytest.approx(1000.0)
    small = nx.path_graph(FORCE_MAX_NODES + 1)
    assert layout(small) == layout(small)
    assert layout(nx.MultiDiGraph()) == {}


# --- routes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type", "filename"),
    [
        ("/export/graph.gexf", "application/gexf+xml", "ballerina.gexf"),
        ("/export/graph.graphml", "application/graphml+xml", "ballerina.graphml"),
        ("/export/graph.json", "application/json", "ballerina.json"),
    ],
)
def test_routes_serve_each_format(synthetic, path, media_type, filename) -> None:
    response = fetch(app_with(synthetic), path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    if path.endswith("json"):
        assert len(read_json(response.content)) == len(synthetic)
    elif path.endswith("graphml"):
        assert len(read_graphml(response.content)) == len(synthetic)
    else:
        assert len(gexf_nodes(ET.fromstring(response.content))) == len(synthetic)


def test_routes_apply_the_filters(synthetic) -> None:
    app = app_with(synthetic)
    nodes = read_json(fetch(app, "/export/graph.json?kind=character,place").content)
    assert {k for _, k in nodes.nodes(data="kind")} == {"character", "place"}
    repeated = read_json(fetch(app, "/export/graph.json?kind=character&kind=place").content)
    assert set(repeated) == set(nodes)
    kills = read_json(fetch(app, "/export/graph.json?relation=kills").content)
    assert {t for _, _, t in kills.edges(data="type")} == {"kills"}
    assert set(kills) == {
        n for u, v, t in synthetic.edges(data="type") if t == "kills" for n in (u, v)
    }
    kept = read_json(fetch(app, "/export/graph.json?relation=kills&isolated=keep").content)
    assert len(kept) == len(synthetic) and kept.number_of_edges() == kills.number_of_edges()
    response = fetch(app, "/export/graph.json?relation=kills&isolated=maybe")
    assert response.status_code == 400 and response.json()["parameter"] == "isolated"
    response = fetch(app, "/export/graph.graphml?center=ok-ju&radius=1")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="ballerina-ok-ju-r1.graphml"'
    )
    assert set(read_graphml(response.content)) == set(select(synthetic, center="ok-ju", radius=1))


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [
        ("kind=character,villain", "kind", "villain"),
        ("relation=hugs", "relation", "hugs"),
        ("center=nobody", "center", "nobody"),
        ("center=ok-ju&radius=two", "radius", "two"),
        ("center=ok-ju&radius=-1", "radius", -1),
        ("center=ok-ju&radius=99", "radius", 99),
        ("radius=2", "radius", 2),
        ("kinds=character", "kinds", "character"),
        ("center=ok-ju&center=choi-pro", "center", "ok-ju,choi-pro"),
    ],
)
def test_bad_parameters_are_400_naming_them(synthetic, query, parameter, value) -> None:
    response = fetch(app_with(synthetic), f"/export/graph.gexf?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["parameter"] == parameter and body["value"] == value
    assert body["error"].startswith(parameter) and str(value) in body["error"]


def test_unknown_format_is_404_and_missing_graph_503(synthetic) -> None:
    response = fetch(app_with(synthetic), "/export/graph.csv")
    assert response.status_code == 404 and response.json()["value"] == "csv"
    assert fetch(app_with(None), "/export/graph.gexf").status_code == 503


def test_route_answers_with_a_streaming_response(synthetic) -> None:
    app = app_with(synthetic)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/export/graph.gexf",
        "query_string": b"kind=character",
        "headers": [],
        "path_params": {"extension": "gexf"},
        "app": app,
    }
    response = asyncio.run(export_graph(Request(scope)))
    assert isinstance(response, StreamingResponse)
    assert response.media_type == "application/gexf+xml"


# --- streaming and memory ------------------------------------------------------------------


#: Edges of the graph the streams are cut from: enough for many more chunks than one.
MEDIUM_EDGES = 20_000
#: The two sizes (one a fifth of the other) each format streams for the memory test: the
#: smallest that keep what is held (a chunk) a small part of the text. JSON holds a little per
#: node as well, so it needs the larger pair for that part to stay a fraction of the text.
TRACED_EDGES = {"json": (4_000, MEDIUM_EDGES)}
TRACED_EDGES_OTHERWISE = (2_000, 10_000)


@pytest.fixture(scope="module")
def big() -> Callable[[int], nx.MultiDiGraph]:
    """``big_graph(edges)``, built once per size for the module (the graphs are only read)."""
    return functools.cache(big_graph)


@pytest.fixture(scope="module")
def medium(big) -> nx.MultiDiGraph:
    return big(MEDIUM_EDGES)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_writers_stream_many_bounded_chunks(medium, name) -> None:
    chunks = FORMATS[name].stream(medium, {})
    assert isinstance(chunks, Iterator)
    first = next(chunks)
    assert first.startswith((b"<?xml", b"{", b"@prefix"))
    sizes = [len(first), *map(len, chunks)]
    assert len(sizes) > 50
    assert max(sizes) < 4 * 64 * 1024 + 4096  # at most 4 bytes per character, plus one piece


def consume_traced(chunks: Iterator[bytes]) -> tuple[int, int]:
    """Total bytes of the stream and peak traced memory while producing it."""
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in chunks)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return total, peak


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_writers_stream_in_memory_that_does_not_grow_with_the_graph(big, name) -> None:
    small, larger = (big(edges) for edges in TRACED_EDGES.get(name, TRACED_EDGES_OTHERWISE))
    small_total, small_peak = consume_traced(FORMATS[name].stream(small, {}))
    total, peak = consume_traced(FORMATS[name].stream(larger, {}))
    print(f"{name}: {total:,} bytes written, peak traced memory {peak:,} ({small_peak:,} for 1/5)")
    assert total > 4 * small_total
    if name == "json":
        # JSON lists edges in the order that rebuilds each node's predecessors
        # (node_link.rebuild_order): that holds a little state per node part-way through its
        # predecessors, never per edge, and these graphs' edges were added in random order, the
        # worst case for it. So its peak grows with the nodes, but stays a fraction of the text.
        assert peak < total / 4, (peak, total)
        return
    # Five times the graph, about the same peak: what is held is a chunk, not the document
    # (or anything per edge). A peak growing with the graph would be about five times as high.
    assert peak < 1.5 * small_peak, (peak, small_peak)
    assert peak < total / 10, (peak, total)


def test_gexf_and_graphml_carry_each_claims_certainty_and_quotes(ballerina) -> None:
    """The receipts travel with the edges: a hedged claim says so, with the words it rests on."""
    G = ballerina.graph
    root = gexf_tree(G)
    edges = {e.get("id"): e for e in root.iter(f"{GEXF_NS}edge")}
    hedged = next(
        attvalues(e)
        for e in edges.values()
        if e.get("label") == "uses"
        and attvalues(e).get("certainty") == "hedged"
        and "fish capsules" in attvalues(e)["quotes"]
    )
    (quote,) = parse_liststring(hedged["quotes"])
    assert quote.startswith("symbolism-explainer: The little fish capsules Choi is selling appear")
    inferred = [attvalues(e) for e in edges.values() if attvalues(e).get("certainty") == "inferred"]
    assert inferred and all(v["certainty_reason"] for v in inferred)
    graphml = export("graphml", G).decode()
    assert ">hedged<" in graphml and ">inferred<" in graphml


def test_filters_take_the_vocabulary_in_either_case_and_list_it_when_wrong(ballerina) -> None:
    """One filter language: GraphQL spells kinds and types as enum values (CHARACTER, KILLS)."""
    app = app_with(ballerina)
    upper = read_json(fetch(app, "/export/graph.json?kind=CHARACTER&relation=KILLS").content)
    lower = read_json(fetch(app, "/export/graph.json?kind=character&relation=kills").content)
    assert set(upper) == set(lower) and upper.number_of_edges() == lower.number_of_edges() > 0
    wrong = fetch(app, "/export/graph.json?kind=villain").json()
    assert wrong["parameter"] == "kind" and "(known: character, person, place" in wrong["error"]
    wrong = fetch(app, "/export/graph.json?relation=hugs").json()
    assert wrong["parameter"] == "relation" and "kills" in wrong["error"]
    assert "roles: agent" in wrong["error"]


def test_the_landing_page_links_every_export_and_each_link_answers(client) -> None:
    from server.exports import FORMATS, TABLES

    page = client.get("/").text
    links = set(re.findall(r'href="(/export/[^"]+)"', page))
    expected = {f"/export/graph.{f.extension}" for f in FORMATS.values()}
    expected |= {f"/export/{name}" for name in TABLES}
    assert links == expected
    for link in sorted(links):
        answer = client.get(link)
        assert answer.status_code == 200, (link, answer.text[:200])
