"""The fixed query mix: six real operations, each as a GraphQL document and a baseline route.

Every request of the mix is an operation name and its variables. The GraphQL endpoint gets the
operation's document with those variables; the baseline (:mod:`bench.baseline`) gets the same
variables at ``/baseline/<operation>`` and answers the same JSON without GraphQL. Arguments
vary from request to request (ids, search terms, path ends, participants, dispute ids), drawn
with a fixed seed from the graph itself, so that a run replays no single answer and two runs
send the same requests.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graph.knowledge import KnowledgeGraph

#: Operation name -> GraphQL document. Each selects what a client of that question would ask.
DOCUMENTS: dict[str, str] = {
    "node": """query Node($id: ID!) {
  node(id: $id) { id ... on Entity { name kind neighbors { distance node { id name kind } } } }
}""",
    "search": """query Search($text: String!) {
  search(text: $text, first: 5) { score matched node { id name kind } }
}""",
    "path": """query Path($from: String!, $to: String!) {
  path(from: $from, to: $to, maxLength: 4, limit: 3) {
    length
    paths { nodes { id name } steps { from { id } to { id } relations { id type } } }
  }
}""",
    "timeline": """query Timeline($participant: String) {
  timeline(participant: $participant) { id name storyOrder agents { id name } }
}""",
    "ego": """query Ego($center: String!) {
  egoNetwork(center: $center, radius: 1, maxNodes: 50) {
    matched truncated
    nodes { id name kind }
    relations { id type source { id } target { id } }
  }
}""",
    "dispute": """query Dispute($id: String!) {
  dispute(id: $id) { id question preferred { id } claims { id statement documents { id } } }
}""",
}
OPERATIONS = tuple(DOCUMENTS)
#: GraphQL operation names, as the documents declare them.
OPERATION_NAMES = {
    "node": "Node",
    "search": "Search",
    "path": "Path",
    "timeline": "Timeline",
    "ego": "Ego",
    "dispute": "Dispute",
}


@dataclass(frozen=True, slots=True)
class Request:
    """One request of the mix."""

    operation: str
    variables: dict[str, Any]

    def graphql_body(self) -> bytes:
        return _dumps(
            {
                "query": DOCUMENTS[self.operation],
                "operationName": OPERATION_NAMES[self.operation],
                "variables": self.variables,
            }
        )

    def baseline_body(self) -> bytes:
        return _dumps(self.variables)

    @property
    def baseline_path(self) -> str:
        return f"/baseline/{self.operation}"


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def make_mix(K: KnowledgeGraph, count: int = 3000, seed: int = 2023) -> list[Request]:
    """``count`` requests, the six operations in equal shares, in a shuffled, seeded order."""
    rng = random.Random(seed)
    pools = _Pools(K, rng)
    requests = [pools.request(OPERATIONS[i % len(OPERATIONS)]) for i in range(count)]
    rng.shuffle(requests)
    return requests


class _Pools:
    """Draws the arguments of each operation from the graph."""

    def __init__(self, K: KnowledgeGraph, rng: random.Random) -> None:
        self.K = K
        self.rng = rng
        self.nodes = sorted(K.graph)
        self.entities = [n for n in self.nodes if K.graph.nodes[n]["kind"] != "event"]
        self.participants = [
            n
            for n in self.entities
            if any(d["kind"] == "participation" for _, _, d in K.graph.out_edges(n, data=True))
        ] or self.entities
        self.disputes = sorted(K.disputes)

    def request(self, operation: str) -> Request:
        return Request(operation, getattr(self, f"_{operation}")())

    def _node(self) -> dict[str, Any]:
        return {"id": self.rng.choice(self.nodes)}

    def _search(self) -> dict[str, Any]:
        return {"text": search_term(self.K, self.rng.choice(self.nodes), self.rng)}

    def _path(self) -> dict[str, Any]:
        source, target = self.rng.sample(self.entities, 2)
        return {"from": source, "to": target}

    def _timeline(self) -> dict[str, Any]:
        # One in eight asks for the whole timeline.
        if self.rng.random() < 0.125:
            return {"participant": None}
        return {"participant": self.rng.choice(self.participants)}

    def _ego(self) -> dict[str, Any]:
        return {"center": self.rng.choice(self.nodes)}

    def _dispute(self) -> dict[str, Any]:
        return {"id": self.rng.choice(self.disputes)} if self.disputes else {"id": "none"}


def search_term(K: KnowledgeGraph, node: str, rng: random.Random) -> str:
    """What someone looking for ``node`` might type: a name or alias, as written, lower-cased,
    its first word only, or with one typo."""
    data = K.graph.nodes[node]
    form = rng.choice([data["name"], *data["aliases"]])
    style = rng.randrange(4)
    if style == 1:
        form = form.lower()
    elif style == 2:
        form = form.split()[0]
    elif style == 3 and len(form) > 4:
        i = rng.randrange(1, len(form) - 2)
        form = form[:i] + form[i + 1] + form[i] + form[i + 2 :]  # swap two letters
    return form[:200]


def cycle(requests: list[Request]) -> Iterator[Request]:
    while True:
        yield from requests
