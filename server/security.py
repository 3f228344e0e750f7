"""Security headers: ``X-Content-Type-Options: nosniff`` on every response, and on HTML pages a
``Content-Security-Policy`` that lets them load only this service's own files.

The pages (the landing page, GraphiQL, the explorer) load scripts, stylesheets and data from
this origin alone, so the policy allows ``'self'`` and nothing else, plus:

- the inline scripts the service itself writes (GraphiQL's start-up script), each by its
  SHA-256, computed once when the app is built: any other inline script, injected or not, does
  not run;
- inline styles (``'unsafe-inline'`` for ``style-src``): the landing page and GraphiQL carry a
  ``<style>`` element and GraphiQL's editor adds more as it runs;
- ``data:`` images (the pages' empty icon, GraphiQL's icons);
- ``frame-ancestors 'none'``: no other site can frame a page (clickjacking); ``X-Frame-Options:
  DENY`` says the same to browsers too old for it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html.parser import HTMLParser

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def inline_scripts(page: str) -> list[str]:
    """The text of every ``<script>`` element of ``page`` that has no ``src``."""
    finder = _InlineScripts()
    finder.feed(page)
    finder.close()
    return finder.scripts


def content_security_policy(pages: Iterable[str]) -> str:
    """The policy for HTML ``pages``: this origin only, with their inline scripts by hash."""
    hashes = sorted(
        {
            "'sha256-"
            + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
            + "'"
            for page in pages
            for script in inline_scripts(page)
        }
    )
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """ASGI middleware: ``nosniff`` on every HTTP response, ``policy`` and ``X-Frame-Options``
    on those whose content type is HTML."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["x-content-type-options"] = "nosniff"
                if headers.get("content-type", "").startswith("text/html"):
                    headers["content-security-policy"] = self.policy
                    headers["x-frame-options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None
