"""Apollo Client's own persisted-query link (npm @apollo/client, in Node) against the service.

The link sends a hash alone, gets ``PersistedQueryNotFound``, sends the query with its hash,
and from then on the hash alone is enough: over POST, and over GET as a URL a CDN can cache
(with a strong ETag, revalidated to 304).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.live_server import REPO_ROOT, live_server

SCRIPT = REPO_ROOT / "tests" / "node" / "apollo_persisted_queries.mjs"
APOLLO = REPO_ROOT / "node_modules" / "@apollo" / "client" / "package.json"
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}
POST_QUERY = "query ViaPost { stats { nodeCount edgeCount } }"
GET_QUERY = 'query ViaGet { character(id: "Ok-ju") { name } }'

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not APOLLO.is_file(), reason="@apollo/client is not installed (npm ci)"),
]


def persisted_hash(request: dict[str, Any]) -> str | None:
    if request["method"] == "GET":
        extensions = json.loads(parse_qs(urlsplit(request["url"]).query)["extensions"][0])
    else:
        extensions = json.loads(request["body"]).get("extensions", {})
    return extensions.get("persistedQuery", {}).get("sha256Hash")


def sends_query(request: dict[str, Any]) -> bool:
    if request["method"] == "GET":
        return "query" in parse_qs(urlsplit(request["url"]).query)
    return "query" in json.loads(request["body"])


def test_apollos_persisted_query_link_works_over_post_and_get() -> None:
    log = REPO_ROOT / "tests" / "artifacts" / "apollo_server.log"
    with live_server("server.app:create_app", log_path=log) as base_url:
        run = subprocess.run(
            ["node", str(SCRIPT), base_url, POST_QUERY, GET_QUERY],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
        )
        assert run.returncode == 0, run.stderr
        report = json.loads(run.stdout)
        expected = {
            name: httpx.post(f"{base_url}/graphql", json={"query": query}).json()["data"]
            for name, query in (("post", POST_QUERY), ("get", GET_QUERY))
        }
        last_get = report["get"]["requests"][-1]
        # Revalidated as a cache in front of the service would: the same URL and Accept.
        headers = {"accept": last_get["accept"], "if-none-match": last_get["etag"]}
        revalidated = httpx.get(last_get["url"], headers=headers)

    for name in ("post", "get"):
        results, requests = report[name]["results"], report[name]["requests"]
        for result in results:
            assert result["error"] is None
            data = result["data"]
            # Apollo's cache adds __typename to every selection; the rest is the query's answer.
            assert _without_typename(data) == expected[name]
        first, retry, again = requests
        hashes = {persisted_hash(r) for r in requests}
        assert len(hashes) == 1 and None not in hashes
        assert not sends_query(first) and first["status"] == 200
        assert json.loads(first["response"]) == NOT_FOUND
        assert sends_query(retry) and retry["method"] == "POST" and retry["status"] == 200
        assert not sends_query(again) and again["status"] == 200
        assert "errors" not in json.loads(again["response"])
    assert [r["method"] for r in report["get"]["requests"]] == ["GET", "POST", "GET"]
    assert [r["method"] for r in report["post"]["requests"]] == ["POST", "POST", "POST"]
    assert last_get["etag"] is not None and report["post"]["requests"][-1]["etag"] is None
    assert revalidated.status_code == 304


def _without_typename(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_typename(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [_without_typename(v) for v in value]
    return value
