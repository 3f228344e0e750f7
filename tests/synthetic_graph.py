"""Graphs that follow the graph contract of ``graph.build``, made up for the export tests.

- :func:`realistic_graph`: about 140 nodes of every kind, relations and event participations,
  citations, mentions, centralities and layout positions, like the film's graph will be.
- :func:`hostile_graph`: a few nodes and edges whose strings and values are everything a writer
  can get wrong: quotes, ``<&>``, control characters, Korean text, ``None``, lists, dicts, NaN.
- :func:`big_graph`: many edges, cheaply, for the streaming and memory tests.

All three are deterministic.
"""

from __future__ import annotations

import random

import networkx as nx

from graph.centrality import add_centrality
from graph.layout import layout
from graph.model import RELATION_TYPES, ROLES, Citation

#: Kind -> how many nodes of it :func:`realistic_graph` makes (events come on top).
_COUNTS = {
    "character": 40,
    "person": 18,
    "place": 14,
    "organization": 8,
    "object": 14,
    "work": 6,
    "symbol": 5,
    "theme": 5,
}
_EVENTS = 26
_RELATIONS = 240
_DOCUMENTS = ("review-a", "review-b", "interview-c", "synopsis-d", "essay-e")
#: Nodes the tests look for by id, as the real graph names them.
NAMED = {
    "ok-ju": ("character", "Ok-ju"),
    "choi-pro": ("character", "Choi Pro"),
    "min-hee": ("character", "Min-hee"),
    "lamborghini": ("object", "Lamborghini"),
    "jeon-jong-seo": ("person", "Jeon Jong-seo"),
    "ballerina": ("work", "Ballerina"),
}


def realistic_graph(seed: int = 7) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    G = nx.MultiDiGraph(name="Ballerina (2023), synthetic")
    by_kind: dict[str, list[str]] = {kind: [] for kind in _COUNTS}
    for node, (kind, name) in NAMED.items():
        _add_entity(G, rng, node, kind, name)
        by_kind[kind].append(node)
    for kind, count in _COUNTS.items():
        while len(by_kind[kind]) < count:
            node = f"{kind}-{len(by_kind[kind]):02d}"
            _add_entity(G, rng, node, kind, f"{kind.title()} {len(by_kind[kind])}")
            by_kind[kind].append(node)

    entities = [n for nodes in by_kind.values() for n in nodes]
    people = by_kind["character"]
    relation_types = sorted(RELATION_TYPES)
    for i in range(_RELATIONS):
        source = rng.choice(people if rng.random() < 0.7 else entities)
        target = rng.choice(entities)
        if source == target:
            continue
        kind = rng.choice(relation_types)
        disputed = i % 40 == 0
        G.add_edge(
            source,
            target,
            key=f"rel-{i:03d}",
            kind="relation",
            type=kind,
            citations=_citations(rng),
            dispute="who-called" if disputed else None,
            claim="who-called/a" if disputed else None,
        )
    G.add_edge(
        "ok-ju",
        "choi-pro",
        key="rel-kills",
        kind="relation",
        type="kills",
        citations=_citations(rng),
        dispute=None,
        claim=None,
    )
    G.add_edge(
        "ok-ju",
        "choi-pro",
        key="rel-threatens",
        kind="relation",
        type="threatens",
        citations=_citations(rng),
        dispute=None,
        claim=None,
    )

    roles = sorted(ROLES)
    for order in range(_EVENTS):
        event = f"event-{order:02d}"
        G.add_node(
            event,
            kind="event",
            name=f"Event {order}",
            aliases=(),
            description=f"Something that happens, {order}th in the story.",
            citations=_citations(rng),
            story_order=order,
            narrative_order=None if order % 3 else order // 3,
            narrative="flashback" if order % 5 == 0 else None,
        )
        for index, participant in enumerate(rng.sample(entities, rng.randint(2, 5))):
            G.add_edge(
                participant,
                event,
                key=f"{event}/p{index}",
                kind="participation",
                type=rng.choice(roles),
                citations=_citations(rng),
                dispute=None,
                claim=None,
            )
    G.add_node(
        "burning-of-choi",
        kind="event",
        name="The burning of Choi",
        aliases=(),
        description="Ok-ju sets fire to Choi Pro.",
        citations=_citations(rng),
        story_order=_EVENTS,
        narrative_order=None,
        narrative="climax",
    )
    G.add_edge(
        "ok-ju",
        "burning-of-choi",
        key="burning/agent",
        kind="participation",
        type="agent",
        citations=_citations(rng),
        dispute=None,
        claim=None,
    )
    G.add_edge(
        "choi-pro",
        "burning-of-choi",
        key="burning/patient",
        kind="participation",
        type="patient",
        citations=_citations(rng),
        dispute=None,
        claim=None,
    )

    add_metrics(G)
    return G


def _add_entity(G: nx.MultiDiGraph, rng: random.Random, node: str, kind: str, name: str) -> None:
    # By hand to the graph contract, not via graph.build: exports must take graphs it never makes.
    mentions = {d: rng.randint(1, 9) for d in rng.sample(_DOCUMENTS, rng.randint(0, 3))}
    G.add_node(
        node,
        kind=kind,
        name=name,
        aliases=tuple(f"{name} ({i})" for i in range(rng.randint(0, 2))),
        description=f"{name}, a {kind} of the film.",
        citations=_citations(rng),
        mentions=mentions,
        mention_total=sum(mentions.values()),
    )


def _citations(rng: random.Random) -> tuple[Citation, ...]:
    out = []
    for _ in range(rng.randint(1, 3)):
        start = rng.randint(0, 5000)
        out.append(Citation(rng.choice(_DOCUMENTS), "a quoted sentence", start, start + 17))
    return tuple(out)


def add_metrics(G: nx.MultiDiGraph) -> None:
    """Set ``degree``, ``betweenness``, ``pagerank``, ``x`` and ``y`` the way the builder does."""
    add_centrality(G)
    for node, (x, y) in layout(G).items():
        G.nodes[node]["x"], G.nodes[node]["y"] = x, y


#: Strings a writer must escape, strip or keep intact.
HOSTILE = "He said \"run\" & <hide> 'now'\x00\x07\x1b\r\n\ttab 발레리나 \U0001f3ad \ufffe end"


def hostile_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name=HOSTILE, documents={"d": object()}, other=[1, 2])
    G.add_node(
        'q"<&>',
        kind="character",
        name=HOSTILE,
        aliases=("a, b", 'quoted "alias"', "back\\slash", "발레리나", None, "[bracket]"),
        description=HOSTILE,
        citations=(Citation("doc<1>", HOSTILE, 0, 5), Citation("doc&2", "q", 1, 2)),
        mentions={"doc<1>": 2, "doc&2": 1},
        mention_total=3,
        degree=2,
        betweenness=float("nan"),
        pagerank=0.5,
        x=1.5,
        y=-2.25,
        extra_dict={"nested": [1, {"deep": None}]},
        extra_set={"b", "a"},
    )
    G.add_node(
        "발레리나",
        kind="work",
        name="발레리나",
        aliases=["Ballerina"],
        description=None,
        citations=None,
        mentions=None,
        mention_total=None,
        degree=None,
        betweenness=None,
        pagerank=None,
        x=None,
        y=None,
    )
    G.add_node("bare")  # no attribute at all
    G.add_node(
        "event\x01<1>",
        kind="event",
        name="An event\u2028with a line separator",
        aliases=(),
        description="",
        citations=(),
        story_order=3,
        narrative_order=None,
        narrative='"opening" <scene>',
        pagerank=float("inf"),
        x=float("nan"),
        y=0.0,
    )
    G.add_edge(
        'q"<&>',
        "발레리나",
        key='k"<&>',
        kind="relation",
        type="acted_in",
        citations=(Citation("doc<1>", HOSTILE, 0, 5),),
        dispute=HOSTILE,
        claim=None,
    )
    G.add_edge(
        'q"<&>',
        "발레리나",
        key="k2",
        kind="relation",
        type="depicts",
        citations=None,
        dispute=None,
        claim='d/"c"',
    )
    G.add_edge(
        'q"<&>',
        "event\x01<1>",
        key="k3",
        kind="participation",
        type="agent",
        citations=(),
        dispute=None,
        claim=None,
        weird={"a": [1, 2]},
    )
    G.add_edge("bare", "bare", key="loop")  # a self-loop with no attribute at all
    # Keys repeat between different pairs of nodes; document-wide ids must not.
    G.add_edge("발레리나", "bare", key="k4", kind="relation", type="mentions")
    G.add_edge("bare", "발레리나", key="k5", kind="relation", type="mentions")
    G.add_edge("bare", "발레리나", key="k6\x01", kind="relation", type="mentions")  # \x01 dropped
    return G


def big_graph(edges: int = 200_000, seed: int = 1) -> nx.MultiDiGraph:
    """About ``edges`` edges between ``edges // 10`` nodes, with contract-shaped attributes.

    Citation tuples are shared between elements so that building the graph stays cheap.
    """
    rng = random.Random(seed)
    n = max(2, edges // 10)
    kinds = list(_COUNTS) + ["event"]
    cited = (Citation("review-a", "a quoted sentence", 10, 27),)
    types = sorted(RELATION_TYPES)
    G = nx.MultiDiGraph(name="big synthetic")
    G.add_nodes_from(
        (
            f"n{i}",
            {
                "kind": kinds[i % len(kinds)],
                "name": f"Node {i}",
                "aliases": (f"N{i}",),
                "description": "A node of the big synthetic graph.",
                "citations": cited,
                "mentions": {"review-a": 1},
                "mention_total": 1,
                "degree": 0,
                "betweenness": 0.0,
                "pagerank": 1.0 / n,
                "x": float(i % 1000),
                "y": float(i // 1000),
            },
        )
        for i in range(n)
    )
    G.add_edges_from(
        (
            f"n{rng.randrange(n)}",
            f"n{rng.randrange(n)}",
            f"e{i}",
            {
                "kind": "relation",
                "type": types[i % len(types)],
                "citations": cited,
                "dispute": None,
                "claim": None,
            },
        )
        for i in range(edges)
    )
    return G
