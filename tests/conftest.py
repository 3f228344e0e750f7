from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.build import load_graph
from graph.knowledge import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _snapshots_kept_apart(tmp_path_factory):
    """Graph snapshots (server.snapshot) go to a folder of this session, here and in every
    server the tests start, not to the user's cache: tests build many throwaway seed folders."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "BALLERINA_SNAPSHOT_DIR")}
    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.environ.pop("BALLERINA_SNAPSHOT_DIR", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def ballerina() -> KnowledgeGraph:
    """The real Ballerina graph, built once from the committed seeds."""
    return load_graph(SEEDS)


@pytest.fixture(scope="session")
def client(ballerina):
    """The real app around the real graph, in process (lifespan run), for HTTP-level tests."""
    from starlette.testclient import TestClient

    from server.app import create_app
    from server.settings import Settings

    with TestClient(create_app(ballerina, Settings())) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def gql(client):
    """Run a GraphQL document over HTTP; return the decoded body (asserting a 200)."""

    def run(
        query: str, variables: dict | None = None, status: int = 200, operation: str | None = None
    ) -> dict:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables, "operationName": operation},
            headers={"accept": "application/graphql-response+json"},
        )
        assert response.status_code == status, response.text
        return response.json()

    return run
