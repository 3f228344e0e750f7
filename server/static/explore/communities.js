// Colour by community: the Louvain communities the service computes once (`communities`,
// `Node.community`), each drawn in a colour of its own, with a legend naming each after its
// most central member. The toggle switches the drawing between colour by kind and by community.

import { h, replace } from "./dom.js";

// Tableau 20's darker half and then its lighter half: distinct, and none as pale as a faded node.
const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#79706e", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#86bcb6", "#d37295",
];

// The row's layout here rather than in explore.css: it is this legend's alone.
const LEGEND_ROW = { display: "flex", gap: "8px", "align-items": "center", padding: "3px 6px", "font-size": "13px" };

/** The colour of community `number` (communities past the palette's length share colours). */
export function communityColor(number) {
  return PALETTE[number % PALETTE.length];
}

/**
 * Wire the "Colour by" toggle (buttons with `data-colour`) and fill the legend with one row per
 * community; `onChange("kind" | "community")` recolours the drawing.
 */
export function colourToggle(root, legend, communities, onChange) {
  const buttons = [...root.querySelectorAll("[data-colour]")];
  replace(
    legend,
    communities.map((community) =>
      h(
        "li",
        { dataset: { community: String(community.number) }, style: LEGEND_ROW },
        h("span", { className: "swatch", style: { "--kind": communityColor(community.number) } }),
        h("span", { className: "name" }, community.members[0]?.name ?? `community ${community.number}`),
        h("span", { className: "count" }, String(community.size)),
      ),
    ),
  );
  legend.style.marginTop = "8px";
  function choose(mode) {
    for (const button of buttons) button.setAttribute("aria-checked", String(button.dataset.colour === mode));
    legend.hidden = mode !== "community";
    root.dataset.colour = mode;
    onChange(mode);
  }
  for (const button of buttons) button.addEventListener("click", () => choose(button.dataset.colour));
}
