// The explorer page: ask the API for the graph, draw it, and wire the sidebar, the search box,
// the details panel and the timeline to the drawing.

import { graphqlClient } from "./api.js";
import { colourToggle } from "./communities.js";
import { h, replace } from "./dom.js";
import { kindFilter, typeFilter } from "./filters.js";
import { buildGraph, createGraphView } from "./graph-view.js";
import { useKindColors } from "./kinds.js";
import { bringIntoView } from "./layout.js";
import { showError, showLoading, showNode } from "./panel.js";
import { searchBox } from "./search.js";
import { timeline } from "./timeline.js";

const byId = (id) => document.getElementById(id);

async function start() {
  const api = graphqlClient(document.body.dataset.graphql);
  const container = byId("graph");
  const panel = byId("panel");
  const counts = byId("counts");
  const emptyPanel = panel.firstElementChild;

  let overview;
  try {
    overview = await api.overview();
  } catch (error) {
    counts.textContent = "The graph could not be loaded.";
    replace(container, h("p", { className: "load-error" }, `Could not load the graph: ${error.message}`));
    throw error;
  }
  const { stats, vocabulary, subgraph } = overview;
  useKindColors(vocabulary.kinds);
  const graph = buildGraph(subgraph);

  // Details are fetched per click; a slow answer must not replace the one asked for after it.
  let asked = 0;
  async function open(id, { moveCamera = false } = {}) {
    const question = ++asked;
    view.select(id);
    if (moveCamera && graph.hasNode(id)) view.focusNode(id);
    panel.dataset.nodeId = id;
    showLoading(panel, graph.hasNode(id) ? graph.getNodeAttribute(id, "label") : id);
    bringIntoView(panel);
    try {
      const node = await api.node(id);
      if (question !== asked) return;
      if (node === null) showError(panel, `There is no node “${id}”.`);
      else showNode(panel, node, { onNavigate: (other) => open(other, { moveCamera: true }), onClose: close });
    } catch (error) {
      if (question === asked) showError(panel, `Could not load the details: ${error.message}`);
    }
  }

  function close() {
    asked++;
    view.select(null);
    delete panel.dataset.nodeId;
    replace(panel, emptyPanel);
  }

  const view = createGraphView(container, graph, {
    onClickNode: (id) => open(id),
    onClickStage: close,
  });

  const disputed = subgraph.relations.filter((relation) => relation.disputed).length;
  counts.textContent =
    `${graph.order} nodes · ${graph.size} edges · ${disputed} disputed` +
    (subgraph.truncated ? ` (the ${subgraph.matched - graph.order} least central nodes left out)` : "");
  container.dataset.nodeCount = String(graph.order);
  container.dataset.edgeCount = String(graph.size);

  kindFilter(byId("kind-filter"), vocabulary, subgraph.nodes, (hidden) => view.setHiddenKinds(hidden));
  colourToggle(byId("colour-by"), byId("community-legend"), overview.communities, (mode) => view.colourBy(mode));
  typeFilter(byId("type-filter"), vocabulary, subgraph.relations, (hidden) => view.setHiddenTypes(hidden));
  searchBox(byId("search"), byId("search-results"), api, (id) => open(id, { moveCamera: true }));
  timeline(byId("timeline"), { story: overview.story, film: overview.film }, {
    onStep: (event) => {
      if (event === null) {
        view.spotlight(null);
        view.showAll();
        return;
      }
      const cast = event.participants.map(({ node }) => node.id);
      view.spotlight(event.id, cast);
      view.fitNodes([event.id, ...cast]);
    },
    onOpen: (id) => open(id), // the timeline has framed the event and its participants already
  });

  // Read-outs of what the renderer draws, for the browser tests and for curious consoles.
  window.explorer = {
    nodeCount: graph.order,
    edgeCount: graph.size,
    apiNodeCount: stats.nodeCount,
    viewportPosition: (id) => view.viewportPosition(id),
    highlightedNodes: () => view.highlightedNodes(),
    visibleNodes: () => view.visibleNodes(),
    nodeColor: (id) => view.nodeColor(id),
    drawnEdges: () => view.drawnEdges(),
  };
  document.body.dataset.ready = "true";
}

start();
