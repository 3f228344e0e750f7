from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.build import load_graph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def ballerina() -> nx.MultiDiGraph:
    """The real Ballerina graph, built once from the committed seeds."""
    return load_graph(SEEDS)
