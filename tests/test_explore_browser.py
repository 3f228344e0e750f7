"""The explorer at /explore in a real headless Chromium against a real server: the whole graph is
drawn from the service alone, a click on a node shows its evidence, search finds nodes, disputed
relations are marked, the filters hide what they say and the timeline lights up each event.

Every expectation is asked of /graphql, so the tests follow the data rather than repeat it.
Screenshots go to tests/artifacts/explore-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import REPO_ROOT, live_server

pytestmark = pytest.mark.browser

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
APP_FACTORY = "server.app:create_app"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
VIEWPORT = {"width": 1500, "height": 920}


class Watch:
    """Console errors, uncaught exceptions, failed requests and requests that left the machine."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.urls: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request: Request) -> None:
        self.urls.append(request.url)
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.foreign, self.foreign
        assert not self.failed, self.failed


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(APP_FACTORY, log_path=ARTIFACTS / "explore_server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: `make system-deps` installs chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def ask(base_url: str):
    """Ask the live service a GraphQL question, as the page does; return ``data``."""
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as client:

        def run(query: str, **variables: object) -> dict:
            response = client.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body["errors"]
            return body["data"]

        yield run


class Explorer:
    """The page at /explore, loaded and drawn, with what the tests do to it."""

    def __init__(self, page: Page, watch: Watch) -> None:
        self.page = page
        self.watch = watch

    def evaluate(self, expression: str, argument: object = None) -> object:
        return self.page.evaluate(expression, argument)

    def highlighted(self) -> set[str]:
        return set(self.evaluate("window.explorer.highlightedNodes()"))

    def visible(self) -> set[str]:
        return set(self.evaluate("window.explorer.visibleNodes()"))

    def click_node(self, node_id: str) -> None:
        """Click where the renderer draws the node, as a person would."""
        where = self.evaluate("(id) => window.explorer.viewportPosition(id)", node_id)
        assert where is not None, f"{node_id} is not drawn"
        box = self.page.locator("#graph").bounding_box()
        assert box is not None
        self.page.mouse.click(box["x"] + where["x"], box["y"] + where["y"])
        # Move off the node: hovering would otherwise keep its neighbourhood in focus.
        self.page.mouse.move(5, 5)

    def details(self, node_id: str):
        panel = self.page.locator(f"#panel .node-details[data-node-id='{node_id}']")
        panel.wait_for(timeout=10_000)
        return panel

    def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / f"explore-{name}.png"
        self.page.wait_for_timeout(400)  # let camera moves and the last frame settle
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def explorer(browser: Browser, base_url: str) -> Iterator[Explorer]:
    page = browser.new_page(viewport=VIEWPORT)
    watch = Watch(page)
    try:
        page.goto(f"{base_url}/explore", wait_until="networkidle")
        page.locator("body[data-ready='true']").wait_for(state="attached", timeout=20_000)
        yield Explorer(page, watch)
        watch.assert_clean()
    finally:
        page.close()


def test_the_whole_graph_is_drawn_from_the_service_alone(explorer: Explorer, ask) -> None:
    stats = ask("{ stats { nodeCount edgeCount byKind { kind count } } }")["stats"]
    assert stats["nodeCount"] == 115  # the committed graph; the rest follows the API

    assert explorer.evaluate("window.explorer.nodeCount") == stats["nodeCount"]
    assert explorer.evaluate("window.explorer.edgeCount") == stats["edgeCount"]
    graph = explorer.page.locator("#graph")
    assert graph.get_attribute("data-node-count") == str(stats["nodeCount"])
    assert len(explorer.visible()) == stats["nodeCount"]
    # sigma draws into canvases (WebGL for nodes and edges, 2D for labels and disputed edges)
    assert graph.locator("canvas").count() >= 4

    # The legend: one row per kind, with the API's counts.
    legend = {
        row.locator("input").get_attribute("value"): int(row.locator(".count").inner_text())
        for row in explorer.page.locator("#kind-filter li").all()
    }
    assert legend == {entry["kind"].lower(): entry["count"] for entry in stats["byKind"]}

    # The libraries came from this service, and every answer from /graphql.
    paths = [urlsplit(url).path for url in explorer.watch.urls]
    assert "/explore/lib/sigma.min.js" in paths
    assert "/explore/lib/graphology.umd.min.js" in paths
    assert {path for path in paths if not path.startswith("/explore")} == {"/graphql"}
    explorer.screenshot("overview")


def test_only_the_page_and_the_listed_library_files_are_served(base_url: str) -> None:
    with httpx.Client(base_url=base_url, trust_env=False, timeout=10.0) as client:
        for path in (
            "/explore",
            "/explore/assets/main.js",
            "/explore/lib/sigma.min.js",
            "/explore/lib/graphology.umd.min.js",
        ):
            assert client.get(path).status_code == 200, path
        for path in (
            "/explore/lib/sigma.cjs.js",
            "/explore/lib/sigma/dist/sigma.min.js",
            "/explore/lib/package.json",
            "/explore/lib/%2e%2e/%2e%2e/package.json",
        ):
            assert client.get(path).status_code == 404, path


def test_clicking_a_node_shows_its_citations(explorer: Explorer, ask) -> None:
    node = ask(
        """query ($id: String!) { entity(name: $id) { name description aliases
             citations { quote document { title } } } }""",
        id="choi-pro",
    )["entity"]

    explorer.click_node("choi-pro")
    details = explorer.details("choi-pro")
    assert details.locator("h2").inner_text() == node["name"]
    assert node["description"] in details.inner_text()
    for alias in set(node["aliases"]) - {node["name"]}:
        assert alias in details.locator(".aliases").inner_text()

    citations = details.locator(".citations .citation")
    assert citations.count() == len(node["citations"])
    for shown, cited in zip(citations.all(), node["citations"], strict=True):
        assert shown.locator("mark").inner_text() == cited["quote"]
        # the quote sits in the text around it, and the document is named
        assert len(shown.locator("blockquote").inner_text()) > len(cited["quote"])
        assert shown.locator("cite").inner_text() == cited["document"]["title"]

    assert "choi-pro" in explorer.highlighted()
    explorer.screenshot("node")


def test_what_the_articles_only_hedge_or_the_annotation_infers_is_badged(
    explorer: Explorer, ask
) -> None:
    node = ask(
        """query ($id: String!) { entity(name: $id) { certainty
             relations { id certainty certaintyReason } } }""",
        id="fish-capsules",
    )["entity"]
    unsure = {r["id"]: r for r in node["relations"] if r["certainty"] != "STATED"}
    assert node["certainty"] == "HEDGED" and unsure

    explorer.click_node("fish-capsules")
    details = explorer.details("fish-capsules")
    # (the badge's CSS shows it in capitals; its text is the word)
    assert details.locator(".description .badge.certainty").text_content() == "hedged"
    for relation_id, relation in unsure.items():
        badge = details.locator(f'[data-relation-id="{relation_id}"] .badge.certainty')
        assert badge.text_content() == relation["certainty"].lower()
        assert badge.get_attribute("title")
    stated = [r["id"] for r in node["relations"] if r["certainty"] == "STATED"]
    for relation_id in stated:
        assert details.locator(f'[data-relation-id="{relation_id}"] .badge.certainty').count() == 0
    explorer.screenshot("hedged")


def test_search_finds_a_node_by_a_misspelt_alias(explorer: Explorer, ask) -> None:
    best = ask('{ search(text: "lamborgini", first: 1) { node { id name } } }')["search"][0]
    search = explorer.page.locator("#search")
    search.fill("lamborgini")
    option = explorer.page.locator(f"#search-results li[data-node-id='{best['node']['id']}']")
    option.wait_for(timeout=10_000)
    explorer.screenshot("search")
    search.press("Enter")
    details = explorer.details(best["node"]["id"])
    assert details.locator("h2").inner_text() == best["node"]["name"]


def test_search_offers_the_sentences_that_answer_below_the_names(explorer: Explorer, ask) -> None:
    text = "who helped Ok-ju escape the hotel"
    best = ask(
        "query($t: String!) { passages(text: $t, first: 1) { text document { id } "
        "mentions { id name } } }",
        t=text,
    )["passages"][0]
    search = explorer.page.locator("#search")
    search.fill(text)
    sentence = explorer.page.locator("#search-results li[data-passage-document]").first
    sentence.wait_for(timeout=10_000)
    assert sentence.get_attribute("data-passage-document") == best["document"]["id"]
    assert best["text"][:60] in sentence.inner_text()
    # Below the names: every node row comes before the first sentence.
    rows = explorer.page.locator("#search-results li[data-option]")
    kinds = ["node" if r.get_attribute("data-node-id") else "passage" for r in rows.all()]
    assert "passage" in kinds and "node" not in kinds[kinds.index("passage") :]
    explorer.screenshot("search-passages")
    sentence.dispatch_event("mousedown")
    opened = best["mentions"][0]
    details = explorer.details(opened["id"])
    assert details.locator("h2").inner_text() == opened["name"]


def test_disputed_relations_are_marked_with_their_question_and_claim(
    explorer: Explorer, ask
) -> None:
    node = ask(
        """{ entity(name: "myung-shik") { relations { id disputed
             dispute { question } claim { statement } } } }"""
    )["entity"]
    disputed = [relation for relation in node["relations"] if relation["disputed"]]
    assert disputed, "the committed graph has disputed relations of Myung-shik"

    explorer.click_node("myung-shik")
    details = explorer.details("myung-shik")
    assert details.locator(".dispute-note .badge.disputed").is_visible()
    for relation in disputed:
        item = details.locator(f"li.relation[data-relation-id='{relation['id']}']")
        assert "disputed" in (item.get_attribute("class") or "").split()
        assert item.locator(".badge.disputed").inner_text().lower() == "disputed"
        assert item.locator(".question").inner_text() == relation["dispute"]["question"]
        assert relation["claim"]["statement"] in item.locator(".claim").inner_text()
    undisputed = len(node["relations"]) - len(disputed)
    assert details.locator("li.relation:not(.disputed)").count() == undisputed
    details.locator("li.relation.disputed").first.evaluate(
        "item => item.scrollIntoView({ block: 'center' })"
    )
    explorer.screenshot("dispute")


def test_filters_hide_kinds_and_relation_types(explorer: Explorer, ask) -> None:
    stats = ask("{ stats { nodeCount byKind { kind count } } }")["stats"]
    events = next(entry["count"] for entry in stats["byKind"] if entry["kind"] == "EVENT")

    explorer.page.locator("#kind-filter input[value='event']").uncheck()
    assert len(explorer.visible()) == stats["nodeCount"] - events
    explorer.page.locator("#kind-filter input[value='event']").check()
    assert len(explorer.visible()) == stats["nodeCount"]

    stats = ask("{ stats { edgeCount } }")["stats"]
    drawn = "window.explorer.drawnEdges().length"
    assert explorer.evaluate(drawn) == stats["edgeCount"]
    for relation_type in ("kills", "instrument"):  # one undisputed, one with disputed edges
        explorer.page.locator(f"#type-filter input[value='{relation_type}']").uncheck()
    both = ask('{ relations(types: ["kills", "instrument"]) { totalCount } }')["relations"]
    assert explorer.evaluate(drawn) == stats["edgeCount"] - both["totalCount"]
    explorer.page.locator("#type-filter button", has_text="none").first.click()
    explorer.screenshot("filtered")


def test_the_timeline_steps_through_the_story_and_lights_up_participants(
    explorer: Explorer, ask
) -> None:
    steps = """{ story: timeline(order: STORY) { id participants { node { id } } }
                 film: timeline(order: NARRATIVE) { id participants { node { id } } } }"""
    orders = ask(steps)
    timeline = explorer.page.locator("#timeline")
    assert explorer.highlighted() == set()

    def expect(event: dict) -> None:
        explorer.page.locator(f"#timeline[data-event-id='{event['id']}']").wait_for(timeout=5_000)
        participants = {taking_part["node"]["id"] for taking_part in event["participants"]}
        assert explorer.highlighted() == {event["id"]} | participants
        shown = timeline.locator(".participants li").evaluate_all(
            "items => items.map(item => item.dataset.nodeId)"
        )
        assert set(shown) == participants

    next_button = explorer.page.locator("#timeline-next")
    next_button.click()
    expect(orders["story"][0])
    next_button.click()
    expect(orders["story"][1])
    explorer.page.locator("#timeline-slider").fill(str(len(orders["story"])))
    expect(orders["story"][-1])
    explorer.screenshot("timeline-story")

    # The film tells it otherwise: switching order keeps the event if the film shows it.
    explorer.page.locator("[data-order='film']").click()
    film = orders["film"]
    last = orders["story"][-1]["id"]
    at = next((index for index, event in enumerate(film) if event["id"] == last), 0)
    expect(film[at])
    explorer.page.locator("#timeline-first").click()
    expect(film[0])
    next_button.click()
    expect(film[1])
    # The event's name opens it, with its evidence, in the panel.
    timeline.locator(".event-name").click()
    explorer.details(film[1]["id"])
    explorer.screenshot("timeline-film")

    explorer.page.locator("#timeline-clear").click()
    assert explorer.highlighted() == {film[1]["id"]}  # only the node open in the panel
