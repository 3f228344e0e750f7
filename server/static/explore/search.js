// The search box: asks the API's alias-aware, typo-tolerant `search` as you type, and hands the
// chosen node to `onChoose`.

import { h, replace } from "./dom.js";
import { kindChip } from "./panel.js";

const DELAY_MS = 150;

export function searchBox(input, list, api, onChoose) {
  let timer = null;
  let asked = 0; // answers to older questions arrive late sometimes: show only the newest
  let hits = [];
  let active = -1;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function choose(hit) {
    close();
    input.value = hit.node.name;
    onChoose(hit.node.id);
  }

  function mark(index) {
    active = index;
    list.querySelectorAll("li").forEach((item, at) => item.setAttribute("aria-selected", String(at === index)));
  }

  function show(found) {
    hits = found;
    active = -1;
    replace(
      list,
      found.length === 0
        ? h("li", { className: "empty", role: "option", "aria-disabled": "true" }, "Nothing matches")
        : found.map((hit) =>
            h(
              "li",
              {
                role: "option",
                dataset: { nodeId: hit.node.id },
                // mousedown, not click: it comes before the input's blur closes the list
                onmousedown: (event) => {
                  event.preventDefault();
                  choose(hit);
                },
              },
              kindChip(hit.node.kind),
              h("span", { className: "name" }, hit.node.name),
              hit.matched && hit.matched !== hit.node.name && h("span", { className: "matched" }, `“${hit.matched}”`),
            ),
          ),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function ask(text) {
    const question = ++asked;
    try {
      const found = await api.search(text);
      if (question === asked) show(found);
    } catch (error) {
      if (question === asked) show([]);
      console.warn("search failed:", error.message);
    }
  }

  // Enter before the answer to the typing came back: ask now and take the best hit.
  async function askAndChooseFirst(text) {
    clearTimeout(timer);
    const question = ++asked;
    try {
      const found = await api.search(text, 1);
      if (question === asked && found.length > 0) choose(found[0]);
      else if (question === asked) show([]);
    } catch (error) {
      console.warn("search failed:", error.message);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text === "") {
      asked++;
      close();
      return;
    }
    timer = setTimeout(() => ask(text), DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      if (!list.hidden && hits.length > 0) choose(hits[Math.max(active, 0)]);
      else if (input.value.trim() !== "") askAndChooseFirst(input.value.trim());
    } else if (event.key === "Escape") {
      close();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !list.hidden && hits.length > 0) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      mark((active + step + hits.length) % hits.length);
    }
  });
  input.addEventListener("blur", close);
  input.addEventListener("focus", () => {
    if (input.value.trim() !== "" && hits.length > 0) show(hits);
  });
}
