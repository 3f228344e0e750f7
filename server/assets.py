"""Serving a fixed set of files, each under a name of its own, and nothing else.

The GraphiQL page and the explorer load scripts from npm packages installed in ``node_modules``
(and the explorer its own files); :class:`NamedFiles` serves exactly those, so that nothing
else in the folders they live in is reachable::

    sigma = NamedFiles.of(NODE_MODULES, {"sigma.min.js": "sigma/dist/sigma.min.js"}, "sigma.js")
    Mount("/explore/lib", app=sigma)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from starlette.staticfiles import StaticFiles

__all__ = ["MissingFiles", "NamedFiles"]


class MissingFiles(RuntimeError):
    """Files a page needs are not installed."""

    def __init__(self, what: str, missing: list[Path]) -> None:
        shown = ", ".join(str(path) for path in missing)
        super().__init__(f"{what} not found ({shown}): run `npm ci` at the repo root")
        self.missing = missing


class NamedFiles(StaticFiles):
    """StaticFiles serving each of ``files`` under its name (a URL path below the mount); 404
    for every other name.

    It keeps what StaticFiles does well (ETag, Last-Modified, 304, HEAD, ranges) without
    exposing the folders the files happen to live in.
    """

    def __init__(self, files: Mapping[str, Path]) -> None:
        super().__init__()
        # StaticFiles hands lookup_path the URL path normalised for the platform.
        self._files = {os.path.normpath(name): path for name, path in files.items()}

    @classmethod
    def of(cls, directory: Path, files: Mapping[str, str], what: str) -> NamedFiles:
        """``files`` (name -> path inside ``directory``), checked now: :class:`MissingFiles`
        names every one that is not there, at start-up rather than at the first page load."""
        paths = {name: directory / path for name, path in files.items()}
        missing = [path for path in paths.values() if not path.is_file()]
        if missing:
            raise MissingFiles(what, missing)
        return cls(paths)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        file = self._files.get(path)
        if file is None:
            return "", None
        try:
            return str(file), file.stat()
        except FileNotFoundError:
            return "", None
