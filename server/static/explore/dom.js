// A tiny element builder: text always goes in as text, never as HTML.

/**
 * h("a", { href: "#", className: "x", onclick }, "text", child) -> HTMLAnchorElement.
 * Props starting with "on" become listeners, "dataset" and "style" objects are merged, null and
 * false children are skipped, arrays of children are flattened.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "style") setStyle(element, value);
    else if (key in element && typeof value !== "string") element[key] = value;
    else element.setAttribute(key === "className" ? "class" : key, value === true ? "" : value);
  }
  element.append(...present(children));
  return element;
}

/** Replace every child of `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren(...present(children));
  return element;
}

// setProperty, unlike assignment, also sets custom properties ("--kind").
function setStyle(element, style) {
  for (const [name, value] of Object.entries(style)) element.style.setProperty(name, value);
}

function present(children) {
  return children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false);
}
