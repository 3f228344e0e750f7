"""GraphiQL in a real headless Chromium against a real server: it loads from this service alone,
runs an example operation and shows the answer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import REPO_ROOT, live_server

pytestmark = pytest.mark.browser

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
SCREENSHOT = ARTIFACTS / "graphiql.png"

#: The real service, one of its example operations, and text its answer must show.
APP_FACTORY = "server.app:create_app"
OPERATION = "EvidenceOkJuBurnsChoi"
EXPECTED_ANSWER = '"name": "Ok-ju burns Choi alive"'

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class PageWatch:
    """What a page did that a person would not want: errors in its console, requests that left
    the machine, requests that failed."""

    def __init__(self, page: Page) -> None:
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.failed_requests.append(f"{r.url} {r.failure}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.hostname not in LOCAL_HOSTS:
            self.foreign_requests.append(request.url)


def run_operation(page: Page, name: str) -> None:
    """Press GraphiQL's run button; with several operations in the editor, pick ``name``."""
    page.locator(".graphiql-execute-button").click()
    choice = page.get_by_role("menuitem", name=name)
    try:
        choice.wait_for(state="visible", timeout=3_000)
    except PlaywrightTimeoutError:
        return  # a single operation: the button ran it directly
    choice.click()


def test_graphiql_loads_locally_and_runs_an_example_query() -> None:
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: `make system-deps` installs chromium"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (
        live_server(APP_FACTORY, log_path=ARTIFACTS / "browser_server.log") as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            watch = PageWatch(page)
            page.goto(f"{base_url}/graphql", wait_until="networkidle")

            # GraphiQL rendered, opened on the example document and fetched the schema.
            page.locator(".graphiql-container").wait_for(state="visible", timeout=15_000)
            editor = page.locator(".graphiql-query-editor")
            editor.get_by_text(f"query {OPERATION}").wait_for(timeout=15_000)

            with page.expect_response(
                lambda r: (
                    r.url.startswith(f"{base_url}/graphql")
                    and r.request.method == "POST"
                    and OPERATION in (r.request.post_data or "")
                )
            ) as answer:
                run_operation(page, OPERATION)
            assert answer.value.status == 200
            result = page.locator(".result-window")
            result.get_by_text("Ok-ju burns Choi alive").wait_for(timeout=15_000)
            page.screenshot(path=str(SCREENSHOT), full_page=True)

            shown = result.inner_text()
            assert EXPECTED_ANSWER in " ".join(shown.split()), shown
            assert not watch.console_errors, watch.console_errors
            assert not watch.foreign_requests, watch.foreign_requests
            assert not watch.failed_requests, watch.failed_requests
        finally:
            browser.close()
