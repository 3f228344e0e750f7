// The explorer's only data path: GraphQL documents POSTed to the service's /graphql.

const OVERVIEW = `query ExploreOverview {
  stats { nodeCount edgeCount }
  vocabulary {
    kinds { name description color }
    roles { name description }
    relationTypes { name description }
  }
  subgraph(maxNodes: 300) {
    matched
    truncated
    nodes { id name kind position { x y } centrality { pagerank } community { number } }
    relations { id type kind disputed source { id } target { id } }
  }
  communities { number size members(first: 1) { name } }
  story: timeline(order: STORY) { ...Step }
  film: timeline(order: NARRATIVE) { ...Step }
}

fragment Step on Event {
  id
  name
  storyOrder
  narrativeOrder
  narrative
  participants { role node { id name kind } }
}`;

const NODE = `query ExploreNode($id: ID!) {
  node(id: $id) {
    id
    ... on Entity {
      name
      kind
      description
      certainty
      certaintyReason
      aliases
      centrality { pagerank degree }
      citations { quote context(chars: 80) document { id title } }
      relations {
        id
        type
        kind
        note
        disputed
        certainty
        certaintyReason
        claim { statement }
        dispute { question }
        source { id name kind }
        target { id name kind }
        citations { quote document { id title } }
      }
    }
  }
}`;

const SEARCH = `query ExploreSearch($text: String!, $first: Int!) {
  search(text: $text, first: $first) { score matched field node { id name kind } }
}`;

const PASSAGES = `query ExplorePassages($text: String!, $first: Int!) {
  passages(text: $text, first: $first) { text document { id title } mentions { id name kind } }
}`;

export class GraphQLError extends Error {}

/** A client for the service's GraphQL endpoint, with the few questions the page asks. */
export function graphqlClient(endpoint) {
  async function run(query, variables = {}) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    if (body.errors?.length) {
      throw new GraphQLError(body.errors.map((error) => error.message).join("; "));
    }
    if (!response.ok) throw new GraphQLError(`${endpoint} answered ${response.status}`);
    return body.data;
  }

  return {
    overview: () => run(OVERVIEW),
    node: async (id) => (await run(NODE, { id })).node,
    search: async (text, first = 8) => (await run(SEARCH, { text, first })).search,
    passages: async (text, first = 3) => (await run(PASSAGES, { text, first })).passages,
  };
}
