"""Node and edge tables in the CSV header format of Neo4j's bulk importer, streamed.

``nodes.csv`` and ``edges.csv`` are what ``neo4j-admin database import full --nodes=nodes.csv
--relationships=edges.csv`` reads: the header names each column and its type (``id:ID``,
``:LABEL``, ``aliases:string[]``, ``pagerank:double``, ``:START_ID``, ``:END_ID``, ``:TYPE``;
a column without a type is a string). The properties are the typed columns of
:mod:`server.exports.columns` (those of GEXF and GraphML) plus each node's ``name`` and each
edge's ``key``:

- a node's labels are ``Node`` and its kind in CamelCase (``Node;Character``), so one
  uniqueness constraint on ``:Node(id)`` covers every node;
- a relationship's type is the relation type or participant role in upper case (``KILLS``,
  ``AGENT``); ``type`` and ``kind`` keep the graph's own spelling;
- ``:START_ID`` and ``:END_ID`` come first, so that embedded engines that read the columns by
  position (Kùzu's ``COPY FROM``) read the same file;
- arrays are joined with ``;``, the importer's default ``--array-delimiter``. The delimiter
  cannot be escaped, so a ``;`` inside an item is written as ``；`` (U+FF1B, the full-width
  semicolon): the item stays one item. ``None`` and values of the wrong type are empty fields,
  which the importer and ``LOAD CSV`` read as no property.

:data:`NODE_TABLE` and :data:`EDGE_TABLE` describe the columns; :mod:`server.exports.cypher`
writes the ``LOAD CSV`` script from the same description.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from server.exports.chunks import chunked
from server.exports.columns import EDGE_COLUMNS, NODE_COLUMNS, Column, ColumnType, Value

__all__ = [
    "ARRAY_DELIMITER",
    "EDGE_TABLE",
    "MEDIA_TYPE",
    "NODE_LABEL",
    "NODE_TABLE",
    "Field",
    "iter_edges",
    "iter_nodes",
    "labels",
    "relationship_type",
]

MEDIA_TYPE = "text/csv"
#: Neo4j's default ``--array-delimiter``.
ARRAY_DELIMITER = ";"
#: What a delimiter inside an array item becomes (the full-width semicolon).
DELIMITER_STAND_IN = "\uff1b"
#: The label every node has beside its kind's.
NODE_LABEL = "Node"

_SUFFIXES: Mapping[ColumnType, str] = {
    "string": "",
    "integer": ":long",
    "double": ":double",
    "list": ":string[]",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One property column: its header (``aliases:string[]``) and how its value is read."""

    column: Column

    @property
    def name(self) -> str:
        """The property's name (the header without its type)."""
        return self.column.name

    @property
    def type(self) -> ColumnType:
        return self.column.type

    @property
    def header(self) -> str:
        return self.column.name + _SUFFIXES[self.column.type]

    def cell(self, attrs: Mapping[str, Any]) -> str:
        return _cell(self.column.value(attrs))


@dataclass(frozen=True, slots=True)
class Table:
    #: The importer's own columns, before the properties (``id:ID``, ``:LABEL``...).
    keys: tuple[str, ...]
    fields: tuple[Field, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return (*self.keys, *(f.header for f in self.fields))


NODE_TABLE = Table(
    keys=("id:ID", ":LABEL"),
    fields=tuple(
        Field(column)
        for column in (Column("name", "string", lambda attrs: attrs.get("name")), *NODE_COLUMNS)
    ),
)
EDGE_TABLE = Table(
    keys=(":START_ID", ":END_ID", ":TYPE"),
    fields=(
        Field(Column("key", "string", lambda attrs: attrs.get("key"))),
        *(Field(column) for column in EDGE_COLUMNS),
    ),
)


def labels(attrs: Mapping[str, Any]) -> tuple[str, ...]:
    """A node's labels: :data:`NODE_LABEL` and its kind's (``object`` gives ``Object``)."""
    kind = attrs.get("kind")
    if not isinstance(kind, str) or not kind:
        return (NODE_LABEL,)
    return (NODE_LABEL, "".join(part.capitalize() for part in kind.replace("-", "_").split("_")))


def relationship_type(attrs: Mapping[str, Any]) -> str:
    """An edge's relationship type: its ``type`` in upper case (``located_in``: ``LOCATED_IN``)."""
    value = attrs.get("type")
    return value.upper() if isinstance(value, str) and value else "RELATED_TO"


def iter_nodes(G: nx.MultiDiGraph[Any]) -> Iterator[bytes]:
    """Stream ``nodes.csv``: one row per node of ``G``, in UTF-8 chunks."""
    return chunked(_lines(NODE_TABLE, _node_rows(G)))


def iter_edges(G: nx.MultiDiGraph[Any]) -> Iterator[bytes]:
    """Stream ``edges.csv``: one row per edge of ``G``, in UTF-8 chunks."""
    return chunked(_lines(EDGE_TABLE, _edge_rows(G)))


def _node_rows(G: nx.MultiDiGraph[Any]) -> Iterator[list[str]]:
    for node, attrs in G.nodes(data=True):
        row = [str(node), ARRAY_DELIMITER.join(labels(attrs))]
        row.extend(field.cell(attrs) for field in NODE_TABLE.fields)
        yield row


def _edge_rows(G: nx.MultiDiGraph[Any]) -> Iterator[list[str]]:
    for source, target, key, attrs in G.edges(keys=True, data=True):
        row = [str(source), str(target), relationship_type(attrs)]
        with_key = {**attrs, "key": key}
        row.extend(field.cell(with_key) for field in EDGE_TABLE.fields)
        yield row


def _lines(table: Table, rows: Iterable[list[str]]) -> Iterator[str]:
    # One writer over one small buffer, emptied after each row: the rows stream.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _with_header(table, rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _with_header(table: Table, rows: Iterable[list[str]]) -> Iterator[list[str]]:
    yield list(table.header)
    yield from rows


def _cell(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ARRAY_DELIMITER.join(
            item.replace(ARRAY_DELIMITER, DELIMITER_STAND_IN) for item in value
        )
    if isinstance(value, float):
        return repr(value)
    return str(value)
