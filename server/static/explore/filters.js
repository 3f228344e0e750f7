// The sidebar: the legend of kinds, which doubles as the kind filter, and the relation-type filter.
// Each reports the set of names switched off.

import { h, replace } from "./dom.js";
import { humanize, kindColor } from "./kinds.js";

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function checkboxRow({ name, label, count, title, color, onToggle }) {
  return h(
    "li",
    {},
    h(
      "label",
      { title },
      h("input", { type: "checkbox", checked: true, value: name, onchange: onToggle }),
      color && h("span", { className: "swatch", style: { "--kind": color } }),
      h("span", { className: "name" }, label),
      h("span", { className: "count" }, String(count)),
    ),
  );
}

function uncheckedValues(container) {
  return [...container.querySelectorAll("input[type=checkbox]")]
    .filter((box) => !box.checked)
    .map((box) => box.value);
}

/** One row per kind present in the graph, in the vocabulary's order. */
export function kindFilter(list, vocabulary, nodes, onChange) {
  const counts = countBy(nodes, (node) => node.kind.toLowerCase());
  const changed = () => onChange(uncheckedValues(list));
  replace(
    list,
    vocabulary.kinds
      .filter((kind) => counts.has(kind.name))
      .map((kind) =>
        checkboxRow({
          name: kind.name,
          label: humanize(kind.name),
          count: counts.get(kind.name),
          title: kind.description,
          color: kindColor(kind.name),
          onToggle: changed,
        }),
      ),
  );
}

/** Relation types, then participant roles, each group with "all" and "none". */
export function typeFilter(container, vocabulary, relations, onChange) {
  const counts = countBy(relations, (relation) => relation.type);
  const changed = () => onChange(uncheckedValues(container));
  const group = (title, terms) => {
    // Commonest first: the long tail of rare types is there to switch on or off, not to read.
    const present = terms
      .filter((term) => counts.has(term.name))
      .sort((a, b) => counts.get(b.name) - counts.get(a.name) || a.name.localeCompare(b.name));
    const list = h(
      "ul",
      { className: "filter-list" },
      present.map((term) =>
        checkboxRow({
          name: term.name,
          label: humanize(term.name),
          count: counts.get(term.name),
          title: term.description,
          onToggle: changed,
        }),
      ),
    );
    const setAll = (checked) => () => {
      for (const box of list.querySelectorAll("input")) box.checked = checked;
      changed();
    };
    return h(
      "div",
      { className: "type-group" },
      h(
        "h3",
        {},
        title,
        h("span", { className: "all-none" },
          h("button", { type: "button", onclick: setAll(true) }, "all"),
          h("button", { type: "button", onclick: setAll(false) }, "none"),
        ),
      ),
      list,
    );
  };
  replace(
    container,
    group("Between entities", vocabulary.relationTypes),
    group("Roles in events", vocabulary.roles),
  );
}
