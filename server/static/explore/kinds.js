// How a kind of node looks. The colours are the API's (`vocabulary { kinds { name color } }`),
// which the GEXF export uses too, so that the explorer and Gephi agree; the page sets them once,
// from its first answer, before drawing anything.

const KIND_COLORS = new Map();

/** Take the colour of each kind from the vocabulary's `kinds { name color }`. */
export function useKindColors(kinds) {
  KIND_COLORS.clear();
  for (const kind of kinds) KIND_COLORS.set(kind.name, kind.color);
}

/** The colour of a kind, given as the API's enum (CHARACTER) or the vocabulary's name. Every
 * kind of the vocabulary has one (graph/model.py; tests/test_vocabulary.py checks). */
export function kindColor(kind) {
  return KIND_COLORS.get(kind.toLowerCase());
}

/** "CHARACTER" -> "character"; "co_agent" -> "co-agent"; "located_in" -> "located in". */
export function humanize(name) {
  return name.toLowerCase().replace("co_agent", "co-agent").replaceAll("_", " ");
}
