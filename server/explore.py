"""The visual explorer at ``/explore``: the whole graph drawn in the browser, with the evidence
for every node and relation one click away.

The page is static: its HTML, stylesheet and scripts live in ``server/static/explore/`` and
fetch everything they show from ``/graphql``, so the explorer cannot see anything the API does
not answer. The drawing libraries, sigma.js and graphology, come from the npm packages pinned
in ``package.json`` (``npm ci`` installs them) and are served from ``node_modules`` under short
names; nothing else in ``node_modules`` is reachable::

    app = Starlette(routes=[Route("/graphql", endpoint), *explore_routes()])
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.assets import NamedFiles

__all__ = ["LIBRARY_FILES", "PAGE_DIR", "explore_routes"]

#: The page's own files: ``index.html`` and the assets it loads.
PAGE_DIR = Path(__file__).resolve().parent / "static" / "explore"

#: The library files the page loads: the name it asks for, and the path inside node_modules.
#: Both are the packages' own browser (UMD) builds, defining ``graphology`` and ``Sigma``.
LIBRARY_FILES: Mapping[str, str] = {
    "graphology.umd.min.js": "graphology/dist/graphology.umd.min.js",
    "sigma.min.js": "sigma/dist/sigma.min.js",
}

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def explore_routes(node_modules: Path | None = None) -> list[BaseRoute]:
    """The page at ``/explore``, its assets under ``/explore/assets/`` and the libraries under
    ``/explore/lib/``.

    Raises :class:`server.assets.MissingFiles` at start-up, not at the first page load, when
    sigma.js or graphology is not installed.
    """
    directory = NODE_MODULES if node_modules is None else node_modules
    libraries = NamedFiles.of(directory, LIBRARY_FILES, "explorer libraries")
    page = (PAGE_DIR / "index.html").read_bytes()

    async def explore_page(request: Request) -> Response:
        return HTMLResponse(page)

    return [
        Route("/explore", explore_page, methods=["GET", "HEAD"], name="explore"),
        Mount("/explore/lib", app=libraries, name="explore-lib"),
        Mount("/explore/assets", app=StaticFiles(directory=PAGE_DIR), name="explore-assets"),
    ]
