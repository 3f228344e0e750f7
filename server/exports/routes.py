"""HTTP downloads of the graph: ``GET /export/graph.gexf``, ``.graphml``, ``.json``, ``.ttl``
and ``.jsonld``, and the Neo4j files ``/export/nodes.csv``, ``edges.csv`` and ``load.cypher``;
and of the sentence co-occurrence network: ``GET /export/cooccurrence.gexf`` (``.graphml``,
``.json``), of every document or, with ``document=ID``, of one (:mod:`graph.cooccurrence`).

The graph is read from ``request.app.state.graph``. Query parameters select part of it, with
the meaning :mod:`graph.subgraph` gives them:

- ``kind``: node kinds to keep (either case), repeated (``kind=character&kind=place``) or
  comma-separated;
- ``relation``: edge types to keep (relation types and participant roles), likewise;
- ``document``: the claims cited from these documents (ids), likewise;
- ``certainty``: the claims of these certainties (``stated``, ``hedged``, ``inferred``);
- ``isolated=keep``: with an edge filter, keep the nodes no kept edge joins too;
- ``center`` and ``radius``: the ego network of ``center`` (an id or any name the articles use;
  radius 1 when not given), up to the ``max_radius`` of the app's ``state.settings.limits``
  (of the default ``Limits`` when it has none);
- ``ids=numeric`` (GEXF only, on either network): nodes numbered 0, 1, 2 ..., each node's id
  kept as its ``slug``, for NetworKit's GEXF reader (:mod:`server.exports.gexf`).

Each is read and checked by :func:`graph.filters.parse_filter`, as GraphQL's and the command
line's are. A bad parameter is answered ``400`` with ``{"error": message, "parameter": name,
"value": value}``, and ``"known"``: the values it takes, where they can be listed; an unknown
format ``404``, a missing graph ``503``. The document itself is streamed
as an attachment named after the selection (``ballerina.gexf``, ``ballerina-ok-ju-r2.gexf``;
the Neo4j files keep their own names, which the script loads them by),
with a strong ETag and ``Cache-Control`` (:mod:`server.http_cache`); an ``If-None-Match`` naming
the tag is answered ``304`` without writing the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from graph.errors import SelectionError
from graph.filters import parse_filter
from graph.model import Document
from graph.subgraph import selected
from schema.limits import Limits
from server.exports import FORMATS, TABLES, ExportFormat, gexf
from server.http_cache import CACHE_CONTROL, answer_version, content_codings, etag, etag_matches

__all__ = ["ExportQuery", "InvalidParameter", "export_graph", "export_routes"]

FILE_STEM = "ballerina"
#: Each query parameter, and the argument of :func:`graph.filters.parse_filter` it is read into.
PARAMETERS: Mapping[str, str] = MappingProxyType(
    {
        "kind": "kinds",
        "relation": "relation_types",
        "document": "documents",
        "certainty": "certainty",
        "center": "center",
        "radius": "radius",
        "isolated": "keep_isolated",
    }
)
#: Parameters of how a document is written, not of what it holds.
WRITER_OPTIONS = ("ids",)
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


class InvalidParameter(ValueError):
    """A query parameter that cannot be read at all (unknown, repeated, not a number)."""

    def __init__(self, parameter: str, value: str, reason: str) -> None:
        super().__init__(parameter, value, reason)
        self.parameter = parameter
        self.value = value
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.parameter}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """The selection asked for by an export request's query string."""

    kinds: tuple[str, ...] | None = None
    relation_types: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None
    certainty: tuple[str, ...] | None = None
    center: str | None = None
    radius: int | None = None
    #: ``isolated=keep``: with an edge filter, keep the nodes no kept edge joins too.
    keep_isolated: bool = False
    #: ``ids=numeric``: GEXF nodes numbered, their ids kept as ``slug``.
    numeric_ids: bool = False

    @classmethod
    def parse(cls, params: QueryParams) -> ExportQuery:
        _check_names(params, (*PARAMETERS, *WRITER_OPTIONS))
        return cls(
            kinds=_list_parameter(params, "kind"),
            relation_types=_list_parameter(params, "relation"),
            documents=_list_parameter(params, "document"),
            certainty=_list_parameter(params, "certainty"),
            center=_single_parameter(params, "center"),
            radius=_radius(_single_parameter(params, "radius")),
            keep_isolated=_switch(params, "isolated", on="keep", off="drop"),
            numeric_ids=_switch(params, "ids", on="numeric", off="slug"),
        )

    def filename(self, extension: str) -> str:
        parts = [FILE_STEM]
        if self.center is not None:
            parts.append(_UNSAFE_IN_FILENAME.sub("_", self.center)[:60])
            parts.append(f"r{1 if self.radius is None else self.radius}")
        filters = (self.kinds, self.relation_types, self.documents, self.certainty)
        if any(f is not None for f in filters):
            parts.append("filtered")
        return "-".join(parts) + "." + extension


def export_routes() -> list[BaseRoute]:
    return [
        Route("/export/graph.{extension}", export_graph, methods=["GET"], name="export"),
        Route(
            "/export/cooccurrence.{extension}",
            export_cooccurrence,
            methods=["GET"],
            name="export-cooccurrence",
        ),
        # Last: it would take the two above too.
        Route("/export/{table}", export_graph, methods=["GET"], name="export-table"),
    ]


async def export_graph(request: Request) -> Response:
    if "table" in request.path_params:  # /export/nodes.csv
        requested = request.path_params["table"]
        export = TABLES.get(requested)
    else:
        requested = request.path_params["extension"]
        export = FORMATS.get(requested)
    if export is None:
        known = ", ".join([*sorted(FORMATS), *TABLES])
        return _error(404, f"no export format {requested!r} (known: {known})", "format", requested)
    ready = _graph_unless_answered(request, export)
    if isinstance(ready, Response):
        return ready
    graph, cache_headers = ready
    try:
        query = ExportQuery.parse(request.query_params)
        checked = parse_filter(
            graph.graph,
            kinds=query.kinds,
            relation_types=query.relation_types,
            documents=query.documents,
            certainty=query.certainty,
            center=query.center,
            radius=query.radius,
            keep_isolated=query.keep_isolated,
            names=graph.search.names,
            # A made-up graph without its documents: those its citations name.
            known_documents=getattr(graph, "documents", None),
            max_radius=_limits(request).max_radius,
        )
    except InvalidParameter as error:
        return _error(400, str(error), error.parameter, error.value)
    except SelectionError as error:
        parameter = next(
            (p for p, argument in PARAMETERS.items() if argument == error.parameter),
            error.parameter,
        )
        return _error(400, f"{parameter}: {error}", parameter, error.value, error.known)
    # The RDF formats quote the documents; a stand-in graph without them exports unlocated quotes.
    documents = getattr(graph, "documents", {})
    filename = export.file_name or query.filename(export.extension)
    chosen = selected(graph.graph, checked).graph
    return _stream(export, chosen, documents, query.numeric_ids, filename, cache_headers)


async def export_cooccurrence(request: Request) -> Response:
    """The sentence co-occurrence network, whole or of one ``document``, undirected and weighted
    by the sentences that mention both ends; ``ids=numeric`` as for the graph."""
    extension = request.path_params["extension"]
    export = FORMATS.get(extension)
    if export is None or export.needs_documents:
        known = ", ".join(sorted(n for n, f in FORMATS.items() if not f.needs_documents))
        return _error(404, f"no export format {extension!r} (known: {known})", "format", extension)
    ready = _graph_unless_answered(request, export)
    if isinstance(ready, Response):
        return ready
    graph, cache_headers = ready
    params = request.query_params
    document = None
    try:
        _check_names(params, ("document", *WRITER_OPTIONS))
        document = _single_parameter(params, "document")
        numeric_ids = _switch(params, "ids", on="numeric", off="slug")
        network = graph.cooccurrence_network(document)
    except InvalidParameter as error:
        return _error(400, str(error), error.parameter, error.value)
    except SelectionError as error:
        return _error(400, f"document: {error}", "document", document, error.known)
    stem = f"{FILE_STEM}-cooccurrence"
    if document is not None:
        stem += "-" + _UNSAFE_IN_FILENAME.sub("_", document)[:60]
    filename = f"{stem}.{export.extension}"
    return _stream(export, network.graph, {}, numeric_ids, filename, cache_headers)


def _graph_unless_answered(
    request: Request, export: ExportFormat
) -> Response | tuple[Any, dict[str, str]]:
    """The loaded graph and the answer's cache headers; or the answer already due: 503 while
    the graph is not loaded, 304 when ``If-None-Match`` names the tag (computed before any
    work: the same request would get the same export again, and a stream that broke part-way
    was chunked, so its client knows it is incomplete and keeps no tag of it)."""
    graph = getattr(request.app.state, "graph", None)
    if graph is None:
        return JSONResponse({"error": "the graph is not loaded yet"}, status_code=503)
    cache_headers = _cache_headers(request, answer_version(request.scope), export.media_type)
    tag = cache_headers.get("ETag")
    if tag is not None and etag_matches(request.headers.get("if-none-match"), (tag,)):
        # No Vary, as the 200 has none of its own: the app's CompressedPaths adds it to both.
        return Response(status_code=304, headers=cache_headers)
    return graph, cache_headers


def _stream(
    export: ExportFormat,
    G: nx.MultiDiGraph[Any] | nx.Graph[Any],
    documents: Mapping[str, Document],
    numeric_ids: bool,
    filename: str,
    cache_headers: dict[str, str],
) -> Response:
    if numeric_ids and export.name != "gexf":
        message = f"ids: numeric ids are for GEXF only, not {export.name}"
        return _error(400, message, "ids", "numeric")
    chunks = (
        gexf.iter_bytes(G, numeric_ids=True)  # type: ignore[arg-type]
        if numeric_ids
        else export.stream(G, documents)  # type: ignore[arg-type]
    )
    return StreamingResponse(
        chunks,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **cache_headers},
    )


def _check_names(params: QueryParams, known: tuple[str, ...]) -> None:
    for name in params:
        if name not in known:
            value = params[name]
            raise InvalidParameter(
                name, value, f"unknown parameter {name}={value!r} (known: {', '.join(known)})"
            )


def _cache_headers(request: Request, version: str | None, media_type: str) -> dict[str, str]:
    if version is None:  # a graph not built from seeds: nothing to tag it by
        return {}
    # A streamed answer is always compressed for a client that accepts gzip (GZipMiddleware
    # compresses every streamed body), so its coding is known before the first byte.
    coding = content_codings(request.headers.get("accept-encoding"))[-1]
    tag = etag(
        version,
        "GET",  # HEAD has the tag GET has
        request.url.path,
        request.scope["query_string"],
        media_type,
        coding,
    )
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL}


def _list_parameter(params: QueryParams, name: str) -> tuple[str, ...] | None:
    values = [v.strip() for raw in params.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    return tuple(dict.fromkeys(values)) if values else None


def _single_parameter(params: QueryParams, name: str) -> str | None:
    values = [v.strip() for v in params.getlist(name) if v.strip()]
    if len(values) > 1:
        joined = ",".join(values)
        raise InvalidParameter(name, joined, f"given more than once: {joined!r}")
    return values[0] if values else None


def _radius(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidParameter("radius", raw, f"not an integer: {raw!r}") from None


def _limits(request: Request) -> Limits:
    settings = getattr(request.app.state, "settings", None)
    limits = getattr(settings, "limits", None)
    return limits if isinstance(limits, Limits) else Limits()


def _error(
    status: int, message: str, parameter: str, value: object, known: tuple[str, ...] = ()
) -> JSONResponse:
    body: dict[str, object] = {"error": message, "parameter": parameter, "value": value}
    if known:
        body["known"] = list(known)
    return JSONResponse(body, status_code=status)


def _switch(params: QueryParams, name: str, *, on: str, off: str) -> bool:
    """A parameter of two words: true for ``on``, false for ``off`` or when not given."""
    value = _single_parameter(params, name)
    if value is None or value == off:
        return False
    if value == on:
        return True
    raise InvalidParameter(name, value, f"{name} must be {on} or {off}, not {value!r}")
