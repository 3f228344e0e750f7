"""The baseline: plain Starlette routes answering the mix's operations without GraphQL.

Each route reads the same JSON variables the GraphQL request carries, asks :mod:`graph.query`
and :mod:`graph.subgraph` directly, and answers byte for byte the body the GraphQL endpoint
gives for that operation (``{"data": {...}}``, same key order, same encoder settings):
:func:`bench.check.compare` proves it for every request of the mix before a run. It is the
fastest the service could answer the same question in the same kind of process, which is what
the GraphQL endpoint is measured against.

Only what the mix needs is handled: ids that exist and arguments within the limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph import query as q
from graph.knowledge import KnowledgeGraph
from graph.search import search as search_nodes
from graph.subgraph import selection
from schema import ids
from schema.limits import Limits

Answer = Callable[[KnowledgeGraph, Limits, dict[str, Any]], dict[str, Any]]

# The GraphQL endpoint's encoder settings, so that equal answers are equal bytes.
_encoder = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
)


def encode(data: dict[str, Any]) -> bytes:
    return _encoder.encode({"data": data}).encode("utf-8")


def _brief(K: KnowledgeGraph, node: str) -> dict[str, Any]:
    data = K.graph.nodes[node]
    return {"id": node, "name": data["name"], "kind": data["kind"].upper()}


def node(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    center = variables["id"]
    if center not in K.graph:  # a global id: entities by their exact id, never by name
        return {"node": None}
    around = q.neighbourhood(K, center, depth=1, max_depth=limits.max_radius)
    answer = _brief(K, center)
    answer["neighbors"] = [{"distance": d, "node": _brief(K, n)} for n, d in around]
    return {"node": answer}


def search(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    hits = search_nodes(K, variables["text"], 5)
    return {
        "search": [{"score": h.score, "matched": h.form, "node": _brief(K, h.node)} for h in hits]
    }


def path(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    a, b = q.require(K, variables["from"]), q.require(K, variables["to"])
    found = q.shortest_paths(K, a, b, max_length=4, limit=3)
    paths = [
        {
            "nodes": [{"id": n, "name": K.graph.nodes[n]["name"]} for n in p],
            "steps": [
                {
                    "from": {"id": u},
                    "to": {"id": v},
                    "relations": [
                        {"id": ids.relation_id(e.key), "type": e.type}
                        for e in q.edges_between(K, u, v)
                    ],
                }
                for u, v in zip(p, p[1:], strict=False)
            ],
        }
        for p in found
    ]
    return {"path": {"length": len(found[0]) - 1 if found else None, "paths": paths}}


def timeline(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    who = variables.get("participant")
    events = q.timeline(K, participant=None if who is None else q.require(K, who))
    answer = []
    for event in events:
        data = K.graph.nodes[event]
        agents = dict.fromkeys(e.source for e in q.participants(K, event, "agent"))
        answer.append(
            {
                "id": event,
                "name": data["name"],
                "storyOrder": data["story_order"],
                "agents": [{"id": a, "name": K.graph.nodes[a]["name"]} for a in agents],
            }
        )
    return {"timeline": answer}


def ego(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    center = q.require(K, variables["center"])
    chosen = selection(K.graph, center=center, radius=1, max_nodes=50, max_radius=limits.max_radius)
    nodes = set(chosen.nodes)
    relations = [
        {
            "id": ids.relation_id(e.key),
            "type": e.type,
            "source": {"id": e.source},
            "target": {"id": e.target},
        }
        for n in sorted(nodes)
        for e in q.edges_of(K, n, direction="out")
        if e.target in nodes
    ]
    return {
        "egoNetwork": {
            "matched": chosen.matched,
            "truncated": len(nodes) < chosen.matched,
            "nodes": [_brief(K, n) for n in sorted(nodes)],
            "relations": relations,
        }
    }


def dispute(K: KnowledgeGraph, limits: Limits, variables: dict[str, Any]) -> dict[str, Any]:
    record = K.disputes.get(ids.local_id(variables["id"], ids.DISPUTE))
    if record is None:
        return {"dispute": None}
    preferred = next((c for c in record.claims if c.id == record.preferred), None)
    return {
        "dispute": {
            "id": ids.dispute_id(record.id),
            "question": record.question,
            "preferred": None
            if preferred is None
            else {"id": ids.claim_id(record.id, preferred.id)},
            "claims": [
                {
                    "id": ids.claim_id(record.id, c.id),
                    "statement": c.statement,
                    "documents": [{"id": ids.document_id(d)} for d in _documents(c.citations)],
                }
                for c in record.claims
            ],
        }
    }


def _documents(citations) -> list[str]:
    return list(dict.fromkeys(c.document for c in citations))


ANSWERS: dict[str, Answer] = {
    "node": node,
    "search": search,
    "path": path,
    "timeline": timeline,
    "ego": ego,
    "dispute": dispute,
}


def route(operation: str, answer: Answer) -> Route:
    async def endpoint(request: Request) -> Response:
        context = request.app.state.context
        variables = await request.json()
        body = encode(answer(context.graph, context.limits, variables))
        return Response(body, media_type="application/json")

    return Route(f"/baseline/{operation}", endpoint, methods=["POST"], name=f"baseline-{operation}")


def routes() -> list[Route]:
    return [route(operation, answer) for operation, answer in ANSWERS.items()]
