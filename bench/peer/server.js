'use strict'
// One peer server on 127.0.0.1, for bench/peer.py:
//
//   node server.js mercurius    --port P --export graph.json --schema schema.graphql --fixed body.json
//   node server.js graphql-http --port P --export graph.json --schema schema.graphql --fixed body.json
//
// `mercurius`: Fastify + Mercurius with graphql-jit (`jit: 1`: every query compiled from its
// first use). `graphql-http`: graphql-js with graphql-http, the reference implementation, on
// node:http. Each also answers POST /fixed with the same JSON bytes every time: the ceiling of
// its HTTP stack. The graph is read once, at start.

const fs = require('node:fs')
const { parseArgs } = require('node:util')
const { Graph } = require('./graph')
const { makeSchema } = require('./schema')

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    export: { type: 'string' },
    schema: { type: 'string' },
    fixed: { type: 'string' }
  }
})
const stack = positionals[0]
const port = Number(values.port)
const schema = makeSchema(values.schema, Graph.read(values.export))
const fixed = fs.readFileSync(values.fixed)

async function mercurius () {
  const fastify = require('fastify')({ logger: false })
  await fastify.register(require('mercurius'), { schema, jit: 1, graphiql: false })
  fastify.post('/fixed', (request, reply) => {
    reply.type('application/json').send(fixed)
  })
  await fastify.listen({ host: '127.0.0.1', port })
}

function graphqlHttp () {
  const http = require('node:http')
  const { createHandler } = require('graphql-http/lib/use/http')
  const handler = createHandler({ schema })
  const server = http.createServer((req, res) => {
    if (req.url === '/graphql') return handler(req, res)
    if (req.url === '/fixed' && req.method === 'POST') {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': fixed.length })
        res.end(fixed)
      })
      return
    }
    res.writeHead(404).end()
  })
  server.keepAliveTimeout = 65_000
  server.listen(port, '127.0.0.1')
}

const stacks = { mercurius, 'graphql-http': graphqlHttp }
if (!(stack in stacks)) {
  console.error(`unknown stack ${JSON.stringify(stack)}: one of ${Object.keys(stacks).join(', ')}`)
  process.exit(2)
}
Promise.resolve(stacks[stack]()).catch((error) => {
  console.error(error)
  process.exit(1)
})
