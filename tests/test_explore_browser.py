"""The explorer at /explore in a real headless Chromium against a real server: the whole graph is
drawn from the service alone, a click on a node shows its evidence, search finds nodes, disputed
relations are marked, the filters hide what they say and the timeline lights up each event.

The same page is then tried on a phone, a tablet and a laptop screen: the graph gets a real size
and draws every node, nothing sticks out sideways, controls are big enough for a finger, and a
tap on a node or a search result brings its details into view.

Every expectation is asked of /graphql, so the tests follow the data rather than repeat it.
Screenshots go to tests/artifacts/explore-*.png (those per screen width are the README's, in docs/).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
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


def test_the_toggle_colours_the_nodes_by_community(explorer: Explorer, ask) -> None:
    data = ask(
        "{ communities { number size members(first: 1) { name } } "
        "subgraph(maxNodes: 300) { nodes { id community { number } } } "
        "vocabulary { kinds { name color } } }"
    )
    communities = data["communities"]
    assert len(communities) >= 2
    number_of = {n["id"]: n["community"]["number"] for n in data["subgraph"]["nodes"]}
    color = "(id) => window.explorer.nodeColor(id)"
    kind_colors = {kind["name"]: kind["color"] for kind in data["vocabulary"]["kinds"]}
    assert explorer.evaluate(color, "ok-ju") == kind_colors["character"]

    legend = explorer.page.locator("#community-legend")
    assert legend.is_hidden()
    explorer.page.locator("#colour-by [data-colour='community']").click()
    assert legend.is_visible()
    rows = legend.locator("li").all()
    assert [row.locator(".name").inner_text() for row in rows] == [
        c["members"][0]["name"] for c in communities
    ]
    assert [int(row.locator(".count").inner_text()) for row in rows] == [
        c["size"] for c in communities
    ]
    # Nodes of one community share its colour, the legend's swatch; other communities differ.
    colours = {node: explorer.evaluate(color, node) for node in number_of}
    by_community: dict[int, set[str]] = {}
    for node, number in number_of.items():
        by_community.setdefault(number, set()).add(colours[node])
    assert all(len(shades) == 1 for shades in by_community.values()), by_community
    assert len({next(iter(shades)) for shades in by_community.values()}) == len(by_community)
    swatch = rows[number_of["ok-ju"]].locator(".swatch")
    swatch_color = swatch.evaluate("(el) => el.style.getPropertyValue('--kind')")
    assert colours["ok-ju"] == swatch_color
    explorer.screenshot("communities")

    explorer.page.locator("#colour-by [data-colour='kind']").click()
    assert legend.is_hidden()
    assert explorer.evaluate(color, "ok-ju") == kind_colors["character"]


# On every screen: a phone (the narrowest in common use, and the one the issue was filed from),
# an upright tablet and a laptop. Phones and tablets get touch and the mobile viewport (the page's
# <meta viewport> counts, and a page too wide for the screen widens the layout viewport instead
# of scrolling, which is what hid the graph); their screenshots are taken at CSS scale.


@dataclass(frozen=True)
class Screen:
    width: int
    height: int
    touch: bool

    @property
    def name(self) -> str:
        return str(self.width)


SCREENS = [
    Screen(360, 740, touch=True),
    Screen(390, 844, touch=True),
    Screen(768, 1024, touch=True),
    Screen(1280, 800, touch=False),
]
DOCS = REPO_ROOT / "docs"
# Fingers: WCAG 2.5.8 asks 24px; the page gives every control at least this much on touch screens.
TOUCH_TARGET = 32

# Elements that stick out of the window sideways (which a phone shows as a page that scrolls or
# zooms out), and controls a finger can hardly hit; both as "tag.class text" for the message.
OUTSIDE_THE_WINDOW = """() => [...document.body.querySelectorAll('*')]
  .filter((element) => element.getClientRects().length > 0)
  .filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5);
  })
  .map((element) => `${element.tagName}.${element.className} ${element.textContent.slice(0, 30)}`)"""
SMALL_TARGETS = """(least) => [...document.querySelectorAll(
    'button, a[href], input, summary, #search-results li')]
  .filter((element) => element.getClientRects().length > 0)
  .map((element) => [element, (element.closest('label') ?? element).getBoundingClientRect()])
  .filter(([, box]) => box.width < least || box.height < least)
  .map(([element, box]) => `${element.tagName}.${element.className} "${
    (element.textContent || element.value || '').slice(0, 20)}" ${box.width}x${box.height}`)"""
# Count, in a PNG, the pixels of each colour (within a small tolerance, for antialiasing).
PIXELS_BY_COLOR = """async ({ png, colors }) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  const wanted = Object.entries(colors).map(([name, hex]) =>
    [name, [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16))]);
  const counts = Object.fromEntries(wanted.map(([name]) => [name, 0]));
  for (let at = 0; at < data.length; at += 4) {
    for (const [name, rgb] of wanted) {
      if (rgb.every((value, channel) => Math.abs(data[at + channel] - value) <= 3)) counts[name]++;
    }
  }
  return counts;
}"""


@pytest.fixture(params=SCREENS, ids=lambda screen: screen.name)
def on_screen(request, browser: Browser, base_url: str) -> Iterator[tuple[Explorer, Screen]]:
    screen: Screen = request.param
    page = browser.new_page(
        viewport={"width": screen.width, "height": screen.height},
        is_mobile=screen.touch,
        has_touch=screen.touch,
        device_scale_factor=2 if screen.touch else 1,
    )
    watch = Watch(page)
    try:
        page.goto(f"{base_url}/explore", wait_until="networkidle")
        # At 390px the page once stayed on "Loading the graph…" here: sigma found no width.
        page.locator("body[data-ready='true']").wait_for(state="attached", timeout=20_000)
        yield Explorer(page, watch), screen
        watch.assert_clean()
    finally:
        page.close()


def tap(explorer: Explorer, screen: Screen, x: float, y: float) -> None:
    if screen.touch:
        explorer.page.touchscreen.tap(x, y)
    else:
        explorer.page.mouse.click(x, y)
        explorer.page.mouse.move(5, 5)


def assert_fits_the_window(explorer: Explorer, screen: Screen) -> None:
    page = explorer.page
    assert page.evaluate("window.innerWidth") == screen.width
    assert page.evaluate("document.documentElement.scrollWidth") <= screen.width
    assert page.evaluate(OUTSIDE_THE_WINDOW) == []


def assert_the_drawing_fills(page: Page, box: dict) -> None:
    """sigma's canvases have the container's size in device pixels (sigma rounds it to whole CSS
    pixels first, so a pixel's difference either way is allowed), and every node is framed in it."""
    ratio = page.evaluate("window.devicePixelRatio")
    sizes = page.locator("#graph canvas").evaluate_all(
        "canvases => canvases.map(canvas => [canvas.width, canvas.height])"
    )
    assert sizes and all(
        abs(width - box["width"] * ratio) <= ratio and abs(height - box["height"] * ratio) <= ratio
        for width, height in sizes
    ), sizes
    outside = page.evaluate(
        """([width, height]) => window.explorer.visibleNodes().filter((id) => {
             const { x, y } = window.explorer.viewportPosition(id);
             return x < 0 || y < 0 || x > width || y > height;
           })""",
        [box["width"], box["height"]],
    )
    assert outside == []


def in_window(explorer: Explorer, selector: str) -> bool:
    """Whether the top of the first element matching `selector` is on screen."""
    return explorer.page.evaluate(
        """(selector) => {
          const top = document.querySelector(selector).getBoundingClientRect().top;
          return top >= 0 && top < window.innerHeight;
        }""",
        selector,
    )


def save_screenshot(explorer: Explorer, name: str) -> None:
    explorer.page.wait_for_timeout(700)  # camera moves and smooth scrolling settle
    path = ARTIFACTS / f"explore-{name}.png"
    explorer.page.screenshot(path=str(path), scale="css")


def test_on_every_screen_the_graph_gets_a_real_size_and_draws_every_node(on_screen, ask) -> None:
    explorer, screen = on_screen
    assert_fits_the_window(explorer, screen)
    vocabulary = ask("{ vocabulary { kinds { name color } } stats { nodeCount } }")
    box = explorer.page.locator("#graph").bounding_box()
    assert box is not None
    # Beside the side columns on a laptop, the whole width on a phone or an upright tablet.
    assert box["width"] >= (screen.width / 2 if screen.width >= 900 else screen.width)
    assert box["height"] >= 250
    assert box["height"] < screen.height  # a strip of page is left to scroll by
    # Every node is framed inside the drawing, sized to it...
    assert len(explorer.visible()) == vocabulary["stats"]["nodeCount"]
    assert_the_drawing_fills(explorer.page, box)
    # ...and on screen in its kind's colour, as the browser composited it.
    png = explorer.page.screenshot(clip=box, scale="css")
    colors = {kind["name"]: kind["color"] for kind in vocabulary["vocabulary"]["kinds"]}
    pixels = explorer.evaluate(
        PIXELS_BY_COLOR, {"png": base64.b64encode(png).decode(), "colors": colors}
    )
    counts = {
        row.locator("input").get_attribute("value"): int(row.locator(".count").inner_text())
        for row in explorer.page.locator("#kind-filter li").all()
    }
    # (a node is at least 10px across: 20 pixels of its colour are a small part of one)
    assert all(pixels[kind] >= 20 for kind, count in counts.items() if count > 0), pixels
    save_screenshot(explorer, screen.name)

    # The timeline wraps inside its box; stepping it lights up the event's cast.
    explorer.page.locator("#timeline-next").click()
    explorer.page.locator("#timeline[data-event-id]").wait_for(timeout=5_000)
    assert explorer.highlighted()
    assert_fits_the_window(explorer, screen)
    if screen.touch:
        assert explorer.page.evaluate(SMALL_TARGETS, TOUCH_TARGET) == []


def test_on_every_screen_a_node_opens_its_details_in_view(on_screen, ask) -> None:
    explorer, screen = on_screen
    name = ask('{ node(id: "myung-shik") { ... on Entity { name } } }')["node"]["name"]
    where = explorer.evaluate("window.explorer.viewportPosition('myung-shik')")
    box = explorer.page.locator("#graph").bounding_box()
    assert where is not None and box is not None
    tap(explorer, screen, box["x"] + where["x"], box["y"] + where["y"])

    details = explorer.details("myung-shik")
    assert details.locator("h2").inner_text() == name
    explorer.page.wait_for_timeout(700)  # smooth scrolling
    # Below the drawing on a narrow screen, the details are scrolled to; beside it, they are there.
    assert in_window(explorer, "#panel .node-details h2")
    assert_fits_the_window(explorer, screen)
    if screen.touch:
        assert explorer.page.evaluate(SMALL_TARGETS, TOUCH_TARGET) == []
    save_screenshot(explorer, f"{screen.name}-node")

    # Its close button, tapped, lets go of the node.
    close = details.locator(".close")
    if screen.touch:
        close.tap()
    else:
        close.click()
    explorer.page.locator("#panel .panel-empty").wait_for(timeout=5_000)
    assert explorer.highlighted() == set()


def test_on_every_screen_search_finds_a_node_and_opens_it(on_screen, ask) -> None:
    explorer, screen = on_screen
    best = ask('{ search(text: "lamborgini", first: 1) { node { id name } } }')["search"][0]
    search = explorer.page.locator("#search")
    if screen.touch:
        search.tap()
    search.fill("lamborgini")
    option = explorer.page.locator(f"#search-results li[data-node-id='{best['node']['id']}']")
    option.wait_for(timeout=10_000)
    assert_fits_the_window(explorer, screen)
    if screen.touch:
        option.tap()
    else:
        option.click()
    details = explorer.details(best["node"]["id"])
    assert details.locator("h2").inner_text() == best["node"]["name"]
    explorer.page.wait_for_timeout(700)
    assert in_window(explorer, "#panel .node-details h2")
    assert best["node"]["id"] in explorer.highlighted()


def test_a_tablet_turned_sideways_redraws_the_graph_to_its_new_column(
    browser: Browser, base_url: str
) -> None:
    """Upright, the drawing takes the whole width; sideways, it is the middle one of three
    columns: sigma has to follow its container from one layout to the other."""
    page = browser.new_page(viewport={"width": 768, "height": 1024}, is_mobile=True, has_touch=True)
    watch = Watch(page)
    try:
        page.goto(f"{base_url}/explore", wait_until="networkidle")
        page.locator("body[data-ready='true']").wait_for(state="attached", timeout=20_000)
        explorer = Explorer(page, watch)
        upright = page.locator("#graph").bounding_box()
        page.set_viewport_size({"width": 1024, "height": 768})
        page.wait_for_timeout(700)
        sideways = page.locator("#graph").bounding_box()
        assert upright is not None and sideways is not None
        assert sideways["width"] < upright["width"]  # the side columns came back
        assert_fits_the_window(explorer, Screen(1024, 768, touch=True))
        assert_the_drawing_fills(page, sideways)
        watch.assert_clean()
    finally:
        page.close()
