// How a kind of node looks: the same colours as the GEXF export (server/exports/gexf.py), so the
// explorer and Gephi agree.

export const KIND_COLORS = {
  character: "#e15759",
  person: "#f28e2b",
  place: "#59a14f",
  organization: "#4e79a7",
  object: "#b07aa1",
  work: "#edc948",
  symbol: "#ff9da7",
  theme: "#76b7b2",
  event: "#9c755f",
};
const OTHER_COLOR = "#bab0ac";

/** The colour of a kind, given as the API's enum (CHARACTER) or the vocabulary's name. */
export function kindColor(kind) {
  return KIND_COLORS[kind.toLowerCase()] ?? OTHER_COLOR;
}

/** "CHARACTER" -> "character"; "co_agent" -> "co-agent"; "located_in" -> "located in". */
export function humanize(name) {
  return name.toLowerCase().replace("co_agent", "co-agent").replaceAll("_", " ");
}
