// The search box: asks the API's `search` (names, aliases, descriptions, misspellings) as you
// type, and below the nodes found the article sentences that answer the text (`passages`);
// hands the chosen node (for a sentence, the first entity it mentions) to `onChoose`.

import { h, replace } from "./dom.js";
import { kindChip } from "./panel.js";

const DELAY_MS = 150;
const PASSAGES_SHOWN = 3;
const SNIPPET_CHARS = 140;

export function searchBox(input, list, api, onChoose) {
  let timer = null;
  let asked = 0; // answers to older questions arrive late sometimes: show only the newest
  let options = []; // what each selectable row opens: { id, name }
  let active = -1;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function choose(option) {
    close();
    input.value = option.name;
    onChoose(option.id);
  }

  function mark(index) {
    active = index;
    list.querySelectorAll("li[data-option]").forEach((item) =>
      item.setAttribute("aria-selected", String(Number(item.dataset.option) === index)),
    );
  }

  function row(option, dataset, ...children) {
    const index = options.push(option) - 1;
    return h(
      "li",
      {
        role: "option",
        dataset: { ...dataset, option: String(index) },
        // mousedown, not click: it comes before the input's blur closes the list
        onmousedown: (event) => {
          event.preventDefault();
          choose(option);
        },
      },
      ...children,
    );
  }

  function snippet(text) {
    return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS - 1)}…` : text;
  }

  function show(hits, passages) {
    options = [];
    active = -1;
    const nodes = hits.map((hit) =>
      row(
        { id: hit.node.id, name: hit.node.name },
        { nodeId: hit.node.id },
        kindChip(hit.node.kind),
        h("span", { className: "name" }, hit.node.name),
        hit.matched &&
          hit.field !== "PASSAGE" &&
          hit.matched !== hit.node.name &&
          h("span", { className: "matched" }, `“${snippet(hit.matched)}”`),
      ),
    );
    // A sentence opens the first entity it mentions; one that mentions none is not offered.
    const sentences = passages
      .filter((passage) => passage.mentions.length > 0)
      .map((passage) =>
        row(
          { id: passage.mentions[0].id, name: passage.mentions[0].name },
          { passageDocument: passage.document.id },
          h("span", { className: "name" }, `“${snippet(passage.text)}”`),
          h("span", { className: "matched" }, passage.document.title),
        ),
      );
    const heading = (text) => h("li", { className: "empty", role: "presentation" }, text);
    replace(
      list,
      nodes.length === 0 && sentences.length === 0
        ? h("li", { className: "empty", role: "option", "aria-disabled": "true" }, "Nothing matches")
        : [nodes, sentences.length > 0 && heading("In the articles"), sentences],
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function ask(text) {
    const question = ++asked;
    try {
      const [hits, passages] = await Promise.all([
        api.search(text),
        api.passages(text, PASSAGES_SHOWN).catch((error) => {
          console.warn("passage search failed:", error.message);
          return [];
        }),
      ]);
      if (question === asked) show(hits, passages);
    } catch (error) {
      if (question === asked) show([], []);
      console.warn("search failed:", error.message);
    }
  }

  // Enter before the answer to the typing came back: ask now and take the best hit.
  async function askAndChooseFirst(text) {
    clearTimeout(timer);
    const question = ++asked;
    try {
      const found = await api.search(text, 1);
      if (question === asked && found.length > 0) choose({ id: found[0].node.id, name: found[0].node.name });
      else if (question === asked) show([], []);
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
      if (!list.hidden && options.length > 0) choose(options[Math.max(active, 0)]);
      else if (input.value.trim() !== "") askAndChooseFirst(input.value.trim());
    } else if (event.key === "Escape") {
      close();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !list.hidden && options.length > 0) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      mark((active + step + options.length) % options.length);
    }
  });
  input.addEventListener("blur", close);
  input.addEventListener("focus", () => {
    if (input.value.trim() !== "" && options.length > 0) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
}
