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

import os
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["LIBRARY_FILES", "PAGE_DIR", "MissingLibraries", "explore_routes"]

#: The page's own files: ``index.html`` and the assets it loads.
PAGE_DIR = Path(__file__).resolve().parent / "static" / "explore"

#: The library files the page loads: the name it asks for, and the path inside node_modules.
#: Both are the packages' own browser (UMD) builds, defining ``graphology`` and ``Sigma``.
LIBRARY_FILES: Mapping[str, str] = {
    "graphology.umd.min.js": "graphology/dist/graphology.umd.min.js",
    "sigma.min.js": "sigma/dist/sigma.min.js",
}

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


class MissingLibraries(RuntimeError):
    """The npm packages the explorer draws with are not installed."""

    def __init__(self, missing: list[Path]) -> None:
        shown = ", ".join(str(path) for path in missing)
        super().__init__(f"explorer libraries not found ({shown}): run `npm ci` at the repo root")
        self.missing = missing


class NamedFiles(StaticFiles):
    """StaticFiles serving a fixed set of files, each under a name of its own; 404 otherwise.

    It keeps what StaticFiles does well (ETag, Last-Modified, 304, HEAD, ranges) without
    exposing the folder the files happen to live in.
    """

    def __init__(self, files: Mapping[str, Path]) -> None:
        super().__init__()
        self._files = dict(files)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        file = self._files.get(path)
        if file is None:
            return "", None
        try:
            return str(file), file.stat()
        except FileNotFoundError:
            return "", None


def explore_routes(node_modules: Path | None = None) -> list[BaseRoute]:
    """The page at ``/explore``, its assets under ``/explore/assets/`` and the libraries under
    ``/explore/lib/``.

    Raises ``MissingLibraries`` at start-up, not at the first page load, when sigma.js or
    graphology is not installed.
    """
    directory = NODE_MODULES if node_modules is None else node_modules
    libraries = {name: directory / path for name, path in LIBRARY_FILES.items()}
    missing = [path for path in libraries.values() if not path.is_file()]
    if missing:
        raise MissingLibraries(missing)
    page = (PAGE_DIR / "index.html").read_bytes()

    async def explore_page(request: Request) -> Response:
        return HTMLResponse(page)

    return [
        Route("/explore", explore_page, methods=["GET", "HEAD"], name="explore"),
        Mount("/explore/lib", app=NamedFiles(libraries), name="explore-lib"),
        Mount("/explore/assets", app=StaticFiles(directory=PAGE_DIR), name="explore-assets"),
    ]
