'use strict'
// The service's SDL (schema/schema.graphql) made executable over the peer's graph, for the
// operations of the bench mix that the export can answer: node (an entity by its global id,
// with its neighbours), path, timeline (with agents) and egoNetwork. One GraphQLSchema object
// serves both Mercurius and graphql-http, so the two differ only in how they execute and serve
// it.

const fs = require('node:fs')
const { buildSchema, isObjectType } = require('graphql')

function typeName (kind) {
  return kind.charAt(0).toUpperCase() + kind.slice(1)
}

function makeSchema (sdlPath, graph) {
  const schema = buildSchema(fs.readFileSync(sdlPath, 'utf8'))
  const node = (id) => graph.nodes.get(id)
  const resolvers = {
    Query: {
      // Only entities: the other Node types (relations, disputes...) are not in the export.
      node: (_, { id }) => node(id) ?? null,
      timeline: (_, { participant }) => graph.events(participant).map(node),
      path: (_, args) => {
        const found = graph.shortestPaths(args.from, args.to, args.maxLength, args.limit)
        return {
          from: node(args.from),
          to: node(args.to),
          paths: found,
          found: found.length > 0,
          length: found.length ? found[0].length - 1 : null
        }
      },
      egoNetwork: (_, { center, radius, maxNodes }) => {
        const chosen = graph.ego(center, radius, maxNodes)
        return {
          matched: chosen.matched,
          truncated: chosen.nodes.length < chosen.matched,
          nodes: chosen.nodes.map(node),
          relations: chosen.relations
        }
      }
    },
    Path: {
      nodes: (ids) => ids.map(node),
      steps: (ids) => ids.slice(1).map((v, i) => ({ from: ids[i], to: v })),
      length: (ids) => ids.length - 1
    },
    PathStep: {
      from: (step) => node(step.from),
      to: (step) => node(step.to),
      relations: (step) => graph.edgesBetween(step.from, step.to)
    },
    Relation: {
      id: (edge) => `relation:${edge.key}`,
      kind: (edge) => edge.kind.toUpperCase(),
      source: (edge) => node(edge.source),
      target: (edge) => node(edge.target)
    }
  }
  const nodeFields = {
    kind: (n) => n.kind.toUpperCase(),
    neighbors: (n, { depth, direction }) =>
      graph.neighbourhood(n.id, depth, direction.toLowerCase()).map(([id, distance]) => ({
        distance,
        node: node(id)
      }))
  }
  for (const type of schema.getPossibleTypes(schema.getType('Entity'))) {
    resolvers[type.name] = { ...nodeFields }
  }
  Object.assign(resolvers.Event, {
    storyOrder: (n) => n.story_order,
    agents: (n) => graph.agents(n.id).map(node)
  })
  schema.getType('Node').resolveType = (n) => typeName(n.kind)
  schema.getType('Entity').resolveType = (n) => typeName(n.kind)
  for (const [name, fields] of Object.entries(resolvers)) {
    const type = schema.getType(name)
    if (!isObjectType(type)) throw new Error(`${name} is not an object type of the SDL`)
    const defined = type.getFields()
    for (const [field, resolve] of Object.entries(fields)) {
      if (!defined[field]) throw new Error(`${name}.${field} is not in the SDL`)
      defined[field].resolve = resolve
    }
  }
  return schema
}

module.exports = { makeSchema }
