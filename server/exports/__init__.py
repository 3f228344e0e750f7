"""Whole-graph downloads: GEXF 1.3 (Gephi), GraphML and JSON node-link, each streamed.

:data:`FORMATS` maps a format's name, which is also its file extension, to an
:class:`ExportFormat`; :mod:`server.exports.routes` serves them over HTTP. Every writer takes
a graph (usually a view from :func:`graph.subgraph.select`) and yields the document as UTF-8
chunks of about 64 KiB, holding one chunk at a time, never the whole document. The XML formats
use the edge keys as edge ids, which must then be unique in the graph, not only between the same
two nodes as networkx requires: the knowledge graph's are (:mod:`graph.validate` checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx

from server.exports import gexf, graphml, node_link

__all__ = ["FORMATS", "ExportFormat"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    media_type: str
    #: File extension, without the dot.
    extension: str
    #: Streams a graph as this format, in UTF-8 chunks.
    iter_bytes: Callable[[nx.MultiDiGraph[Any]], Iterator[bytes]]


FORMATS: Mapping[str, ExportFormat] = MappingProxyType(
    {
        export.name: export
        for export in (
            ExportFormat("gexf", gexf.MEDIA_TYPE, "gexf", gexf.iter_bytes),
            ExportFormat("graphml", graphml.MEDIA_TYPE, "graphml", graphml.iter_bytes),
            ExportFormat("json", node_link.MEDIA_TYPE, "json", node_link.iter_bytes),
        )
    }
)
