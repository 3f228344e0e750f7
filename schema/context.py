"""What every resolver gets as ``info.context``: the graph, built once at start-up, and limits."""

from __future__ import annotations

from dataclasses import dataclass

from graph.knowledge import KnowledgeGraph
from schema.limits import Limits


@dataclass(frozen=True, slots=True)
class Context:
    graph: KnowledgeGraph
    limits: Limits
