// The side panel: one node as the API answers it, with the evidence for everything it says.

import { h, replace } from "./dom.js";
import { humanize, kindColor } from "./kinds.js";

/** A coloured chip naming a kind. */
export function kindChip(kind) {
  return h("span", { className: "kind-chip", style: { "--kind": kindColor(kind) } }, humanize(kind));
}

/** Show "loading" for a node while its details are fetched. */
export function showLoading(panel, name) {
  replace(panel, h("div", { className: "panel-loading" }, `Loading ${name ?? ""}…`));
}

export function showError(panel, message) {
  replace(panel, h("div", { className: "panel-error" }, message));
}

/**
 * Show `node` (the answer to the ExploreNode query) in `panel`. `onNavigate(id)` is called when
 * a related node is clicked; `onClose()` by the close button.
 */
export function showNode(panel, node, { onNavigate, onClose }) {
  const otherNames = node.aliases.filter((alias) => alias !== node.name);
  const disputed = node.relations.filter((relation) => relation.disputed);
  replace(
    panel,
    h(
      "article",
      { className: "node-details", dataset: { nodeId: node.id } },
      h(
        "header",
        {},
        h("button", { type: "button", className: "close", title: "Close", "aria-label": "Close", onclick: onClose }, "×"),
        kindChip(node.kind),
        h("h2", {}, node.name),
        otherNames.length > 0 && h("p", { className: "aliases" }, "Also called ", listOf(otherNames)),
      ),
      h("p", { className: "description" }, certaintyBadge(node), node.description),
      disputed.length > 0 &&
        h(
          "p",
          { className: "dispute-note" },
          h("span", { className: "badge disputed" }, "disputed"),
          ` ${disputed.length} of its relations ${disputed.length === 1 ? "is" : "are"} one side of a disagreement between the articles.`,
        ),
      section(`Evidence (${node.citations.length})`, "citations", node.citations.map(citation)),
      section(
        `Relations (${node.relations.length})`,
        "relations",
        relationGroups(node, onNavigate),
      ),
    ),
  );
  panel.scrollTop = 0;
}

function section(title, className, content) {
  return h("section", { className }, h("h3", {}, title), content);
}

function listOf(names) {
  return names.flatMap((name, index) => [index > 0 ? ", " : "", h("q", {}, name)]);
}

// A quote inside the text around it, so a reader sees the sentence, not just the fragment. The
// context is cut by characters: drop the broken words at its ends.
function citation({ quote, context, document }) {
  const at = context.indexOf(quote);
  const before = at >= 0 ? context.slice(0, at).replace(/^\S*\s/, "") : "";
  const after = at >= 0 ? context.slice(at + quote.length).replace(/\s\S*$/, "") : "";
  return h(
    "figure",
    { className: "citation" },
    h(
      "blockquote",
      {},
      before && `…${before.trimStart()}`,
      h("mark", {}, at >= 0 ? quote : context),
      after && `${after.trimEnd()}…`,
    ),
    h("figcaption", {}, "— ", h("cite", { title: document.id }, document.title)),
  );
}

// Relations grouped by type, outgoing first, each naming the node at the other end.
function relationGroups(node, onNavigate) {
  const groups = new Map();
  for (const relation of node.relations) {
    const outgoing = relation.source.id === node.id;
    const key = `${outgoing ? "out" : "in"}:${relation.type}`;
    if (!groups.has(key)) groups.set(key, { outgoing, type: relation.type, kind: relation.kind, items: [] });
    groups.get(key).items.push(relation);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => Number(b.outgoing) - Number(a.outgoing) || a.type.localeCompare(b.type),
  );
  return h(
    "ul",
    { className: "relation-groups" },
    ordered.map((group) =>
      h(
        "li",
        {},
        h("span", { className: `relation-type ${group.kind.toLowerCase()}` }, phrase(group)),
        h("ul", { className: "relation-list" }, group.items.map((relation) => relationItem(node, relation, onNavigate))),
      ),
    ),
  );
}

// "kills →" for edges leaving the node, "← kills" (read: is killed by) for edges arriving; an
// event lists its participants by role, an entity the events it is part of.
function phrase({ outgoing, type, kind }) {
  const words = humanize(type);
  if (kind === "PARTICIPATION") return outgoing ? `${words} in →` : words;
  return outgoing ? `${words} →` : `← ${words}`;
}

/**
 * A badge for what the articles do not state outright: HEDGED (the article's own "appears",
 * "may"...) or INFERRED (the annotation's reading, whose reason is the badge's title).
 */
function certaintyBadge({ certainty, certaintyReason }) {
  if (!certainty || certainty === "STATED") return null;
  const word = certainty.toLowerCase();
  const title = certaintyReason || "the article hedges it";
  return h("span", { className: `badge certainty ${word}`, title }, word);
}

function relationItem(node, relation, onNavigate) {
  const other = relation.source.id === node.id ? relation.target : relation.source;
  const sources = relation.citations.length;
  return h(
    "li",
    { className: relation.disputed ? "relation disputed" : "relation", dataset: { relationId: relation.id } },
    h(
      "button",
      { type: "button", className: "node-link", style: { "--kind": kindColor(other.kind) }, onclick: () => onNavigate(other.id) },
      other.name,
    ),
    relation.disputed && h("span", { className: "badge disputed" }, "disputed"),
    certaintyBadge(relation),
    relation.note && h("span", { className: "note" }, relation.note),
    relation.disputed &&
      h(
        "div",
        { className: "dispute" },
        relation.dispute && h("p", { className: "question" }, relation.dispute.question),
        relation.claim && h("p", { className: "claim" }, h("b", {}, "This claim: "), relation.claim.statement),
      ),
    sources > 0 &&
      h(
        "details",
        { className: "relation-sources" },
        h("summary", {}, `${sources} ${sources === 1 ? "source" : "sources"}`),
        relation.citations.map((cited) =>
          h("blockquote", {}, h("mark", {}, cited.quote), h("cite", { title: cited.document.title }, ` ${cited.document.id}`)),
        ),
      ),
  );
}
