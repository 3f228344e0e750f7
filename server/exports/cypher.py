"""``load.cypher``: a Cypher script that creates, with ``LOAD CSV``, the graph of the two tables.

It reads ``nodes.csv`` and ``edges.csv`` (:mod:`server.exports.neo4j_csv`) from Neo4j's import
folder (``file:///nodes.csv``) and creates what ``neo4j-admin database import`` would: one node
per row with its labels and typed properties, then one relationship per row. Cypher creates
labels and relationship types only from names written in the query, so the script has one
statement per combination of labels and one per relationship type that the tables hold (the
written graph is read once for them first). Every property is converted as its header types it:
``toInteger`` for ``:long``, ``toFloat`` for ``:double``, ``split(..., ';')`` for
``:string[]``; an empty field is ``null`` in ``LOAD CSV``, which sets no property.

It creates rather than merges: run it on an empty database (a second run fails on the
uniqueness constraint instead of doubling the graph).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx

from server.exports.chunks import chunked
from server.exports.neo4j_csv import (
    ARRAY_DELIMITER,
    EDGE_TABLE,
    NODE_LABEL,
    NODE_TABLE,
    Field,
    labels,
    relationship_type,
)

__all__ = ["EDGES_FILE", "MEDIA_TYPE", "NODES_FILE", "SCRIPT_FILE", "iter_bytes", "iter_text"]

#: No media type is registered for Cypher; it is plain text.
MEDIA_TYPE = "text/plain"
NODES_FILE = "nodes.csv"
EDGES_FILE = "edges.csv"
SCRIPT_FILE = "load.cypher"


def iter_bytes(G: nx.MultiDiGraph[Any]) -> Iterator[bytes]:
    """Stream the ``LOAD CSV`` script for the tables of ``G``, in UTF-8 chunks."""
    return chunked(iter_text(G))


def iter_text(G: nx.MultiDiGraph[Any]) -> Iterator[str]:
    label_sets = dict.fromkeys(labels(attrs) for _, attrs in G.nodes(data=True))
    types = dict.fromkeys(relationship_type(attrs) for _, _, attrs in G.edges(data=True))
    yield (
        f"// Creates the graph of {NODES_FILE} and {EDGES_FILE} with LOAD CSV\n"
        "// (ballerina-kg export --format csv). Put the two files in Neo4j's import folder,\n"
        "// then, on an empty database:\n"
        f"//   cypher-shell -u neo4j -p PASSWORD -f {SCRIPT_FILE}\n"
        f"// ({len(label_sets)} label sets, {len(types)} relationship types)\n\n"
        f"CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:{_name(NODE_LABEL)}) "
        "REQUIRE n.id IS UNIQUE;\n"
    )
    node_properties = _properties(
        ("id", _column(NODE_TABLE.keys[0])), *_converted(NODE_TABLE.fields)
    )
    for label_set in label_sets:
        joined = ARRAY_DELIMITER.join(label_set)
        yield (
            f"\nLOAD CSV WITH HEADERS FROM 'file:///{NODES_FILE}' AS row\n"
            f"WITH row WHERE row.{_name(':LABEL')} = {_string(joined)}\n"
            f"CREATE (:{':'.join(_name(label) for label in label_set)} {node_properties});\n"
        )
    edge_properties = _properties(*_converted(EDGE_TABLE.fields))
    match = (
        f"MATCH (source:{_name(NODE_LABEL)} {{id: row.{_name(':START_ID')}}}), "
        f"(target:{_name(NODE_LABEL)} {{id: row.{_name(':END_ID')}}})\n"
    )
    for type_ in types:
        yield (
            f"\nLOAD CSV WITH HEADERS FROM 'file:///{EDGES_FILE}' AS row\n"
            f"WITH row WHERE row.{_name(':TYPE')} = {_string(type_)}\n"
            f"{match}"
            f"CREATE (source)-[:{_name(type_)} {edge_properties}]->(target);\n"
        )


def _converted(fields: tuple[Field, ...]) -> Iterator[tuple[str, str]]:
    for field in fields:
        value = _column(field.header)
        if field.type == "integer":
            value = f"toInteger({value})"
        elif field.type == "double":
            value = f"toFloat({value})"
        elif field.type == "list":
            value = f"split({value}, {_string(ARRAY_DELIMITER)})"
        yield field.name, value


def _properties(*pairs: tuple[str, str]) -> str:
    return "{" + ", ".join(f"{_name(key)}: {value}" for key, value in pairs) + "}"


def _column(header: str) -> str:
    return f"row.{_name(header)}"


def _name(name: str) -> str:
    """A Cypher name in backticks: a label, type or key may be a keyword (``CONTAINS``)."""
    return "`" + name.replace("`", "``") + "`"


def _string(value: str) -> str:
    """A Cypher string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
