"""Whole-graph downloads: GEXF 1.3 (Gephi), GraphML, JSON node-link, Turtle, JSON-LD, and the
node and edge tables of Neo4j's bulk importer with a ``LOAD CSV`` script, each streamed.

:data:`FORMATS` maps a format's name, which is also its file extension, to an
:class:`ExportFormat` (one file, ``/export/graph.<extension>``); :data:`TABLES` holds the files
of the ``csv`` format, which name each other and so keep fixed names (``/export/nodes.csv``,
``edges.csv``, ``load.cypher``). :mod:`server.exports.routes` serves them over HTTP. Every
writer takes a graph (usually a view from :func:`graph.subgraph.select`), and the RDF ones the
seed documents too, and yields the document as UTF-8 chunks of about 64 KiB, holding one chunk
at a time, never the whole document. The XML formats
use the edge keys as edge ids, which must then be unique in the graph, not only between the same
two nodes as networkx requires: the knowledge graph's are (:mod:`graph.validate` checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx

from graph.model import Document
from server.exports import cypher, gexf, graphml, jsonld, neo4j_csv, node_link, turtle

__all__ = ["FORMATS", "TABLES", "ExportFormat"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    media_type: str
    #: File extension, without the dot.
    extension: str
    #: Streams a graph as this format, in UTF-8 chunks: ``iter_bytes(graph)``, or
    #: ``iter_bytes(graph, documents)`` where ``needs_documents``.
    iter_bytes: Callable[..., Iterator[bytes]]
    #: The RDF formats quote the seed documents and locate the quotes in them.
    needs_documents: bool = False
    #: A fixed file name, for files that others name (``load.cypher`` loads ``nodes.csv``).
    file_name: str | None = None

    def stream(
        self, graph: nx.MultiDiGraph[Any], documents: Mapping[str, Document]
    ) -> Iterator[bytes]:
        """The export of ``graph`` (``documents``: the seed documents, by id)."""
        if self.needs_documents:
            return self.iter_bytes(graph, documents)
        return self.iter_bytes(graph)


FORMATS: Mapping[str, ExportFormat] = MappingProxyType(
    {
        export.name: export
        for export in (
            ExportFormat("gexf", gexf.MEDIA_TYPE, "gexf", gexf.iter_bytes),
            ExportFormat("graphml", graphml.MEDIA_TYPE, "graphml", graphml.iter_bytes),
            ExportFormat("json", node_link.MEDIA_TYPE, "json", node_link.iter_bytes),
            ExportFormat("ttl", turtle.MEDIA_TYPE, "ttl", turtle.iter_bytes, True),
            ExportFormat("jsonld", jsonld.MEDIA_TYPE, "jsonld", jsonld.iter_bytes, True),
        )
    }
)


def _table(
    file_name: str, media_type: str, iter_bytes: Callable[..., Iterator[bytes]]
) -> ExportFormat:
    extension = file_name.rpartition(".")[2]
    return ExportFormat(file_name, media_type, extension, iter_bytes, file_name=file_name)


#: The files of the ``csv`` format, by their fixed names: Neo4j's bulk-import tables and the
#: ``LOAD CSV`` script that reads them under those names.
TABLES: Mapping[str, ExportFormat] = MappingProxyType(
    {
        table.name: table
        for table in (
            _table(cypher.NODES_FILE, neo4j_csv.MEDIA_TYPE, neo4j_csv.iter_nodes),
            _table(cypher.EDGES_FILE, neo4j_csv.MEDIA_TYPE, neo4j_csv.iter_edges),
            _table(cypher.SCRIPT_FILE, cypher.MEDIA_TYPE, cypher.iter_bytes),
        )
    }
)
