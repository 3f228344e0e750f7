// The drawing: a graphology graph built from the API's subgraph, rendered by sigma.js, with what
// is shown (filters), what is in focus (hover, selection, timeline) and the dashed disputed edges.
// `graphology` and `Sigma` are the globals of the libraries' browser builds.

import { communityColor } from "./communities.js";
import { kindColor } from "./kinds.js";

const MIN_SIZE = 5;
const MAX_SIZE = 22;
const RELATION_COLOR = "#9a938b";
const PARTICIPATION_COLOR = "#d5cec5";
const DISPUTED_COLOR = "#d62728";
const FADED_NODE_COLOR = "#e8e4de";
const FADED_EDGE_COLOR = "#f1eee9";
const FADED_DISPUTED_COLOR = "#f0c9c9";
const FOCUSED_EDGE_COLOR = "#6f665d";
// Events are named by whole sentences: in the overview they would bury the entities' names, so
// their labels wait until the view is zoomed in this far, or the event is in focus.
const EVENT_LABEL_RATIO = 0.45;
const FORCED_LABELS = 16;
const FIT_MIN_RATIO = 0.35;
const PARALLEL_GAP = 6; // pixels between disputed edges joining the same two nodes
const LABEL_FONT = '"Inter", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif';
// Sizes are in screen pixels, and a narrow drawing frames the whole graph smaller: below this
// width nodes and edges shrink with it, to no less than MIN_SIZE_SCALE, rather than pile up.
const FULL_SIZE_WIDTH = 640;
const MIN_SIZE_SCALE = 0.6;

/** The graph to draw: nodes placed by the service's layout and sized by PageRank. */
export function buildGraph(subgraph) {
  const graph = new graphology.MultiDirectedGraph();
  const ranks = subgraph.nodes.map((node) => node.centrality.pagerank);
  const low = Math.min(...ranks);
  const high = Math.max(...ranks);
  for (const node of subgraph.nodes) {
    // The square root keeps the many small nodes apart in size while the few hubs stay large.
    const share = high > low ? (node.centrality.pagerank - low) / (high - low) : 0.5;
    graph.addNode(node.id, {
      label: node.name,
      kind: node.kind.toLowerCase(),
      color: kindColor(node.kind),
      kindColor: kindColor(node.kind),
      community: node.community.number,
      communityColor: communityColor(node.community.number),
      size: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt(share),
      x: node.position.x,
      y: node.position.y,
    });
  }
  for (const relation of subgraph.relations) {
    const isRelation = relation.kind === "RELATION";
    graph.addDirectedEdgeWithKey(relation.id, relation.source.id, relation.target.id, {
      type: "arrow", // sigma's program; the relation's own type is `relation`
      relation: relation.type,
      participation: !isRelation,
      disputed: relation.disputed,
      color: relation.disputed ? DISPUTED_COLOR : isRelation ? RELATION_COLOR : PARTICIPATION_COLOR,
      size: isRelation ? 1.6 : 1.1,
    });
  }
  return graph;
}

/**
 * Draw `graph` into `container`. Returns the handle the page drives: filters, selection, the
 * timeline's spotlight, camera moves, and the read-outs the browser tests use.
 */
export function createGraphView(container, graph, { onClickNode, onClickStage }) {
  const state = {
    hiddenKinds: new Set(),
    hiddenTypes: new Set(),
    hovered: null,
    selected: null,
    spotlight: null, // { center: eventId, nodes: Set of ids } while the timeline highlights
  };

  // Which nodes stand out, and around which node: the timeline wins over hovering, hovering
  // over the selection, so that pointing at the graph never hides what the timeline shows.
  function focus() {
    if (state.spotlight) return state.spotlight;
    const center = state.hovered ?? state.selected;
    if (center === null || !graph.hasNode(center)) return null;
    return { center, nodes: new Set([center, ...graph.neighbors(center)]) };
  }

  let current = null;
  let zoomedIn = false;
  let sizeScale = 1;
  const measure = () => {
    sizeScale = Math.min(1, Math.max(MIN_SIZE_SCALE, container.offsetWidth / FULL_SIZE_WIDTH));
  };
  measure();

  function nodeReducer(node, data) {
    if (state.hiddenKinds.has(data.kind)) return { ...data, hidden: true };
    const shown = { ...data, zIndex: 1 };
    if (current && !current.nodes.has(node)) {
      return { ...shown, color: FADED_NODE_COLOR, label: null, zIndex: 0 };
    }
    if (!current && !zoomedIn && data.kind === "event") shown.label = null;
    if (state.spotlight) Object.assign(shown, { highlighted: true, forceLabel: true, zIndex: 2 });
    // A small neighbourhood can name everyone; a hub's would be a pile of overlapping labels,
    // so there sigma's label grid picks the ones that fit.
    else if (current && current.nodes.size <= FORCED_LABELS) shown.forceLabel = true;
    if (state.spotlight?.center === node) shown.size = data.size * 1.5;
    if (node === current?.center || node === state.selected) {
      Object.assign(shown, { highlighted: true, forceLabel: true, zIndex: 2 });
    }
    return shown;
  }

  function edgeReducer(edge, data) {
    if (state.hiddenTypes.has(data.relation)) return { ...data, hidden: true };
    let shown = { ...data, zIndex: 1 };
    if (current) {
      const [source, target] = graph.extremities(edge);
      const touches = source === current.center || target === current.center;
      const inside = current.nodes.has(source) && current.nodes.has(target);
      if (touches && inside) {
        shown = { ...shown, color: FOCUSED_EDGE_COLOR, size: data.size * 1.6, zIndex: 2 };
      } else {
        shown = { ...shown, color: FADED_EDGE_COLOR, zIndex: 0, faded: true };
      }
    }
    if (data.disputed) {
      // WebGL draws no dashes: the disputed-edges layer draws these instead.
      return { ...shown, hidden: true, dashed: shown.faded ? FADED_DISPUTED_COLOR : DISPUTED_COLOR };
    }
    return shown;
  }

  const renderer = new Sigma(graph, container, {
    zIndex: true,
    defaultEdgeType: "arrow",
    labelFont: LABEL_FONT,
    labelSize: 12,
    labelWeight: "600",
    labelColor: { color: "#2a2622" },
    labelDensity: 0.8,
    labelGridCellSize: 90,
    labelRenderedSizeThreshold: 8,
    stagePadding: 36,
    minCameraRatio: 0.08,
    maxCameraRatio: 4,
    zoomToSizeRatioFunction: (ratio) => Math.sqrt(ratio) / sizeScale, // sigma's default, scaled
    // A container laid out at zero width (a narrow screen mid-layout) must not stop the page:
    // sigma then draws into one pixel until the observer below sees the real size.
    allowInvalidContainer: true,
    nodeReducer,
    edgeReducer,
  });
  const drawDisputed = disputedLayer(renderer, graph);
  renderer.on("afterRender", drawDisputed);
  // sigma re-renders, measuring its container afresh, on window resizes only; the layout can
  // resize the container without one (columns stacking, a scrollbar coming, a rotated tablet).
  new ResizeObserver(() => {
    measure();
    renderer.scheduleRefresh();
  }).observe(container);

  function update() {
    current = focus();
    renderer.refresh();
  }

  renderer.on("enterNode", ({ node }) => {
    state.hovered = node;
    container.style.cursor = "pointer";
    update();
  });
  renderer.on("leaveNode", () => {
    state.hovered = null;
    container.style.cursor = "";
    update();
  });
  // A finger gives no leaveNode when it lifts: without this the node last touched would stay in
  // focus, as if pointed at, after its panel is closed.
  renderer.getTouchCaptor().on("touchup", () => {
    if (state.hovered === null) return;
    state.hovered = null;
    update();
  });
  renderer.getCamera().on("updated", ({ ratio }) => {
    if ((ratio < EVENT_LABEL_RATIO) !== zoomedIn) {
      zoomedIn = !zoomedIn;
      update();
    }
  });
  renderer.on("clickNode", ({ node }) => onClickNode(node));
  renderer.on("clickStage", () => onClickStage());
  update();

  return {
    graph,
    renderer,
    setHiddenKinds(kinds) {
      state.hiddenKinds = new Set(kinds);
      update();
    },
    setHiddenTypes(types) {
      state.hiddenTypes = new Set(types);
      update();
    },
    /** Colour the nodes by "kind" or by "community". */
    colourBy(mode) {
      graph.updateEachNodeAttributes((node, attributes) => ({
        ...attributes,
        color: mode === "community" ? attributes.communityColor : attributes.kindColor,
      }));
    },
    select(id) {
      state.selected = id !== null && graph.hasNode(id) ? id : null;
      update();
    },
    /** Light up `center` (an event) and `ids` (its participants); null switches it off. */
    spotlight(center, ids = []) {
      state.spotlight = center === null ? null : { center, nodes: new Set([center, ...ids]) };
      update();
    },
    /** Glide the camera to a node, zooming in a little if the view is wide. */
    focusNode(id) {
      const data = renderer.getNodeDisplayData(id);
      if (!data) return;
      const camera = renderer.getCamera();
      camera.animate({ x: data.x, y: data.y, ratio: Math.min(camera.ratio, 0.7) }, { duration: 450 });
    },
    /** Glide the camera to frame `ids`, as close as their spread allows. */
    fitNodes(ids) {
      const points = ids.map((id) => renderer.getNodeDisplayData(id)).filter(Boolean);
      if (points.length === 0) return;
      const xs = points.map((point) => point.x);
      const ys = points.map((point) => point.y);
      const [left, right, bottom, top] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      // ratio 1 frames the whole graph; the margin leaves room for the labels
      const ratio = Math.min(1, Math.max(FIT_MIN_RATIO, Math.max(right - left, top - bottom) * 1.4));
      renderer.getCamera().animate({ x: (left + right) / 2, y: (bottom + top) / 2, ratio }, { duration: 600 });
    },
    /** Glide back to the whole graph. */
    showAll() {
      renderer.getCamera().animatedReset({ duration: 500 });
    },
    /** Where a node is drawn, in pixels from the top left of the container. */
    viewportPosition(id) {
      const data = renderer.getNodeDisplayData(id);
      return data ? renderer.framedGraphToViewport(data) : null;
    },
    /** The nodes the renderer currently draws highlighted. */
    highlightedNodes() {
      return graph.filterNodes((node) => renderer.getNodeDisplayData(node)?.highlighted === true);
    },
    /** The colour the renderer draws a node in. */
    nodeColor(id) {
      return renderer.getNodeDisplayData(id)?.color ?? null;
    },
    /** The nodes the renderer currently draws at all. */
    visibleNodes() {
      return graph.filterNodes((node) => renderer.getNodeDisplayData(node)?.hidden === false);
    },
    /** The edges drawn at all, by sigma or, dashed, by the disputed-edges layer. */
    drawnEdges() {
      return graph.filterEdges((edge, attributes, source, target) => {
        const data = renderer.getEdgeDisplayData(edge);
        const ends = [source, target].every((node) => !renderer.getNodeDisplayData(node).hidden);
        return ends && (!data.hidden || Boolean(data.dashed));
      });
    },
  };
}

// A 2D canvas between sigma's edges and nodes, where the disputed edges are drawn dashed.
function disputedLayer(renderer, graph) {
  renderer.createCanvasContext("disputed", { afterLayer: "edges" });
  renderer.resize(true);
  const context = renderer.getCanvases().disputed.getContext("2d");
  const disputed = graph.filterEdges((edge, attributes) => attributes.disputed);
  const offsets = parallelOffsets(graph, disputed);

  return function draw() {
    const { width, height } = renderer.getDimensions();
    const ratio = window.devicePixelRatio || 1;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    for (const edge of disputed) {
      const data = renderer.getEdgeDisplayData(edge);
      const [source, target] = graph.extremities(edge);
      const from = renderer.getNodeDisplayData(source);
      const to = renderer.getNodeDisplayData(target);
      if (!data?.dashed || from.hidden || to.hidden) continue;
      const [start, end] = shifted(
        renderer.framedGraphToViewport(from),
        renderer.framedGraphToViewport(to),
        offsets.get(edge),
      );
      dashedArrow(context, start, end, renderer.scaleSize(to.size), data.dashed);
    }
  };
}

// Disputed claims often join the same two nodes twice (friend of / works for): side by side
// they read as two claims, on top of each other as one solid line. Offsets are signed along
// the perpendicular of the pair taken in a fixed order, so opposite edges do not cancel out.
function parallelOffsets(graph, edges) {
  const pairs = new Map();
  for (const edge of edges) {
    const key = [...graph.extremities(edge)].sort().join("\u0000");
    pairs.set(key, [...(pairs.get(key) ?? []), edge]);
  }
  const offsets = new Map();
  for (const group of pairs.values()) {
    group.forEach((edge, index) => {
      const [source, target] = graph.extremities(edge);
      const sign = source < target ? 1 : -1;
      offsets.set(edge, sign * (index - (group.length - 1) / 2) * PARALLEL_GAP);
    });
  }
  return offsets;
}

function shifted(from, to, offset) {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  if (!offset || length < 1) return [from, to];
  const nx = (-(to.y - from.y) / length) * offset;
  const ny = ((to.x - from.x) / length) * offset;
  return [
    { x: from.x + nx, y: from.y + ny },
    { x: to.x + nx, y: to.y + ny },
  ];
}

function dashedArrow(context, from, to, targetRadius, color) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy);
  if (length < 1) return;
  const ux = dx / length;
  const uy = dy / length;
  const head = 7;
  // The arrow stops at the target's rim, like sigma's own arrows.
  const tip = { x: to.x - ux * targetRadius, y: to.y - uy * targetRadius };
  const base = { x: tip.x - ux * head, y: tip.y - uy * head };

  context.strokeStyle = color;
  context.fillStyle = color;
  context.lineWidth = 2;
  context.setLineDash([6, 4]);
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(base.x, base.y);
  context.stroke();
  context.setLineDash([]);
  context.beginPath();
  context.moveTo(tip.x, tip.y);
  context.lineTo(base.x - uy * head * 0.55, base.y + ux * head * 0.55);
  context.lineTo(base.x + uy * head * 0.55, base.y - ux * head * 0.55);
  context.closePath();
  context.fill();
}
