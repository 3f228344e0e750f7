"""What every resolver gets as ``info.context``: the graph, built once at start-up, and limits."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from schema.limits import Limits


@dataclass(frozen=True, slots=True)
class Context:
    graph: nx.MultiDiGraph
    limits: Limits
