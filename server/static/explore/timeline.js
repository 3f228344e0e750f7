// The story timeline: step through the events in story order or in the order the film tells
// them; each step reports the event, whose participants the graph then lights up.

import { h, replace } from "./dom.js";
import { humanize, kindColor } from "./kinds.js";

const PLAY_STEP_MS = 1800;

/**
 * Drive the timeline section `root` over `orders` ({ story: [...events], film: [...events] },
 * as the API's timeline answers). `onStep(event)` gets the shown event, or null when the
 * timeline lets go of the graph; `onOpen(id)` opens a node in the panel.
 */
export function timeline(root, orders, { onStep, onOpen }) {
  const find = (selector) => root.querySelector(selector);
  const slider = find("#timeline-slider");
  const position = find("#timeline-position");
  const playButton = find("#timeline-play");
  const box = find("#timeline-event");
  const placeholder = box.firstElementChild;
  const orderButtons = [...root.querySelectorAll("[data-order]")];

  let order = "story";
  let index = -1; // -1: not started, or let go with "Show all"
  let player = null;

  const events = () => orders[order];

  function show(at) {
    const list = events();
    index = Math.max(0, Math.min(at, list.length - 1));
    const event = list[index];
    slider.max = String(list.length);
    slider.value = String(index + 1);
    position.textContent = `${index + 1} / ${list.length}`;
    root.dataset.eventId = event.id;
    root.dataset.order = order;
    replace(box, describe(event));
    onStep(event);
  }

  function describe(event) {
    const when = order === "story"
      ? `Story step ${index + 1}`
      : `Scene ${index + 1} as the film tells it`;
    return h(
      "div",
      { className: "event", dataset: { eventId: event.id } },
      h(
        "p",
        { className: "when" },
        when,
        event.narrative && h("span", { className: "narrative" }, event.narrative),
      ),
      h("button", { type: "button", className: "event-name", onclick: () => onOpen(event.id) }, event.name),
      h(
        "ul",
        { className: "participants" },
        event.participants.map(({ role, node }) =>
          h(
            "li",
            { dataset: { nodeId: node.id, role: role.toLowerCase() } },
            h(
              "button",
              { type: "button", style: { "--kind": kindColor(node.kind) }, onclick: () => onOpen(node.id) },
              h("span", { className: "role" }, humanize(role)),
              node.name,
            ),
          ),
        ),
      ),
    );
  }

  function letGo() {
    stop();
    index = -1;
    delete root.dataset.eventId;
    position.textContent = `${events().length} events`;
    slider.max = String(events().length);
    slider.value = "1";
    replace(box, placeholder);
    onStep(null);
  }

  function stop() {
    clearInterval(player);
    player = null;
    playButton.textContent = "Play";
    playButton.setAttribute("aria-pressed", "false");
  }

  function play() {
    if (index >= events().length - 1) show(0);
    else show(index + 1);
    player = setInterval(() => {
      if (index >= events().length - 1) stop();
      else show(index + 1);
    }, PLAY_STEP_MS);
    playButton.textContent = "Pause";
    playButton.setAttribute("aria-pressed", "true");
  }

  function setOrder(next) {
    const current = index >= 0 ? events()[index].id : null;
    order = next;
    for (const button of orderButtons) {
      button.setAttribute("aria-checked", String(button.dataset.order === order));
    }
    // Stay on the same event when the other order has it too.
    const same = events().findIndex((event) => event.id === current);
    if (current === null) letGo();
    else show(same >= 0 ? same : 0);
  }

  find("#timeline-first").addEventListener("click", () => show(0));
  find("#timeline-prev").addEventListener("click", () => show(index <= 0 ? 0 : index - 1));
  find("#timeline-next").addEventListener("click", () => show(index + 1));
  find("#timeline-clear").addEventListener("click", letGo);
  playButton.addEventListener("click", () => (player ? stop() : play()));
  slider.addEventListener("input", () => show(Number(slider.value) - 1));
  for (const button of orderButtons) {
    button.addEventListener("click", () => setOrder(button.dataset.order));
  }
  letGo();
}
