'use strict'
// The peer's answers without a server: `node answer.js EXPORT SCHEMA < requests` reads one
// GraphQL request body ({"query", "operationName", "variables"}) per line and writes, one per
// line, the body graphql-http would answer with: JSON.stringify of graphql-js's result over
// the same executable schema the servers use. tests/test_bench_peer.py compares these with the
// service's answers; it needs only the `graphql` package, which the service's own
// node_modules already hold where bench/peer/node_modules is absent.

const readline = require('node:readline')
const { graphql } = require('graphql')
const { Graph } = require('./graph')
const { makeSchema } = require('./schema')

const [exportPath, schemaPath] = process.argv.slice(2)
const schema = makeSchema(schemaPath, Graph.read(exportPath))
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })

async function main () {
  for await (const line of lines) {
    if (!line) continue
    const request = JSON.parse(line)
    const result = await graphql({
      schema,
      source: request.query,
      operationName: request.operationName,
      variableValues: request.variables
    })
    process.stdout.write(JSON.stringify(result) + '\n')
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
