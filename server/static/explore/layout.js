// What the page's layout asks of the script: on narrow screens the details panel stacks under
// the drawing, out of sight, so opening a node there has to bring the panel into view.

/**
 * Scroll the page so that `element`'s top is in view, unless it is in the upper half of the
 * window already (as the details column always is beside the drawing on wide screens).
 */
export function bringIntoView(element) {
  const top = element.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight / 2) element.scrollIntoView({ block: "start" });
}
