"""The Neo4j export: ``nodes.csv`` and ``edges.csv`` in the bulk importer's header format, and
the ``LOAD CSV`` script ``load.cypher``.

The tables are checked by a real Cypher engine: Kùzu (embedded, from PyPI) loads them with its
own CSV reader (``COPY FROM``) into a schema read off their headers, and Cypher queries there
must give the answers our graph gives. Kùzu has no ``LOAD CSV``, no multiple labels and no
``neo4j-admin``, so the script is checked for structure only: that it reads each file by the
columns its header has, converts each by its header type, and creates every label set and
relationship type the tables hold.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import kuzu
import networkx as nx
import pytest

from graph.subgraph import select
from server.cli import main
from server.exports import TABLES, neo4j_csv
from tests.conftest import SEEDS
from tests.synthetic_graph import big_graph

IDENTITY = {"accept-encoding": "identity"}
_KUZU_TYPES = {"long": "INT64", "double": "DOUBLE"}


# --- helpers -------------------------------------------------------------------------------


def header_of(table: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(table.decode("utf-8"))))


def rows_of(table: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(table.decode("utf-8"))))


def _column(header: str) -> tuple[str, str] | None:
    """A header column as a Kùzu property (name, type); None for the importer's own ids."""
    if header in (":START_ID", ":END_ID"):
        return None
    if header == "id:ID":
        return "id", "STRING PRIMARY KEY"
    if header == ":LABEL":
        return "labels", "STRING"
    if header == ":TYPE":
        return "rel_type", "STRING"
    name, _, type_ = header.partition(":")
    return name, _KUZU_TYPES.get(type_, "STRING")  # arrays stay ;-joined strings


def load_into_kuzu(folder: Path, nodes: bytes, edges: bytes) -> kuzu.Connection:
    """A Kùzu database holding the two tables, with a schema made from their headers (Kùzu's
    COPY reads columns by position; a relationship file's first two are its ends)."""
    (folder / "nodes.csv").write_bytes(nodes)
    (folder / "edges.csv").write_bytes(edges)
    node_columns = [c for c in map(_column, header_of(nodes)) if c is not None]
    edge_columns = [c for c in map(_column, header_of(edges)) if c is not None]
    assert header_of(edges)[:2] == [":START_ID", ":END_ID"]
    connection = kuzu.Connection(kuzu.Database(str(folder / "db")))
    properties = ", ".join(f"`{name}` {type_}" for name, type_ in node_columns)
    connection.execute(f"CREATE NODE TABLE Node({properties})")
    properties = ", ".join(f"`{name}` {type_}" for name, type_ in edge_columns)
    connection.execute(f"CREATE REL TABLE Rel(FROM Node TO Node, {properties})")
    # Quoted fields may hold line breaks: read serially.
    connection.execute(f"COPY Node FROM '{folder / 'nodes.csv'}' (HEADER=true, PARALLEL=false)")
    connection.execute(f"COPY Rel FROM '{folder / 'edges.csv'}' (HEADER=true, PARALLEL=false)")
    return connection


def query(connection: kuzu.Connection, cypher: str) -> list[list]:
    result = connection.execute(cypher)
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


@pytest.fixture(scope="module")
def tables(client) -> dict[str, bytes]:
    """The three files of the whole graph, as the HTTP export serves them."""
    files = {}
    for name in TABLES:
        response = client.get(f"/export/{name}", headers=IDENTITY)
        assert response.status_code == 200, response.text
        files[name] = response.content
    return files


@pytest.fixture(scope="module")
def loaded(tables, tmp_path_factory) -> kuzu.Connection:
    return load_into_kuzu(tmp_path_factory.mktemp("kuzu"), tables["nodes.csv"], tables["edges.csv"])


# --- the tables, in a real Cypher engine ---------------------------------------------------


def test_kuzu_counts_the_nodes_of_each_kind_the_graph_has(ballerina, loaded) -> None:
    counted = dict(query(loaded, "MATCH (n:Node) RETURN n.kind, count(*)"))
    assert counted == Counter(kind for _, kind in ballerina.graph.nodes(data="kind"))
    labels = dict(query(loaded, "MATCH (n:Node) RETURN n.id, n.labels"))
    assert labels["ok-ju"] == "Node;Character" and labels["burning-of-choi"] == "Node;Event"
    assert query(loaded, "MATCH ()-[r:Rel]->() RETURN count(*)") == [
        [ballerina.graph.number_of_edges()]
    ]


def test_kuzu_finds_who_kills_whom_as_the_graph_says(ballerina, loaded) -> None:
    found = query(
        loaded,
        "MATCH (a:Node)-[r:Rel]->(b:Node) WHERE r.rel_type = 'KILLS' "
        "RETURN a.id, b.name, r.key, r.citations, r.documents",
    )
    G = ballerina.graph
    expected = {
        (u, G.nodes[v]["name"], key, len(c), ";".join(sorted({x.document for x in c})))
        for u, v, key, t, c in (
            (u, v, k, d["type"], d["citations"]) for u, v, k, d in G.edges(keys=True, data=True)
        )
        if t == "kills"
    }
    assert {tuple(row) for row in found} == expected
    assert ("ok-ju", "Choi Pro") in {(a, b) for a, b, *_ in found}
    # Parallel edges stay apart: Choi both blackmails and records Min-hee, and more.
    between = query(
        loaded,
        "MATCH (a:Node {id: 'choi-pro'})-[r:Rel]->(b:Node {id: 'min-hee'}) RETURN r.rel_type",
    )
    assert sorted(t for (t,) in between) == sorted(
        d["type"].upper() for d in G.get_edge_data("choi-pro", "min-hee").values()
    )


def test_kuzu_finds_the_shortest_path_the_graph_has(ballerina, loaded) -> None:
    [[length, ids]] = query(
        loaded,
        "MATCH p = (a:Node {id: 'min-hee'})-[:Rel* SHORTEST 1..6]-(b:Node {id: 'gapyeong'}) "
        "RETURN length(p), properties(nodes(p), 'id') LIMIT 1",
    )
    undirected = ballerina.graph.to_undirected(as_view=True)
    assert length == nx.shortest_path_length(undirected, "min-hee", "gapyeong") == 3
    assert nx.is_path(undirected, ids) and ids[0] == "min-hee" and ids[-1] == "gapyeong"


def test_kuzu_reads_the_typed_properties_back(ballerina, loaded) -> None:
    rows = query(
        loaded,
        "MATCH (n:Node) RETURN n.id, n.name, string_split(n.aliases, ';'), n.pagerank, "
        "n.citations, n.story_order, n.certainty",
    )
    G = ballerina.graph
    assert len(rows) == len(G)
    for node, name, aliases, pagerank, citations, story_order, certainty in rows:
        attrs = G.nodes[node]
        assert name == attrs["name"]
        assert aliases == (list(attrs["aliases"]) if attrs["aliases"] else None)
        assert pagerank == attrs["pagerank"]  # repr() round-trips a double exactly
        assert citations == len(attrs["citations"])
        assert story_order == attrs.get("story_order")
        assert certainty == attrs["certainty"]
    [[quotes]] = query(loaded, "MATCH (n:Node {id: 'fish-capsules'}) RETURN n.quotes")
    assert [f"{c.document}: {c.quote}" for c in G.nodes["fish-capsules"]["citations"]] == (
        quotes.split(";")
    )


def test_filtered_tables_load_as_the_selection(ballerina, client, tmp_path) -> None:
    nodes = client.get("/export/nodes.csv?relation=kills,plays", headers=IDENTITY).content
    edges = client.get("/export/edges.csv?relation=kills,plays", headers=IDENTITY).content
    connection = load_into_kuzu(tmp_path, nodes, edges)
    selected = select(
        ballerina.graph, relation_types=["kills", "plays"], names=ballerina.search.names
    )
    assert {n for (n,) in query(connection, "MATCH (n:Node) RETURN n.id")} == set(selected)
    types = query(connection, "MATCH ()-[r:Rel]->() RETURN DISTINCT r.type")
    assert {t for (t,) in types} == {"kills", "plays"}
    assert query(connection, "MATCH ()-[r:Rel]->() RETURN count(*)") == [
        [selected.number_of_edges()]
    ]


def test_an_array_item_holding_the_delimiter_stays_one_item(tmp_path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", kind="character", name="A; or not", aliases=("x;y", "z"))
    G.add_node("b", kind="place", name='B "quoted",\nand on two lines', aliases=())
    G.add_edge("a", "b", key="a/near/b", kind="relation", type="near")
    connection = load_into_kuzu(
        tmp_path, b"".join(neo4j_csv.iter_nodes(G)), b"".join(neo4j_csv.iter_edges(G))
    )
    rows = dict(query(connection, "MATCH (n:Node) RETURN n.id, string_split(n.aliases, ';')"))
    assert rows["a"] == ["x\uff1by", "z"]
    names = dict(query(connection, "MATCH (n:Node) RETURN n.id, n.name"))
    assert names == {"a": "A; or not", "b": 'B "quoted",\nand on two lines'}
    assert query(connection, "MATCH (n:Node {id: 'b'}) RETURN n.aliases") == [[None]]


def test_the_tables_stream_in_bounded_chunks() -> None:
    G = big_graph(4_000)
    sizes = [len(chunk) for chunk in TABLES["edges.csv"].stream(G, {})]
    assert len(sizes) > 4 and max(sizes) < 4 * 64 * 1024 + 4096
    rows = rows_of(b"".join(TABLES["edges.csv"].stream(G, {})))
    assert len(rows) == G.number_of_edges()


# --- the LOAD CSV script -------------------------------------------------------------------

_STATEMENT = re.compile(
    r"LOAD CSV WITH HEADERS FROM 'file:///(?P<file>[a-z]+\.csv)' AS row\n"
    r"WITH row WHERE row\.`(?P<key>:LABEL|:TYPE)` = '(?P<value>[^'\\]*)'\n"
    r"(?P<rest>.*?);\n",
    re.DOTALL,
)
_CONVERSIONS = {
    "long": r"toInteger\(row\.`{}`\)",
    "double": r"toFloat\(row\.`{}`\)",
    "string[]": r"split\(row\.`{}`, ';'\)",
    "": r"row\.`{}`",
}


def _properties(rest: str) -> dict[str, str]:
    """The property map of the statement's CREATE: property name -> the expression read."""
    body = re.search(r"\{(`.*)\}", rest.splitlines()[-1])
    assert body is not None, rest
    pairs = re.findall(r"`([^`]+)`: ((?:[a-zA-Z]+\()?row\.`[^`]+`(?:, ';')?\)?)", body.group(1))
    return dict(pairs)


def test_the_script_creates_every_label_set_and_type_from_the_columns_the_tables_have(
    tables,
) -> None:
    script = tables["load.cypher"].decode()
    headers = {name: header_of(tables[name]) for name in ("nodes.csv", "edges.csv")}
    statements = list(_STATEMENT.finditer(script))
    # Every statement but the constraint is one of these, and nothing is left over.
    leftover = _STATEMENT.sub("", script)
    code = [line for line in leftover.splitlines() if line and not line.startswith("//")]
    assert code == [
        "CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:`Node`) REQUIRE n.id IS UNIQUE;"
    ]
    created = {"nodes.csv": set(), "edges.csv": set()}
    for statement in statements:
        file, value, rest = statement["file"], statement["value"], statement["rest"]
        assert statement["key"] == (":LABEL" if file == "nodes.csv" else ":TYPE")
        created[file].add(value)
        # Each property is read from a column of that file's header, converted by its type.
        properties = _properties(rest)
        header = headers[file]
        expected_keys = [h for h in header if not h.startswith(":") and h != "id:ID"]
        assert len(properties) == len(expected_keys) + (file == "nodes.csv"), rest
        for column in expected_keys:
            name, _, type_ = column.partition(":")
            assert re.fullmatch(_CONVERSIONS[type_].format(re.escape(column)), properties[name])
        if file == "nodes.csv":
            assert properties["id"] == "row.`id:ID`"
            labels = ":".join(f"`{label}`" for label in value.split(";"))
            assert rest.startswith(f"CREATE (:{labels} {{")
        else:
            assert rest.startswith(
                "MATCH (source:`Node` {id: row.`:START_ID`}), (target:`Node` {id: row.`:END_ID`})"
                f"\nCREATE (source)-[:`{value}` {{"
            )
    assert created["nodes.csv"] == {row[":LABEL"] for row in rows_of(tables["nodes.csv"])}
    assert created["edges.csv"] == {row[":TYPE"] for row in rows_of(tables["edges.csv"])}
    assert len(statements) == len(created["nodes.csv"]) + len(created["edges.csv"])


# --- HTTP and the command line -------------------------------------------------------------


@pytest.mark.parametrize("name", list(TABLES))
def test_each_file_is_served_with_its_name_type_and_caching(client, name) -> None:
    first = client.get(f"/export/{name}?kind=character", headers=IDENTITY)
    assert first.status_code == 200
    media_type = "text/csv" if name.endswith(".csv") else "text/plain"
    assert first.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert first.headers["content-disposition"] == f'attachment; filename="{name}"'
    tag = first.headers["etag"]
    again = client.get(f"/export/{name}?kind=character", headers={**IDENTITY, "if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    zipped = client.get(f"/export/{name}?kind=character", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == first.content
    assert zipped.headers["etag"] != tag
    assert client.get(f"/export/{name}", headers=IDENTITY).headers["etag"] != tag


def test_unknown_files_and_bad_filters_are_refused(client) -> None:
    response = client.get("/export/people.csv")
    assert response.status_code == 404
    body = response.json()
    assert body["parameter"] == "format" and body["value"] == "people.csv"
    assert "nodes.csv" in body["error"] and "ttl" in body["error"]
    response = client.get("/export/edges.csv?relation=hugs")
    assert response.status_code == 400 and response.json()["parameter"] == "relation"


def test_the_command_writes_the_three_files_the_routes_serve(client, tmp_path, capsys) -> None:
    assert main(["--seeds", str(SEEDS), "export", "--format", "csv", "--center", "ok-ju",
                 "-o", str(tmp_path)]) == 0  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TABLES)
    for name in TABLES:
        served = client.get(f"/export/{name}?center=ok-ju", headers=IDENTITY).content
        assert (tmp_path / name).read_bytes() == served
    assert "wrote nodes.csv, edges.csv, load.cypher" in capsys.readouterr().err


def test_the_command_wants_a_folder_for_csv(tmp_path, capsys) -> None:
    assert main(["--seeds", str(SEEDS), "export", "--format", "csv"]) == 1
    assert "-o names their folder" in capsys.readouterr().err
    file = tmp_path / "x.csv"
    file.write_text("kept")
    assert main(["--seeds", str(SEEDS), "export", "--format", "csv", "-o", str(file)]) == 1
    assert "is not a folder" in capsys.readouterr().err
    assert file.read_text() == "kept"


def test_a_failure_part_way_leaves_the_folder_as_it_was(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "nodes.csv").write_text("old nodes")

    def broken(graph):
        yield b"id:ID\n"
        raise OSError(28, "No space left on device")

    tables = dict(TABLES)
    tables["load.cypher"] = type(TABLES["load.cypher"])(
        "load.cypher", "text/plain", "cypher", broken, file_name="load.cypher"
    )
    monkeypatch.setattr("server.cli.TABLES", tables)
    assert main(["--seeds", str(SEEDS), "export", "--format", "csv", "-o", str(tmp_path)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["nodes.csv"]
    assert (tmp_path / "nodes.csv").read_text() == "old nodes"
