"""Security headers (server/security.py): ``nosniff`` everywhere; on the HTML pages a
Content-Security-Policy under which they still work (tests/test_graphiql_browser.py and
tests/test_explore_browser.py fail on any violation it reports) and which a real Chromium
enforces: no inline script but the service's own, no framing."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import REPO_ROOT, live_server

HTML = {"accept": "text/html"}
PAGES = ["/", "/graphql", "/explore"]


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_carry_a_same_origin_policy_and_refuse_framing(client, path):
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    policy = _directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    scripts = policy["script-src"]
    assert scripts[0] == "'self'"
    assert all(source.startswith("'sha256-") for source in scripts[1:]), scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    for directive in ("connect-src", "img-src", "style-src", "font-src"):
        assert not any(s.startswith(("http", "*")) for s in policy[directive]), policy


def test_the_only_inline_script_allowed_is_graphiqls(client):
    page = client.get("/graphql", headers=HTML)
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    allowed = _directives(page.headers["content-security-policy"])["script-src"]
    assert allowed == ["'self'", f"'sha256-{digest}'"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/healthz", {}),
        ("POST", "/graphql", {"json": {"query": "{ __typename }"}}),
        ("GET", "/export/graph.json", {}),
        ("GET", "/nowhere", {}),
    ],
)
def test_every_response_says_nosniff_and_only_html_carries_the_policy(client, method, path, kwargs):
    response = client.request(method, path, **kwargs)
    assert response.headers["x-content-type-options"] == "nosniff"
    if not response.headers.get("content-type", "").startswith("text/html"):
        assert "content-security-policy" not in response.headers


@pytest.mark.browser
def test_chromium_enforces_the_policy_on_the_graphiql_page():
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: `make system-deps` installs chromium"
    log = REPO_ROOT / "tests" / "artifacts" / "csp_server.log"
    with (
        live_server("server.app:create_app", log_path=log) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda m: m.type == "error" and violations.append(m.text))
            page.goto(f"{base_url}/graphql", wait_until="networkidle")
            page.locator(".graphiql-container").wait_for(state="visible", timeout=15_000)
            assert not violations, violations  # GraphiQL itself runs under the policy

            # An inline script the service did not write (as an injection would add it).
            with contextlib.suppress(PlaywrightError):  # Playwright may report the refusal
                page.add_script_tag(content="window.injected = true;")
            assert page.evaluate("window.injected === undefined")
            assert any("Content Security Policy" in v for v in violations), violations

            # Framed, even by a page of the same origin: the browser shows an error instead.
            page.goto(f"{base_url}/healthz")
            page.evaluate(
                """url => new Promise(done => {
                    const frame = document.createElement("iframe");
                    frame.onload = () => done();
                    frame.src = url;
                    document.body.appendChild(frame);
                })""",
                f"{base_url}/graphql",
            )
            # An error page of another origin, not GraphiQL's document.
            assert page.evaluate("document.querySelector('iframe').contentDocument === null")
        finally:
            browser.close()
