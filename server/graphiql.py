"""The GraphiQL page, with GraphiQL and React served by this service rather than from a CDN.

The scripts come from the npm packages pinned in ``package.json`` and installed by ``npm ci``
into ``node_modules/`` (``make setup`` does it). ``graphiql_assets()`` serves exactly the files
the page loads, under ``ASSET_PREFIX``, and nothing else from ``node_modules``::

    app = Starlette(routes=[Route("/graphql", endpoint), graphiql_assets()])
    page = graphiql_page("/graphql", EXAMPLES, "Ballerina knowledge graph", ASSET_PREFIX)
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.routing import Mount

from server.assets import NamedFiles

__all__ = ["ASSET_FILES", "ASSET_PREFIX", "graphiql_assets", "graphiql_page"]

#: Where ``graphiql_assets()`` is mounted unless told otherwise.
ASSET_PREFIX = "/static/graphiql"

#: The files the page loads, as paths inside ``node_modules`` (and under the asset prefix).
ASSET_FILES = {
    "react": "react/umd/react.production.min.js",
    "react-dom": "react-dom/umd/react-dom.production.min.js",
    "graphiql": "graphiql/graphiql.min.js",
    "graphiql-css": "graphiql/graphiql.min.css",
}

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def graphiql_assets(node_modules: Path | None = None, path: str = ASSET_PREFIX) -> Mount:
    """A mount serving the page's scripts and stylesheet from ``node_modules``.

    Raises :class:`server.assets.MissingFiles` at start-up, not at the first page load, when
    they are missing.
    """
    directory = NODE_MODULES if node_modules is None else node_modules
    # Each file under its own path inside node_modules, as the page asks for it.
    files = {name: name for name in ASSET_FILES.values()}
    assets = NamedFiles.of(directory, files, "GraphiQL assets")
    return Mount(path, app=assets, name="graphiql-assets")


def graphiql_page(
    endpoint: str, default_document: str, title: str, asset_prefix: str = ASSET_PREFIX
) -> str:
    """The HTML of a GraphiQL that talks to ``endpoint`` and opens on ``default_document``."""
    prefix = html.escape(asset_prefix.rstrip("/"), quote=True)
    config = _script_json({"endpoint": endpoint, "defaultDocument": default_document})
    return _PAGE.format(
        title=html.escape(title),
        react=f"{prefix}/{ASSET_FILES['react']}",
        react_dom=f"{prefix}/{ASSET_FILES['react-dom']}",
        graphiql=f"{prefix}/{ASSET_FILES['graphiql']}",
        graphiql_css=f"{prefix}/{ASSET_FILES['graphiql-css']}",
        config=config,
    )


def _script_json(value: object) -> str:
    # JSON inside <script>: escape what could close the element or open a comment in it.
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{graphiql_css}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script>
  const config = {config};
  const fetcher = GraphiQL.createFetcher({{ url: config.endpoint }});
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{
      fetcher: fetcher,
      defaultQuery: config.defaultDocument,
      defaultEditorToolsVisibility: false,
    }})
  );
</script>
</body>
</html>
"""
