'use strict'
// The knowledge graph as the peer holds it, read once from the service's node-link JSON export
// (`ballerina-kg export --format json`), and the questions of the bench mix asked of it.
//
// The export lists edges in an order that rebuilds each node's successors and predecessors in
// the service's order (server/exports/node_link.py, rebuild_order), so adjacency built here by
// appending edges as they come walks a node's edges in the order graph/query.py does: outgoing
// first, then incoming, each grouped by the node at the other end, keys in order.

const fs = require('node:fs')

function compareStrings (a, b) {
  return a < b ? -1 : a > b ? 1 : 0
}

class Graph {
  constructor (document) {
    this.nodes = new Map() // id -> attributes, in the export's node order
    this.succ = new Map() // id -> Map(target -> [edge])
    this.pred = new Map() // id -> Map(source -> [edge])
    for (const node of document.nodes) {
      this.nodes.set(node.id, node)
      this.succ.set(node.id, new Map())
      this.pred.set(node.id, new Map())
    }
    for (const edge of document.edges) {
      append(this.succ.get(edge.source), edge.target, edge)
      append(this.pred.get(edge.target), edge.source, edge)
    }
    // Story order: graph/build.py sorts the events by story_order.
    this.timeline = [...this.nodes.values()]
      .filter((n) => n.kind === 'event')
      .sort((a, b) => a.story_order - b.story_order)
      .map((n) => n.id)
  }

  static read (path) {
    return new Graph(JSON.parse(fs.readFileSync(path, 'utf8')))
  }

  has (id) {
    return this.nodes.has(id)
  }

  // graph/query.py edges_of: outgoing edges first, then incoming (a self-loop listed once).
  edgesOf (node, { direction = 'both', types = null, edgeKind = null } = {}) {
    const found = []
    if (direction === 'out' || direction === 'both') {
      for (const edges of this.succ.get(node).values()) found.push(...edges)
    }
    if (direction === 'in' || direction === 'both') {
      for (const [source, edges] of this.pred.get(node)) {
        if (source === node && direction === 'both') continue
        found.push(...edges)
      }
    }
    return found.filter(
      (e) => (types === null || types.includes(e.type)) && (edgeKind === null || e.kind === edgeKind)
    )
  }

  // graph/query.py neighbourhood: nodes within `depth` steps, nearest first, with their distance.
  neighbourhood (node, depth, direction) {
    const seen = new Map([[node, 0]])
    let frontier = [node]
    for (let distance = 1; distance <= depth; distance++) {
      const following = []
      for (const current of frontier) {
        for (const edge of this.edgesOf(current, { direction })) {
          const other = edge.source === current ? edge.target : edge.source
          if (!seen.has(other)) {
            seen.set(other, distance)
            following.push(other)
          }
        }
      }
      frontier = following
    }
    return [...seen].filter(([, d]) => d > 0)
  }

  // graph/query.py shortest_paths: every shortest-path predecessor, walked in sorted order.
  shortestPaths (source, target, maxLength, limit) {
    if (source === target) return [[source]]
    const preds = new Map([[source, []]])
    const level = new Map([[source, 0]])
    let frontier = [source]
    while (frontier.length && !level.has(target)) {
      const depth = level.get(frontier[0]) + 1
      if (depth > maxLength) return []
      const following = []
      for (const current of frontier) {
        const others = new Set()
        for (const e of this.edgesOf(current)) others.add(e.source === current ? e.target : e.source)
        for (const other of [...others].sort(compareStrings)) {
          if (!level.has(other)) {
            level.set(other, depth)
            preds.set(other, [current])
            following.push(other)
          } else if (level.get(other) === depth) {
            preds.get(other).push(current)
          }
        }
      }
      frontier = following
    }
    if (!level.has(target)) return []
    const paths = []
    const walk = (node, suffix) => {
      if (paths.length >= limit) return
      if (node === source) {
        paths.push([source, ...suffix])
        return
      }
      for (const pred of [...preds.get(node)].sort(compareStrings)) walk(pred, [node, ...suffix])
    }
    walk(target, [])
    return paths
  }

  // graph/query.py edges_between: a -> b in key order, then b -> a.
  edgesBetween (a, b) {
    const found = [...(this.succ.get(a).get(b) || [])]
    if (a !== b) found.push(...(this.succ.get(b).get(a) || []))
    return found
  }

  // graph/query.py timeline (story order), optionally of one participant.
  events (participant) {
    if (participant === null || participant === undefined) return this.timeline
    const involved = new Set(
      this.edgesOf(participant, { direction: 'out', edgeKind: 'participation' }).map((e) => e.target)
    )
    return this.timeline.filter((e) => involved.has(e))
  }

  // The agents of an event, each once, in the order of its incoming edges.
  agents (event) {
    const found = this.edgesOf(event, { direction: 'in', edgeKind: 'participation', types: ['agent'] })
    return [...new Set(found.map((e) => e.source))]
  }

  // graph/subgraph.py selection with a centre: breadth-first ignoring direction (successors
  // before predecessors), at most `maxNodes`, nearest and highest pagerank first.
  ego (center, radius, maxNodes) {
    const distances = new Map([[center, 0]])
    const frontier = [center]
    for (let i = 0; i < frontier.length; i++) {
      const node = frontier[i]
      const hops = distances.get(node) + 1
      if (hops > radius) continue
      for (const neighbour of [...this.succ.get(node).keys(), ...this.pred.get(node).keys()]) {
        if (!distances.has(neighbour)) {
          distances.set(neighbour, hops)
          frontier.push(neighbour)
        }
      }
    }
    const matched = distances.size
    let chosen = [...distances.keys()]
    if (matched > maxNodes) {
      const rank = (n) => {
        const value = this.nodes.get(n).pagerank
        return typeof value === 'number' && Number.isFinite(value) ? value : 0
      }
      chosen = chosen
        .sort((a, b) => distances.get(a) - distances.get(b) || rank(b) - rank(a) || compareStrings(a, b))
        .slice(0, maxNodes)
    }
    chosen.sort(compareStrings)
    const kept = new Set(chosen)
    const relations = []
    for (const n of chosen) {
      for (const e of this.edgesOf(n, { direction: 'out' })) if (kept.has(e.target)) relations.push(e)
    }
    return { matched, nodes: chosen, relations }
  }
}

function append (map, key, value) {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

module.exports = { Graph }
