// Apollo Client's own persisted-query link against a running service.
//
//   node tests/node/apollo_persisted_queries.mjs BASE_URL POST_QUERY GET_QUERY
//
// Runs POST_QUERY twice with POST for hashed queries, then GET_QUERY twice with GET
// (useGETForHashedQueries), each through a fresh client whose fetch records every request.
// Prints one JSON object, {post: {results, requests}, get: {results, requests}}, which
// tests/test_apollo_link.py judges.
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [baseUrl, postQuery, getQuery] = process.argv.slice(2);
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

async function run(queryText, useGETForHashedQueries) {
  const query = gql(queryText);
  const requests = [];
  const recordingFetch = async (url, init) => {
    const response = await fetch(url, init);
    const body = await response.clone().text();
    requests.push({
      method: init?.method ?? "GET",
      url: String(url),
      body: init?.body ?? null,
      accept: new Headers(init?.headers).get("accept"),
      status: response.status,
      etag: response.headers.get("etag"),
      response: body,
    });
    return response;
  };
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries }).concat(
    new HttpLink({ uri: `${baseUrl}/graphql`, fetch: recordingFetch }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const results = [];
  for (let i = 0; i < 2; i += 1) {
    const { data, error } = await client.query({ query, fetchPolicy: "network-only" });
    results.push({ data: data ?? null, error: error ? String(error) : null });
  }
  return { results, requests };
}

const post = await run(postQuery, false);
const get = await run(getQuery, true);
process.stdout.write(JSON.stringify({ post, get }));
